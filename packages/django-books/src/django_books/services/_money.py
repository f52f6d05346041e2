from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ..errors import InvalidAmount

CENT = Decimal("0.01")
LIMIT = Decimal(10) ** 16


def money(value, *, allow_zero: bool = False, allow_negative: bool = False) -> Decimal:
    """A Decimal with at most two places, finite, below 10**16; anything else is ``InvalidAmount``."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidAmount() from None
    if not amount.is_finite() or abs(amount) >= LIMIT or amount.as_tuple().exponent < -2:
        raise InvalidAmount()
    if (amount == 0 and not allow_zero) or (amount < 0 and not allow_negative):
        raise InvalidAmount()
    return amount.quantize(CENT)
