"""The accountant's pages (a dealership's books, django-books): journal, entry, chart of accounts,
reports with their CSV, VAT settings, vehicle costs and invoices. Every write goes through the
package's services; refusals come back as a message with their code."""
import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django_books import selectors, services
from django_books.documents import invoice_pdf, report_table, to_csv
from django_books.models import AccountType, JournalEntry, LedgerAccount, VehicleCost, VehicleSale

from demo.pages.forms import AmountForm, cleaned_or_refused
from demo.pages.views.common import dealership_only, int_param, page_window, refused, require_perm
from django_car_listing.models import Car
from django_payroll.models import Payslip
from forecourt_core.errors import DomainError

PAGE_SIZE = 25
# The report columns holding money: the page shows them with |money (the CSV keeps plain amounts).
MONEY_COLUMNS = frozenset({"amount", "debit", "credit", "balance", "net", "vat", "gross", "cost", "margin"})
REPORTS = {
    "trial-balance": "Trial balance",
    "profit-and-loss": "Profit and loss",
    "balance-sheet": "Balance sheet",
    "general-ledger": "General ledger",
    "vat-return": "VAT return",
    "vehicle-margins": "Vehicle margins",
    "wallet-reconciliation": "Wallet reconciliation",
}


def _date(value: str | None, default: dt.date | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _period(request) -> tuple[dt.date | None, dt.date | None]:
    """?date_from=&date_to=, defaulting to the current month; a reversed range is swapped."""
    today = timezone.localdate()
    date_from = _date(request.GET.get("date_from"), today.replace(day=1))
    date_to = _date(request.GET.get("date_to"), today)
    if date_from and date_to and date_from > date_to:
        date_from, date_to = date_to, date_from
    return date_from, date_to


@dealership_only
@require_perm("books.view_journalentry")
def journal(request):
    back = reverse("pages:books")
    if request.method == "POST":
        return _journal_post(request, back)
    date_from, date_to = _period(request)
    entries = selectors.entry_list(date_from=date_from, date_to=date_to)
    window = page_window(entries.count(), int_param(request, "page"), PAGE_SIZE)
    services.chart_ensure()
    return render(request, "pages/books_journal.html", {
        "entries": list(entries[window["offset"]:window["offset"] + PAGE_SIZE]), "window": window,
        "date_from": date_from, "date_to": date_to, "closed_through": services.closed_through(),
        "pnl": selectors.profit_and_loss(date_from=date_from, date_to=date_to) if request.user.has_perm(
            "books.view_reports") else None,
        "accounts": list(selectors.account_list().filter(is_active=True)), "reports": REPORTS,
        "today": timezone.localdate(),
    })


def _journal_post(request, back: str):
    action = request.POST.get("action")
    perm = {"entry": "books.add_journalentry", "close": "books.close_period"}.get(action)
    if perm is None or not request.user.has_perm(perm):
        messages.error(request, "Your role does not allow this.", extra_tags="not_allowed")
        return redirect(back)
    services.chart_ensure()
    try:
        if action == "close":
            through = _date(request.POST.get("through"), None)
            if through is None:
                messages.error(request, "Choose the last day to close.", extra_tags="invalid")
                return redirect(back)
            services.period_close(through=through, closed_by=request.user)
            messages.success(request, f"The books are closed through {through}.")
            return redirect(back)
        accounts = {a.code: a for a in LedgerAccount.objects.filter(
            code__in=[request.POST.get("debit", ""), request.POST.get("credit", "")])}
        debit, credit = accounts.get(request.POST.get("debit", "")), accounts.get(request.POST.get("credit", ""))
        date = _date(request.POST.get("date"), None)
        if debit is None or credit is None or date is None:
            messages.error(request, "Choose both accounts and a date.", extra_tags="invalid")
            return redirect(back)
        amount = cleaned_or_refused(AmountForm(request.POST))["amount"]
        entry, _ = services.entry_post(date=date, memo=request.POST.get("memo", "")[:255], created_by=request.user,
                                       lines=[services.debit(debit, amount), services.credit(credit, amount)])
    except DomainError as exc:
        return refused(request, exc, back)
    messages.success(request, f"Entry {entry.pk} posted.")
    return redirect("pages:books_entry", entry_id=entry.pk)


def _source_link(line) -> str:
    """Where a line's cause lives in the workspace ("" when it has no page)."""
    kind, ident = line.source_type, line.source_id
    if kind in ("car_sale", "lead_sale", "commission"):
        return reverse("pages:sales")
    if kind == "vehicle" and ident.isdigit():
        return reverse("pages:books_vehicle", args=[int(ident)])
    if kind == "payslip" and ident.isdigit():
        run_id = Payslip.objects.filter(pk=int(ident)).values_list("run_id", flat=True).first()
        return reverse("pages:payroll_run", args=[run_id]) if run_id else ""
    return ""


@dealership_only
@require_perm("books.view_journalentry")
def entry(request, entry_id: int):
    found = selectors.entry_list().filter(pk=entry_id).first()
    if found is None:
        raise Http404
    if request.method == "POST":
        back = reverse("pages:books_entry", args=[entry_id])
        if not request.user.has_perm("books.add_journalentry"):
            messages.error(request, "Your role does not allow this.", extra_tags="not_allowed")
            return redirect(back)
        try:
            reversal = services.entry_reverse(entry=found, created_by=request.user,
                                              date=_date(request.POST.get("date"), None))
        except DomainError as exc:
            return refused(request, exc, back)
        messages.success(request, f"Entry {entry_id} reversed by entry {reversal.pk}.")
        return redirect("pages:books_entry", entry_id=reversal.pk)
    lines = [{"line": line, "link": _source_link(line)} for line in found.lines.all()]
    sale = VehicleSale.objects.filter(entry=found).first()
    return render(request, "pages/books_entry.html", {
        "entry": found, "lines": lines, "sale": sale, "reversed_by": JournalEntry.objects.filter(
            reverses=found).first(), "today": timezone.localdate(), "reports": REPORTS,
    })


@dealership_only
@require_perm("books.view_ledgeraccount")
def accounts(request):
    back = reverse("pages:books_accounts")
    if request.method == "POST":
        try:
            if request.POST.get("action") == "rename":
                if not request.user.has_perm("books.change_ledgeraccount"):
                    messages.error(request, "Your role does not allow this.", extra_tags="not_allowed")
                    return redirect(back)
                account = LedgerAccount.objects.filter(code=request.POST.get("account", "")).first()
                if account is None:
                    raise Http404
                services.account_update(account=account, name=request.POST.get("name", "")[:100] or account.name,
                                        code=request.POST.get("code", "")[:20] or account.code)
                messages.success(request, f"Account {account.code} saved.")
            else:
                if not request.user.has_perm("books.add_ledgeraccount"):
                    messages.error(request, "Your role does not allow this.", extra_tags="not_allowed")
                    return redirect(back)
                code, name = request.POST.get("code", "").strip()[:20], request.POST.get("name", "").strip()[:100]
                account_type = request.POST.get("type", "")
                if not code or not name or account_type not in AccountType.values:
                    messages.error(request, "An account needs a code, a name and a type.", extra_tags="invalid")
                    return redirect(back)
                services.account_create(code=code, name=name, type=account_type)
                messages.success(request, f"Account {code} added.")
        except DomainError as exc:
            return refused(request, exc, back)
        return redirect(back)
    services.chart_ensure()
    return render(request, "pages/books_accounts.html", {"accounts": list(selectors.account_list()),
                                                         "types": AccountType.choices, "reports": REPORTS})


@dealership_only
@require_perm("books.view_reports")
def report(request, name: str):
    if name not in REPORTS:
        raise Http404
    date_from, date_to = _period(request)
    services.chart_ensure()
    account = None
    if name == "general-ledger":
        account = LedgerAccount.objects.filter(code=request.GET.get("account", "")).first() or \
            services.account_by_role("wallet")
        data = selectors.general_ledger(account=account, date_from=date_from, date_to=date_to)
    elif name == "balance-sheet":
        data = selectors.balance_sheet(as_of=date_to)
    elif name == "wallet-reconciliation":
        data = selectors.wallet_reconciliation()
    elif name == "vehicle-margins":
        data = {"rows": selectors.vehicle_margins(date_from=date_from, date_to=date_to)}
    else:
        read = {"trial-balance": selectors.trial_balance, "profit-and-loss": selectors.profit_and_loss,
                "vat-return": selectors.vat_return}[name]
        data = read(date_from=date_from, date_to=date_to)
    table = report_table(name, data)
    if request.GET.get("format") == "csv":
        response = HttpResponse(to_csv(table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    money_columns = [column in MONEY_COLUMNS for column in table[0]]
    return render(request, "pages/books_report.html", {
        "name": name, "title": REPORTS[name], "reports": REPORTS, "header": table[0],
        "rows": [list(zip(row, money_columns, strict=True)) for row in table[1:]],
        "data": data, "date_from": date_from, "date_to": date_to, "account": account,
        "accounts": list(selectors.account_list()) if name == "general-ledger" else [],
        "query": request.GET.urlencode(),
    })


@dealership_only
@require_perm("books.view_booksprofile")
def vat_settings(request):
    back = reverse("pages:books_settings")
    if request.method == "POST":
        if not request.user.has_perm("books.change_booksprofile"):
            messages.error(request, "Your role does not allow this.", extra_tags="not_allowed")
            return redirect(back)
        try:
            services.profile_update(legal_name=request.POST.get("legal_name", "")[:200],
                                    address=request.POST.get("address", "")[:1000],
                                    vat_number=request.POST.get("vat_number", "")[:40],
                                    vat_rate=request.POST.get("vat_rate", ""),
                                    vat_exempt=request.POST.get("vat_exempt") == "on")
        except DomainError as exc:
            return refused(request, exc, back)
        messages.success(request, "VAT and invoice details saved.")
        return redirect(back)
    return render(request, "pages/books_settings.html", {"profile": services.profile_get(), "reports": REPORTS})


@dealership_only
@require_perm("books.view_vehiclecost")
def vehicle(request, car_id: int):
    car = Car.objects.filter(pk=car_id).first()
    if car is None:
        raise Http404
    back = reverse("pages:books_vehicle", args=[car_id])
    if request.method == "POST":
        if not request.user.has_perm("books.add_vehiclecost"):
            messages.error(request, "Your role does not allow this.", extra_tags="not_allowed")
            return redirect(back)
        incurred_on = _date(request.POST.get("incurred_on"), None)
        if incurred_on is None or request.POST.get("kind") not in VehicleCost.Kind.values:
            messages.error(request, "Choose the kind of cost and its date.", extra_tags="invalid")
            return redirect(back)
        try:
            services.vehicle_cost_add(vehicle_id=car.pk, kind=request.POST["kind"],
                                      amount=cleaned_or_refused(AmountForm(request.POST))["amount"],
                                      incurred_on=incurred_on,
                                      description=request.POST.get("description", "")[:255],
                                      paid_from=request.POST.get("paid_from", "payables"),
                                      created_by=request.user)
        except DomainError as exc:
            return refused(request, exc, back)
        messages.success(request, "Cost booked.")
        return redirect(back)
    costs = list(selectors.vehicle_costs(car.pk))
    return render(request, "pages/books_vehicle.html", {
        "car": car, "costs": costs, "total": services.vehicle_cost(car.pk),
        "sale": VehicleSale.objects.filter(vehicle_id=car.pk).first(), "kinds": VehicleCost.Kind.choices,
        "today": timezone.localdate(),
    })


@dealership_only
@require_perm("books.view_vehiclesale")
def invoice(request, number: int):
    sale = VehicleSale.objects.filter(invoice_number=number).first()
    if sale is None:
        raise Http404
    response = HttpResponse(invoice_pdf(sale), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="invoice-{sale.invoice_number}.pdf"'
    return response
