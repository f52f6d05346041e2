"""Employees and salaries: effective dates and history."""
import datetime as dt
from decimal import Decimal as D

import pytest

from django_payroll import errors, selectors, services

pytestmark = pytest.mark.django_db


def test_salary_history_keeps_every_salary_and_current_follows_effective_dates(make_employee):
    employee = make_employee(base="3000.00", hire_date=dt.date(2024, 1, 1))
    services.salary_create(employee=employee, effective_from=dt.date(2025, 6, 1), base_salary=D("3300.00"))
    services.salary_create(employee=employee, effective_from=dt.date(2026, 11, 11), base_salary=D("3600.00"),
                           components=[{"name": "Car", "kind": "earning", "amount": D("200.00")}])
    history = list(selectors.salary_history(employee=employee))
    assert [s.base_salary for s in history] == [D("3000.00"), D("3300.00"), D("3600.00")]
    assert selectors.salary_current(employee=employee, on=dt.date(2026, 11, 10)).base_salary == D("3300.00")
    assert selectors.salary_current(employee=employee, on=dt.date(2026, 11, 11)).base_salary == D("3600.00")
    assert selectors.salary_current(employee=employee, on=dt.date(2023, 1, 1)) is None
    with pytest.raises(errors.SalaryExists):
        services.salary_create(employee=employee, effective_from=dt.date(2025, 6, 1), base_salary=D("1.00"))
    with pytest.raises(errors.InvalidAmount):
        services.salary_create(employee=employee, effective_from=dt.date(2027, 1, 1), base_salary=D("1.234"))


def test_employee_changes_are_recorded_by_simple_history(make_employee):
    employee = make_employee(position="Sales agent")
    services.employee_update(employee=employee, position="Sales lead", department="Sales")
    services.employee_terminate(employee=employee, termination_date=dt.date(2026, 12, 31))
    versions = list(employee.history.order_by("history_id").values_list("position", "status"))
    assert versions == [("Sales agent", "active"), ("Sales lead", "active"), ("Sales lead", "terminated")]


def test_employee_validation(make_employee, make_user):
    user = make_user()
    first = services.employee_create(first_name="A", last_name="B", hire_date=dt.date(2026, 1, 1), user=user)
    with pytest.raises(errors.EmployeeUserTaken):
        services.employee_create(first_name="C", last_name="D", hire_date=dt.date(2026, 1, 1), user=user)
    with pytest.raises(errors.InvalidEmployee):
        services.employee_terminate(employee=first, termination_date=dt.date(2025, 1, 1))
    with pytest.raises(errors.InvalidEmployee):
        services.employee_update(employee=first, payout_target="bank")


def test_terminated_needs_a_date(make_employee):
    employee = make_employee()
    with pytest.raises(errors.InvalidEmployee):
        services.employee_update(employee=employee, status="terminated")
