"""Paying a run through the wallet: exact credits, one batch, all or nothing, once."""
import threading
from decimal import Decimal as D

import pytest
from django.db import connection, connections
from django_books.models import JournalEntry

from django_payroll import errors, services
from django_payroll.models import PayrollRun
from django_payroll.signals import payroll_run_paid, payslip_issued
from django_wallet import selectors as wallet_selectors
from django_wallet import services as wallet
from django_wallet.models import Entry as LedgerEntry
from django_wallet.models import Transaction
from tests.conftest import NOV

NETS = [D("2000.00"), D("1234.56"), D("999.99")]


def _booked(run) -> list[JournalEntry]:
    """The run's entries in the books (django-books), by the key it is posted under."""
    return list(JournalEntry.objects.filter(key=f"payroll-run:{run.pk}"))


def _staff(make_employee):
    # Below 1000 no tax; no bands defined at all: net == base.
    return [make_employee(base=str(net)) for net in NETS]


@pytest.mark.django_db
def test_pay_credits_each_employee_exactly_the_net_in_one_ledger_transaction(
    make_employee, fund, approved_run, django_capture_on_commit_callbacks
):
    employees = _staff(make_employee)
    business = fund("5000.00")
    run = approved_run()
    paid, issued = [], []
    payroll_run_paid.connect(lambda sender, run, **kw: paid.append(run.pk), weak=False, dispatch_uid="t1")
    payslip_issued.connect(lambda sender, payslip, **kw: issued.append(payslip.pk), weak=False, dispatch_uid="t2")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run = services.run_pay(run=run)
    finally:
        payroll_run_paid.disconnect(dispatch_uid="t1")
        payslip_issued.disconnect(dispatch_uid="t2")

    assert run.status == PayrollRun.Status.PAID and run.total_net == sum(NETS)
    for employee, net in zip(employees, NETS, strict=True):
        assert wallet_selectors.balance(wallet.account_for(employee.user)) == net
    assert wallet_selectors.balance(business) == D("5000.00") - sum(NETS)
    # The ledger: one balanced payroll transaction whose entries are exactly the legs.
    txn = Transaction.objects.get(pk=run.wallet_transaction_id)
    entries = LedgerEntry.objects.filter(transaction=txn)
    assert txn.kind == "payroll" and sum(e.amount for e in entries) == 0
    assert sorted(e.amount for e in entries if e.amount > 0) == sorted(NETS)
    assert sum(e.amount for e in entries if e.account_id == business.pk) == -sum(NETS)
    assert paid == [run.pk] and len(issued) == 3
    # The books: once, on the day paid; per payslip its gross is salary expense, the nets leave the
    # books' wallet account with the wallet transaction that paid them.
    (entry,) = _booked(run)
    assert entry.date == run.paid_at.date()
    lines = {(line.account.role, line.source_type, line.source_id): line.amount
             for line in entry.lines.select_related("account")}
    slips = {str(slip.pk): slip.gross for slip in run.payslips.all()}
    assert lines == {**{("salaries", "payslip", pk): gross for pk, gross in slips.items()},
                     ("wallet", "wallet_transaction", str(txn.pk)): -sum(NETS)}


@pytest.mark.django_db
def test_short_balance_pays_nothing_and_marks_the_run(make_employee, fund, approved_run):
    employees = _staff(make_employee)
    business = fund("4000.00")  # total is 4234.55
    run = approved_run()
    with pytest.raises(errors.InsufficientFunds):
        services.run_pay(run=run)
    run.refresh_from_db()
    assert (run.status, run.error_code) == ("approved", "insufficient_funds")
    assert wallet_selectors.balance(business) == D("4000.00")
    assert all(wallet_selectors.balance(wallet.account_for(e.user)) == 0 for e in employees)
    assert not Transaction.objects.filter(kind="payroll").exists()
    assert _booked(run) == []
    # After a top-up the same run pays (a fresh wallet key: a failure is never replayed).
    fund("300.00")
    run = services.run_pay(run=run)
    assert (run.status, run.error_code) == ("paid", "")
    assert wallet_selectors.balance(business) == D("4300.00") - sum(NETS)


@pytest.mark.django_db
def test_paying_twice_pays_once_and_a_paid_run_is_frozen(make_employee, fund, approved_run):
    employee = _staff(make_employee)[0]
    business = fund("10000.00")
    run = approved_run()
    first = services.run_pay(run=run)
    second = services.run_pay(run=run)
    assert first.wallet_transaction_id == second.wallet_transaction_id
    assert Transaction.objects.filter(kind="payroll").count() == 1
    assert wallet_selectors.balance(business) == D("10000.00") - sum(NETS)
    assert len(_booked(run)) == 1
    for action in (services.run_calculate, services.run_approve):
        with pytest.raises(errors.RunFrozen):
            action(run=run)
    adjustment = services.run_create(period=NOV, kind="adjustment")
    services.run_add_adjustment(run=adjustment, employee=employee, kind="earning", amount=D("10.00"),
                                description="Correction")
    with pytest.raises(errors.RunFrozen):
        services.run_add_adjustment(run=run, employee=employee, kind="earning", amount=D("1"), description="x")


@pytest.mark.django_db
def test_bank_payout_goes_to_the_clearing_account(make_employee, fund, approved_run, settings):
    make_employee(base="500.00", user=False, payout_target="bank", bank_account="DE001")
    fund("500.00")
    run = services.run_pay(run=approved_run())
    assert wallet_selectors.balance(wallet.system_account("payroll_bank")) == D("500.00")
    assert run.status == "paid"


@pytest.mark.django_db(transaction=True)
def test_paying_concurrently_pays_once(make_employee, fund, approved_run):
    employees = _staff(make_employee)
    business = fund("10000.00")
    run = approved_run()
    barrier = threading.Barrier(4)
    results, failures = [], []

    def pay():
        try:
            barrier.wait()
            results.append(services.run_pay(run=PayrollRun.objects.get(pk=run.pk)).wallet_transaction_id)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    connection.close()
    assert failures == []
    assert len(set(results)) == 1 and len(results) == 4
    assert Transaction.objects.filter(kind="payroll").count() == 1
    assert wallet_selectors.balance(business) == D("10000.00") - sum(NETS)
    for employee, net in zip(employees, NETS, strict=True):
        assert wallet_selectors.balance(wallet.account_for(employee.user)) == net
    assert len(_booked(run)) == 1
