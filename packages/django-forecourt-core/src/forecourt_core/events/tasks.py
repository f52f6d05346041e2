"""Celery tasks of the event relay (plain shared_task: a tenant-aware app may carry its schema)."""
from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="forecourt_events.relay", acks_late=True, ignore_result=True)
def relay_events(ids: list[str] | None = None, limit: int | None = None) -> int:
    """Periodic (beat) and after each commit that recorded events: deliver due events."""
    return services.events_relay(ids=ids, limit=limit)


@shared_task(name="forecourt_events.purge", acks_late=True, ignore_result=True)
def purge_events(older_than_days: int | None = None) -> int:
    """Periodic (daily): delete delivered events past FORECOURT_EVENTS_RETENTION_DAYS."""
    return services.events_purge(older_than_days=older_than_days)
