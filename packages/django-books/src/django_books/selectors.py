"""Every read of the books: the journal, the chart, and the reports (trial balance, profit and loss,
balance sheet, general ledger, VAT return, vehicle margins, wallet reconciliation).

Report figures are Decimals in the account's natural sign: an asset or expense shows its debit
balance, a liability, equity or income account its credit balance.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import islice

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth

from . import conf
from .errors import InvalidDateRange
from .models import (
    ZERO,
    AccountType,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    VehicleCost,
    VehicleSale,
)


def _range(qs: QuerySet, field: str, date_from: dt.date | None, date_to: dt.date | None) -> QuerySet:
    if date_from and date_to and date_from > date_to:
        raise InvalidDateRange()
    if date_from:
        qs = qs.filter(**{f"{field}__gte": date_from})
    if date_to:
        qs = qs.filter(**{f"{field}__lte": date_to})
    return qs


def account_list() -> QuerySet[LedgerAccount]:
    return LedgerAccount.objects.all()


def entry_list(*, date_from: dt.date | None = None, date_to: dt.date | None = None,
               source_type: str = "", source_id: str = "") -> QuerySet[JournalEntry]:
    qs = _range(JournalEntry.objects.all(), "date", date_from, date_to)
    if source_type:
        qs = qs.filter(lines__source_type=source_type, lines__source_id=str(source_id)).distinct()
    return qs.prefetch_related("lines__account").select_related("reverses", "reversed_by")


def entries_for_source(source_type: str, source_id) -> list[JournalEntry]:
    """The entries with a line caused by this source (a sale, commission, payslip, ...), oldest first."""
    return list(entry_list(source_type=source_type, source_id=str(source_id)).order_by("date", "id"))


def entries_by_key(keys) -> dict[str, JournalEntry]:
    """The automatic entries of these keys (``car-sale:12``, ``payroll-run:3``, ...) by key: what a
    source page links to."""
    return {e.key: e for e in JournalEntry.objects.filter(key__in=list(keys)).select_related("vehicle_sale")}


def entries_by_source(source_type: str, source_ids) -> dict[str, JournalEntry]:
    """The entry with a line caused by each of these sources (``wallet_transaction`` ids, ...) by source
    id, the earliest where several: what a list of sources (a wallet statement) links to."""
    ids = [str(i) for i in source_ids]
    found: dict[str, JournalEntry] = {}
    lines = (JournalLine.objects.filter(source_type=source_type, source_id__in=ids)
             .select_related("entry").order_by("entry_id"))
    for line in lines:
        found.setdefault(line.source_id, line.entry)
    return found


def sales_by_key(keys) -> dict[str, VehicleSale]:
    return {s.key: s for s in VehicleSale.objects.filter(key__in=list(keys))}


def _natural(account_type: str, amount: Decimal) -> Decimal:
    return amount if account_type in (AccountType.ASSET, AccountType.EXPENSE) else -amount


def _sums(*, date_from=None, date_to=None) -> dict[int, Decimal]:
    rows = _range(JournalLine.objects.all(), "date", date_from, date_to).values("account_id").annotate(
        total=Sum("amount"))
    return {row["account_id"]: row["total"] for row in rows}


def trial_balance(*, date_from: dt.date | None = None, date_to: dt.date | None = None) -> dict:
    """Every account with lines: its debit or credit balance; the two columns' totals are equal."""
    sums = _sums(date_from=date_from, date_to=date_to)
    rows = []
    for account in LedgerAccount.objects.filter(pk__in=sums):
        total = sums[account.pk]
        rows.append({"code": account.code, "name": account.name, "type": account.type,
                     "debit": total if total > 0 else ZERO, "credit": -total if total < 0 else ZERO})
    debit, credit = sum((r["debit"] for r in rows), ZERO), sum((r["credit"] for r in rows), ZERO)
    return {"rows": rows, "total_debit": debit, "total_credit": credit, "difference": debit - credit}


