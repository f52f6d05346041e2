"""Amounts under the kernel's rules (``forecourt_core.amounts``): a Decimal or an int, at most two places,
never rounded; anything else is ``InvalidAmount``."""
from forecourt_core.amounts import validate_amount as money

__all__ = ["money"]
