"""Seed the HTTP benchmark's database: dealerships, thousands of real cars with their marketplace
index rows, buyers with funded wallets, leads for the dashboards, stock prices.

Cars are bulk-inserted (real Car rows in each store plus their ListingIndex rows, as index_sync
would write them), so seeding 10k+ listings takes seconds; everything with money goes through
django-wallet's services. Called by bench/http_bench.py after django.setup().
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

MAKES = {
    "Toyota": ["Corolla", "RAV4", "Yaris"], "Volkswagen": ["Golf", "Passat", "Tiguan"],
    "Ford": ["Focus", "Fiesta", "Kuga"], "BMW": ["320d", "X3", "118i"], "Audi": ["A4", "A3", "Q5"],
    "Skoda": ["Octavia", "Fabia", "Kodiaq"], "Kia": ["Sportage", "Ceed"], "Tesla": ["Model 3", "Model Y"],
}
BODIES = ["sedan", "hatchback", "wagon", "suv", "coupe", "van"]
FUELS = ["petrol", "diesel", "hybrid", "electric"]
WORDS = ["one owner full service history", "panoramic roof heated seats", "low mileage garage kept",
         "new tyres and brakes", "towbar and roof rails", "leather interior navigation"]
BUYER_FUNDS = Decimal("5000000.00")
TICKERS = {"FCRT": Decimal("101.50"), "AUTO": Decimal("48.20"), "EVCO": Decimal("212.00")}


@dataclass
class Dataset:
    dealerships: list[str] = field(default_factory=list)       # slugs (== schema names)
    read_cars: list[tuple[str, int]] = field(default_factory=list)      # (store, id) for detail reads
    buy_cars: list[tuple[str, int]] = field(default_factory=list)       # (store, id) reserved for purchases
    buyer_ids: list[int] = field(default_factory=list)
    dealer_user_ids: dict[str, int] = field(default_factory=dict)       # slug -> dealer's user id
    listings: int = 0


def _vin(serial: int) -> str:
    from django_car_listing.validators import vin_check_digit

    body = f"1HTTPBN0X{serial:08d}"
    return body[:8] + vin_check_digit(body) + body[9:]


def _car_fields(rng: random.Random, serial: int) -> dict:
    make = rng.choice(list(MAKES))
    return {
        "make": make, "model": rng.choice(MAKES[make]), "year": rng.randint(2005, 2025),
        "price": Decimal(rng.randint(1500, 90000)), "mileage": rng.randint(0, 250_000), "vin": _vin(serial),
        "body_type": rng.choice(BODIES), "fuel": rng.choice(FUELS),
        "transmission": rng.choice(["manual", "automatic"]), "colour": rng.choice(["grey", "black", "white", "red"]),
        "sale_type": "fixed", "description": rng.choice(WORDS), "location": rng.choice(["Leeds", "York", "Hull"]),
    }


def _insert_cars(store: str, store_name: str, rows: list[dict], owners: list[int | None]) -> list[int]:
    """Cars in the store's schema, then their index rows in public (what index_sync writes)."""
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from django_car_listing.models import Car, ListingIndex

    now = timezone.now()
    with schema_context(store or "public"):
        cars = Car.objects.bulk_create(
            [Car(store_key=store, owner_id=owner, is_for_sale=True, verification_status="verified", **r)
             for r, owner in zip(rows, owners, strict=True)], batch_size=1000)
    with schema_context("public"):
        ListingIndex.objects.bulk_create([
            ListingIndex(store_key=store, store_name=store_name, car_id=c.pk, owner_id=c.owner_id, make=c.make,
                         model=c.model, year=c.year, price=c.price, mileage=c.mileage, body_type=c.body_type,
                         fuel=c.fuel, transmission=c.transmission, colour=c.colour, sale_type=c.sale_type,
                         location=c.location, description=c.description, verified=True, is_for_sale=True,
                         featured_until=now + timedelta(days=7) if c.pk % 50 == 0 else None,
                         listed_at=now - timedelta(seconds=c.pk))
            for c in cars], batch_size=1000)
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE car_listing_listingindex SET search_vector ="
                " setweight(to_tsvector('simple', make), 'A') || setweight(to_tsvector('simple', model), 'A')"
                " || setweight(to_tsvector('simple', description), 'C') WHERE store_key = %s", [store])
    return [c.pk for c in cars]


