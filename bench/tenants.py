"""Dealership creation at scale (migrate, parallel executor, clone, replay) and request latency with N tenants.

    .venv/bin/python bench/tenants.py [--counts 10,100,1000] [--migrate 3] [--parallel 6] [--clones 3]
                                      [--requests 300] [--budget-minutes 30]

Two databases of its own, dropped and created here: forecourt_bench_tenants_mig for the slow paths
(each path timed on a database holding only its own dealerships), forecourt_bench_tenants for replay.
1. `seed_dealerships N --method migrate`: django-tenants' migrate_schemas per dealership, sequential.
2. `seed_dealerships N --method parallel`: rows and empty schemas, then `migrate_schemas
   --executor=multiprocessing` (TENANT_MULTIPROCESSING_MAX_PROCESSES=2).
3. django-tenants' clone_schema() from a migrated dealership (TENANT_BASE_SCHEMA's machinery), and how
   far the clone is from a migrated schema (tenancy/schema_signature.py).
4. `seed_dealerships --method replay` up to each count (the default), with a progress bar; replayed schemas
   compared to a migrated one.
Then GET /api/leads/ (a superuser's session, tenant table) and /api/ping/ on dealership hosts through
Django's test Client, p50/p95, at the smallest and the largest count, rotating over 10 dealerships and
over all of them, with the Django process's RSS, the PostgreSQL backend's private memory and the
connections open. If the replay to the largest count would pass --budget-minutes, it stops there and
says so. Prints a markdown table and writes bench/results/tenants.md. Not a test.
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import _results

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "sites" / "demo"
PYTHON = ROOT / ".venv" / "bin" / "python"
DB, DB_SLOW = "forecourt_bench_tenants", "forecourt_bench_tenants_mig"
HOST, USER, PORT = "127.0.0.1", "postgres", "5432"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def env_for(db: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": f"postgres://{USER}@{HOST}:{PORT}/{db}", "REDIS_URL": REDIS_URL,
            "DJANGO_SETTINGS_MODULE": "demo.settings.base", "SECRET_KEY": "bench-" + "x" * 50, "DEBUG": "false",
            "CONN_MAX_AGE": "60", "PYTHONPATH": str(SITE)}


def create_database(db: str) -> None:
    import psycopg

    with psycopg.connect(host=HOST, user=USER, port=PORT, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db}"')


class ConnectionSampler:
    """Most connections open to `db` at once while a phase runs (pg_stat_activity every 0.2 s)."""

    def __init__(self, db: str) -> None:
        self.db, self.peak, self._stop = db, 0, threading.Event()

    def __enter__(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(host=HOST, user=USER, port=PORT, dbname="postgres", autocommit=True) as conn:
            while not self._stop.is_set():
                count = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [self.db]).fetchone()
                self.peak = max(self.peak, count[0])
                self._stop.wait(0.2)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def manage(db: str, *args: str) -> tuple[float, str, int, int]:
    """Run manage.py; (seconds, stdout, peak connections, peak RSS in MB of the process and its children)."""
    started = time.perf_counter()
    with ConnectionSampler(db) as sampler:
        proc = subprocess.Popen([str(PYTHON), "manage.py", *args, "--skip-checks"], cwd=SITE, env=env_for(db),
                                stdout=subprocess.PIPE, text=True)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed ({proc.returncode}): {out}")
    return time.perf_counter() - started, out.strip(), sampler.peak, usage.ru_maxrss // 1024


def seconds_inside(out: str, wall: float) -> float:
    """The command's own "created N dealerships in X s" (no interpreter start-up), else the wall time."""
    match = re.search(r"created \d+ dealerships in ([\d.]+) s", out)
    return float(match.group(1)) if match else wall


def slow_paths(n_migrate: int, n_parallel: int, n_clones: int) -> dict:
    """Each path on a database holding only its own dealerships, so no path re-checks another's schemas."""
    results = {}
    create_database(DB_SLOW)
    results["shared"] = manage(DB_SLOW, "migrate_schemas", "--shared", "-v0")
    seconds, out, conns, rss = manage(DB_SLOW, "seed_dealerships", str(n_parallel), "--prefix", "par",
                                      "--method", "parallel", "--processes", "2")
    results["parallel"] = (n_parallel, seconds_inside(out, seconds), conns, rss, out)
    seconds, out, conns, rss = manage(DB_SLOW, "seed_dealerships", str(n_migrate), "--prefix", "mig",
                                      "--method", "migrate")
    # migrate_schemas for "mig" re-runs only its own schema; the parallel rows above don't slow it.
    results["migrate"] = (n_migrate, seconds_inside(out, seconds), conns, rss, out)
    results["clone"] = clone_sample(n_clones)
    return results


