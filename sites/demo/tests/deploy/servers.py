"""Start the site's real processes (uvicorn, Celery) for a test, and stop them as a group."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

SITE = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """One process (console scripts resolved in this virtualenv), its output in `log`, in a group of its own."""
    program = BIN / argv[0]
    argv = [str(program) if program.exists() else argv[0], *argv[1:]]
    with log.open("ab") as out:
        return subprocess.Popen(argv, cwd=SITE, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def stop(processes: list[subprocess.Popen]) -> None:
    for proc in processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # whatever of the group is left


def get(url: str, host: str, headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, headers={"Host": host, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback only
            return response.status, response.read(), {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), {k.lower(): v for k, v in exc.headers.items()}


def wait_until_serving(url: str, host: str, processes: list[subprocess.Popen], log: Path, timeout: float = 90) -> None:
    """Until `url` answers anything; fails early (with the log) if a process died."""
    deadline = time.monotonic() + timeout
    while True:
        dead = [p.args for p in processes if p.poll() is not None]
        assert not dead, f"exited: {dead}\n{log.read_text()[-4000:]}"
        try:
            get(url, host, timeout=5)
            return
        except OSError:
            assert time.monotonic() < deadline, f"{url} never answered\n{log.read_text()[-4000:]}"
            time.sleep(0.3)


def python_env(**extra: str) -> dict[str, str]:
    """This environment less what the test run itself set for Django, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "PYTHONPATH"}}
    return {**env, **extra}


def call(method: str, url: str, host: str, body: dict | None = None, token: str | None = None,
         headers: dict[str, str] | None = None, timeout: float = 60) -> tuple[int, dict, dict]:
    """A JSON API call: (status, decoded body or {}, response headers by lowercase name)."""
    import json
    import uuid

    sent = {"Host": host, "Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4()), **(headers or {})}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback only
            raw, status, got = response.read(), response.status, {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as exc:
        raw, status, got = exc.read(), exc.code, {k.lower(): v for k, v in exc.headers.items()}
    try:
        decoded = json.loads(raw) if raw else {}
    except ValueError:
        decoded = {"raw": raw[:2000].decode(errors="replace")}
    return status, decoded, got
