"""Domain errors: each has a stable machine ``code`` and a 4xx status (see docs/conventions.md)."""
from __future__ import annotations

from rest_framework import status
from rest_framework.exceptions import APIException


class PayrollError(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "payroll_error"
    default_detail = "Payroll error."

    @property
    def code(self) -> str:
        return self.default_code


class InvalidAmount(PayrollError):
    default_code = "invalid_amount"
    default_detail = "Amounts must be non-negative decimals with at most two places."


class InvalidPeriod(PayrollError):
    default_code = "invalid_period"
    default_detail = "The period must be a month (any date in it)."


class InvalidDateRange(PayrollError):
    default_code = "invalid_date_range"
    default_detail = "date_from must not be after date_to."


class InvalidTaxBands(PayrollError):
    default_code = "invalid_tax_bands"
    default_detail = "Tax bands must start at 0, be contiguous, end open and have rates between 0 and 100."


class InvalidCommission(PayrollError):
    default_code = "invalid_commission"
    default_detail = "The commission source returned an invalid amount."


class InvalidEmployee(PayrollError):
    default_code = "invalid_employee"
    default_detail = "Invalid employee data."


class EmployeeUserTaken(PayrollError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "employee_user_taken"
    default_detail = "This user is already linked to another employee."


class SalaryExists(PayrollError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "salary_exists"
    default_detail = "The employee already has a salary effective from that date."


class RunExists(PayrollError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "run_exists"
    default_detail = "A regular payroll run already exists for this period."


class InvalidTransition(PayrollError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "invalid_transition"
    default_detail = "The payroll run is not in a state that allows this."


class RunFrozen(PayrollError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "run_frozen"
    default_detail = "A paid payroll run is frozen; use an adjustment run."


class EmptyRun(PayrollError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "empty_run"
    default_detail = "The payroll run has no payslips."


class NegativeNet(PayrollError):
    default_code = "negative_net"
    default_detail = "Deductions exceed earnings for an employee."


class MissingPayoutAccount(PayrollError):
    default_code = "missing_payout_account"
    default_detail = "An employee paid by wallet has no user account."


class InsufficientFunds(PayrollError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "insufficient_funds"
    default_detail = "The business account cannot cover the payroll run; nothing was paid."


class PaymentFailed(PayrollError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "payment_failed"
    default_detail = "The wallet refused the payroll transfer; nothing was paid."


class CategoryMismatch(PayrollError):
    default_code = "category_mismatch"
    default_detail = "The category does not exist or is of the other kind."