def _section(sums: dict[int, Decimal], account_type: str) -> tuple[list[dict], Decimal]:
    rows = [{"code": a.code, "name": a.name, "amount": _natural(a.type, sums[a.pk])}
            for a in LedgerAccount.objects.filter(pk__in=sums, type=account_type)]
    return rows, sum((r["amount"] for r in rows), ZERO)


def profit_and_loss(*, date_from: dt.date | None = None, date_to: dt.date | None = None) -> dict:
    sums = _sums(date_from=date_from, date_to=date_to)
    income, total_income = _section(sums, AccountType.INCOME)
    expenses, total_expenses = _section(sums, AccountType.EXPENSE)
    return {"income": income, "total_income": total_income, "expenses": expenses,
            "total_expenses": total_expenses, "net_profit": total_income - total_expenses}


def profit_by_month(*, date_from: dt.date | None = None, date_to: dt.date | None = None) -> list[dict]:
    """Per month, oldest first: income, expenses and profit (what the dashboard charts)."""
    rows = (_range(JournalLine.objects.filter(account__type__in=[AccountType.INCOME, AccountType.EXPENSE]),
                   "date", date_from, date_to)
            .annotate(month=TruncMonth("date")).values("month")
            .annotate(income=Coalesce(-Sum("amount", filter=Q(account__type=AccountType.INCOME)), ZERO),
                      expense=Coalesce(Sum("amount", filter=Q(account__type=AccountType.EXPENSE)), ZERO))
            .order_by("month"))
    return [{"month": r["month"].strftime("%Y-%m"), "income": r["income"], "expense": r["expense"],
             "profit": r["income"] - r["expense"]} for r in rows]


SALES_ROLE = "vehicle_sales"  # the chart's sales revenue account


def sales_summary(*, date_from: dt.date | None = None, date_to: dt.date | None = None) -> dict:
    """Vehicle sales as profit and loss counts them, whatever sold them (the marketplace, a CRM deal
    paid offline, an entry by hand): ``revenue`` is the sales revenue account's credit balance (net of
    VAT), ``count`` the vehicle sales booked, both in total and ``by_month`` (oldest first), by the
    date of their entries."""
    revenue = dict(
        _range(JournalLine.objects.filter(account__role=SALES_ROLE), "date", date_from, date_to)
        .annotate(month=TruncMonth("date")).values("month").annotate(total=Coalesce(-Sum("amount"), ZERO))
        .values_list("month", "total"))
    counts = dict(
        _range(VehicleSale.objects.all(), "entry__date", date_from, date_to)
        .annotate(month=TruncMonth("entry__date")).values("month").annotate(n=Count("id"))
        .values_list("month", "n"))
    by_month = [{"month": month.strftime("%Y-%m"), "revenue": revenue.get(month, ZERO), "count": counts.get(month, 0)}
                for month in sorted({*revenue, *counts})]
    return {"revenue": sum((m["revenue"] for m in by_month), ZERO), "count": sum(m["count"] for m in by_month),
            "by_month": by_month}


def balance_sheet(*, as_of: dt.date | None = None) -> dict:
    """Assets = liabilities + equity, equity including the earnings not yet closed into it."""
    sums = _sums(date_to=as_of)
    assets, total_assets = _section(sums, AccountType.ASSET)
    liabilities, total_liabilities = _section(sums, AccountType.LIABILITY)
    equity, total_equity = _section(sums, AccountType.EQUITY)
    _, income = _section(sums, AccountType.INCOME)
    _, expenses = _section(sums, AccountType.EXPENSE)
    earnings = income - expenses
    return {"assets": assets, "total_assets": total_assets, "liabilities": liabilities,
            "total_liabilities": total_liabilities, "equity": equity, "earnings": earnings,
            "total_equity": total_equity + earnings,
            "difference": total_assets - total_liabilities - total_equity - earnings}


