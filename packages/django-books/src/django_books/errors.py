"""Domain errors: each has a stable machine ``code`` and a 4xx status (see docs/conventions.md)."""
from __future__ import annotations

from rest_framework import status
from rest_framework.exceptions import APIException


class BooksError(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "books_error"
    default_detail = "Books error."

    @property
    def code(self) -> str:
        return self.default_code


class InvalidAmount(BooksError):
    default_code = "invalid_amount"
    default_detail = "Amounts must be finite decimals with at most two places, below 10**16."


class UnbalancedEntry(BooksError):
    default_code = "unbalanced_entry"
    default_detail = "The lines of a journal entry must have debits equal to credits, and at least two lines."


class InvalidDateRange(BooksError):
    default_code = "invalid_date_range"
    default_detail = "date_from must not be after date_to."


class InvalidVatRate(BooksError):
    default_code = "invalid_vat_rate"
    default_detail = "The VAT rate is a percentage from 0 up to (not including) 100, with at most two places."


class PeriodClosed(BooksError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "period_closed"
    default_detail = "The books are closed for that date; post in an open period."


class PeriodAlreadyClosed(BooksError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "period_already_closed"
    default_detail = "The books are already closed through that date or a later one."


class AlreadyReversed(BooksError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "already_reversed"
    default_detail = "This entry has already been reversed."


class NotReversible(BooksError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "not_reversible"
    default_detail = "A reversal entry is not reversed again; post a new entry."


class AccountNotFound(BooksError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "account_missing"
    default_detail = "The chart of accounts has no account for this role; add one with that role."


class AccountInUse(BooksError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "account_in_use"
    default_detail = "An account with lines keeps its type; open a new account instead."


class DuplicateAccount(BooksError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "duplicate_account"
    default_detail = "Another account already has this code or role."


class VehicleAlreadySold(BooksError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "vehicle_sold"
    default_detail = "The vehicle has been sold; its costs are closed."


class DuplicateAcquisition(BooksError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "duplicate_acquisition"
    default_detail = "The vehicle's acquisition cost is already booked; add a reconditioning cost or reverse it."
