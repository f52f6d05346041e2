import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.auth import get_user_model

import forecourt_core.events.tasks  # noqa: F401  (registers the event relay's shared tasks)
from forecourt_core.testing.helpers import (
    channel_layers_reset,
    queues_purge,
    wait_for,  # noqa: F401  (the tests import it from here)
)
from tests.celery_app import app as celery_app

pytest_plugins = ["forecourt_core.testing.fixtures"]  # client_for


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    """One real worker (in-process thread, solo pool) on the real Redis broker for the session."""
    queues_purge(celery_app)  # messages left by an earlier run
    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING",
                      shutdown_timeout=10) as worker:
        yield worker


@pytest.fixture(autouse=True)
def _own_channel_layer():
    """Each test receives on channel layers of its own (see channel_layers_reset)."""
    channel_layers_reset()
    yield
    channel_layers_reset()


@pytest.fixture
def make_user(db):
    counter = iter(range(1, 10**6))

    def make(**kwargs):
        n = next(counter)
        kwargs.setdefault("username", f"user{n}-{time.monotonic_ns()}")
        kwargs.setdefault("email", f"{kwargs['username']}@example.com")
        return get_user_model().objects.create_user(password="pw", **kwargs)

    return make


def deliveries(channel: str | None = None):
    """The delivery events notify recorded (``notifications.email_due`` / ``push_due``), oldest first."""
    from forecourt_core.events.models import Event

    kinds = [f"notifications.{c}_due" for c in ([channel] if channel else ["email", "push"])]
    return list(Event.objects.filter(kind__in=kinds).order_by("created_at", "kind"))


def relay() -> int:
    """Play the relay (what beat and the commit's kick run on a worker): deliver every due event."""
    from forecourt_core.events.services import events_relay

    return events_relay()