def _leads(slug: str, agent_id: int, rng: random.Random, count: int) -> None:
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from django_leads.models import Lead

    now = timezone.now()
    statuses = ["new", "contacted", "qualified", "negotiating", "won", "lost"]
    with schema_context(slug):
        leads = []
        for i in range(count):
            status = rng.choice(statuses)
            leads.append(Lead(source=rng.choice(["marketplace", "walk_in", "phone"]), agent_id=agent_id,
                              status=status, contact_name=f"Lead {i}", contact_phone="+441130000000",
                              lost_reason="price" if status == "lost" else "",
                              closed_at=now if status in ("won", "lost") else None,
                              first_contact_at=now - timedelta(hours=rng.randint(1, 500)) if i % 2 else None))
        Lead.objects.bulk_create(leads, batch_size=1000)


def seed(*, dealers: int, cars_per_dealer: int, private_cars: int, buyers: int, reserve: int,
         progress=print) -> Dataset:
    """Everything the benchmark reads and buys. ``reserve`` cars (spread over the stores) are kept
    out of the read sets, for purchases only."""
    from django.contrib.auth import get_user_model

    from accounts.roles import DEALER, SALES_AGENT
    from django_trading.services import bars_ingest
    from django_wallet import services as wallet
    from tenancy.services import dealership_create, membership_grant, public_tenant_ensure

    rng = random.Random(12)
    User = get_user_model()
    data = Dataset()
    public_tenant_ensure()
    serial = 0
    sellers = User.objects.bulk_create([User(username=f"seller{i}") for i in range(max(1, private_cars // 20))])
    buyer_rows = User.objects.bulk_create([User(username=f"buyer{i}") for i in range(buyers)])
    for b in buyer_rows:
        wallet.deposit(account=wallet.account_for(b), amount=BUYER_FUNDS, idempotency_key=f"bench:{b.pk}")
    data.buyer_ids = [b.pk for b in buyer_rows]
    stores = []
    for n in range(1, dealers + 1):
        slug = f"dealer{n}"
        name = f"Dealer {n} Motors"
        t = time.perf_counter()
        dealership = dealership_create(name=name, slug=slug)
        dealer = User.objects.create_user(username=f"{slug}-dealer", password="bench-http-passw0rd")
        agent = User.objects.create_user(username=f"{slug}-agent")
        membership_grant(user=dealer, dealership=dealership, role=DEALER)
        membership_grant(user=agent, dealership=dealership, role=SALES_AGENT)
        data.dealer_user_ids[slug] = dealer.pk
        _leads(slug, agent.pk, rng, 400)
        data.dealerships.append(slug)
        stores.append((slug, name, cars_per_dealer, [None] * cars_per_dealer))
        progress(f"  dealership {slug}: {time.perf_counter() - t:.1f} s")
    stores.append(("", "Private sellers", private_cars, [rng.choice(sellers).pk for _ in range(private_cars)]))
    per_store_reserve = reserve // len(stores) + 1
    for store, name, count, owners in stores:
        rows = []
        for _ in range(count):
            serial += 1
            rows.append(_car_fields(rng, serial))
        ids = _insert_cars(store, name, rows, owners)
        rng.shuffle(ids)
        keep = min(per_store_reserve, len(ids) // 2)  # at least half of every store stays readable
        data.buy_cars += [(store, i) for i in ids[:keep]]
        data.read_cars += [(store, i) for i in ids[keep:]]
        data.listings += len(ids)
        progress(f"  store {store or '(private)'}: {len(ids)} cars")
    rng.shuffle(data.buy_cars)
    rng.shuffle(data.read_cars)
    when = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    bars_ingest(bars=[{"ticker": t, "open": p, "high": p + 2, "low": p - 1, "close": p + i % 3, "volume": 1000 + i,
                       "timestamp": when + timedelta(minutes=i)} for t, p in TICKERS.items() for i in range(60)])
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return data
