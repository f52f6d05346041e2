"""The trading seed's flow through the API, as a newcomer runs it against the demo: create a trader with a
balance, sign in, buy, sell, read the history; settlement by a real worker running the event relay.

The demo's self-funding (TRADING_ALLOW_SELF_FUNDING, on in the test and dev settings) creates the balance
from nothing, once; production settings keep it off.
"""
import json
import os
import secrets
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import host_client

SITE = Path(__file__).resolve().parents[1]
PASSWORD = "a-Strong-passw0rd"


@pytest.fixture
def trading_worker(committed_db):
    from celery.contrib.testing.worker import start_worker

    from demo.celery import app

    with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, loglevel="WARNING",
                      queues=["celery"]) as worker:  # the relay, kicked by each order's commit
        yield worker


def _json(client, method, path, body=None, token=None):
    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if method == "POST":
        extra["HTTP_IDEMPOTENCY_KEY"] = uuid.uuid4().hex  # orders move money: a key is required
    response = client.generic(method, path, "" if body is None else json.dumps(body),
                              content_type="application/json", **extra)
    return response.status_code, response.json()


def _settled(client, token, order_id) -> dict:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        _, order = _json(client, "GET", f"/api/trading/orders/{order_id}/", token=token)
        if order["status"] != "pending":
            return order
        time.sleep(0.2)
    raise AssertionError(f"order {order_id} still pending")


def test_create_with_balance_sign_in_buy_sell_history(trading_worker):
    from django_trading import services as trading

    price = Decimal("10.00")
    trading.bars_ingest(bars=[{"ticker": "ACME", "open": price, "high": price, "low": price, "close": price,
                               "volume": 1000}])
    client = host_client("localhost")
    status, created = _json(client, "POST", "/api/trading/users/",
                            {"username": "seed-trader", "password": PASSWORD, "balance": "500.00"})
    assert status == 201 and created["balance"] == "500.00" and created["funding"] == "demo_self_funding", created
    again = _json(client, "POST", "/api/trading/users/", {"username": "seed-trader", "balance": "500.00"})
    assert again[0] == 409 and again[1]["code"] == "trader_exists"  # posting again mints nothing

    status, tokens = _json(client, "POST", "/api/auth/token/", {"username": "seed-trader", "password": PASSWORD})
    assert status == 200, tokens
    token = tokens["access"]
    status, buy = _json(client, "POST", "/api/trading/transactions/",
                        {"ticker": "ACME", "transaction_type": "buy", "transaction_volume": 3}, token=token)
    assert status == 202, buy
    assert _settled(client, token, buy["transaction_id"])["status"] == "settled"
    status, sell = _json(client, "POST", "/api/trading/transactions/",
                         {"ticker": "ACME", "transaction_type": "sell", "transaction_volume": 1}, token=token)
    assert status == 202, sell
    assert _settled(client, token, sell["transaction_id"])["status"] == "settled"

    _, me = _json(client, "GET", "/api/trading/users/seed-trader/", token=token)
    assert me["balance"] == "480.00" and me["holdings"][0]["quantity"] == 2, me
    _, history = _json(client, "GET", f"/api/trading/transactions/{created['user_id']}/", token=token)
    assert [o["transaction_type"] for o in history["results"]] == ["sell", "buy"]


@pytest.mark.django_db
def test_without_self_funding_a_balance_is_refused_and_nothing_is_created(settings):
    from django.contrib.auth import get_user_model

    settings.TRADING_ALLOW_SELF_FUNDING = False
    status, body = _json(host_client("localhost"), "POST", "/api/trading/users/",
                         {"username": "minted", "password": PASSWORD, "balance": "1000000.00"})
    assert status == 403 and body["code"] == "funding_not_allowed"
    assert not get_user_model().objects.filter(username="minted").exists()


def test_production_settings_keep_self_funding_off():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "demo.settings.production", "SECRET_KEY": secrets.token_urlsafe(64)}
    code = "from django.conf import settings; print(settings.TRADING_ALLOW_SELF_FUNDING)"
    result = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=SITE, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "False", result.stdout + result.stderr
