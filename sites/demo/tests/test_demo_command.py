"""The README's demo command really starts: migrate, seed, ASGI server, worker; answers on both hosts."""
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import dj_database_url
import psycopg
import pytest
import redis

ROOT = Path(__file__).resolve().parents[3]
_SUFFIX = re.sub(r"\W", "_", os.environ.get("FORECOURT_TEST_SUFFIX", "")).lower()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smoke_database():
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/forecourt")
    cfg = dj_database_url.parse(url)
    admin = psycopg.connect(host=cfg["HOST"], port=cfg["PORT"] or None, user=cfg["USER"], password=cfg["PASSWORD"],
                            dbname="postgres", autocommit=True)
    # FORECOURT_TEST_SUFFIX: two checkouts testing against one PostgreSQL never drop each other's demo
    name = "forecourt_demo_smoke" + (f"_{_SUFFIX}" if _SUFFIX else "")
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    yield url.rsplit("/", 1)[0] + "/" + name
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.mark.slow
def test_demo_command_starts_everything_and_answers(smoke_database):
    # Its own Redis db too: messages it leaves queued must never reach a real demo's worker.
    redis_url = re.sub(r"/\d*$", "/11", os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    env = {**os.environ, "DATABASE_URL": smoke_database, "REDIS_URL": redis_url, "DEMO_PORT": str(_free_port())}
    try:
        result = subprocess.run([sys.executable, "dev.py", "demo", "--smoke"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=400)
    finally:
        redis.Redis.from_url(redis_url).flushdb()
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "smoke: {'marketplace': 200, 'dealer1': 200, 'healthz': 200}" in result.stdout
    assert "dealer1-sales-agent" in result.stdout  # seeded credentials are printed
