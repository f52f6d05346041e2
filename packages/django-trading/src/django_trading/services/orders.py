"""Placing and cancelling orders. Settlement lives in settlement.py and runs in a Celery task."""
import re
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..errors import IdempotencyConflict, InvalidOrder, OrderNotCancellable
from ..models import TICKER_PATTERN, Order, Stock
from .outbox import enqueue_settlement

CENT = Decimal("0.01")


def _validate(*, ticker: str, side: str, volume: int, order_type: str, limit_price: Decimal | None) -> None:
    if not isinstance(ticker, str) or not re.match(TICKER_PATTERN, ticker):
        raise InvalidOrder("ticker must match " + TICKER_PATTERN)
    if side not in Order.Side.values:
        raise InvalidOrder("transaction_type must be buy or sell")
    if order_type not in Order.Type.values:
        raise InvalidOrder("order_type must be market or limit")
    if isinstance(volume, bool) or not isinstance(volume, int) or not 0 < volume < 2**31:
        raise InvalidOrder("transaction_volume must be a positive integer")
    if order_type == Order.Type.MARKET:
        if limit_price is not None:
            raise InvalidOrder("limit_price is only for limit orders")
        return
    if not isinstance(limit_price, Decimal) or not limit_price.is_finite() or not 0 < limit_price < Decimal(10) ** 16 \
            or limit_price != limit_price.quantize(CENT):
        raise InvalidOrder("a limit order needs a positive limit_price with at most 2 decimal places")


def _same_request(order: Order, **fields) -> bool:
    return all(getattr(order, name) == value for name, value in fields.items())


def _crosses(side: str, limit: Decimal, price: Decimal) -> bool:
    return price <= limit if side == Order.Side.BUY else price >= limit


def order_create(*, user, ticker: str, side: str, volume: int, order_type: str = Order.Type.MARKET,
                 limit_price: Decimal | None = None, idempotency_key: str | None = None) -> tuple[Order, bool]:
    """Accept an order; returns ``(order, created)``. Nothing is checked against cash or holdings here:
    settlement decides, under locks. The same idempotency key with the same order returns the first
    order; with another order it raises IdempotencyConflict.

    A limit order whose limit the current price already crosses is pending at once; otherwise it
    rests until an ingested bar crosses it. The stock row is locked while deciding, so an ingest
    cannot slip between the price check and the commit.
    """
    _validate(ticker=ticker, side=side, volume=volume, order_type=order_type, limit_price=limit_price)
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
                stock = (Stock.objects.select_for_update(of=("self",)).select_related("latest_bar")
                         .filter(ticker=ticker).first())
                if stock is not None and stock.latest_bar is not None \
                        and not _crosses(side, limit_price, stock.latest_bar.close):
                    status = Order.Status.RESTING
            order = Order.objects.create(user=user, status=status, idempotency_key=idempotency_key, created_at=now,
                                         pending_since=now if status == Order.Status.PENDING else None, **request)
            if status == Order.Status.PENDING:
                transaction.on_commit(lambda: enqueue_settlement([order.id]))
    except IntegrityError:
        # A concurrent request with the same idempotency key committed first.
        existing = Order.objects.filter(user=user, idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        if not _same_request(existing, **request):
            raise IdempotencyConflict() from None
        return existing, False
    return order, True


@transaction.atomic
def order_cancel(*, order: Order) -> Order:
    """Cancel a resting limit order; anything else raises OrderNotCancellable."""
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if locked.status != Order.Status.RESTING:
        raise OrderNotCancellable()
    locked.status = Order.Status.CANCELLED
    locked.settled_at = timezone.now()
    locked.save(update_fields=["status", "settled_at"])
    return locked
