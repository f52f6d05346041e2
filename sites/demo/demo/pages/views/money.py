"""The dealership's own money on its host (dealer, accountant): balance, held, available, the statement
(keyset pages and CSV) and paying a member out of it. Wallet selectors and services only."""
import csv

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_books import selectors as books
from rest_framework.request import Request

from demo.pages.forms import MemberPayoutForm
from demo.pages.views.common import current_dealership, dealership_only, refused, require_perm
from demo.pages.views.wallet import filtered_statement
from django_wallet import selectors as wallet_selectors
from django_wallet import services as wallet
from forecourt_core.drf import KeysetPagination
from forecourt_core.errors import DomainError, InvalidInput
from forecourt_core.idempotency import form_idempotency_key
from tenancy import selectors as tenancy_selectors
from tenancy import services as tenancy_services

# What a statement line is, in words; payroll and commission payouts are the ones people look for.
KIND_LABELS = {
    "payroll": "Payroll paid", "commission": "Commission paid", "dealership_payout": "Paid to a member",
    "car_purchase": "Car sold on the marketplace", "car_feature": "Featuring fee", "deposit": "Deposit",
    "withdrawal": "Withdrawal", "transfer": "Transfer", "credit": "Credit", "reversal": "Reversal",
    "charge_sale": "Phone charge sold",
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


def _members(dealership):
    return [m for m in tenancy_selectors.member_list(dealership=dealership) if m.is_active]


@dealership_only
@require_perm("tenancy.view_money")
def money(request):
    dealership = current_dealership()
    account = wallet.account_for(dealership)
    filters, entries = filtered_statement(request, account)
    pager = KeysetPagination()  # the wallet API's statement pages
    try:
        page = pager.paginate_queryset(entries, Request(request))
    except InvalidInput:  # a malformed cursor
        messages.error(request, "That statement page link is not valid; here is the first page.")
        return redirect(reverse("pages:money"))
    # Each movement links to the journal entry that books it, for those who read the books.
    booked = (books.entries_by_source("wallet_transaction", [e.transaction_id for e in page])
              if request.user.has_perm("books.view_journalentry") else {})
    rows = [{"entry": e, "what": e.transaction.memo or kind_label(e.transaction.kind),
             "kind": kind_label(e.transaction.kind), "books_entry": booked.get(str(e.transaction_id))}
            for e in page]
    return render(request, "pages/dealer_money.html", {
        "dealership": dealership, "account": account, "balance": wallet_selectors.balance(account),
        "held": wallet_selectors.held_balance(account), "available": wallet_selectors.available_balance(account),
        "rows": rows, "next": pager.get_next_link(), "previous": pager.get_previous_link(),
        "filters": filters, "query": request.GET.urlencode(),
        "pay_form": (MemberPayoutForm(members=_members(dealership))
                     if request.user.has_perm("tenancy.send_money") else None),
        "show_books": request.user.has_perm("books.view_journalentry"),
    })


@dealership_only
@require_perm("tenancy.view_money")
def money_csv(request):
    account = wallet.account_for(current_dealership())
    _, entries = filtered_statement(request, account)
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="dealership-statement.csv"'
    out = csv.writer(response)
    out.writerow(["date", "kind", "what", "amount", "balance_after", "transaction"])
    for e in entries.iterator(chunk_size=500):
        what = e.transaction.memo or kind_label(e.transaction.kind)
        out.writerow([e.created_at.isoformat(), e.transaction.kind, what, e.amount, e.balance_after, e.transaction_id])
    return response


@dealership_only
@require_perm("tenancy.send_money")
@require_POST
def money_pay(request):
    back = reverse("pages:money")
    dealership = current_dealership()
    members = _members(dealership)
    form = MemberPayoutForm(request.POST, members=members)
    if not form.is_valid():
        messages.error(request, "Choose a member and a positive amount with at most 2 decimals.")
        return redirect(back)
    member = next(m.user for m in members if str(m.user.pk) == form.cleaned_data["member"])
    try:
        tenancy_services.dealership_pay_member(
            dealership=dealership, member=member, amount=form.cleaned_data["amount"], memo=form.cleaned_data["memo"],
            by=request.user, idempotency_key=form_idempotency_key(request.POST))
    except DomainError as exc:
        return refused(request, exc, back)
    messages.success(request, f"Paid {form.cleaned_data['amount']} to {member.username}.")
    return redirect(back)
