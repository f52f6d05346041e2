"""forecourt_core.forms.AmountField: a form reads money by the API's rules, not by Python's Decimal."""
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError

from forecourt_core.amounts import AmountField as AmountModelField
from forecourt_core.forms import AmountField


class PayForm(forms.Form):
    amount = AmountField()
    floor = AmountField(required=False, allow_zero=True)


@pytest.mark.parametrize("typed", ["\u0661\u0660", "\u0967\u0966", "\uff11\uff10", "1e3", "10.005", "-1", "0", "NaN",
                                   "Infinity", "12,50", "1" * 17, " "])
def test_other_scripts_digits_and_everything_the_api_refuses_is_a_field_error(typed):
    form = PayForm({"amount": typed})
    assert not form.is_valid() and "amount" in form.errors
    if typed.strip():
        assert form.errors.as_data()["amount"][0].code in {"invalid_amount", "required", "min_value"}


def test_an_ascii_amount_is_a_two_place_decimal_and_zero_only_where_allowed():
    form = PayForm({"amount": " 12.5 ", "floor": "0"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"amount": Decimal("12.50"), "floor": Decimal("0.00")}
    assert str(form.cleaned_data["amount"]) == "12.50"


def test_the_model_field_gives_model_forms_the_same_field():
    field = AmountModelField().formfield()
    assert isinstance(field, AmountField)
    with pytest.raises(ValidationError):
        field.clean("\u0661\u0660")
    assert field.clean("10") == Decimal("10.00")
