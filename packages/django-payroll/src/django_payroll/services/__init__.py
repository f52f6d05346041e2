"""Every write of the package (keyword-only, typed, atomic). Import from here."""
from .accounting import (
    category_ensure,
    entry_create,
    entry_record_automatic,
    entry_record_car_sale,
    entry_record_commission,
)
from .hr import employee_create, employee_terminate, employee_update, salary_create, tax_bands_replace
from .runs import run_add_adjustment, run_approve, run_calculate, run_create, run_pay

__all__ = [
    "category_ensure",
    "employee_create",
    "employee_terminate",
    "employee_update",
    "entry_create",
    "entry_record_automatic",
    "entry_record_car_sale",
    "entry_record_commission",
    "run_add_adjustment",
    "run_approve",
    "run_calculate",
    "run_create",
    "run_pay",
    "salary_create",
    "tax_bands_replace",
]
