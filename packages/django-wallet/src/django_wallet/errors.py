"""Domain errors of the wallet. Each has a stable machine ``code`` and is a 4xx for an API."""
from forecourt_core.errors import (
    AlreadyReversed,
    Conflict,
    IdempotencyConflict,
    IdempotencyKeyRequired,
    InsufficientFunds,
    InvalidAmount,
    InvalidIdempotencyKey,
    InvalidInput,
    InvalidPhoneNumber,
    NotFound,
)

__all__ = [
    "InvalidAmount", "InsufficientFunds", "AccountFrozen", "CurrencyMismatch", "SameAccount",
    "IdempotencyConflict", "AlreadyReversed", "HoldNotActive", "CreditRequestDecided", "InvalidPhoneNumber",
    "AccountNotFound", "ImmutableLedger", "HoldExpired", "RecipientNotFound", "IdempotencyKeyRequired",
    "InvalidIdempotencyKey",
]


class AccountFrozen(Conflict):
    code = "account_frozen"
    message = "The account is frozen."


class CurrencyMismatch(InvalidInput):
    code = "currency_mismatch"
    message = "The accounts use different currencies."


class SameAccount(InvalidInput):
    code = "same_account"
    message = "Source and destination are the same account."


class HoldNotActive(Conflict):
    code = "hold_not_active"
    message = "The hold is no longer active (captured, released or expired)."


class CreditRequestDecided(Conflict):
    code = "credit_request_decided"
    message = "The credit request was already decided."


class AccountNotFound(NotFound):
    code = "account_not_found"
    message = "No such account."


class ImmutableLedger(Conflict):
    code = "immutable_ledger"
    message = "Ledger rows can never be updated or deleted; post a reversing transaction."


class HoldExpired(HoldNotActive):
    code = "hold_expired"
    message = "The hold has expired."


class RecipientNotFound(InvalidInput):
    code = "recipient_not_found"
    message = "No such recipient."
