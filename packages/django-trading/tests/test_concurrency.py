"""100 concurrent sells of a holding of 10 shares (volume 1 each): exactly 10 settle, never negative, cash exact."""
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from django_trading import selectors, services
from django_trading.models import Holding, Order
from django_wallet import selectors as wallet_selectors
from django_wallet import services as wallet

from .conftest import bar, wait_for

THREADS = 12


@pytest.fixture
def seller(make_user):
    """alice holds 10 ACME bought at 10.00 and has 0.00 cash left."""
    user = make_user("alice")
    services.trader_fund(username="alice", amount=Decimal("100.00"))
    services.bars_ingest(bars=[bar("ACME", "10.00", volume=1000)])
    order = Order.objects.create(user=user, ticker="ACME", side="buy", volume=10)
    assert services.order_settle(order_id=order.id).status == "settled"
    assert selectors.trader_balance(user=user) == Decimal("0.00")
    return user


def assert_exactly_ten_sold(user, market_before):
    orders = Order.objects.filter(user=user, side="sell")
    assert orders.count() == 100
    assert orders.filter(status="settled").count() == 10
    assert orders.filter(status="rejected", reason="insufficient_holdings").count() == 90
    holding = Holding.objects.get(user=user)
    assert (holding.quantity, holding.cost_basis, holding.realised_pnl) == (0, Decimal("0.00"), Decimal("0.00"))
    assert selectors.trader_balance(user=user) == Decimal("100.00")
    assert wallet_selectors.balance(wallet.system_account("market")) == market_before - Decimal("100.00")


@pytest.mark.django_db(transaction=True)
def test_concurrent_settlement_of_100_sells(seller):
    """Settlement itself under contention: 12 threads settle 100 pending sells at the same moment."""
    market_before = wallet_selectors.balance(wallet.system_account("market"))
    ids = [Order.objects.create(user=seller, ticker="ACME", side="sell", volume=1).id for _ in range(100)]
    barrier = threading.Barrier(THREADS)

    def settle(chunk):
        try:
            barrier.wait()
            for order_id in chunk:
                services.order_settle(order_id=order_id)
                # Redelivery of the same message has no second effect.
                services.order_settle(order_id=order_id)
        finally:
            connection.close()

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(settle, [ids[i::THREADS] for i in range(THREADS)]))
    assert_exactly_ten_sold(seller, market_before)


@pytest.mark.django_db(transaction=True)
def test_100_concurrent_sell_requests_through_the_api_and_worker(seller, api, worker):
    """The full path: 100 POSTs from concurrent clients, settled by the real worker."""
    market_before = wallet_selectors.balance(wallet.system_account("market"))
    barrier = threading.Barrier(THREADS)
    body = {"ticker": "ACME", "transaction_type": "sell", "transaction_volume": 1}

    def post(count):
        client = api(seller)
        try:
            barrier.wait()
            return [client.post("/api/trading/transactions/", body, format="json").status_code for _ in range(count)]
        finally:
            connection.close()

    counts = [100 // THREADS + (1 if i < 100 % THREADS else 0) for i in range(THREADS)]
    with ThreadPoolExecutor(THREADS) as pool:
        codes = [code for chunk in pool.map(post, counts) for code in chunk]
    assert codes == [202] * 100
    wait_for(lambda: not Order.objects.filter(status="pending").exists(), timeout=60)
    assert_exactly_ten_sold(seller, market_before)
