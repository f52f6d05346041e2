"""The ``Idempotency-Key`` header: one parser for every endpoint that takes one.

A key is the header's value with surrounding whitespace removed: 1 to 255 printable ASCII
characters (``!`` to ``~`` and the space). A header that is absent gives ``None``: whether a key is
required is the endpoint's decision (``require_idempotency_key``). A header that is present but
empty, too long or not printable ASCII is refused with ``invalid_idempotency_key``.

A page form that moves money carries the same kind of key as a one-time token: ``{% one_time_key %}`` (the
``forecourt`` template tags) renders a hidden field with a fresh key on every page, and the view passes
``form_idempotency_key(request.POST)`` to the service, so a double submit posts once and the second one gets
the first outcome.
"""
from __future__ import annotations

import re
import uuid

from .errors import IdempotencyKeyRequired, InvalidIdempotencyKey

HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"
MAX_LENGTH = 255
_KEY_RE = re.compile(rf"[\x20-\x7e]{{1,{MAX_LENGTH}}}")


def parse_idempotency_key(headers) -> str | None:
    """The key from ``headers`` (``request.headers`` of Django or DRF), ``None`` when absent."""
    raw = headers.get(HEADER)
    if raw is None:
        return None
    return _checked(raw)


def _checked(raw: str) -> str:
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


def new_form_key() -> str:
    """A fresh one-time key for a page form's ``FORM_FIELD``."""
    return uuid.uuid4().hex


def form_idempotency_key(data) -> str | None:
    """The one-time key a form posted (``request.POST``), ``None`` when it sent none; a bad one is refused
    like a bad header."""
    raw = data.get(FORM_FIELD)
    return _checked(raw) if raw else None
