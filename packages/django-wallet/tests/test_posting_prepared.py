"""Every posting service test again, on a connection that allows prepared statements (a site's choice: Django's
default is none): a posting is then prepared once per connection, with the same rows, replays, refusals and
query log."""
from decimal import Decimal

import pytest
from django.db import connection
from django.db import transaction as db_transaction
from django.test.utils import CaptureQueriesContext

from django_wallet import services
from django_wallet.errors import InsufficientFunds
from django_wallet.services.posting import _post_sql
from tests.test_services import *  # noqa: F403 - the tests are collected here again, under the fixture below


@pytest.fixture(autouse=True)
def prepared_statements(preparing):
    """Every test here runs on a connection that prepares."""


def test_a_posting_is_prepared_once_and_logged_as_any_statement(funded):
    a, b = funded("10.00"), funded("0")
    with CaptureQueriesContext(connection) as ctx:
        first = services.transfer(source=a, destination=b, amount=Decimal("1.00"), idempotency_key="k")
        again = services.transfer(source=a, destination=b, amount=Decimal("1.00"), idempotency_key="k")
        services.transfer(source=b, destination=a, amount=Decimal("0.50"))
    assert again == first
    assert ["wallet_post(" in q["sql"] for q in ctx.captured_queries if "wallet_transaction" not in q["sql"]] == [
        True, True, True]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements"
                       " WHERE statement LIKE %s", ["%wallet_post(%"])
        rows = cursor.fetchall()
    # One statement, prepared once per kind of arguments (a key or none): the deposit funding ``a``, then these three.
    expected = _post_sql("%s")
    for n in range(1, expected.count("%s") + 1):
        expected = expected.replace("%s", f"${n}", 1)
    assert {statement for statement, _ in rows} == {expected} and sum(runs for _, runs in rows) == 4


def _prepared_posts() -> list:
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans + custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
                       ["%wallet_post(%"])
        return [runs for (runs,) in cursor.fetchall()]


def test_a_refusal_rolled_back_in_an_atomic_block_then_a_posting_on_the_same_connection(funded):
    """A refused posting inside an atomic block: the block's rollback (ROLLBACK TO SAVEPOINT) makes psycopg drop
    the connection's prepared statements (DEALLOCATE ALL); the next posting on the connection prepares its
    statement again and posts."""
    a, b = funded("10.00"), funded("0")
    services.transfer(source=a, destination=b, amount=Decimal("1.00"))
    assert _prepared_posts() == [2]  # the deposit funding ``a``, then this transfer
    with pytest.raises(InsufficientFunds), db_transaction.atomic():
        services.transfer(source=a, destination=b, amount=Decimal("50.00"))
    assert _prepared_posts() == []
    with CaptureQueriesContext(connection) as ctx:
        services.transfer(source=a, destination=b, amount=Decimal("2.00"))
    assert ["wallet_post(" in q["sql"] for q in ctx.captured_queries] == [True]
    assert _prepared_posts() == [1]
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.balance, b.balance) == (Decimal("7.00"), Decimal("3.00"))
