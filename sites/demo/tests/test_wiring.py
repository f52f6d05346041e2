"""demo/glue/wiring.py: each package event reaches the people it concerns as a notification."""
import datetime as dt
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from tests.test_marketplace import _listed_dealer_car


def _kinds(user):
    from django_notifications.models import Notification

    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


@pytest.mark.django_db
def test_credit_request_decision_reaches_the_seller(make_user, django_capture_on_commit_callbacks):
    from django_wallet import services as wallet

    seller, admin = make_user(), make_user(is_staff=True)
    request = wallet.credit_request_create(account=wallet.account_for(seller), amount=Decimal("500.00"),
                                           requested_by=seller)
    with django_capture_on_commit_callbacks(execute=True):
        wallet.credit_request_approve(credit_request=request, decided_by=admin)
    assert _kinds(seller) == ["credit_request_decided"]


@pytest.mark.django_db
def test_settled_and_rejected_trades_reach_the_trader(make_user, django_capture_on_commit_callbacks):
    from django_trading import services as trading

    trader = make_user()
    trading.trader_fund(username=trader.username, amount=Decimal("100.00"))
    price = Decimal("10.00")
    trading.bars_ingest(bars=[{"ticker": "WIRE", "open": price, "high": price, "low": price, "close": price,
                               "volume": 1000, "timestamp": datetime(2026, 11, 2, tzinfo=UTC)}])
    with django_capture_on_commit_callbacks(execute=True):
        ok, _ = trading.order_create(user=trader, ticker="WIRE", side="buy", volume=2)
        too_big, _ = trading.order_create(user=trader, ticker="WIRE", side="buy", volume=50)
    for order in (ok, too_big):
        with django_capture_on_commit_callbacks(execute=True):
            trading.order_settle(order_id=order.pk)
    assert _kinds(trader) == ["trade_rejected", "trade_settled"]


@pytest.mark.django_db
def test_lead_assignment_and_status_changes_reach_agent_and_dealer(dealer1, make_user,
                                                                    django_capture_on_commit_callbacks):
    from django_leads import services as leads
    from tenancy.services import membership_grant

    dealer, agent, staff = make_user(), make_user(), make_user()
    membership_grant(user=dealer, dealership=dealer1, role="dealer")
    membership_grant(user=agent, dealership=dealer1, role="sales_agent")
    membership_grant(user=staff, dealership=dealer1, role="dealer_staff")
    car = _listed_dealer_car(staff, make_user(is_staff=True))
    with schema_context("dealer1"):
        with django_capture_on_commit_callbacks(execute=True):
            lead = leads.lead_create(car=car, by=staff, contact_name="Walk In", contact_phone="+14155550100")
        with django_capture_on_commit_callbacks(execute=True):
            leads.lead_transition(lead=lead, status="contacted", by=agent)
    assert "lead_assigned" in _kinds(agent)
    assert "lead_status_changed" in _kinds(dealer)
    assert "lead_status_changed" not in _kinds(agent)  # who made the change isn't told of it


@pytest.mark.django_db
def test_payroll_paid_reaches_each_employee(dealer1, make_user, django_capture_on_commit_callbacks):
    from django_payroll import services as payroll
    from django_wallet import services as wallet

    employee_user = make_user()
    wallet.deposit(account=wallet.account_for(dealer1), amount=Decimal("50000.00"))
    with schema_context("dealer1"):
        employee = payroll.employee_create(first_name="Pat", last_name="Paid", hire_date=dt.date(2020, 1, 1),
                                           user=employee_user)
        payroll.salary_create(employee=employee, effective_from=dt.date(2020, 1, 1), base_salary=Decimal("2000.00"))
        run = payroll.run_create(period=dt.date(2026, 10, 1))
        payroll.run_calculate(run=run)
        payroll.run_approve(run=run)
        with django_capture_on_commit_callbacks(execute=True):
            payroll.run_pay(run=run)
    assert _kinds(employee_user) == ["payroll_paid"]
