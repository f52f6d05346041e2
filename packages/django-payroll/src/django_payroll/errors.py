"""Domain errors: each has a stable machine ``code`` and a 4xx status (see docs/conventions.md)."""
from forecourt_core.errors import Conflict, InsufficientFunds, InvalidAmount, InvalidInput, InvalidTransition

__all__ = [
    "InvalidAmount", "InvalidPeriod", "InvalidTaxBands", "InvalidCommission",
    "InvalidEmployee", "EmployeeUserTaken", "SalaryExists", "RunExists", "InvalidTransition", "RunFrozen",
    "EmptyRun", "NegativeNet", "MissingPayoutAccount", "InsufficientFunds", "PaymentFailed",
]


class InvalidPeriod(InvalidInput):
    code = "invalid_period"
    message = "The period must be a month (any date in it)."


class InvalidTaxBands(InvalidInput):
    code = "invalid_tax_bands"
    message = "Tax bands must start at 0, be contiguous, end open and have rates between 0 and 100."


class InvalidCommission(InvalidInput):
    code = "invalid_commission"
    message = "The commission source returned an invalid amount."


class InvalidEmployee(InvalidInput):
    code = "invalid_employee"
    message = "Invalid employee data."


class EmployeeUserTaken(Conflict):
    code = "employee_user_taken"
    message = "This user is already linked to another employee."


class SalaryExists(Conflict):
    code = "salary_exists"
    message = "The employee already has a salary effective from that date."


class RunExists(Conflict):
    code = "run_exists"
    message = "A regular payroll run already exists for this period."


class RunFrozen(Conflict):
    code = "run_frozen"
    message = "A paid payroll run is frozen; use an adjustment run."


class EmptyRun(Conflict):
    code = "empty_run"
    message = "The payroll run has no payslips."


class NegativeNet(InvalidInput):
    code = "negative_net"
    message = "Deductions exceed earnings for an employee."


class MissingPayoutAccount(InvalidInput):
    code = "missing_payout_account"
    message = "An employee paid by wallet has no user account."


class PaymentFailed(Conflict):
    code = "payment_failed"
    message = "The wallet refused the payroll transfer; nothing was paid."
