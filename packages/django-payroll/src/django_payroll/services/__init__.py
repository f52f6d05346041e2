"""Every write of the package (keyword-only, typed, atomic). Import from here."""
from .hr import employee_create, employee_terminate, employee_update, salary_create, tax_bands_replace
from .runs import run_add_adjustment, run_approve, run_calculate, run_create, run_pay

__all__ = [
    "employee_create",
    "employee_terminate",
    "employee_update",
    "run_add_adjustment",
    "run_approve",
    "run_calculate",
    "run_create",
    "run_pay",
    "salary_create",
    "tax_bands_replace",
]
