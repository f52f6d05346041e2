"""Enqueueing settlement. The pending order row is the outbox: enqueueing is only a fast path."""
import logging
from datetime import timedelta
from uuid import UUID

from django.utils import timezone

from .. import conf
from ..models import Order

logger = logging.getLogger(__name__)


def enqueue_settlement(order_ids: list[UUID]) -> int:
    """Send ``trading.settle_order`` for each id; a broker error is logged, and the sweep retries later."""
    from ..tasks import settle_order

    sent = 0
    for order_id in order_ids:
        try:
            settle_order.apply_async(args=[str(order_id)], queue=conf.get("TRADING_CELERY_QUEUE"), retry=True,
                                     retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2})
            sent += 1
        except Exception:  # noqa: BLE001 - any broker failure: the rows stay pending and are swept
            # Stop at the first failure: the broker is down, and each further try would only add latency.
            logger.warning("trading: could not enqueue order %s (%d more not tried); the sweep will retry",
                           order_id, len(order_ids) - sent - 1, exc_info=True)
            break
    return sent


def orders_sweep_pending(*, older_than_seconds: float | None = None, limit: int | None = None) -> list[UUID]:
    """Re-enqueue orders pending for longer than ``older_than_seconds`` (lost or delayed messages)."""
    seconds = conf.get("TRADING_SWEEP_AFTER_SECONDS") if older_than_seconds is None else older_than_seconds
    limit = limit or conf.get("TRADING_SWEEP_BATCH")
    cutoff = timezone.now() - timedelta(seconds=seconds)
    ids = list(Order.objects.filter(status=Order.Status.PENDING, pending_since__lte=cutoff)
               .order_by("pending_since").values_list("id", flat=True)[:limit])
    enqueue_settlement(ids)
    return ids
