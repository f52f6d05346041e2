"""Every charge sale test again, on a connection that allows prepared statements (a site's choice: Django's
default is none): the sale is then prepared once, with the same rows, replays, refusals and query log."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from django_wallet.services.charge_sales import _sell_sql
from tests.test_charge_sales import *  # noqa: F403 - the tests are collected here again, under the fixture below
from tests.test_charge_sales import _sell


@pytest.fixture(autouse=True)
def prepared_statements(preparing):
    """Every test here runs on a connection that prepares."""


def _prepared() -> list:
    with connection.cursor() as cursor:
        # The sale's own statement (the fixture's deposit, a posting, is prepared too).
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements"
                       " WHERE statement LIKE %s", ["%wallet_charge_sale(%"])
        return cursor.fetchall()


def test_the_sale_is_prepared_once_and_logged_as_any_statement(seller):
    with CaptureQueriesContext(connection) as ctx:
        sale = _sell(seller, idempotency_key="k", idempotency_scope="s")
        again = _sell(seller, idempotency_key="k", idempotency_scope="s")
    assert again == sale
    assert [("wallet_charge_sale(" in q["sql"]) for q in ctx.captured_queries] == [True, True]
    ((statement, runs),) = _prepared()
    expected = _sell_sql("%b")
    for n in range(1, expected.count("%b") + 1):
        expected = expected.replace("%b", f"${n}", 1)
    # Its columns named: a prepared statement's result type is fixed (services/cursors.py).
    assert statement == expected and statement.startswith("SELECT outcome, code, message, sale_id,") and runs == 2
