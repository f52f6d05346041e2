"""Limit orders rest until an ingested bar crosses them, then settle once through the same task."""
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from django_trading import services
from django_trading.models import Holding, Order
from django_wallet import selectors as wallet_selectors
from django_wallet.models import Transaction as WalletTransaction

from .conftest import bar, wait_for

URL = "/api/trading/transactions/"


def later(seconds):
    return timezone.now() + timedelta(seconds=seconds)


@pytest.fixture
def alice(make_user):
    user = make_user("alice")
    services.trader_fund(username="alice", amount=Decimal("1000.00"))
    services.bars_ingest(bars=[bar("ACME", "10.00", volume=1000)])
    return user


def limit_buy(client, price, volume=5):
    response = client.post(URL, {"ticker": "ACME", "transaction_type": "buy", "transaction_volume": volume,
                                 "order_type": "limit", "limit_price": price}, format="json")
    assert response.status_code == 202, response.data
    return response.data


def trading_transfers(order):
    """Wallet transactions that paid for ``order`` (a transfer, or the capture of a resting buy's hold)."""
    return WalletTransaction.objects.filter(metadata__trading_order=str(order.id)).count()


def cash(user):
    """(balance, available) of the user's trading account."""
    account = services.trader_account(user)
    return wallet_selectors.balance(account), wallet_selectors.available_balance(account)


def market(client, side, volume):
    response = client.post(URL, {"ticker": "ACME", "transaction_type": side, "transaction_volume": volume},
                           format="json")
    assert response.status_code == 202, response.data
    return wait_for(lambda: (o := Order.objects.get(pk=response.data["transaction_id"])).status != "pending" and o)


