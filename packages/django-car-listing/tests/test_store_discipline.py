"""On django-tenants every store is a schema holding its own copy of every car_listing table, so a
query of a public-only table (index, saved cars, interactions, stats, purchase notices) made while a
dealer's store is active would silently hit the dealer's empty copy. This test runs whole flows from a
dealer's host with a STORE_CONTEXT that tracks the active store, and fails on any such query."""
import re
from decimal import Decimal

import pytest
from django.db import connection

from django_car_listing import services
from tests import stores
from tests.conftest import make_vin

PUBLIC_ONLY = ("car_listing_listingindex", "car_listing_savedcar", "car_listing_interaction",
               "car_listing_dailycarstats", "car_listing_purchasenotice")
_TABLE_RE = re.compile(r'"(car_listing_[a-z]+)"')


@pytest.fixture
def strict_stores(settings):
    settings.CAR_LISTING_STORE_CONTEXT = "tests.stores.tracking_context"
    violations = []

    def check(execute, sql, params, many, context):
        tables = set(_TABLE_RE.findall(sql))
        bad = tables & set(PUBLIC_ONLY)
        if bad and stores.active_store() != "":
            violations.append((stores.active_store(), sorted(bad), sql[:120]))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(check):
        yield violations


@pytest.mark.django_db
def test_dealer_host_flows_touch_public_tables_only_in_public(strict_stores, make_user, fund, staff, api):
    manager = make_user(perms=["car_listing.add_car", "car_listing.change_car"])
    seller, buyer = make_user(), make_user()
    fund(buyer, "50000.00")
    fund(seller, "100.00")
    # A private seller's car, created on the marketplace.
    public_car = services.car_create(actor=seller, store_key="", make="Ford", model="Focus", year=2017,
                                     price=Decimal("3000.00"), vin=make_vin())
    services.car_verify(actor=staff, store_key="", car_id=public_car.pk)
    services.car_put_on_sale(actor=seller, store_key="", car_id=public_car.pk)
    services.car_feature(actor=seller, store_key="", car_id=public_car.pk, days=1)

    stores.set_current_store("dealer1")  # from here on, requests come from dealer1's host
    r = api(manager).post("/api/cars/", {"make": "Skoda", "model": "Octavia", "year": 2020, "price": "9000.00",
                                         "vin": make_vin()}, format="json")
    car_id = r.json()["id"]
    assert api(staff).post(f"/api/cars/{car_id}/verify/").status_code == 200
    assert api(manager).post(f"/api/cars/{car_id}/put-on-sale/").status_code == 200
    assert api().get("/api/cars/").json()["count"] == 1
    assert api(buyer).post(f"/api/cars/{car_id}/track/", {"kind": "view"}, format="json").status_code == 200
    assert api(buyer).post(f"/api/cars/{car_id}/save/").status_code == 201
    assert api(manager).get(f"/api/cars/{car_id}/analytics/").status_code == 200
    assert api(buyer).get("/api/cars/saved/").json()["count"] == 1
    assert api(buyer).post(f"/api/cars/{car_id}/buy/").status_code == 201
    assert api(buyer).post(f"/api/cars/{public_car.pk}/buy/?store=").status_code == 201
    assert api(buyer).get("/api/cars/purchases/").json()["count"] == 2
    services.featured_expire()
    assert strict_stores == []
