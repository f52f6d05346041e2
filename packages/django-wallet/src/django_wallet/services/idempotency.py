"""Idempotency keys: a key's earlier outcome (its transaction or its refusal) is replayed, never redone."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from forecourt_core.errors import DomainError

from ..errors import IdempotencyConflict
from ..models import IdempotencyFailure, Transaction

# What json.dumps(..., sort_keys=True, default=str) would build on every call, built once.
_CANONICAL = json.JSONEncoder(sort_keys=True, default=str)


def fingerprint(op: str, postings: list[tuple[int, Decimal]], kind: str, memo: str, metadata: dict) -> str:
    body = _CANONICAL.encode(
        {"op": op, "postings": [[a, str(x)] for a, x in postings], "kind": kind, "memo": memo, "metadata": metadata}
    )
    return hashlib.sha256(body.encode()).hexdigest()


# Stand for the account ids in ``fingerprint_parts``' text: JSON strings of a control character, which no
# memo or metadata value encodes to (it would be escaped inside a string of its own).
_SOURCE, _DESTINATION = "\x00source", "\x00destination"


def fingerprint_parts(op: str, amount: Decimal, kind: str, memo: str, metadata: dict) -> list[str]:
    """``fingerprint``'s canonical text for a posting of ``amount`` from one account to another, in three
    parts around the two account ids: for SQL that knows the ids (``part0 || source || part1 || destination
    || part2``, hashed with sha256, is the fingerprint)."""
    body = _CANONICAL.encode({"op": op, "postings": [[_SOURCE, str(-amount)], [_DESTINATION, str(amount)]],
                              "kind": kind, "memo": memo, "metadata": metadata})
    head, rest = body.split(_CANONICAL.encode(_SOURCE))
    middle, tail = rest.split(_CANONICAL.encode(_DESTINATION))
    return [head, middle, tail]


def replay(scope: str, key: str, fingerprint: str) -> Transaction | None:
    """The key's earlier outcome: its transaction, or its refusal raised again (None if the key is new)."""
    existing = Transaction.objects.filter(idempotency_scope=scope, idempotency_key=key).first()
    if existing is None:
        existing = IdempotencyFailure.objects.filter(idempotency_scope=scope, idempotency_key=key).first()
    if existing is not None and existing.fingerprint != fingerprint:
        raise IdempotencyConflict()
    if isinstance(existing, IdempotencyFailure):
        raise DomainError.for_code(existing.code, existing.message)
    return existing


def remember_failure(scope: str, key: str, fingerprint: str, error: DomainError) -> None:
    # ON CONFLICT DO NOTHING: two identical requests refused at once record one failure, and a
    # savepoint would cost a round trip for nothing.
    IdempotencyFailure.objects.bulk_create(
        [IdempotencyFailure(idempotency_scope=scope, idempotency_key=key, fingerprint=fingerprint,
                            code=error.code, message=error.message[:500])],
        ignore_conflicts=True,
    )
