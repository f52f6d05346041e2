"""Keyset (cursor) pagination of the marketplace: a page continues after the last row of the previous
one instead of skipping OFFSET rows, so page 5,000 costs what page 1 costs.

A cursor is an opaque token holding the sort and that row's sort key; ``after(qs, sort, token)`` adds
the row comparison that the sort's index serves as an index range, e.g. ``(price, id) > (p, i)``.
"""
import base64
import binascii
import json
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from .errors import InvalidCursor
from .models import ListingIndex


def _col(name: str) -> str:
    from django.db import connection

    q = connection.ops.quote_name
    return f"{q(ListingIndex._meta.db_table)}.{q(name)}"


def encode(sort: str, row: ListingIndex) -> str | None:
    """The cursor after ``row`` for ``sort``; None when the row can't be a keyset position (no listed_at)."""
    if sort in ("price", "-price"):
        values = [str(row.price), row.pk]
    else:
        if row.listed_at is None:
            return None
        values = [row.listed_at.isoformat(), row.pk]
        if sort == "featured":
            values.insert(0, row.featured_until.isoformat() if row.featured_until else None)
    raw = json.dumps({"s": sort, "v": values}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str, sort: str) -> list:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        values = data["v"]
        if data["s"] != sort or not isinstance(values, list):
            raise InvalidCursor()
        *keys, pk = values
        if not isinstance(pk, int) or isinstance(pk, bool):
            raise InvalidCursor()
        if sort in ("price", "-price"):
            (price,) = keys
            if not isinstance(price, str) or not Decimal(price).is_finite():
                raise InvalidCursor()
            return [Decimal(price), pk]
        if sort == "featured":
            featured, listed = keys
            return [_when(featured) if featured is not None else None, _when(listed), pk]
        (listed,) = keys
        return [_when(listed), pk]
    except (ValueError, TypeError, KeyError, InvalidOperation, binascii.Error, UnicodeDecodeError):
        raise InvalidCursor() from None


def _when(value) -> datetime:
    when = datetime.fromisoformat(value)  # ValueError/TypeError -> InvalidCursor
    if when.tzinfo is None:
        raise InvalidCursor()
    return when


def after(qs, *, sort: str, token: str):
    """``qs`` restricted to the rows after the cursor, in ``sort`` order (see selectors.SORTS)."""
    v = _decode(token, sort)
    featured, listed, price, pk = _col("featured_until"), _col("listed_at"), _col("price"), _col("id")
    if sort == "price":
        sql, params = f"({price}, {pk}) > (%s, %s)", v
    elif sort == "-price":
        sql, params = f"({price}, {pk}) < (%s, %s)", v
    elif sort == "newest":
        sql, params = f"({listed}, {pk}) < (%s, %s)", v
    elif v[0] is None:  # featured, past the featured rows: the rest is newest first
        sql, params = f"{featured} IS NULL AND ({listed}, {pk}) < (%s, %s)", v[1:]
    else:
        sql, params = f"({featured} IS NULL OR ({featured}, {listed}, {pk}) < (%s, %s, %s))", v
    # Only quoted column names are interpolated; the values are parameters. The ORM has no row comparison
    # (Django 4.2), and OR-expanded comparisons would not be an index range.
    return qs.filter(RawSQL(sql, params, output_field=BooleanField()))  # noqa: S611
