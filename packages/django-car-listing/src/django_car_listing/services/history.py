"""A car's write and its history row (django-simple-history's HistoricalCar) in one statement.

For the hot paths (a purchase): the row simple-history's post_save handler would append (every tracked
field as saved, the user, the time, the type), written by a data-modifying CTE beside the car's own UPDATE
or INSERT instead of by the signal's second statement. Callers save nothing through the ORM here, so no
other post_save receiver is skipped: Car has none but simple-history's.
"""
from functools import cache

from django.db import connection

from forecourt_core.rows import insert_statement, stored

from ..models import Car

_OWN = frozenset({"history_id", "history_date", "history_type", "history_user", "history_change_reason"})


@cache
def _shape() -> tuple[str, str, str]:
    """(history table, the car columns it copies, car table), quoted."""
    quote, history = connection.ops.quote_name, Car.history.model
    by_attname = {f.attname: f for f in Car._meta.concrete_fields}
    copied = [by_attname[f.attname] for f in history._meta.concrete_fields if f.name not in _OWN]
    return quote(history._meta.db_table), ", ".join(quote(f.column) for f in copied), quote(Car._meta.db_table)


@cache
def _history_from(kind: str, source: str) -> str:
    """The history row's INSERT, copying the car's row from the CTE ``source`` (its columns as the car
    table's, as written), then the time, ``kind``, the user and the change reason as parameters."""
    history_table, copied, _ = _shape()
    meta = Car.history.model._meta
    own = ", ".join(connection.ops.quote_name(meta.get_field(name).column)
                    for name in ("history_date", "history_type", "history_user", "history_change_reason"))
    return (f"INSERT INTO {history_table} ({copied}, {own}) "  # noqa: S608
            f"SELECT {copied}, %s, '{kind}', %s, %s FROM {source}")


@cache
def _update_sql(fields: tuple[str, ...]) -> tuple[str, list]:
    """(the car's UPDATE of ``fields`` and ``updated_at`` by id, RETURNING the columns its history row
    copies; the fields it sets, in their parameters' order)."""
    _, copied, car_table = _shape()
    quote, by_name = connection.ops.quote_name, {f.name: f for f in Car._meta.concrete_fields}
    targets = [by_name[name] for name in [*fields, "updated_at"]]
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in targets)
    where = quote(Car._meta.pk.column)
    return f"UPDATE {car_table} SET {assignments} WHERE {where} = %s RETURNING {copied}", targets  # noqa: S608


def _then(then, params: list) -> tuple[list[str], str]:
    """``then``'s statements as CTEs (their params appended to ``params``) and the select list of their
    returned values."""
    ctes, returned = [], ""
    for i, (sql, more) in enumerate(then):
        ctes.append(f"then{i} AS ({sql})")
        params += more
        returned += f", (SELECT * FROM then{i})" if "RETURNING" in sql else ", NULL"  # noqa: S608
    return ctes, returned


def car_update_with_history(car: Car, *, fields: list[str], user, date, then: tuple = ()) -> list:
    """UPDATE ``fields`` of ``car`` (as set on the instance) and ``updated_at`` = ``date``, and append the
    change to its history, in one statement. The caller holds the car's row lock. ``then``: as in
    ``car_insert_with_history`` (without a ``car`` to read)."""
    car.updated_at = date
    update_sql, targets = _update_sql(tuple(fields))
    # The history row copies the row as updated (RETURNING): under the caller's lock that row is the
    # instance as saved.
    params = [f.get_db_prep_save(getattr(car, f.attname), connection) for f in targets]
    params += [car.pk, date, getattr(user, "pk", None), getattr(car, "_change_reason", None)]
    ctes, returned = _then(then, params)
    ctes = [f"changed AS ({update_sql})", f"history AS ({_history_from('~', 'changed')})", *ctes]
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(ctes)} SELECT NULL{returned}", params)
        return list(cursor.fetchone()[1:])


def car_insert_with_history(car: Car, *, user, date, then: tuple = ()) -> list:
    """INSERT ``car`` (created and updated at ``date``) with its history row ("created"), one statement; sets
    ``car.pk``. An IntegrityError is the caller's, as from ``car.save()``.

    ``then``: more data-modifying statements for the same round trip, as (sql, params) each RETURNING one
    value (or none); they see the new row as ``car`` (``INSERT ... SELECT car.id, ... FROM car``), and the
    i-th one's returned row as ``then<i>`` (``then0``, ...). Returns their values, in order (None for one
    without RETURNING)."""
    car.created_at = car.updated_at = date
    car_sql, values = insert_statement(car, pre_save=False, returning=False)  # the caller's times, as set
    params = [*values, date, getattr(user, "pk", None), getattr(car, "_change_reason", None)]
    more, returned = _then(then, params)
    ctes = [f"car AS ({car_sql} RETURNING *)", f"history AS ({_history_from('+', 'car')})", *more]
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(ctes)} SELECT car.id{returned} FROM car", params)  # noqa: S608
        car.pk, *results = cursor.fetchone()
    stored(car)
    return results
