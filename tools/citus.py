"""A local Citus cluster for `dev.py demo --citus` and `dev.py test --citus`.

A coordinator and two workers, each a PostgreSQL instance of its own under `.data/citus/` on its
own loopback port (CITUS_PORT, default 9700, for the coordinator; the workers follow), with
`citus.enable_schema_based_sharding = on`: every dealership schema created on the coordinator
becomes a distributed schema placed whole on one worker (docs/scaling.md). The instances are
started when missing and left running, so the next run reuses them (`dev.py citus stop` stops them).

The cluster is for development and tests only: trust authentication on loopback, no TLS between
the nodes, fsync off (commits still synchronous: see NODE_SETTINGS). Production clusters come from
Citus's own packages or container image.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / ".data" / "citus"
HOST = "127.0.0.1"
SETTINGS_FILE = "forecourt.conf"
INSTALL_HELP = """Citus is not installed in this machine's PostgreSQL ({libdir} has no citus.so).
Install Citus 12 or newer for PostgreSQL {major}, then run this again:
  Debian/Ubuntu: add Citus's package repository (https://docs.citusdata.com/en/stable/installation/)
                 and `apt-get install postgresql-{major}-citus-13.2`
  Docker:        docker-compose.yml's `citus` profile runs a cluster from the official
                 citusdata/citus image (steps in docs/scaling.md, "Docker Compose")
Set PG_CONFIG to use another PostgreSQL installation's pg_config."""

# Development settings for every node: Citus loaded, schema-based sharding, logical WAL for online
# shard moves (citus_rebalance_start, citus_schema_move), room for Citus's own connections between nodes
# and its two-phase commits; crash safety traded for speed (a throwaway local cluster). Commits stay
# synchronous, set explicitly so it overrides any other value in a node's postgresql.conf: a shard move
# waits for the WAL position written so far, so with asynchronous commit it loses the writes
# acknowledged in its last moments (docs/scaling.md; tenancy.citus refuses such nodes).
NODE_SETTINGS = {
    "shared_preload_libraries": "'citus'",
    "citus.enable_schema_based_sharding": "on",
    "citus.node_conninfo": "'sslmode=disable'",
    "listen_addresses": f"'{HOST}'",
    "unix_socket_directories": "''",
    "max_connections": "300",
    "max_prepared_transactions": "300",
    "wal_level": "logical",
    "max_replication_slots": "20",
    "max_wal_senders": "20",
    "shared_buffers": "64MB",
    "fsync": "off",
    "synchronous_commit": "on",
    "full_page_writes": "off",
    "log_min_messages": "warning",
}


