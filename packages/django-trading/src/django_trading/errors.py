"""Domain errors of the trading desk. Each has a stable machine ``code`` and renders as a 4xx in DRF.

Settlement outcomes (``insufficient_funds``, ``insufficient_holdings``, ``unknown_ticker``, ...)
are not errors: the order is accepted (202) and later ends ``rejected`` with that reason code.
"""
from rest_framework import status
from rest_framework.exceptions import APIException


class TradingError(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "trading_error"
    default_detail = "Trading error."

    @property
    def code(self) -> str:
        return self.default_code


class InvalidBar(TradingError):
    default_code = "invalid_bar"
    default_detail = "The price bar is invalid."


class BarConflict(TradingError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "bar_conflict"
    default_detail = "A different bar already exists for this ticker and timestamp; bars are immutable."


class ImmutableBar(TradingError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "immutable_bar"
    default_detail = "Price bars can never be updated or deleted."


class InvalidOrder(TradingError):
    default_code = "invalid_order"
    default_detail = "The order is invalid."


class InvalidTimestamp(TradingError):
    default_code = "invalid_timestamp"
    default_detail = "Timestamps must be ISO-8601 or unix seconds."


class InvalidRange(TradingError):
    default_code = "invalid_range"
    default_detail = "The start timestamp is after the end timestamp."


class UnknownTicker(TradingError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "unknown_ticker"
    default_detail = "No such ticker."


class TraderNotFound(TradingError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "trader_not_found"
    default_detail = "No such user."


class OrderNotFound(TradingError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "order_not_found"
    default_detail = "No such order."


class OrderNotCancellable(TradingError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "order_not_cancellable"
    default_detail = "Only a resting limit order can be cancelled."


class IdempotencyConflict(TradingError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_conflict"
    default_detail = "This idempotency key was already used for a different order."


class FundingNotAllowed(TradingError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "funding_not_allowed"
    default_detail = "Only staff may fund a trader (or anyone registering a new trader when self-funding is on)."


class TraderExists(TradingError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "trader_exists"
    default_detail = "A user with this username already exists; a trader is created once."


class InsufficientHoldings(TradingError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "insufficient_holdings"
    default_detail = "You do not hold enough free shares (shares promised to resting sells are not free)."
