"""The serializer field for an amount of money: the rules of ``forecourt_core.amounts`` at the API."""
from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from ..amounts import AMOUNT_PATTERN, DECIMAL_PLACES, MAX_DIGITS, parse_amount
from ..errors import InvalidAmount


class AmountField(serializers.DecimalField):
    """A money amount: a JSON string such as ``"12.50"`` in and out.

    Input follows ``forecourt_core.amounts.parse_amount``; a refusal is a field error with the code
    ``invalid_amount`` (the whole body is then ``400 invalid_amount`` when no other field is at fault).
    ``allow_zero=True`` admits ``"0"`` / ``"0.00"``. The published schema is a string with ``AMOUNT_PATTERN``.
    """

    def __init__(self, *, allow_zero: bool = False, **kwargs):
        self.allow_zero = allow_zero
        kwargs.setdefault("max_digits", MAX_DIGITS)
        kwargs.setdefault("decimal_places", DECIMAL_PLACES)
        kwargs.setdefault("coerce_to_string", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> Decimal:
        try:
            return parse_amount(data, allow_zero=self.allow_zero)
        except InvalidAmount as error:
            raise serializers.ValidationError(error.message, code=error.code) from None


try:  # publish the exact pattern in the OpenAPI schema when drf-spectacular is installed
    from drf_spectacular.utils import extend_schema_field

    AmountField = extend_schema_field(
        {"type": "string", "format": "decimal", "pattern": AMOUNT_PATTERN, "example": "12.50"})(AmountField)
except ImportError:  # pragma: no cover - every package installs drf-spectacular
    pass
