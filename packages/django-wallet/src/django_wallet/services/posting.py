"""The posting core: every balance change is one balanced transaction posted here.

Accounts are locked with ``SELECT ... FOR UPDATE`` in ascending id order (then holds / credit requests),
funds are checked under those locks, and idempotency keys are backed by a unique constraint so that two
racing identical requests post once. A posting is one call of the ``wallet_post`` SQL function:
one round trip, no ORM compilation; Python validates the input and maps refusals to errors.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import nullcontext
from datetime import datetime
from decimal import Decimal

from django.db import connection
from django.db import transaction as db_transaction
from django.utils import timezone

from forecourt_core.errors import DomainError
from forecourt_core.signals import send_on_commit

from ..errors import (
    AccountFrozen,
    AccountNotFound,
    AlreadyReversed,
    CurrencyMismatch,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidAmount,
)
from ..events import follows_transactions, record_transaction_posted
from ..models import Account, Hold, Transaction
from ..signals import transaction_posted
from . import idempotency

Posting = tuple[int, Decimal]  # (account id, signed amount)


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


_POST_SQL = (
    "SELECT * FROM wallet_post(%s::uuid, %s::text, %s::text, %s::jsonb, %s::text, %s::text, %s::text, %s::uuid,"
    " %s::bigint[], %s::numeric[], %s::timestamptz)"
)


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
    """Post balanced ``postings`` as one transaction. Returns (transaction, created).

    One statement (the ``wallet_post`` SQL function of migration 0005) locks, replays a known key,
    checks and writes; it refuses by returning a code and writing nothing, so it needs no savepoint
    inside a caller's transaction and is a transaction of its own in autocommit.
    """
    metadata = metadata or {}
    fingerprint = "" if idempotency_key is None else idempotency.fingerprint(op, postings, kind, memo, metadata)
    txn = Transaction(kind=kind, memo=memo, metadata=metadata, idempotency_scope=idempotency_scope,
                      idempotency_key=idempotency_key, fingerprint=fingerprint, reverses=reverses,
                      created_at=timezone.now())
    # A followed account's posting and its event commit together (no savepoint: a refusal writes nothing).
    with db_transaction.atomic(savepoint=False) if follows_transactions() else nullcontext():
        with connection.cursor() as cur:
            cur.execute(
                _POST_SQL,
                [txn.pk, kind, memo, json.dumps(metadata), idempotency_scope, idempotency_key, fingerprint,
                 reverses.pk if reverses is not None else None, [a for a, _ in postings],
                 [x for _, x in postings], txn.created_at],
            )
            outcome, transaction_id, code, message, *owners = cur.fetchone()
        if outcome == "posted":
            txn._state.adding, txn._state.db = False, connection.alias
            record_transaction_posted(txn, postings, accounts=zip(*owners, strict=True))
    if outcome == "posted":
        send_on_commit(transaction_posted, sender=Transaction, transaction=txn)
        return txn, True
    if outcome == "replayed" and code is None:
        return Transaction.objects.get(pk=transaction_id), False
    error = refusal(code, message)
    # A replayed refusal is already recorded; a conflict is about the key, not an outcome of it.
    if idempotency_key is not None and outcome == "refused" and not isinstance(error, IdempotencyConflict):
        idempotency.remember_failure(idempotency_scope, idempotency_key, fingerprint, error)
    raise error


_REFUSALS: dict[str, type[DomainError]] = {
    error.code: error
    for error in (AccountNotFound, CurrencyMismatch, AccountFrozen, InsufficientFunds, IdempotencyConflict,
                  AlreadyReversed)
}


def refusal(code: str, message: str | None) -> DomainError:
    if message is not None:  # a recorded refusal, replayed as it was
        return DomainError.for_code(code, message)
    if code == "balance_limit":
        return InvalidAmount("The balance would exceed the storable maximum.")
    return _REFUSALS[code]()
