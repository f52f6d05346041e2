"""Rows the database itself refuses to change: one trigger function for every append-only table.

``refuse_changes`` returns a migration operation that installs a ``BEFORE UPDATE OR DELETE`` row
trigger (and optionally a ``BEFORE TRUNCATE`` statement trigger) calling one shared PL/pgSQL
function. The function raises ``restrict_violation`` (SQLSTATE 23001), which Django maps to
``IntegrityError``, with the table's own message. It is created in the schema being migrated, so a
tenant schema gets its own copy like every other object of its migrations.

TRUNCATE skips row triggers, hence the separate statement trigger. ``truncate_escape`` names a
transaction-local setting (``SELECT set_config(name, 'on', true)``) that lets TRUNCATE through,
for test-database teardown.
"""
from __future__ import annotations

from collections.abc import Sequence

from django.db import migrations

FUNCTION = "forecourt_refuse_change"
TRUNCATE_FUNCTION = "forecourt_refuse_truncate"

# TG_ARGV[0]: the message, a format() string given the operation (%1$s) and the table (%2$s).
# TG_ARGV[1] (TRUNCATE only): the setting that, when 'on', lets the statement through.
CREATE_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', format(TG_ARGV[0], TG_OP, TG_TABLE_NAME) USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE OR REPLACE FUNCTION {TRUNCATE_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_NARGS > 1 AND current_setting(TG_ARGV[1], true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '%', format(TG_ARGV[0], TG_OP, TG_TABLE_NAME) USING ERRCODE = 'restrict_violation';
END;
$$;
"""


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def refuse_changes_sql(
    table: str,
    *,
    message: str,
    operations: Sequence[str] = ("UPDATE", "DELETE"),
    truncate: bool = False,
    truncate_escape: str = "",
    name: str = "",
) -> tuple[str, str]:
    """The forward and reverse SQL of :func:`refuse_changes` (for a caller that composes its own)."""
    name = name or table
    ops = [op.upper() for op in operations]
    if set(ops) - {"INSERT", "UPDATE", "DELETE"} or not (ops or truncate):
        raise ValueError(f"operations must be some of INSERT, UPDATE, DELETE, not {operations!r}")
    forward, reverse = [CREATE_FUNCTIONS], []
    if ops:  # none: TRUNCATE only, for a table whose row changes another trigger decides
        forward.append(f"CREATE TRIGGER {name}_append_only BEFORE {' OR '.join(ops)} ON {table}\n"
                       f"    FOR EACH ROW EXECUTE FUNCTION {FUNCTION}({_literal(message)});")
        reverse.append(f"DROP TRIGGER IF EXISTS {name}_append_only ON {table};")
    if truncate:
        args = ", ".join(_literal(a) for a in (message, truncate_escape) if a)
        forward.append(f"CREATE TRIGGER {name}_no_truncate BEFORE TRUNCATE ON {table}\n"
                       f"    FOR EACH STATEMENT EXECUTE FUNCTION {TRUNCATE_FUNCTION}({args});")
        reverse.insert(0, f"DROP TRIGGER IF EXISTS {name}_no_truncate ON {table};")
    return "\n".join(forward), "\n".join(reverse)


def refuse_changes(
    table: str,
    *,
    message: str,
    operations: Sequence[str] = ("UPDATE", "DELETE"),
    truncate: bool = False,
    truncate_escape: str = "",
    name: str = "",
) -> migrations.RunSQL:
    """A migration operation: the database refuses ``operations`` (and TRUNCATE if asked) on ``table``.

    ``message`` is a ``format()`` string: ``%1$s`` is the refused operation, ``%2$s`` the table.
    The triggers are named ``<name>_append_only`` and ``<name>_no_truncate``; ``name`` defaults to the table.
    """
    forward, reverse = refuse_changes_sql(table, message=message, operations=operations, truncate=truncate,
                                          truncate_escape=truncate_escape, name=name)
    return migrations.RunSQL(forward, reverse)
