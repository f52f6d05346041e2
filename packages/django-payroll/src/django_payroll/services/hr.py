"""Employees, salary structures and the tax table."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db import IntegrityError, transaction

from ..errors import EmployeeUserTaken, InvalidEmployee, InvalidTaxBands, SalaryExists
from ..models import ComponentKind, Employee, SalaryComponent, SalaryStructure, TaxBand
from ._money import money

EMPLOYEE_FIELDS = {
    "first_name", "last_name", "email", "user", "position", "department", "employment_type",
    "hire_date", "termination_date", "status", "payout_target", "bank_account",
}


def _save_employee(employee: Employee) -> Employee:
    if employee.termination_date and employee.termination_date < employee.hire_date:
        raise InvalidEmployee("The termination date is before the hire date.")
    if employee.status == Employee.Status.TERMINATED and not employee.termination_date:
        # Payroll eligibility follows the dates; a status alone would keep paying them.
        raise InvalidEmployee("A terminated employee needs a termination date.")
    if employee.payout_target == Employee.PayoutTarget.BANK and not employee.bank_account:
        raise InvalidEmployee("A bank payout needs a bank account.")
    try:
        with transaction.atomic():
            employee.save()
    except IntegrityError as exc:
        if "payroll_employee_user_uniq" in str(exc):
            raise EmployeeUserTaken() from None
        raise
    return employee


@transaction.atomic
def employee_create(*, first_name: str, last_name: str, hire_date: dt.date, **fields) -> Employee:
    unknown = set(fields) - EMPLOYEE_FIELDS
    if unknown:
        raise TypeError(f"unknown employee fields: {sorted(unknown)}")
    return _save_employee(Employee(first_name=first_name, last_name=last_name, hire_date=hire_date, **fields))


@transaction.atomic
def employee_update(*, employee: Employee, **fields) -> Employee:
    unknown = set(fields) - EMPLOYEE_FIELDS
    if unknown:
        raise TypeError(f"unknown employee fields: {sorted(unknown)}")
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    for name, value in fields.items():
        setattr(employee, name, value)
    return _save_employee(employee)


@transaction.atomic
def employee_terminate(*, employee: Employee, termination_date: dt.date) -> Employee:
    return employee_update(employee=employee, termination_date=termination_date, status=Employee.Status.TERMINATED)


@transaction.atomic
def salary_create(
    *,
    employee: Employee,
    effective_from: dt.date,
    base_salary: Decimal,
    components: Sequence[dict] = (),
    include_commission: bool = True,
    note: str = "",
) -> SalaryStructure:
    """A new salary from ``effective_from`` (a raise is a new structure; older ones stay as history).

    ``components``: dicts with name, kind ("earning"/"deduction"), amount and optional prorate.
    """
    structure = SalaryStructure(
        employee=employee,
        effective_from=effective_from,
        base_salary=money(base_salary, allow_zero=True),
        include_commission=include_commission,
        note=note,
    )
    try:
        with transaction.atomic():
            structure.save()
    except IntegrityError as exc:
        if "payroll_salary_employee_from_uniq" in str(exc):
            raise SalaryExists() from None
        raise
    rows = []
    for comp in components:
        if comp.get("kind") not in ComponentKind.values or not comp.get("name"):
            raise InvalidEmployee("A component needs a name and kind earning or deduction.")
        rows.append(
            SalaryComponent(
                structure=structure,
                name=comp["name"],
                kind=comp["kind"],
                amount=money(comp["amount"]),
                prorate=comp.get("prorate", True),
            )
        )
    SalaryComponent.objects.bulk_create(rows)
    return structure


@transaction.atomic
def tax_bands_replace(*, bands: Sequence[dict]) -> list[TaxBand]:
    """Replace the whole tax table. Bands: lower, upper (None = open), rate percent.

    The table must start at 0, be contiguous and end with an open band, so every amount of
    gross pay falls into exactly one band.
    """
    rows = sorted(
        (
            TaxBand(
                lower=money(b["lower"], allow_zero=True),
                upper=None if b.get("upper") in (None, "") else money(b["upper"]),
                rate=money(b["rate"], allow_zero=True),
            )
            for b in bands
        ),
        key=lambda b: b.lower,
    )
    if rows:
        if rows[0].lower != 0 or rows[-1].upper is not None:
            raise InvalidTaxBands()
        for band, following in zip(rows, rows[1:], strict=False):
            if band.upper is None or band.upper != following.lower:
                raise InvalidTaxBands()
        if any(b.rate > 100 for b in rows):
            raise InvalidTaxBands()
    TaxBand.objects.all().delete()
    return TaxBand.objects.bulk_create(rows)
