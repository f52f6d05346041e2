"""Plain INSERTs of model instances for the hot paths: the ORM's save() costs a request more Python than
the statement. Only for models no signal receiver listens to (a raw INSERT sends no post_save)."""
from django.db import connection


def insert_values(obj, *, skip=()) -> tuple[list[str], list]:
    """The columns and database values of an unsaved instance's INSERT (its auto id left out; auto_now(_add)
    fields set, as save() sets them)."""
    fields = [f for f in type(obj)._meta.concrete_fields if not f.primary_key and f.attname not in skip]
    return [f.column for f in fields], [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


def insert_statement(obj) -> tuple[str, list]:
    """(sql, params) of an unsaved instance's INSERT, RETURNING its pk."""
    meta = type(obj)._meta
    columns, values = insert_values(obj)
    return (f'INSERT INTO {meta.db_table} ({", ".join(columns)}) '  # noqa: S608
            f'VALUES ({", ".join(["%s"] * len(values))}) RETURNING {meta.pk.column}', values)

