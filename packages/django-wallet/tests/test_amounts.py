"""API amounts: text is read by the published pattern (ASCII digits, two places at most), never by
everything Python's Decimal would accept."""
from decimal import Decimal

import pytest

from django_wallet.amounts import parse_amount
from django_wallet.errors import InvalidAmount


@pytest.mark.parametrize("text", ["\u0661\u0660", "\u0967\u0966.00", "\uff11\uff10", "1e3", "+5", "5.", ".5", "1_000"])
def test_text_outside_the_published_pattern_is_refused(text):
    assert Decimal(text).is_finite()  # Python's Decimal reads every one of them
    with pytest.raises(InvalidAmount):
        parse_amount(text)


@pytest.mark.parametrize(("given", "expected"), [("10", "10.00"), (" 12.5 ", "12.50"), ("0.01", "0.01"), (7, "7.00")])
def test_ascii_amounts_and_json_integers_are_read(given, expected):
    assert parse_amount(given) == Decimal(expected)
