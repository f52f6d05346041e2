"""Money properties under real concurrency (separate processes/threads, committed data, real PostgreSQL)."""

import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connections
from django.db import transaction as db_transaction
from django.db.models import Sum

from django_wallet import selectors, services
from django_wallet.errors import CreditRequestDecided, HoldNotActive, InsufficientFunds
from django_wallet.models import Account, ChargeSale, CreditRequest, Entry, Hold, IdempotencyFailure, Transaction

from .workers import run_processes, run_threads

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal

# The full size: 16 processes x 500 transfers; 33 s on the shared 2-core box at load 12
# (forked workers). WALLET_TRANSFERS_PER_PROCESS overrides it for a quicker local run.
TRANSFERS_PER_PROCESS = int(os.environ.get("WALLET_TRANSFERS_PER_PROCESS", 500))


def random_transfers(account_ids: list[int], n: int, seed: int) -> dict:
    rng = random.Random(seed)
    accounts = {a.pk: a for a in Account.objects.filter(pk__in=account_ids)}
    done, refused, errors = [], 0, []
    for _ in range(n):
        src, dst = rng.sample(account_ids, 2)
        amount = D(rng.randint(1, 1500)) / 100
        try:
            services.transfer(source=accounts[src], destination=accounts[dst], amount=amount)
            done.append((src, dst, str(amount)))
        except InsufficientFunds:
            refused += 1
        except Exception as exc:  # a deadlock or any other error fails the test
            errors.append(repr(exc))
    return {"done": done, "refused": refused, "errors": errors}


def test_random_transfers_16_processes_conserve_money(funded):
    accounts = [funded("10.00") for _ in range(50)]
    ids = [a.pk for a in accounts]
    results = run_processes(random_transfers, [(ids, TRANSFERS_PER_PROCESS, seed) for seed in range(16)])

    assert [e for r in results for e in r["errors"]] == []  # no deadlock (40P01) or other error surfaced
    done = [t for r in results for t in r["done"]]
    refused = sum(r["refused"] for r in results)
    assert len(done) + refused == 16 * TRANSFERS_PER_PROCESS
    assert len(done) > 100 and refused > 100  # both paths exercised under contention

    expected = {pk: D("10.00") for pk in ids}
    for src, dst, amount in done:
        expected[src] -= D(amount)
        expected[dst] += D(amount)
    actual = dict(Account.objects.filter(pk__in=ids).values_list("pk", "balance"))
    assert actual == expected
    assert sum(actual.values()) == D("500.00")  # total unchanged to the cent
    assert min(actual.values()) >= 0
    assert Transaction.objects.filter(kind="transfer").count() == len(done)
    report = services.verify_ledger()
    assert report.ok, report.mismatches


def approve_and_sell(request_ids: list[int], sales: list[tuple[int, str, str]]) -> dict:
    """Approve some credit requests and make charge sales, interleaved."""
    accounts = {a.pk: a for a in Account.objects.all()}
    sold, refused, errors = [], 0, []
    pending = list(request_ids)
    for i, (account_id, phone, amount) in enumerate(sales):
        if pending and i % 20 == 0:
            services.credit_request_approve(credit_request=CreditRequest.objects.get(pk=pending.pop()))
        try:
            sale = services.charge_sale_create(account=accounts[account_id], phone=phone, amount=D(amount))
            sold.append((account_id, str(sale.pk), amount))
        except InsufficientFunds:
            refused += 1
        except Exception as exc:
            errors.append(repr(exc))
    for pk in pending:
        services.credit_request_approve(credit_request=CreditRequest.objects.get(pk=pk))
    return {"sold": sold, "refused": refused, "errors": errors}


def _random_sales(sellers: list, count: int) -> list[tuple[int, str, str]]:
    """(account id, phone, amount) for ``count`` charge sales, alternating between the sellers."""
    rng = random.Random(7)
    return [(sellers[i % 2].pk, f"+44 7911 123{rng.randint(100, 999)}", str(D(rng.randint(10, 200)) / 100))
            for i in range(count)]


def _assert_seller_books(seller, sold: list) -> None:
    """The seller's balance is its approved credit minus its sales: as stored, as reported, as in the ledger."""
    credit = CreditRequest.objects.filter(account=seller, status="approved").aggregate(t=Sum("amount"))["t"]
    sales_total = ChargeSale.objects.filter(account=seller).aggregate(t=Sum("amount"))["t"]
    reported = sum(D(a) for pk, _, a in sold if pk == seller.pk)
    assert sales_total == reported
    assert selectors.balance(seller) == credit - sales_total == selectors.ledger_balance(seller)
    assert selectors.balance(seller) >= 0


