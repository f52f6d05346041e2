"""Marketplace search latency at 1k / 100k / 1M listings over 100 dealerships, and purchases/s.

    .venv/bin/python bench/car_listing_search.py [--sizes 1000,100000,1000000] [--runs 40] [--buyers 8] [--reuse]

Each size gets its own copy of the ListingIndex table (schema ``s<size>`` of the scratch database
``car_listing_bench``, created LIKE the migrated table, so with the same indexes), seeded with
``manage.py car_listing_seed_index`` (progress bar; it ends with VACUUM ANALYZE, as autovacuum would after
a bulk load). The searches then run in interleaved rounds over the sizes (switching ``search_path``), so
load from other processes on a shared box hits every size alike. Each sample is the marketplace selector
(capped count + page, the two queries the API runs), at offsets 0-80. Target: p50 at the largest size
<= 1.5x p50 at the smallest. Then buys N distinct cars with N concurrent threads through ``car_buy``
(wallet transfer included). Prints a markdown table and writes bench/results/car_listing.md with the
machine and date. ``--reuse`` keeps an existing database whose tables already hold the sizes (only valid
while the migrations have not changed). Not a test: numbers depend on the box and what else runs on it.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import threading
import time
from decimal import Decimal

import _results

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


def setup_django(extra_apps: tuple[str, ...] = ()) -> None:
    import django
    from django.conf import settings

    settings.configure(
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "simple_history", "django_wallet",
                        "django_car_listing", *extra_apps],
        DATABASES={"default": {"ENGINE": "django.db.backends.postgresql", "NAME": DB, "USER": USER,
                               "HOST": HOST, "PORT": PORT}},
        USE_TZ=True, DEFAULT_AUTO_FIELD="django.db.models.BigAutoField", SECRET_KEY="bench",
        ALLOWED_HOSTS=["testserver"], CAR_LISTING_REQUIRE_VERIFICATION=True)
    django.setup()


def database_exists() -> bool:
    import psycopg

    with psycopg.connect(host=HOST, user=USER, port=PORT, dbname="postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone() is not None


def create_database() -> None:
    import psycopg

    with psycopg.connect(host=HOST, user=USER, port=PORT, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')


def use_size(size: int | None) -> None:
    """Point unqualified table names at the size's ListingIndex copy (None: the migrated tables)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"SET search_path TO s{size}, public" if size else "SET search_path TO public")


def prepare_size(size: int) -> None:
    """Schema s<size> with a ListingIndex LIKE the migrated one, seeded to ``size`` rows, with the migrated
    table's indexes (pg_get_indexdef) built after the load: much faster than maintaining them per row. A
    table of the right size is kept; its indexes are rebuilt if the migrations changed them."""
    from django.core.management import call_command
    from django.db import connection

    from django_car_listing.models import ListingIndex

    table, schema = ListingIndex._meta.db_table, f"s{size}"
    with connection.cursor() as cur:
        cur.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        cur.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s AND tablename = %s", [schema, table])
        if cur.fetchone()[0]:
            cur.execute(f"SELECT count(*) FROM {schema}.{table}")
            if cur.fetchone()[0] != size:
                cur.execute(f"DROP TABLE {schema}.{table}")
    with connection.cursor() as cur:
        cur.execute(f"CREATE TABLE IF NOT EXISTS {schema}.{table} "
                    f"(LIKE public.{table} INCLUDING DEFAULTS INCLUDING IDENTITY)")
        use_size(size)
        if not ListingIndex.objects.exists():
            call_command("car_listing_seed_index", count=size, stores=100)
    sync_indexes(schema, table)
    use_size(None)


def sync_indexes(schema: str, table: str) -> None:
    """Give schema.table the indexes of public.table (built after a bulk load), then VACUUM ANALYZE it."""
    from django.db import connection

    wanted, have = set(_index_ddl("public", table).values()), _index_ddl(schema, table)
    if wanted == {d.replace(f" ON {schema}.", " ON public.") for d in have.values()}:
        return
    with connection.cursor() as cur:
        for name in have:
            cur.execute(f"DROP INDEX {schema}.{name}")
        for ddl in wanted:
            cur.execute(ddl.replace(f" ON public.{table} ", f" ON {schema}.{table} "))
        cur.execute(f"VACUUM ANALYZE {schema}.{table}")


