"""Every package supports Django 4.2 LTS (tox dj42 envs), whose CheckConstraint takes ``check=``, not
5.1's ``condition=``. ``makemigrations`` on current Django writes ``models.CheckConstraint(condition=...)``
into each new migration, which would break 4.2 at import; CI runs only current Django, so this check
keeps every check constraint going through the package's ``compat.check_constraint``."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGES = Path(__file__).resolve().parent.parent / "packages"
NAMES = sorted(p.name for p in PACKAGES.iterdir() if (p / "pyproject.toml").exists())


def direct_check_constraints(source: str) -> list[int]:
    """Line numbers of ``CheckConstraint(...)`` / ``models.CheckConstraint(...)`` calls."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "CheckConstraint":
                found.append(node.lineno)
    return found


@pytest.mark.parametrize("name", NAMES)
def test_check_constraints_go_through_compat(name):
    src = PACKAGES / name / "src"
    offenders = [f"{path.relative_to(src)}:{line}" for path in sorted(src.rglob("*.py")) if path.name != "compat.py"
                 for line in direct_check_constraints(path.read_text())]
    assert not offenders, (f"{name}: CheckConstraint called directly (Django 4.2 has no condition=); "
                           f"use compat.check_constraint: {offenders}")


def test_the_scan_finds_direct_calls():
    assert direct_check_constraints("models.CheckConstraint(condition=Q(a=1), name='x')\n"
                                    "CheckConstraint(check=Q(a=1), name='y')\n"
                                    "check_constraint(Q(a=1), name='z')\n") == [1, 2]
