"""Session fixtures: one sdist and one wheel per package, built once, in parallel (isolated builds, shared pip cache)."""
from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ROOT / "packages"

# package -> (import name, other monorepo wheels it needs); the kernel's wheel comes with each
KERNEL = "django-forecourt-core"
SPECS = {
    "django-wallet": ("django_wallet", [KERNEL]),
    "django-notifications": ("django_notifications", [KERNEL]),
    "django-car-listing": ("django_car_listing", [KERNEL, "django-wallet"]),
    "django-leads": ("django_leads", [KERNEL, "django-wallet", "django-car-listing"]),
    "django-books": ("django_books", [KERNEL, "django-wallet"]),
    "django-payroll": ("django_payroll", [KERNEL, "django-wallet", "django-books"]),
    "django-trading": ("django_trading", [KERNEL, "django-wallet"]),
}
NAMES = sorted(SPECS)


def run(cmd, *, cwd=None, env=None, timeout=600) -> str:
    """Run ``cmd``; on failure raise with its output so the test report shows why."""
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout)
    if proc.returncode:
        raise AssertionError(f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n{proc.stdout[-6000:]}")
    return proc.stdout


def pip_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PIP_NO_CACHE_DIR", None)  # one shared pip cache keeps six installs fast
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("PYTHONPATH", None)
    return env


@pytest.fixture(scope="session")
def dists(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """{distribution name: {"sdist": path, "wheel": path}} for the kernel and the six packages.

    Plain `python -m build` (isolated): the sdist first, then the wheel built from that sdist, so a
    file missing from the sdist breaks the wheel and everything downstream of it.
    """
    out = tmp_path_factory.mktemp("dists")
    names = sorted(p.name for p in PACKAGES.iterdir() if (p / "pyproject.toml").is_file())

    def build(name: str) -> None:
        run([sys.executable, "-m", "build", "--outdir", str(out), str(PACKAGES / name)], env=pip_env())

    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(build, names))
    found = {}
    for name in names:
        stem = name.replace("-", "_")
        sdists, wheels = list(out.glob(f"{stem}-*.tar.gz")), list(out.glob(f"{stem}-*.whl"))
        assert len(sdists) == len(wheels) == 1, (name, sdists, wheels)
        found[name] = {"sdist": sdists[0], "wheel": wheels[0]}
    return found


@pytest.fixture(scope="session")
def wheels(dists) -> dict[str, Path]:
    return {name: built["wheel"] for name, built in dists.items()}


@pytest.fixture(scope="session")
def sdists(dists) -> dict[str, Path]:
    return {name: built["sdist"] for name, built in dists.items()}
