"""Money invariants under load: purchases, transfers, payroll payments and trades from many processes.

Short by default (SOAK_SECONDS=12 of load, about 30 s in all); the long form is the same test with
more time and processes, e.g. ``SOAK_SECONDS=300 SOAK_PROCESSES=8 pytest tests/reliability/test_soak.py``.

After the load: verify_ledger is clean, all balances still sum to zero, and every account's balance
equals its starting balance plus what the domain rows say happened to it (ownership records, paid
payslips, settled orders) and the transfers the workers report; no money appears, vanishes or moves
twice. The only deposits are the world's, before the starting snapshot.
"""
import multiprocessing
import os
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal

from django.db import connections

from tests.browser.conftest import _database_url

from .soak_world import build_world, soak_worker

SECONDS = float(os.environ.get("SOAK_SECONDS", "12"))
PROCESSES = int(os.environ.get("SOAK_PROCESSES", "6"))


def _balances() -> dict[int, Decimal]:
    from django_wallet.models import Account

    return dict(Account.objects.values_list("pk", "balance"))


def _expected_moves(transfers: list[tuple[int, int, str]]) -> dict[int, Decimal]:
    """Per account: the net money every committed operation should have moved, from the domain rows."""
    from django.contrib.auth import get_user_model
    from django_tenants.utils import schema_context

    from django_car_listing.models import OwnershipRecord
    from django_payroll.models import PayrollRun, Payslip
    from django_trading.models import Order
    from django_wallet import services as wallet
    from tenancy.models import Dealership

    moves: dict[int, Decimal] = defaultdict(Decimal)

    def move(source, destination, amount):
        moves[source.pk] -= amount
        moves[destination.pk] += amount

    users = get_user_model().objects.in_bulk()
    for source, destination, amount in transfers:
        moves[source] -= Decimal(amount)
        moves[destination] += Decimal(amount)
    for record in OwnershipRecord.objects.filter(kind__in=["purchase", "store_purchase"]):
        seller = (wallet.account_for(Dealership.objects.get(schema_name=record.from_store_key))
                  if record.from_store_key else wallet.account_for(users[record.previous_owner_id]))
        move(wallet.account_for(users[record.owner_id]), seller, record.price)
    market = wallet.system_account("market")
    for order in Order.objects.filter(status="settled").select_related("user"):
        trader = wallet.account_for(order.user, purpose="trading")
        move(*((trader, market) if order.side == "buy" else (market, trader)), order.amount)
    for dealership in Dealership.objects.exclude(schema_name="public"):
        with schema_context(dealership.schema_name):
            business = wallet.account_for(dealership)
            paid = Payslip.objects.filter(run__status=PayrollRun.Status.PAID, net__gt=0).select_related("employee")
            for slip in paid:
                move(business, wallet.account_for(users[slip.employee.user_id]), slip.net)
    return moves


def test_money_only_moves_under_concurrent_purchases_transfers_payroll_and_trades(committed_db):
    from django_wallet.models import Transaction
    from django_wallet.verification import verify_ledger

    world = build_world(seconds=SECONDS)
    before = _balances()
    assert sum(before.values()) == 0
    transactions_before = Transaction.objects.count()
    database_url = _database_url()
    connections.close_all()  # nothing shared with the workers: each opens its own connection

    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=PROCESSES, mp_context=spawn) as pool:
        reports = list(pool.map(soak_worker, [database_url] * PROCESSES, [world] * PROCESSES,
                                [SECONDS] * PROCESSES, range(PROCESSES)))

    unexpected = [error for report in reports for error in report["unexpected"]]
    assert not unexpected, unexpected[:20]  # refusals are domain errors; anything else (deadlock, 500) fails
    done = sum((Counter(r["done"]) for r in reports), Counter())
    refused = sum((Counter(r["refused"]) for r in reports), Counter())
    assert all(done[kind] > 0 for kind in ("transfer", "purchase", "trade", "payroll_payment")), (done, refused)

    report = verify_ledger()
    assert report.ok, report.as_dict()
    after = _balances()
    assert sum(after.values()) == 0
    transfers = [t for r in reports for t in r["transfers"]]
    moves = _expected_moves(transfers)
    expected = {pk: before.get(pk, Decimal(0)) + moves.get(pk, Decimal(0)) for pk in after}
    wrong = {pk: (expected[pk], after[pk]) for pk in after if expected[pk] != after[pk]}
    assert not wrong, wrong
    assert not set(moves) - set(after)

    # One ledger transaction per committed money movement, none more (no phantom or doubled postings).
    from django_car_listing.models import OwnershipRecord
    from django_trading.models import Order

    purchases = OwnershipRecord.objects.filter(kind__in=["purchase", "store_purchase"]).count()
    trades = Order.objects.filter(status="settled", amount__gt=0).count()
    paid_runs = _paid_runs()
    assert Transaction.objects.count() - transactions_before == len(transfers) + purchases + trades + paid_runs
    print(f"\nsoak: {PROCESSES} processes x {SECONDS:.0f} s; committed {dict(done)}; refused {dict(refused)}; "
          f"{purchases} purchases, {trades} trades, {paid_runs} payroll runs paid, {len(transfers)} transfers")


def _paid_runs() -> int:
    from django_tenants.utils import schema_context

    from django_payroll.models import PayrollRun
    from tenancy.models import Dealership

    total = 0
    for dealership in Dealership.objects.exclude(schema_name="public"):
        with schema_context(dealership.schema_name):
            total += PayrollRun.objects.filter(status=PayrollRun.Status.PAID).count()
    return total
