"""Operating the cluster while dealerships are busy: a new worker and a rebalance, a busy dealership moved.

Requests run on the dealership hosts the whole time (leads created and listed by dealer staff); every
one must succeed, and afterwards the schema's lead table on its new node holds exactly the leads it
held before and those whose creation answered 201, read by id on that node and through the coordinator.
Needs the spare nodes `dev.py test --citus` starts (CITUS_SPARE_WORKERS); docs/scaling.md has the
operator's steps.
"""
import os
import threading
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections
from django_tenants.utils import schema_context
from psycopg import sql

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
    """Dealer staff creating and listing leads on their hosts, from threads, until stopped.

    ``created`` holds, per dealership, the id of every lead whose POST answered 201; anything else a
    request ends with (another status, an exception the test client re-raises) is in ``failures``.
    """

    def __init__(self, clients: dict[str, object], cars: dict[str, int], threads: int = 3):
        self.clients, self.cars = clients, cars
        self.created: dict[str, set[int]] = {slug: set() for slug in clients}
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
                self._requests(index, slug)
        finally:
            connections.close_all()

    def _requests(self, index: int, slug: str) -> None:
        client = self.clients[slug]
        try:
            made = client.post("/api/leads/", {"car": self.cars[slug], "contact_name": f"Walk In {index}",
                                               "contact_phone": "+14155550100"}, content_type="application/json")
            listed = client.get("/api/leads/")
        except Exception as exc:  # a view's exception, re-raised by the test client: a failed request
            with self._lock:
                self.failures.append(f"{slug}: {exc!r}"[:300])
            return
        with self._lock:
            self.requests += 2
            if made.status_code == 201:
                self.created[slug].add(made.json()["id"])
            else:
                self.failures.append(f"POST {slug}: {made.status_code} {made.content[:200]!r}")
            if listed.status_code != 200:
                self.failures.append(f"GET {slug}: {listed.status_code} {listed.content[:200]!r}")

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
        assert not any(thread.is_alive() for thread in self._threads), "a request thread did not stop"


def _lead_ids_on_node(slug: str) -> set[int]:
    """The ids in the dealership's lead table, read on the worker that holds it (its shard, by name)."""
    from django_leads.models import Lead

    (shard, host, port), *others = _rows("SELECT shard_name::text, nodename, nodeport FROM citus_shards"
                                         " WHERE table_name = %s::regclass", [f"{slug}.{Lead._meta.db_table}"])
    assert not others, f"{slug}'s leads have more than one placement"
    with citus.node_connect(host, port, connection.settings_dict["NAME"]) as node:
        return {row[0] for row in node.execute(sql.SQL("SELECT id FROM {}").format(
            sql.Identifier(*shard.split(".", 1))))}


def _lead_ids(slugs) -> dict[str, set[int]]:
    """Each dealership's lead ids, read on its node; the coordinator (the site's path) must read the same."""
    from django_leads.models import Lead

    found = {}
    for slug in slugs:
        found[slug] = _lead_ids_on_node(slug)
        with schema_context(slug):
            assert set(Lead.objects.values_list("id", flat=True)) == found[slug], slug
    return found


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


def _assert_nothing_lost(load: Load, before: dict[str, set[int]]) -> None:
    assert load.failures == []
    assert load.requests > 10
    after = _lead_ids(load.clients)
    for slug, created in load.created.items():
        missing, unexpected = (before[slug] | created) - after[slug], after[slug] - (before[slug] | created)
        assert (missing, unexpected) == (set(), set()), f"{slug}: {len(created)} leads created"


@pytest.fixture
def make_user(committed_db):
    from django.contrib.auth import get_user_model

    counter = iter(range(1, 10_000))
    return lambda: get_user_model().objects.create_user(username=f"ops{next(counter)}", password="a-Strong-passw0rd")


def test_a_node_that_commits_asynchronously_is_not_joined(db):
    """A shard move off such a node would drop writes acknowledged just before its switch-over (tenancy.citus)."""
    host, port = _spare(1)
    name = connection.settings_dict["NAME"]
    with citus.node_connect(host, port, "postgres") as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("ALTER DATABASE {} SET synchronous_commit = off").format(sql.Identifier(name)))
    nodes = _rows("SELECT nodename, nodeport FROM pg_dist_node ORDER BY nodeid")
    try:
        with pytest.raises(ImproperlyConfigured, match=f"synchronous_commit is off on {host}:{port}"):
            citus.nodes_join([(host, port)])
    finally:
        with citus.node_connect(host, port, "postgres") as admin:
            admin.execute(sql.SQL("ALTER DATABASE {} RESET synchronous_commit").format(sql.Identifier(name)))
    assert _rows("SELECT nodename, nodeport FROM pg_dist_node ORDER BY nodeid") == nodes


def test_a_new_worker_takes_dealerships_by_a_rebalance_while_requests_run(make_user):
    clients, cars = _busy_dealerships(["dealer1", "dealer2", *BUSY], make_user)
    host, port = _spare(0)
    citus.nodes_join([(host, port)])
    assert not any(_node_of(slug) == port for slug in clients)
    before = _lead_ids(clients)
    with Load(clients, cars) as load:
        _rows("SELECT citus_rebalance_start()")
        _rows("SELECT citus_rebalance_wait()")
    on_new = [slug for slug in clients if _node_of(slug) == port]
    assert len(on_new) >= 1, "the rebalance moved no dealership onto the new worker"
    assert all(load.created[slug] for slug in on_new), load.created  # leads were written to the moved schemas
    _assert_nothing_lost(load, before)


def test_a_busy_dealership_moves_to_a_worker_of_its_own_while_requests_run(make_user):
    clients, cars = _busy_dealerships(["dealer1"], make_user)
    host, port = _spare(1)
    citus.nodes_join([(host, port)])
    before = _lead_ids(clients)
    with Load(clients, cars) as load:
        _rows("SELECT citus_schema_move('dealer1', %s, %s)", [host, port])
    assert _node_of("dealer1") == port
    others = _rows("SELECT DISTINCT table_name::text FROM citus_shards WHERE nodeport = %s"
                   " AND citus_table_type = 'schema' AND table_name::text NOT LIKE 'dealer1.%%'", [port])
    assert others == []
    _assert_nothing_lost(load, before)
