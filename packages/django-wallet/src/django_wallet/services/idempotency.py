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
