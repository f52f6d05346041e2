"""The posting core: every balance change is one balanced transaction posted here.

Accounts are locked (``FOR NO KEY UPDATE``, everywhere) in ascending id order (then
holds / credit requests), funds are checked under those locks, and idempotency keys are backed by a unique
constraint so that two racing identical requests post once. A posting is one call of the ``wallet_post`` SQL function:
one round trip, no ORM compilation; Python validates the input and maps refusals to errors.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from datetime import datetime
from decimal import Decimal

from django.db import connection
from django.db import transaction as db_transaction
from django.utils import timezone

from forecourt_core.errors import DomainError
from forecourt_core.rows import stored
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
from .cursors import prepares, server_cursor

Posting = tuple[int, Decimal]  # (account id, signed amount)


def lock_accounts(ids: Iterable[int]) -> dict[int, Account]:
    # ORDER BY id puts the row locks in one global order: no deadlocks between writers. NO KEY UPDATE, as
    # wallet_post's: no service changes an account's key, and a foreign-key check's KEY SHARE on an account
    # (taken at the COMMIT of a row that references it) must not wait for these locks.
    rows = Account.objects.raw(
        "SELECT * FROM wallet_account WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE", [sorted(set(ids))]
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


_POST_CALL = (
    " FROM wallet_post(%s::uuid, %s::text, %s::text, %s::jsonb, %s::text, %s::text, %s::text, %s::uuid,"
    " %s::bigint[], %s::numeric[], %s::timestamptz)"
)


@functools.cache
def _post_sql(placeholder: str = "%s", *, with_owners: bool = False) -> str:
    """The posting's statement, its parameters written as ``placeholder`` (``%s``, or ``%b`` for binary ones)."""
    # The owners' columns are read only when a site follows some owners: three arrays fewer to parse. Named, not
    # ``*``: a prepared statement's result type is fixed (cursors.py).
    columns = "SELECT outcome, transaction_id, code, message" + (", account_ids, owner_type_ids, owner_ids"
                                                                  if with_owners else "")
    return columns + _POST_CALL.replace("%s", placeholder)


def fetch_one(sql: Callable[[str], str], params: list) -> tuple:
    """The one row of the statement ``sql(placeholder)`` with ``params``: prepared on its connection where the
    site allows prepared statements (``cursors.server_cursor``), else bound by the client.

    Prepared, the statement is parsed, analysed and planned once per connection (PostgreSQL plans it again
    itself when search_path changes) and its arguments are sent in binary, without quoting in Python.
    """
    with connection.cursor() as cur:  # django-tenants sets the schema's search_path here
        if not prepares():
            cur.execute(sql("%s"), params)
            return cur.fetchone()
    with server_cursor() as cur:
        cur.execute(sql("%b"), params)
        return cur.fetchone()


def _array_literal(values: Iterable[int | Decimal]) -> str:
    """Ids or amounts as one PostgreSQL array literal (``{1,2}``), bound as a single text parameter.

    psycopg adapts a list element by element (bound by the client or, prepared, by PostgreSQL), most of a
    posting's client work; an int or a Decimal has one exact text form, so one string does it.
    """
    return "{" + ",".join(map(str, values)) + "}"


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
    transaction_id: uuid.UUID | None = None,
) -> tuple[Transaction, bool]:
    """Post balanced ``postings`` as one transaction. Returns (transaction, created).

    ``transaction_id``: the new transaction's id, when the caller has already written rows that refer to it
    (the foreign keys are checked at COMMIT), so the posting, which takes the accounts' row locks, can be its
    last statement. A replay returns the original transaction, whose id differs.

    One statement (the ``wallet_post`` SQL function of migration 0005) locks, replays a known key,
    checks and writes; it refuses by returning a code and writing nothing, so it needs no savepoint
    inside a caller's transaction and is a transaction of its own in autocommit.
    """
    metadata = metadata or {}
    fingerprint = "" if idempotency_key is None else idempotency.fingerprint(op, postings, kind, memo, metadata)
    # Positional, in the model's field order (id, kind, memo, metadata, scope, key, fingerprint, reverses_id,
    # created_at): Model.__init__'s fast path, no keyword matching. A test checks it against the stored row.
    txn = Transaction(transaction_id or uuid.uuid4(), kind, memo, metadata, idempotency_scope, idempotency_key,
                      fingerprint, reverses.pk if reverses is not None else None, timezone.now())
    following = follows_transactions()
    # A followed account's posting and its event commit together (no savepoint: a refusal writes nothing).
    with db_transaction.atomic(savepoint=False) if following else nullcontext():
        outcome, transaction_id, code, message, *owners = _call_post(txn, postings, with_owners=following)
        if outcome == "posted":
            stored(txn)
            if following:
                record_transaction_posted(txn, postings, accounts=zip(*owners, strict=True))
    if outcome == "posted":
        if reverses is not None:
            txn.reverses = reverses
        send_on_commit(transaction_posted, sender=Transaction, transaction=txn)
        return txn, True
    if outcome == "replayed" and code is None:
        return Transaction.objects.get(pk=transaction_id), False
    raise refused(outcome, code, message, txn)


def refused(outcome: str, code: str, message: str | None, txn: Transaction) -> DomainError:
    """The error of ``wallet_post``'s refusal of ``txn``, its key's failure recorded when it is a new one."""
    error = refusal(code, message)
    # A replayed refusal is already recorded; a conflict is about the key, not an outcome of it.
    if txn.idempotency_key is not None and outcome == "refused" and not isinstance(error, IdempotencyConflict):
        idempotency.remember_failure(txn.idempotency_scope, txn.idempotency_key, txn.fingerprint, error)
    return error


def _call_post(txn: Transaction, postings: list[Posting], *, with_owners: bool) -> tuple:
    return fetch_one(
        functools.partial(_post_sql, with_owners=with_owners),
        [txn.id, txn.kind, txn.memo, json.dumps(txn.metadata), txn.idempotency_scope, txn.idempotency_key,
         txn.fingerprint, txn.reverses_id, _array_literal(a for a, _ in postings),
         _array_literal(x for _, x in postings), txn.created_at],
    )


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
