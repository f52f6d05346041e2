"""Wallet transfer throughput vs pgbench's TPC-B-like transaction, same database, same run.

    .venv/bin/python bench/wallet_transfers.py [--seconds 5] [--clients 1,4,8,16]

Measures transfers/s through ``django_wallet.services.transfer`` with N worker processes (random
pairs among many accounts, so row contention is low), the hot-account case (every transfer into one
seller), and batches of 1,000 legs per call (``post_batch``, the batch endpoint's service, and ``transfer_many``);
next to ``pgbench -b tpcb-like`` with the
same client counts on the same database. Prints a markdown table and writes bench/results/wallet.md.
Not a test: numbers depend on the box and on whatever else runs on it.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import _results

DB = os.environ.get("WALLET_BENCH_DB", "wallet_bench")
HOST, USER, PORT = "127.0.0.1", "postgres", "5432"
N_ACCOUNTS = 1000


def setup_django() -> None:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            INSTALLED_APPS=[
                "django.contrib.contenttypes", "django.contrib.auth", "forecourt_core.events", "django_wallet"
            ],
            FORECOURT_EVENTS_KICK=False,  # charge sales record events; no broker in this bench
            DATABASES={
                "default": {
                    "ENGINE": "django.db.backends.postgresql",
                    "NAME": DB,
                    "USER": USER,
                    "HOST": HOST,
                    "PORT": PORT,
                    # As the site's connections (DB_PREPARED_STATEMENTS, on by default): a posting is prepared.
                    "OPTIONS": {"prepare_threshold": 5},
                }
            },
            USE_TZ=True,
            DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
            SECRET_KEY="bench",
        )
        django.setup()


def create_database() -> None:
    import psycopg

    with psycopg.connect(host=HOST, user=USER, port=PORT, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')


def prepare() -> dict:
    from django.core.management import call_command

    from django_wallet import services
    from django_wallet.models import Account

    call_command("migrate", verbosity=0)
    funding = services.system_account("bench_funding")
    accounts = [services.open_account(name=f"bench-{i}") for i in range(N_ACCOUNTS)]
    services.transfer_many(legs=[(funding, a, Decimal("1000000.00")) for a in accounts])
    seller = services.open_account(name="bench-seller")
    return {"ids": [a.pk for a in accounts], "seller": seller.pk, "count": Account.objects.count()}


def worker(ids: list[int], hot: int | None, seconds: float, seed: int, barrier, results) -> None:
    from django.db import connections

    from django_wallet import services
    from django_wallet.models import Account

    connections.close_all()  # inherited from the parent by fork: never reuse its socket
    rng = random.Random(seed)
    accounts = {a.pk: a for a in Account.objects.filter(pk__in=[*ids, *([hot] if hot else [])])}
    amount = Decimal("0.01")
    barrier.wait()
    done, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        if hot:
            src, dst = rng.choice(ids), hot
        else:
            src, dst = rng.sample(ids, 2)
        services.transfer(source=accounts[src], destination=accounts[dst], amount=amount)
        done += 1
    connections.close_all()
    results.put(done)


def wallet_tps(ids, clients: int, seconds: float, hot: int | None = None) -> float:
    from django.db import connections

    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(clients), ctx.Queue()
    procs = [ctx.Process(target=worker, args=(ids, hot, seconds, seed, barrier, results)) for seed in range(clients)]
    for p in procs:
        p.start()
    total = sum(results.get(timeout=seconds + 120) for _ in procs)
    for p in procs:
        p.join()
    return total / seconds


def transfer_many_rate(ids, calls: int = 5) -> tuple[float, float]:
    from django_wallet import services
    from django_wallet.models import Account

    accounts = list(Account.objects.filter(pk__in=ids))
    rng = random.Random(1)
    start = time.perf_counter()
    for _ in range(calls):
        legs = [(a, b, Decimal("0.01")) for a, b in (rng.sample(accounts, 2) for _ in range(1000))]
        services.transfer_many(legs=legs)
    per_call = (time.perf_counter() - start) / calls
    return per_call, 1000 / per_call


def batch_rate(ids, calls: int = 5) -> tuple[float, float]:
    """``post_batch`` (the batch endpoint's service): 1,000 transfers per call, each its own keyed transaction."""
    from django_wallet import services
    from django_wallet.models import Account

    accounts = list(Account.objects.filter(pk__in=ids))
    rng = random.Random(2)
    start = time.perf_counter()
    for call in range(calls):
        items = [services.BatchItem(source=a, destination=b, amount=Decimal("0.01"))
                 for a, b in (rng.sample(accounts, 2) for _ in range(1000))]
        services.post_batch(items=items, idempotency_key=f"bench-{time.time_ns()}-{call}", idempotency_scope="bench")
    per_call = (time.perf_counter() - start) / calls
    return per_call, 1000 / per_call


def pgbench(args: list[str]) -> str:
    exe = shutil.which("pgbench") or "/usr/lib/postgresql/15/bin/pgbench"
    return subprocess.run(  # noqa: S603 (fixed argv, no shell)
        [exe, "-h", HOST, "-U", USER, "-p", PORT, *args, DB], check=True, capture_output=True, text=True
    ).stdout


def pgbench_tps(clients: int, seconds: float) -> float:
    out = pgbench(
        [
            "-n",
            "-b",
            "tpcb-like",
            "-c",
            str(clients),
            "-j",
            str(min(clients, os.cpu_count() or 1)),
            "-T",
            str(int(seconds)),
        ]
    )
    return float(re.search(r"tps = ([\d.]+)", out).group(1))


def measure(wallet, reference, repeat: int) -> tuple[float, float]:
    """Alternate the two measurements so background load hits both alike; return the medians."""
    ws, ps = [], []
    for _ in range(repeat):
        ws.append(wallet())
        ps.append(reference())
    return statistics.median(ws), statistics.median(ps)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", default="1,4,8,16")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="alternate wallet/pgbench this many times per cell and report medians (the box is shared)",
    )
    opts = parser.parse_args()
    clients = [int(c) for c in opts.clients.split(",")]

    create_database()
    setup_django()
    state = prepare()
    ids = state["ids"]
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT version(), current_setting('synchronous_commit'), current_setting('shared_buffers')")
        pg_version, sync_commit, shared_buffers = cur.fetchone()
    connection.close()

    rows = []
    # Scale = the largest client count, so branches (the hottest pgbench rows) rarely collide:
    # the like-for-like of random transfers among many accounts.
    pgbench(["-i", "-q", "-s", str(max(clients))])
    for n in clients:
        w, p = measure(
            lambda n=n: wallet_tps(ids, n, opts.seconds), lambda n=n: pgbench_tps(n, opts.seconds), opts.repeat
        )
        rows.append(("random pairs", n, w, p))
        print(f"random  clients={n:2d} wallet={w:8.1f}/s pgbench={p:8.1f}/s", file=sys.stderr)
    # Hot row: every wallet transfer credits one seller; pgbench at scale 1 updates one branch row.
    pgbench(["-i", "-q", "-s", "1"])
    for n in clients:
        w, p = measure(
            lambda n=n: wallet_tps(ids, n, opts.seconds, hot=state["seller"]),
            lambda n=n: pgbench_tps(n, opts.seconds),
            opts.repeat,
        )
        rows.append(("hot account", n, w, p))
        print(f"hot     clients={n:2d} wallet={w:8.1f}/s pgbench={p:8.1f}/s", file=sys.stderr)
    per_call, legs_per_s = transfer_many_rate(ids)
    batch_call, batch_legs = batch_rate(ids)
    load = os.getloadavg()

    setup_django()
    from django_wallet import services

    report = services.verify_ledger()
    single = next(w for case, n, w, _ in rows if case == "random pairs" and n == min(clients))

    lines = [
        "# Wallet transfers vs pgbench TPC-B-like",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs ({_cpu_model()}), "
        f"{platform.system()} {platform.release()}; "
        f"{pg_version.split(',')[0]}, synchronous_commit={sync_commit}, shared_buffers={shared_buffers}; "
        f"Python {platform.python_version()}; median of {opts.repeat} alternating {opts.seconds:g} s runs per cell; "
        f"run at {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. "
        "The box is shared with other test suites, so absolute numbers are noisy.",
        "",
        "| case | clients | wallet transfers/s | pgbench tpcb-like tps | wallet / pgbench |",
        "|---|---:|---:|---:|---:|",
        *[f"| {case} | {n} | {w:,.0f} | {p:,.0f} | {w / p:.2f} |" for case, n, w, p in rows],
        "",
        "| batch posting (1,000 legs per call) | ms per call | legs/s | vs single transfers, 1 client |",
        "|---|---:|---:|---:|",
        f"| `post_batch`: 1,000 transactions, each keyed (the batch endpoint's service) | {batch_call * 1000:,.0f} | "
        f"{batch_legs:,.0f} | {batch_legs / single:.0f}x |",
        f"| `transfer_many`: one transaction of 1,000 legs | {per_call * 1000:,.0f} | {legs_per_s:,.0f} | "
        f"{legs_per_s / single:.0f}x |",
        "",
        f"1-minute load average at the end: {load[0]:.1f} (5 min {load[1]:.1f}); the box is shared with other "
        "engineers' test runs.",
        "",
        f"`verify_ledger` after the run: {'clean' if report.ok else 'MISMATCHES: ' + str(report.mismatches[:5])} "
        f"({report.transactions_checked:,} transactions, {report.accounts_checked:,} accounts).",
    ]
    _results.publish("wallet.md", "\n".join(lines) + "\n")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    main()
