"""Site test fixtures: the public tenant and two dealerships, created once per session.

Rollback tests (`db`) run on top of them. Tests that need committed data (a real
Celery worker, threads, websockets) use `committed_db`, which cleans up with a
schema-qualified TRUNCATE ... CASCADE instead of Django's flush: flush only sees
the current schema and would delete the tenant rows.
"""
import os
import time

import pytest
from django.db import OperationalError, connection, transaction
from django.test import Client
from psycopg.errors import DeadlockDetected

from tenancy import citus

DEALERS = {"dealer1": "First Motors", "dealer2": "Second Autos"}
KEEP_TABLES = {"django_migrations", "tenancy_dealership", "tenancy_domain", "django_content_type", "auth_permission"}


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """Always the default database (pytest-django would skip it when only `committed_db` tests run)."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        citus_workers = citus.workers_from(os.environ.get("CITUS_WORKERS", ""))
        # The spare nodes the operations tests join (tests/citus/test_operations.py) hold the database too.
        citus_nodes = citus_workers + citus.workers_from(os.environ.get("CITUS_SPARE_WORKERS", ""))
        test_database = connection.settings_dict["TEST"]["NAME"]
        if citus_workers:  # a run that died left it; Django's own DROP would wait for Citus's sessions in it
            citus.database_drop(citus_nodes, test_database)
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set())
        if citus_workers:  # `dev.py test --citus`: the test database joins the local cluster (tenancy/citus.py)
            citus.nodes_join(citus_workers)
            citus.shared_tables_distribute()
        from tenancy.models import Dealership
        from tenancy.services import dealership_create, public_tenant_ensure

        public_tenant_ensure()
        for slug, name in DEALERS.items():
            if not Dealership.objects.filter(slug=slug).exists():
                dealership_create(name=name, slug=slug)
    yield
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        if citus_workers:  # Citus's own sessions stay in the database: dropped WITH (FORCE) on every node
            citus.database_drop(citus_nodes, test_database)
        else:
            teardown_databases(config, verbosity=0)


@pytest.fixture(autouse=True)
def _public_schema_after_each_test():
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _fresh_cache_generations():
    """Rollback tests never commit, so on-commit cache invalidation never runs in them: start every test
    with new generations (demo/glue/dashboard.py, django_car_listing.cache), never an earlier test's payload."""
    from django_redis import get_redis_connection

    client = get_redis_connection("default")
    for pattern in ("*dashboard:generation", "*car_listing:index:generation"):
        for key in client.scan_iter(match=pattern, count=1000):
            client.delete(key)


@pytest.fixture
def deliver_events():
    """Run the event relay here, as the periodic task does: returns how many events it delivered."""
    from forecourt_core.events.services import events_relay

    def deliver() -> int:
        delivered = events_relay()
        connection.set_schema_to_public()
        return delivered

    return deliver


@pytest.fixture
def dealer1(db):
    from tenancy.models import Dealership

    return Dealership.objects.get(slug="dealer1")


@pytest.fixture
def dealer2(db):
    from tenancy.models import Dealership

    return Dealership.objects.get(slug="dealer2")


def host_client(host: str, user=None) -> Client:
    client = Client(HTTP_HOST=host)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def make_user(db):
    from django.contrib.auth import get_user_model

    counter = iter(range(1, 10_000))

    def make(username=None, **extra):
        return get_user_model().objects.create_user(
            username=username or f"user{next(counter)}", password="a-Strong-passw0rd", **extra
        )

    return make


def _truncate_everything() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables"
            " WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')"
            " AND table_name <> ALL(%s)",
            [list(KEEP_TABLES)],
        )
        tables = [row[0] for row in cursor.fetchall()]
        if not tables:
            return
        on_citus = citus.enabled()
        # The wallet's and the books' immutability triggers refuse TRUNCATE; tests may clear them with the
        # triggers off. On Citus through the triggers' own escapes, sent on to the workers: under replica
        # mode Citus leaves its tables' rows in place (only the empty shell tables are truncated).
        cursor.execute("SET session_replication_role = " + ("DEFAULT" if on_citus else "replica"))
        # A live worker may still be relaying the test's last events; PostgreSQL then picks the TRUNCATE
        # as a deadlock victim, and once the worker's short transaction is done the TRUNCATE goes through.
        for attempt in range(20):
            try:
                with transaction.atomic():
                    if on_citus:
                        cursor.execute("SET LOCAL citus.propagate_set_commands = 'local'")
                        cursor.execute("SET LOCAL wallet.allow_truncate = 'on'")
                        cursor.execute("SET LOCAL books.allow_truncate = 'on'")
                    cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
                break
            except OperationalError as exc:
                if not isinstance(exc.__cause__, DeadlockDetected) or attempt == 19:
                    raise
                time.sleep(0.25)
        cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    """Real commits visible to other connections (workers, threads); everything but tenants cleared after."""
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        yield
        connection.set_schema_to_public()
        _truncate_everything()


@pytest.fixture
def dealer1_staff(dealer1, make_user):
    from tenancy.services import membership_grant

    user = make_user()
    membership_grant(user=user, dealership=dealer1, role="dealer_staff")
    return user


@pytest.fixture
def funded_buyer(make_user):
    from decimal import Decimal

    from django_wallet import services as wallet

    buyer = make_user()
    wallet.deposit(account=wallet.account_for(buyer), amount=Decimal("20000.00"))
    return buyer


@pytest.fixture
def celery_worker(committed_db):
    """A real Celery worker (threads) on the site's app, consuming the default queue."""
    from celery.contrib.testing.worker import start_worker

    from demo.celery import app

    with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, loglevel="WARNING",
                      queues=["celery"]) as worker:
        yield worker
