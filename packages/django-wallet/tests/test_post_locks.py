"""The row locks a posting holds until COMMIT: what they let through and what they still exclude."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import OperationalError, connection, connections
from django.db import transaction as db_transaction

from django_wallet import selectors, services
from django_wallet.models import Hold
from django_wallet.services.posting import lock_accounts

pytestmark = pytest.mark.django_db(transaction=True)


def _run_while_a_posting_is_open(source, destination, action):
    """``action()`` in this thread while another thread's transfer from ``source`` to ``destination`` is posted
    and not yet committed (so it holds both accounts' row locks); the transfer commits afterwards."""
    _run_while_locked(lambda: services.transfer(source=source, destination=destination, amount=Decimal("1.00")),
                      action)


def _with_lock_timeout(body):
    with db_transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SET LOCAL lock_timeout = '2s'")
        return body()


def test_a_row_referencing_an_account_commits_while_a_posting_holds_its_lock(funded):
    """A posting changes no key of its accounts: the foreign-key check of a row that references one of them
    (FOR KEY SHARE at COMMIT) does not wait for the posting."""
    a, b = funded("10.00"), funded("0")
    holds = []
    _run_while_a_posting_is_open(
        a, b, lambda: holds.append(_with_lock_timeout(lambda: Hold.objects.create(account=b, amount=Decimal("1")))))
    assert Hold.objects.filter(pk=holds[0].pk).exists()
    assert selectors.balance(b) == Decimal("1.00")


def test_locking_an_account_still_waits_for_a_posting(funded):
    """The services' lock of an account (a hold, a capture, a reversal) still waits for a posting's lock."""
    a, b = funded("10.00"), funded("0")

    def lock() -> None:
        with pytest.raises(OperationalError, match="lock timeout"):
            _with_lock_timeout(lambda: lock_accounts([b.pk]))

    _run_while_a_posting_is_open(a, b, lock)
    assert selectors.balance(a) == Decimal("9.00") and selectors.balance(b) == Decimal("1.00")


def _run_while_locked(lock, action):
    """``action()`` in this thread while another thread's transaction holds the lock ``lock()`` takes."""
    locked, release = threading.Event(), threading.Event()

    def holder() -> None:
        try:
            with db_transaction.atomic():
                lock()
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        held = pool.submit(holder)
        try:
            assert locked.wait(timeout=30)
            action()
        finally:
            release.set()
        held.result(timeout=30)


@pytest.mark.parametrize("service", ["lock_accounts", "batch", "account_set_status"])
def test_a_row_referencing_an_account_commits_while_a_service_holds_its_lock(funded, service):
    """Every lock of an account is FOR NO KEY UPDATE, as a posting's: a transaction holding one does not make
    another's foreign-key check on the account (FOR KEY SHARE at COMMIT) wait, so the two cannot deadlock."""
    a, b = funded("10.00"), funded("0")
    lock = {
        "lock_accounts": lambda: lock_accounts([a.pk, b.pk]),
        "batch": lambda: services.post_batch(
            items=[services.BatchItem(source=a, destination=b, amount=Decimal("1.00"))], idempotency_key="held"),
        "account_set_status": lambda: services.account_set_status(account=b, status="active"),
    }[service]
    holds = []
    _run_while_locked(
        lock, lambda: holds.append(_with_lock_timeout(lambda: Hold.objects.create(account=b, amount=Decimal("1")))))
    assert Hold.objects.filter(pk=holds[0].pk).exists()
