"""Default settings hooks, run creation races and signals only after commit."""
import threading
from decimal import Decimal as D

import pytest
from django.db import connections, transaction

from django_payroll import conf, errors, services
from django_payroll.models import PayrollRun
from django_payroll.signals import payroll_run_paid
from django_wallet import selectors as wallet_selectors
from django_wallet import services as wallet
from tests.conftest import NOV


@pytest.mark.django_db
def test_default_hooks(settings, make_employee):
    del settings.PAYROLL_BUSINESS_ACCOUNT, settings.PAYROLL_COMMISSION_SOURCE
    assert conf.business_account() == wallet.system_account("business")
    employee = make_employee()
    assert conf.commission_source()(employee, NOV, NOV) == D("0")
    run = services.run_pay(run=services.run_approve(run=services.run_calculate(run=services.run_create(period=NOV))))
    # The default business account is a system account, which may overdraw.
    assert wallet_selectors.balance(wallet.system_account("business")) == -run.total_net


@pytest.mark.django_db(transaction=True)
def test_concurrent_creation_of_the_same_regular_run_makes_one():
    barrier = threading.Barrier(3)
    outcomes = []

    def create():
        try:
            barrier.wait()
            services.run_create(period=NOV)
            outcomes.append("created")
        except errors.RunExists:
            outcomes.append("exists")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create) for _ in range(3)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(outcomes) == ["created", "exists", "exists"]
    assert PayrollRun.objects.filter(period=NOV, kind="regular").count() == 1


@pytest.mark.django_db(transaction=True)
def test_paid_signal_is_not_sent_when_the_callers_transaction_rolls_back(make_employee, fund, approved_run):
    make_employee(base="100.00")
    fund("100.00")
    run = approved_run()
    received = []
    payroll_run_paid.connect(lambda sender, run, **kw: received.append(run.pk), weak=False, dispatch_uid="rb")
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.run_pay(run=run)
            raise RuntimeError("caller fails after paying")
        assert received == []
        run.refresh_from_db()
        assert run.status == "approved"  # the payment rolled back with the caller
        services.run_pay(run=run)
        assert received == [run.pk]
    finally:
        payroll_run_paid.disconnect(dispatch_uid="rb")
