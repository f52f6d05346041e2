"""Session fixtures: one wheel per package, built once, in parallel (isolated builds, shared pip cache)."""
from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ROOT / "packages"


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
def wheels(tmp_path_factory) -> dict[str, Path]:
    """{distribution name: wheel path} for all six packages."""
    out = tmp_path_factory.mktemp("wheels")
    names = sorted(p.name for p in PACKAGES.iterdir() if (p / "pyproject.toml").is_file())

    def build(name: str) -> None:
        run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(PACKAGES / name)], env=pip_env())

    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(build, names))
    found = {}
    for name in names:
        matches = list(out.glob(name.replace("-", "_") + "-*.whl"))
        assert len(matches) == 1, (name, matches)
        found[name] = matches[0]
    return found
