"""Query counts of list endpoints stay bounded however many rows they show; invariants held by the database."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.utils import timezone

from django_trading import services
from django_trading.models import Holding, Order, Stock

from .conftest import bar


@pytest.mark.django_db
def test_stock_list_and_detail_uncached_are_bounded(api, make_user, django_assert_max_num_queries):
    now = timezone.now()
    bars = [bar(f"S{i}", "10.00", at=now - timedelta(minutes=m)) for i in range(30) for m in range(5)]
    services.bars_ingest(bars=bars)
    client = api(make_user())
    with django_assert_max_num_queries(2):  # count + one page with the latest bars joined
        response = client.get("/api/trading/stocks/?page_size=100")
    assert response.data["count"] == 30 and len(response.data["results"]) == 30
    with django_assert_max_num_queries(2):  # the stock with its latest bar + the recent bars
        assert len(client.get("/api/trading/stocks/S3/").data["recent_bars"]) == 5


@pytest.mark.django_db
def test_trader_detail_uncached_is_bounded(api, make_user, django_assert_max_num_queries):
    alice = make_user("alice")
    services.trader_fund(username="alice", amount=Decimal("1000.00"))
    services.bars_ingest(bars=[bar(f"S{i}", "10.00") for i in range(20)])
    for stock in Stock.objects.all():
        Holding.objects.create(user=alice, stock=stock, quantity=2, cost_basis=Decimal("18.00"))
    with django_assert_max_num_queries(8):
        response = api(alice).get("/api/trading/users/alice/")
    assert len(response.data["holdings"]) == 20
    assert response.data["holdings"][0]["unrealised_pnl"] == "2.00"
    assert response.data["holdings"][0]["average_cost"] == "9.0000"


@pytest.mark.django_db
def test_holding_quantity_can_never_go_negative_in_the_database(make_user):
    services.bars_ingest(bars=[bar()])
    holding = Holding.objects.create(user=make_user(), stock=Stock.objects.get(), quantity=1)
    with pytest.raises(IntegrityError):
        Holding.objects.filter(pk=holding.pk).update(quantity=-1)


@pytest.mark.django_db
def test_order_invariants_in_the_database(make_user):
    user = make_user()
    with pytest.raises(IntegrityError):
        Order.objects.create(user=user, ticker="ACME", side="buy", volume=1, order_type="limit", limit_price=None)
