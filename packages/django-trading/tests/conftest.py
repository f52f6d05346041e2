import functools
import time
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.db import connection
from django.utils import timezone

from django_trading import conf
from django_wallet.testing import with_idempotency_key
from forecourt_core.testing.helpers import queues_purge, wait_for  # noqa: F401  (the tests import wait_for from here)

pytest_plugins = ["forecourt_core.testing.fixtures"]  # client_for


@pytest.fixture(autouse=True)
def _clean_cache():
    """The test database is rebuilt per test; drop this package's cached payloads with it.

    Deletes only the cache's key prefix: the broker's queues live in the same Redis db.
    """
    cache = caches[conf.get("TRADING_CACHE_ALIAS")]
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(match=f"{cache.key_prefix}:*", count=1000):
        client.delete(key)
    yield


@pytest.fixture(scope="session")
def celery_app():
    from tests.celery_app import app

    return app


@pytest.fixture(scope="session")
def celery_worker_session(django_db_setup, django_db_blocker, celery_app):
    """One real in-process worker (solo pool) on the real Redis broker, consuming the default queue
    (``celery``), where the event relay that settles orders runs."""
    from celery.contrib.testing.worker import start_worker

    queues_purge(celery_app)  # an interrupted run's messages point at vanished rows
    with django_db_blocker.unblock(), start_worker(celery_app, pool="solo", concurrency=1, perform_ping_check=False,
                                                   queues=[celery_app.conf.task_default_queue], shutdown_timeout=10):
        yield


@pytest.fixture
def worker(celery_worker_session, transactional_db):
    """A running worker; only for ``transaction=True`` tests (the worker sees committed rows only).

    On teardown it waits until the queue is empty and the worker idle, so the database flush
    between tests never races a settlement still in flight.
    """
    yield
    wait_for(worker_idle, timeout=30)
    connection.close()


@pytest.fixture(autouse=True)
def _relay_idle_before_flush(request):
    """A transactional test's commits kick the event relay on the session's worker, so every such test
    waits (through ``worker``) for the worker to be idle before its tables are flushed: a relay task
    still reading them would deadlock the flush's TRUNCATE."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("worker")
    yield


@functools.cache
def _broker_client():
    from tests.celery_app import app

    return app.connection_for_write().default_channel.client


def worker_idle() -> bool:
    """No message queued on the default queue and none being processed, twice in a row 0.1 s apart."""
    from celery.worker import state

    from tests.celery_app import app

    client, queue = _broker_client(), app.conf.task_default_queue

    def idle():
        return client.llen(queue) == 0 and not state.active_requests and not state.reserved_requests

    return idle() and (time.sleep(0.1) or idle())


@pytest.fixture
def make_user(django_user_model):
    def make(username="alice", **extra):
        return django_user_model.objects.create_user(username=username, password="x", **extra)

    return make


@pytest.fixture
def api(client_for):
    # money-moving POSTs need a key; tests without it build their own client
    return lambda user=None: with_idempotency_key(client_for(user))


@pytest.fixture
def staff(make_user):
    return make_user("staff", is_staff=True)


def bar(ticker="ACME", close="10.00", *, low=None, high=None, open_=None, volume=1000, at=None):
    close = Decimal(close)
    low = Decimal(low) if low is not None else close
    high = Decimal(high) if high is not None else close
    return {"ticker": ticker, "open": Decimal(open_) if open_ is not None else close, "high": max(high, close),
            "low": min(low, close), "close": close, "volume": volume, "timestamp": at or timezone.now()}

