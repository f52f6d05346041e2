"""Backup and restore as docs/operations.md says: one dealership, with the platform's public schema, into a
fresh database, served from there by the compose file's web command."""
from __future__ import annotations

import re
import subprocess

import psycopg
import redis

from .compose_stack import local_command, rehearsal_env
from .conftest import ADMIN, _admin_connection
from .flows import dealership_with_a_car
from .servers import call, free_port, get, start, stop, wait_until_serving


def _row_counts(url: str, schema: str) -> dict[str, int]:
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE'",
            [schema])]
        return {t: conn.execute(f'SELECT count(*) FROM "{schema}"."{t}"').fetchone()[0] for t in tables}


def _run(*argv: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{argv[0]}: {done.stderr[-3000:]}"


def test_one_dealership_restored_into_a_fresh_database_serves_its_cars(stack, tmp_path):
    host, car_id, model = dealership_with_a_car(stack, "backup", 5)
    public_dump, dealer_dump = tmp_path / "public.dump", tmp_path / "backup.dump"
    _run("pg_dump", "--format=custom", "--schema=public", f"--file={public_dump}", stack.database_url)
    _run("pg_dump", "--format=custom", "--schema=backup", f"--file={dealer_dump}", stack.database_url)

    fresh_name = stack.database_url.rsplit("/", 1)[1].replace("rehearsal", "restore")
    fresh = stack.database_url.rsplit("/", 1)[0] + "/" + fresh_name
    redis_url = re.sub(r"/\d+$", lambda m: f"/{int(m.group(0)[1:]) + 1}", stack.redis_url)  # a cache of its own
    admin = _admin_connection(stack.database_url)
    admin.execute(f'DROP DATABASE IF EXISTS "{fresh_name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{fresh_name}"')
    web = None
    try:
        # A new database already has an empty public schema: --clean --if-exists replaces it.
        _run("pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={fresh}", str(public_dump))
        _run("pg_restore", "--no-owner", f"--dbname={fresh}", str(dealer_dump))
        assert _row_counts(fresh, "backup") == _row_counts(stack.database_url, "backup")
        assert _row_counts(fresh, "backup")["car_listing_car"] == 1

        service = stack.config["services"]["web"]
        env = rehearsal_env("web", service, database_url=fresh, redis_url=redis_url, folders=stack.folders)
        port = free_port()
        log = tmp_path / "restored-web.log"
        web = start(local_command(service, port), env, log)
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(base + "/api/ping/", "localhost", [web], log)
        assert get(base + "/healthz", host)[0] == 200
        # The platform admin (restored with public) signs in and reads the dealership's car.
        token = call("POST", base + "/api/auth/token/", "localhost",
                     {"username": ADMIN["username"], "password": ADMIN["password"]})[1]["access"]
        status, body, _ = call("GET", base + f"/api/cars/{car_id}/", host, token=token)
        assert status == 200 and body["model"] == model, body
    finally:
        if web is not None:
            stop([web])
        redis.Redis.from_url(redis_url).flushdb()
        admin.execute(f'DROP DATABASE IF EXISTS "{fresh_name}" WITH (FORCE)')
        admin.close()
