"""API amounts: text is read by the kernel's published pattern (ASCII digits, two places at most), never by
everything Python's Decimal would accept, and a JSON number is refused (amounts travel as strings)."""
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from django_wallet import selectors, services
from django_wallet.testing import with_idempotency_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(make_user):
    alice, bob = make_user(username="alice"), make_user(username="bob")
    services.deposit(account=services.account_for(alice), amount=Decimal("5000.00"))
    client = APIClient()
    client.force_authenticate(alice)
    client = with_idempotency_key(client)

    def post(amount):
        return client.post(reverse("wallet:transfer-create"), {"to_user": bob.pk, "amount": amount}, format="json")

    post.bob = bob
    return post


@pytest.mark.parametrize("amount", ["\u0661\u0660", "\u0967\u0966.00", "\uff11\uff10", "1e3", "+5", "5.", ".5",
                                    "1_000", "12.345", "0", "-5", "NaN", 7, 7.5, "10000000000000000"])
def test_amounts_outside_the_published_pattern_are_refused_and_move_nothing(send, amount):
    response = send(amount)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_amount" and "amount" in response.json()["fields"]
    assert selectors.balance(services.account_for(send.bob)) == 0


@pytest.mark.parametrize(("given", "expected"), [("10", "10.00"), (" 12.5 ", "12.50"), ("0.01", "0.01")])
def test_ascii_amounts_are_read(send, given, expected):
    assert send(given).status_code == 201
    assert selectors.balance(services.account_for(send.bob)) == Decimal(expected)
