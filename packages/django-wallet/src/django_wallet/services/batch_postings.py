"""A batch's postings in five statements whatever its size, with the rules of wallet_post (migration 0005).

1. Lock every account of the batch FOR NO KEY UPDATE in ascending id order (the lock and the order of every
   writer), reading its balance, flags and owner.
2. Read the active unexpired holds of those accounts in a statement of its own: under READ COMMITTED
   the locking statement reads with the snapshot taken before it waited for the locks, and a hold
   committed meanwhile does not change the account row, so only a later statement sees it.
3. Read the batch's known keys (transactions and recorded refusals): those items replay.
4. Decide each item in order, in memory, under the locks: a missing account, mixed currencies, a
   frozen account, a debit beyond the available balance (balance - holds) of an account that may not
   overdraw, a balance beyond numeric(18, 2) refuse that item alone; an accepted item's postings move
   the running balances the next items see.
5. Insert the accepted transactions and their entries and store the new balances in one statement.
The statements bind their parameters on the server (``%b``: for a batch's arrays of thousands of values the
client-side quoting cost more than the database's work), through ``cursors.server_cursor``, which prepares
them where the site allows prepared statements.
The database still checks what it always checks: entries balanced at COMMIT, no negative balance
(CHECK), one transaction per key (unique index).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError

from forecourt_core.amounts import MAX_AMOUNT  # what numeric(18, 2) holds

from ..errors import IdempotencyConflict

_LOCK_SQL = (
    "SELECT a.id, a.balance, a.currency, a.status, a.allow_overdraft, a.owner_type_id, a.owner_id"
    " FROM wallet_account a WHERE a.id = ANY(%b::bigint[]) ORDER BY a.id FOR NO KEY UPDATE"
)
_HELD_SQL = (
    "SELECT h.account_id, sum(h.amount) FROM wallet_hold h WHERE h.account_id = ANY(%b::bigint[])"
    " AND h.status = 'active' AND (h.expires_at IS NULL OR h.expires_at > %b) GROUP BY h.account_id"
)
_KNOWN_SQL = (
    "SELECT t.idempotency_key, t.id, t.fingerprint, NULL, NULL FROM wallet_transaction t"
    " WHERE t.idempotency_scope = %b AND t.idempotency_key = ANY(%b::text[])"
    " UNION ALL SELECT f.idempotency_key, NULL, f.fingerprint, f.code, f.message FROM wallet_idempotencyfailure f"
    " WHERE f.idempotency_scope = %b AND f.idempotency_key = ANY(%b::text[])"
)
_WRITE_SQL = (
    "WITH txns AS ("
    " INSERT INTO wallet_transaction"
    " (id, kind, memo, metadata, idempotency_scope, idempotency_key, fingerprint, reverses_id, created_at)"
    " SELECT t.id, t.kind, t.memo, t.metadata, %b, t.key, t.fingerprint, NULL, %b"
    " FROM unnest(%b::uuid[], %b::text[], %b::text[], %b::jsonb[], %b::text[], %b::text[])"
    " AS t(id, kind, memo, metadata, key, fingerprint) RETURNING 1),"
    " entries AS ("
    " INSERT INTO wallet_entry (transaction_id, account_id, amount, balance_after, created_at)"
    " SELECT e.transaction_id, e.account_id, e.amount, e.balance_after, %b"
    " FROM unnest(%b::uuid[], %b::bigint[], %b::numeric[], %b::numeric[]) WITH ORDINALITY"
    " AS e(transaction_id, account_id, amount, balance_after, n) ORDER BY e.n RETURNING 1)"
    " UPDATE wallet_account AS a SET balance = v.balance"
    " FROM unnest(%b::bigint[], %b::numeric[]) AS v(id, balance) WHERE a.id = v.id"
)


@dataclass
class _Account:
    balance: Decimal
    currency: str
    frozen: bool
    overdraft: bool
    owner: tuple
    held: Decimal


def post_rows(cur, *, rows: dict, scope: str, now) -> list[tuple]:
    """Post ``rows`` ({index: (id, kind, memo, metadata json, key, fingerprint, source, destination,
    amount)}); one result per row, in order: (index, outcome, transaction id, code, message, owners)."""
    ids = sorted({r[6] for r in rows.values()} | {r[7] for r in rows.values()})
    cur.execute(_LOCK_SQL, [ids])
    accounts = {row[0]: _Account(row[1], row[2], row[3] == "frozen", row[4], (row[5], row[6]), Decimal(0))
                for row in cur.fetchall()}
    cur.execute(_HELD_SQL, [ids, now])  # after the locks: see holds committed while waiting for them
    for account_id, held in cur.fetchall():
        accounts[account_id].held = held
    keys = [r[4] for r in rows.values()]
    cur.execute(_KNOWN_SQL, [scope, keys, scope, keys])
    known = {}
    for key, txn_id, fingerprint, code, message in cur.fetchall():
        known.setdefault(key, (txn_id, fingerprint, code, message))  # a transaction wins over a refusal
    results, accepted = [], []
    for index, row in rows.items():
        result = _replay(known.get(row[4]), row) or _check(accounts, row)
        if result is None:
            source, destination = accounts[row[6]], accounts[row[7]]
            source.balance -= row[8]
            destination.balance += row[8]
            accepted.append((row, source.balance, destination.balance))
            owners = [(row[6], *source.owner), (row[7], *destination.owner)]
            result = ("posted", row[0], None, None, owners)
        results.append((index, *result))
    if accepted:
        _write(cur, accepted, accounts, scope, now)
    return results


def _replay(found, row) -> tuple | None:
    if found is None:
        return None
    txn_id, fingerprint, code, message = found
    if fingerprint != row[5]:
        return ("refused", None, IdempotencyConflict.code, None, None)
    return ("replayed", txn_id, code, message, None)


def _check(accounts: dict, row) -> tuple | None:
    source, destination, amount = accounts.get(row[6]), accounts.get(row[7]), row[8]
    code = None
    if source is None or destination is None:
        code = "account_not_found"
    elif source.currency != destination.currency:
        code = "currency_mismatch"
    elif source.frozen or destination.frozen:
        code = "account_frozen"
    elif not source.overdraft and source.balance - amount - source.held < 0:
        code = "insufficient_funds"
    elif abs(source.balance - amount) >= MAX_AMOUNT or abs(destination.balance + amount) >= MAX_AMOUNT:
        code = "balance_limit"
    return ("refused", None, code, None, None) if code else None


def _write(cur, accepted: list, accounts: dict, scope: str, now) -> None:
    txns = list(zip(*[(r[0], r[1], r[2], r[3], r[4], r[5]) for r, _, _ in accepted], strict=True))
    entries = []
    for row, source_after, destination_after in accepted:
        entries += [(row[0], row[6], -row[8], source_after), (row[0], row[7], row[8], destination_after)]
    e = list(zip(*entries, strict=True))
    moved = {account_id for _, account_id, _, _ in entries}
    try:
        cur.execute(_WRITE_SQL, [scope, now, *[list(c) for c in txns], now, *[list(c) for c in e],
                                 list(moved), [accounts[pk].balance for pk in moved]])
    except IntegrityError as error:
        # Only a concurrent batch with the same key for other accounts gets here: a key reused.
        if "idempotency" in str(error):
            raise IdempotencyConflict() from None
        raise
