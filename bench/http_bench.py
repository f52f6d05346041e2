"""HTTP throughput of the demo site under its production server, next to a trivial JSON view.

    .venv/bin/python bench/http_bench.py [--windows 8] [--seconds 3] [--connections 8] [--workers 4]
        [--dealers 5] [--cars 2000] [--private 2000] [--buyers 200] [--keep-db | --reuse-db] [--profile]

1. Creates its own database ``forecourt_bench_http`` and starts its own redis-server on a free
   port (so Redis INFO hit/miss counters are this run's alone), seeds dealerships, thousands of
   real cars with their marketplace index rows, buyers with funded wallets, leads, stock prices.
2. Counts the SQL queries of one request per endpoint in-process (CaptureQueriesContext through
   the Django test client: every middleware included), first with a cold cache, then warm.
3. Starts the production server: uvicorn with 4 workers (``--workers``; docker-compose's number) on ``demo.asgi`` with
   ``demo.settings.production`` (DEBUG off), and drives it with wrk on loopback, endpoint after
   endpoint. Each endpoint runs in ``--windows`` short windows, every one between two windows of
   /api/ping/ (no DRF, no query of its own): ping, endpoint, ping, endpoint, ..., ping. A window's
   figure is rps(endpoint) / mean rps(the pings either side); the endpoint's figure is the median
   over its windows, reported with their range. This machine's CPU speed swings within seconds
   (docs/performance.md), so one long window per endpoint, or one ping per round, measured the swing
   more than the endpoint. Goal >= 0.5 for reads.
4. A mixed round: purchases and cached reads at the same time, so every purchase invalidates the
   facets and a dashboard while they are read.
5. Hit rates, in passes of their own after the measured ones (5 s per read endpoint, and a second
   mixed round): cache reads and rebuilds counted per cached family from the bench Redis' MONITOR
   stream (hit rate = 1 - rebuilds / reads, exact). MONITOR is never on while throughput is measured:
   it costs Redis and the bench's parser CPU on the same cores and slowed every Redis-using endpoint.
6. Prints markdown tables and writes bench/results/http.md and bench/results/caching.md.
   ``--profile`` also writes cProfile's top functions per endpoint (in-process) to
   bench/results/http_profile.txt.

The load generator shares the machine's cores with the server (and with whatever else runs):
the ratio is the comparable number, absolute rps are not.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "sites" / "demo"
# This checkout's code first, before the venv's editable installs (a `git worktree` of a commit measures
# that commit, not whatever is being edited in the main checkout).
CODE_PATHS = [str(SITE), str(ROOT / "bench"), *(str(p / "src") for p in sorted((ROOT / "packages").iterdir()))]
sys.path[:0] = CODE_PATHS
DB = os.environ.get("HTTP_BENCH_DB", "forecourt_bench_http")
PG = "postgres://postgres@127.0.0.1:5432"
SEARCHES = ["", "?make=Toyota&sort=price", "?q=panoramic+roof", "?store=dealer2&sort=newest",
            "?price_min=5000&price_max=20000&year_min=2015&body_type=suv&sort=price", "?fuel=electric",
            "?make=BMW&model=X3", "?page=3", "?transmission=automatic&year_min=2020", "?sort=-price"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


def configure_env(redis_port: int) -> dict:
    env = {
        "DJANGO_SETTINGS_MODULE": "_http_settings",  # demo.settings.production, static files kept apart
        "PYTHONPATH": os.pathsep.join(CODE_PATHS),
        "SECRET_KEY": "bench-http-not-a-secret-" + "k" * 40,
        "DATABASE_URL": f"{PG}/{DB}",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "BASE_DOMAIN": "localhost",
        "SECURE_SSL_REDIRECT": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "ERROR",
    }
    os.environ.update(env)
    return env


def create_database() -> None:
    import psycopg

    with psycopg.connect(PG + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')


def drop_database() -> None:
    import psycopg

    with psycopg.connect(PG + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


class Endpoints:
    """The requests of each measured endpoint, as wrk items and as one in-process request."""

    def __init__(self, data):
        from django.contrib.auth import get_user_model
        from django.test import Client
        from rest_framework_simplejwt.tokens import AccessToken

        User = get_user_model()
        self.data = data
        buyers = list(User.objects.filter(pk__in=data.buyer_ids))
        self.tokens = [f"Bearer {AccessToken.for_user(u)}" for u in buyers]
        self.sessions = {}
        self._client = None
        self._items: dict[str, list] = {}
        for slug, user_id in data.dealer_user_ids.items():
            client = Client(HTTP_HOST=f"{slug}.localhost")
            client.force_login(User.objects.get(pk=user_id))
            self.sessions[slug] = client.cookies["sessionid"].value

    def items(self, name: str):
        # Built once per read endpoint: in_process() times one() per request, and a list of 2,000 items
        # rebuilt per call was most of what it timed for car details.
        if name == "purchase":  # distinct cars, handed out once
            return self._build_items(name)
        if name not in self._items:
            self._items[name] = self._build_items(name)
        return self._items[name]

    def _build_items(self, name: str):
        from _wrk import Item

        pub = {"Host": "localhost"}
        d = self.data
        if name == "ping (reference)":
            return [Item("GET", "/api/ping/", pub)]
        if name == "marketplace search":
            return [Item("GET", f"/api/cars/{q}", pub) for q in SEARCHES]
        if name == "marketplace facets":
            return [Item("GET", f"/api/cars/facets/{q}", pub) for q in SEARCHES]
        if name == "car detail":
            return [Item("GET", f"/api/cars/{cid}/?store={store}", pub) for store, cid in d.read_cars[:2000]]
        if name == "wallet balance":
            return [Item("GET", "/api/wallet/accounts/", {**pub, "Authorization": t}) for t in self.tokens]
        if name == "stock quote":
            return [Item("GET", f"/api/trading/stocks/{t}/", {**pub, "Authorization": tok})
                    for tok in self.tokens[:20] for t in ("FCRT", "AUTO", "EVCO")]
        if name == "dealer dashboard":
            return [Item("GET", "/", {"Host": f"{slug}.localhost", "Cookie": f"sessionid={sid}"})
                    for slug, sid in self.sessions.items()]
        if name == "charge sale":  # many sellers (every buyer sells charge out of its wallet)
            body = json.dumps({"phone": "+447911123456", "amount": "1.00"})
            return [Item("POST", "/api/wallet/charge-sales/",
                         {**pub, "Authorization": t, "Content-Type": "application/json"}, body) for t in self.tokens]
        if name == "transfer":  # one leg per request, to another buyer
            ids = d.buyer_ids
            return [Item("POST", "/api/wallet/transfers/",
                         {**pub, "Authorization": t, "Content-Type": "application/json"},
                         json.dumps({"to_user": ids[(i + 1) % len(ids)], "amount": "0.01"}))
                    for i, t in enumerate(self.tokens)]
        if name == BATCH:  # BATCH_LEGS transfers per request, to the other buyers in turn
            ids = d.buyer_ids
            return [Item("POST", "/api/wallet/batches/",
                         {**pub, "Authorization": t, "Content-Type": "application/json"},
                         json.dumps({"items": [{"type": "transfer", "to_user": ids[(i + k + 1) % len(ids)],
                                                "amount": "0.01"} for k in range(BATCH_LEGS)]}))
                    for i, t in enumerate(self.tokens[:20])]
        if name == "purchase":
            cars, d.buy_cars = d.buy_cars, []
            return [Item("POST", f"/api/cars/{cid}/buy/?store={store}",
                         {**pub, "Authorization": self.tokens[i % len(self.tokens)], "Idempotency-Key": f"bench-{cid}"})
                    for i, (store, cid) in enumerate(cars)]
        raise KeyError(name)

    def one(self, name: str):
        """One request in-process: (status, number of SQL queries)."""
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        item = self.items(name)[0] if name != "purchase" else None
        if name == "purchase":
            store, cid = self.data.buy_cars.pop()
            from _wrk import Item

            # A buyer in turn, as wrk's items do: one buyer's wallet would run dry within a profile.
            item = Item("POST", f"/api/cars/{cid}/buy/?store={store}",
                        {"Host": "localhost", "Authorization": self.tokens[len(self.data.buy_cars) % len(self.tokens)]})
        headers = {("HTTP_" + k.upper().replace("-", "_")): v for k, v in item.headers.items()}
        if name in KEYED:
            headers["HTTP_IDEMPOTENCY_KEY"] = f"inproc-{time.time_ns()}"
        if self._client is None:
            self._client = Client()  # one handler: middleware (WhiteNoise's file scan) loads once, as in a server
        with CaptureQueriesContext(connection) as ctx:
            response = self._client.generic(item.method, item.path, item.body or "",
                                            content_type=item.headers.get("Content-Type"), **headers)
        self.last_queries = [q["sql"] for q in ctx.captured_queries]
        connection.set_schema_to_public()
        return response.status_code, len(ctx.captured_queries)


HIT_RATE_SECONDS = 5  # the MONITOR passes (hit rates only)
PURCHASES_PER_SECOND_MAX = 400  # cars reserved per second of purchase windows (more would repeat cars: 409s)
MIXED_SECONDS = 10  # purchases and reads at once: one window, reported as measured
BATCH_LEGS = 1000
BATCH = f"transfer batch ({BATCH_LEGS} legs)"  # no comma: --only splits on commas
# POSTs that move money: each request gets its own Idempotency-Key
KEYED = {"purchase", "charge sale", "transfer", BATCH}
WRITES = ["charge sale", "transfer", BATCH]  # measured like reads (the same items every window), keyed per request
READS = ["marketplace search", "marketplace facets", "car detail", "wallet balance", "stock quote", "dealer dashboard"]
MIXED_READS = ["marketplace search", "marketplace facets", "car detail", "dealer dashboard", "stock quote"]
DATASET_FILE = Path(tempfile.gettempdir()) / f"{DB}.dataset.json"


def in_process(endpoints, names, n: int = 20, profile_to: Path | None = None) -> dict[str, float]:
    """Median wall milliseconds of one request through the Django test client (no HTTP server), warm."""
    import cProfile
    import io
    import pstats

    out, reports = {}, []
    for name in names:
        endpoints.one(name)
        samples = []
        profiler = cProfile.Profile() if profile_to else None
        for _ in range(n):
            t = time.perf_counter()
            if profiler:
                profiler.enable()
            endpoints.one(name)
            if profiler:
                profiler.disable()
            samples.append((time.perf_counter() - t) * 1000)
        out[name] = statistics.median(samples)
        if profiler:
            buf = io.StringIO()
            pstats.Stats(profiler, stream=buf).sort_stats("cumulative").print_stats(35)
            reports.append(f"### {name} ({n} requests, in-process)\n\n{buf.getvalue()}")
    if profile_to:
        profile_to.write_text("\n\n".join(reports))
    return out


def load_or_seed(args):
    import _http_seed

    if args.reuse_db and DATASET_FILE.exists():
        data = _http_seed.Dataset(**json.loads(DATASET_FILE.read_text()))
        data.read_cars = [tuple(x) for x in data.read_cars]
        from django.db import connection

        from django_car_listing.models import ListingIndex

        with connection.cursor():
            live = set(ListingIndex.objects.filter(is_for_sale=True).values_list("store_key", "car_id"))
        data.buy_cars = [tuple(x) for x in data.buy_cars if tuple(x) in live]
        print(f"reusing {DB}: {len(data.buy_cars)} cars left to buy", flush=True)
        return data
    from django.core.management import call_command

    t0 = time.perf_counter()
    print("migrating the public schema ...", flush=True)
    call_command("migrate_schemas", shared=True, verbosity=0)
    # Purchases need distinct cars: enough for every round and the mixed one at a generous rate.
    reserve = (args.windows + 2) * args.seconds * PURCHASES_PER_SECOND_MAX + 200
    data = _http_seed.seed(dealers=args.dealers, cars_per_dealer=args.cars, private_cars=args.private,
                           buyers=args.buyers, reserve=reserve)
    print(f"seeded {data.listings} listings in {time.perf_counter() - t0:.0f} s", flush=True)
    if args.keep_db:
        DATASET_FILE.write_text(json.dumps(data.__dict__))
    return data


def measure(url, items, seconds, connections, idem=""):
    import _wrk

    return _wrk.run(url=url, items=items, seconds=seconds, connections=connections, idempotency_prefix=idem)


def paired_windows(url, ping_items, windows: list[list], seconds, connections, idem=""):
    """ping, endpoint, ping, ..., ping: (the endpoint's windows, the pings, each window's ratio to the mean
    of the pings either side). Neighbours in time cancel the machine's drift, and a median over many short
    windows its swings."""
    pings = [measure(url, ping_items, seconds, connections)]
    runs, ratios = [], []
    for w, items in enumerate(windows):
        runs.append(measure(url, items, seconds, connections, idem=f"{idem}-{w}" if idem else ""))
        pings.append(measure(url, ping_items, seconds, connections))
        reference = (pings[-2].rps + pings[-1].rps) / 2
        ratios.append(runs[-1].rps / reference if reference else float("nan"))
    return runs, pings, ratios


def hit_rates(url, items, seconds, connections, redis_port):
    """Cache reads and rebuilds from Redis MONITOR, in a pass of its own: MONITOR costs Redis a copy of
    every command and the bench a parse of it, on the same two cores, so the throughput rounds run
    without it (with it, every endpoint using Redis measured slower: docs/performance.md)."""
    import _redis_monitor

    with _redis_monitor.Monitor(redis_port) as mon:
        measure(url, items, seconds, connections)
    if mon.reconnects:
        print(f"  (MONITOR reconnected {mon.reconnects} time(s): a few cache commands may be uncounted)")
    return mon.counts()


def mixed(url, endpoints, buys, seconds, connections, redis_port=None):
    """Purchases (a quarter of the connections) while facets, dashboards and quotes are read; with
    ``redis_port``, under MONITOR for the hit rates (its throughput is then not reported)."""
    import contextlib

    import _redis_monitor
    import _wrk

    # The same number of requests of each endpoint: wrk sends the list in order, and car detail alone has 2,000
    reads = [items[i % len(items)] for name in MIXED_READS for items in [endpoints.items(name)] for i in range(40)]
    results = {}

    def run(key, items, conns, idem=""):
        results[key] = _wrk.run(url=url, items=items, seconds=seconds, connections=conns, idempotency_prefix=idem)

    buyer_conns = max(1, connections // 4)
    with _redis_monitor.Monitor(redis_port) if redis_port else contextlib.nullcontext() as mon:
        idem = f"bench-mixed-{time.time_ns()}"
        threads = [threading.Thread(target=run, args=("purchase (mixed)", buys, buyer_conns, idem)),
                   threading.Thread(target=run, args=("cached reads (mixed)", reads, connections - buyer_conns))]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    return results, (mon.counts() if mon else {})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=3, help="seconds per window")
    parser.add_argument("--windows", type=int, default=8, help="windows per endpoint, each between two pings")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4, help="uvicorn workers (docker-compose runs 4)")
    parser.add_argument("--dealers", type=int, default=5)
    parser.add_argument("--cars", type=int, default=2000, help="cars per dealership")
    parser.add_argument("--private", type=int, default=2000, help="private sellers' cars")
    parser.add_argument("--buyers", type=int, default=200)
    parser.add_argument("--keep-db", action="store_true", help="keep the database (and its dataset file)")
    parser.add_argument("--reuse-db", action="store_true", help="reuse a database kept by --keep-db")
    parser.add_argument("--profile", action="store_true", help="cProfile each endpoint in-process")
    parser.add_argument("--label", default="", help="a note for the results files (e.g. 'before caching')")
    parser.add_argument("--only", default="", help="comma-separated endpoints to measure (ping always runs); "
                        "skips the hit-rate passes and the mixed round, and writes http_money.md (money endpoints "
                        "only) or http_selected.md")
    args = parser.parse_args()

    import _wrk

    _wrk.ensure_wrk()
    redis_port, http_port = free_port(), free_port()
    redis_bin = shutil.which("redis-server") or "/usr/bin/redis-server"
    redis_proc = subprocess.Popen([redis_bin, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                                   "--appendonly", "no"], stdout=subprocess.DEVNULL)
    server = None
    try:
        wait_port(redis_port)
        env = configure_env(redis_port)
        if not (args.reuse_db and DATASET_FILE.exists()):
            create_database()
        import django

        django.setup()
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
        data = load_or_seed(args)
        endpoints = Endpoints(data)
        only = {n.strip() for n in args.only.split(",") if n.strip()}
        available = [n for n in READS + WRITES if (not only or n in only) and endpoints.one(n)[0] != 404]
        buying = ["purchase"] if not only or "purchase" in only else []
        queries = {}
        import redis

        for name in available + buying:
            redis.Redis(port=redis_port).flushall()  # the bench's own Redis: every cache starts empty
            cold = endpoints.one(name)
            warm = endpoints.one(name) if name != "purchase" else cold
            queries[name] = (cold, warm)
            print(f"  {name}: status {cold[0]}, queries cold {cold[1]} / warm {warm[1]}", flush=True)
        inproc = in_process(endpoints, ["ping (reference)"] + available + buying,
                            profile_to=ROOT / "bench" / "results" / "http_profile.txt" if args.profile else None)
        print("  in-process ms: " + ", ".join(f"{k} {v:.1f}" for k, v in inproc.items()), flush=True)
        from django.db import connections

        connections.close_all()

        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "uvicorn"), "demo.asgi:application", "--workers", str(args.workers),
             "--host", "127.0.0.1", "--port", str(http_port), "--no-access-log", "--log-level", "warning",
             "--lifespan", "off"],
            cwd=SITE, env={**os.environ, **env}, start_new_session=True)
        wait_port(http_port)
        url = f"http://127.0.0.1:{http_port}"
        for name in ["ping (reference)"] + available:  # warm every worker's imports, pools and caches
            # wrk sends a list in order from its start: long enough to reach every item (2,000 car pages), so
            # the windows and the hit-rate passes measure a warm cache, not the first read of each page.
            items = endpoints.items(name)
            _wrk.run(url=url, items=items, seconds=max(2, math.ceil(len(items) / 100)), connections=args.connections,
                     idempotency_prefix=f"warm-{time.time_ns()}" if name in KEYED else "")
        results: dict[str, list] = {"ping (reference)": []}  # the reference heads the table
        ratios: dict[str, list[float]] = {}
        cache_counts: dict[str, dict] = {}
        run_id = time.time_ns()  # Idempotency-Keys unique across runs on a reused database
        load = [os.getloadavg()[0]]
        all_buys = endpoints.items("purchase")
        per_window = len(all_buys) // (args.windows + 2)  # the last two shares: the mixed rounds
        ping_items = endpoints.items("ping (reference)")
        for name in available + buying:
            buying_now = name == "purchase"  # distinct cars in every window
            windows = ([all_buys[w * per_window:(w + 1) * per_window] for w in range(args.windows)] if buying_now
                       else [endpoints.items(name)] * args.windows)
            runs, pings, ratios[name] = paired_windows(url, ping_items, windows, args.seconds, args.connections,
                                                       idem=f"bench-{run_id}-{name[:8]}" if name in KEYED else "")
            results[name] = runs
            results["ping (reference)"].extend(pings)
            r = ratios[name]
            print(f"{name}: {statistics.median([x.rps for x in runs]):.0f} rps, ratio median "
                  f"{statistics.median(r):.2f} [{min(r):.2f}-{max(r):.2f}], non-2xx {sum(x.non_2xx for x in runs)}, "
                  f"errors {sum(x.errors for x in runs)}", flush=True)
            if buying_now and any(x.requests > per_window for x in runs):
                print("  (a window's purchase list ran out: later requests repeat cars and get 409)")
            load.append(os.getloadavg()[0])
        if only:
            report(args, data, results, ratios, queries, inproc, {}, load)
            return
        for name in available:
            _add_counts(cache_counts, "read-only", hit_rates(url, endpoints.items(name), HIT_RATE_SECONDS,
                                                             args.connections, redis_port))
        left = all_buys[args.windows * per_window:]
        mixed_results, _ = mixed(url, endpoints, left[:len(left) // 2], MIXED_SECONDS, args.connections)
        _, counts = mixed(url, endpoints, left[len(left) // 2:], HIT_RATE_SECONDS, args.connections, redis_port)
        _add_counts(cache_counts, "mixed: reads during purchases", counts)
        for name, res in mixed_results.items():
            results[name] = [res]
            print(f"mixed {name}: {res.rps:.0f} rps p50 {res.p50_ms:.1f} ms, non-2xx {res.non_2xx}", flush=True)
        load.append(os.getloadavg()[0])
        report(args, data, results, ratios, queries, inproc, cache_counts, load)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep_db:
            drop_database()
            DATASET_FILE.unlink(missing_ok=True)  # nothing left to reuse
        redis_proc.terminate()
        redis_proc.wait(timeout=10)


def _add_counts(into: dict, phase: str, counts: dict) -> None:
    bucket = into.setdefault(phase, {})
    for family, (reads, rebuilds) in counts.items():
        r0, b0 = bucket.get(family, (0, 0))
        bucket[family] = (r0 + reads, b0 + rebuilds)


def _machine(load: list[float]) -> str:
    import platform

    return (f"{platform.node()}, {os.cpu_count()} CPUs, {platform.python_implementation()} "
            f"{platform.python_version()}, PostgreSQL and Redis on localhost; 1-minute load average "
            f"{', '.join(f'{x:.1f}' for x in load)} (before the first endpoint, after each, after the mixed round)")


def report(args, data, results, ratios, queries, inproc, cache_counts, load) -> None:
    import _results

    date = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rows = ["| endpoint | rps (median of windows) | p50 ms | p95 ms | p99 ms | ratio to ping: median "
            "[range] of windows | non-2xx / errors | SQL queries (cold / warm cache) | in-process ms |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    med = statistics.median
    for name, runs in results.items():
        r = ratios.get(name)
        ratio = f"**{med(r):.2f}** [{min(r):.2f}-{max(r):.2f}]" if r else "-"
        q = queries.get(name)
        qtext = (f"{q[0][1]} / {q[1][1]}" if name != "purchase" else f"{q[0][1]}") if q else "-"
        rows.append(
            f"| {name} | {med([r.rps for r in runs]):.0f} | {med([r.p50_ms for r in runs]):.1f} | "
            f"{med([r.p95_ms for r in runs]):.1f} | {med([r.p99_ms for r in runs]):.1f} | "
            f"{ratio} | {sum(r.non_2xx for r in runs)} / "
            f"{sum(r.errors for r in runs)} | {qtext} | {inproc.get(name, float('nan')):.1f} |")
    table = "\n".join(rows)
    if BATCH in results and "transfer" in results:
        single = med([r.rps for r in results["transfer"]])
        legs = med([r.rps for r in results[BATCH]]) * BATCH_LEGS
        table += (f"\n\nBatch posting: {legs:,.0f} legs/s in requests of {BATCH_LEGS:,} transfers, against "
                  f"{single:,.0f} legs/s one transfer per request: **{legs / single:.0f}x** (goal >= 20x).")
    head = (f"`bench/http_bench.py --windows {args.windows} --seconds {args.seconds} --connections "
            f"{args.connections} --workers {args.workers}`{' (' + args.label + ')' if args.label else ''}, {date}.\n\n"
            f"Machine: {_machine(load)}.\n\nServer: uvicorn {args.workers} workers, `demo.settings.production` "
            f"(DEBUG off, psycopg pool); wrk 1 thread, {args.connections} connections, {args.windows} windows of "
            f"{args.seconds} s per endpoint, each between two {args.seconds} s windows of ping, on the same machine. "
            f"Data: {len(data.dealerships)} dealerships, {data.listings} listings "
            f"(real cars and their index rows), {len(data.buyer_ids)} buyers with wallets, 400 leads per dealership.\n")
    if args.only:  # a few endpoints: their own file, the full run's tables stay
        money = {n.strip() for n in args.only.split(",")} <= KEYED
        _results.publish("http_money.md" if money else "http_selected.md", head + "\n" + table,
                         title="HTTP throughput: " + ("moving money" if money else "selected endpoints"))
        return
    _results.publish("http.md", head + "\n" + table, title="HTTP throughput")
    crow = ["| phase | cached family | reads | rebuilds | hit rate |", "| --- | --- | --- | --- | --- |"]
    for phase, families in cache_counts.items():
        for family, (reads, rebuilds) in families.items():
            crow.append(f"| {phase} | {family} | {reads} | {rebuilds} | {1 - rebuilds / reads:.1%} |")
    _results.publish("caching.md", title="Cache hit rates under load", text=(
        head + "\nCounted from the bench Redis' MONITOR stream: a read is "
        "the command fetching an entry, a rebuild the SET storing a new one (hit rate = 1 - rebuilds / reads). "
        "Passes of their own, after the measured windows, so MONITOR never slows a throughput figure. "
        "Read-only: each endpoint alone for 5 s; mixed: purchases (each bumps the search and facets generation, "
        "the bought car's generation and the seller dealership's dashboard generation) while search pages, facets, "
        "car details, dashboards and quotes are read.\n\n" + "\n".join(crow)))


if __name__ == "__main__":
    main()