def pg_config() -> Path:
    """The pg_config of the PostgreSQL to run: PG_CONFIG, else the newest installed one, else the one on PATH."""
    if os.environ.get("PG_CONFIG"):
        return Path(os.environ["PG_CONFIG"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_config"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1])
    on_path = shutil.which("pg_config")
    if not on_path:
        sys.exit("No PostgreSQL found (no pg_config): install PostgreSQL 15 and Citus, or set PG_CONFIG.")
    return Path(on_path)


def _pg_config_value(flag: str) -> str:
    return subprocess.check_output([str(pg_config()), flag], text=True).strip()


def installed() -> bool:
    return (Path(_pg_config_value("--pkglibdir")) / "citus.so").exists()


def available() -> bool:
    """Whether a local cluster can start here (a PostgreSQL with Citus installed); never exits."""
    try:
        return installed()
    except (SystemExit, OSError, subprocess.CalledProcessError):
        return False


def require_installed() -> None:
    """Stop with how to install Citus when this machine's PostgreSQL has no Citus."""
    if not installed():
        major = _pg_config_value("--version").split()[1].split(".")[0]
        sys.exit(INSTALL_HELP.format(libdir=_pg_config_value("--pkglibdir"), major=major))


def base_port() -> int:
    return int(os.environ.get("CITUS_PORT", "9700"))


def node_names(workers: int = 2) -> list[str]:
    return ["coordinator", *(f"worker{i}" for i in range(1, workers + 1))]


def node_port(name: str) -> int:
    return base_port() + (0 if name == "coordinator" else int(name.removeprefix("worker")))


def _as_server_user() -> dict:
    """PostgreSQL refuses to run as root: as root, run its programs as the `postgres` user."""
    if os.geteuid() != 0:
        return {}
    user = pwd.getpwnam(os.environ.get("CITUS_OS_USER", "postgres"))

    def demote() -> None:
        os.setgid(user.pw_gid)
        os.setuid(user.pw_uid)

    return {"preexec_fn": demote, "user_record": user}


def _run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    demote = _as_server_user()
    return subprocess.run(argv, preexec_fn=demote.get("preexec_fn"), check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, **kwargs)


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


def _running_here(folder: Path, port: int) -> bool:
    """Whether the server listening on `port` is this node's (its postmaster.pid names the port)."""
    pid_file = folder / "postmaster.pid"
    lines = pid_file.read_text().splitlines() if pid_file.exists() else []
    return len(lines) > 3 and lines[3].strip() == str(port)


def _settings_write(folder: Path, port: int) -> None:
    """NODE_SETTINGS in the node's settings file, rewritten on every start: a node made earlier follows them too.

    postgresql.conf includes the file last, so it overrides what older nodes had appended there.
    """
    settings = "\n".join(f"{key} = {value}" for key, value in {"port": port, **NODE_SETTINGS}.items())
    (folder / SETTINGS_FILE).write_text(f"# dev.py citus (tools/citus.py), rewritten on every start\n{settings}\n")
    conf = folder / "postgresql.conf"
    include = f"include_if_exists = '{SETTINGS_FILE}'"
    if include not in conf.read_text():
        with open(conf, "a") as out:
            out.write(f"\n{include}\n")


def node_start(name: str) -> int:
    """Create (initdb) and start one node when it is not already running; returns its port.

    A node already running reloads its settings. A port taken by any other server stops the run (two
    worktrees' clusters need different CITUS_PORTs).
    """
    port = node_port(name)
    folder = DATA / name
    bindir = Path(_pg_config_value("--bindir"))
    if _listening(port) and not _running_here(folder, port):
        sys.exit(f"{HOST}:{port} is taken by a server other than {folder}: set CITUS_PORT to a free range "
                 f"(the coordinator's port; the workers take the next ones)")
    demote = _as_server_user()
    if not (folder / "PG_VERSION").exists():
        folder.mkdir(parents=True, exist_ok=True)
        if "user_record" in demote:
            os.chown(folder, demote["user_record"].pw_uid, demote["user_record"].pw_gid)
        _run([str(bindir / "initdb"), "-D", str(folder), "-U", "postgres", "-A", "trust", "-E", "UTF8",
              "--locale=C.UTF-8"])
    _settings_write(folder, port)
    if _listening(port):
        _run([str(bindir / "pg_ctl"), "-D", str(folder), "reload"])
        return port
    print(f"==> starting Citus {name} on {HOST}:{port}", flush=True)
    _run([str(bindir / "pg_ctl"), "-D", str(folder), "-l", str(folder / "server.log"), "-w", "-t", "60", "start"])
    return port


def node_stop(name: str) -> None:
    folder = DATA / name
    if (folder / "postmaster.pid").exists():
        _run([str(Path(_pg_config_value("--bindir")) / "pg_ctl"), "-D", str(folder), "-m", "fast", "-w", "stop"])


def url(name: str, database: str) -> str:
    return f"postgres://postgres@{HOST}:{node_port(name)}/{database}"


def _connect(name: str, database: str = "postgres"):
    import psycopg

    return psycopg.connect(url(name, database), autocommit=True)


def database_ensure(database: str) -> None:
    """`database` on the coordinator; `manage.py citus_join` adds it to the workers and registers them."""
    with _connect("coordinator") as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
            conn.execute(f'CREATE DATABASE "{database}"')


def cluster_start(workers: int = 2, spares: int = 0) -> dict[str, str]:
    """Start the coordinator, `workers` workers and `spares` more; the environment that points the site at them.

    Spare nodes run but join no database: the operations tests add them (a new worker, a worker of its own).
    """
    require_installed()
    names = node_names(workers + spares)
    for name in names:
        node_start(name)
    deadline = time.monotonic() + 30
    while not all(_listening(node_port(name)) for name in names):
        if time.monotonic() > deadline:
            sys.exit(f"Citus nodes did not start; see {DATA}/*/server.log")
        time.sleep(0.2)
    database = os.environ.get("CITUS_DATABASE", "forecourt")  # the site's database (a test's own smoke database)
    database_ensure(database)
    return {
        "DATABASE_URL": url("coordinator", database),
        # `manage.py citus_join` and the site's tests (their own test database) join these workers.
        "CITUS_WORKERS": ",".join(f"{HOST}:{node_port(name)}" for name in names[1:workers + 1]),
        "CITUS_SPARE_WORKERS": ",".join(f"{HOST}:{node_port(name)}" for name in names[workers + 1:]),
    }


def cluster_stop() -> None:
    for name in sorted(p.name for p in DATA.glob("*") if (p / "PG_VERSION").exists()):
        node_stop(name)
