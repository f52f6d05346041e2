"""Each package README covers what a user of the package alone needs (issue #11's list): what it
does, install, every setting the code reads, URLs, services, signals, Celery tasks, management
commands, admin and how to run its tests. Names are read from the code, so a new setting,
signal, task or command that the README does not mention fails here."""
from __future__ import annotations

import ast
import re

import pytest
from conftest import NAMES, PACKAGES, SPECS

# Every README has a heading matching each of these (case-insensitive).
SECTIONS = {
    "install": r"install",
    "settings": r"settings",
    "urls / API": r"\bapi\b|urls",
    "services": r"services|python api|public api",
    "signals": r"signals",
    "celery tasks": r"celery|tasks",
    "admin": r"admin",
    "tests": r"tests",
}
PREFIX = {"django-wallet": "WALLET_", "django-notifications": "NOTIFICATIONS_", "django-car-listing": "CAR_LISTING_",
          "django-leads": "LEADS_", "django-payroll": "PAYROLL_", "django-books": "BOOKS_", "django-trading": "TRADING_"}


def readme(name: str) -> str:
    return (PACKAGES / name / "README.md").read_text()


def source(name: str):
    return PACKAGES / name / "src" / SPECS[name][0]


def string_constants(path) -> set[str]:
    return {node.value for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def settings_read(name: str) -> set[str]:
    """Setting names in the package's conf.py (its DEFAULTS keys and hook names)."""
    return {s for s in string_constants(source(name) / "conf.py") if re.fullmatch(PREFIX[name] + r"[A-Z0-9_]+", s)}


def signals(name: str) -> set[str]:
    path = source(name) / "signals.py"
    if not path.exists():
        return set()
    tree = ast.parse(path.read_text())
    return {target.id for node in tree.body if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call) and getattr(node.value.func, "id", "") == "Signal"
            for target in node.targets}


def task_names(name: str) -> set[str]:
    path = source(name) / "tasks.py"
    return set(re.findall(r'shared_task\([^)]*name="([^"]+)"', path.read_text())) if path.exists() else set()


def commands(name: str) -> set[str]:
    folder = source(name) / "management" / "commands"
    return {p.stem for p in folder.glob("*.py") if not p.stem.startswith("_")} if folder.is_dir() else set()


@pytest.mark.parametrize("name", NAMES)
def test_readme_has_every_section(name):
    headings = [line.lstrip("#").strip() for line in readme(name).splitlines() if re.match(r"#{2,4} ", line)]
    missing = [topic for topic, pattern in SECTIONS.items()
               if not any(re.search(pattern, h, re.IGNORECASE) for h in headings)]
    assert not missing, f"{name}/README.md has no heading for {missing}; headings: {headings}"


@pytest.mark.parametrize("name", NAMES)
def test_readme_names_every_setting_signal_task_and_command(name):
    text = readme(name)
    found = settings_read(name)
    assert found, "no settings found in conf.py: the extraction is broken"
    names = found | signals(name) | task_names(name) | commands(name)
    missing = sorted(n for n in names if not re.search(rf"\b{re.escape(n)}\b", text))
    assert not missing, f"{name}/README.md does not mention {missing}"


def test_extraction_finds_known_names():
    """Guards the extractors above, so an empty set cannot pass the check by accident."""
    assert {"WALLET_CURRENCY", "WALLET_USER_PURPOSE"} <= settings_read("django-wallet")
    assert {"PAYROLL_BUSINESS_ACCOUNT", "PAYROLL_COMMISSION_SOURCE"} <= settings_read("django-payroll")
    assert {"transaction_posted", "credit_request_decided"} == signals("django-wallet")
    assert "wallet.verify_ledger" in task_names("django-wallet")
    assert "verify_ledger" in commands("django-wallet")
