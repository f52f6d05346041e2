from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ..errors import InvalidAmount

MAX = Decimal(10) ** 16


def money(value, *, allow_zero: bool = False) -> Decimal:
    """Validate an amount: Decimal (or str/int), finite, <= 2 places, > 0 (>= 0 if allowed). Never rounds."""
    if isinstance(value, (float, bool)):
        raise InvalidAmount()
    try:
        amount = Decimal(value) if isinstance(value, (str, int)) else value
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidAmount() from None
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount.as_tuple().exponent < -2:
        raise InvalidAmount()
    if amount < 0 or (amount == 0 and not allow_zero) or amount >= MAX:
        raise InvalidAmount()
    return amount.quantize(Decimal("0.01"))
