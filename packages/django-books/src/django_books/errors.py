"""Domain errors: the kernel's ``DomainError`` classes, each with a stable ``code`` and a 4xx status
(see docs/conventions.md). Framework-free: services raise them, the kernel's DRF handler and the
site's pages render them."""
from __future__ import annotations

from forecourt_core.errors import AlreadyReversed, Conflict, InvalidAmount, InvalidDateRange, InvalidInput

__all__ = [
    "InvalidAmount", "UnbalancedEntry", "InvalidDateRange", "InvalidVatRate", "PeriodClosed",
    "PeriodAlreadyClosed", "AlreadyReversed", "NotReversible", "AccountNotFound", "AccountInUse",
    "DuplicateAccount", "VehicleAlreadySold", "DuplicateAcquisition",
]


class UnbalancedEntry(InvalidInput):
    code = "unbalanced_entry"
    message = "The lines of a journal entry must have debits equal to credits, and at least two lines."


class InvalidVatRate(InvalidInput):
    code = "invalid_vat_rate"
    message = "The VAT rate is a percentage from 0 up to (not including) 100, with at most two places."


class PeriodClosed(Conflict):
    code = "period_closed"
    message = "The books are closed for that date; post in an open period."


class PeriodAlreadyClosed(Conflict):
    code = "period_already_closed"
    message = "The books are already closed through that date or a later one."


class NotReversible(Conflict):
    code = "not_reversible"
    message = "A reversal entry is not reversed again; post a new entry."


class AccountNotFound(Conflict):
    code = "account_missing"
    message = "The chart of accounts has no account for this role; add one with that role."


class AccountInUse(Conflict):
    code = "account_in_use"
    message = "An account with lines keeps its type; open a new account instead."


class DuplicateAccount(Conflict):
    code = "duplicate_account"
    message = "Another account already has this code or role."


class VehicleAlreadySold(Conflict):
    code = "vehicle_sold"
    message = "The vehicle has been sold; its costs are closed."


class DuplicateAcquisition(Conflict):
    code = "duplicate_acquisition"
    message = "The vehicle's acquisition cost is already booked; add a reconditioning cost or reverse it."
