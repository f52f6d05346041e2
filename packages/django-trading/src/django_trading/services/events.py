"""The domain events django-trading records (forecourt_core.events), in the transaction of the change.

Kinds:
- ``trading.order_placed`` (``order_id``), with every accepted order, and ``trading.order_triggered``
  (``order_id``), when an ingested bar crosses a resting limit: django-trading's own handler
  (``handlers.py``) settles the order from the relay, so an order that is pending is also an event
  waiting to be delivered, and a crash after the commit delays its settlement, never loses it.
- ``trading.order_settled`` and ``trading.order_rejected`` (``reason`` holds the code), in the
  settlement transaction.
"""
from uuid import UUID

from forecourt_core.events.services import event_record, event_record_many

from ..models import Order

ORDER_PLACED = "trading.order_placed"
ORDER_TRIGGERED = "trading.order_triggered"


def record_order_placed(order: Order) -> None:
    event_record(kind=ORDER_PLACED, data={"order_id": order.pk, "status": order.status})


def record_orders_triggered(order_ids: list[UUID]) -> None:
    if order_ids:
        event_record_many(kind=ORDER_TRIGGERED, data=[{"order_id": pk} for pk in order_ids])


def record_order_finished(order: Order) -> None:
    kind = "trading.order_settled" if order.status == Order.Status.SETTLED else "trading.order_rejected"
    event_record(kind=kind, data={
        "order_id": order.pk, "user_id": order.user_id, "side": order.side, "order_type": order.order_type,
        "ticker": order.ticker, "volume": order.volume, "price": order.price, "amount": order.amount,
        "reason": order.reason, "status": order.status,
    })
