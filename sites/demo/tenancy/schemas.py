"""Building a dealership's schema: replay the SQL its migrations ran once, instead of migrating again.

Migrating a new schema (django-tenants' default) costs seconds: Django loads the migration graph,
renders every model state and runs each migration in its own transaction. The SQL those migrations
execute is the same for every new schema; only the search_path differs (Django never qualifies names
with a schema). So the first schema built for a given set of migration files is migrated for real
while its schema editor's statements are recorded (a SchemaRecipe row in public), and every later
schema replays them, with the same django_migrations rows, in one transaction: all or nothing.

Why not django-tenants' clone (TENANT_BASE_SCHEMA + clone_schema())? Measured here: it renames named
unique constraints to PostgreSQL's defaults (a later RemoveConstraint would fail on cloned tenants),
gives integer identity columns bigint sequences, then runs a fake migrate that costs as much as the
clone; and its template schema must be kept migrated by hand. docs/tenancy.md has the numbers.

Safety:
- The recipe is keyed by a fingerprint of every migration file, the Django and PostgreSQL versions:
  a new or edited migration means a new recipe, recorded by the next creation. A stale one is never used.
- Migrations that write rows outside the schema editor (RunPython, post_migrate handlers) cannot be
  replayed: the recording notices any such statement and marks the recipe not replayable, and those
  schemas are migrated. (A RunPython that only reads does not change the schema and is harmless.)
- If a replay fails, it rolls back and the schema is migrated instead; the error is logged.
"""
from __future__ import annotations

import contextlib
import contextvars
import hashlib
import logging
import sys
from collections.abc import Iterator
from functools import lru_cache

import django
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django_tenants.postgresql_backend.base import _check_schema_name
from django_tenants.utils import quote_schema_name

from tenancy import citus
from tenancy.models import SchemaRecipe

logger = logging.getLogger(__name__)

REPLAYED, RECORDED, MIGRATED = "replayed", "recorded", "migrated"
_forced_method: contextvars.ContextVar[str | None] = contextvars.ContextVar("tenancy_schema_method", default=None)
# Statements the migrate command may run outside the schema editor without changing what a schema holds.
_HARMLESS_PREFIXES = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET ", "SHOW", "BEGIN", "COMMIT")
_RECORDER_INSERT = 'INSERT INTO "django_migrations"'


def replay_enabled() -> bool:
    return getattr(settings, "TENANT_SCHEMA_REPLAY", True)


@contextlib.contextmanager
def forced_method(method: str) -> Iterator[None]:
    """Build schemas by `MIGRATED` (django-tenants' migrate) or `REPLAYED` here, whatever the setting (bench, tests)."""
    token = _forced_method.set(method)
    try:
        yield
    finally:
        _forced_method.reset(token)


def wants_replay() -> bool:
    forced = _forced_method.get()
    return forced != MIGRATED if forced else replay_enabled()


@lru_cache(maxsize=1)
def migrations_fingerprint() -> str:
    """The fingerprint of the migration files this process would apply, on this Django and PostgreSQL.

    Cached per process: a process runs the migration modules it imported, so this is what its own
    migrate would apply.
    """
    loader = MigrationLoader(None, ignore_no_migrations=True)
    files = {}
    for key, migration in loader.disk_migrations.items():
        with open(sys.modules[migration.__module__].__file__, "rb") as source:
            files[key] = source.read()
    return fingerprint_of(files, versions=f"django {django.get_version()} pg {connection.pg_version}")


def fingerprint_of(files: dict[tuple[str, str], bytes], *, versions: str) -> str:
    """sha256 over the versions and every (app, migration name, file content), in a stable order."""
    digest = hashlib.sha256(versions.encode())
    for (app, name), content in sorted(files.items()):
        digest.update(f"\n{app}.{name}:".encode() + hashlib.sha256(content).digest())
    return digest.hexdigest()


def schema_build(schema_name: str, *, verbosity: int = 0) -> str:
    """Create the schema `schema_name` holding every tenant app's tables, migrated; returns how it was built."""
    if not wants_replay():
        schema_migrate(schema_name, verbosity=verbosity)
        return MIGRATED
    recipe = SchemaRecipe.objects.filter(fingerprint=migrations_fingerprint()).first()
    if recipe is None:
        _record(schema_name, verbosity=verbosity)
        return RECORDED
    if recipe.replayable:
        try:
            _replay(schema_name, recipe)
            return REPLAYED
        except Exception:
            logger.exception("Replaying %s into schema %s failed; migrating it instead", recipe, schema_name)
    schema_migrate(schema_name, verbosity=verbosity)
    return MIGRATED