def test_b2b_charge_shop_from_several_processes(make_user):
    sellers = [services.account_for(make_user()) for _ in range(2)]
    # 10 credit increases, 5 per seller.
    requests = [services.credit_request_create(account=sellers[i % 2], amount=D("100.00") + i) for i in range(10)]
    sales = _random_sales(sellers, 1000)
    n = 4
    results = run_processes(approve_and_sell, [([r.pk for r in requests[k::n]], sales[k::n]) for k in range(n)])

    assert [e for r in results for e in r["errors"]] == []
    sold = [s for r in results for s in r["sold"]]
    assert len(sold) + sum(r["refused"] for r in results) == 1000
    assert len(sold) > 500
    assert ChargeSale.objects.count() == len(sold)
    assert all(p.startswith("+447911123") for p in ChargeSale.objects.values_list("phone", flat=True))
    for seller in sellers:
        _assert_seller_books(seller, sold)
    assert CreditRequest.objects.filter(status="approved").count() == 10
    assert Transaction.objects.filter(kind="credit").count() == 10
    assert Transaction.objects.filter(kind="charge_sale").count() == len(sold)
    assert services.verify_ledger().ok


def approve(pk: int) -> str:
    try:
        services.credit_request_approve(credit_request=CreditRequest.objects.get(pk=pk))
        return "approved"
    except CreditRequestDecided as exc:
        return exc.code


def test_concurrent_approvals_credit_once(make_user):
    seller = services.account_for(make_user())
    request = services.credit_request_create(account=seller, amount=D("250.00"))
    outcomes = run_processes(approve, [(request.pk,)] * 6)
    assert sorted(outcomes) == ["approved"] + ["credit_request_decided"] * 5
    assert selectors.balance(seller) == D("250.00")
    assert Entry.objects.filter(account=seller).count() == 1
    # Re-approving or rejecting later changes nothing.
    for decide in (services.credit_request_approve, services.credit_request_reject):
        with pytest.raises(CreditRequestDecided):
            decide(credit_request=request)
    assert selectors.balance(seller) == D("250.00")


def keyed_transfer(src: int, dst: int, key: str) -> str:
    txn = services.transfer(
        source=Account.objects.get(pk=src),
        destination=Account.objects.get(pk=dst),
        amount=D("7.00"),
        idempotency_key=key,
        idempotency_scope="user:1",
    )
    return str(txn.pk)


def test_same_idempotency_key_concurrently_posts_once(funded):
    a, b = funded("100.00"), funded("0")
    ids = run_threads(keyed_transfer, [(a.pk, b.pk, "same-key")] * 12)
    assert len(set(ids)) == 1
    assert Transaction.objects.filter(idempotency_key="same-key").count() == 1
    assert selectors.balance(a) == D("93.00") and selectors.balance(b) == D("7.00")


def _wait_for_lock_waiter(pattern: str) -> None:
    """Until a backend running a statement like ``pattern`` waits on a lock (a row lock: another posting's)."""
    deadline = time.monotonic() + 30
    with connections["default"].cursor() as cur:
        while time.monotonic() < deadline:
            cur.execute("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s", [pattern])
            if cur.fetchone():
                return
            time.sleep(0.02)
    raise AssertionError("no posting waited on the row locks")


def test_same_key_waiting_on_the_locks_replays_what_the_first_posted(funded):
    """The key is looked up before the locks: a request that found it free, then waited on the rows while an
    identical request posted and spent the funds, gets that posting (not a refusal for short funds)."""
    a, b = funded("7.00"), funded("0")
    posted, release = threading.Event(), threading.Event()

    def first() -> str:
        try:
            with db_transaction.atomic():
                txn_id = keyed_transfer(a.pk, b.pk, "waited-key")
                posted.set()
                release.wait(timeout=30)
            return txn_id
        finally:
            connections.close_all()

    def second() -> str:
        posted.wait(timeout=30)
        try:
            return keyed_transfer(a.pk, b.pk, "waited-key")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        first_id, second_id = pool.submit(first), pool.submit(second)
        assert posted.wait(timeout=30)
        _wait_for_lock_waiter("%wallet_post(%")
        release.set()
        assert second_id.result(timeout=30) == first_id.result(timeout=30)
    assert Transaction.objects.filter(idempotency_key="waited-key").count() == 1
    assert not IdempotencyFailure.objects.filter(idempotency_key="waited-key").exists()
    assert selectors.balance(a) == 0 and selectors.balance(b) == D("7.00")


