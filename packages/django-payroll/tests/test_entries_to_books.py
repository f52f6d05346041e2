"""Migration 0005 copies the income and expense list into django-books, every figure kept, before 0006
drops payroll's tables: migrating forward from the old schema in one go copies first."""
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

D = Decimal
BEFORE = [("payroll", "0004_run_wallet_transaction_uuid"), ("books", "0002_invariants")]
AFTER = [("payroll", "0006_remove_income_and_expenses")]
# (category code, kind, amount, booked_on, description, source_type, source_id)
ENTRIES = [
    ("car_sales", "income", "12000.00", dt.date(2026, 10, 3), "Car sale #4", "car_sale", "car:4"),
    ("car_sales", "income", "9000.00", dt.date(2026, 10, 9), "Offline sale, lead #7", "car_sale", "lead:2"),
    ("commissions", "expense", "250.00", dt.date(2026, 10, 9), "Commission", "commission",
     "3f1c0a52-0000-4000-8000-000000000001"),
    ("payroll", "expense", "5400.55", dt.date(2026, 10, 31), "Payroll 2026-10 (regular)", "payroll_run", "1"),
    ("a_very_long_category_code_for_detailing", "income", "80.10", dt.date(2026, 11, 2), "Detailing", "", ""),
    ("rent", "expense", "1500.00", dt.date(2026, 11, 1), "Showroom rent", "", ""),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_the_copy_into_the_books_keeps_every_figure():
    _migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            for code in dict.fromkeys(e[0] for e in ENTRIES):
                kind = next(e[1] for e in ENTRIES if e[0] == code)
                cursor.execute("INSERT INTO payroll_category (code, name, kind) VALUES (%s, %s, %s)",
                               [code, code.replace("_", " ").capitalize(), kind])
            for code, kind, amount, day, memo, source_type, source_id in ENTRIES:
                cursor.execute(
                    "INSERT INTO payroll_entry (category_id, kind, amount, booked_on, description, source_type,"
                    " source_id, created_at) SELECT id, %s, %s, %s, %s, %s, %s, now() FROM payroll_category"
                    " WHERE code = %s", [kind, D(amount), day, memo, source_type, source_id, code])
            cursor.execute("SELECT id FROM payroll_entry WHERE source_type = '' ORDER BY id")
            manual_ids = [row[0] for row in cursor.fetchall()]
        _migrate(AFTER)
        assert not {"payroll_entry", "payroll_category", "payroll_monthlytotal"} & set(
            connection.introspection.table_names())
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from django_books import selectors
    from django_books.models import JournalEntry, LedgerAccount

    assert JournalEntry.objects.count() == len(ENTRIES)
    for code, kind, amount, day, memo, _source_type, _source_id in ENTRIES:
        account = LedgerAccount.objects.get(name=code.replace("_", " ").capitalize())
        assert account.type == kind and account.code.startswith("P-")
        (line,) = account.lines.filter(memo=memo)
        assert (line.date, line.amount) == (day, -D(amount) if kind == "income" else D(amount))
        assert (line.source_type, line.source_id) != ("", "")
    assert set(JournalEntry.objects.values_list("key", flat=True)) == {
        "car-sale:4", "lead-sale:2", "commission-paid:3f1c0a52-0000-4000-8000-000000000001", "payroll-run:1",
        *(f"payroll-entry:{pk}" for pk in manual_ids)}
    pnl = selectors.profit_and_loss()
    assert pnl["total_income"] == D("21080.10") and pnl["total_expenses"] == D("7150.55")
    assert selectors.trial_balance()["difference"] == 0
    assert selectors.balance_sheet()["difference"] == 0
    # The other side of each entry: debited with every income, credited with every expense.
    migrated = LedgerAccount.objects.get(role="migrated_balance")
    assert migrated.type == "equity" and sum(migrated.lines.values_list("amount", flat=True)) == D("13929.55")


@pytest.mark.django_db
def test_an_empty_list_copies_nothing():
    """Every new schema: the migration writes no row (so its recorded SQL may be replayed)."""
    from django_books.models import JournalEntry, LedgerAccount

    assert not JournalEntry.objects.exists()
    assert not LedgerAccount.objects.filter(role="migrated_balance").exists()


def _write_entries(rows):
    """Categories and entries as payroll's code wrote them (raw SQL: the models are gone)."""
    with connection.cursor() as cursor:
        for code, kind, *_ in rows:
            cursor.execute("INSERT INTO payroll_category (code, name, kind) SELECT %s, %s, %s WHERE NOT EXISTS"
                           " (SELECT 1 FROM payroll_category WHERE code = %s)",
                           [code, code.replace("_", " ").capitalize(), kind, code])
        for code, kind, amount, day, memo, source_type, source_id in rows:
            cursor.execute(
                "INSERT INTO payroll_entry (category_id, kind, amount, booked_on, description, source_type,"
                " source_id, created_at) SELECT id, %s, %s, %s, %s, %s, %s, now() FROM payroll_category"
                " WHERE code = %s", [kind, D(amount), day, memo, source_type, source_id, code])


def _books_post_run(run_id, amount, day):
    """A paid run as the books post it themselves (salary expense against the bank), keyed by the run."""
    from django_books.models import AccountType, LedgerAccount
    from django_books.services.journal import credit, debit, entry_post

    salaries, _ = LedgerAccount.objects.get_or_create(code="T-5100", defaults={"name": "Salaries",
                                                                               "type": AccountType.EXPENSE})
    bank, _ = LedgerAccount.objects.get_or_create(code="T-1000", defaults={"name": "Bank", "type": AccountType.ASSET})
    entry_post(date=day, key=f"payroll-run:{run_id}", memo=f"Run {run_id}",
               lines=[debit(salaries, amount), credit(bank, amount)])


# Written before 0005 ran (run 1 already posted by the books), then after it by the code of the time.
EARLIER = [
    ("car_sales", "income", "12000.00", dt.date(2026, 10, 3), "Car sale #4", "car_sale", "car:4"),
    ("payroll", "expense", "5400.55", dt.date(2026, 10, 31), "Payroll 2026-10 (regular)", "payroll_run", "1"),
    ("rent", "expense", "1500.00", dt.date(2026, 11, 1), "Showroom rent", "", ""),
]
LATER = [
    ("car_sales", "income", "7000.00", dt.date(2026, 11, 20), "Car sale #5", "car_sale", "car:5"),
    ("payroll", "expense", "5100.00", dt.date(2026, 11, 30), "Payroll 2026-11 (regular)", "payroll_run", "2"),
    ("rent", "expense", "1500.00", dt.date(2026, 12, 1), "Showroom rent December", "", ""),
    ("parts", "expense", "300.00", dt.date(2026, 12, 2), "Brake pads", "", ""),
]


@pytest.mark.django_db(transaction=True)
def test_entries_written_after_0005_are_copied_before_0006_drops_them():
    _migrate(BEFORE)
    try:
        _write_entries(EARLIER)
        _books_post_run(1, D("5400.55"), dt.date(2026, 10, 31))
        _migrate([("payroll", "0005_entries_to_books")])
        _write_entries(LATER)
        _books_post_run(2, D("5100.00"), dt.date(2026, 11, 30))
        _migrate(AFTER)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from django_books import selectors
    from django_books.models import JournalEntry, JournalLine, LedgerAccount

    copied = [e for e in EARLIER + LATER if e[5] != "payroll_run"]
    keys = list(JournalEntry.objects.values_list("key", flat=True))
    assert len(keys) == len(copied) + 2 and len(set(keys)) == len(keys)
    assert {"car-sale:4", "car-sale:5", "payroll-run:1", "payroll-run:2"} <= set(keys)
    for code, kind, amount, day, memo, _source_type, _source_id in copied:
        account = LedgerAccount.objects.get(name=code.replace("_", " ").capitalize())
        (line,) = account.lines.filter(memo=memo)
        assert (line.date, line.amount) == (day, -D(amount) if kind == "income" else D(amount))
        assert line.entry.lines.count() == 2
    # The paid runs keep the books' own entries, their lines untouched; payroll's copy of them is not booked.
    for run_id in (1, 2):
        assert JournalLine.objects.filter(entry__key=f"payroll-run:{run_id}").count() == 2
    assert not LedgerAccount.objects.get(code="P-payroll").lines.exists()
    pnl = selectors.profit_and_loss()
    assert pnl["total_income"] == D("19000.00") and pnl["total_expenses"] == D("13800.55")
    assert selectors.trial_balance()["difference"] == 0
