"""GET /transactions/{user_id}/[{start}/{end}/]: own orders only (unless staff), both edges inclusive, paginated."""
from datetime import UTC, datetime, timedelta

import pytest

from django_trading.models import Order

BASE = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def alice_orders(make_user):
    """Orders at BASE + 0, 1, 2, 3, 4 hours (created_at set explicitly)."""
    alice = make_user("alice")
    for hour in range(5):
        Order.objects.create(user=alice, ticker="ACME", side="buy", volume=hour + 1, status="settled",
                             created_at=BASE + timedelta(hours=hour))
    return alice


def volumes(response):
    return [row["transaction_volume"] for row in response.data["results"]]


@pytest.mark.django_db
class TestHistory:
    def test_all_newest_first(self, api, alice_orders, django_assert_max_num_queries):
        client = api(alice_orders)
        with django_assert_max_num_queries(2):
            response = client.get(f"/api/trading/transactions/{alice_orders.pk}/")
        assert response.status_code == 200
        assert response.data["count"] == 5 and volumes(response) == [5, 4, 3, 2, 1]
        row = response.data["results"][0]
        assert set(row) >= {"transaction_id", "user_id", "ticker", "transaction_type", "transaction_volume",
                            "transaction_price", "status", "reason", "timestamp"}

    @pytest.mark.parametrize("start, end", [
        ("2026-03-01T13:00:00Z", "2026-03-01T15:00:00Z"),
        ("2026-03-01T13:00:00+00:00", "2026-03-01T16:00:00+01:00"),  # offsets; "+" survives in a path
        ("2026-03-01T13:00:00", "2026-03-01T15:00:00"),  # naive is UTC
        (str(int((BASE + timedelta(hours=1)).timestamp())), str(int((BASE + timedelta(hours=3)).timestamp()))),
        (f"{(BASE + timedelta(hours=1)).timestamp():.6f}", f"{(BASE + timedelta(hours=3)).timestamp():.6f}"),
    ])
    def test_range_includes_both_edges(self, api, alice_orders, start, end):
        response = api(alice_orders).get(f"/api/trading/transactions/{alice_orders.pk}/{start}/{end}/")
        assert response.status_code == 200, response.data
        assert volumes(response) == [4, 3, 2]  # 13:00, 14:00 and 15:00 exactly

    def test_one_microsecond_past_an_edge_excludes_it(self, api, alice_orders):
        response = api(alice_orders).get(
            f"/api/trading/transactions/{alice_orders.pk}/2026-03-01T13:00:00.000001Z/2026-03-01T14:59:59.999999Z/")
        assert volumes(response) == [3]

    def test_bare_dates_cover_whole_days(self, api, alice_orders):
        response = api(alice_orders).get(f"/api/trading/transactions/{alice_orders.pk}/2026-03-01/2026-03-01/")
        assert volumes(response) == [5, 4, 3, 2, 1]
        response = api(alice_orders).get(f"/api/trading/transactions/{alice_orders.pk}/2026-03-02/2026-03-03/")
        assert volumes(response) == []

    def test_pagination(self, api, alice_orders):
        client = api(alice_orders)
        first = client.get(f"/api/trading/transactions/{alice_orders.pk}/?page_size=2")
        assert volumes(first) == [5, 4] and first.data["next"]
        third = client.get(f"/api/trading/transactions/{alice_orders.pk}/?page_size=2&page=3")
        assert volumes(third) == [1] and third.data["next"] is None

    @pytest.mark.parametrize("start, end, code", [
        ("yesterday", "2026-03-01", "invalid_timestamp"),
        ("2026-13-01", "2026-03-01", "invalid_timestamp"),
        ("99999999999999999999", "2026-03-01", "invalid_timestamp"),
        ("2026-03-02", "2026-03-01", "invalid_range"),
    ])
    def test_bad_ranges(self, api, alice_orders, start, end, code):
        response = api(alice_orders).get(f"/api/trading/transactions/{alice_orders.pk}/{start}/{end}/")
        assert response.status_code == 400 and response.json()["code"] == code

    def test_only_own_unless_staff(self, api, alice_orders, make_user, staff):
        bob = make_user("bob")
        assert api(bob).get(f"/api/trading/transactions/{alice_orders.pk}/").status_code == 403
        assert api().get(f"/api/trading/transactions/{alice_orders.pk}/").status_code in (401, 403)
        response = api(staff).get(f"/api/trading/transactions/{alice_orders.pk}/")
        assert response.status_code == 200 and response.data["count"] == 5
        assert api(bob).get(f"/api/trading/transactions/{bob.pk}/").data["count"] == 0
        for ghost in ("999999", "not-a-pk"):
            missing = api(staff).get(f"/api/trading/transactions/{ghost}/")
            assert missing.status_code == 404 and missing.json()["code"] == "trader_not_found"


def order_volumes(response):
    return [row["volume"] for row in response.data["results"]]


@pytest.mark.django_db
class TestOrderList:
    """GET /orders/: the same history under the order's own field names."""

    def test_own_orders_newest_first_under_order_names(self, api, alice_orders, django_assert_max_num_queries):
        client = api(alice_orders)
        with django_assert_max_num_queries(2):
            response = client.get("/api/trading/orders/")
        assert response.status_code == 200
        assert response.data["count"] == 5 and order_volumes(response) == [5, 4, 3, 2, 1]
        row = response.data["results"][0]
        assert set(row) == {"id", "user_id", "ticker", "side", "order_type", "limit_price", "volume", "status",
                            "reason", "price", "amount", "wallet_transaction_id", "created_at", "settled_at"}
        alias = client.get(f"/api/trading/transactions/{alice_orders.pk}/").data["results"][0]
        assert (alias["transaction_id"], alias["transaction_volume"], alias["transaction_type"]) == \
            (row["id"], row["volume"], row["side"])

    def test_range_includes_both_edges(self, api, alice_orders):
        response = api(alice_orders).get("/api/trading/orders/",
                                          {"start": "2026-03-01T13:00:00Z", "end": "2026-03-01T15:00:00Z"})
        assert response.status_code == 200 and order_volumes(response) == [4, 3, 2]
        refused = api(alice_orders).get("/api/trading/orders/", {"start": "2026-03-02", "end": "2026-03-01"})
        assert refused.status_code == 400 and refused.json()["code"] == "invalid_range"

    def test_another_traders_orders_for_staff_only(self, api, alice_orders, make_user, staff):
        bob = make_user("bob")
        assert api(bob).get("/api/trading/orders/").data["count"] == 0
        assert api(bob).get("/api/trading/orders/", {"user_id": alice_orders.pk}).status_code == 403
        assert api().get("/api/trading/orders/").status_code in (401, 403)
        response = api(staff).get("/api/trading/orders/", {"user_id": alice_orders.pk})
        assert response.status_code == 200 and response.data["count"] == 5
