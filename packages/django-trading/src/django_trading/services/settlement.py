"""Settling one order: what the handler of its ``trading.order_placed`` / ``order_triggered`` event runs.

Idempotent: the order row is locked and nothing happens unless it is still pending, so an event
delivered twice has no second effect (the wallet transfer also carries the order id as its
idempotency key).
"""
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from django_wallet import services as wallet
from forecourt_core.errors import DomainError
from forecourt_core.signals import send_on_commit

from .. import cache, conf
from ..models import Holding, Order, Stock
from ..signals import order_rejected, trade_settled
from .events import record_order_finished
from .orders import unreserve
from .stocks import lock_stocks
from .traders import trader_account

CENT = Decimal("0.01")


def _fill_price(order: Order, last: Decimal) -> Decimal:
    """Market orders fill at the latest close; a limit order never fills worse than its limit."""
    if order.order_type == Order.Type.MARKET:
        return last
    return min(order.limit_price, last) if order.side == Order.Side.BUY else max(order.limit_price, last)


def _finish(order: Order, stock: Stock | None, *, status: str, reason: str = "") -> Order:
    order.status, order.reason, order.settled_at = status, reason, timezone.now()
    order.save(update_fields=["status", "reason", "price", "amount", "wallet_transaction_id", "settled_at",
                              "shares_reserved"])
    record_order_finished(order)
    names = [cache.trader(order.user.get_username())]
    if status == Order.Status.SETTLED:
        names += [cache.STOCKS, cache.stock(stock.ticker)]
    cache.bump_on_commit(*names)
    send_on_commit(trade_settled if status == Order.Status.SETTLED else order_rejected, sender=Order, order=order)
    return order


def _move_cash(order: Order, source, destination, amount: Decimal):
    if amount == 0:  # a zero price is valid market data, and the wallet refuses zero transfers
        return None
    with transaction.atomic():
        if order.hold_id is not None:  # a resting buy pays from its hold; capture releases the rest
            return wallet.capture(hold=order.hold, destination=destination, amount=amount, kind=f"trading_{order.side}",
                                  memo=f"{order.side} {order.volume} {order.ticker} @ {order.price}",
                                  metadata={"trading_order": str(order.id)})
        return wallet.transfer(source=source, destination=destination, amount=amount, kind=f"trading_{order.side}",
                               memo=f"{order.side} {order.volume} {order.ticker} @ {order.price}",
                               metadata={"trading_order": str(order.id)},
                               idempotency_key=str(order.id), idempotency_scope="trading.order")


def order_settle(*, order_id: UUID | str) -> Order | None:
    """Settle a pending order at the current price, or reject it with a reason code."""
    peek = Order.objects.filter(pk=order_id).only("ticker", "status").first()
    if peek is None or peek.status != Order.Status.PENDING:
        return peek
    with transaction.atomic():
        stock = lock_stocks([peek.ticker]).get(peek.ticker)
        order = Order.objects.select_for_update(of=("self",)).select_related("user").get(pk=order_id)
        if order.status != Order.Status.PENDING:
            return order
        if stock is None or stock.latest_bar is None:
            return _reject(order, None, Order.Reason.UNKNOWN_TICKER)

        order.price = _fill_price(order, stock.latest_bar.close)
        order.amount = order.price * order.volume
        holding = Holding.objects.select_for_update().filter(user=order.user, stock=stock).first()
        trader, market = trader_account(order.user), wallet.system_account(conf.get("TRADING_MARKET_ACCOUNT"))

        if order.side == Order.Side.BUY:
            if stock.volume < order.volume:
                return _reject(order, stock, Order.Reason.INSUFFICIENT_VOLUME, holding)
            try:
                posted = _move_cash(order, trader, market, order.amount)
            except DomainError as error:  # any wallet refusal ends the order: a retry would meet it again
                return _reject(order, stock, error.code, holding)
            if holding is None:
                holding = Holding(user=order.user, stock=stock)
            holding.quantity += order.volume
            holding.cost_basis += order.amount
            stock.volume -= order.volume
        else:
            unreserve(order, holding)  # a resting sell's own shares become free to sell right here
            if holding is None or holding.free < order.volume:
                return _reject(order, stock, Order.Reason.INSUFFICIENT_HOLDINGS, holding)
            try:
                posted = _move_cash(order, market, trader, order.amount)
            except DomainError as error:
                return _reject(order, stock, error.code, holding)
            # Release the sold shares' share of the cost basis; selling everything releases all of it.
            if order.volume == holding.quantity:
                released = holding.cost_basis
            else:
                released = (holding.cost_basis * order.volume / holding.quantity).quantize(CENT)
            holding.quantity -= order.volume
            holding.cost_basis -= released
            holding.realised_pnl += order.amount - released
            stock.volume += order.volume

        holding.save()
        stock.save(update_fields=["volume", "updated_at"])
        order.wallet_transaction_id = posted.id if posted is not None else None
        unreserve(order, holding)  # a zero-price fill captured nothing: give the hold back
        return _finish(order, stock, status=Order.Status.SETTLED)


def _reject(order: Order, stock: Stock | None, reason: str, holding: Holding | None = None) -> Order:
    unreserve(order, holding)
    order.price = order.amount = None
    return _finish(order, stock, status=Order.Status.REJECTED, reason=reason)
