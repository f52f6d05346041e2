"""The Django versions tox.ini tests each package on, so classifiers can be held to the matrix."""
from __future__ import annotations

import configparser
import itertools
import re
from pathlib import Path

TOX_INI = Path(__file__).resolve().parent.parent / "tox.ini"


def expand(pattern: str) -> list[str]:
    """tox's generative env names: "{a,b}-dj{52,60}" -> ["a-dj52", "a-dj60", "b-dj52", "b-dj60"]."""
    parts = re.split(r"(\{[^}]*\})", pattern)
    choices = [p[1:-1].split(",") if p.startswith("{") else [p] for p in parts]
    return ["".join(combo).strip() for combo in itertools.product(*choices)]


def env_names(tox_ini: Path = TOX_INI) -> list[str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(tox_ini)
    lines = [line.strip() for line in parser["tox"]["env_list"].splitlines() if line.strip()]
    return [name for line in lines for name in expand(line)]


def django_versions(package: str, tox_ini: Path = TOX_INI) -> set[str]:
    """{"5.2", "6.0", ...} for package "django-wallet" (env names "wallet-dj52", ...)."""
    short = package.removeprefix("django-")
    found = set()
    for name in env_names(tox_ini):
        match = re.fullmatch(rf"{re.escape(short)}-dj(\d)(\d+)", name)
        if match:
            found.add(f"{match[1]}.{match[2]}")
    return found
