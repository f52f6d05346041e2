"""Seed the demo idempotently: dealerships dealer1/dealer2, one user per role, funded wallets, a few
hundred listed cars with photos (tenancy.demo_cars), two purchases and a lead pipeline.

Run it twice and nothing changes the second time (get-or-create everywhere, cars kept by VIN,
deposits and purchases keyed by an idempotency key).
"""
import datetime as dt
from datetime import UTC, datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.roles import ROLE_CHOICES
from django_car_listing import selectors
from django_car_listing import services as cars
from django_car_listing.models import Car
from django_leads import services as leads
from django_leads.models import Lead
from django_payroll import services as payroll
from django_payroll.models import Employee, PayrollRun
from django_trading.services import bars_ingest
from django_wallet import services as wallet
from tenancy.demo_cars import listings, photo
from tenancy.models import Dealership
from tenancy.services import dealership_create, membership_grant, public_tenant_ensure

PASSWORD = "forecourt-demo-1"
DEALERSHIPS = [("dealer1", "First Motors"), ("dealer2", "Second Autos")]
BUYER_FUNDS = Decimal("50000.00")
PRIVATE_SELLERS = ["seller", "amira", "jonas", "priya", "tom"]
# Where listings go, in turn: the two dealerships hold most of the stock, private sellers the rest.
STORES = ["dealer1", "dealer2", "", "dealer1", "dealer2"]
DEFAULT_CARS = 300
BATCH = 25  # cars per transaction: fewer commits, and a stop loses at most one batch
TICKERS = {"FCRT": "101.50", "AUTO": "48.20", "EVCO": "212.00"}
LEADS = [("Jo Walker", "new"), ("Sam Patel", "new"), ("Lee Chen", "contacted"), ("Ana Costa", "contacted"),
         ("Max Weber", "qualified"), ("Ola Nowak", "negotiating"), ("Kim Berg", "lost")]


def _user(username: str, **extra):
    User = get_user_model()
    defaults = {"email": f"{username}@example.com", **extra}
    user, created = User.objects.get_or_create(username=username, defaults=defaults)
    if created:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return user


