"""Cached reads: a second read makes no database query; an ingest invalidates; a read after it is fresh.

Transactional tests: the cache versions are bumped on commit, as in production."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from django_trading import services

from .conftest import bar


@pytest.fixture
def reader(api, make_user):
    return api(make_user("reader"))


@pytest.mark.django_db(transaction=True)
class TestStockCache:
    def test_detail_second_read_hits_redis_only(self, reader, django_assert_num_queries):
        services.bars_ingest(bars=[bar("ACME", "10.00")])
        first = reader.get("/api/trading/stocks/ACME/")
        assert first.status_code == 200 and first.data["price"] == "10.00"
        with django_assert_num_queries(0):
            second = reader.get("/api/trading/stocks/ACME/")
        assert second.data == first.data

    def test_list_second_read_hits_redis_only(self, reader, django_assert_num_queries):
        services.bars_ingest(bars=[bar("ACME", "10.00"), bar("BETA", "20.00")])
        first = reader.get("/api/trading/stocks/")
        assert [s["ticker"] for s in first.data["results"]] == ["ACME", "BETA"]
        with django_assert_num_queries(0):
            assert reader.get("/api/trading/stocks/").data == first.data

    def test_ingest_invalidates_and_next_read_sees_the_new_bar(self, reader, django_assert_num_queries):
        now = timezone.now()
        services.bars_ingest(bars=[bar("ACME", "10.00", at=now)])
        assert reader.get("/api/trading/stocks/ACME/").data["price"] == "10.00"
        assert reader.get("/api/trading/stocks/").data["results"][0]["price"] == "10.00"
        services.bars_ingest(bars=[bar("ACME", "12.34", at=now + timedelta(minutes=1), volume=77)])
        detail = reader.get("/api/trading/stocks/ACME/").data
        assert detail["price"] == "12.34" and detail["volume"] == 77
        assert detail["recent_bars"][0]["close"] == "12.34"
        assert reader.get("/api/trading/stocks/").data["results"][0]["price"] == "12.34"
        with django_assert_num_queries(0):
            assert reader.get("/api/trading/stocks/ACME/").data["price"] == "12.34"

    def test_read_right_after_api_ingest_is_fresh(self, reader, api, staff):
        ingest = api(staff)
        body = {"ticker": "ACME", "open": "10.00", "high": "10.00", "low": "10.00", "close": "10.00", "volume": 1,
                "timestamp": "2026-01-01T10:00:00Z"}
        ingest.post("/api/trading/stocks/", body, format="json")
        assert reader.get("/api/trading/stocks/ACME/").data["price"] == "10.00"
        for minute, price in enumerate(["11.00", "9.50", "13.25"], start=1):
            ingest.post("/api/trading/stocks/", {**body, "close": price, "high": "20.00", "low": "1.00",
                                                "timestamp": f"2026-01-01T10:0{minute}:00Z"}, format="json")
            assert reader.get("/api/trading/stocks/ACME/").data["price"] == price
            assert reader.get("/api/trading/stocks/").data["results"][0]["price"] == price

    def test_unknown_ticker_404_and_not_cached_as_a_stock(self, reader):
        response = reader.get("/api/trading/stocks/NOPE/")
        assert response.status_code == 404 and response.json()["code"] == "unknown_ticker"
        services.bars_ingest(bars=[bar("NOPE", "1.00")])
        assert reader.get("/api/trading/stocks/NOPE/").status_code == 200

    def test_evicted_version_key_never_resurrects_an_old_payload(self, reader):
        from django.core.cache import caches

        from django_trading import cache, conf
        now = timezone.now()
        services.bars_ingest(bars=[bar("ACME", "10.00", at=now)])
        assert reader.get("/api/trading/stocks/ACME/").data["price"] == "10.00"
        caches[conf.get("TRADING_CACHE_ALIAS")].delete("trading:ver:" + cache.stock("ACME"))
        services.bars_ingest(bars=[bar("ACME", "11.00", at=now + timedelta(seconds=1))])
        assert reader.get("/api/trading/stocks/ACME/").data["price"] == "11.00"


@pytest.mark.django_db(transaction=True)
class TestTraderCache:
    def test_second_read_hits_redis_only_and_funding_invalidates(self, api, make_user, django_assert_num_queries):
        alice = make_user("alice")
        services.trader_fund(username="alice", amount=Decimal("100.00"))
        client = api(alice)
        assert client.get("/api/trading/users/alice/").data["balance"] == "100.00"
        with django_assert_num_queries(0):
            assert client.get("/api/trading/users/alice/").data["balance"] == "100.00"
        services.trader_fund(username="alice", amount=Decimal("0.50"))
        assert client.get("/api/trading/users/alice/").data["balance"] == "100.50"
