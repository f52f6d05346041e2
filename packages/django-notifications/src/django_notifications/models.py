"""Notifications: an inbox row per recipient, and each user's channel preferences.

- ``Notification`` is the inbox (unread = ``read_at IS NULL``); the composite index
  (recipient, read_at, -created_at) serves both the unread filter and the unread count.
- ``Preference`` rows override the NOTIFICATIONS_DEFAULT_CHANNELS setting per (kind, channel);
  kind "*" applies to every kind.

E-mails and pushes have no table of their own: each is an event of the kernel's outbox
(``forecourt_core.events``), recorded with the notification and delivered by ``delivery.py``.
"""
from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone

from . import conf


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # The domain event this notification announces (notify(event_id=...)): one per event and recipient.
    source_event = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notif_recipient_read_created")]
        constraints = [
            models.UniqueConstraint(fields=["source_event", "recipient"], condition=Q(source_event__isnull=False),
                                    name="notif_one_per_event_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Preference(models.Model):
    CHANNEL_CHOICES = [(c, c) for c in conf.CHANNELS]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=64, help_text='A notification kind, or "*" for every kind.')
    channel = models.CharField(max_length=16, choices=CHANNEL_CHOICES)
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="notif_pref_unique"),
            models.CheckConstraint(condition=Q(channel__in=conf.CHANNELS), name="notif_pref_channel_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}/{self.channel}={'on' if self.enabled else 'off'}"
