"""Placing and cancelling orders. Settlement lives in settlement.py and runs from the event relay."""
import re
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from django_wallet import selectors as wallet_selectors
from django_wallet import services as wallet
from forecourt_core.amounts import MAX_AMOUNT, validate_amount
from forecourt_core.errors import InvalidAmount

from .. import cache
from ..errors import IdempotencyConflict, InsufficientHoldings, InvalidOrder, OrderNotCancellable, UnknownTicker
from ..models import TICKER_PATTERN, Holding, Order, Stock
from .events import record_order_placed
from .stocks import lock_stocks
from .traders import trader_account

CENT = Decimal("0.01")


def _validate(*, ticker: str, side: str, volume: int, order_type: str, limit_price: Decimal | None) -> None:
    if not isinstance(ticker, str) or not re.match(TICKER_PATTERN, ticker):
        raise InvalidOrder("ticker must match " + TICKER_PATTERN)
    if side not in Order.Side.values:
        raise InvalidOrder("side must be buy or sell")
    if order_type not in Order.Type.values:
        raise InvalidOrder("order_type must be market or limit")
    if isinstance(volume, bool) or not isinstance(volume, int) or not 0 < volume < 2**31:
        raise InvalidOrder("volume must be a positive integer")
    if order_type == Order.Type.MARKET:
        if limit_price is not None:
            raise InvalidOrder("limit_price is only for limit orders")
        return
    try:
        validate_amount(limit_price)
    except InvalidAmount:
        raise InvalidOrder("a limit order needs a positive limit_price with at most 2 decimal places") from None


def _check_worst_case(volume: int, limit_price: Decimal | None, last: Decimal | None) -> None:
    """Refuse an order whose amount at the known prices (its limit, the latest close) is more than the
    wallet can move: it could only ever be rejected. A price rising later still rejects it at settlement."""
    prices = [p for p in (limit_price, last) if p is not None]
    if prices and max(prices) * volume >= MAX_AMOUNT:
        raise InvalidOrder("price x volume exceeds the largest amount the wallet can move",
                           code="order_amount_too_large", fields={"volume": ["order_amount_too_large"]})


def _same_request(order: Order, **fields) -> bool:
    return all(getattr(order, name) == value for name, value in fields.items())


def _crosses(side: str, limit: Decimal, price: Decimal) -> bool:
    return price <= limit if side == Order.Side.BUY else price >= limit


def order_create(*, user, ticker: str, side: str, volume: int, order_type: str = Order.Type.MARKET,
                 limit_price: Decimal | None = None, idempotency_key: str | None = None) -> tuple[Order, bool]:
    """Accept an order; returns ``(order, created)``. The same idempotency key with the same order
    returns the first order; with another order it raises IdempotencyConflict.

    A limit order whose limit the current price already crosses is pending at once; otherwise it
    rests until an ingested bar crosses it, and reserves what it needs: a buy holds limit x volume
    in the wallet, a sell reserves its shares (409 insufficient_funds / insufficient_holdings if they
    are not free). Pending orders are checked at settlement, under locks, against what is free. The
    stock row is locked while deciding, so an ingest cannot slip between the price check and the
    commit.
    """
    _validate(ticker=ticker, side=side, volume=volume, order_type=order_type, limit_price=limit_price)
    stock = Stock.objects.filter(ticker=ticker).select_related("latest_bar").first()
    if stock is None:
        raise UnknownTicker()  # refused at once, nothing stored (settlement still rejects a stock gone since)
    _check_worst_case(volume, limit_price, stock.latest_bar.close if stock.latest_bar is not None else None)
    request = {"ticker": ticker, "side": side, "volume": volume, "order_type": order_type, "limit_price": limit_price}
    if idempotency_key is not None:
        existing = Order.objects.filter(user=user, idempotency_key=idempotency_key).first()
        if existing is not None:
            if not _same_request(existing, **request):
                raise IdempotencyConflict()
            return existing, False
    try:
        with transaction.atomic():
            now = timezone.now()
            status = Order.Status.PENDING
            if order_type == Order.Type.LIMIT:
                stock = lock_stocks([ticker]).get(ticker)
                if stock is not None and stock.latest_bar is not None \
                        and not _crosses(side, limit_price, stock.latest_bar.close):
                    status = Order.Status.RESTING
            order = Order(user=user, status=status, idempotency_key=idempotency_key, created_at=now,
                          pending_since=now if status == Order.Status.PENDING else None, **request)
            if status == Order.Status.RESTING:
                _reserve(order, stock)
            order.save(force_insert=True)
            record_order_placed(order)  # its handler settles a pending order once this commits
            if status == Order.Status.RESTING:  # its reservation changes the trader's available cash or free shares
                cache.bump_on_commit(cache.trader(user.get_username()))
    except IntegrityError:
        # A concurrent request with the same idempotency key committed first.
        existing = Order.objects.filter(user=user, idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        if not _same_request(existing, **request):
            raise IdempotencyConflict() from None
        return existing, False
    return order, True


def _reserve(order: Order, stock: Stock) -> None:
    """Set aside what a resting order will need when it fills (under the stock lock already held)."""
    if order.side == Order.Side.BUY:
        order.hold = wallet.hold(account=trader_account(order.user), amount=order.limit_price * order.volume,
                                 memo=f"resting buy {order.volume} {order.ticker} @ {order.limit_price}",
                                 metadata={"trading_order": str(order.id)})
        return
    holding = Holding.objects.select_for_update().filter(user=order.user, stock=stock).first()
    if holding is None or holding.free < order.volume:
        raise InsufficientHoldings()
    holding.reserved += order.volume
    holding.save(update_fields=["reserved", "updated_at"])
    order.shares_reserved = True


def unreserve(order: Order, holding: Holding | None) -> None:
    """Give back what a resting order reserved (its wallet hold, or its shares on the locked holding)."""
    if order.hold_id is not None and wallet_selectors.hold_is_active(order.hold):
        wallet.release(hold=order.hold)
    if order.shares_reserved:
        holding.reserved -= order.volume
        holding.save(update_fields=["reserved", "updated_at"])
        order.shares_reserved = False


@transaction.atomic
def order_cancel(*, order: Order) -> Order:
    """Cancel a resting limit order, giving back what it reserved; anything else raises OrderNotCancellable."""
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if locked.status != Order.Status.RESTING:
        raise OrderNotCancellable()
    holding = (Holding.objects.select_for_update(of=("self",))
               .filter(user_id=locked.user_id, stock__ticker=locked.ticker).first())
    unreserve(locked, holding)
    locked.status = Order.Status.CANCELLED
    locked.settled_at = timezone.now()
    locked.save(update_fields=["status", "settled_at", "shares_reserved"])
    username = order.user.get_username()
    cache.bump_on_commit(cache.trader(username))
    return locked
