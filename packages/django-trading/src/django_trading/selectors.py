"""Reads of the trading desk."""
from datetime import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from django_wallet import selectors as wallet_selectors

from . import conf
from .models import Holding, Order, PriceBar, Stock
from .services.traders import trader_account


def stock_list() -> QuerySet[Stock]:
    return Stock.objects.select_related("latest_bar").order_by("ticker")


def stock_get(*, ticker: str) -> Stock | None:
    return Stock.objects.select_related("latest_bar").filter(ticker=ticker).first()


def bar_recent(*, stock: Stock, limit: int | None = None) -> list[PriceBar]:
    return list(PriceBar.objects.filter(stock=stock).order_by("-timestamp")[: limit or conf.get("TRADING_RECENT_BARS")])


def user_get(*, username: str):
    User = get_user_model()
    return User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()


def user_get_by_pk(*, pk: str):
    User = get_user_model()
    try:
        return User._default_manager.filter(pk=pk).first()
    except (ValueError, TypeError, ValidationError):  # a pk of the wrong shape is simply "no such user"
        return None


def holding_list(*, user) -> list[Holding]:
    return list(Holding.objects.filter(user=user).select_related("stock__latest_bar").order_by("stock__ticker"))


def holding_valuation(holding: Holding) -> dict:
    """Market value and profit and loss of one holding at the current price."""
    price = holding.stock.price
    value = (price * holding.quantity) if price is not None else None
    return {
        "price": price,
        "market_value": value,
        "unrealised_pnl": (value - holding.cost_basis) if value is not None else None,
    }


def trader_balance(*, user) -> Decimal:
    return wallet_selectors.balance(trader_account(user))


def trader_available_balance(*, user) -> Decimal:
    """The balance less the cash held for resting limit buys."""
    return wallet_selectors.available_balance(trader_account(user))


def order_history(*, user, start: datetime | None = None, end: datetime | None = None) -> QuerySet[Order]:
    """The user's orders, newest first; ``start`` and ``end`` are both inclusive (on ``created_at``)."""
    qs = Order.objects.filter(user=user)
    if start is not None:
        qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lte=end)
    return qs.order_by("-created_at", "-id")