def keyed_transfer_outcome(src: int, dst: int, key: str) -> str:
    try:
        return keyed_transfer(src, dst, key)
    except InsufficientFunds as exc:
        return exc.code


def test_same_key_refused_concurrently_records_one_failure(funded):
    a, b = funded("5.00"), funded("0")
    outcomes = run_threads(keyed_transfer_outcome, [(a.pk, b.pk, "short-key")] * 12)
    assert outcomes == ["insufficient_funds"] * 12
    assert IdempotencyFailure.objects.filter(idempotency_key="short-key").count() == 1
    assert not Transaction.objects.filter(idempotency_key="short-key").exists()
    assert selectors.balance(a) == D("5.00") and selectors.balance(b) == 0


def keyed_charge(account_id: int, key: str) -> str:
    sale = services.charge_sale_create(
        account=Account.objects.get(pk=account_id),
        phone="+447911123456",
        amount=D("5.00"),
        idempotency_key=key,
        idempotency_scope="seller",
    )
    return str(sale.pk)


def test_same_key_charge_sale_concurrently_sells_once(funded):
    a = funded("100.00")
    ids = run_threads(keyed_charge, [(a.pk, "sale-1")] * 8)
    assert len(set(ids)) == 1 and ChargeSale.objects.count() == 1
    assert selectors.balance(a) == D("95.00")


def spend(src: int, dst: int) -> str:
    try:
        services.transfer(
            source=Account.objects.get(pk=src), destination=Account.objects.get(pk=dst), amount=D("10.00")
        )
        return "ok"
    except InsufficientFunds:
        return "refused"


def test_no_overdraft_under_contention(funded):
    a, b = funded("50.00"), funded("0")
    outcomes = run_threads(spend, [(a.pk, b.pk)] * 12)
    assert outcomes.count("ok") == 5 and outcomes.count("refused") == 7
    assert selectors.balance(a) == 0 and selectors.balance(b) == D("50.00")


def alternate(a: int, b: int, n: int, flip: bool) -> list:
    errors = []
    accounts = [Account.objects.get(pk=a), Account.objects.get(pk=b)]
    for i in range(n):
        src, dst = accounts if (i % 2 == 0) ^ flip else accounts[::-1]
        try:
            services.transfer(source=src, destination=dst, amount=D("1.00"))
        except Exception as exc:
            errors.append(repr(exc))
    return errors


def test_opposite_transfers_never_deadlock(funded):
    a, b = funded("100.00"), funded("100.00")
    errors = run_threads(alternate, [(a.pk, b.pk, 50, k % 2 == 1) for k in range(6)])
    assert errors == [[]] * 6
    assert selectors.balance(a) + selectors.balance(b) == D("200.00")
    assert services.verify_ledger().ok


def settle(kind: str, hold_pk: int, dst: int) -> str:
    hold = Hold.objects.get(pk=hold_pk)
    try:
        if kind == "capture":
            services.capture(hold=hold, destination=Account.objects.get(pk=dst))
        else:
            services.release(hold=hold)
        return kind
    except HoldNotActive:
        return "lost"


def test_capture_and_release_race_one_wins(funded):
    a, b = funded("100.00"), funded("0")
    for _ in range(5):
        hold = services.hold(account=a, amount=D("10"))
        outcomes = run_threads(settle, [("capture", hold.pk, b.pk), ("release", hold.pk, b.pk)] * 3)
        assert outcomes.count("lost") == 5
        hold.refresh_from_db()
        assert hold.status == ("captured" if "capture" in outcomes else "released")
    assert selectors.balance(a) + selectors.balance(b) == D("100.00")
    assert selectors.available_balance(a) == selectors.balance(a)


def naive_increment(account_id: int, n: int) -> None:
    """Read-modify-write without a lock: what the services must never do."""
    import time

    for _ in range(n):
        account = Account.objects.get(pk=account_id)
        time.sleep(0.001)
        Account.objects.filter(pk=account_id).update(balance=account.balance + 1)


def locked_deposit(account_id: int, n: int) -> None:
    for _ in range(n):
        services.deposit(account=Account.objects.get(pk=account_id), amount=D(1))


def test_harness_detects_lost_updates_that_the_service_prevents(funded):
    """The same threads lose updates with a naive read-modify-write, and none through the service."""
    naive, safe = funded("0"), funded("0")
    run_threads(naive_increment, [(naive.pk, 20)] * 6)
    run_threads(locked_deposit, [(safe.pk, 20)] * 6)
    assert selectors.balance(naive) < 120  # lost updates happened
    assert selectors.balance(safe) == 120 == selectors.ledger_balance(safe)


