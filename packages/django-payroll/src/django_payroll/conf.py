"""PAYROLL_* settings, read at call time (never at import) so tests and tenants can override them."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


def _hook(name: str, default: str) -> Callable[..., Any]:
    value = getattr(settings, name, None) or default
    return import_string(value) if isinstance(value, str) else value


def business_account():
    """Wallet account salaries are paid from (setting PAYROLL_BUSINESS_ACCOUNT: dotted path to a 0-arg callable)."""
    return _hook("PAYROLL_BUSINESS_ACCOUNT", "django_payroll.conf.default_business_account")()


def bank_clearing_account():
    """Wallet account that receives pay of employees paid by bank (PAYROLL_BANK_CLEARING_ACCOUNT)."""
    return _hook("PAYROLL_BANK_CLEARING_ACCOUNT", "django_payroll.conf.default_bank_clearing_account")()


def commission_source() -> Callable[..., Decimal]:
    """callable(employee, period_start, period_end) -> Decimal (setting PAYROLL_COMMISSION_SOURCE)."""
    return _hook("PAYROLL_COMMISSION_SOURCE", "django_payroll.conf.no_commission")


def format_money() -> Callable[[Decimal], str]:
    """callable(amount) -> str for amounts people read (the payslip PDF); setting PAYROLL_MONEY_FORMAT.
    Default: the plain amount ("2500.00"); CSV and the API always stay plain."""
    return _hook("PAYROLL_MONEY_FORMAT", "django_payroll.conf.plain_amount")


def plain_amount(amount: Decimal) -> str:
    return str(amount)


def employer_name() -> str:
    """The employer printed on payslips (PAYROLL_EMPLOYER_NAME: dotted path to a 0-arg callable)."""
    return str(_hook("PAYROLL_EMPLOYER_NAME", "django_payroll.conf.no_employer_name")())


def no_employer_name() -> str:
    return ""


def default_business_account():
    from django_wallet import services

    return services.system_account("business")


def default_bank_clearing_account():
    from django_wallet import services

    return services.system_account("payroll_bank")


def no_commission(employee, period_start, period_end) -> Decimal:  # noqa: ARG001 - the hook's signature
    return Decimal("0")
