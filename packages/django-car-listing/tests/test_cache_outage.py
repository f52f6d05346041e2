"""A cache outage after a purchase committed: the purchase still succeeds and is announced, and the seller's
e-mail is still enqueued (the marketplace cache's generation bump is best effort)."""
import logging
from decimal import Decimal

import pytest

from django_car_listing import services, signals
from forecourt_core.events.models import Event

DEAD_CACHE = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": "redis://127.0.0.1:1/0"}}


@pytest.mark.django_db
def test_purchase_with_the_cache_down_commits_and_announces(settings, make_user, fund, listed_car, caplog,
                                                            django_capture_on_commit_callbacks):
    seller, buyer = make_user(), make_user()
    fund(buyer, "5000.00")
    car = listed_car(seller, price=Decimal("1000.00"))
    settings.CACHES = DEAD_CACHE
    settings.CAR_LISTING_CACHE_ALIAS = "default"
    announced = []

    def on_purchased(sender, car_id, **kwargs):
        announced.append(car_id)

    signals.car_purchased.connect(on_purchased, weak=False)
    try:
        with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True) as callbacks:
            services.car_buy(buyer=buyer, store_key="", car_id=car.pk)
    finally:
        signals.car_purchased.disconnect(on_purchased)
    assert announced == [car.pk]
    assert len(callbacks) >= 2  # generation bump and car_purchased: both ran
    assert "cache generation bump failed" in caplog.text  # the dead cache really was tried
    assert Event.objects.filter(kind="car_listing.car_purchased", data__car_id=car.pk).count() == 1


@pytest.mark.django_db(transaction=True)
def test_cached_reads_with_the_cache_down_come_from_the_database(settings, make_user, listed_car, api, caplog):
    car = listed_car(make_user(), make="Kia", model="Ceed", price=Decimal("9000.00"))
    settings.CACHES = DEAD_CACHE
    settings.CAR_LISTING_CACHE_ALIAS = "default"
    with caplog.at_level(logging.WARNING):
        search = api().get("/api/cars/", {"make": "Kia"})
        detail = api().get(f"/api/cars/{car.pk}/", {"store": ""})
        facets = api().get("/api/cars/facets/")
    assert search.status_code == 200, search.json()
    assert [row["id"] for row in search.json()["results"]] == [car.pk]
    assert detail.status_code == 200 and detail.json()["price"] == "9000.00"
    assert facets.status_code == 200, facets.json()
    assert "cache unavailable, read from the database" in caplog.text  # the dead cache really was tried
