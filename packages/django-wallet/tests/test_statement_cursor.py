"""Statement API in cursor mode (keyset pages for long statements)."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from django_wallet import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def statement(make_user):
    """alice's account: a deposit then 24 transfers to bob (25 entries)."""
    alice, bob = make_user(username="alice"), make_user(username="bob")
    a, b = services.account_for(alice), services.account_for(bob)
    services.deposit(account=a, amount=Decimal("100.00"))
    for i in range(1, 25):
        services.transfer(source=a, destination=b, amount=Decimal(i) / 10)
    client = APIClient()
    client.force_authenticate(alice)
    return client, reverse("wallet:statement", args=[a.pk])


def _ids(rows):
    return [r["id"] for r in rows]


def test_cursor_pages_walk_the_whole_statement_in_page_order(statement, django_assert_max_num_queries):
    client, url = statement
    everything = client.get(url, {"page_size": 100}).data["results"]
    assert len(everything) == 25
    seen, page = [], client.get(url, {"page_size": 10, "cursor": ""})
    assert page.status_code == 200 and page.data["count"] is None and page.data["previous"] is None
    while True:
        seen += page.data["results"]
        if not page.data["next"]:
            break
        with django_assert_max_num_queries(6):  # no COUNT, whatever the depth
            page = client.get(page.data["next"])
        assert page.status_code == 200
    assert _ids(seen) == _ids(everything)
    assert seen[-1]["kind"] == "deposit"


def test_cursor_mode_keeps_filters_and_refuses_a_forged_cursor(statement):
    client, url = statement
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert client.get(url, {"cursor": "", "date_from": tomorrow}).data["results"] == []
    first = client.get(url, {"cursor": "", "page_size": 5, "date_to": timezone.localdate().isoformat()})
    assert "date_to=" in first.data["next"] and len(first.data["results"]) == 5
    bad = client.get(url, {"cursor": "%%%not-base64"})
    assert bad.status_code == 400 and "cursor" in bad.data["fields"]


def test_page_number_mode_is_unchanged(statement):
    client, url = statement
    r = client.get(url, {"page_size": 10, "page": 3})
    assert r.data["count"] == 25 and len(r.data["results"]) == 5 and r.data["results"][-1]["kind"] == "deposit"
