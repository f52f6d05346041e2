"""The posting core: every balance change is one balanced transaction posted here.

Accounts are locked with ``SELECT ... FOR UPDATE`` in ascending id order (then holds / credit requests),
funds are checked under those locks, and idempotency keys are backed by a unique constraint so that two
racing identical requests post once. The path uses a few fixed SQL statements instead of ORM queries:
compiling the ORM's SQL was most of the client CPU per posting.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, connection
from django.db import transaction as db_transaction
from django.utils import timezone

from forecourt_core.errors import DomainError

from ..errors import (
    AccountFrozen,
    AccountNotFound,
    AlreadyReversed,
    CurrencyMismatch,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidAmount,
)
from ..models import Account, Hold, Transaction
from ..signals import send_on_commit, transaction_posted
from . import idempotency

Posting = tuple[int, Decimal]  # (account id, signed amount)
BALANCE_LIMIT = Decimal(10) ** 16  # numeric(18, 2)


def lock_accounts(ids: Iterable[int]) -> dict[int, Account]:
    # ORDER BY id puts the row locks in one global order: no deadlocks between writers.
    rows = Account.objects.raw(
        "SELECT * FROM wallet_account WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [sorted(set(ids))]
    )
    return {a.pk: a for a in rows}


def held_by_account(account_ids: Iterable[int], *, now: datetime | None = None) -> dict[int, Decimal]:
    """Sum of active, unexpired holds per account."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT account_id, SUM(amount) FROM wallet_hold WHERE account_id = ANY(%s) AND status = %s"
            " AND (expires_at IS NULL OR expires_at > %s) GROUP BY account_id",
            [list(account_ids), Hold.Status.ACTIVE, now or timezone.now()],
        )
        return dict(cur.fetchall())


def post(
    *,
    op: str,
    postings: list[Posting],
    kind: str,
    memo: str = "",
    metadata: dict | None = None,
    idempotency_key: str | None = None,
    idempotency_scope: str = "",
    reverses: Transaction | None = None,
) -> tuple[Transaction, bool]:
    """Post balanced ``postings`` as one transaction. Returns (transaction, created)."""
    metadata = metadata or {}
    fingerprint = ""
    if idempotency_key is not None:
        fingerprint = idempotency.fingerprint(op, postings, kind, memo, metadata)
        existing = idempotency.replay(idempotency_scope, idempotency_key, fingerprint)
        if existing is not None:
            return existing, False

    try:
        return _post_new(op=op, postings=postings, kind=kind, memo=memo, metadata=metadata,
                         idempotency_key=idempotency_key, idempotency_scope=idempotency_scope,
                         reverses=reverses, fingerprint=fingerprint)
    except DomainError as error:
        # A conflict is about the key, not an outcome of it: nothing to remember.
        if idempotency_key is not None and not isinstance(error, IdempotencyConflict):
            idempotency.remember_failure(idempotency_scope, idempotency_key, fingerprint, error)
        raise


def _post_new(
    *,
    op: str,
    postings: list[Posting],
    kind: str,
    memo: str,
    metadata: dict,
    idempotency_key: str | None,
    idempotency_scope: str,
    reverses: Transaction | None,
    fingerprint: str,
) -> tuple[Transaction, bool]:
    with db_transaction.atomic():
        # Insert the transaction before taking the row locks: it needs none, and keeping it out of
        # the locked window shortens the time a hot account stays locked.
        txn = Transaction(
            kind=kind,
            memo=memo,
            metadata=metadata,
            idempotency_scope=idempotency_scope,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            reverses=reverses,
        )
        replayed = _insert_transaction(txn)
        if replayed is not None:
            return replayed, False
        accounts = lock_accounts(a for a, _ in postings)
        net = _check_postable(accounts, postings)
        balances_after = []
        for account_id, amount in postings:
            accounts[account_id].balance += amount
            balances_after.append(accounts[account_id].balance)
        _write_entries_and_balances(txn, postings, balances_after, {pk: accounts[pk].balance for pk in net})
        send_on_commit(transaction_posted, Transaction, transaction=txn)
    return txn, True


def _insert_transaction(txn: Transaction) -> Transaction | None:
    """Insert ``txn``; if an identical keyed request committed first, return its transaction instead."""
    if txn.idempotency_key is None and txn.reverses is None:
        txn.save()  # nothing unique to collide on: skip the savepoint's two round trips
        return None
    try:
        # Savepoint: an identical request that committed first makes this insert fail; we then
        # return its transaction instead of moving money twice.
        with db_transaction.atomic():
            txn.save()
    except IntegrityError:
        if txn.idempotency_key is not None:
            existing = idempotency.replay(txn.idempotency_scope, txn.idempotency_key, txn.fingerprint)
            if existing is not None:
                return existing
        if txn.reverses is not None:
            raise AlreadyReversed() from None
        raise
    return None


def _check_postable(accounts: dict[int, Account], postings: list[Posting]) -> dict[int, Decimal]:
    """Refuse the postings on the locked ``accounts`` (missing, mixed currencies, frozen, short of funds,
    beyond the storable balance); return each account's net change."""
    if len(accounts) != len({a for a, _ in postings}):
        raise AccountNotFound()
    if len({a.currency for a in accounts.values()}) > 1:
        raise CurrencyMismatch()
    if any(a.status == Account.Status.FROZEN for a in accounts.values()):
        raise AccountFrozen()
    net: dict[int, Decimal] = defaultdict(Decimal)
    for account_id, amount in postings:
        net[account_id] += amount
    debited = [pk for pk, x in net.items() if x < 0 and not accounts[pk].allow_overdraft]
    held = held_by_account(debited) if debited else {}
    for pk in debited:
        if accounts[pk].balance + net[pk] - held.get(pk, Decimal(0)) < 0:
            raise InsufficientFunds()
    if any(abs(accounts[pk].balance + x) >= BALANCE_LIMIT for pk, x in net.items()):
        raise InvalidAmount("The balance would exceed the storable maximum.")
    return net


def _write_entries_and_balances(
    txn: Transaction, postings: list[Posting], balances_after: list[Decimal], balances: dict[int, Decimal]
) -> None:
    """Insert the entries and store the new balances in one statement (one round trip under the locks).

    UPDATE ... FROM unnest is linear in the number of accounts (bulk_update's CASE is quadratic).
    """
    with connection.cursor() as cur:
        cur.execute(
            "WITH entries AS ("
            " INSERT INTO wallet_entry (transaction_id, account_id, amount, balance_after, created_at)"
            " SELECT %s, e.account_id, e.amount, e.balance_after, %s"
            " FROM unnest(%s::bigint[], %s::numeric[], %s::numeric[]) WITH ORDINALITY"
            " AS e(account_id, amount, balance_after, n) ORDER BY e.n RETURNING 1)"
            " UPDATE wallet_account AS a SET balance = v.balance"
            " FROM unnest(%s::bigint[], %s::numeric[]) AS v(id, balance) WHERE a.id = v.id",
            [
                txn.pk,
                txn.created_at,
                [a for a, _ in postings],
                [x for _, x in postings],
                balances_after,
                list(balances),
                list(balances.values()),
            ],
        )
