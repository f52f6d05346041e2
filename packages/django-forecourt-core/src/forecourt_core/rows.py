"""Model instances from a raw SELECT, without a RawQuerySet.

For hot reads a service writes as SQL (a locking read, a join): ``Manager.raw`` maps the cursor's
column names to fields on every call (introspection of each name, the model's init order), several
hundred Python calls per query. Here the select list is the model's own columns in field order, fixed
once per process, so a row becomes an instance through ``Model.from_db``'s positional path, with the
same database converters the ORM applies.
"""
from __future__ import annotations

from functools import cache

from django.db import connection


@cache
def _shape(model) -> tuple[str, list]:
    """(the model's columns in field order, unqualified; [(position, converters)] of the fields that
    have any)."""
    fields = model._meta.concrete_fields
    converted = []
    for i, field in enumerate(fields):
        col = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if converters:
            converted.append((i, col, converters))
    return ", ".join(f.column for f in fields), converted


def columns(model, prefix: str = "") -> str:
    """The select list ``instances`` reads: the model's columns in field order (``prefix``: a table alias)."""
    listed = _shape(model)[0]
    if not prefix:
        return listed
    return ", ".join(f"{prefix}.{c}" for c in listed.split(", "))


def instances(model, sql: str, params, *, rest: bool = False) -> list:
    """The rows of ``sql`` as instances of ``model``. ``sql`` selects ``columns(model)`` first; with
    ``rest``, more values after them, and each item is ``(instance, (those values))``."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    _, converted = _shape(model)
    width = len(model._meta.concrete_fields)
    alias = connection.alias
    found = []
    for row in rows:
        values = list(row[:width])
        for i, col, converters in converted:
            for convert in converters:
                values[i] = convert(values[i], col, connection)
        obj = model.from_db(alias, None, values)
        found.append((obj, tuple(row[width:])) if rest else obj)
    return found
