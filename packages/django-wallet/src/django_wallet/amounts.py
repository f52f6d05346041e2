"""Amount validation: reject, never round (PostgreSQL would round half-up, Python half-even)."""

from decimal import Decimal, InvalidOperation

from . import conf
from .errors import InvalidAmount

CENT = Decimal("0.01")


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
    """Parse an API amount (string, or a JSON number already turned into a string) into a valid Decimal."""
    if isinstance(text, bool) or not isinstance(text, (str, int, Decimal)):
        raise InvalidAmount()
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise InvalidAmount() from None
    return validate_amount(value)
