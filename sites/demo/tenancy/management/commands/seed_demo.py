"""Seed the demo idempotently: dealerships dealer1/dealer2, one user per role, funded wallets.

Run it twice and nothing changes the second time (get-or-create everywhere,
deposits keyed by an idempotency key).
"""
from datetime import UTC, datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from accounts.roles import ROLE_CHOICES
from tenancy.models import Dealership
from tenancy.services import dealership_create, membership_grant, public_tenant_ensure

PASSWORD = "forecourt-demo-1"
DEALERSHIPS = [("dealer1", "First Motors"), ("dealer2", "Second Autos")]
BUYER_FUNDS = Decimal("50000.00")
# (store, make, model, year, price): dealership inventory ("dealer1") or the seller's own car ("").
CARS = [
    ("dealer1", "Volvo", "XC60", 2021, "32900.00"), ("dealer1", "Toyota", "Corolla", 2019, "15400.00"),
    ("dealer1", "BMW", "320d", 2020, "24750.00"), ("dealer2", "Skoda", "Octavia", 2022, "21900.00"),
    ("dealer2", "Ford", "Focus", 2018, "9800.00"), ("", "Saab", "9-3", 2008, "3500.00"),
]
TICKERS = {"FCRT": "101.50", "AUTO": "48.20", "EVCO": "212.00"}


def _vin(serial: int) -> str:
    """A valid VIN (ISO 3779 check digit) that is the same on every run."""
    from django_car_listing.validators import vin_check_digit

    body = f"1FTDEMA0X{serial:08d}"
    return body[:8] + vin_check_digit(body) + body[9:]


def _user(username: str, **extra):
    User = get_user_model()
    defaults = {"email": f"{username}@example.com", **extra}
    user, created = User.objects.get_or_create(username=username, defaults=defaults)
    if created:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return user


class Command(BaseCommand):
    help = "Create (or keep) the demo dealerships, users and balances."

    def handle(self, *args, **options):
        from django_wallet import services as wallet

        public_tenant_ensure()
        credentials = [("platform admin", _user("admin", is_staff=True, is_superuser=True).username)]
        for slug, name in DEALERSHIPS:
            dealership = Dealership.objects.filter(slug=slug).first() or dealership_create(name=name, slug=slug)
            for role, label in ROLE_CHOICES:
                user = _user(f"{slug}-{role.replace('_', '-')}")
                membership_grant(user=user, dealership=dealership, role=role)
                credentials.append((f"{label} of {slug}", user.username))
            wallet.deposit(account=wallet.account_for(dealership), amount=Decimal("250000.00"),
                           idempotency_key=f"seed:{slug}", idempotency_scope="seed")
        for username in ("buyer", "seller"):
            user = _user(username)
            wallet.deposit(account=wallet.account_for(user), amount=BUYER_FUNDS,
                           idempotency_key=f"seed:{username}", idempotency_scope="seed")
            credentials.append((username, user.username))
        self._cars(admin=get_user_model().objects.get(username="admin"))
        self._stocks()
        self.stdout.write(f"Demo users (password for all: {PASSWORD}):")
        for label, username in credentials:
            self.stdout.write(f"  {label:<28} {username}")

    def _cars(self, *, admin):
        """Verified cars on sale in both dealerships and one private seller's car (kept by VIN)."""
        from django_tenants.utils import schema_context

        from django_car_listing import services as cars
        from django_car_listing.models import Car

        for serial, (store, make, model, year, price) in enumerate(CARS, start=1):
            vin = _vin(serial)
            actor = get_user_model().objects.get(username=f"{store}-dealer" if store else "seller")
            with schema_context(store or "public"):
                if Car.objects.filter(vin=vin).exists():
                    continue
                car = cars.car_create(actor=actor, store_key=store, make=make, model=model, year=year,
                                      price=Decimal(price), vin=vin, mileage=serial * 12000)
                cars.car_verify(actor=admin, store_key=store, car_id=car.pk)
                cars.car_put_on_sale(actor=actor, store_key=store, car_id=car.pk)

    def _stocks(self):
        """One price bar per ticker for a fixed day (bars are immutable: re-ingesting the same bar is a no-op)."""
        from django_trading.services import bars_ingest

        when = datetime(2026, 11, 2, 16, 0, tzinfo=UTC)
        bars_ingest(bars=[{"ticker": t, "open": Decimal(p), "high": Decimal(p), "low": Decimal(p), "close": Decimal(p),
                           "volume": 1_000_000, "timestamp": when} for t, p in TICKERS.items()])
