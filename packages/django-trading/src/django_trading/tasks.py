"""Celery tasks of the trading desk: thin wrappers over services, routed to the "trading" queue.

Results are ignored: nobody waits on them (clients poll the order), and with a result backend a
send during a Redis outage would first retry the backend for many seconds instead of failing fast.
"""
from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(name="trading.settle_order", acks_late=True, ignore_result=True, autoretry_for=(OperationalError,),
             retry_backoff=True, max_retries=5)
def settle_order(order_id: str) -> str | None:
    order = services.order_settle(order_id=order_id)
    return order.status if order is not None else None


@shared_task(name="trading.sweep_pending", acks_late=True, ignore_result=True, autoretry_for=(OperationalError,),
             retry_backoff=True, max_retries=3)
def sweep_pending() -> int:
    """Periodic (beat, every few seconds): re-enqueue orders whose message was lost or delayed."""
    return len(services.orders_sweep_pending())
