"""The money soak's world and its worker processes (used by test_soak.py).

``build_world`` commits users with money, cars on sale in the marketplace and in both dealerships,
approved payroll runs and a stock. ``soak_worker`` runs in a spawned process of its own (its own
interpreter and database connection) and, until its deadline, buys cars, transfers money, pays
payroll runs and trades, all through the packages' services, many processes racing for the same
cars, runs and accounts. It reports what it did; the test derives every balance from the domain
rows and compares.
"""
from __future__ import annotations

import datetime as dt
import os
import random
import time
from collections import Counter
from decimal import Decimal

PASSWORD = "a-Strong-passw0rd"
USERS = 10
TICKER = "SOAK"


def _vin(n: int) -> str:
    from django_car_listing.validators import vin_check_digit

    body = f"5SAAB{n:05d}0{n:06d}"
    return body[:8] + vin_check_digit(body) + body[9:]


def build_world(*, seconds: float) -> dict:
    """Commit the starting state; sizes grow with the soak's length so there is always contention."""
    from django.contrib.auth import get_user_model
    from django_tenants.utils import schema_context

    from django_car_listing import services as cars
    from django_payroll import services as payroll
    from django_trading import services as trading
    from django_wallet import services as wallet
    from tenancy.models import Dealership
    from tenancy.services import membership_grant

    User = get_user_model()
    admin = User.objects.create_user("soak-admin", "", PASSWORD, is_staff=True)
    users = [User.objects.create_user(f"soak-user{n}", f"soak-user{n}@example.test", PASSWORD) for n in range(USERS)]
    for user in users:
        wallet.deposit(account=wallet.account_for(user), amount=Decimal("5000.00"))
        trading.trader_fund(username=user.username, amount=Decimal("2000.00"))
    trading.bars_ingest(bars=[{"ticker": TICKER, "open": Decimal("25.00"), "high": Decimal("25.00"),
                               "low": Decimal("25.00"), "close": Decimal("25.00"), "volume": 10**9}])

    vins = iter(range(1, 10**6))
    listed = []
    for n in range(24 + int(2 * seconds)):
        owner = users[n % USERS]
        car = cars.car_create(actor=owner, store_key="", make="Volvo", model="240", year=1990,
                              price=Decimal(50 + (n * 37) % 250), vin=_vin(next(vins)))
        cars.car_verify(actor=admin, store_key="", car_id=car.pk)
        cars.car_put_on_sale(actor=owner, store_key="", car_id=car.pk)
        listed.append(("", car.pk))

    runs = []
    for slug in ("dealer1", "dealer2"):
        dealership = Dealership.objects.get(slug=slug)
        wallet.deposit(account=wallet.account_for(dealership), amount=Decimal("50000.00"))
        dealer = User.objects.create_user(f"soak-{slug}-dealer", "", PASSWORD)
        membership_grant(user=dealer, dealership=dealership, role="dealer")
        with schema_context(slug):  # the dealer's role counts in its own dealership only
            for n in range(8 + int(seconds // 2)):
                car = cars.car_create(actor=dealer, store_key=slug, make="Saab", model="900", year=1993,
                                      price=Decimal(100 + (n * 53) % 400), vin=_vin(next(vins)))
                cars.car_verify(actor=admin, store_key=slug, car_id=car.pk)
                cars.car_put_on_sale(actor=dealer, store_key=slug, car_id=car.pk)
                listed.append((slug, car.pk))
            employees = [payroll.employee_create(first_name="Soak", last_name=f"E{n}", hire_date=dt.date(2020, 1, 1),
                                                 user=users[n]) for n in range(2)]
            for n in range(6 + int(seconds // 5)):
                run = payroll.run_create(period=dt.date(2026, 1 + n % 12, 1), kind="adjustment", created_by=dealer)
                for employee in employees:
                    payroll.run_add_adjustment(run=run, employee=employee, kind="earning",
                                               amount=Decimal("75.00") + n, description="soak bonus")
                run = payroll.run_calculate(run=run)
                run = payroll.run_approve(run=run, approved_by=dealer)
                runs.append((slug, run.pk))
    return {"users": [u.pk for u in users], "cars": listed, "runs": runs}


# --- in the worker process ----------------------------------------------------------------------------------------

def _setup_django(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "demo.settings.test"
    os.environ["DATABASE_URL"] = database_url  # the pytest test database itself
    import django

    django.setup()
    from demo.celery import app

    # Tasks enqueued on commit (e-mails, settlement) go nowhere: no worker here, and a message left in the
    # shared test Redis could reach a later test's worker. Settlement is called directly below.
    app.conf.broker_url = "memory://localhost/"


def soak_worker(database_url: str, world: dict, seconds: float, seed: int) -> dict:
    _setup_django(database_url)
    from django.contrib.auth import get_user_model
    from django_tenants.utils import schema_context

    from django_car_listing.services import car_buy
    from django_payroll.models import PayrollRun
    from django_payroll.services import run_pay
    from django_trading import services as trading
    from django_wallet import services as wallet
    from forecourt_core.errors import DomainError

    rng = random.Random(seed)
    users = list(get_user_model().objects.filter(pk__in=world["users"]).order_by("pk"))
    refusals = (DomainError,)
    done, refused, transfers, unexpected = Counter(), Counter(), [], []

    def transfer():
        a, b = rng.sample(users, 2)
        amount = Decimal(rng.randint(1, 4000)) / 100
        source, destination = wallet.account_for(a), wallet.account_for(b)
        wallet.transfer(source=source, destination=destination, amount=amount, kind="transfer", memo="soak")
        transfers.append((source.pk, destination.pk, str(amount)))

    def purchase():
        store, car_id = rng.choice(world["cars"])
        car_buy(buyer=rng.choice(users), store_key=store, car_id=car_id)

    def payroll_payment():
        slug, run_id = rng.choice(world["runs"])
        with schema_context(slug):
            run_pay(run=PayrollRun.objects.get(pk=run_id))

    def trade():
        order, _ = trading.order_create(user=rng.choice(users), ticker=TICKER, side=rng.choice(["buy", "sell"]),
                                        volume=rng.randint(1, 4))
        settled = trading.order_settle(order_id=order.pk)
        if settled.status != "settled":
            raise _Refused(settled.reason)

    operations = [(transfer, 4), (purchase, 2), (trade, 3), (payroll_payment, 1)]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        operation = rng.choices([op for op, _ in operations], weights=[w for _, w in operations])[0]
        try:
            operation()
            done[operation.__name__] += 1
        except (*refusals, _Refused):
            refused[operation.__name__] += 1
        except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on any
            unexpected.append(f"{operation.__name__}: {exc!r}")
    from django.db import connections

    connections.close_all()
    return {"done": done, "refused": refused, "transfers": transfers, "unexpected": unexpected}


class _Refused(Exception):
    """A trade the settlement rejected (no holdings to sell, no cash): a clean refusal."""
