"""Connections stay bounded under load: a real uvicorn with two workers, as the demo runs it (dev settings).

Eight clients send pages, API reads, health pings and static files at once; PostgreSQL is sampled
all along (pg_stat_activity, by the server's application_name). The bound is workers x DB_POOL_MAX_SIZE,
whatever the load, and no request fails.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.db import connection

from .servers import free_port, get, python_env, start, stop, wait_until_serving

WORKERS, POOL_MAX = 2, 3
APP_NAME = "forecourt-bound-test"
REQUESTS = [  # (host, path): the marketplace, a dealership, the API, static files
    ("localhost", "/"), ("localhost", "/admin/login/"), ("localhost", "/api/cars/"), ("localhost", "/api/ping/"),
    ("localhost", "/static/admin/css/base.css"), ("dealer1.localhost", "/api/cars/"),
    ("dealer2.localhost", "/api/ping/"), ("dealer1.localhost", "/static/admin/js/core.js"),
    ("localhost", "/accounts/login/"), ("dealer2.localhost", "/accounts/login/"),
]


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _connections(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                            " AND application_name = %s", [APP_NAME]).fetchone()[0]


@pytest.mark.timeout(300)
def test_many_concurrent_requests_never_exceed_the_pool_bound(committed_db, tmp_path):
    url, port = _database_url(), free_port()
    env = python_env(DJANGO_SETTINGS_MODULE="demo.settings.dev", DATABASE_URL=url, DB_POOL_MAX_SIZE=str(POOL_MAX),
                     DB_POOL_MIN_SIZE="1", DB_APPLICATION_NAME=APP_NAME, CONN_MAX_AGE="60")
    log = tmp_path / "uvicorn.log"
    server = start(["uvicorn", "demo.asgi:application", "--host", "127.0.0.1", "--port", str(port),
                    "--workers", str(WORKERS), "--log-level", "warning"], env, log)
    base = f"http://127.0.0.1:{port}"
    peak, sampling = [0], threading.Event()

    def sample() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            while not sampling.is_set():
                count = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                     " AND application_name = %s", [APP_NAME]).fetchone()[0]
                peak[0] = max(peak[0], count)
                sampling.wait(0.02)

    try:
        wait_until_serving(base + "/api/ping/", "localhost", [server], log)
        sampler = threading.Thread(target=sample)
        sampler.start()
        with ThreadPoolExecutor(max_workers=8) as clients:
            answers = list(clients.map(lambda hp: (hp, get(base + hp[1], hp[0])[0]), REQUESTS * 24))
        sampling.set()
        sampler.join()
        after = _connections(url)
    finally:
        sampling.set()
        stop([server])
    failed = [(hp, status) for hp, status in answers if status >= 500]
    assert not failed, failed[:10]
    assert {status for _, status in answers} <= {200, 302, 401, 404}, {status for _, status in answers}
    assert sum(status == 200 for _, status in answers) >= len(answers) // 2
    assert 0 < peak[0] <= WORKERS * POOL_MAX, peak[0]
    assert after <= WORKERS * POOL_MAX
    assert _connections(url) == 0  # the server gone, nothing of it stays open
