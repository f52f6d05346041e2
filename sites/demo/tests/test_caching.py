"""Cached reads on django-tenants (real Redis): marketplace facets and stock quotes are one shared copy
for every host, dealer dashboards one copy per dealership; a write is visible in the next read; a hit
saves the queries.

Committed data (`committed_db`): the caches are bypassed inside a transaction (rows may be uncommitted)
and invalidated on commit, so a rollback test would never exercise them."""
import itertools
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_redis import get_redis_connection
from django_tenants.utils import schema_context

from forecourt_core.events.services import events_relay
from tests.conftest import host_client

pytestmark = pytest.mark.usefixtures("committed_db")
_n = itertools.count(1)

VIN_A = "1M8GDM9AXKP042788"
VIN_B = "1HGCM82633A004352"


def make_user(**extra):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username=f"cache{next(_n)}", password="a-Strong-passw0rd", **extra)


@pytest.fixture
def member():
    from tenancy.models import Dealership
    from tenancy.services import membership_grant

    def make(slug, role="dealer"):
        user = make_user()
        membership_grant(user=user, dealership=Dealership.objects.get(slug=slug), role=role)
        return user

    return make


def _listed_car(actor, store, vin, make="Volvo"):
    """A verified dealer car on sale, written as the services write it (the index too), committed."""
    from django.contrib.auth import get_user_model

    from django_car_listing import services

    admin = get_user_model().objects.filter(is_superuser=True).first() or make_user(is_staff=True,
                                                                                      is_superuser=True)
    with schema_context(store):
        car = services.car_create(actor=actor, store_key=store, make=make, model="X", year=2021,
                                  price=Decimal("15000.00"), vin=vin)
        services.car_verify(actor=admin, store_key=store, car_id=car.pk)
        return services.car_put_on_sale(actor=actor, store_key=store, car_id=car.pk)


def _makes(body):
    return {row["value"]: row["count"] for row in body["facets"]["make"]}


# --- marketplace facets: shared by every host ------------------------------------------------------------

def test_a_dealer_listing_is_in_the_next_marketplace_facets_read(member):
    public = host_client("localhost")
    before = public.get("/api/cars/facets/").json()
    assert "Saab" not in _makes(before)
    _listed_car(member("dealer1"), "dealer1", VIN_A, make="Saab")  # written from a dealership's context
    after = public.get("/api/cars/facets/").json()
    assert _makes(after)["Saab"] == 1 and after["count"] == before["count"] + 1


def test_facets_are_one_shared_entry_and_each_host_filters_its_store(member):
    from django_car_listing import cache as listing_cache

    _listed_car(member("dealer1"), "dealer1", VIN_A, make="Saab")
    _listed_car(member("dealer2"), "dealer2", VIN_B, make="Lada")
    assert _makes(host_client("localhost").get("/api/cars/facets/").json()) == {"Saab": 1, "Lada": 1}
    d1 = host_client("dealer1.localhost", member("dealer1")).get("/api/cars/facets/").json()
    d2 = host_client("dealer2.localhost", member("dealer2")).get("/api/cars/facets/").json()
    assert _makes(d1) == {"Saab": 1} and _makes(d2) == {"Lada": 1}
    # One generation for every host, in the alias without the schema prefix (a per-schema copy would let a
    # dealer's write invalidate only its own schema's entries).
    assert caches["shared"].get(listing_cache.GENERATION_KEY) is not None
    with schema_context("dealer1"):
        assert caches["default"].get(listing_cache.GENERATION_KEY) is None


def test_a_facets_hit_runs_only_the_tenant_lookup():
    public = host_client("localhost")
    public.get("/api/cars/facets/?fuel=petrol")
    with CaptureQueriesContext(connection) as miss_again:
        public.get("/api/cars/facets/?fuel=diesel")
    with CaptureQueriesContext(connection) as hit:
        assert public.get("/api/cars/facets/?fuel=petrol").status_code == 200
    listing_queries = [q for q in hit.captured_queries if "car_listing_listingindex" in q["sql"]]
    assert listing_queries == [] and len(hit.captured_queries) < len(miss_again.captured_queries) - 5


def test_facets_bad_input_is_a_400_with_a_code():
    r = host_client("localhost").get("/api/cars/facets/?year_min=soon&body_type=rocket")
    assert r.status_code == 400
    assert r.json()["code"] == "validation_error" and {"year_min", "body_type"} <= set(r.json()["fields"])


# --- dealer dashboards: one entry per dealership ------------------------------------------------------------

def _dashboard(host, user):
    response = host_client(host, user).get("/")
    assert response.status_code == 200
    return response.context["summary"]["total"], response


def _lead(slug, name):
    from django_leads.services import lead_create

    with schema_context(slug):
        return lead_create(car=None, contact_name=name)


def test_a_new_lead_is_on_the_next_dashboard_and_only_that_dealership_forgets(member):
    from demo.glue import dashboard

    dealer1, dealer2 = member("dealer1"), member("dealer2")
    _lead("dealer2", "Only in two")
    total1, _ = _dashboard("dealer1.localhost", dealer1)
    total2, _ = _dashboard("dealer2.localhost", dealer2)
    assert total2 == total1 + 1  # the same key name in two schemas never collides
    with schema_context("dealer2"):
        generation2 = caches["default"].get(dashboard.GENERATION_KEY)
    _lead("dealer1", "New buyer")
    assert _dashboard("dealer1.localhost", dealer1)[0] == total1 + 1
    with schema_context("dealer2"):
        assert caches["default"].get(dashboard.GENERATION_KEY) == generation2  # dealer2 kept its entry
    assert _dashboard("dealer2.localhost", dealer2)[0] == total2


