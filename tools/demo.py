"""`python3 dev.py demo`: migrate, bootstrap, seed, then run the ASGI server, a Celery worker with beat, and Flower.

Ctrl-C stops everything it started. `--smoke` starts it all, checks that the
marketplace, a dealership and /healthz answer, then stops (used by the tests).
"""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "sites" / "demo"


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.check_call([sys.executable, "manage.py", *args], cwd=SITE, env=env)


def _wait_for(url: str, host: str, timeout: float = 60.0) -> int:
    deadline = time.monotonic() + timeout
    while True:
        try:
            request = urllib.request.Request(url, headers={"Host": host})
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback only
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _prepare_var(env: dict[str, str]) -> dict[str, str]:
    """Every folder the processes write to, made before any of them starts (none races another to it)."""
    var = SITE / "var"
    for folder in ("mail", "media", "metrics"):
        (var / folder).mkdir(parents=True, exist_ok=True)
    # One metrics folder for every process of this demo (prometheus-client's multiprocess mode), emptied
    # at each start: files of a previous run's processes would otherwise be summed in.
    for stale in (var / "metrics").glob("*.db"):
        stale.unlink()
    return {**env, "PROMETHEUS_MULTIPROC_DIR": str(var / "metrics"),
            "METRICS_TOKEN": env.get("METRICS_TOKEN") or "forecourt-demo-metrics"}


def flower(demo_port: str, environ: dict[str, str]) -> tuple[list[str], dict[str, str], str]:
    """Flower's command line, its environment and its URL for a demo on `demo_port`.

    Flower shows task arguments and can revoke tasks: loopback only, behind basic auth
    (FLOWER_BASIC_AUTH, user:password). Its port moves with the demo's (5555 for 8000; FLOWER_PORT
    overrides), so two demos on one machine never collide.
    """
    port = environ.get("FLOWER_PORT") or str(5555 + int(demo_port) - 8000)
    auth = environ.get("FLOWER_BASIC_AUTH") or "admin:forecourt-demo-1"
    celery = str(Path(sys.executable).parent / "celery")
    argv = [celery, "-A", "demo", "flower", "--address=127.0.0.1", f"--port={port}"]
    return argv, {**environ, "FLOWER_BASIC_AUTH": auth}, f"http://127.0.0.1:{port}/   (user:password {auth})"


def run_demo(env: dict[str, str], args: list[str]) -> int:
    port = os.environ.get("DEMO_PORT", "8000")
    env = _prepare_var({**env, "DJANGO_SETTINGS_MODULE": "demo.settings.dev", "DEBUG": "true"})
    if env.get("CITUS_WORKERS"):
        print("==> joining the database to the Citus workers", flush=True)
        _manage(env, "citus_join")
    print("==> migrating the public schema and every dealership", flush=True)
    _manage(env, "migrate_schemas", "--noinput", "-v", "0")
    _manage(env, "bootstrap")
    print("==> seeding demo data (the first run lists a few hundred cars; later runs find them)", flush=True)
    # The smoke run proves the demo starts: a small market is enough and keeps it quick.
    _manage(env, "seed_demo", *(["--cars", "24"] if "--smoke" in args else []))
    bin_dir = Path(sys.executable).parent
    # Prefork children must not inherit a connection pool; each holds at most one connection.
    worker_env = {**env, "DB_POOL_MAX_SIZE": "0", "DB_APPLICATION_NAME": "forecourt-worker"}
    # Each in a process group of its own, stopped as a group: the worker's forked children (its pool and
    # the embedded beat) outlived a worker killed after a slow shutdown, and kept the demo's output open.
    processes = [
        subprocess.Popen([str(bin_dir / "uvicorn"), "demo.asgi:application", "--host", "127.0.0.1", "--port", port,
                          "--log-level", "warning"], cwd=SITE, env={**env, "DB_APPLICATION_NAME": "forecourt-web"},
                         start_new_session=True),
        # beat's schedule lives in Redis (celery-redbeat, settings), so no schedule file to create or corrupt
        subprocess.Popen([str(bin_dir / "celery"), "-A", "demo", "worker", "--beat", "-Q", "celery",
                          "--concurrency", "2", "-l", "warning"], cwd=SITE, env=worker_env, start_new_session=True),
    ]
    flower_argv, flower_env, flower_url = flower(port, worker_env)
    if "--smoke" not in args:
        processes.append(subprocess.Popen(flower_argv, cwd=SITE, env=flower_env, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL, start_new_session=True))
    try:
        base = f"http://127.0.0.1:{port}"
        statuses = {
            "marketplace": _wait_for(base + "/", "localhost"),
            "dealer1": _wait_for(base + "/healthz", "dealer1.localhost"),
            "healthz": _wait_for(base + "/healthz", "localhost"),
        }
        print(f"""
Forecourt is running (Ctrl-C stops everything):
  marketplace     http://localhost:{port}/
  dealership      http://dealer1.localhost:{port}/   and http://dealer2.localhost:{port}/
  API docs        http://localhost:{port}/api/docs/
  admin           http://localhost:{port}/admin/
  health          http://localhost:{port}/healthz
  metrics         http://localhost:{port}/metrics   (Authorization: Bearer {env["METRICS_TOKEN"]})
  Flower          {flower_url}
  e-mail          written to {SITE / 'var' / 'mail'}
""", flush=True)
        if "--smoke" in args:
            print(f"smoke: {statuses}")
            return 0 if all(code == 200 for code in statuses.values()) else 1
        while all(p.poll() is None for p in processes):
            time.sleep(1)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        for proc in processes:
            _signal_group(proc, signal.SIGTERM)
        for proc in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=15)
            _signal_group(proc, signal.SIGKILL)  # whatever of the group is still there (the leader may be gone)


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the whole group has exited
        os.killpg(proc.pid, sig)