@pytest.mark.django_db(transaction=True)
class TestLimitOrders:
    def test_rests_then_settles_once_when_a_bar_crosses(self, api, alice, worker):
        data = limit_buy(api(alice), "9.00")
        assert data["status"] == "resting"
        services.bars_ingest(bars=[bar("ACME", "9.50", low="9.10", at=later(1))])  # not low enough
        assert Order.objects.get(pk=data["transaction_id"]).status == "resting"
        result = services.bars_ingest(bars=[bar("ACME", "9.40", low="8.90", high="9.60", at=later(2))])
        assert [str(i) for i in result.triggered_orders] == [data["transaction_id"]]
        order = wait_for(lambda: (o := Order.objects.get(pk=data["transaction_id"])).status == "settled" and o)
        # Never worse than the limit: the close (9.40) is above it, so it fills at 9.00.
        assert (order.price, order.amount) == (Decimal("9.00"), Decimal("45.00"))
        assert trading_transfers(order) == 1 and Holding.objects.get(user=alice).quantity == 5

    def test_two_crossing_bars_in_one_ingest_settle_it_once(self, api, alice, worker):
        data = limit_buy(api(alice), "9.00")
        result = services.bars_ingest(bars=[bar("ACME", "8.50", at=later(1)), bar("ACME", "8.80", at=later(2))])
        assert len(result.triggered_orders) == 1
        order = wait_for(lambda: (o := Order.objects.get(pk=data["transaction_id"])).status == "settled" and o)
        assert order.price == Decimal("8.80")  # the latest close, better than the limit
        assert trading_transfers(order) == 1 and Holding.objects.get(user=alice).quantity == 5

    def test_two_concurrent_crossing_ingests_settle_it_once(self, api, alice, worker):
        data = limit_buy(api(alice), "9.00")
        barrier = threading.Barrier(2)
        triggered = []

        def ingest(ticks):
            try:
                barrier.wait()
                triggered.extend(services.bars_ingest(bars=[bar("ACME", "8.00", at=later(ticks))]).triggered_orders)
            finally:
                connection.close()

        threads = [threading.Thread(target=ingest, args=(n,)) for n in (1, 2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(triggered) == 1  # exactly one ingest flipped it from resting to pending
        order_id = data["transaction_id"]
        order = wait_for(lambda: (o := Order.objects.get(pk=order_id)).status in {"settled", "rejected"} and o)
        assert order.status == "settled", order.reason
        assert trading_transfers(order) == 1 and Holding.objects.get(user=alice).quantity == 5

    def test_limit_sell_rests_and_crosses_on_the_high(self, api, alice, worker):
        client = api(alice)
        buy = client.post(URL, {"ticker": "ACME", "transaction_type": "buy", "transaction_volume": 3}, format="json")
        wait_for(lambda: Order.objects.get(pk=buy.data["transaction_id"]).status == "settled")
        sell = client.post(URL, {"ticker": "ACME", "transaction_type": "sell", "transaction_volume": 3,
                                 "order_type": "limit", "limit_price": "12.00"}, format="json").data
        assert sell["status"] == "resting"
        services.bars_ingest(bars=[bar("ACME", "11.00", high="12.10", at=later(1))])
        order = wait_for(lambda: (o := Order.objects.get(pk=sell["transaction_id"])).status == "settled" and o)
        assert order.price == Decimal("12.00")
        holding = Holding.objects.get(user=alice)
        assert (holding.quantity, holding.cost_basis, holding.realised_pnl) == (0, Decimal("0.00"), Decimal("6.00"))

    def test_marketable_limit_settles_at_once(self, api, alice, worker):
        data = limit_buy(api(alice), "11.00")
        assert data["status"] == "pending"
        order = wait_for(lambda: (o := Order.objects.get(pk=data["transaction_id"])).status == "settled" and o)
        assert order.price == Decimal("10.00")

    def test_backfilled_old_bars_do_not_cross(self, api, alice):
        data = limit_buy(api(alice), "9.00")
        result = services.bars_ingest(bars=[bar("ACME", "5.00", at=timezone.now() - timedelta(days=1))])
        assert result.triggered_orders == []
        assert Order.objects.get(pk=data["transaction_id"]).status == "resting"


@pytest.mark.django_db(transaction=True)
class TestCancel:
    def test_cancel_resting(self, api, alice, make_user, staff, worker):
        client = api(alice)
        data = limit_buy(client, "9.00")
        cancel_url = f"/api/trading/orders/{data['transaction_id']}/cancel/"
        assert api(make_user("bob")).post(cancel_url).status_code == 404
        assert api(staff).post(cancel_url).status_code == 404  # staff may look, only the owner cancels
        response = client.post(cancel_url)
        assert response.status_code == 200 and response.data["status"] == "cancelled"
        again = client.post(cancel_url)
        assert again.status_code == 409 and again.json()["code"] == "order_not_cancellable"
        # A cancelled order is never triggered.
        assert services.bars_ingest(bars=[bar("ACME", "1.00", at=later(1))]).triggered_orders == []

    def test_market_order_not_cancellable(self, api, alice, worker):
        client = api(alice)
        data = client.post(URL, {"ticker": "ACME", "transaction_type": "buy", "transaction_volume": 1},
                           format="json").data
        response = client.post(f"/api/trading/orders/{data['transaction_id']}/cancel/")
        assert response.status_code == 409 and response.json()["code"] == "order_not_cancellable"


@pytest.mark.django_db(transaction=True)
class TestReservations:
    """A resting order sets aside what it will need: cash held in the wallet, shares reserved on the holding."""

    def test_resting_buy_holds_cash_and_a_fill_captures_only_its_price(self, api, alice, worker):
        data = limit_buy(api(alice), "9.00", volume=10)
        assert cash(alice) == (Decimal("1000.00"), Decimal("910.00"))
        services.bars_ingest(bars=[bar("ACME", "8.50", at=later(1))])
        order = wait_for(lambda: (o := Order.objects.get(pk=data["transaction_id"])).status == "settled" and o)
        assert order.amount == Decimal("85.00") and trading_transfers(order) == 1
        assert cash(alice) == (Decimal("915.00"), Decimal("915.00"))  # the 5.00 not spent is free again

    def test_resting_buy_beyond_available_cash_is_refused_at_once(self, api, alice):
        client = api(alice)
        limit_buy(client, "9.00", volume=100)  # holds 900.00 of 1000.00
        response = client.post(URL, {"ticker": "ACME", "transaction_type": "buy", "transaction_volume": 20,
                                     "order_type": "limit", "limit_price": "9.00"}, format="json")
        assert response.status_code == 409 and response.json()["code"] == "insufficient_funds"
        assert Order.objects.filter(user=alice).count() == 1
        assert cash(alice) == (Decimal("1000.00"), Decimal("100.00"))

    def test_market_buy_cannot_spend_cash_held_for_a_resting_buy(self, api, alice, worker):
        client = api(alice)
        limit_buy(client, "9.00", volume=100)
        order = market(client, "buy", 20)  # 200.00 at 10.00, only 100.00 free
        assert (order.status, order.reason) == ("rejected", "insufficient_funds")
        assert cash(alice) == (Decimal("1000.00"), Decimal("100.00"))

    def test_cancelling_a_resting_buy_releases_its_hold(self, api, alice):
        client = api(alice)
        data = limit_buy(client, "9.00", volume=10)
        assert client.post(f"/api/trading/orders/{data['transaction_id']}/cancel/").status_code == 200
        assert cash(alice) == (Decimal("1000.00"), Decimal("1000.00"))

    def test_resting_sell_reserves_its_shares(self, api, alice, worker):
        client = api(alice)
        market(client, "buy", 5)
        sell = client.post(URL, {"ticker": "ACME", "transaction_type": "sell", "transaction_volume": 3,
                                 "order_type": "limit", "limit_price": "12.00"}, format="json").data
        assert sell["status"] == "resting"
        assert (Holding.objects.get(user=alice).quantity, Holding.objects.get(user=alice).reserved) == (5, 3)
        # Only the 2 free shares can be sold by another order, resting or not.
        refused = client.post(URL, {"ticker": "ACME", "transaction_type": "sell", "transaction_volume": 3,
                                    "order_type": "limit", "limit_price": "13.00"}, format="json")
        assert refused.status_code == 409 and refused.json()["code"] == "insufficient_holdings"
        assert (market(client, "sell", 3).status, Order.objects.get(pk=sell["transaction_id"]).status) == \
            ("rejected", "resting")
        assert market(client, "sell", 2).status == "settled"
        services.bars_ingest(bars=[bar("ACME", "11.00", high="12.50", at=later(1))])
        order = wait_for(lambda: (o := Order.objects.get(pk=sell["transaction_id"])).status == "settled" and o)
        assert order.price == Decimal("12.00")
        holding = Holding.objects.get(user=alice)
        assert (holding.quantity, holding.reserved) == (0, 0)

    def test_cancelling_a_resting_sell_frees_its_shares(self, api, alice, worker):
        client = api(alice)
        market(client, "buy", 5)
        sell = client.post(URL, {"ticker": "ACME", "transaction_type": "sell", "transaction_volume": 5,
                                 "order_type": "limit", "limit_price": "12.00"}, format="json").data
        assert client.post(f"/api/trading/orders/{sell['transaction_id']}/cancel/").status_code == 200
        assert Holding.objects.get(user=alice).reserved == 0
        assert market(client, "sell", 5).status == "settled"

    def test_a_rejected_resting_buy_gives_its_hold_back(self, api, alice, worker):
        data = limit_buy(api(alice), "9.00", volume=10)
        # The crossing bar leaves only 4 shares to trade: the buy is rejected and must not keep the cash.
        services.bars_ingest(bars=[bar("ACME", "8.00", volume=4, at=later(1))])
        order = wait_for(lambda: (o := Order.objects.get(pk=data["transaction_id"])).status == "rejected" and o)
        assert order.reason == "insufficient_volume"
        assert cash(alice) == (Decimal("1000.00"), Decimal("1000.00"))

    def test_trader_view_shows_what_resting_orders_set_aside(self, api, alice, worker):
        client = api(alice)
        market(client, "buy", 5)
        before = client.get("/api/trading/users/alice/").data  # cached; placing orders must refresh it
        assert (before["available_balance"], before["holdings"][0]["reserved"]) == ("950.00", 0)
        limit_buy(client, "9.00", volume=10)
        client.post(URL, {"ticker": "ACME", "transaction_type": "sell", "transaction_volume": 2,
                          "order_type": "limit", "limit_price": "12.00"}, format="json")
        after = client.get("/api/trading/users/alice/").data
        assert (after["balance"], after["available_balance"]) == ("950.00", "860.00")
        assert after["holdings"][0]["reserved"] == 2
