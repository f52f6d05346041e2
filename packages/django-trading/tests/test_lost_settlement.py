"""An order's settlement survives a lost message: the order is committed with its ``trading.order_placed``
event, and the event relay (beat) settles it, once, however the message after the commit got lost.

The order is placed by a separate process: once with REDIS_URL pointing at a port nobody listens on (its
broker is really down), once killed with SIGKILL right after its commit, before any on-commit work ran.
"""
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from django_trading import selectors, services
from django_trading.models import Holding, Order
from forecourt_core.events.models import Event
from forecourt_core.events.tasks import relay_events

from .conftest import bar, wait_for

PLACE_ORDER = """
import logging
import sys
import time
from pathlib import Path
import django
django.setup()
logging.basicConfig(level=logging.WARNING)
import tests.celery_app  # noqa: F401 - as a site imports its Celery app at startup
from django.contrib.auth import get_user_model
from django.db import transaction
from django_trading import services
marker = Path(sys.argv[1]) if len(sys.argv) > 1 else None


def committed_now_wait_to_be_killed():
    marker.write_text("committed")
    time.sleep(3600)


user = get_user_model().objects.get(username="alice")
with transaction.atomic():
    if marker:  # registered before the order's own on-commit work (the relay's kick): it never runs
        transaction.on_commit(committed_now_wait_to_be_killed)
    order, _ = services.order_create(user=user, ticker="ACME", side="buy", volume=3)
print(order.id)
"""


def _env(**extra) -> dict:
    db = connection.settings_dict
    # The host may be a unix-socket directory (embedded PostgreSQL): percent-encode it.
    host = quote(db["HOST"] or "", safe="") + (f":{db['PORT']}" if db["PORT"] else "")
    assert db["NAME"] == settings.DATABASES["default"]["NAME"]
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{host}/{db['NAME']}", **extra}


def _argv(*args: str) -> list[str]:
    return [sys.executable, "-c", PLACE_ORDER, *args]


@pytest.fixture
def alice(make_user):
    user = make_user("alice")
    services.trader_fund(username="alice", amount=Decimal("100.00"))
    services.bars_ingest(bars=[bar("ACME", "10.00")])
    return user


def _settled_once_by_the_relay(order: Order) -> None:
    placed = Event.objects.get(kind="trading.order_placed", data__order_id=str(order.id))
    assert (placed.status, placed.attempts) == ("pending", 0)  # nothing acted on it
    relay_events.apply_async()  # what beat sends
    settled = wait_for(lambda: (o := Order.objects.get(pk=order.pk)).status == "settled" and o)
    assert settled.amount == Decimal("30.00")
    placed.refresh_from_db()
    assert (placed.status, placed.attempts) == ("delivered", 1)
    relay_events.apply_async()  # another round of beat settles nothing again
    wait_for(lambda: not Event.objects.exclude(status="delivered").exists())
    assert selectors.trader_balance(user=order.user) == Decimal("70.00")
    assert Holding.objects.get(user=order.user).quantity == 3
    assert Event.objects.filter(kind="trading.order_settled", data__order_id=str(order.id)).count() == 1


@pytest.mark.django_db(transaction=True)
def test_order_placed_while_the_broker_is_down_is_settled_by_the_relay(alice, worker):
    done = subprocess.run(_argv(), env=_env(REDIS_URL="redis://127.0.0.1:1/0"),  # noqa: S603 - our own script
                          cwd=Path(__file__).parent.parent, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "could not send the relay task" in done.stderr  # the kick failed, loudly but harmlessly
    order = Order.objects.get(pk=done.stdout.strip())
    assert order.status == "pending" and order.user == alice
    _settled_once_by_the_relay(order)


@pytest.mark.django_db(transaction=True)
def test_order_of_a_process_killed_after_its_commit_is_settled_once_by_the_relay(alice, worker, tmp_path):
    marker = tmp_path / "committed"
    placing = subprocess.Popen(_argv(str(marker)), env=_env(), cwd=Path(__file__).parent.parent,  # noqa: S603
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert placing.poll() is None, placing.stderr.read()
            assert time.monotonic() < deadline, "the placing process never committed"
            time.sleep(0.05)
    finally:
        placing.send_signal(signal.SIGKILL)  # between its commit and the relay's kick
        placing.wait(timeout=10)
    (order,) = Order.objects.filter(user=alice)
    assert order.status == "pending"
    _settled_once_by_the_relay(order)