class Command(BaseCommand):
    help = "Create (or keep) the demo dealerships, users, balances, a few hundred listed cars and some activity."

    def add_arguments(self, parser):
        parser.add_argument("--cars", type=int, default=DEFAULT_CARS, help="listings to create (default %(default)s)")

    def handle(self, *args, **options):
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
        for username in ("buyer", *PRIVATE_SELLERS):
            user = _user(username)
            wallet.deposit(account=wallet.account_for(user), amount=BUYER_FUNDS,
                           idempotency_key=f"seed:{username}", idempotency_scope="seed")
            if username in ("buyer", "seller"):
                credentials.append((username, user.username))
        admin = get_user_model().objects.get(username="admin")
        created = self._cars(admin=admin, count=options["cars"])
        self._stocks()
        self._activity()
        self.stdout.write(f"{created} cars listed ({options['cars']} in the demo market).")
        self.stdout.write(f"Demo users (password for all: {PASSWORD}):")
        for label, username in credentials:
            self.stdout.write(f"  {label:<28} {username}")

    def _cars(self, *, admin, count: int) -> int:
        """Verified listings with a photo each, some with a lower price later (kept by VIN)."""
        actors = {store: get_user_model().objects.get(username=f"{store}-dealer") for store in STORES if store}
        sellers = [get_user_model().objects.get(username=name) for name in PRIVATE_SELLERS]
        pending = listings(count, STORES)
        existing = set()
        for store in set(STORES):
            with schema_context(store or get_public_schema_name()):
                existing |= set(Car.objects.values_list("vin", flat=True))
        pending = [car for car in pending if car.vin not in existing]
        for start in range(0, len(pending), BATCH):
            with transaction.atomic():
                for car in pending[start:start + BATCH]:
                    actor = actors[car.store] if car.store else sellers[car.serial % len(sellers)]
                    with schema_context(car.store or get_public_schema_name()):
                        made = cars.car_create(
                            actor=actor, store_key=car.store, make=car.make, model=car.model, year=car.year,
                            price=car.price, vin=car.vin, mileage=car.mileage, body_type=car.body_type,
                            fuel=car.fuel, transmission=car.transmission, colour=car.colour,
                            location=car.location, description=car.description)
                        cars.car_image_add(actor=actor, store_key=car.store, car_id=made.pk,
                                           upload=SimpleUploadedFile("photo.jpg", photo(car), "image/jpeg"))
                        cars.car_verify(actor=admin, store_key=car.store, car_id=made.pk)
                        cars.car_put_on_sale(actor=actor, store_key=car.store, car_id=made.pk)
                        if car.price_drop:
                            cars.car_update(actor=actor, store_key=car.store, car_id=made.pk, price=car.price_drop)
        return len(pending)

    def _stocks(self):
        """One price bar per ticker for a fixed day (bars are immutable: re-ingesting the same bar is a no-op)."""
        when = datetime(2026, 11, 2, 16, 0, tzinfo=UTC)
        bars_ingest(bars=[{"ticker": t, "open": Decimal(p), "high": Decimal(p), "low": Decimal(p), "close": Decimal(p),
                           "volume": 1_000_000, "timestamp": when} for t, p in TICKERS.items()])

    def _activity(self):
        """What a lived-in market has: the buyer bought a car from each kind of seller, dealer1 has leads."""
        buyer = get_user_model().objects.get(username="buyer")
        if not selectors.purchases(user=buyer, limit=1).count:
            for store in ("", "dealer1"):
                found = selectors.marketplace_page(filters={"store": store}, sort="price",
                                                   limit=20).results
                row = next((r for r in found if r.store_key == store), None)
                if row is not None:
                    cars.car_buy(buyer=buyer, store_key=store, car_id=row.car_id,
                                 idempotency_key=f"seed:buy:{store or 'private'}")
        with schema_context("dealer1"):
            self._payroll()
            if Lead.objects.exists():
                return
            agent = get_user_model().objects.get(username="dealer1-sales-agent")
            dealer = get_user_model().objects.get(username="dealer1-dealer")
            leads.agent_upsert(user=agent)
            stock = list(selectors.store_cars(store_key="dealer1", limit=len(LEADS)).results)
            path = ["contacted", "qualified", "negotiating"]
            for (name, status), car in zip(LEADS, stock, strict=False):
                lead = leads.lead_create(car=car, by=dealer, agent=agent, contact_name=name,
                                         contact_email=f"{name.split()[0].lower()}@example.com")
                steps = path[:path.index(status) + 1] if status in path else (["lost"] if status == "lost" else [])
                for step in steps:
                    lead = leads.lead_transition(lead=lead, status=step, by=agent,
                                                 lost_reason="Bought elsewhere" if step == "lost" else "")

    def _payroll(self):
        """dealer1's staff on the payroll, November's run paid (so payslips exist)."""
        if PayrollRun.objects.exists():
            return
        hired = dt.date(2024, 3, 1)
        for username, first, last, department, salary in [
                ("dealer1-sales-agent", "Sara", "Lind", "Sales", "3200.00"),
                ("dealer1-broker", "Omar", "Haddad", "Sales", "3000.00"),
                ("dealer1-accountant", "Mei", "Tan", "Finance", "3600.00")]:
            user = get_user_model().objects.get(username=username)
            employee = Employee.objects.filter(user=user).first() or payroll.employee_create(
                first_name=first, last_name=last, hire_date=hired, user=user, department=department,
                email=user.email)
            payroll.salary_create(employee=employee, effective_from=hired, base_salary=Decimal(salary))
        dealer = get_user_model().objects.get(username="dealer1-dealer")
        run = payroll.run_create(period=dt.date(2026, 11, 1), created_by=dealer)
        run = payroll.run_calculate(run=run)
        run = payroll.run_approve(run=run, approved_by=dealer)
        payroll.run_pay(run=run, paid_by=dealer)
