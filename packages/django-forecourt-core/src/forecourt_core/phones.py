"""Phone numbers: the one parser every package uses, over the `phonenumbers` library.

A number with its country code (``+44 7400 123456``) is read as written. A local one (``07400 123456``)
is read in the region of whoever runs the code: the callable named by ``FORECOURT_PHONE_REGION_HOOK``
decides first (a site answers, say, the current dealership's region), else the deployment's
``FORECOURT_PHONE_REGION`` (an ISO 3166 code such as ``"GB"``; unset: only numbers with their country
code are accepted). The result is E.164 (``+447400123456``), one spelling per number.
"""
from __future__ import annotations

import functools

import phonenumbers
from django.conf import settings
from django.utils.module_loading import import_string

MAX_LENGTH = 64


class InvalidPhone(ValueError):
    """Not a phone number (each package raises its own ``invalid_phone`` error from this)."""


def phone_region() -> str | None:
    """The region local numbers are read in now: the hook's answer, else FORECOURT_PHONE_REGION."""
    hook = getattr(settings, "FORECOURT_PHONE_REGION_HOOK", None)
    region = import_string(hook)() if hook else None
    return region or getattr(settings, "FORECOURT_PHONE_REGION", None) or None


def normalize_phone(raw, *, region: str | None = None) -> str:
    """``raw`` in E.164, read in ``region`` (default ``phone_region()``) when written locally; else InvalidPhone."""
    if not isinstance(raw, str) or not raw.strip() or len(raw) > MAX_LENGTH:
        raise InvalidPhone(raw)
    e164 = _e164(raw, region or phone_region())
    if e164 is None:
        raise InvalidPhone(raw)
    return e164


@functools.lru_cache(maxsize=4096)
def _e164(raw: str, region: str | None) -> str | None:
    # A pure function of its arguments (and the library's metadata), and parsing is most of a number's
    # cost: a seller's repeated numbers are parsed once per process.
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
