"""The site on a Citus cluster: each dealership schema a distributed schema on one worker (docs/scaling.md).

Nothing here runs on a plain PostgreSQL: every entry point first asks `enabled()`, which is true when
the database has the citus extension. What Citus needs from the site:

- Shared tables that dealership tables reference by foreign key become *reference tables* (a copy on
  every node): a distributed schema's tables may only reference reference tables. Only the user table is
  referenced that way today; `reference_tables()` reads the set from the models, so a new such foreign
  key is covered. Citus turns the public tables tied to a reference table by foreign keys (the wallet,
  trading, notifications, memberships) into Citus local tables: they stay on the coordinator.
- A dealership's schema is created with schema-based sharding on, so Citus distributes it when it is
  created, whether it is migrated or replayed from the recipe (tenancy/schemas.py).
- Public functions run with PostgreSQL's own choice between custom and generic plans. Citus cannot
  plan a parameterized statement over its tables generically ("could not create distributed plan"),
  so a function set to `plan_cache_mode = force_generic_plan` (the wallet's `wallet_post`) is reset.
- Every node commits synchronously. A shard move (a rebalance, `citus_schema_move`) blocks writes,
  then waits until the new placement has the WAL the old node has *written*; with asynchronous commit
  (`synchronous_commit = off`) the last commits may still be in WAL buffers, so the move finishes
  without them and rows whose commit was acknowledged are gone. `nodes_join` refuses such a node.
- Triggers on a distributed schema's tables need `citus.enable_unsafe_triggers`: Citus then creates
  them on the schema's shards. That is safe here because every trigger touches only tables of its own
  schema, which Citus keeps together on one node (one colocation group per distributed schema).
"""
from __future__ import annotations

from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection


def enabled(conn=connection) -> bool:
    """Whether this database is a Citus coordinator (asked once per connection wrapper)."""
    cached = getattr(conn, "_forecourt_citus", None)
    if cached is None:
        with conn.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')")
            cached = conn._forecourt_citus = cursor.fetchone()[0]
    return cached


def session_prepare(cursor) -> None:
    """Settings a schema build needs on a Citus coordinator (see the module docstring)."""
    cursor.execute("SET citus.enable_schema_based_sharding TO on")
    cursor.execute("SET citus.enable_unsafe_triggers TO on")


def reference_tables() -> list[str]:
    """Shared tables that a dealership schema's tables reference by foreign key."""
    tenant_labels = {config.label for config in apps.get_app_configs() if config.name in settings.TENANT_APPS}
    tables = set()
    for model in apps.get_models():
        if model._meta.app_label not in tenant_labels:
            continue
        for field in model._meta.concrete_fields:
            target = field.related_model if field.is_relation else None
            if target is not None and target._meta.app_label not in tenant_labels:
                tables.add(target._meta.db_table)
    return sorted(tables)


def shared_tables_distribute() -> list[str]:
    """Make the shared tables that dealership tables reference reference tables; returns the ones it made.

    Run after every migration of the public schema: it also resets the functions that force generic plans.
    """
    made = []
    with connection.cursor() as cursor:
        for table in reference_tables():
            qualified = f"public.{table}"
            cursor.execute("SELECT to_regclass(%s)", [qualified])
            if cursor.fetchone()[0] is None:
                continue  # not migrated yet: made after the migrations (tenancy/apps.py)
            cursor.execute("SELECT 1 FROM pg_dist_partition WHERE logicalrelid = to_regclass(%s)"
                           " AND partmethod = 'n' AND repmodel = 't'", [qualified])
            if cursor.fetchone() is None:
                # A table already turned into a Citus local table (by a foreign key to another reference
                # table) must be undistributed first; create_reference_table takes a plain table.
                cursor.execute("SELECT 1 FROM pg_dist_partition WHERE logicalrelid = to_regclass(%s)", [qualified])
                if cursor.fetchone() is not None:
                    cursor.execute("SELECT undistribute_table(%s, cascade_via_foreign_keys => true)", [qualified])
                cursor.execute("SELECT create_reference_table(%s)", [qualified])
                made.append(table)
        if made:
            _identity_sequences_resync(cursor)
        _generic_plans_reset(cursor)
    return made