def general_ledger(*, account: LedgerAccount, date_from: dt.date | None = None,
                   date_to: dt.date | None = None) -> dict:
    """The account's lines in order with a running balance, from its balance before ``date_from``."""
    lines = _range(account.lines.select_related("entry"), "date", date_from, date_to).order_by("date", "id")
    opening = ZERO
    if date_from:
        opening = _natural(account.type, account.lines.filter(date__lt=date_from).aggregate(
            total=Sum("amount"))["total"] or ZERO)
    balance, rows = opening, []
    for line in lines:
        balance += _natural(account.type, line.amount)
        rows.append({"date": line.date, "entry": line.entry_id, "memo": line.memo or line.entry.memo,
                     "source_type": line.source_type, "source_id": line.source_id,
                     "debit": line.debit, "credit": line.credit, "balance": balance})
    return {"account": {"code": account.code, "name": account.name, "type": account.type},
            "opening": opening, "rows": rows, "closing": balance}


def vat_return(*, date_from: dt.date | None = None, date_to: dt.date | None = None) -> dict:
    """Output VAT of the period: the invoices issued, and the VAT payable account's credits (which
    include any reversal) as the figure to declare."""
    sales = list(_range(VehicleSale.objects.all(), "sold_on", date_from, date_to).order_by("invoice_number"))
    vat_lines = _range(JournalLine.objects.filter(account__role="vat_payable"), "date", date_from, date_to)
    sales_lines = _range(JournalLine.objects.filter(account__role="vehicle_sales"), "date", date_from, date_to)
    return {
        "invoices": [{"invoice_number": s.invoice_number, "sold_on": s.sold_on, "description": s.description,
                      "net": s.net, "vat_rate": s.vat_rate, "vat": s.vat, "gross": s.gross} for s in sales],
        "net_sales": -(sales_lines.aggregate(total=Sum("amount"))["total"] or ZERO),
        "output_vat": -(vat_lines.aggregate(total=Sum("amount"))["total"] or ZERO),
    }


def vehicle_costs(vehicle_id: int) -> QuerySet[VehicleCost]:
    return VehicleCost.objects.filter(vehicle_id=vehicle_id)


def vehicle_sales(*, date_from: dt.date | None = None, date_to: dt.date | None = None) -> QuerySet[VehicleSale]:
    return _range(VehicleSale.objects.all(), "sold_on", date_from, date_to)


def vehicle_margins(*, date_from: dt.date | None = None, date_to: dt.date | None = None) -> list[dict]:
    """Per vehicle sold: net revenue, the costs that left inventory, and the gross margin."""
    return [{"invoice_number": s.invoice_number, "vehicle_id": s.vehicle_id, "description": s.description,
             "sold_on": s.sold_on, "net": s.net, "cost": s.cost, "margin": s.margin}
            for s in vehicle_sales(date_from=date_from, date_to=date_to).order_by("sold_on", "invoice_number")]


def wallet_reconciliation() -> dict:
    """The books' wallet account against the wallet's own balance, and the wallet transactions of the
    business that no line of the books references (what explains a difference)."""
    from django_wallet import selectors as wallet

    account = conf.wallet_account()
    books = JournalLine.objects.filter(account__role="wallet").aggregate(total=Sum("amount"))["total"] or ZERO
    balance = wallet.balance(account)
    return {"books": books, "wallet": balance, "difference": balance - books,
            "unbooked": [{"transaction": str(e.transaction_id), "kind": e.transaction.kind, "amount": e.amount,
                          "created_at": e.created_at} for e in _unbooked_entries(wallet.entry_list(account=account))]}


def _unbooked_entries(entries, *, limit: int = 100, chunk: int = 500) -> list:
    """The first ``limit`` wallet entries whose transaction no line of the books references.

    A chunk of the wallet's entries, then the books' lines for those transactions: two queries, not one
    anti-join, so the wallet's tables and the books may live on different database nodes (a sharded
    deployment keeps the shared wallet on one node and each business's books on another).
    """
    found, rows = [], entries.iterator(chunk_size=chunk)
    while len(found) < limit and (batch := list(islice(rows, chunk))):
        ids = [str(e.transaction_id) for e in batch]
        booked = set(JournalLine.objects.filter(source_type="wallet_transaction", source_id__in=ids)
                     .values_list("source_id", flat=True))
        found += [e for e in batch if str(e.transaction_id) not in booked]
    return found[:limit]
