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
def test_demo_seed_is_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    first = _snapshot()
    call_command("seed_demo", stdout=io.StringIO())
    assert _snapshot() == first
    users, slugs, domains, memberships, *_ = first
    assert {"dealer1", "dealer2"} <= set(slugs)
    assert {"dealer1.localhost", "dealer2.localhost", "localhost"} <= set(domains)
    assert ("dealer1-sales-agent", "sales_agent") in memberships
    *_, public_vins, listed, bars, (dealer1_cars, dealer2_cars) = first
    assert len(public_vins) == 1 and len(dealer1_cars) == 3 and len(dealer2_cars) == 2 and listed == 6 and bars == 3
