"""Money validation: Decimal only, positive, at most two places, finite, below 10**16."""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import InvalidAmount

CENT = Decimal("0.01")
MAX = Decimal(10) ** 16


def money(value) -> Decimal:
    """``value`` as a valid amount, never rounded (too many places is an error, not a rounding)."""
    if isinstance(value, (float, bool)):
        raise InvalidAmount("Amounts must be Decimal or string, never float.")
    try:
        amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise InvalidAmount() from exc
    if not amount.is_finite() or amount <= 0 or amount >= MAX or amount.as_tuple().exponent < -2:
        raise InvalidAmount()
    return amount


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """``percent`` % of ``amount`` rounded half-up to the cent (the one place rounding is intended)."""
    return (amount * percent / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)
