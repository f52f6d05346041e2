"""Domain errors of the wallet. Each has a stable machine ``code`` and renders as a 4xx in DRF."""

from rest_framework import status
from rest_framework.exceptions import APIException


class WalletError(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "wallet_error"
    default_detail = "Wallet error."

    def __init__(self, detail=None, code=None):
        super().__init__(detail, code)

    @property
    def code(self) -> str:
        return self.default_code


class InvalidAmount(WalletError):
    default_code = "invalid_amount"
    default_detail = "Amount must be a positive Decimal with at most 2 decimal places, finite and below the maximum."


class InsufficientFunds(WalletError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "insufficient_funds"
    default_detail = "The account's available balance is too low."


class AccountFrozen(WalletError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "account_frozen"
    default_detail = "The account is frozen."


class CurrencyMismatch(WalletError):
    default_code = "currency_mismatch"
    default_detail = "The accounts use different currencies."


class SameAccount(WalletError):
    default_code = "same_account"
    default_detail = "Source and destination are the same account."


class IdempotencyConflict(WalletError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_conflict"
    default_detail = "This idempotency key was already used for a different request."


class AlreadyReversed(WalletError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "already_reversed"
    default_detail = "This transaction was already reversed (or is itself a reversal)."


class HoldNotActive(WalletError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "hold_not_active"
    default_detail = "The hold is no longer active (captured, released or expired)."


class CreditRequestDecided(WalletError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "credit_request_decided"
    default_detail = "The credit request was already decided."


class InvalidPhoneNumber(WalletError):
    default_code = "invalid_phone"
    default_detail = "Not a valid phone number."


class AccountNotFound(WalletError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "account_not_found"
    default_detail = "No such account."


class ImmutableLedger(WalletError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "immutable_ledger"
    default_detail = "Ledger rows can never be updated or deleted; post a reversing transaction."


class HoldExpired(HoldNotActive):
    default_code = "hold_expired"
    default_detail = "The hold has expired."


class RecipientNotFound(WalletError):
    default_code = "recipient_not_found"
    default_detail = "No such recipient."


def error_for_code(code: str, message: str) -> WalletError:
    """Rebuild a recorded refusal (an idempotent replay of a failed request) as its own error class."""
    pending, classes = [WalletError], {}
    while pending:
        cls = pending.pop()
        classes.setdefault(cls.default_code, cls)
        pending += cls.__subclasses__()
    return classes.get(code, WalletError)(message)


class IdempotencyKeyRequired(WalletError):
    default_code = "idempotency_key_required"
    default_detail = "This operation moves money: send an Idempotency-Key header, so a retry cannot repeat it."


class InvalidIdempotencyKey(WalletError):
    default_code = "invalid_idempotency_key"
    default_detail = "Idempotency-Key must be 1 to 255 printable ASCII characters."
