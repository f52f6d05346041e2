"""My wallet: balances, statement (date filter, CSV), transfer, credit request. Wallet services only."""
import csv

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from demo.pages.forms import ChargeSaleForm, CreditRequestForm, StatementFilterForm, TransferForm
from demo.pages.views.common import public_only, refused
from django_wallet import selectors as wallet_selectors
from django_wallet import services as wallet
from forecourt_core.display import money
from forecourt_core.errors import DomainError
from forecourt_core.idempotency import form_idempotency_key

STATEMENT_ROWS = 100


def filtered_statement(request, account):
    """The statement filter form bound to the query string, and the account's entries it selects."""
    filters = StatementFilterForm(request.GET or None)
    kwargs = {}
    if filters.is_bound and filters.is_valid():
        kwargs = {k: v for k, v in filters.cleaned_data.items() if v}
    return filters, wallet_selectors.entry_list(account=account, **kwargs)


@public_only
@login_required
def wallet_page(request):
    account = wallet.account_for(request.user)
    filters, entries = filtered_statement(request, account)
    return render(request, "pages/wallet.html", {
        "account": account, "balance": wallet_selectors.balance(account),
        "available": wallet_selectors.available_balance(account),
        "accounts": wallet_selectors.accounts_of(request.user),
        "entries": list(entries[:STATEMENT_ROWS]), "filters": filters, "query": request.GET.urlencode(),
        "transfer_form": TransferForm(), "credit_form": CreditRequestForm(),
        "charge_form": ChargeSaleForm(),
        "charge_sales": list(wallet_selectors.charge_sale_list(account=account)[:10]),
        "credit_requests": list(wallet_selectors.credit_request_list(account=account)[:10]),
    })


@public_only
@login_required
def statement_csv(request):
    account = wallet.account_for(request.user)
    _, entries = filtered_statement(request, account)
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="statement.csv"'
    out = csv.writer(response)
    out.writerow(["date", "kind", "memo", "amount", "balance_after", "transaction"])
    for e in entries.iterator(chunk_size=500):
        out.writerow([e.created_at.isoformat(), e.transaction.kind, e.transaction.memo, e.amount, e.balance_after,
                      e.transaction_id])
    return response


@public_only
@login_required
@require_POST
def transfer(request):
    back = reverse("pages:wallet")
    form = TransferForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a recipient and a positive amount with at most 2 decimals.")
        return redirect(back)
    recipient = get_user_model().objects.filter(username=form.cleaned_data["to_username"]).first()
    if recipient is None:
        messages.error(request, "There is no user with that username.")
        return redirect(back)
    try:
        wallet.transfer(source=wallet.account_for(request.user), destination=wallet.account_for(recipient),
                        amount=form.cleaned_data["amount"], memo=form.cleaned_data["memo"] or
                        f"Transfer to {recipient.username}",
                        idempotency_key=form_idempotency_key(request.POST),
                        idempotency_scope=f"pages.transfer:{request.user.pk}")
    except DomainError as exc:
        return refused(request, exc, back)
    messages.success(request, f"Sent {money(form.cleaned_data['amount'])} to {recipient.username}.")
    return redirect(back)


@public_only
@login_required
@require_POST
def credit_request(request):
    back = reverse("pages:wallet")
    form = CreditRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a positive amount with at most 2 decimals.")
        return redirect(back)
    try:
        wallet.credit_request_create(account=wallet.account_for(request.user), amount=form.cleaned_data["amount"],
                                     requested_by=request.user, note=form.cleaned_data["note"])
    except DomainError as exc:
        return refused(request, exc, back)
    messages.success(request, "Credit requested; a platform admin will decide.")
    return redirect(back)


@public_only
@login_required
@require_POST
def charge_sale(request):
    """A seller sells prepaid phone charge out of their credit."""
    back = reverse("pages:wallet")
    form = ChargeSaleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a phone number and a positive amount with at most 2 decimals.")
        return redirect(back)
    try:
        sale = wallet.charge_sale_create(account=wallet.account_for(request.user), phone=form.cleaned_data["phone"],
                                         amount=form.cleaned_data["amount"], sold_by=request.user,
                                         idempotency_key=form_idempotency_key(request.POST),
                                         idempotency_scope=f"pages.charge:{request.user.pk}")
    except DomainError as exc:
        return refused(request, exc, back)
    messages.success(request, f"Charged {money(sale.amount)} to {sale.phone}.")
    return redirect(back)
