"""The site on one PostgreSQL and on a Citus cluster, measured in the same run.

    .venv/bin/python bench/citus.py [--dealerships 6] [--requests 200] [--purchases 24]

Two databases of its own, dropped and created here, both named forecourt_bench_citus: one on the single
PostgreSQL (DATABASE_URL's server, else 127.0.0.1:5432), one on the local Citus cluster (tools/citus.py:
a coordinator and two workers, started when missing). On each, in a process of its own:
1. `migrate_schemas --shared` (after `citus_join` on the cluster), then N dealerships created with the
   replayed recipe (seconds each), each with a member of staff, a listed car per purchase and a lead.
2. GET /api/leads/ (a dealership table) and GET /api/cars/ on the marketplace (public tables) through
   Django's test Client, rotating over the dealerships: p50/p95.
3. Purchases on the marketplace, one after the other, of dealer cars (payment in public, the sale in the
   dealer's schema: on the cluster a transaction over the coordinator and a worker) and of private cars
   (everything in public: on the coordinator only): purchases/s and p50 of each kind. Their ratio on the
   cluster is the cost of a cross-node purchase.
On the cluster also: dealerships per worker. Prints a markdown table and writes bench/results/citus.md.
Not a test.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import _results

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "sites" / "demo"
PYTHON = ROOT / ".venv" / "bin" / "python"
DB = "forecourt_bench_citus"
_SERVER = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
REDIS_URL = os.environ.get("BENCH_REDIS_URL") or _SERVER + "/13"


def _env(database_url: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": REDIS_URL, "PYTHONPATH": str(SITE),
            "DJANGO_SETTINGS_MODULE": "demo.settings.base", "SECRET_KEY": "bench-" + "x" * 50, "DEBUG": "false",
            "DB_POOL_MAX_SIZE": "0", "CONN_MAX_AGE": "60", **extra}


def _recreate(admin_urls: list[str]) -> None:
    """Drop the bench database on every node, then create it on the first (the coordinator)."""
    import psycopg

    for index, url in enumerate(admin_urls):
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
            if index == 0:
                conn.execute(f'CREATE DATABASE "{DB}"')


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(PYTHON), "manage.py", *args], cwd=SITE, env=env, check=True, stdout=subprocess.DEVNULL)


def _measure_in(env: dict[str, str], opts) -> dict:
    done = subprocess.run([str(PYTHON), __file__, "--measure", "--dealerships", str(opts.dealerships),
                           "--requests", str(opts.requests), "--purchases", str(opts.purchases)],
                          cwd=SITE, env=env, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- inside Django (--measure) -------------------------------------------------------------------------

def _vin(serial: int) -> str:
    from django_car_listing.validators import vin_check_digit

    body = f"1HCTSBN0X{serial:08d}"
    return body[:8] + vin_check_digit(body) + body[9:]


def _timed(calls) -> list[float]:
    times = []
    for call in calls:
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


def _p(times: list[float], q: int) -> float:
    return statistics.quantiles(times, n=100)[q - 1] * 1000 if len(times) > 1 else times[0] * 1000


def measure(opts) -> dict:
    import django

    django.setup()
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django_tenants.utils import schema_context

    from django_car_listing import services as cars
    from django_wallet import services as wallet
    from tenancy import citus
    from tenancy.services import dealership_create, membership_grant, public_tenant_ensure

    users = get_user_model().objects
    public_tenant_ensure()
    admin = users.create_user(username="bench-admin", is_staff=True, is_superuser=True)
    buyer = users.create_user(username="bench-buyer")
    wallet.deposit(account=wallet.account_for(buyer), amount=Decimal("10000000.00"))
    slugs = [f"bench{i}" for i in range(opts.dealerships)]
    serial = iter(range(1, 1_000_000))

    def listed(actor, store_key):
        car = cars.car_create(actor=actor, store_key=store_key, make="Volvo", model="V60", year=2021,
                              price=Decimal("1000.00"), vin=_vin(next(serial)))
        cars.car_verify(actor=admin, store_key=store_key, car_id=car.pk)
        cars.car_put_on_sale(actor=actor, store_key=store_key, car_id=car.pk)
        return store_key, car.pk

    created, staff, dealer_cars = [], {}, []
    for slug in slugs:
        connection.set_schema_to_public()
        started = time.perf_counter()
        dealership = dealership_create(name=slug, slug=slug)
        created.append(time.perf_counter() - started)
        staff[slug] = users.create_user(username=f"staff-{slug}")
        membership_grant(user=staff[slug], dealership=dealership, role="dealer_staff")
        with schema_context(slug):
            dealer_cars += [listed(staff[slug], slug) for _ in range(opts.purchases // len(slugs) + 1)]
    private_cars = []
    for i in range(opts.purchases):
        seller = users.create_user(username=f"seller{i}")
        private_cars.append(listed(seller, ""))
    connection.set_schema_to_public()

    clients = {slug: Client(HTTP_HOST=f"{slug}.localhost") for slug in slugs}
    for slug, client in clients.items():
        client.force_login(staff[slug])
        assert client.get("/api/leads/").status_code == 200
    market = Client(HTTP_HOST="localhost")
    rounds = range(opts.requests)
    tenant_reads = _timed(lambda i=i: clients[slugs[i % len(slugs)]].get("/api/leads/") for i in rounds)
    public_reads = _timed(lambda: market.get("/api/cars/") for _ in rounds)

    def buy(store_key, car_id):
        return lambda: cars.car_buy(buyer=buyer, store_key=store_key, car_id=car_id)

    dealer_buys = _timed(buy(*car) for car in dealer_cars[:opts.purchases])
    private_buys = _timed(buy(*car) for car in private_cars)
    per_worker = {}
    if citus.enabled():
        with connection.cursor() as cursor:
            cursor.execute("SELECT nodeport, count(DISTINCT split_part(table_name::text, '.', 1))"
                           " FROM citus_shards WHERE citus_table_type = 'schema' GROUP BY 1 ORDER BY 1")
            per_worker = {str(port): n for port, n in cursor.fetchall()}
    return {
        "create_s": statistics.median(created),
        "tenant_p50": _p(tenant_reads, 50), "tenant_p95": _p(tenant_reads, 95),
        "public_p50": _p(public_reads, 50), "public_p95": _p(public_reads, 95),
        "dealer_buys_per_s": len(dealer_buys) / sum(dealer_buys), "dealer_buy_p50": _p(dealer_buys, 50),
        "private_buys_per_s": len(private_buys) / sum(private_buys), "private_buy_p50": _p(private_buys, 50),
        "per_worker": per_worker,
    }


def _settings(urls: list[str]) -> str:
    """synchronous_commit and fsync as a new session sees them, on every server of ``urls`` alike (else each)."""
    import psycopg

    seen = []
    for url in urls:
        with psycopg.connect(url, autocommit=True) as conn:
            seen.append(", ".join(f"{name} {conn.execute(f'SHOW {name}').fetchone()[0]}"
                                  for name in ("synchronous_commit", "fsync")))
    return seen[0] if len(set(seen)) == 1 else " / ".join(seen)


def _load(averages: tuple[float, float, float]) -> str:
    return "/".join(f"{value:.1f}" for value in averages)


# --- the run -----------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dealerships", type=int, default=6)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--purchases", type=int, default=24)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.measure:
        print(json.dumps(measure(opts)))
        return 0
    sys.path.insert(0, str(ROOT))
    from tools import citus as cluster

    single_server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres").rsplit("/", 1)[0]
    cluster_env = cluster.cluster_start()
    workers = cluster_env["CITUS_WORKERS"].split(",")
    load_before = os.getloadavg()
    settings = {name: _settings([f"{server}/postgres", *(f"postgres://postgres@{n}/postgres" for n in nodes)])
                for name, server, nodes in (("single", single_server, []),
                                            ("cluster", cluster.url("coordinator", "").rstrip("/"), workers))}
    results = {}
    for name, server, nodes in (("single", single_server, []),
                                ("cluster", cluster.url("coordinator", "").rstrip("/"), workers)):
        print(f"==> {name}: migrating and seeding {opts.dealerships} dealerships", flush=True)
        _recreate([f"{server}/postgres", *(f"postgres://postgres@{node}/postgres" for node in nodes)])
        env = _env(f"{server}/{DB}")
        if nodes:
            _manage(env, "citus_join", *nodes)
        _manage(env, "migrate_schemas", "--shared", "--noinput", "-v", "0")
        results[name] = _measure_in(env, opts)
    one, many = results["single"], results["cluster"]
    load_after = os.getloadavg()

    def row(label, key, unit, fmt="{:.1f}"):
        ratio = many[key] / one[key]
        return f"| {label} | {fmt.format(one[key])} {unit} | {fmt.format(many[key])} {unit} | {ratio:.2f}x |"

    cross_node = many["dealer_buy_p50"] / many["private_buy_p50"]
    cross_single = one["dealer_buy_p50"] / one["private_buy_p50"]
    table = "\n".join([
        f"Machine: {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}; {opts.dealerships} dealerships, {opts.requests} requests per read, "
        f"{opts.purchases} purchases of each kind, one after the other (Django's test Client, in process).",
        f"Load average (1, 5, 15 min) at the start {_load(load_before)}, at the end {_load(load_after)}.",
        f"Durability: single PostgreSQL {settings['single']}; every cluster node {settings['cluster']}.",
        "",
        "| measure | single PostgreSQL | Citus: coordinator + 2 workers | cluster / single |",
        "| --- | --- | --- | --- |",
        row("new dealership (replayed recipe), median", "create_s", "s", "{:.2f}"),
        row("GET /api/leads/ on dealership hosts, p50", "tenant_p50", "ms"),
        row("GET /api/leads/ on dealership hosts, p95", "tenant_p95", "ms"),
        row("GET /api/cars/ on the marketplace, p50", "public_p50", "ms"),
        row("GET /api/cars/ on the marketplace, p95", "public_p95", "ms"),
        row("dealer-car purchases/s (public + dealer schema)", "dealer_buys_per_s", "/s"),
        row("dealer-car purchase, p50", "dealer_buy_p50", "ms"),
        row("private-car purchases/s (public only)", "private_buys_per_s", "/s"),
        row("private-car purchase, p50", "private_buy_p50", "ms"),
        "",
        f"Cost of a cross-node purchase (dealer car / private car, p50): {cross_node:.2f}x on the cluster "
        f"(coordinator + worker, two-phase commit) against {cross_single:.2f}x on one PostgreSQL.",
        "Dealerships per worker (port: schemas): "
        + ", ".join(f"{port}: {n}" for port, n in many["per_worker"].items()) + ".",
    ])
    _results.publish("citus.md", table, title="Single PostgreSQL vs a Citus cluster (bench/citus.py)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
