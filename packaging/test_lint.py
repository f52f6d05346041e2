"""The whole repository passes ruff with the rules in pyproject.toml, so a lint finding fails the
suite where it is written instead of piling up for later."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ruff() -> str:
    beside_python = Path(sys.executable).with_name("ruff")
    return str(beside_python) if beside_python.exists() else shutil.which("ruff") or "ruff"


def test_ruff_finds_nothing():
    result = subprocess.run([ruff(), "check", "--output-format", "concise", str(ROOT)],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