def test_a_store_sale_and_its_books_reach_the_next_dashboard(member):
    from django_car_listing import services
    from django_wallet import services as wallet

    dealer = member("dealer1")
    car = _listed_car(dealer, "dealer1", VIN_A)
    _, before = _dashboard("dealer1.localhost", dealer)
    buyer = make_user()
    wallet.deposit(account=wallet.account_for(buyer), amount=Decimal("20000.00"))
    services.car_buy(buyer=buyer, store_key="dealer1", car_id=car.pk)
    events_relay()  # the sale's event posts it into the books (the relay task would, after the commit)
    connection.set_schema_to_public()
    _, after = _dashboard("dealer1.localhost", dealer)
    assert after.context["sales_count"] == before.context["sales_count"] + 1
    # revenue is the sale's price net of the dealership's VAT (20 %), as in the books
    assert after.context["sales_total"] == before.context["sales_total"] + Decimal("12500.00")
    month = datetime.now(UTC).strftime("%Y-%m")
    assert [r["income"] for r in after.context["pnl"] if r["month"] == month] == [Decimal("12500.00")]


def test_a_dashboard_hit_saves_the_aggregate_queries(member):
    dealer = member("dealer1")
    client = host_client("dealer1.localhost", dealer)
    with CaptureQueriesContext(connection) as miss:
        assert client.get("/").status_code == 200
    with CaptureQueriesContext(connection) as hit:
        assert client.get("/").status_code == 200
    assert len(hit.captured_queries) <= len(miss.captured_queries) - 8
    assert not any("leads_lead" in q["sql"] or "books_journalline" in q["sql"] for q in hit.captured_queries)


def test_each_viewer_gets_what_their_permissions_allow_from_the_cache(member):
    from django_leads.services import lead_create

    dealer, staff = member("dealer1"), member("dealer1", role="dealer_staff")
    accountant = member("dealer1", role="accountant")
    with schema_context("dealer1"):
        lead_create(car=None, contact_name="First")
        lead_create(car=None, contact_name="Second")
    pages = {who: host_client("dealer1.localhost", user).get("/").context
             for who, user in (("dealer", dealer), ("staff", staff), ("accountant", accountant))}
    assert pages["dealer"].get("pnl") is not None and pages["accountant"].get("pnl") is not None
    assert pages["staff"].get("pnl") is None  # no payroll.view_reports: not served the dealer's cached P&L
    assert sum(pages["dealer"]["chart"]["funnel"].values()) >= 2  # leads.view_all_leads
    assert sum(pages["accountant"]["chart"]["funnel"].values()) == 0  # only their own leads: none


# --- stock quotes: shared by every host ------------------------------------------------------------------

def test_a_new_price_is_in_the_next_quote_on_every_host(member):
    from django_trading.services import bars_ingest

    def bar(price, minute):
        p = Decimal(price)
        return {"ticker": "CACH", "open": p, "high": p, "low": p, "close": p, "volume": 10,
                "timestamp": datetime(2026, 11, 2, 10, minute, tzinfo=UTC)}

    bars_ingest(bars=[bar("10.00", 0)])
    user = make_user()
    public, dealer_host = host_client("localhost", user), host_client("dealer1.localhost", member("dealer1"))
    assert public.get("/api/trading/stocks/CACH/").json()["price"] == "10.00"
    with CaptureQueriesContext(connection) as hit:
        assert dealer_host.get("/api/trading/stocks/CACH/").json()["price"] == "10.00"  # the public host's entry
    assert not any("trading_" in q["sql"] for q in hit.captured_queries)
    bars_ingest(bars=[bar("12.50", 1)])
    assert dealer_host.get("/api/trading/stocks/CACH/").json()["price"] == "12.50"
    assert public.get("/api/trading/stocks/CACH/").json()["price"] == "12.50"


# --- connections: one Redis pool per process ----------------------------------------------------------------

def _asgi_get(path: str, host: str = "localhost") -> int:
    """One request through the site's ASGI application in a task of its own, as uvicorn runs each one."""
    from asgiref.sync import async_to_sync
    from asgiref.testing import ApplicationCommunicator

    from demo.asgi import application

    async def run() -> int:
        communicator = ApplicationCommunicator(application, {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "headers": [(b"host", host.encode())], "client": ("127.0.0.1", 5000), "server": (host, 80)})
        await communicator.send_input({"type": "http.request", "body": b""})
        start = await communicator.receive_output(timeout=10)
        await communicator.receive_output(timeout=10)  # the body
        await communicator.send_input({"type": "http.disconnect"})
        await communicator.wait(timeout=10)  # request_finished has run: the request's DB connection is closed
        return start["status"]

    return async_to_sync(run)()


def test_cached_reads_under_asgi_reuse_the_processes_redis_connections():
    """Django keeps a cache backend per async context; with Django's own RedisCache each ASGI request would
    build its own connection pool and connect to Redis anew. django-redis keeps one pool per process."""
    client = get_redis_connection("shared")
    assert _asgi_get("/api/cars/facets/") == 200  # builds the entry and opens what the process keeps
    before = client.info("stats")["total_connections_received"]
    statuses = [_asgi_get("/api/cars/facets/") for _ in range(20)]
    opened = client.info("stats")["total_connections_received"] - before
    assert statuses == [200] * 20
    assert opened <= 2, f"{opened} new Redis connections for 20 cached reads"


def test_the_dashboard_comes_from_the_database_while_its_cache_is_down(member, settings, caplog):
    dealer1 = member("dealer1")
    total, _ = _dashboard("dealer1.localhost", dealer1)
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
    _lead("dealer1", "While the cache is down")  # its bump fails, logged, and the lead is saved
    assert _dashboard("dealer1.localhost", dealer1)[0] == total + 1  # read from the database: no 5xx
    assert "dashboard: cache unavailable, read from the database" in caplog.text
