"""The ``Idempotency-Key`` header: one parser for every endpoint that takes one.

A key is the header's value with surrounding whitespace removed: 1 to 255 printable ASCII
characters (``!`` to ``~`` and the space). A header that is absent gives ``None``: whether a key is
required is the endpoint's decision (``require_idempotency_key``). A header that is present but
empty, too long or not printable ASCII is refused with ``invalid_idempotency_key``.
"""
from __future__ import annotations

import re

from .errors import IdempotencyKeyRequired, InvalidIdempotencyKey

HEADER = "Idempotency-Key"
MAX_LENGTH = 255
_KEY_RE = re.compile(rf"[\x20-\x7e]{{1,{MAX_LENGTH}}}")


def parse_idempotency_key(headers) -> str | None:
    """The key from ``headers`` (``request.headers`` of Django or DRF), ``None`` when absent."""
    raw = headers.get(HEADER)
    if raw is None:
        return None
    key = raw.strip()
    if not _KEY_RE.fullmatch(key):
        raise InvalidIdempotencyKey()
    return key


def require_idempotency_key(headers) -> str:
    """The key from ``headers``; an absent header is refused with ``idempotency_key_required``."""
    key = parse_idempotency_key(headers)
    if key is None:
        raise IdempotencyKeyRequired()
    return key
