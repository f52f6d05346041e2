"""Amounts under the kernel's rules (``forecourt_core.amounts``); a journal line's amount is signed."""
from __future__ import annotations

from decimal import Decimal

from forecourt_core.amounts import CENT, validate_amount

__all__ = ["CENT", "money"]


def money(value, *, allow_zero: bool = False, allow_negative: bool = False) -> Decimal:
    """``value`` (a Decimal or an int) as a 2-place Decimal under the kernel's rules, else ``InvalidAmount``;
    with ``allow_negative`` a negative amount keeps its sign (a credit line)."""
    if allow_negative and isinstance(value, Decimal | int) and not isinstance(value, bool) and value < 0:
        return -validate_amount(-value, allow_zero=allow_zero)
    return validate_amount(value, allow_zero=allow_zero)
