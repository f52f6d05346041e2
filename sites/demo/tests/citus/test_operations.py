"""Operating the cluster while dealerships are busy: a new worker and a rebalance, a busy dealership moved.

Requests run on the dealership hosts the whole time (leads created and listed by dealer staff); every
one must succeed and every lead created must be there afterwards, on the schema's new node. Needs the
spare nodes `dev.py test --citus` starts (CITUS_SPARE_WORKERS); docs/scaling.md has the operator's steps.
"""
import os
import threading
import time

import pytest
from django.db import connection, connections
from django_tenants.utils import schema_context

from tenancy import citus
from tests.conftest import host_client
from tests.test_marketplace import VIN_B

pytestmark = pytest.mark.skipif(not os.environ.get("CITUS_SPARE_WORKERS"),
                                reason="needs a Citus cluster with spare nodes (dev.py test --citus)")
BUSY = ["ops1", "ops2", "ops3", "ops4"]


def _spare(index: int) -> tuple[str, int]:
    return citus.workers_from(os.environ["CITUS_SPARE_WORKERS"])[index]


def _rows(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _node_of(schema: str) -> int:
    (port,), *others = _rows("SELECT DISTINCT nodeport FROM citus_shards WHERE citus_table_type = 'schema'"
                             " AND table_name::text LIKE %s", [f"{schema}.%"])
    assert not others, f"{schema} is split over nodes"
    return port


class Load:
    """Dealer staff creating and listing leads on their hosts, from threads, until stopped."""

    def __init__(self, clients: dict[str, object], cars: dict[str, int], threads: int = 3):
        self.clients, self.cars = clients, cars
        self.created = dict.fromkeys(clients, 0)
        self.failures: list[str] = []
        self.requests = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(i,)) for i in range(threads)]

    def _run(self, index: int) -> None:
        slugs = list(self.clients)
        try:
            for step in range(10_000):
                if self._stop.is_set():
                    break
                slug = slugs[(index + step) % len(slugs)]
                client = self.clients[slug]
                made = client.post("/api/leads/", {"car": self.cars[slug], "contact_name": f"Walk In {index}",
                                                   "contact_phone": "+14155550100"}, content_type="application/json")
                listed = client.get("/api/leads/")
                with self._lock:
                    self.requests += 2
                    if made.status_code == 201:
                        self.created[slug] += 1
                    else:
                        self.failures.append(f"POST {slug}: {made.status_code} {made.content[:200]!r}")
                    if listed.status_code != 200:
                        self.failures.append(f"GET {slug}: {listed.status_code} {listed.content[:200]!r}")
        finally:
            connections.close_all()

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        time.sleep(1)  # requests are under way before the operation starts
        return self

    def __exit__(self, *exc):
        time.sleep(1)  # and still after it is done
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=120)


def _busy_dealerships(slugs, make_user):
    """The dealerships, each with a member of staff's client and one car for the leads."""
    from tenancy.models import Dealership
    from tenancy.services import dealership_create, membership_grant

    clients, cars = {}, {}
    for slug in slugs:
        connection.set_schema_to_public()  # the previous dealership's requests left the connection in its schema
        dealership = Dealership.objects.filter(slug=slug).first() or dealership_create(name=slug, slug=slug)
        staff = make_user()
        membership_grant(user=staff, dealership=dealership, role="dealer_staff")
        clients[slug] = host_client(f"{slug}.localhost", staff)
        car = clients[slug].post("/api/cars/", {"make": "Volvo", "model": "V60", "year": 2021, "price": "27500.00",
                                                "vin": VIN_B}, content_type="application/json")
        assert car.status_code == 201, car.content
        cars[slug] = car.json()["id"]
    connection.set_schema_to_public()
    return clients, cars


def _assert_nothing_lost(load: Load) -> None:
    from django_leads.models import Lead

    assert load.failures == []
    assert load.requests > 10
    for slug, created in load.created.items():
        with schema_context(slug):
            assert Lead.objects.count() == created, slug


@pytest.fixture
def make_user(committed_db):
    from django.contrib.auth import get_user_model

    counter = iter(range(1, 10_000))
    return lambda: get_user_model().objects.create_user(username=f"ops{next(counter)}", password="a-Strong-passw0rd")


def test_a_new_worker_takes_dealerships_by_a_rebalance_while_requests_run(make_user):
    clients, cars = _busy_dealerships(["dealer1", "dealer2", *BUSY], make_user)
    host, port = _spare(0)
    citus.nodes_join([(host, port)])
    assert not any(_node_of(slug) == port for slug in clients)
    with Load(clients, cars) as load:
        _rows("SELECT citus_rebalance_start()")
        _rows("SELECT citus_rebalance_wait()")
    on_new = [slug for slug in clients if _node_of(slug) == port]
    assert len(on_new) >= 1, "the rebalance moved no dealership onto the new worker"
    _assert_nothing_lost(load)


def test_a_busy_dealership_moves_to_a_worker_of_its_own_while_requests_run(make_user):
    clients, cars = _busy_dealerships(["dealer1"], make_user)
    host, port = _spare(1)
    citus.nodes_join([(host, port)])
    with Load(clients, cars) as load:
        _rows("SELECT citus_schema_move('dealer1', %s, %s)", [host, port])
    assert _node_of("dealer1") == port
    others = _rows("SELECT DISTINCT table_name::text FROM citus_shards WHERE nodeport = %s"
                   " AND citus_table_type = 'schema' AND table_name::text NOT LIKE 'dealer1.%%'", [port])
    assert others == []
    _assert_nothing_lost(load)
