"""The database itself refuses unbalanced, edited, deleted and back-dated entries (raw SQL included)."""
import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django_books import services
from django_books.models import JournalEntry, JournalLine

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal
DAY = dt.date(2026, 11, 10)
NEW_ENTRY = "INSERT INTO books_journalentry (date, memo, created_at) VALUES (%s, '', now()) RETURNING id"


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() if cursor.description else None


def _entry():
    entry, _ = services.entry_post(date=DAY, memo="sale", lines=[
        services.debit("cash", D("100.00")), services.credit("other_income", D("100.00"))])
    return entry


def test_an_unbalanced_raw_insert_fails_at_commit():
    services.chart_ensure()
    cash, income = (services.account_by_role(r).pk for r in ("cash", "other_income"))
    with pytest.raises(IntegrityError, match="sum to 5.00, not 0"), transaction.atomic():
        (entry_id,) = _raw(NEW_ENTRY, [DAY])
        _raw("INSERT INTO books_journalline (entry_id, account_id, amount, date, memo, source_type, source_id)"
             " VALUES (%s, %s, 105, %s, '', '', ''), (%s, %s, -100, %s, '', '', '')",
             [entry_id, cash, DAY, entry_id, income, DAY])
    assert not JournalEntry.objects.exists() and not JournalLine.objects.exists()


def test_an_entry_without_lines_fails_at_commit():
    with pytest.raises(IntegrityError, match="has no lines"), transaction.atomic():
        _raw("INSERT INTO books_journalentry (date, memo, created_at) VALUES (%s, '', now())", [DAY])
    assert not JournalEntry.objects.exists()


def test_a_line_dated_unlike_its_entry_fails_at_commit():
    services.chart_ensure()
    cash, income = (services.account_by_role(r).pk for r in ("cash", "other_income"))
    with pytest.raises(IntegrityError, match="not dated as its entry"), transaction.atomic():
        (entry_id,) = _raw(NEW_ENTRY, [DAY])
        _raw("INSERT INTO books_journalline (entry_id, account_id, amount, date, memo, source_type, source_id)"
             " VALUES (%s, %s, 100, %s, '', '', ''), (%s, %s, -100, %s, '', '', '')",
             [entry_id, cash, DAY, entry_id, income, DAY - dt.timedelta(days=40)])


@pytest.mark.parametrize("sql", [
    "UPDATE books_journalline SET amount = amount * 2",
    "UPDATE books_journalentry SET date = date - 1",
    "DELETE FROM books_journalline",
    "DELETE FROM books_journalentry",
    "TRUNCATE books_journalline CASCADE",
    "TRUNCATE books_journalentry CASCADE",
])
def test_edits_and_deletes_are_refused(sql):
    entry = _entry()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw(sql)
    assert sorted(entry.lines.values_list("amount", flat=True)) == [D("-100.00"), D("100.00")]
    assert JournalEntry.objects.get().date == DAY


def test_orm_save_of_an_existing_line_is_refused():
    line = _entry().lines.first()
    line.amount = D("1.00")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        line.save()


def test_a_closed_period_refuses_a_raw_insert_and_stays_closed():
    services.chart_ensure()
    services.period_close(through=dt.date(2026, 10, 31))
    with pytest.raises(IntegrityError, match="closed through 2026-10-31"), transaction.atomic():
        _raw("INSERT INTO books_journalentry (date, memo, created_at) VALUES ('2026-10-15', '', now())")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw("DELETE FROM books_periodclose")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw("UPDATE books_periodclose SET closed_through = '2026-01-01'")


def test_the_invoice_counter_only_counts_up_by_one(paying_customer):
    services.sale_post(key="sale:1", gross=D("1200.00"), sold_on=DAY, description="car", source_type="sale",
                       source_id=1, paid_into="cash")
    for sql in ("UPDATE books_invoicecounter SET last_number = 0", "UPDATE books_invoicecounter SET last_number = 5",
                "DELETE FROM books_invoicecounter"):
        with pytest.raises(DatabaseError, match="counts up by one"), transaction.atomic():
            _raw(sql)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw("UPDATE books_vehiclesale SET gross = 1")