def _index_ddl(schema: str, table: str) -> dict[str, str]:
    """name -> CREATE INDEX statement of the table's indexes."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s AND tablename = %s",
                    [schema, table])
        return dict(cur.fetchall())


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.node()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, Python "
            f"{platform.python_version()}, PostgreSQL on {HOST}; 1-minute load average at the end {load:.1f}; "
            f"run at {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")


def time_searches(sizes: list[int], runs: int) -> dict[int, dict[str, tuple[float, float]]]:
    """Interleaved rounds: every round runs every search once on every size."""
    from django_car_listing import selectors

    samples = {size: {label: [] for label, _, _ in SEARCHES} for size in sizes}
    for size in sizes:  # warm each size's indexes once
        use_size(size)
        for _, filters, sort in SEARCHES:
            selectors.marketplace_page(filters=filters, sort=sort, limit=20)
    for r in range(runs):
        for size in sizes:
            use_size(size)
            for label, filters, sort in SEARCHES:
                t = time.perf_counter()
                selectors.marketplace_page(filters=filters, sort=sort, offset=(r % 5) * 20, limit=20)
                samples[size][label].append((time.perf_counter() - t) * 1000)
    use_size(None)
    out = {}
    for size in sizes:
        every = [x for xs in samples[size].values() for x in xs]
        out[size] = {label: _p50_p95(xs) for label, xs in samples[size].items()}
        out[size]["ALL"] = _p50_p95(every)
    return out


def server_times(sizes: list[int], repeat: int = 5) -> dict[int, dict[str, tuple[float, float]]]:
    """Median EXPLAIN ANALYZE execution time of the count and the page query (offset 40) per search: the
    database's share, which the client's CPU contention on a shared box does not inflate."""
    from django.db import connection

    from django_car_listing.selectors import SORTS, marketplace_queryset

    out = {}
    for size in sizes:
        use_size(size)
        out[size] = {}
        for label, filters, sort in SEARCHES:
            qs = marketplace_queryset(filters=filters)
            count_sql, count_params = qs[:1001].values("id").query.sql_with_params()
            page = qs.order_by(*SORTS[sort]).defer("search_vector")[40:60].query.sql_with_params()
            times = []
            for sql, params in ((f"SELECT count(*) FROM ({count_sql}) s", count_params), page):
                runs = []
                for _ in range(repeat):
                    with connection.cursor() as cur:
                        cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
                        runs.append(cur.fetchone()[0][0]["Execution Time"])
                times.append(statistics.median(runs))
            out[size][label] = tuple(times)
    use_size(None)
    return out


def _p50_p95(xs: list[float]) -> tuple[float, float]:
    return statistics.median(xs), statistics.quantiles(xs, n=20)[18]


def purchases_per_second(buyers: int) -> float:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from django_car_listing import services
    from django_wallet import services as wallet

    User = get_user_model()
    run = random.randrange(100_000)  # fresh users and VINs each run (--reuse keeps the database)
    staff = User.objects.create_user(f"bench_staff{run}", is_staff=True)
    seller = User.objects.create_user(f"bench_seller{run}")
    from django_car_listing.validators import vin_check_digit

    cars, people = [], []
    for i in range(buyers * 5):
        raw = f"B{run:05d}{i:06d}0ABCD"
        vin = raw[:8] + vin_check_digit(raw) + raw[9:]
        car = services.car_create(actor=seller, make="Bench", model="Car", year=2020, price=Decimal("100.00"), vin=vin)
        services.car_verify(actor=staff, store_key="", car_id=car.pk)
        services.car_put_on_sale(actor=seller, store_key="", car_id=car.pk)
        cars.append(car.pk)
    for i in range(buyers):
        u = User.objects.create_user(f"bench_buyer{run}_{i}")
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
    parser.add_argument("--reuse", action="store_true", help="keep the database if it exists")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if not (args.reuse and database_exists()):
        create_database()
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    for size in sizes:
        prepare_size(size)
    results = time_searches(sizes, args.runs)
    server = server_times(sizes)
    pps = purchases_per_second(args.buyers)

    labels = [s[0] for s in SEARCHES] + ["ALL"]
    lines = ["| search | " + " | ".join(f"{s:,} p50 / p95 ms" for s in sizes)
             + f" | p50 {sizes[-1]:,} / {sizes[0]:,} |",
             "| --- |" + " --- |" * (len(sizes) + 1)]
    for label in labels:
        ratio = results[sizes[-1]][label][0] / results[sizes[0]][label][0]
        lines.append(f"| {label} | " + " | ".join(f"{results[s][label][0]:.2f} / {results[s][label][1]:.2f}"
                                                  for s in sizes) + f" | {ratio:.2f}x |")
    lines += ["", "Database share (EXPLAIN ANALYZE execution time, median of 5): capped count + page, ms", "",
              "| search | " + " | ".join(f"{s:,}" for s in sizes) + " |", "| --- |" + " --- |" * len(sizes)]
    for label, _, _ in SEARCHES:
        lines.append(f"| {label} | " + " | ".join(f"{server[s][label][0]:.2f} + {server[s][label][1]:.2f}"
                                                  for s in sizes) + " |")
    ratio = results[sizes[-1]]["ALL"][0] / results[sizes[0]]["ALL"][0]
    lines += ["", f"p50 ratio {sizes[-1]:,} vs {sizes[0]:,}: {ratio:.2f}x (target <= 1.5x)",
              f"purchases/s with {args.buyers} concurrent buyers (distinct cars, wallet transfer included): "
              f"{pps:.1f}", "", f"{args.runs} interleaved rounds; machine: {machine()}"]
    _results.publish("car_listing.md", "\n".join(lines), title="car_listing search benchmark")


if __name__ == "__main__":
    main()
