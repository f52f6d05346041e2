"""100 concurrent sells of a holding of 10 shares (volume 1 each): exactly 10 settle, never negative, cash exact."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from django_trading import selectors, services
from django_trading.models import Holding, Order, Stock
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


def _blocked_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0] > 0


def _while_an_ingest_holds_the_stock(ingest_bars, then):
    """Run ``then()`` in a thread while another thread's ingest of ``ingest_bars`` holds the stock
    row lock uncommitted; commit once ``then`` waits on that lock. Returns what ``then`` returned."""
    locked, release, outcome = threading.Event(), threading.Event(), {}

    def hold():
        try:
            with transaction.atomic():
                services.bars_ingest(bars=ingest_bars)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    def run():
        try:
            outcome["value"] = then()
        finally:
            connection.close()

    holder, waiter = threading.Thread(target=hold), threading.Thread(target=run)
    holder.start()
    assert locked.wait(30)
    waiter.start()
    try:
        wait_for(_blocked_on_a_lock, timeout=10)
    finally:
        release.set()
        holder.join()
        waiter.join()
    return outcome["value"]


@pytest.mark.django_db(transaction=True)
def test_settlement_that_waited_for_an_ingest_fills_at_its_new_price(make_user):
    """After waiting for the stock lock, READ COMMITTED re-reads only the locked row (EvalPlanQual):
    a latest bar joined in the same statement came back NULL and the order was rejected as
    unknown_ticker (seen as a flaky limit-order test). Settlement must fill at the committed bar."""
    user = make_user("alice")
    services.trader_fund(username="alice", amount=Decimal("100.00"))
    services.bars_ingest(bars=[bar("ACME", "10.00", volume=1000)])
    order = Order.objects.create(user=user, ticker="ACME", side="buy", volume=2)
    settled = _while_an_ingest_holds_the_stock(
        [bar("ACME", "8.00", volume=500, at=timezone.now() + timedelta(seconds=1))],
        lambda: services.order_settle(order_id=order.id))
    assert (settled.status, settled.reason, settled.price) == ("settled", "", Decimal("8.00"))
    assert selectors.trader_balance(user=user) == Decimal("84.00")


@pytest.mark.django_db(transaction=True)
def test_a_limit_order_placed_while_an_ingest_moves_the_price_is_judged_on_the_new_price(make_user):
    """The price moves from 8.00 to 10.00 while the order waits for the stock lock: a buy limited
    at 9.00 no longer crosses, so it rests (with the stale read it was taken as marketable)."""
    user = make_user("alice")
    services.trader_fund(username="alice", amount=Decimal("100.00"))
    services.bars_ingest(bars=[bar("ACME", "8.00")])
    order, _ = _while_an_ingest_holds_the_stock(
        [bar("ACME", "10.00", at=timezone.now() + timedelta(seconds=1))],
        lambda: services.order_create(user=user, ticker="ACME", side="buy", volume=2, order_type="limit",
                                      limit_price=Decimal("9.00")))
    assert order.status == "resting"


@pytest.mark.django_db(transaction=True)
def test_an_older_bar_ingested_concurrently_never_replaces_the_newer_price():
    now = timezone.now()
    services.bars_ingest(bars=[bar("ACME", "10.00", at=now)])
    _while_an_ingest_holds_the_stock(
        [bar("ACME", "12.00", volume=700, at=now + timedelta(seconds=2))],
        lambda: services.bars_ingest(bars=[bar("ACME", "11.00", at=now + timedelta(seconds=1))]))
    stock = Stock.objects.select_related("latest_bar").get(ticker="ACME")
    assert (stock.latest_bar.close, stock.volume) == (Decimal("12.00"), 700)
