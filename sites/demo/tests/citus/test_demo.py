"""`python3 dev.py demo --citus` really starts on the cluster: joined, migrated, seeded, serving both hosts."""
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

from tenancy import citus

ROOT = Path(__file__).resolve().parents[4]
NAME = "forecourt_demo_smoke_citus"
pytestmark = pytest.mark.skipif(not os.environ.get("CITUS_WORKERS"),
                                reason="needs a Citus cluster (dev.py test --citus)")


def _drop_everywhere(coordinator: dict) -> None:
    nodes = [(coordinator["HOST"], int(coordinator["PORT"])), *citus.workers_from(os.environ["CITUS_WORKERS"])]
    for host, port in nodes:
        with psycopg.connect(host=host, port=port, user=coordinator["USER"], dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')


@pytest.mark.slow
def test_the_demo_command_runs_the_site_on_the_cluster():
    coordinator = dj_database_url.parse(os.environ["DATABASE_URL"])
    _drop_everywhere(coordinator)
    redis_url = re.sub(r"/\d*$", "/12", os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "CITUS_DATABASE": NAME, "REDIS_URL": redis_url, "DEMO_PORT": str(port)}
    try:
        result = subprocess.run([sys.executable, "dev.py", "demo", "--citus", "--smoke"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        assert "smoke: {'marketplace': 200, 'dealer1': 200, 'healthz': 200}" in result.stdout
        with psycopg.connect(host=coordinator["HOST"], port=coordinator["PORT"], user=coordinator["USER"],
                             dbname=NAME) as conn:
            schemas = {row[0] for row in conn.execute("SELECT schema_name::text FROM citus_schemas")}
        assert {"dealer1", "dealer2"} <= schemas  # the seeded dealerships are distributed schemas
    finally:
        redis.Redis.from_url(redis_url).flushdb()
        _drop_everywhere(coordinator)
