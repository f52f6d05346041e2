"""The database itself refuses edits and unbalanced postings (raw SQL, committed data)."""

import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, ProgrammingError, connection
from django.db import transaction as db_transaction

from django_wallet import services
from django_wallet.models import Entry

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


@pytest.fixture
def posted(funded):
    a, b = funded("10.00"), funded("0")
    return services.transfer(source=a, destination=b, amount=D("3")), a, b


def _raw(sql, params=()):
    with db_transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE wallet_entry SET amount = amount * 2",
        "UPDATE wallet_entry SET balance_after = 0 WHERE id = (SELECT min(id) FROM wallet_entry)",
        "DELETE FROM wallet_entry",
        "TRUNCATE wallet_entry CASCADE",
        "UPDATE wallet_transaction SET memo = 'edited'",
        "DELETE FROM wallet_transaction",
        "TRUNCATE wallet_transaction CASCADE",
    ],
)
def test_raw_sql_edits_refused(posted, sql):
    txn, a, b = posted
    before = list(Entry.objects.order_by("id").values_list("id", "amount", "balance_after"))
    with pytest.raises(IntegrityError, match="append-only"):
        _raw(sql)
    assert list(Entry.objects.order_by("id").values_list("id", "amount", "balance_after")) == before
    assert services.verify_ledger().ok


def test_unbalanced_raw_insert_fails_at_commit(posted):
    txn, a, b = posted
    with connection.cursor() as cur:
        with pytest.raises(IntegrityError) as exc, db_transaction.atomic():
            cur.execute(
                "INSERT INTO wallet_entry (transaction_id, account_id, amount, balance_after, created_at)"
                " VALUES (%s, %s, 5, 5, now())",
                [txn.pk, a.pk],
            )
            # Accepted until COMMIT: the check is deferred.
        assert exc.value.__cause__.sqlstate == "23514"
        # A new unbalanced transaction fails too, a balanced one commits.
        new_id = uuid.uuid4()
        with pytest.raises(IntegrityError), db_transaction.atomic():
            cur.execute(
                "INSERT INTO wallet_transaction (id, kind, memo, metadata, idempotency_scope, fingerprint, created_at)"
                " VALUES (%s, 'raw', '', '{}', '', '', now())",
                [new_id],
            )
            cur.execute(
                "INSERT INTO wallet_entry (transaction_id, account_id, amount, balance_after, created_at)"
                " VALUES (%s, %s, 1, 0, now()), (%s, %s, -2, 0, now())",
                [new_id, a.pk, new_id, b.pk],
            )
    assert Entry.objects.count() == 4  # the deposit's two and the transfer's two
    assert services.verify_ledger().ok


def _raw_entries(cur, rows):
    cur.execute(
        "INSERT INTO wallet_entry (transaction_id, account_id, amount, balance_after, created_at) VALUES "
        + ", ".join(["(%s, %s, %s, 0, now())"] * len(rows)),
        [value for row in rows for value in row],
    )


def _raw_transaction(cur):
    new_id = uuid.uuid4()
    cur.execute(
        "INSERT INTO wallet_transaction (id, kind, memo, metadata, idempotency_scope, fingerprint, created_at)"
        " VALUES (%s, 'raw', '', '{}', '', '', now())",
        [new_id],
    )
    return new_id


def test_entry_added_after_a_checked_sum_is_checked_again(posted):
    """An entry inserted after a transaction's check (here forced early with SET CONSTRAINTS IMMEDIATE) is its
    highest id, so its own check at COMMIT sums the transaction again, the entries already checked included."""
    txn, a, b = posted
    with connection.cursor() as cur:
        with pytest.raises(IntegrityError) as exc, db_transaction.atomic():
            new_id = _raw_transaction(cur)
            _raw_entries(cur, [(new_id, a.pk, 1), (new_id, b.pk, -1)])
            cur.execute("SET CONSTRAINTS wallet_entry_balanced IMMEDIATE")  # checked now: balanced
            cur.execute("SET CONSTRAINTS wallet_entry_balanced DEFERRED")
            _raw_entries(cur, [(new_id, a.pk, 4)])
        assert exc.value.__cause__.sqlstate == "23514"
        # Balanced again by a later statement: commits.
        with db_transaction.atomic():
            new_id = _raw_transaction(cur)
            _raw_entries(cur, [(new_id, a.pk, 1), (new_id, b.pk, -1)])
            cur.execute("SET CONSTRAINTS wallet_entry_balanced IMMEDIATE")
            cur.execute("SET CONSTRAINTS wallet_entry_balanced DEFERRED")
            _raw_entries(cur, [(new_id, a.pk, 4), (new_id, b.pk, -4)])
    assert Entry.objects.filter(transaction_id=new_id).count() == 4


