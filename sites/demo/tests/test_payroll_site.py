"""Payroll in the site: roles of dealer1 run it, dealer1's wallet pays, nobody else sees it."""
import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from tests.conftest import host_client


@pytest.fixture
def staff(dealer1, make_user):
    from tenancy.services import membership_grant

    people = {role: make_user() for role in ("dealer", "accountant", "hr")}
    for role, user in people.items():
        membership_grant(user=user, dealership=dealer1, role=role)
    return people


@pytest.fixture
def employee_user(make_user):
    from django_payroll import services

    user = make_user()
    with schema_context("dealer1"):
        employee = services.employee_create(first_name="Eve", last_name="Mech", hire_date=dt.date(2020, 1, 1),
                                            user=user, department="Workshop")
        services.salary_create(employee=employee, effective_from=dt.date(2020, 1, 1), base_salary=Decimal("3000.00"))
    return user


def _post(client, path, data=None):
    return client.post(path, data or {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)


@pytest.mark.django_db
def test_accountant_prepares_dealer_approves_accountant_pays_from_the_dealership_wallet(dealer1, staff,
                                                                                         employee_user):
    from django_wallet import selectors
    from django_wallet import services as wallet

    wallet.deposit(account=wallet.account_for(dealer1), amount=Decimal("100000.00"))
    dealer_before = selectors.balance(wallet.account_for(dealer1))
    accountant = host_client("dealer1.localhost", staff["accountant"])
    dealer = host_client("dealer1.localhost", staff["dealer"])
    hr = host_client("dealer1.localhost", staff["hr"])

    run = _post(accountant, "/api/payroll/runs/", {"period": "2026-10-01"})
    assert run.status_code == 201, run.content
    run_id = run.json()["id"]
    assert _post(accountant, f"/api/payroll/runs/{run_id}/calculate/").status_code == 200
    assert _post(accountant, f"/api/payroll/runs/{run_id}/approve/").status_code == 403  # dealer approves
    assert _post(dealer, f"/api/payroll/runs/{run_id}/approve/").status_code == 200
    assert _post(hr, f"/api/payroll/runs/{run_id}/pay/").status_code == 403  # HR doesn't pay
    paid = _post(accountant, f"/api/payroll/runs/{run_id}/pay/")
    assert paid.status_code == 200, paid.content
    net = Decimal(paid.json()["total_net"])
    assert net > 0
    assert selectors.balance(wallet.account_for(employee_user)) == net
    assert selectors.balance(wallet.account_for(dealer1)) == dealer_before - net
    assert _post(accountant, f"/api/payroll/runs/{run_id}/pay/").status_code in {200, 409}  # paying twice pays once
    assert selectors.balance(wallet.account_for(employee_user)) == net

    # The employee holds no role at dealer1 but reads their own payslip and its PDF; nothing else there.
    employee = host_client("dealer1.localhost", employee_user)
    own = employee.get("/api/payroll/payslips/").json()["results"]
    assert len(own) == 1 and Decimal(own[0]["net"]) == net
    pdf = employee.get(f"/api/payroll/payslips/{own[0]['id']}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert employee.get("/api/payroll/runs/").status_code == 403
    assert employee.get("/api/leads/").status_code == 403


@pytest.mark.django_db
def test_dealer2_members_never_see_dealer1_payroll(dealer1, dealer2, staff, employee_user, make_user):
    from tenancy.services import membership_grant

    outsider = make_user()
    membership_grant(user=outsider, dealership=dealer2, role="accountant")
    with schema_context("dealer1"):
        from django_payroll import services

        run = services.run_create(period=dt.date(2026, 9, 1))
    on_dealer1 = host_client("dealer1.localhost", outsider)
    assert on_dealer1.get("/api/payroll/runs/").status_code == 403
    on_dealer2 = host_client("dealer2.localhost", outsider)
    assert on_dealer2.get(f"/api/payroll/runs/{run.pk}/").status_code == 404
    listing = on_dealer2.get("/api/payroll/runs/").json()
    assert (listing["count"] if isinstance(listing, dict) else len(listing)) == 0
