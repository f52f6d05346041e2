"""PAYROLL_* settings on the kernel's ``PackageSettings``: read at call time, hooks named by dotted paths."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from forecourt_core.conf import PackageSettings

package_settings = PackageSettings({}, hooks={
    # () -> the wallet Account salaries are paid from
    "PAYROLL_BUSINESS_ACCOUNT": "django_payroll.conf.default_business_account",
    # () -> the wallet Account receiving the pay of employees paid by bank
    "PAYROLL_BANK_CLEARING_ACCOUNT": "django_payroll.conf.default_bank_clearing_account",
    # (employee, period_start, period_end) -> Decimal
    "PAYROLL_COMMISSION_SOURCE": "django_payroll.conf.no_commission",
    # (amount) -> str for amounts people read (the payslip PDF); CSV and the API always stay plain
    "PAYROLL_MONEY_FORMAT": "django_payroll.conf.plain_amount",
    # () -> the employer printed on payslips
    "PAYROLL_EMPLOYER_NAME": "django_payroll.conf.no_employer_name",
})


def business_account():
    return package_settings.hook("PAYROLL_BUSINESS_ACCOUNT")()


def bank_clearing_account():
    return package_settings.hook("PAYROLL_BANK_CLEARING_ACCOUNT")()


def commission_source() -> Callable[..., Decimal]:
    return package_settings.hook("PAYROLL_COMMISSION_SOURCE")


def format_money() -> Callable[[Decimal], str]:
    """Default: the plain amount ("2500.00")."""
    return package_settings.hook("PAYROLL_MONEY_FORMAT")


def plain_amount(amount: Decimal) -> str:
    return str(amount)


def employer_name() -> str:
    return str(package_settings.hook("PAYROLL_EMPLOYER_NAME")())


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
