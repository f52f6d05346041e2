from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from django_trading import services
from django_trading.errors import BarConflict, ImmutableBar, InvalidBar
from django_trading.models import PriceBar, Stock

from .conftest import bar

URL = "/api/trading/stocks/"


@pytest.fixture
def ingester(api, staff):
    return api(staff)


@pytest.mark.django_db
class TestIngestApi:
    def test_seed_shaped_single_bar(self, ingester):
        body = {"ticker": "AAPL", "open_price": "150.00", "close_price": "152.50", "high": "153.00", "low": "149.00",
                "volume": 1000}
        response = ingester.post(URL, body, format="json")
        assert response.status_code == 201, response.data
        assert response.data["created"] == 1
        stock = Stock.objects.select_related("latest_bar").get(ticker="AAPL")
        assert stock.price == Decimal("152.50") and stock.volume == 1000

    def test_bulk_list_is_one_transaction_with_bounded_queries(self, ingester, django_assert_max_num_queries):
        start = timezone.now() - timedelta(days=10)
        bars = [{"ticker": f"T{i % 5}", "open": "10.00", "high": "11.00", "low": "9.00", "close": f"10.{i % 7}0",
                 "volume": i, "timestamp": (start + timedelta(minutes=i)).isoformat()} for i in range(3000)]
        with django_assert_max_num_queries(15):
            response = ingester.post(URL, bars, format="json")
        assert response.status_code == 201, response.data
        assert response.data["created"] == 3000
        assert PriceBar.objects.count() == 3000
        latest = Stock.objects.select_related("latest_bar").get(ticker="T4")
        assert latest.latest_bar.volume == 2999 and latest.volume == 2999

    @pytest.mark.parametrize("change, field", [
        ({"ticker": "aapl"}, "ticker"), ({"ticker": "TOOLONGTICKER"}, "ticker"), ({"ticker": "1ABC"}, "ticker"),
        ({"open": "10.001"}, "open"), ({"close": "NaN"}, "close"), ({"high": "Infinity"}, "high"),
        ({"low": "-1.00"}, "low"), ({"volume": -5}, "volume"), ({"timestamp": "yesterday"}, "timestamp"),
    ])
    def test_field_refusals(self, ingester, change, field):
        body = {"ticker": "ACME", "open": "10.00", "high": "11.00", "low": "9.00", "close": "10.50", "volume": 5,
                **change}
        response = ingester.post(URL, body, format="json")
        assert response.status_code == 400
        # A bad price fails as any bad amount does (the kernel's AmountField); other fields as validation errors.
        code = "invalid_amount" if field in ("open", "high", "low", "close") else "validation_error"
        assert response.data["code"] == code and field in response.data["fields"]
        assert not PriceBar.objects.exists()

    @pytest.mark.parametrize("prices", [
        {"open": "12.00", "high": "11.00", "low": "9.00", "close": "10.00"},  # open above high
        {"open": "10.00", "high": "11.00", "low": "9.00", "close": "8.00"},  # close below low
        {"open": "10.00", "high": "9.00", "low": "9.50", "close": "9.50"},  # low above high
    ])
    def test_inconsistent_ohlc_refused_with_code(self, ingester, prices):
        response = ingester.post(URL, {"ticker": "ACME", "volume": 5, **prices}, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_bar"

    def test_one_bad_bar_refuses_the_whole_list(self, ingester):
        good = {"ticker": "ACME", "open": "10.00", "high": "11.00", "low": "9.00", "close": "10.00", "volume": 1,
                "timestamp": "2026-01-01T10:00:00Z"}
        bad = {**good, "timestamp": "2026-01-01T10:01:00Z", "low": "12.00"}
        assert ingester.post(URL, [good, bad], format="json").status_code == 400
        assert not PriceBar.objects.exists()

    def test_same_bar_twice_is_skipped_a_different_one_conflicts(self, ingester):
        body = {"ticker": "ACME", "open": "10.00", "high": "11.00", "low": "9.00", "close": "10.00", "volume": 1,
                "timestamp": "2026-01-01T10:00:00Z"}
        assert ingester.post(URL, body, format="json").data["created"] == 1
        again = ingester.post(URL, body, format="json")
        assert again.status_code == 201 and again.data == {**again.data, "created": 0, "duplicates": 1}
        changed = ingester.post(URL, {**body, "close": "10.50"}, format="json")
        assert changed.status_code == 409 and changed.json()["code"] == "bar_conflict"
        assert PriceBar.objects.get().close == Decimal("10.00")

    def test_too_many_bars_refused(self, ingester, settings):
        settings.TRADING_MAX_BARS_PER_REQUEST = 3
        bars = [{"ticker": "ACME", "open": "1.00", "high": "1.00", "low": "1.00", "close": "1.00", "volume": 1,
                 "timestamp": f"2026-01-01T10:0{i}:00Z"} for i in range(4)]
        response = ingester.post(URL, bars, format="json")
        assert response.status_code == 400 and response.json()["code"] == "invalid_bar"
        assert ingester.post(URL, bars[:3], format="json").status_code == 201

    def test_repeat_within_one_request_refused(self, ingester):
        body = {"ticker": "ACME", "open": "10.00", "high": "11.00", "low": "9.00", "close": "10.00", "volume": 1,
                "timestamp": "2026-01-01T10:00:00Z"}
        response = ingester.post(URL, [body, body], format="json")
        assert response.status_code == 400 and response.json()["code"] == "invalid_bar"

    def test_older_bar_does_not_move_the_price(self, ingester):
        now = timezone.now()
        services.bars_ingest(bars=[bar(close="20.00", at=now)])
        services.bars_ingest(bars=[bar(close="5.00", at=now - timedelta(hours=1))])
        assert Stock.objects.select_related("latest_bar").get().price == Decimal("20.00")

    def test_permissions(self, api, make_user):
        body = {"ticker": "ACME", "open": "10.00", "high": "11.00", "low": "9.00", "close": "10.00", "volume": 1}
        assert api().post(URL, body, format="json").status_code in (401, 403)
        trader = make_user("trader")
        assert api(trader).post(URL, body, format="json").status_code == 403
        from django.contrib.auth.models import Permission
        trader.user_permissions.add(Permission.objects.get(codename="ingest_prices"))
        trader = type(trader).objects.get(pk=trader.pk)
        assert api(trader).post(URL, body, format="json").status_code == 201
        assert api().get(URL).status_code in (401, 403)


@pytest.mark.django_db
class TestBarsImmutable:
    def test_model_and_queryset_refuse(self):
        services.bars_ingest(bars=[bar()])
        row = PriceBar.objects.get()
        row.close = Decimal("1.00")
        with pytest.raises(ImmutableBar):
            row.save()
        with pytest.raises(ImmutableBar):
            row.delete()
        with pytest.raises(ImmutableBar):
            PriceBar.objects.update(close=Decimal("1.00"))
        with pytest.raises(ImmutableBar):
            PriceBar.objects.all().delete()

    def test_database_refuses_raw_update_and_delete(self):
        services.bars_ingest(bars=[bar()])
        for sql in ("UPDATE trading_pricebar SET close = 1", "DELETE FROM trading_pricebar"):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
        assert PriceBar.objects.get().close == Decimal("10.00")

    def test_service_validates_without_the_api(self):
        with pytest.raises(InvalidBar):
            services.bars_ingest(bars=[{**bar(), "close": Decimal("10.005")}])
        with pytest.raises(InvalidBar):
            services.bars_ingest(bars=[{**bar(), "open": 10.0}])  # floats are refused
        with pytest.raises(InvalidBar):
            services.bars_ingest(bars=[])
        at = timezone.now()
        services.bars_ingest(bars=[bar(at=at)])
        with pytest.raises(BarConflict):
            services.bars_ingest(bars=[bar(close="11.00", at=at)])
