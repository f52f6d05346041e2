"""OpenAPI schema, /healthz, the demo seed (docker-compose.yml: packaging/test_compose.py)."""
import io

import pytest
import yaml
from django.core.management import call_command

from tests.conftest import host_client


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["localhost", "dealer1.localhost"])
def test_openapi_schema_is_valid(host, make_user):
    from openapi_spec_validator import validate

    response = host_client(host).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    spec = response.json() if response["Content-Type"].startswith("application/") and b"{" in response.content[:2] \
        else yaml.safe_load(response.content)
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert "/api/auth/token/" in spec["paths"]


@pytest.mark.django_db
def test_healthz_reports_database_redis_and_celery():
    body = host_client("localhost").get("/healthz").json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] == "ok"
    assert body["checks"]["celery"] in {"no workers"} or body["checks"]["celery"].startswith("ok (")


def test_healthz_reports_redis_down(settings, db):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = host_client("localhost").get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"].startswith("error")


def _snapshot():
    from django.contrib.auth import get_user_model

    from django_car_listing.models import Car, ListingIndex
    from django_trading.models import PriceBar
    from django_wallet.models import Account, Entry
    from tenancy.models import Dealership, Domain, Membership

    return (
        sorted(get_user_model().objects.values_list("username", flat=True)),
        sorted(Dealership.objects.values_list("slug", flat=True)),
        sorted(Domain.objects.values_list("domain", flat=True)),
        sorted(Membership.objects.values_list("user__username", "role")),
        Account.objects.count(),
        Entry.objects.count(),
        sorted(Car.objects.values_list("vin", flat=True)),
        ListingIndex.objects.count(),
        PriceBar.objects.count(),
        [_in(schema, Car) for schema in ("dealer1", "dealer2")],
    )


def _in(schema, model):
    from django_tenants.utils import schema_context

    with schema_context(schema):
        return sorted(model.objects.values_list("vin", "is_for_sale"))


@pytest.mark.django_db
def test_demo_seed_is_idempotent(deliver_events):
    call_command("seed_demo", cars=15, stdout=io.StringIO())
    deliver_events()  # as the demo's worker does: the bought dealer car's index row comes from its event
    first = _snapshot()
    call_command("seed_demo", cars=15, stdout=io.StringIO())
    deliver_events()
    assert _snapshot() == first
    users, slugs, domains, memberships, *_ = first
    assert {"dealer1", "dealer2"} <= set(slugs)
    assert {"dealer1.localhost", "dealer2.localhost", "localhost"} <= set(domains)
    assert ("dealer1-sales-agent", "sales_agent") in memberships
    *_, public_vins, listed, bars, (dealer1_cars, dealer2_cars) = first
    # 15 listings: 6 per dealership, 3 private; the buyer bought one private and one dealer1 car,
    # which moved to the public schema.
    assert (len(public_vins), len(dealer1_cars), len(dealer2_cars), bars) == (4, 6, 6, 3)
    assert listed == 15  # every car in the index once: the two bought ones as their buyer's, off sale


@pytest.mark.django_db
def test_demo_market_is_varied_and_every_car_has_a_photo():
    from django_tenants.utils import schema_context

    from django_car_listing.models import Car, ListingIndex
    from django_car_listing.selectors import price_history

    call_command("seed_demo", cars=40, stdout=io.StringIO())
    cars = []
    for schema in ("public", "dealer1", "dealer2"):
        with schema_context(schema):
            cars += [(car, car.images.count(), len({h["price"] for h in price_history(car=car)}))
                     for car in Car.objects.all()]
    assert len(cars) == 40 + 1  # the dealer car the buyer bought also exists as their own public copy
    assert all(photos == 1 for _, photos, _ in cars)
    assert len({c.make for c, _, _ in cars}) >= 8 and len({c.body_type for c, _, _ in cars}) >= 5
    assert {c.fuel for c, _, _ in cars} >= {"petrol", "diesel", "hybrid", "electric"}
    assert {c.transmission for c, _, _ in cars} == {"manual", "automatic"}
    assert len({c.year for c, _, _ in cars}) >= 6 and "other" not in {c.body_type for c, _, _ in cars}
    assert any(prices > 1 for _, _, prices in cars)  # some prices dropped
    suv = ListingIndex.objects.filter(body_type="suv", is_for_sale=True).count()
    assert suv > 0