def _generic_plans_reset(cursor) -> None:
    """Let the public functions that force generic plans choose again (see the module docstring)."""
    cursor.execute("SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                   " WHERE n.nspname = 'public' AND 'plan_cache_mode=force_generic_plan' = ANY(p.proconfig)")
    for (function,) in cursor.fetchall():
        cursor.execute(f"ALTER FUNCTION {function} RESET plan_cache_mode")  # a name from pg_catalog


def _identity_sequences_resync(cursor) -> None:
    """Move each converted table's identity sequence past its rows.

    Converting a table into a reference or Citus local table recreates its identity sequence from the
    start, so the next insert would reuse an existing id.
    """
    cursor.execute(
        "SELECT c.relname, a.attname FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid"
        " WHERE n.nspname = 'public' AND a.attidentity <> '' AND NOT a.attisdropped")
    for table, column in cursor.fetchall():
        # Names from pg_catalog, quoted: not user input.
        highest = f'SELECT coalesce(max("{column}"), 0) + 1 FROM public."{table}"'  # noqa: S608
        cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, %s), ({highest}), false)",
                       [f'public."{table}"', column])


def nodes_join(workers: list[tuple[str, int]]) -> None:
    """Join this database to the cluster: citus on the coordinator and on each worker, the workers registered.

    Citus keeps its metadata per database, so a new database (a test database) joins on its own. The
    workers are reached with the coordinator's credentials. Nodes that commit asynchronously are refused
    (ImproperlyConfigured) before any is registered: see the module docstring.
    """
    db = connection.settings_dict
    name = db["NAME"]
    coordinator = (db["HOST"] or "localhost", int(db["PORT"] or 5432))
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS citus")
    for host, port in workers:
        with node_connect(host, port, "postgres") as admin:
            if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                admin.execute(f'CREATE DATABASE "{name}"')
        with node_connect(host, port, name) as worker:
            worker.execute("CREATE EXTENSION IF NOT EXISTS citus")
    nodes = [coordinator, *workers]
    asynchronous = [f"{host}:{port}" for host, port in nodes if not _commits_synchronously(host, port)]
    if asynchronous:
        raise ImproperlyConfigured(
            f"synchronous_commit is off on {', '.join(asynchronous)}: a Citus shard move (rebalance, schema move)"
            " loses writes committed asynchronously just before its switch-over; set it on (docs/scaling.md)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT citus_set_coordinator_host(%s, %s)", list(coordinator))
        for host, port in workers:
            cursor.execute("SELECT 1 FROM pg_dist_node WHERE nodename = %s AND nodeport = %s", [host, port])
            if cursor.fetchone() is None:
                cursor.execute("SELECT citus_add_node(%s, %s)", [host, port])
        # A new worker gets its copy of the reference tables now, so a schema can be moved onto it at once.
        cursor.execute("SELECT replicate_reference_tables()")
    connection._forecourt_citus = True


def _commits_synchronously(host: str, port: int) -> bool:
    """Whether a new session in this database on the node waits for its commits' WAL (anything but `off`)."""
    with node_connect(host, port, connection.settings_dict["NAME"]) as node:
        return node.execute("SHOW synchronous_commit").fetchone()[0] != "off"


def database_drop(workers: list[tuple[str, int]], database: str) -> None:
    """Drop `database` on the coordinator and the workers (a test database, before and after its run).

    WITH (FORCE): Citus's maintenance daemon and the workers' metadata connections stay in it.
    """
    db = connection.settings_dict
    connection.close()
    for host, port in [(db["HOST"] or "localhost", int(db["PORT"] or 5432)), *workers]:
        with node_connect(host, port, "postgres") as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def node_connect(host: str, port: int, database: str):
    """An autocommit connection to a node (the database `database` on it) with the coordinator's credentials."""
    import psycopg

    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else "")
    return psycopg.connect(f"postgres://{auth}@{host}:{port}/{quote(database, safe='')}", autocommit=True)


def workers_from(value: str) -> list[tuple[str, int]]:
    """'host:port,host:port' (the CITUS_WORKERS variable) as a list of (host, port)."""
    return [(part.rsplit(":", 1)[0], int(part.rsplit(":", 1)[1])) for part in value.split(",") if part.strip()]
