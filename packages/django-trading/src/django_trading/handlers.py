"""django-trading's own handlers of the event relay (forecourt_core.events): settlement.

An order placed pending, or a resting limit a bar crossed, is settled by the relay that delivers its
``trading.order_placed`` / ``trading.order_triggered`` event, in the transaction that marks the event
delivered: the order is settled exactly when its event is delivered. ``order_settle`` locks the order
and does nothing unless it is still pending, so an event delivered twice settles once.
"""
from forecourt_core.events.registry import handles

from .services.events import ORDER_PLACED, ORDER_TRIGGERED
from .services.settlement import order_settle


@handles(ORDER_PLACED, name="trading.settle_placed_order")
@handles(ORDER_TRIGGERED, name="trading.settle_triggered_order")
def settle(event) -> None:
    order_settle(order_id=event.data["order_id"])
