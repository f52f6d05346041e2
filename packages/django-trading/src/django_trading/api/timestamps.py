"""Parsing the history range's path segments: ISO-8601 (date or datetime) or unix seconds."""
import re
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_FLOOR, Decimal

from django.utils.dateparse import parse_date, parse_datetime

from ..errors import InvalidTimestamp

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UNIX = re.compile(r"^-?\d+(\.\d+)?$")


def parse(text: str, *, end: bool) -> datetime:
    """An aware datetime. Naive values are UTC. A bare date means its whole day: the start of the
    day for ``start``, the last microsecond of the day for ``end`` (both edges inclusive)."""
    text = text.strip()
    try:
        if UNIX.match(text):  # exact to the microsecond (no float rounding at the edges)
            seconds = Decimal(text)
            whole = int(seconds.to_integral_value(ROUND_FLOOR))
            return EPOCH + timedelta(seconds=whole, microseconds=int((seconds - whole) * 1_000_000))
        if DATE.match(text):  # checked first: parse_datetime would read a date as its midnight
            day = parse_date(text)
            if day is None:
                raise InvalidTimestamp()
            value = datetime.combine(day, time.min)
            if end:
                value += timedelta(days=1) - timedelta(microseconds=1)
        else:
            value = parse_datetime(text)
            if value is None:
                raise InvalidTimestamp()
    except (ValueError, OverflowError, OSError):
        raise InvalidTimestamp() from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)
