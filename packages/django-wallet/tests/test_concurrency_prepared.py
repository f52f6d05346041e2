"""The key concurrency checks again, each racing thread on a connection that allows prepared statements (the site's
default): its postings, charge sales and batches run prepared, with the same outcomes. The helpers are
test_concurrency's and test_batch_concurrency's."""
from decimal import Decimal

import pytest
from django.db import connection

from django_wallet import selectors, services
from django_wallet.models import Account, ChargeSale, Transaction

from .test_batch_concurrency import _batch
from .test_concurrency import keyed_charge, keyed_transfer, spend
from .workers import run_threads

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


def _race_prepared(func, pattern: str, args_list: list[tuple]) -> list:
    """``run_threads(func, args_list)``, each thread's connection preparing its statements; checks that each
    thread ran a statement like ``pattern`` prepared."""

    def call(*args):
        connection.ensure_connection()
        connection.connection.prepare_threshold = 5
        result = func(*args)
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [pattern])
            return result, cur.fetchone()[0] > 0

    results = run_threads(call, args_list)
    assert [prepared for _, prepared in results] == [True] * len(args_list)
    return [result for result, _ in results]


def test_same_idempotency_key_concurrently_posts_once_prepared(funded):
    a, b = funded("100.00"), funded("0")
    ids = _race_prepared(keyed_transfer, "%wallet_post(%", [(a.pk, b.pk, "same-key")] * 12)
    assert len(set(ids)) == 1
    assert Transaction.objects.filter(idempotency_key="same-key").count() == 1
    assert selectors.balance(a) == D("93.00") and selectors.balance(b) == D("7.00")


def test_same_key_charge_sale_concurrently_sells_once_prepared(funded):
    a = funded("100.00")
    ids = _race_prepared(keyed_charge, "%wallet_charge_sale(%", [(a.pk, "sale-1")] * 8)
    assert len(set(ids)) == 1 and ChargeSale.objects.count() == 1
    assert selectors.balance(a) == D("95.00")


def test_no_overdraft_under_contention_prepared(funded):
    a, b = funded("50.00"), funded("0")
    outcomes = _race_prepared(spend, "%wallet_post(%", [(a.pk, b.pk)] * 12)
    assert outcomes.count("ok") == 5 and outcomes.count("refused") == 7
    assert selectors.balance(a) == 0 and selectors.balance(b) == D("50.00")


def test_the_same_batch_sent_twice_at_once_posts_once_prepared(funded):
    ids = [funded("5.00").pk for _ in range(4)]
    results = _race_prepared(_batch, "%FROM wallet_account a WHERE a.id = ANY($1::bigint[])%", [(ids, 7, "same")] * 2)
    assert [r["error"] for r in results if "error" in r] == []
    posted = [r["posted"] for r in results]
    assert sorted(map(len, posted))[0] == 0  # the second replays every item the first posted
    assert Transaction.objects.filter(idempotency_scope="race:batch").count() == max(map(len, posted))
    assert not Account.objects.filter(pk__in=ids, balance__lt=0).exists()
    assert services.verify_ledger().ok
