"""Reads: the undelivered backlog (for metrics and health) and event lookups."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from .models import Event

OPEN = [Event.Status.PENDING, Event.Status.CLAIMED]


@dataclass(frozen=True)
class Backlog:
    count: int  # events not delivered yet (pending or claimed)
    oldest_age_seconds: float  # age of the oldest of them; 0.0 when there are none
    failed: int  # events that ran out of attempts


def event_backlog(*, now: datetime | None = None) -> Backlog:
    """The relay's backlog in one query."""
    row = Event.objects.filter(status__in=[*OPEN, Event.Status.FAILED]).aggregate(
        count=Count("id", filter=Q(status__in=OPEN)),
        oldest=Min("created_at", filter=Q(status__in=OPEN)),
        failed=Count("id", filter=Q(status=Event.Status.FAILED)),
    )
    oldest = row["oldest"]
    age = max(((now or timezone.now()) - oldest).total_seconds(), 0.0) if oldest else 0.0
    return Backlog(count=row["count"], oldest_age_seconds=age, failed=row["failed"])


def event_list(*, kind: str | None = None, status: str | None = None) -> QuerySet[Event]:
    events = Event.objects.all()
    if kind:
        events = events.filter(kind=kind)
    if status:
        events = events.filter(status=status)
    return events.order_by("created_at")
