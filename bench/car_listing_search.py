"""Marketplace search latency at 1k / 100k / 1M listings over 100 dealerships, and purchases/s.

    .venv/bin/python bench/car_listing_search.py [--sizes 1000,100000,1000000] [--runs 40] [--buyers 8]

Seeds the ListingIndex with ``manage.py car_listing_seed_index`` (progress bar), then times the
marketplace selector (count + page, the same two queries the API runs) for a mix of searches, p50/p95
per size; target: p50 at the largest size <= 1.5x p50 at the smallest. Then buys N distinct cars with
N concurrent threads through ``car_buy`` (wallet transfer included). Prints a markdown table and
writes bench/results/car_listing.md. Not a test: numbers depend on the box and what else runs on it.
"""
from __future__ import annotations

import argparse
import statistics
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB = "car_listing_bench"
HOST, USER, PORT = "127.0.0.1", "postgres", "5432"

SEARCHES = [
    ("all, featured first", {}, "featured"),
    ("make=Toyota, price asc", {"make": "Toyota"}, "price"),
    ("full text 'panoramic roof'", {"q": "panoramic roof"}, "featured"),
    ("dealer042, newest", {"store": "dealer042"}, "newest"),
    ("price 5k-20k, year>=2015, suv", {"price_min": Decimal("5000"), "price_max": Decimal("20000"),
                                       "year_min": 2015, "body_type": "suv"}, "price"),
]


def setup_django() -> None:
    import django
    from django.conf import settings

    settings.configure(
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "simple_history", "django_wallet",
                        "django_car_listing"],
        DATABASES={"default": {"ENGINE": "django.db.backends.postgresql", "NAME": DB, "USER": USER,
                               "HOST": HOST, "PORT": PORT}},
        USE_TZ=True, DEFAULT_AUTO_FIELD="django.db.models.BigAutoField", SECRET_KEY="bench",
        CAR_LISTING_REQUIRE_VERIFICATION=True)
    django.setup()


def create_database() -> None:
    import psycopg

    with psycopg.connect(host=HOST, user=USER, port=PORT, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')


def time_searches(runs: int) -> dict[str, tuple[float, float]]:
    from django_car_listing import selectors

    out, every = {}, []
    for label, filters, sort in SEARCHES:
        selectors.marketplace_page(filters=filters, sort=sort, limit=20)  # warm
        samples = []
        for r in range(runs):
            t = time.perf_counter()
            selectors.marketplace_page(filters=filters, sort=sort, offset=(r % 5) * 20, limit=20)
            samples.append((time.perf_counter() - t) * 1000)
        every += samples
        out[label] = (statistics.median(samples), statistics.quantiles(samples, n=20)[18])
    out["ALL"] = (statistics.median(every), statistics.quantiles(every, n=20)[18])
    return out


def purchases_per_second(buyers: int) -> float:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from django_car_listing import services
    from django_wallet import services as wallet

    User = get_user_model()
    staff = User.objects.create_user("bench_staff", is_staff=True)
    seller = User.objects.create_user("bench_seller")
    from django_car_listing.validators import vin_check_digit

    cars, people = [], []
    for i in range(buyers * 5):
        raw = f"BENCH{i:08d}0ABCD"[:17]
        vin = raw[:8] + vin_check_digit(raw) + raw[9:]
        car = services.car_create(actor=seller, make="Bench", model="Car", year=2020, price=Decimal("100.00"), vin=vin)
        services.car_verify(actor=staff, store_key="", car_id=car.pk)
        services.car_put_on_sale(actor=seller, store_key="", car_id=car.pk)
        cars.append(car.pk)
    for i in range(buyers):
        u = User.objects.create_user(f"bench_buyer{i}")
        wallet.deposit(account=wallet.account_for(u), amount=Decimal("100000.00"))
        people.append(u)
    barrier = threading.Barrier(buyers)

    def run(idx):
        barrier.wait()
        for car_id in cars[idx::buyers]:
            services.car_buy(buyer=people[idx], store_key="", car_id=car_id)
        connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(buyers)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return len(cars) / (time.perf_counter() - t)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--buyers", type=int, default=8)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    create_database()
    setup_django()
    from django.core.management import call_command

    from django_car_listing.models import ListingIndex

    call_command("migrate", verbosity=0)
    results = {}
    for size in sizes:
        have = ListingIndex.objects.count()
        if size > have:
            call_command("car_listing_seed_index", count=size - have, stores=100)
        results[size] = time_searches(args.runs)
    pps = purchases_per_second(args.buyers)

    labels = [s[0] for s in SEARCHES] + ["ALL"]
    lines = ["| search | " + " | ".join(f"{s:,} p50 / p95 ms" for s in sizes) + " |",
             "| --- |" + " --- |" * len(sizes)]
    for label in labels:
        lines.append(f"| {label} | " + " | ".join(f"{results[s][label][0]:.2f} / {results[s][label][1]:.2f}"
                                                  for s in sizes) + " |")
    ratio = results[sizes[-1]]["ALL"][0] / results[sizes[0]]["ALL"][0]
    lines += ["", f"p50 ratio {sizes[-1]:,} vs {sizes[0]:,}: {ratio:.2f}x (target <= 1.5x)",
              f"purchases/s with {args.buyers} concurrent buyers (distinct cars, wallet transfer included): "
              f"{pps:.1f}"]
    text = "\n".join(lines)
    print(text)
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "car_listing.md").write_text("# car_listing search benchmark\n\n" + text + "\n")


if __name__ == "__main__":
    main()