def clone_sample(n: int) -> tuple[int, float, int]:
    """django-tenants' clone_schema() from a migrated schema, in a subprocess on the slow database."""
    code = f"""
import time, django
django.setup()
from django_tenants.clone import CloneSchema
from tenancy.schema_signature import schema_signature, signature_differences
times = []
for i in range({n}):
    t = time.perf_counter()
    CloneSchema().clone_schema("mig_00001", f"clone_{{i}}")
    times.append(time.perf_counter() - t)
d = signature_differences(schema_signature("mig_00001"), schema_signature("clone_0"))
print(sum(times) / len(times), sum(len(v["only_in_first"]) for v in d.values()), ",".join(sorted(d)))
"""
    out = subprocess.run([str(PYTHON), "-c", code], cwd=SITE, env=env_for(DB_SLOW), capture_output=True, text=True,
                         check=True).stdout.split()
    return n, float(out[0]), int(out[1]), out[2] if len(out) > 2 else ""


def setup_django() -> None:
    os.environ.update(env_for(DB))
    sys.path.insert(0, str(SITE))
    import django

    django.setup()


def rss_mb(pid: int | str = "self", field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def latency(paths: list[str], rotate: int, requests: int) -> dict:
    """p50/p95 ms per path over `requests` GETs, each on the next of the first `rotate` dealerships."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from tenancy.models import Dealership

    hosts = [f"{slug}.localhost" for slug in
             Dealership.objects.exclude(schema_name="public").order_by("slug").values_list("slug", flat=True)[:rotate]]
    user, _ = get_user_model().objects.get_or_create(username="bench-admin", defaults={
        "is_staff": True, "is_superuser": True, "email": "bench@example.com"})
    client = Client()
    client.force_login(user)
    out = {}
    for path in paths:
        for host in hosts[:3]:  # warm-up
            assert client.get(path, HTTP_HOST=host).status_code == 200
        times = []
        for i in range(requests):
            started = time.perf_counter()
            response = client.get(path, HTTP_HOST=hosts[i % len(hosts)])
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        times.sort()
        out[path] = (statistics.median(times), times[int(len(times) * 0.95) - 1])
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        connections = cursor.fetchone()[0]
    out["rotate"] = len(hosts)
    out["django_rss"] = rss_mb()
    out["pg_backend_private"] = rss_mb(backend, "RssAnon")
    out["connections"] = connections
    return out


def replay_equals_migrated() -> str:
    from django.db import connection

    from tenancy import schemas
    from tenancy.schema_signature import schema_signature, signature_differences
    from tenancy.services import dealership_create

    connection.set_schema_to_public()  # the requests above leave the connection in the last dealership's schema
    with schemas.forced_method(schemas.MIGRATED):
        dealership_create(name="Reference", slug="reference-migrated")
    differences = signature_differences(schema_signature("reference_migrated"), schema_signature("dealer_00002"))
    return "identical" if not differences else f"DIFFERENT: {sorted(differences)}"


def machine() -> str:
    load = os.getloadavg()[0]
    return (f"{platform.node()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, Python "
            f"{platform.python_version()}, PostgreSQL on {HOST}; 1-minute load average at the end {load:.1f}; "
            f"run at {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--counts", default="10,100,1000")
    parser.add_argument("--migrate", type=int, default=3)
    parser.add_argument("--parallel", type=int, default=6)
    parser.add_argument("--clones", type=int, default=3)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--budget-minutes", type=float, default=30.0)
    parser.add_argument("--noop-at", type=int, default=100, help="time a no-op migrate_schemas at this count")
    args = parser.parse_args()
    counts = sorted(int(c) for c in args.counts.split(","))
    loads = [os.getloadavg()[0]]

    slow = slow_paths(args.migrate, args.parallel, args.clones)
    loads.append(os.getloadavg()[0])
    print("slow paths done", {k: v[:4] for k, v in slow.items()}, flush=True)

    create_database(DB)
    manage(DB, "migrate_schemas", "--shared", "-v0")
    recipe_seconds = manage(DB, "tenant_schema_recipe")[0]  # the deploy step: every seeded schema is a replay
    replay_rows, lat, reached, noop, deadline = [], {}, 0, {}, time.monotonic() + args.budget_minutes * 60
    setup_django()
    for count in counts:
        per_tenant = replay_rows[-1][2] if replay_rows else None
        if per_tenant and time.monotonic() + per_tenant * (count - reached) > deadline:
            print(f"stopping at {reached}: {count} would pass the budget", flush=True)
            break
        seconds, out, conns, rss = manage(DB, "seed_dealerships", str(count), "--prefix", "dealer")
        print(out, flush=True)
        seconds = seconds_inside(out, seconds)
        replay_rows.append((count, seconds, seconds / (count - reached), conns, rss, out))
        reached = count
        loads.append(os.getloadavg()[0])
        if count == args.noop_at:
            noop = {executor: manage(DB, "migrate_schemas", "--tenant", "-v0", f"--executor={executor}")
                    for executor in ("standard", "multiprocessing")}
            noop = {k: (count, *v) for k, v in noop.items()}
        if count in (counts[0], counts[-1]):
            lat[count] = {"rotate10": latency(["/api/ping/", "/api/leads/"], 10, args.requests)}
    if reached not in lat:
        lat[reached] = {"rotate10": latency(["/api/ping/", "/api/leads/"], 10, args.requests)}
    lat[reached]["rotate_all"] = latency(["/api/leads/"], reached, max(args.requests, reached))
    equal = replay_equals_migrated()
    write(args, slow, replay_rows, lat, reached, counts, equal, loads, noop, recipe_seconds)


def write(args, slow, replay_rows, lat, reached, counts, equal, loads, noop, recipe_seconds) -> None:
    mig_n, mig_s, mig_c, mig_rss, _ = slow["migrate"]
    par_n, par_s, par_c, par_rss, _ = slow["parallel"]
    clone_n, clone_s, clone_diff, clone_sections = slow["clone"]
    rows = ["| method | dealerships | total s | s per dealership | peak PG connections | peak RSS MB |",
            "| --- | --- | --- | --- | --- | --- |",
            f"| migrate_schemas per dealership (django-tenants default) | {mig_n} | {mig_s:.1f} | {mig_s / mig_n:.2f} "
            f"| {mig_c} | {mig_rss} |",
            f"| parallel: migrate_schemas --executor=multiprocessing, 2 processes | {par_n} | {par_s:.1f} | "
            f"{par_s / par_n:.2f} | {par_c} | {par_rss} |",
            f"| django-tenants clone_schema() (not adopted: {clone_diff} catalog differences in {clone_sections}) "
            f"| {clone_n} | {clone_s * clone_n:.1f} | {clone_s:.2f} (clone only, no fake migrate) | - | - |"]
    previous = 0
    for count, seconds, per, conns, rss, _ in replay_rows:
        rows.append(f"| replay (seed_dealerships, default) {previous + 1}-{count} | {count - previous} | {seconds:.1f} "
                    f"| {per:.3f} | {conns} | {rss} |")
        previous = count
    base = mig_s / mig_n
    best_replay = min(r[2] for r in replay_rows)
    lines = ["# Dealership creation and tenant count benchmark", "", *rows, "",
             f"Shared (public) migrate: {slow['shared'][0]:.1f} s. Recording the recipe (`tenant_schema_recipe`, "
             f"one real migrate of a scratch schema, once per deploy): {recipe_seconds:.1f} s with start-up. "
             "Seconds are the command's own, without interpreter start-up. Replay vs migrate per dealership: "
             f"{base / replay_rows[0][2]:.1f}x faster at the first {replay_rows[0][0]}, "
             f"{base / best_replay:.1f}x at best. Replayed schema vs a migrated one (pg_catalog): {equal}."]
    if reached < counts[-1]:
        per = replay_rows[-1][2]
        lines.append(f"Stopped at {reached} dealerships to stay in the {args.budget_minutes:.0f}-minute budget; "
                     f"at the last rate ({per:.3f} s each) {counts[-1]} would take about "
                     f"{per * (counts[-1] - reached) / 60 + sum(r[1] for r in replay_rows) / 60:.0f} min in all "
                     "(extrapolated, not measured).")
    if noop:
        lines += ["", "| migrate_schemas --tenant with nothing to apply (a deploy without tenant migrations) "
                  "| dealerships | total s | s per dealership | peak PG connections | peak RSS MB |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for executor, (count, seconds, _, conns, rss) in noop.items():
            lines.append(f"| --executor={executor} | {count} | {seconds:.1f} | {seconds / count:.3f} | {conns} "
                         f"| {rss} |")
    lines += ["", "| dealerships | path | rotating over | p50 ms | p95 ms | Django RSS MB | PG backend private MB "
              "| connections |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for count, runs in sorted(lat.items()):
        for run in runs.values():  # rotating over 10, then (at the largest count) over every dealership
            for path in ("/api/ping/", "/api/leads/"):
                if path in run:
                    p50, p95 = run[path]
                    lines.append(f"| {count} | {path} | {run['rotate']} | {p50:.2f} | {p95:.2f} | "
                                 f"{run['django_rss']:.0f} | {run['pg_backend_private']:.1f} | {run['connections']} |")
    lines += ["", f"1-minute load average during the run: {', '.join(f'{x:.1f}' for x in loads)}.",
              f"machine: {machine()}", ""]
    _results.publish("tenants.md", "\n".join(lines))


if __name__ == "__main__":
    main()
