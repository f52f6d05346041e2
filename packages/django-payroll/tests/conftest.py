import datetime as dt
from decimal import Decimal

import pytest

from django_payroll import services
from django_wallet import services as wallet
from tests import hooks

pytest_plugins = ["forecourt_core.testing.fixtures"]  # make_user, client_for

D = Decimal
NOV = dt.date(2026, 11, 1)  # 30 days


@pytest.fixture(autouse=True)
def _clear_commissions():
    hooks.COMMISSIONS.clear()
    yield
    hooks.COMMISSIONS.clear()


@pytest.fixture
def make_employee(make_user):
    """An employee with a wallet user and a salary structure from their hire date."""

    def make(*, base="3000.00", hire_date=dt.date(2020, 1, 1), components=(), user=True, **fields):
        first = fields.pop("first_name", "Emp")
        last = fields.pop("last_name", f"No{make_employee.n}")
        make_employee.n += 1
        employee = services.employee_create(
            first_name=first, last_name=last, hire_date=hire_date,
            user=make_user() if user else None, **fields,
        )
        if base is not None:
            services.salary_create(employee=employee, effective_from=hire_date, base_salary=D(base),
                                   components=list(components))
        return employee

    make_employee.n = 0
    return make


@pytest.fixture
def standard_bands():
    """0-1000 at 0 %, 1000-3000 at 10 %, above 3000 at 20 % (monthly gross)."""
    return services.tax_bands_replace(bands=[
        {"lower": D("0"), "upper": D("1000.00"), "rate": D("0")},
        {"lower": D("1000.00"), "upper": D("3000.00"), "rate": D("10")},
        {"lower": D("3000.00"), "upper": None, "rate": D("20")},
    ])


@pytest.fixture
def business():
    return hooks.business_account()


@pytest.fixture
def fund(business):
    def make(amount):
        wallet.deposit(account=business, amount=D(amount))
        business.refresh_from_db()
        return business

    return make


@pytest.fixture
def approved_run():
    """Create, calculate and approve the regular run of ``period``."""

    def make(period=NOV, kind="regular"):
        run = services.run_create(period=period, kind=kind)
        run = services.run_calculate(run=run)
        return services.run_approve(run=run)

    return make
