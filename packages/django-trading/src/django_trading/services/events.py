"""The domain events django-trading records (forecourt_core.events), in the settlement transaction.

Kinds: ``trading.order_settled`` and ``trading.order_rejected`` (``reason`` holds the code).
"""
from forecourt_core.events.services import event_record

from ..models import Order


def record_order_finished(order: Order) -> None:
    kind = "trading.order_settled" if order.status == Order.Status.SETTLED else "trading.order_rejected"
    event_record(kind=kind, data={
        "order_id": order.pk, "user_id": order.user_id, "side": order.side, "order_type": order.order_type,
        "ticker": order.ticker, "volume": order.volume, "price": order.price, "amount": order.amount,
        "reason": order.reason, "status": order.status,
    })
