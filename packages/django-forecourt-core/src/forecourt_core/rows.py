"""Model instances from a raw SELECT, without a RawQuerySet; and a model instance's raw INSERT.

For hot reads a service writes as SQL (a locking read, a join): ``Manager.raw`` maps the cursor's
column names to fields on every call (introspection of each name, the model's init order), several
hundred Python calls per query. Here the select list is the model's own columns in field order, fixed
once per process, so a row becomes an instance through ``Model.from_db``'s positional path, with the
same database converters the ORM applies.

``insert_values``/``insert_statement`` write the other way: an unsaved instance's INSERT as the ORM's
``save()`` builds it, for a hot write a service puts in its own statement (a CTE beside its change). Only
for models no signal receiver listens to: a raw INSERT sends no ``pre_save``/``post_save``.
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
    return ", ".join(connection.ops.quote_name(f.column) for f in fields), converted


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


def insert_values(obj, *, fields=None, skip=(), pre_save: bool = True) -> tuple[list[str], list]:
    """The columns and database values of ``obj``'s INSERT, in field order: its model's concrete fields (or
    ``fields``, e.g. those a history model copies from ``obj``), but those named in ``skip`` (attnames), and,
    as ``save()`` does, the auto primary key while ``obj.pk`` is None.

    With ``pre_save``, each value is the field's ``pre_save(obj, add=True)``, as ``save()`` writes it: an
    ``auto_now``/``auto_now_add`` field gets the current time, set on ``obj`` too. Without it, the values
    are ``obj``'s attributes as they are (the caller set such fields, e.g. to the time of a change)."""
    meta = obj._meta
    if fields is None:
        fields = meta.concrete_fields
        if obj.pk is None:
            fields = [f for f in fields if f is not meta.auto_field]
    if skip:
        fields = [f for f in fields if f.attname not in skip]
    if pre_save:
        values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    else:
        values = [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
    return [f.column for f in fields], values


def insert_statement(obj, *, given: dict | None = None, source: str = "", table: str = "", more: dict | None = None,
                     returning: bool = True, **values) -> tuple[str, list]:
    """(sql, params) of ``obj``'s INSERT (``insert_values(obj, **values)``), RETURNING its primary key.

    ``given``: columns whose values are SQL expressions, listed first (e.g. ``{"car_id": "car.id"}`` with
    ``source="car"``, a CTE: the statement is then ``INSERT ... SELECT ... FROM car``, one row per row of
    it). ``table``: another model's table (a history model's, with ``fields``); ``more``: columns and values
    after the instance's; ``returning=False``: no RETURNING."""
    columns, params = insert_values(obj, **values)
    if more:
        columns, params = [*columns, *more], [*params, *more.values()]
    given = given or {}
    quote = connection.ops.quote_name
    listed = ", ".join(map(quote, [*given, *columns]))
    exprs = ", ".join([*given.values(), *["%s"] * len(params)])
    body = f"SELECT {exprs} FROM {source}" if source else f"VALUES ({exprs})"  # noqa: S608
    tail = f" RETURNING {quote(obj._meta.pk.column)}" if returning else ""
    return f"INSERT INTO {quote(table or obj._meta.db_table)} ({listed}) {body}{tail}", params  # noqa: S608


def stored(*objs, alias: str | None = None) -> None:
    """Mark ``objs`` as rows of the database (``alias``, or ``connection``'s), as ``save()`` leaves them: for
    instances a raw INSERT wrote or a raw read returned (a later ``save()`` then updates, never inserts)."""
    alias = alias or connection.alias
    for obj in objs:
        obj._state.adding, obj._state.db = False, alias


def prefetched(instance, related_name: str, rows: list) -> None:
    """Rows the caller just wrote or read, as if ``prefetch_related(related_name)`` had read them (in their
    order): ``instance.<related_name>.all()`` answers them without a query. The one writer of Django's
    private prefetch cache (``_prefetched_objects_cache``: the relation's queryset with its results, as
    ``prefetch_related`` stores it); a test holds it to what Django's own prefetch stores."""
    qs = getattr(instance, related_name).all()
    qs._result_cache, qs._prefetch_done = list(rows), True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[related_name] = qs
