"""/api/ping/: the throughput reference of bench/http_bench.py is anonymous and touches no table."""
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import host_client


def test_ping_is_anonymous_json_without_queries_beyond_the_tenant_lookup(db):
    client = host_client("localhost")
    client.get("/api/ping/")  # the first request may load content types etc.
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/ping/")
    assert response.status_code == 200
    assert response.json() == {"pong": True}
    # Only django-tenants' domain lookup (and the search_path it sets) reach the database.
    assert all("tenancy_domain" in q["sql"] or q["sql"].startswith("SET") for q in ctx.captured_queries), \
        ctx.captured_queries


def test_ping_refuses_writes(db):
    assert host_client("localhost").post("/api/ping/").status_code == 405
