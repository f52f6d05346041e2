"""Domain errors of the trading desk. Each has a stable machine ``code`` and is a 4xx for an API.

Settlement outcomes (``insufficient_funds``, ``insufficient_holdings``, ``unknown_ticker``, ...)
are not errors: the order is accepted (202) and later ends ``rejected`` with that reason code.
"""
from forecourt_core.errors import Conflict, IdempotencyConflict, InvalidInput, NotFound, NotPermitted

__all__ = [
    "InvalidBar", "BarConflict", "ImmutableBar", "InvalidOrder", "InvalidTimestamp", "InvalidRange",
    "UnknownTicker", "TraderNotFound", "OrderNotFound", "OrderNotCancellable", "IdempotencyConflict",
    "FundingNotAllowed", "TraderExists", "InsufficientHoldings",
]


class InvalidBar(InvalidInput):
    code = "invalid_bar"
    message = "The price bar is invalid."


class BarConflict(Conflict):
    code = "bar_conflict"
    message = "A different bar already exists for this ticker and timestamp; bars are immutable."


class ImmutableBar(Conflict):
    code = "immutable_bar"
    message = "Price bars can never be updated or deleted."


class InvalidOrder(InvalidInput):
    code = "invalid_order"
    message = "The order is invalid."


class InvalidTimestamp(InvalidInput):
    code = "invalid_timestamp"
    message = "Timestamps must be ISO-8601 or unix seconds."


class InvalidRange(InvalidInput):
    code = "invalid_range"
    message = "The start timestamp is after the end timestamp."


class UnknownTicker(NotFound):
    code = "unknown_ticker"
    message = "No such ticker."


class TraderNotFound(NotFound):
    code = "trader_not_found"
    message = "No such user."


class OrderNotFound(NotFound):
    code = "order_not_found"
    message = "No such order."


class OrderNotCancellable(Conflict):
    code = "order_not_cancellable"
    message = "Only a resting limit order can be cancelled."


class FundingNotAllowed(NotPermitted):
    code = "funding_not_allowed"
    message = "Only staff may fund a trader (or anyone registering a new trader when self-funding is on)."


class TraderExists(Conflict):
    code = "trader_exists"
    message = "A user with this username already exists; a trader is created once."


class InsufficientHoldings(Conflict):
    code = "insufficient_holdings"
    message = "You do not hold enough free shares (shares promised to resting sells are not free)."
