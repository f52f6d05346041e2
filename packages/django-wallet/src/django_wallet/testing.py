"""Test helpers for projects that install the wallet.

The ledger tables refuse TRUNCATE, and Django flushes the test database with TRUNCATE after every
``TransactionTestCase`` / ``django_db(transaction=True)`` test. This pytest plugin (auto-loaded
through the ``pytest11`` entry point; or add ``pytest_plugins = ["django_wallet.testing"]``) makes
that flush set ``wallet.allow_truncate`` for its own transaction only. UPDATE/DELETE stay refused.
"""

import contextlib

_ALLOW = "SELECT set_config('wallet.allow_truncate', 'on', true)"


def allow_truncate_in_flush() -> None:
    """Patch PostgreSQL's ``sql_flush`` so a test-database flush may truncate the ledger."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    if getattr(DatabaseOperations.sql_flush, "_wallet_patched", False):
        return
    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *args, **kwargs):
        statements = original(self, style, tables, *args, **kwargs)
        return [_ALLOW, *statements] if statements else statements

    sql_flush._wallet_patched = True
    DatabaseOperations.sql_flush = sql_flush


def pytest_configure(config) -> None:
    with contextlib.suppress(ImportError):  # no psycopg: not a PostgreSQL project, nothing to patch
        allow_truncate_in_flush()


def with_idempotency_key(client):
    """``client`` (Django's or DRF's test client) sending a fresh Idempotency-Key with every POST that names
    none: for tests of what money-moving operations do, not of their key requirement (tested on its own)."""
    import uuid

    post = client.post

    def keyed_post(path, *args, **kwargs):
        kwargs.setdefault("HTTP_IDEMPOTENCY_KEY", uuid.uuid4().hex)
        return post(path, *args, **kwargs)

    client.post = keyed_post
    return client
