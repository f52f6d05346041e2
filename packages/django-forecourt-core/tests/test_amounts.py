from decimal import Decimal

import pytest

from forecourt_core.amounts import MAX_AMOUNT, AmountField, parse_amount, validate_amount
from forecourt_core.errors import DomainError, InvalidAmount

BAD_TEXT = ["", " ", "0", "0.00", "-1", "+1", "1.005", "12,50", "1e3", "1E3", "NaN", "sNaN", "Infinity", "-Infinity",
            "1 000", ".5", "5.", "10000000000000000", "1" * 5000,
            "\u0661\u0660",  # Arabic-Indic "10"
            "\u0967\u0966",  # Devanagari "10"
            "\uff11\uff10",  # full-width "10"
            "1\u0660.00", "12.5\n0"]


@pytest.mark.parametrize("text", BAD_TEXT)
def test_text_outside_the_published_pattern_is_refused(text):
    with pytest.raises(InvalidAmount) as refused:
        parse_amount(text)
    assert refused.value.code == "invalid_amount" and refused.value.status == 400


@pytest.mark.parametrize(("text", "amount"), [("12.50", Decimal("12.50")), ("12.5", Decimal("12.50")),
                                              (" 7 ", Decimal("7.00")), ("9999999999999999.99",
                                                                          Decimal("9999999999999999.99"))])
def test_ascii_text_is_an_exact_two_place_decimal(text, amount):
    parsed = parse_amount(text)
    assert parsed == amount and parsed.as_tuple().exponent == -2


@pytest.mark.parametrize("value", [1.5, 10.0, True, None, [1], "10", "10.00", Decimal("NaN"), Decimal("Infinity"),
                                   Decimal("-1"), Decimal("0"), Decimal("0.001"), MAX_AMOUNT, Decimal("1e-30"), -5])
def test_python_values_outside_the_rules_are_refused(value):
    with pytest.raises(InvalidAmount):
        validate_amount(value)


def test_zero_only_where_the_caller_allows_it():
    assert validate_amount(Decimal("0"), allow_zero=True) == Decimal("0.00")
    assert parse_amount("0.00", allow_zero=True) == Decimal("0.00")
    with pytest.raises(InvalidAmount):
        validate_amount(Decimal("-0.01"), allow_zero=True)


def test_ints_decimals_and_text_give_the_same_amount():
    assert validate_amount(5) == validate_amount(Decimal("5")) == parse_amount("5.00") == Decimal("5.00")


def test_invalid_amount_is_a_framework_free_domain_error():
    assert issubclass(InvalidAmount, DomainError)
    assert [k.__module__ for k in InvalidAmount.__mro__] == ["forecourt_core.errors"] * 3 + ["builtins"] * 3


def test_model_field_is_numeric_18_2_and_migrates_as_a_plain_decimal_field():
    field = AmountField()
    name, path, args, kwargs = field.deconstruct()
    assert (path, kwargs["max_digits"], kwargs["decimal_places"]) == ("django.db.models.DecimalField", 18, 2)
