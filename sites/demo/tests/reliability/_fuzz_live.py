"""A live site for the API fuzzer: uvicorn on the test database, one signed-in user per role.

The world is committed (the server is another process), built once per module and wiped after it with
the site's schema-qualified TRUNCATE (tests/conftest.py); dealerships the fuzzer created are dropped too.
Requests go to 127.0.0.1 with the Host header naming the marketplace or dealer1, so no name resolution
of `*.localhost` is needed.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
import requests
from django.db import connection
from django_tenants.utils import schema_context

from tests.browser.conftest import SITE_DIR, _database_url, _free_port, _stop, _wait_for_their_connections_to_close
from tests.conftest import DEALERS, _truncate_everything

PASSWORD = "a-Strong-passw0rd"
DEALERSHIP_ROLES = ("dealer", "dealer_staff", "broker", "sales_agent", "accountant", "hr")
ROLES = ("anonymous", "buyer", *DEALERSHIP_ROLES, "admin")
PUBLIC_HOST = "localhost"
DEALER_HOST = "dealer1.localhost"
TICKER = "FUZZ"


@dataclass
class LiveSite:
    base: str  # http://127.0.0.1:<port>
    log: object  # pathlib.Path of the server's log
    tokens: dict = field(default_factory=dict)  # role -> access token ("" for anonymous)

    def headers(self, role: str, host: str) -> dict:
        headers = {"Host": host}
        if self.tokens.get(role):
            headers["Authorization"] = f"Bearer {self.tokens[role]}"
        return headers

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:]


def _seed() -> dict:
    """Users per role (dealership roles in dealer1), money, a few cars, a stock: something to act on."""
    from django.contrib.auth import get_user_model

    from django_car_listing import services as cars
    from django_payroll import services as payroll
    from django_trading import services as trading
    from django_wallet import services as wallet
    from tenancy.models import Dealership
    from tenancy.services import membership_grant

    connection.set_schema_to_public()
    make = get_user_model().objects.create_user
    users = {"buyer": make("fz-buyer", password=PASSWORD),
             "admin": make("fz-admin", password=PASSWORD, is_staff=True, is_superuser=True)}
    d1 = Dealership.objects.get(slug="dealer1")
    for role in DEALERSHIP_ROLES:
        users[role] = make(f"fz-{role}", password=PASSWORD)
        membership_grant(user=users[role], dealership=d1, role=role)
    seller = make("fz-seller", password=PASSWORD)
    for user in [*users.values(), seller]:
        wallet.deposit(account=wallet.account_for(user), amount=Decimal("100000.00"))
    wallet.deposit(account=wallet.account_for(d1), amount=Decimal("500000.00"))

    listed = cars.car_create(actor=seller, store_key="", make="Fiat", model="Panda", year=2017,
                             price=Decimal("3500.00"), vin="1HGCM82633A004352")
    cars.car_verify(actor=users["admin"], store_key="", car_id=listed.pk)
    cars.car_put_on_sale(actor=seller, store_key="", car_id=listed.pk)
    cars.car_create(actor=users["buyer"], store_key="", make="Ford", model="Focus", year=2015,
                    price=Decimal("4000.00"), vin="1M8GDM9AXKP042788")
    with schema_context("dealer1"):
        staff = users["dealer_staff"]
        car = cars.car_create(actor=staff, store_key="dealer1", make="Volvo", model="V60", year=2021,
                              price=Decimal("12000.00"), vin="2HGFG12878H512345")
        cars.car_verify(actor=users["admin"], store_key="dealer1", car_id=car.pk)
        cars.car_put_on_sale(actor=staff, store_key="dealer1", car_id=car.pk)
        employee = payroll.employee_create(first_name="Eve", last_name="Mech", hire_date=dt.date(2020, 1, 1),
                                           user=users["broker"], department="Workshop")
        payroll.salary_create(employee=employee, effective_from=dt.date(2020, 1, 1), base_salary=Decimal("3000.00"))
    connection.set_schema_to_public()
    price = Decimal("10.00")
    trading.bars_ingest(bars=[{"ticker": TICKER, "open": price, "high": price, "low": price, "close": price,
                               "volume": 1000, "timestamp": dt.datetime(2026, 1, 2, tzinfo=dt.UTC)}])
    return users


def _drop_extra_dealerships() -> None:
    """The platform admin may create dealerships while fuzzing: drop their schemas and rows."""
    from tenancy.models import Dealership

    connection.set_schema_to_public()
    for dealership in Dealership.objects.exclude(slug__in=[*DEALERS, "public"]).exclude(schema_name="public"):
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{dealership.schema_name}" CASCADE')
        dealership.domains.all().delete()
        Dealership.objects.filter(pk=dealership.pk).delete()


def _tokens(base: str, users: dict) -> dict:
    tokens = {"anonymous": ""}
    for role, user in users.items():
        answer = requests.post(f"{base}/api/auth/token/", json={"username": user.username, "password": PASSWORD},
                               headers={"Host": PUBLIC_HOST}, timeout=30)
        answer.raise_for_status()
        tokens[role] = answer.json()["access"]
    return tokens


@pytest.fixture(scope="module")
def live_site(django_db_setup, django_db_blocker, tmp_path_factory):
    """uvicorn (no Celery worker: the fuzzer checks HTTP answers; outbox rows simply wait) on a seeded world."""
    with django_db_blocker.unblock():
        users = _seed()
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "demo.settings.test", "DATABASE_URL": _database_url(),
           "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "ERROR"}
    log = tmp_path_factory.mktemp("fuzz-logs") / "uvicorn.log"
    server = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "-m", "uvicorn", "demo.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"],
        cwd=SITE_DIR, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(f"{base}/api/ping/", headers={"Host": PUBLIC_HOST}, timeout=30).ok:
                    break
            except requests.RequestException:  # not listening yet, or too busy to answer in time
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start: {log.read_text()[-2000:]}")
            time.sleep(0.3)
        yield LiveSite(base=base, log=log, tokens=_tokens(base, users))
    finally:
        _stop(server)
        _wait_for_their_connections_to_close(django_db_blocker)
        with django_db_blocker.unblock():
            _drop_extra_dealerships()
            connection.set_schema_to_public()
            _truncate_everything()
        _flush_redis()


def _flush_redis() -> None:
    """Messages sent to this run's own Redis db (SITE_TEST_REDIS_DB) with no worker to take them."""
    import redis
    from django.conf import settings

    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
