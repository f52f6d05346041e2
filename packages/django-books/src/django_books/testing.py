"""Test helpers for projects that install the books.

The journal tables refuse TRUNCATE, and Django flushes the test database with TRUNCATE after every
``TransactionTestCase`` / ``django_db(transaction=True)`` test. This pytest plugin (auto-loaded
through the ``pytest11`` entry point) makes that flush set ``books.allow_truncate`` for its own
transaction only. UPDATE and DELETE stay refused.
"""

import contextlib

_ALLOW = "SELECT set_config('books.allow_truncate', 'on', true)"


def allow_truncate_in_flush() -> None:
    """Patch PostgreSQL's ``sql_flush`` so a test-database flush may truncate the books."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    if getattr(DatabaseOperations.sql_flush, "_books_patched", False):
        return
    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *args, **kwargs):
        statements = original(self, style, tables, *args, **kwargs)
        return [_ALLOW, *statements] if statements else statements

    sql_flush._books_patched = True
    DatabaseOperations.sql_flush = sql_flush


def pytest_configure(config) -> None:
    with contextlib.suppress(ImportError):  # no psycopg: not a PostgreSQL project, nothing to patch
        allow_truncate_in_flush()