def post_keyed_transfer(user_pk: int, to_pk: int) -> tuple[int, dict]:
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=user_pk))
    r = client.post(
        "/api/wallet/transfers/", {"to_user": to_pk, "amount": "3.00"}, format="json", HTTP_IDEMPOTENCY_KEY="http-key"
    )
    return r.status_code, dict(r.data)


def test_http_same_key_in_parallel_gives_identical_bodies(make_user):
    alice, bob = make_user(), make_user()
    services.deposit(account=services.account_for(alice), amount=D("10.00"))
    responses = run_threads(post_keyed_transfer, [(alice.pk, bob.pk)] * 10)
    assert {status for status, _ in responses} == {201}
    assert all(body == responses[0][1] for _, body in responses)
    assert selectors.balance(services.account_for(alice)) == D("7.00")
    assert Transaction.objects.filter(idempotency_key="http-key", idempotency_scope=f"user:{alice.pk}").count() == 1


def post_charge_sale(user_pk: int, key: str | None) -> tuple[int, dict]:
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=user_pk))
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    r = client.post("/api/wallet/charge-sales/", {"phone": "+44 7911 123456", "amount": "4.00"}, format="json",
                    **headers)
    return r.status_code, dict(r.data)


def test_two_concurrent_identical_charge_sales_charge_once(make_user):
    """A B2B client retrying on a timeout: two identical requests at once. Without a key both are refused
    (400 idempotency_key_required), nothing charged; with the same key, one sale, both get its answer."""
    seller = make_user()
    account = services.account_for(seller)
    services.deposit(account=account, amount=D("10.00"))
    unkeyed = run_threads(post_charge_sale, [(seller.pk, None)] * 2)
    assert [status for status, _ in unkeyed] == [400, 400], unkeyed
    assert {body["code"] for _, body in unkeyed} == {"idempotency_key_required"}
    assert ChargeSale.objects.count() == 0 and selectors.balance(account) == D("10.00")
    keyed = run_threads(post_charge_sale, [(seller.pk, "retry-1")] * 2)
    assert [status for status, _ in keyed] == [201, 201] and keyed[0][1] == keyed[1][1], keyed
    assert ChargeSale.objects.count() == 1 and selectors.balance(account) == D("6.00")


def post_approval(staff_pk: int, request_pk: int, key: str | None) -> tuple[int, dict]:
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=staff_pk))
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    r = client.post(f"/api/wallet/credit-requests/{request_pk}/approve/", **headers)
    return r.status_code, dict(r.data)


def test_two_concurrent_identical_approvals_credit_once(make_user):
    """Staff retrying an approval on a timeout: two identical requests at once. Without a key both are
    refused (400 idempotency_key_required), nothing credited; with the same key, one credit, both get its answer."""
    staff, seller = make_user(is_staff=True), services.account_for(make_user())
    request = services.credit_request_create(account=seller, amount=D("250.00"))
    unkeyed = run_threads(post_approval, [(staff.pk, request.pk, None)] * 2)
    assert [(status, body["code"]) for status, body in unkeyed] == [(400, "idempotency_key_required")] * 2
    assert selectors.balance(seller) == 0
    keyed = run_threads(post_approval, [(staff.pk, request.pk, "retry-1")] * 2)
    assert [status for status, _ in keyed] == [200, 200] and keyed[0][1] == keyed[1][1], keyed
    assert keyed[0][1]["status"] == "approved"
    assert selectors.balance(seller) == D("250.00") and Transaction.objects.filter(kind="credit").count() == 1


def test_spawned_processes_set_django_up_themselves(funded):
    """The spawn path (fresh interpreters) works too: two spawned spenders, one wins."""
    a, b = funded("10.00"), funded("0")
    assert sorted(run_processes(spend, [(a.pk, b.pk)] * 2, method="spawn")) == ["ok", "refused"]
    assert selectors.balance(a) == 0


def transfers_then_verify(ids: list[int], n: int, seed: int, verify: bool) -> list:
    """Either post transfers or run verify_ledger repeatedly; returns verify reports' mismatches."""
    if not verify:
        random_transfers(ids, n, seed)
        return []
    return [services.verify_ledger().mismatches for _ in range(n // 10)]


def test_verify_during_load_has_no_false_alarms(funded):
    """P10: verify_ledger run while transfers commit reports no false alarms."""
    ids = [funded("10.00").pk for _ in range(10)]
    results = run_threads(transfers_then_verify, [(ids, 100, 1, False), (ids, 100, 2, False), (ids, 100, 3, True)])
    assert results[2] == [[]] * 10
    assert services.verify_ledger().ok
