"""Orders through the API, settled by a real Celery worker on the real Redis broker."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from django_trading import selectors, services
from django_trading.handlers import settle
from django_trading.models import Holding, Order, Stock
from django_wallet import selectors as wallet_selectors
from django_wallet import services as wallet
from forecourt_core.events.models import Event
from forecourt_core.events.tasks import relay_events

from .conftest import bar, wait_for, worker_idle

URL = "/api/trading/transactions/"


def settled(order_id):
    return wait_for(lambda: (o := Order.objects.get(pk=order_id)).status not in ("pending", "resting") and o)


def market():
    return wallet_selectors.balance(wallet.system_account("market"))


@pytest.fixture
def alice(make_user):
    user = make_user("alice")
    services.trader_fund(username="alice", amount=Decimal("1000.00"))
    return user


@pytest.fixture
def acme():
    services.bars_ingest(bars=[bar("ACME", "12.50", volume=500)])


@pytest.mark.django_db(transaction=True)
class TestSettlement:
    def test_buy_then_sell(self, api, alice, acme, worker):
        client = api(alice)
        market_before = market()
        response = client.post(URL, {"ticker": "ACME", "transaction_type": "buy", "transaction_volume": 10},
                               format="json")
        assert response.status_code == 202, response.data
        assert response.data["status"] == "pending"
        order = settled(response.data["transaction_id"])
        assert (order.status, order.price, order.amount) == ("settled", Decimal("12.50"), Decimal("125.00"))
        assert order.wallet_transaction_id is not None and order.settled_at is not None
        assert selectors.trader_balance(user=alice) == Decimal("875.00")
        assert market() == market_before + Decimal("125.00")
        holding = Holding.objects.get(user=alice)
        assert (holding.quantity, holding.cost_basis, holding.average_cost) == (10, Decimal("125.00"), Decimal("12.5"))
        assert Stock.objects.get(ticker="ACME").volume == 490

        services.bars_ingest(bars=[bar("ACME", "15.00", volume=500, at=timezone.now() + timedelta(seconds=1))])
        detail = client.get("/api/trading/users/alice/").data
        assert detail["holdings"][0]["unrealised_pnl"] == "25.00" and detail["holdings"][0]["market_value"] == "150.00"

        response = client.post(URL, {"ticker": "ACME", "transaction_type": "sell", "transaction_volume": 4},
                               format="json")
        order = settled(response.data["transaction_id"])
        assert (order.status, order.amount) == ("settled", Decimal("60.00"))
        holding.refresh_from_db()
        assert (holding.quantity, holding.cost_basis, holding.realised_pnl) == (6, Decimal("75.00"), Decimal("10.00"))
        assert Stock.objects.get(ticker="ACME").volume == 504
        assert selectors.trader_balance(user=alice) == Decimal("935.00")
        # Invalidated by the settlement: the worker bumps the trader's version just after its commit, which
        # the order's status above can show a moment earlier.
        detail = wait_for(lambda: (d := client.get("/api/trading/users/alice/").data)["balance"] == "935.00" and d)
        assert detail["holdings"][0]["quantity"] == 6
        assert detail["holdings"][0]["realised_pnl"] == "10.00" and detail["holdings"][0]["unrealised_pnl"] == "15.00"

        polled = client.get(f"/api/trading/orders/{order.id}/")
        assert polled.status_code == 200 and polled.data["status"] == "settled"

    def test_orders_route_places_and_reports_under_the_orders_own_names(self, api, alice, acme, worker):
        client = api(alice)
        response = client.post("/api/trading/orders/", {"ticker": "ACME", "side": "buy", "volume": 2},
                               format="json")
        assert response.status_code == 202, response.data
        assert (response.data["side"], response.data["volume"], response.data["status"]) == ("buy", 2, "pending")
        assert "created_at" in response.data and "transaction_id" not in response.data
        order = settled(response.data["id"])
        assert (order.side, order.volume, order.amount) == ("buy", 2, Decimal("25.00"))
        polled = client.get(f"/api/trading/orders/{order.id}/").data
        assert (polled["price"], str(polled["wallet_transaction_id"])) == ("12.50", str(order.wallet_transaction_id))
        refused = client.post("/api/trading/orders/", {"ticker": "ACME", "transaction_type": "buy",
                                                        "transaction_volume": 2}, format="json")
        assert refused.status_code == 400 and Order.objects.count() == 1  # the alias names are not accepted here

    @pytest.mark.parametrize("side, ticker, volume, reason", [
        ("buy", "ACME", 100, "insufficient_funds"),  # 1250.00 > 1000.00
        ("sell", "ACME", 1, "insufficient_holdings"),
        ("buy", "ACME", 501, "insufficient_volume"),
    ])
    def test_rejections(self, api, alice, acme, worker, side, ticker, volume, reason, staff):
        if reason == "insufficient_volume":
            services.trader_fund(username="alice", amount=Decimal("10000.00"))
        response = api(alice).post(URL, {"ticker": ticker, "transaction_type": side, "transaction_volume": volume},
                                   format="json")
        assert response.status_code == 202
        order = settled(response.data["transaction_id"])
        assert (order.status, order.reason, order.price) == ("rejected", reason, None)
        assert order.wallet_transaction_id is None
        extra = 10000 if reason == "insufficient_volume" else 0
        assert selectors.trader_balance(user=alice) == Decimal("1000.00") + extra
        assert not Holding.objects.filter(quantity__gt=0).exists()

    @pytest.mark.parametrize("order_type, limit", [("market", None), ("limit", "5.00")])
    def test_unknown_ticker_is_refused_at_once_and_nothing_is_stored(self, api, alice, acme, order_type, limit):
        body = {"ticker": "NOSUCHX", "transaction_type": "buy", "transaction_volume": 1, "order_type": order_type}
        if limit:
            body["limit_price"] = limit
        response = api(alice).post(URL, body, format="json")
        assert response.status_code == 404 and response.json()["code"] == "unknown_ticker", response.data
        assert not Order.objects.exists()
        assert selectors.trader_balance(user=alice) == Decimal("1000.00")

    def test_an_order_whose_relay_kick_was_lost_is_settled_by_the_periodic_relay(self, alice, acme, worker,
                                                                                  settings):
        settings.FORECOURT_EVENTS_KICK = False  # the message after the commit never reaches the broker
        order, _ = services.order_create(user=alice, ticker="ACME", side="buy", volume=2)
        (placed,) = Event.objects.filter(kind="trading.order_placed", data__order_id=str(order.id))
        assert placed.status == "pending" and Order.objects.get(pk=order.pk).status == "pending"
        relay_events.apply_async()  # what beat sends
        assert settled(order.id).status == "settled"
        placed.refresh_from_db()
        assert (placed.status, placed.attempts) == ("delivered", 1)

    def test_an_event_delivered_twice_settles_once(self, alice, acme, worker):
        order, _ = services.order_create(user=alice, ticker="ACME", side="buy", volume=2)
        settled(order.id)
        wait_for(lambda: worker_idle())
        (placed,) = Event.objects.filter(kind="trading.order_placed", data__order_id=str(order.id))
        # The event comes round again (at-least-once delivery), several times and concurrently.
        Event.objects.filter(pk=placed.pk).update(status="pending", available_at=timezone.now())
        for _ in range(3):
            relay_events.apply_async(kwargs={"ids": [str(placed.pk)]})
        wait_for(lambda: worker_idle() and Event.objects.get(pk=placed.pk).status == "delivered")
        settle(placed)  # and the handler once more in-process
        assert selectors.trader_balance(user=alice) == Decimal("975.00")
        assert Holding.objects.get(user=alice).quantity == 2
        assert Event.objects.filter(kind="trading.order_settled", data__order_id=str(order.id)).count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("acme")  # an order names a stock that exists
class TestOrderCreate:
    """Acceptance only (no worker): commits never happen inside these tests, so nothing is enqueued."""

    @pytest.mark.parametrize("body, field", [
        ({"ticker": "ACME", "transaction_type": "hold", "transaction_volume": 1}, "transaction_type"),
        ({"ticker": "ACME", "transaction_type": "buy", "transaction_volume": 0}, "transaction_volume"),
        ({"ticker": "ACME", "transaction_type": "buy", "transaction_volume": 1.5}, "transaction_volume"),
        ({"ticker": "acme", "transaction_type": "buy", "transaction_volume": 1}, "ticker"),
        ({"ticker": "ACME", "transaction_type": "buy", "transaction_volume": 1, "order_type": "limit"}, "limit_price"),
        ({"ticker": "ACME", "transaction_type": "buy", "transaction_volume": 1, "order_type": "limit",
          "limit_price": "1.001"}, "limit_price"),
        ({"ticker": "ACME", "transaction_type": "buy", "transaction_volume": 1, "limit_price": "5.00"}, "limit_price"),
    ])
    def test_bad_input(self, api, make_user, body, field):
        response = api(make_user()).post(URL, body, format="json")
        assert response.status_code == 400 and field in response.data["fields"]
        assert not Order.objects.exists()

    @pytest.mark.parametrize("ticker, volume, extra", [
        ("BIGX", 10**9, {}),  # x the latest close, 10**7
        ("ACME", 10, {"order_type": "limit", "limit_price": "1000000000000000.00"}),  # x the limit
    ])
    def test_an_order_beyond_what_the_wallet_can_move_is_refused_at_once(self, api, make_user, ticker, volume, extra):
        services.bars_ingest(bars=[bar("BIGX", "10000000.00")])
        body = {"ticker": ticker, "transaction_type": "buy", "transaction_volume": volume, **extra}
        response = api(make_user()).post(URL, body, format="json")
        assert response.status_code == 400 and response.json()["code"] == "order_amount_too_large", response.data
        assert not Order.objects.exists()

    def test_anonymous_refused(self, api):
        body = {"ticker": "ACME", "transaction_type": "buy", "transaction_volume": 1}
        assert api().post(URL, body, format="json").status_code in (401, 403)

    def test_idempotency_key(self, api, make_user):
        client = api(make_user())
        body = {"ticker": "ACME", "transaction_type": "buy", "transaction_volume": 3}
        first = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
        again = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
        assert first.status_code == again.status_code == 202
        assert first.data["transaction_id"] == again.data["transaction_id"] and Order.objects.count() == 1
        other = client.post(URL, {**body, "transaction_volume": 4}, format="json", HTTP_IDEMPOTENCY_KEY="abc")
        assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"
        # Keys are per user.
        assert api(make_user("bob")).post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="abc").status_code == 202
        assert Order.objects.count() == 2

    def test_someone_elses_order_is_not_found(self, api, make_user):
        order, _ = services.order_create(user=make_user("alice"), ticker="ACME", side="buy", volume=1)
        response = api(make_user("bob")).get(f"/api/trading/orders/{order.id}/")
        assert response.status_code == 404 and response.json()["code"] == "order_not_found"


@pytest.mark.django_db
def test_any_wallet_refusal_at_settlement_rejects_the_order_with_its_code(alice, acme):
    order, _ = services.order_create(user=alice, ticker="ACME", side="buy", volume=10)
    # The price rises after acceptance: price x volume is now beyond what the wallet can move.
    later = timezone.now() + timedelta(seconds=1)
    services.bars_ingest(bars=[bar("ACME", "1000000000000000.00", volume=500, at=later)])
    (placed,) = Event.objects.filter(kind="trading.order_placed", data__order_id=str(order.id))
    settle(placed)  # what the relay runs: it must finish the order, not raise on every attempt
    order.refresh_from_db()
    assert (order.status, order.reason, order.amount) == ("rejected", "invalid_amount", None)
    assert selectors.trader_balance(user=alice) == Decimal("1000.00")
