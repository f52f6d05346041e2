"""The form field for an amount of money: the rules of ``forecourt_core.amounts`` in HTML forms.

Django's ``forms.DecimalField`` reads text with Python's ``Decimal``, which takes any script's digits
(``"١٠"`` is 10) and exponents; ``AmountField`` reads it with ``parse_amount`` (ASCII digits, at most two
places, below ``MAX_AMOUNT``), so a page refuses exactly what the API refuses, as a field error.
"""
from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from .amounts import CENT, DECIMAL_PLACES, MAX_DIGITS, parse_amount
from .errors import InvalidAmount


class AmountField(forms.DecimalField):
    """An amount of money typed into a form: a ``Decimal`` with two places, or a field error (code
    ``invalid_amount``). ``allow_zero=True`` admits 0 (a filter's lower bound, a salary component)."""

    default_error_messages = {
        "invalid_amount": "Enter an amount such as 12.50: the digits 0-9, at most two decimal places.",
    }

    def __init__(self, *, allow_zero: bool = False, **kwargs):
        self.allow_zero = allow_zero
        kwargs.setdefault("max_digits", MAX_DIGITS)
        kwargs.setdefault("decimal_places", DECIMAL_PLACES)
        kwargs.setdefault("min_value", Decimal(0) if allow_zero else CENT)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            value = str(value)  # an initial or programmatic value goes through the same rules
        try:
            return parse_amount(value, allow_zero=self.allow_zero)
        except InvalidAmount as error:
            message = self.error_messages["invalid_amount"] if error.message == InvalidAmount.message else error.message
            raise ValidationError(message, code="invalid_amount") from None
