"""Amount validation: reject, never round (PostgreSQL would round half-up, Python half-even)."""

import re
from decimal import Decimal, InvalidOperation

from forecourt_core.amounts import AMOUNT_PATTERN

from . import conf
from .errors import InvalidAmount

CENT = Decimal("0.01")
_AMOUNT_TEXT = re.compile(AMOUNT_PATTERN, re.ASCII)


def validate_amount(amount) -> Decimal:
    """Return ``amount`` as a 2-place Decimal, or raise InvalidAmount.

    Accepts Decimal and int only: floats are inexact and strings belong to the API layer.
    """
    if isinstance(amount, bool) or not isinstance(amount, (Decimal, int)):
        raise InvalidAmount()
    value = Decimal(amount)
    if not value.is_finite() or value <= 0 or value >= Decimal(conf.get("WALLET_MAX_AMOUNT")):
        raise InvalidAmount()
    try:
        cents = value.quantize(CENT)
    except InvalidOperation:
        raise InvalidAmount() from None
    if cents != value:
        raise InvalidAmount("Amount has more than 2 decimal places.")
    return cents


def parse_amount(text) -> Decimal:
    """Parse an API amount (string, or a JSON integer) into a valid Decimal.

    Text follows the kernel's published pattern (ASCII digits, at most two places): Python's ``Decimal``
    would also read other scripts' digits ("١٠" is 10), which the schema does not allow.
    """
    if isinstance(text, bool) or not isinstance(text, (str, int, Decimal)):
        raise InvalidAmount()
    if isinstance(text, str) and not _AMOUNT_TEXT.fullmatch(text.strip()):
        raise InvalidAmount()
    try:
        value = Decimal(text.strip() if isinstance(text, str) else text)
    except InvalidOperation:
        raise InvalidAmount() from None
    return validate_amount(value)
