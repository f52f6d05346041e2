"""The whole stack of docker-compose.yml, started once for this folder's tests (compose_stack.py says how)."""
from __future__ import annotations

import os
import re
import secrets
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import dj_database_url
import psycopg
import pytest
import redis

from .compose_stack import compose_config, image_build_steps, local_command, rehearsal_env
from .servers import SITE, call, free_port, get, start, stop, wait_until_serving

ADMIN = {"username": "opsadmin", "password": "rehearsal-Admin-pass-1", "email": "ops@example.com"}
LONG_RUNNING = ("web", "worker", "beat")


@dataclass
class Stack:
    base: str
    port: int
    database_url: str
    redis_url: str
    folders: dict[str, Path]
    logs: dict[str, Path]
    config: dict
    worker_metrics_port: int
    migrate_runs: list[subprocess.CompletedProcess] = field(default_factory=list)
    _admin_token: str = ""

    def url(self, path: str) -> str:
        return self.base + path

    def admin_token(self) -> str:
        """Signed in once per stack: sign-ins are rate-limited per client address, as in production."""
        if not self._admin_token:
            status, body, _ = call("POST", self.url("/api/auth/token/"), "localhost",
                                   {"username": ADMIN["username"], "password": ADMIN["password"]})
            assert status == 200, body
            self._admin_token = body["access"]
        return self._admin_token


def _admin_connection(url: str) -> psycopg.Connection:
    cfg = dj_database_url.parse(url)
    return psycopg.connect(host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432, user=cfg["USER"],
                           password=cfg["PASSWORD"] or None, dbname="postgres", autocommit=True)


@pytest.fixture(scope="package")
def stack(tmp_path_factory) -> Stack:
    server_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/forecourt")
    suffix = re.sub(r"\W", "_", os.environ.get("FORECOURT_TEST_SUFFIX", "")).lower()
    name = "forecourt_rehearsal" + (f"_{suffix}" if suffix else "")
    database_url = server_url.rsplit("/", 1)[0] + "/" + name
    redis_url = re.sub(r"/\d*$", "/" + os.environ.get("REHEARSAL_REDIS_DB", "12"),
                       os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    admin = _admin_connection(server_url)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    redis.Redis.from_url(redis_url).flushdb()
    root = tmp_path_factory.mktemp("rehearsal")
    folders = {name: root / name for name in ("static", "media", "mail", "metrics", "logs")}
    for folder in folders.values():
        folder.mkdir()
    # What an operator puts in .env; Compose turns it into each service's environment and commands.
    config = compose_config({
        "SECRET_KEY": secrets.token_urlsafe(64), "FLOWER_BASIC_AUTH": "ops:" + secrets.token_urlsafe(12),
        "BOOTSTRAP_ADMIN_USERNAME": ADMIN["username"], "BOOTSTRAP_ADMIN_PASSWORD": ADMIN["password"],
        "BOOTSTRAP_ADMIN_EMAIL": ADMIN["email"], "WEB_WORKERS": "2", "DB_POOL_MAX_SIZE": "4",
        "METRICS_TOKEN": "rehearsal-metrics-token",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": str(folders["mail"]),
    })
    services = config["services"]

    worker_metrics_port = free_port()

    def env(service: str) -> dict[str, str]:
        return rehearsal_env(service, services[service], database_url=database_url, redis_url=redis_url,
                             folders=folders, metrics_port=worker_metrics_port)

    logs = {name: folders["logs"] / f"{name}.log" for name in ("build", "migrate", *LONG_RUNNING)}
    for step in image_build_steps():
        done = subprocess.run(["sh", "-c", step], cwd=SITE, env=env("web"),  # noqa: S607 - as the image's shell does
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, step + "\n" + done.stdout[-2000:] + done.stderr[-3000:]
    port = free_port()
    stack = Stack(base=f"http://127.0.0.1:{port}", port=port, database_url=database_url, redis_url=redis_url,
                  folders=folders, logs=logs, config=config, worker_metrics_port=worker_metrics_port)
    for _ in range(2):  # a deploy runs it again on the same database: it must be idempotent
        stack.migrate_runs.append(subprocess.run(local_command(services["migrate"]), cwd=SITE, env=env("migrate"),
                                                 capture_output=True, text=True, timeout=600))
        assert stack.migrate_runs[-1].returncode == 0, stack.migrate_runs[-1].stdout + stack.migrate_runs[-1].stderr
    processes = [start(local_command(services[name], port), env(name), logs[name]) for name in LONG_RUNNING]
    try:
        wait_until_serving(stack.url("/healthz"), "localhost", processes, logs["web"])
        deadline = time.monotonic() + 90
        while b"ok (1 workers)" not in get(stack.url("/healthz"), "localhost")[1]:
            assert time.monotonic() < deadline, logs["worker"].read_text()[-4000:]
            assert all(p.poll() is None for p in processes), {n: logs[n].read_text()[-2000:] for n in LONG_RUNNING}
            time.sleep(0.5)
        yield stack
    finally:
        stop(processes)
        redis.Redis.from_url(redis_url).flushdb()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
