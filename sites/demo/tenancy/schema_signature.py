"""What a dealership schema holds, read from pg_catalog, so two schemas can be compared.

Used by the tests and bench/tenants.py to prove a replayed schema (tenancy/schemas.py) equals a
migrated one: tables and columns, constraints, indexes, triggers, functions, sequences and their
owners, relation owners and grants, applied migrations and row counts. The schema's own name is
replaced by `<S>` wherever a definition spells it.
"""
from __future__ import annotations

from django.db import connection
from django_tenants.utils import quote_schema_name

CATALOG_QUERIES = {
    "columns": """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,
               a.attgenerated, coalesce(co.collname, ''), pg_get_expr(d.adbin, d.adrelid)
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> 0
        WHERE n.nspname = %(schema)s AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm')""",
    "constraints": """
        SELECT cl.relname, co.conname, co.contype, pg_get_constraintdef(co.oid), co.convalidated
        FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_namespace n ON n.oid = co.connamespace
        WHERE n.nspname = %(schema)s""",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %(schema)s",
    "triggers": """
        SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid), t.tgenabled
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %(schema)s AND NOT t.tgisinternal""",
    "functions": """
        SELECT p.proname, pg_get_function_identity_arguments(p.oid), pg_get_functiondef(p.oid)
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %(schema)s""",
    "sequences": """
        SELECT sequencename, data_type, start_value, increment_by, max_value, cycle, last_value
        FROM pg_sequences WHERE schemaname = %(schema)s""",
    "sequence_owners": """
        SELECT s.relname, t.relname, a.attname, d.deptype
        FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
        JOIN pg_class t ON t.oid = d.refobjid JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
        JOIN pg_namespace n ON n.oid = s.relnamespace WHERE n.nspname = %(schema)s""",
    "relations": """
        SELECT c.relname, c.relkind, c.relpersistence, pg_get_userbyid(c.relowner), coalesce(c.relacl::text, '')
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %(schema)s""",
}


def schema_signature(schema_name: str) -> dict[str, list[tuple]]:
    """Every catalog fact above for one schema, sorted, plus its applied migrations and row counts."""
    quoted = quote_schema_name(schema_name)
    signature: dict[str, list[tuple]] = {}
    with connection.cursor() as cursor:
        for name, query in CATALOG_QUERIES.items():
            cursor.execute(query, {"schema": schema_name})
            signature[name] = sorted(tuple(_neutral(value, schema_name) for value in row) for row in cursor.fetchall())
        # Identifiers are quoted names from the catalog, not input.
        cursor.execute(f"SELECT app, name FROM {quoted}.django_migrations ORDER BY app, name")  # noqa: S608
        signature["migrations"] = [tuple(row) for row in cursor.fetchall()]
        tables = [row[0] for row in signature["relations"] if row[1] == "r"]
        counts = " UNION ALL ".join(
            f"SELECT '{table}', count(*) FROM {quoted}.{connection.ops.quote_name(table)}"  # noqa: S608
            for table in tables
        )
        cursor.execute(counts)
        signature["row_counts"] = sorted(cursor.fetchall())
    return signature


def signature_differences(a: dict[str, list[tuple]], b: dict[str, list[tuple]]) -> dict[str, dict[str, list]]:
    """{section: {"only_in_first": [...], "only_in_second": [...]}} for the sections that differ; {} when equal."""
    out = {}
    for section in sorted(set(a) | set(b)):
        first, second = set(a.get(section, [])), set(b.get(section, []))
        if first != second:
            out[section] = {"only_in_first": sorted(first - second), "only_in_second": sorted(second - first)}
    return out


def _neutral(value, schema_name: str) -> str:
    text = "" if value is None else str(value)
    return text.replace(f'"{schema_name}".', "<S>.").replace(f"{schema_name}.", "<S>.")
