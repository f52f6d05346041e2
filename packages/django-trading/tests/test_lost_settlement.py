"""A broker outage at order time delays settlement and never loses the order.

A separate process places the order with REDIS_URL pointing at a port nobody listens on (so its
broker is really down); the order commits as pending, the request does not fail, and the sweep
later sends it to the running worker.
"""
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from django_trading import services
from django_trading.models import Order

from .conftest import bar, wait_for

PLACE_ORDER = """
import logging
import django
django.setup()
logging.basicConfig(level=logging.WARNING)
import tests.celery_app  # noqa: F401 - as a site imports its Celery app at startup
from django.contrib.auth import get_user_model
from django_trading import services
user = get_user_model().objects.get(username="alice")
order, _ = services.order_create(user=user, ticker="ACME", side="buy", volume=3)
print(order.id)
"""


@pytest.mark.django_db(transaction=True)
def test_order_placed_while_the_broker_is_down_is_settled_by_the_sweep(make_user, worker):
    alice = make_user("alice")
    services.trader_fund(username="alice", amount=Decimal("100.00"))
    services.bars_ingest(bars=[bar("ACME", "10.00")])
    db = connection.settings_dict
    # The host may be a unix-socket directory (embedded PostgreSQL): percent-encode it.
    host = quote(db["HOST"] or "", safe="") + (f":{db['PORT']}" if db["PORT"] else "")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "REDIS_URL": "redis://127.0.0.1:1/0",
           "DATABASE_URL": f"postgres://{db['USER']}@{host}/{db['NAME']}"}
    assert db["NAME"] == settings.DATABASES["default"]["NAME"]
    done = subprocess.run([sys.executable, "-c", PLACE_ORDER], env=env,  # noqa: S603 - our own fixed script
                          cwd=Path(__file__).parent.parent, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "could not enqueue order" in done.stderr  # the fast path failed, loudly but harmlessly
    order = Order.objects.get(pk=done.stdout.strip())
    assert order.status == "pending" and order.user == alice

    assert services.orders_sweep_pending(older_than_seconds=0) == [order.id]
    settled = wait_for(lambda: (o := Order.objects.get(pk=order.pk)).status == "settled" and o)
    assert settled.amount == Decimal("30.00")