def test_unbalanced_transactions_interleaved_in_one_commit_fail(posted):
    """Entries of two transactions inserted alternately: each transaction's sum is checked, whatever the order."""
    txn, a, b = posted
    with connection.cursor() as cur, pytest.raises(IntegrityError) as exc, db_transaction.atomic():
        first, second = _raw_transaction(cur), _raw_transaction(cur)
        _raw_entries(cur, [(first, a.pk, 1), (second, a.pk, 2), (first, b.pk, -1), (second, b.pk, -3)])
    assert exc.value.__cause__.sqlstate == "23514"
    assert services.verify_ledger().ok


@pytest.mark.parametrize("unbalanced", ["first", "second"])
def test_either_of_two_interleaved_transactions_unbalanced_fails(posted, unbalanced):
    """Entries of two transactions inserted alternately, one of them unbalanced: each is summed at COMMIT."""
    txn, a, b = posted
    with connection.cursor() as cur, pytest.raises(IntegrityError) as exc, db_transaction.atomic():
        first, second = _raw_transaction(cur), _raw_transaction(cur)
        off = {"first": (-2, -3), "second": (-1, -4)}[unbalanced]
        _raw_entries(cur, [(first, a.pk, 1), (second, a.pk, 3), (first, b.pk, off[0]), (second, b.pk, off[1])])
    assert exc.value.__cause__.sqlstate == "23514"
    assert services.verify_ledger().ok


@pytest.mark.parametrize(
    "setting, value",
    [
        ("wallet.balanced_upto", "{txn}:9223372036854775807"),
        ("wallet.balanced_upto", "{txn}:0"),
        ("wallet.allow_truncate", "on"),
        ("wallet.anything", "on"),
    ],
)
def test_no_session_setting_lets_an_unbalanced_transaction_commit(posted, setting, value):
    """The balance check reads no setting a session may set: an unbalanced transaction fails at COMMIT."""
    txn, a, b = posted
    with connection.cursor() as cur:
        with pytest.raises(IntegrityError) as exc, db_transaction.atomic():
            new_id = _raw_transaction(cur)
            cur.execute("SELECT set_config(%s, %s, true)", [setting, value.format(txn=new_id)])
            _raw_entries(cur, [(new_id, a.pk, 4), (new_id, b.pk, -1)])
            cur.execute("SELECT set_config(%s, %s, true)", [setting, value.format(txn=new_id)])
        assert exc.value.__cause__.sqlstate == "23514"
        # The same after the transaction was checked balanced early, then unbalanced by a later entry.
        with pytest.raises(IntegrityError) as exc, db_transaction.atomic():
            new_id = _raw_transaction(cur)
            _raw_entries(cur, [(new_id, a.pk, 1), (new_id, b.pk, -1)])
            cur.execute("SET CONSTRAINTS wallet_entry_balanced IMMEDIATE")
            cur.execute("SET CONSTRAINTS wallet_entry_balanced DEFERRED")
            cur.execute("SELECT set_config(%s, %s, true)", [setting, value.format(txn=new_id)])
            _raw_entries(cur, [(new_id, a.pk, 4)])
        assert exc.value.__cause__.sqlstate == "23514"
    assert Entry.objects.count() == 4  # the deposit's two and the transfer's two
    assert services.verify_ledger().ok


def test_negative_balance_refused_by_check(posted):
    txn, a, b = posted
    with pytest.raises(IntegrityError, match="wallet_account_no_overdraft"):
        _raw("UPDATE wallet_account SET balance = -1 WHERE id = %s", [a.pk])


def test_verify_reports_drift(posted):
    """Injected drift (a cache edited behind the service's back) is reported."""
    txn, a, b = posted
    _raw("UPDATE wallet_account SET balance = balance + 1 WHERE id = %s", [b.pk])
    report = services.verify_ledger()
    assert not report.ok
    assert [(m["kind"], m["account"]) for m in report.mismatches] == [("balance_mismatch", b.pk)]


@pytest.mark.parametrize("entry_id", [-1, 0, 10**12])
def test_an_entry_with_an_id_of_its_own_is_refused(posted, entry_id):
    """Only the identity sequence numbers entries, so no entry can sit below a transaction's checked
    highest id: an entry of +4 with a chosen id would otherwise commit unbalanced, unsummed."""
    txn, a, b = posted
    with connection.cursor() as cur, pytest.raises(ProgrammingError) as exc, db_transaction.atomic():
        cur.execute(
            "INSERT INTO wallet_entry (id, transaction_id, account_id, amount, balance_after, created_at)"
            " VALUES (%s, %s, %s, 4, 0, now())",
            [entry_id, txn.pk, a.pk],
        )
    assert exc.value.__cause__.sqlstate == "428C9"  # generated_always
    assert Entry.objects.count() == 4
    assert services.verify_ledger().ok
