"""Batches under real concurrency (threads, committed data): locks in one order, money conserved, one
posting per key."""
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection
from django.db import transaction as db_transaction

from django_wallet import services
from django_wallet.models import Account, Transaction

from .workers import run_threads

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


def _batch(ids: list[int], seed: int, key: str) -> dict:
    rng = random.Random(seed)
    accounts = {a.pk: a for a in Account.objects.filter(pk__in=ids)}
    items = [services.BatchItem(source=accounts[s], destination=accounts[d], amount=D(rng.randint(1, 900)) / 100)
             for s, d in (rng.sample(ids, 2) for _ in range(200))]
    try:
        outcomes = services.post_batch(items=items, idempotency_key=key, idempotency_scope="race")
    except Exception as exc:  # a deadlock or any other error fails the test
        return {"error": repr(exc)}
    return {"posted": [(i.source.pk, i.destination.pk, i.amount) for i, o in zip(items, outcomes, strict=True)
                       if o.transaction is not None and not o.replayed and o.error is None],
            "refused": sum(o.error is not None for o in outcomes)}


def test_crossing_batches_neither_deadlock_nor_lose_a_cent(funded):
    ids = [funded("5.00").pk for _ in range(12)]
    results = run_threads(_batch, [(ids, seed, f"b{seed}") for seed in range(6)])
    assert [r["error"] for r in results if "error" in r] == []
    expected = {pk: D("5.00") for pk in ids}
    for src, dst, amount in (t for r in results for t in r["posted"]):
        expected[src] -= amount
        expected[dst] += amount
    assert dict(Account.objects.filter(pk__in=ids).values_list("pk", "balance")) == expected
    assert sum(r["refused"] for r in results) > 0 and min(expected.values()) >= 0
    assert services.verify_ledger().ok


def test_the_same_batch_sent_twice_at_once_posts_once(funded):
    ids = [funded("5.00").pk for _ in range(4)]
    results = run_threads(_batch, [(ids, 7, "same") for _ in range(2)])
    assert [r["error"] for r in results if "error" in r] == []
    posted = [r["posted"] for r in results]
    assert sorted(map(len, posted))[0] == 0  # the second replays every item the first posted
    assert Transaction.objects.filter(idempotency_scope="race:batch").count() == max(map(len, posted))
    assert services.verify_ledger().ok


def _batch_waiting_on_a_lock() -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'")
        return cur.fetchone()[0] > 0


def test_a_hold_committed_while_the_batch_waits_for_its_lock_is_not_spent(funded):
    account, other = funded("10.00"), funded("0")
    locked, release = threading.Event(), threading.Event()

    def hold_then_wait():
        try:
            with db_transaction.atomic():
                services.hold(account=Account.objects.get(pk=account.pk), amount=D("8.00"))
                locked.set()
                release.wait(timeout=30)  # commit only once the batch is queued behind the account lock
        finally:
            connection.close()

    def batch():
        try:
            item = services.BatchItem(source=Account.objects.get(pk=account.pk),
                                      destination=Account.objects.get(pk=other.pk), amount=D("5.00"))
            return services.post_batch(items=[item], idempotency_key="behind-a-hold")[0]
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        holder = pool.submit(hold_then_wait)
        assert locked.wait(timeout=30)
        outcome = pool.submit(batch)
        queued = False
        for _ in range(600):
            queued = _batch_waiting_on_a_lock()
            if queued:
                break
            time.sleep(0.05)
        release.set()
        assert queued, "the batch never waited for the account lock"
        holder.result(timeout=30)
        outcome = outcome.result(timeout=30)
    assert outcome.transaction is None and outcome.error.code == "insufficient_funds"
    assert Account.objects.get(pk=account.pk).balance == D("10.00")
