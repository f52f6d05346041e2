"""Commands behind dev.py: `test`, `demo`, `manage`."""
from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tools import services

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "sites" / "demo"
SUITES = [*sorted(p for p in (ROOT / "packages").iterdir() if (p / "tests").is_dir()), SITE, ROOT / "packaging"]
# The site's tests that pass on a Citus cluster (docs/scaling.md); `dev.py test --citus ARGS` runs ARGS instead.
CITUS_SUITE = ["tests/citus", "tests/test_marketplace.py", "tests/test_tenancy.py", "tests/test_payroll_site.py",
               "tests/test_books.py", "tests/test_tenant_creation.py", "tests/reliability/test_isolation.py",
               "tests/reliability/test_permission_matrix.py", "tests/reliability/test_page_matrix.py",
               "tests/reliability/test_soak.py"]
SUMMARY = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)")


def _env(*, citus: bool = False, spares: int = 0) -> dict[str, str]:
    env = dict(os.environ)
    if citus:  # a local Citus cluster instead of the single PostgreSQL (tools/citus.py)
        from tools import citus as cluster

        env.update(cluster.cluster_start(spares=spares))
        env["REDIS_URL"] = services.redis_url()
    else:
        env.update(services.environment())
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def _run_suite(suite: Path, env: dict[str, str], extra: list[str]) -> tuple[Path, int, str]:
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *extra]
    proc = subprocess.run(cmd, cwd=suite, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return suite, proc.returncode, proc.stdout


def _run_suites(suites: list[Path], env: dict[str, str], extra: list[str], jobs: int, tally: dict,
                label: str = "") -> None:
    """Run ``suites`` (``jobs`` side by side), print each one's output and add its counts to ``tally``."""
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for suite, code, output in pool.map(lambda s: _run_suite(s, env, extra), suites):
            print(f"\n{'=' * 20} {suite.relative_to(ROOT)}{label} (exit {code}) {'=' * 20}\n{output}",
                  flush=True)
            last = output.strip().splitlines()[-1] if output.strip() else ""
            for count, word in SUMMARY.findall(last):
                key = "errors" if word.startswith("error") else word
                tally[key] = tally.get(key, 0) + int(count)
            if code != 0:  # pytest exit 5 (no tests collected) is a failure too
                tally["failing"].append(f"{suite.relative_to(ROOT)}{label} (exit {code})")
            tally["suites"] += 1


def test(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="dev.py test")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="suites run side by side")
    parser.add_argument("-k", "--only", action="append", default=[], help="run only suites whose folder contains this")
    parser.add_argument("--citus", action="store_true",
                        help="only the site's Citus suite on a local cluster (docs/scaling.md); pytest args replace it")
    opts, extra = parser.parse_known_args(args)
    tally: dict = {"failing": [], "suites": 0}
    started = time.monotonic()
    # The whole run (no -k, no pytest args) ends with the Citus suite wherever Citus is installed.
    whole_run = not (opts.only or extra)
    with_citus = opts.citus or (whole_run and citus_available())
    if whole_run and not with_citus and os.environ.get("FORECOURT_REQUIRE_CITUS") == "1":
        # CI installed Citus (.ci/run): a run without its suite must not pass.
        print("FORECOURT_REQUIRE_CITUS=1 but Citus is not usable here (no citus.so in this PostgreSQL): "
              "the Citus suite cannot run.")
        return 1
    if not opts.citus:
        suites = [s for s in SUITES if not opts.only or any(o in s.name for o in opts.only)]
        _run_suites(suites, _env(), extra, opts.jobs, tally)
    if with_citus:
        # Two spare nodes for the operations tests (a third worker to rebalance onto, a worker of its own).
        # The packages' suites run without django-tenants, so without dealership schemas to distribute.
        try:
            _run_suites([SITE], _env(citus=True, spares=2), extra or CITUS_SUITE, 1, tally, label=" on Citus")
        finally:
            if whole_run:  # leave no cluster holding the ports of the next checkout's run (`--citus` keeps it)
                _citus_stop()
    elif whole_run:
        print("\nCitus suite skipped: Citus is not installed here (docs/scaling.md says how to install it).")
    print(f"\nSuites: {tally['suites']} in {time.monotonic() - started:.0f}s; "
          f"failing: {', '.join(tally['failing']) or 'none'}")
    line = f"{tally.get('passed', 0)} passed, {tally.get('failed', 0) + tally.get('errors', 0)} failed"
    if tally.get("skipped"):
        line += f", {tally['skipped']} skipped"
    print(line)
    return 1 if tally["failing"] else 0


def _citus_stop() -> None:
    from tools import citus as cluster

    cluster.cluster_stop()


def citus_available() -> bool:
    from tools import citus as cluster

    return cluster.available()


def manage(args: list[str]) -> int:
    env = _env()
    return subprocess.call([sys.executable, "manage.py", *args], cwd=SITE, env=env)


def demo(args: list[str]) -> int:
    from tools.demo import run_demo

    return run_demo(_env(citus="--citus" in args), args)


def citus(args: list[str]) -> int:
    """`dev.py citus stop` stops the local cluster's nodes; `dev.py citus start` starts them."""
    from tools import citus as cluster

    if args[:1] == ["stop"]:
        cluster.cluster_stop()
        return 0
    if args[:1] == ["start"]:
        for key, value in cluster.cluster_start().items():
            print(f"{key}={value}")
        return 0
    print("usage: python3 dev.py citus {start|stop}")
    return 2


def run(argv: list[str]) -> int:
    commands = {"test": test, "demo": demo, "manage": manage, "citus": citus}
    if not argv or argv[0] not in commands:
        print("usage: python3 dev.py {demo|test|manage|citus} [args]")
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    return commands[argv[0]](argv[1:])
