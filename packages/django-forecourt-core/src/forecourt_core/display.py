"""How amounts and moments are shown to people: one currency setting, the reader's locale and time zone.

``FORECOURT_CURRENCY`` (default "USD") is the currency every amount is shown in. The locale comes
from the request's Accept-Language and the time zone from the ``tz`` cookie the site's script sets
(both through ``ReaderLocaleMiddleware``); outside a request (e-mails sent by a worker, PDFs) they
fall back to ``LANGUAGE_CODE`` and ``TIME_ZONE``. Machine formats (CSV, JSON) never use this module.
"""
from __future__ import annotations

import contextvars
import datetime as dt
import zoneinfo
from decimal import Decimal, InvalidOperation

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency
from django.conf import settings
from django.utils import timezone
from django.utils.translation import to_locale

TZ_COOKIE = "tz"
_reader_locale: contextvars.ContextVar[Locale | None] = contextvars.ContextVar("reader_locale", default=None)


def currency() -> str:
    return getattr(settings, "FORECOURT_CURRENCY", "USD")


def default_locale() -> Locale:
    return Locale.parse(to_locale(settings.LANGUAGE_CODE))


def reader_locale() -> Locale:
    return _reader_locale.get() or default_locale()


def locale_from_accept_language(header: str) -> Locale | None:
    """The first locale of an Accept-Language header that babel knows, or None."""
    ranked = []
    for n, part in enumerate(header.split(",")[:10]):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        if tag and tag != "*":
            ranked.append((-weight, n, tag.strip()))
    for _, _, tag in sorted(ranked):
        try:
            return Locale.parse(tag.replace("-", "_"))
        except (UnknownLocaleError, ValueError, TypeError):
            continue
    return None


def money(amount, currency_code: str | None = None) -> str:
    """``Decimal("24750")`` -> "$24,750.00" (en-US) or "24.750,00 $" (de-DE); blank stays blank."""
    if amount is None or amount == "":
        return ""
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return str(amount)
    return format_currency(value, currency_code or currency(), locale=reader_locale())


def when(value, style: str = "medium") -> str:
    """A moment in the reader's time zone and locale ("Dec 7, 2026, 6:05:00 AM"); a date stays a date.

    ``value`` may be an ISO 8601 string (as JSON data carries dates); style "month" gives "November 2026",
    "date" the day of a moment alone.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
        except ValueError:
            return value
    if style == "month" and isinstance(value, dt.date):
        return format_date(value, "MMMM y", locale=reader_locale())
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        if style == "date":
            return format_date(value, "medium", locale=reader_locale())
        return format_datetime(value, "short" if style == "short" else style, locale=reader_locale())
    if isinstance(value, dt.date):
        return format_date(value, style, locale=reader_locale())
    return str(value)


class ReaderLocaleMiddleware:
    """Formats for this request: the locale of Accept-Language, the time zone of the ``tz`` cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        locale = locale_from_accept_language(request.headers.get("Accept-Language", ""))
        token = _reader_locale.set(locale)
        tz = _zone(request.COOKIES.get(TZ_COOKIE, ""))
        if tz is not None:
            timezone.activate(tz)
        try:
            return self.get_response(request)
        finally:
            _reader_locale.reset(token)
            timezone.deactivate()


def _zone(name: str):
    if not name or len(name) > 64:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def label(code) -> str:
    """A machine code as words ("insufficient_funds" -> "insufficient funds"); words stay as they are."""
    return str(code or "").replace("_", " ").strip()


def number(value) -> str:
    """A count or measure with the reader's grouping: 150000 -> "150,000"."""
    if value is None or value == "":
        return ""
    from babel.numbers import format_decimal

    try:
        return format_decimal(value, locale=reader_locale())
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
