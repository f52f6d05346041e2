"""MonthlyTotal follows every change of the books (database trigger), and whole-month P&L reads it."""
import datetime as dt
from decimal import Decimal as D

import pytest
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from django_payroll import selectors, services
from django_payroll.models import Entry, MonthlyTotal

pytestmark = pytest.mark.django_db


def _from_entries() -> dict:
    rows = (Entry.objects.annotate(m=TruncMonth("booked_on")).values("m", "kind")
            .annotate(total=Sum("amount"), n=Count("id")))
    return {(r["m"], r["kind"]): (r["total"], r["n"]) for r in rows}


def _from_totals() -> dict:
    return {(t.month, t.kind): (t.total, t.entries) for t in MonthlyTotal.objects.filter(entries__gt=0)}


@pytest.fixture
def books():
    sales = services.category_ensure(code="sales", name="Sales", kind="income")
    rent = services.category_ensure(code="rent", name="Rent", kind="expense")
    entries = [services.entry_create(category=c, amount=D(a), booked_on=d) for c, a, d in (
        (sales, "1000.00", dt.date(2026, 9, 30)), (sales, "250.50", dt.date(2026, 10, 1)),
        (rent, "400.00", dt.date(2026, 10, 15)), (rent, "99.99", dt.date(2026, 10, 31)),
        (sales, "10.00", dt.date(2026, 11, 2)))]
    return sales, rent, entries


def test_totals_follow_inserts_updates_and_deletes(books):
    sales, rent, entries = books
    assert _from_totals() == _from_entries() and len(_from_totals()) == 4
    Entry.objects.filter(pk=entries[0].pk).update(booked_on=dt.date(2026, 11, 1), amount=D("900.00"))  # moves month
    Entry.objects.filter(pk=entries[2].pk).update(kind="income", category=sales)  # changes kind
    Entry.objects.filter(pk=entries[3].pk).delete()
    assert _from_totals() == _from_entries()
    assert not MonthlyTotal.objects.filter(month=dt.date(2026, 9, 1), entries__gt=0).exists()


def test_whole_month_reports_match_the_entries(books):
    whole = selectors.profit_and_loss()  # all time: MonthlyTotal
    assert whole == [
        {"month": "2026-09", "income": D("1000.00"), "expense": D("0.00"), "profit": D("1000.00")},
        {"month": "2026-10", "income": D("250.50"), "expense": D("499.99"), "profit": D("-249.49")},
        {"month": "2026-11", "income": D("10.00"), "expense": D("0.00"), "profit": D("10.00")},
    ]
    # A range that cuts no entry off sums the entries instead, and agrees.
    assert selectors.profit_and_loss(date_from=dt.date(2026, 9, 2), date_to=dt.date(2026, 11, 29)) == whole
    october = selectors.profit_and_loss(date_from=dt.date(2026, 10, 1), date_to=dt.date(2026, 10, 31))
    assert october == [whole[1]]
    assert selectors.profit_and_loss(date_from=dt.date(2026, 10, 2), date_to=dt.date(2026, 10, 31)) == [
        {"month": "2026-10", "income": D("0.00"), "expense": D("499.99"), "profit": D("-499.99")}]