def recipe_ensure(*, verbosity: int = 0):
    """The recipe for the current migrations, recorded now on a scratch schema if missing (a deploy step).

    Without it the first dealership created after a deploy with new migrations pays one migrate.
    """
    fingerprint = migrations_fingerprint()
    recipe = SchemaRecipe.objects.filter(fingerprint=fingerprint).first()
    if recipe is None:
        scratch = f"recipe_{fingerprint[:12]}"
        try:
            _record(scratch, verbosity=verbosity)
        finally:
            connection.set_schema_to_public()
            with connection.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA IF EXISTS {quote_schema_name(scratch)} CASCADE")
        recipe = SchemaRecipe.objects.get(fingerprint=fingerprint)
    return recipe


def schema_migrate(schema_name: str, *, verbosity: int = 0) -> None:
    """django-tenants' own way: CREATE SCHEMA, then migrate_schemas for that schema."""
    schema_create_empty(schema_name)
    _migrate(schema_name, verbosity=verbosity)


def schema_create_empty(schema_name: str) -> None:
    """CREATE SCHEMA, nothing in it."""
    _check_schema_name(schema_name)
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        if citus.enabled():
            citus.session_prepare(cursor)  # the schema becomes a distributed schema (tenancy/citus.py)
        cursor.execute(f"CREATE SCHEMA {quote_schema_name(schema_name)}")


def _migrate(schema_name: str, *, verbosity: int) -> None:
    try:
        call_command("migrate_schemas", tenant=True, schema_name=schema_name, interactive=False, verbosity=verbosity)
    finally:
        connection.set_schema_to_public()


def _replay(schema_name: str, recipe) -> None:
    with transaction.atomic():
        schema_create_empty(schema_name)
        connection.set_schema(schema_name)
        try:
            with connection.cursor() as cursor:
                if citus.enabled():
                    # Citus sends some DDL on to the worker as the statement text it was given, one
                    # statement a command: a joined script would be refused there.
                    for statement in recipe.statements:
                        cursor.execute(statement)
                else:
                    # One round trip; statements are separated on their own line so a trailing comment can't eat it.
                    cursor.execute("\n;\n".join(recipe.statements))
                apps, names = zip(*recipe.migrations, strict=True) if recipe.migrations else ((), ())
                cursor.execute(
                    "INSERT INTO django_migrations (app, name, applied)"
                    " SELECT app, name, now() FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS m(app, name, i)"
                    " ORDER BY i",
                    [list(apps), list(names)],
                )
        finally:
            connection.set_schema_to_public()


class Recording:
    def __init__(self) -> None:
        self.statements: list[str] = []  # what the schema editor ran, parameters merged in
        self.foreign_writes: list[str] = []  # writes outside it (RunPython, signal handlers)


@contextlib.contextmanager
def recording() -> Iterator[Recording]:
    """Keep every statement the schema editors of this connection run, and notice writes made outside them."""
    recorded = Recording()
    in_editor = contextvars.ContextVar("in_schema_editor", default=False)

    class RecordingSchemaEditor(connection.SchemaEditorClass):
        def execute(self, sql, params=()):
            if params is not None:  # merged client-side, as the PostgreSQL editor does anyway
                sql, params = self.connection.ops.compose_sql(str(sql), params), None
            recorded.statements.append(str(sql))
            token = in_editor.set(True)
            try:
                return super().execute(sql, params)
            finally:
                in_editor.reset(token)

    def watch(execute, sql, params, many, context):
        text = sql.lstrip()
        if not in_editor.get() and not text.upper().startswith(_HARMLESS_PREFIXES) and not text.startswith(
            _RECORDER_INSERT
        ):
            recorded.foreign_writes.append(text)
        return execute(sql, params, many, context)

    connection.SchemaEditorClass = RecordingSchemaEditor
    try:
        with connection.execute_wrapper(watch):
            yield recorded
    finally:
        del connection.SchemaEditorClass  # back to the backend class's own


def _record(schema_name: str, *, verbosity: int) -> None:
    """Migrate `schema_name` for real, keeping what its schema editor ran as the recipe for the next schemas."""
    schema_create_empty(schema_name)
    with recording() as recorded:
        _migrate(schema_name, verbosity=verbosity)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT app, name FROM {quote_schema_name(schema_name)}.django_migrations ORDER BY id")  # noqa: S608
        applied = [list(row) for row in cursor.fetchall()]
    writes = recorded.foreign_writes
    reason = f"migrations wrote outside the schema editor: {writes[0][:500]}" if writes else ""
    try:
        with transaction.atomic():
            SchemaRecipe.objects.create(
                fingerprint=migrations_fingerprint(), statements=recorded.statements, migrations=applied,
                replayable=not writes, not_replayable_because=reason, recorded_from=schema_name,
            )
    except IntegrityError:
        pass  # another process recorded the same migrations first; theirs is as good
