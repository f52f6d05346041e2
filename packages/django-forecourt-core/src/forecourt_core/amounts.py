"""Amounts of money: the one set of rules every package applies, and the model field that stores them.

The rules:

- An amount is a ``Decimal`` with at most 2 decimal places, finite, positive (zero only where a
  caller passes ``allow_zero=True``, e.g. a salary component) and strictly below ``MAX_AMOUNT``
  (10**16, what ``NUMERIC(18, 2)`` can hold). Too many places is refused, never rounded.
- Python callers (services) pass a ``Decimal`` or an ``int``; a ``float`` or ``bool`` is refused (a
  binary float cannot carry cents exactly), and so is text: parsing text is the API's or the form's job
  (``parse_amount``), so a service never guesses what a string meant.
- Text (an API or form value) must match ``AMOUNT_PATTERN``: ASCII digits ``0-9`` only, an
  optional ``.`` and one or two places, no sign, exponent, separator or other script's digits
  (Python's ``Decimal("١٠")`` is 10; here it is refused, as the published OpenAPI schema says).
  Surrounding whitespace is ignored.
- In JSON an amount is a string (``"12.50"``), as the schema publishes it; a JSON number is
  refused, so no client's float rounding can ever reach the ledger.

Every refusal is ``forecourt_core.errors.InvalidAmount`` (code ``invalid_amount``).
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.db import models

from .errors import InvalidAmount

CENT = Decimal("0.01")
MAX_DIGITS = 18
DECIMAL_PLACES = 2
MAX_AMOUNT = Decimal(10) ** (MAX_DIGITS - DECIMAL_PLACES)
# The text form: at most 16 integer digits, at most 2 places, ASCII only (re's \d would match any script).
AMOUNT_PATTERN = r"^[0-9]{1,16}(\.[0-9]{1,2})?$"
_AMOUNT_RE = re.compile(AMOUNT_PATTERN, re.ASCII)


def validate_amount(value, *, allow_zero: bool = False) -> Decimal:
    """``value`` (a Decimal or an int) as a 2-place Decimal, or raise InvalidAmount."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise InvalidAmount()
    amount = Decimal(value)
    if not amount.is_finite() or amount < 0 or (amount == 0 and not allow_zero) or amount >= MAX_AMOUNT:
        raise InvalidAmount()
    try:
        cents = amount.quantize(CENT)
    except InvalidOperation:
        raise InvalidAmount() from None
    if cents != amount:
        raise InvalidAmount("Amount has more than 2 decimal places.")
    return cents


def parse_amount(text, *, allow_zero: bool = False) -> Decimal:
    """An amount written as text (an API or form value) as a 2-place Decimal, or raise InvalidAmount."""
    if not isinstance(text, str) or not _AMOUNT_RE.fullmatch(text.strip()):
        raise InvalidAmount()
    return validate_amount(Decimal(text.strip()), allow_zero=allow_zero)


class AmountField(models.DecimalField):
    """A model field for money: ``NUMERIC(18, 2)``.

    It deconstructs as a plain ``DecimalField``, so migrations never import the kernel and switching a
    field to it writes no migration.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", MAX_DIGITS)
        kwargs.setdefault("decimal_places", DECIMAL_PLACES)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs

    def formfield(self, **kwargs):
        # Model forms (the admin's too) read text by the same rules as the API: ASCII digits, two places.
        from .forms import AmountField as AmountFormField

        return super().formfield(**{"form_class": AmountFormField, "allow_zero": True, **kwargs})
