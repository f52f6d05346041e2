"""The wallet's one server-binding cursor (services/cursors.py): every statement of a posting, a charge sale and a
batch runs through it; prepared at its first run where the connection allows prepared statements, and logged by
Django with its SQL either way."""
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from django_wallet import services
from django_wallet.services import batch_postings
from django_wallet.services.cursors import server_cursor

pytestmark = pytest.mark.django_db
D = Decimal
CANARY = "SELECT %b::integer + 1 AS wallet_cursor_canary"


def _numbered(sql: str) -> str:
    """``sql`` as PostgreSQL holds it, its ``%b`` parameters numbered."""
    for n in range(1, sql.count("%b") + 1):
        sql = sql.replace("%b", f"${n}", 1)
    return sql


def _prepared() -> set[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT statement FROM pg_prepared_statements")
        return {statement for (statement,) in cur.fetchall()}


def _run_canary(times: int) -> list:
    with CaptureQueriesContext(connection) as ctx:
        for n in range(times):
            with connection.cursor(), server_cursor() as cur:
                cur.execute(CANARY, [n])
                assert cur.fetchone() == (n + 1,)
    return [q["sql"] for q in ctx.captured_queries]


def test_the_query_log_keeps_a_prepared_statements_sql(preparing):
    """Canary for the cursor's override of psycopg's private ``_send_query_prepared`` (psycopg leaves a prepared
    run out of ``_query``, where Django's query log reads the SQL): every run, the first (prepare and run) and
    the next (run only), is logged with its statement. Fails if a psycopg release changes that path."""
    assert _run_canary(3) == [_numbered(CANARY)] * 3
    assert _numbered(CANARY) in _prepared()


def test_without_prepared_statements_the_cursor_binds_on_the_server_and_prepares_nothing(db):
    assert connection.connection.prepare_threshold is None  # Django's default
    assert _run_canary(6) == [_numbered(CANARY)] * 6  # beyond psycopg's threshold of five runs
    assert _numbered(CANARY) not in _prepared()


def test_a_batchs_statements_are_prepared_and_logged_with_their_sql(preparing, funded):
    a, b = funded("10.00"), funded("0")
    with CaptureQueriesContext(connection) as ctx:
        for key in ("batch-1", "batch-2"):
            [outcome] = services.post_batch(items=[services.BatchItem(source=a, destination=b, amount=D("1.00"))],
                                            idempotency_key=key)
            assert outcome.transaction is not None and outcome.error is None
    logged = [q["sql"] for q in ctx.captured_queries]
    statements = [_numbered(sql) for sql in (batch_postings._LOCK_SQL, batch_postings._HELD_SQL,
                                             batch_postings._KNOWN_SQL, batch_postings._WRITE_SQL)]
    assert None not in logged
    assert [logged.count(statement) for statement in statements] == [2, 2, 2, 2]
    assert set(statements) <= _prepared()
    a.refresh_from_db()
    assert a.balance == D("8.00")
