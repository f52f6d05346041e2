"""A cache outage after a settlement committed: the trade is still announced (the cache bump is best effort)."""
import logging
from decimal import Decimal

import pytest

from django_trading import services, signals

from .conftest import bar

DEAD_CACHE = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": "redis://127.0.0.1:1/0"}}


@pytest.mark.django_db
def test_settlement_with_the_cache_down_still_announces_the_trade(settings, make_user, caplog,
                                                                  django_capture_on_commit_callbacks):
    alice = make_user("alice")
    services.trader_fund(username="alice", amount=Decimal("100.00"))
    services.bars_ingest(bars=[bar("ACME", "10.00")])
    order, _ = services.order_create(user=alice, ticker="ACME", side="buy", volume=3)
    settings.CACHES = DEAD_CACHE
    settings.TRADING_CACHE_ALIAS = "default"
    announced = []

    def on_settled(sender, order, **kwargs):
        announced.append(order.pk)

    signals.trade_settled.connect(on_settled, weak=False)
    try:
        with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
            settled = services.order_settle(order_id=order.pk)
    finally:
        signals.trade_settled.disconnect(on_settled)
    assert settled.status == "settled" and announced == [order.pk]
    assert "cache generation bump failed" in caplog.text  # the dead cache really was tried


@pytest.mark.django_db(transaction=True)
def test_cached_reads_with_the_cache_down_come_from_the_database(settings, api, make_user, caplog):
    services.bars_ingest(bars=[bar("ACME", "10.00")])
    reader = api(make_user("reader"))
    settings.CACHES = DEAD_CACHE
    settings.TRADING_CACHE_ALIAS = "default"
    with caplog.at_level(logging.WARNING):
        listed = reader.get("/api/trading/stocks/")
        detail = reader.get("/api/trading/stocks/ACME/")
    assert listed.status_code == 200 and [s["ticker"] for s in listed.data["results"]] == ["ACME"]
    assert detail.status_code == 200 and detail.data["price"] == "10.00"
    assert "cache unavailable, read from the database" in caplog.text  # the dead cache really was tried
