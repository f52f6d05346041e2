"""One row per domain event, written in the transaction of the change it announces.

Status: pending -> claimed (a relay took it) -> delivered (every handler ran, in the same
transaction that marked it), or back to pending with a later ``available_at`` after a handler
failed, and failed after FORECOURT_EVENTS_MAX_ATTEMPTS.
"""
from __future__ import annotations

import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Event(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        CLAIMED = "claimed"
        DELIVERED = "delivered"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=100)
    data = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    route = models.CharField(max_length=100, blank=True, default="",
                             help_text="Where the event's handlers run (the site's route hook).")
    request_id = models.CharField(max_length=128, blank=True, default="")
    # A recorder's own name for the event ("" for none): an event is recorded once per key, so a second
    # record of the same key is no event at all (e.g. one e-mail per notified event and recipient).
    key = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    available_at = models.DateTimeField(default=timezone.now, help_text="Not relayed before this time.")
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            # The relay and the backlog only read undelivered events (delivered ones are most of the table).
            models.Index(fields=["available_at"], name="forecourt_event_open",
                         condition=Q(status__in=["pending", "claimed", "failed"])),
            models.Index(fields=["kind", "created_at"], name="forecourt_event_kind"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=~Q(key=""), name="forecourt_event_key_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.status})"
