"""Every write: notify (the inbox row and its delivery events), mark read, preferences."""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from forecourt_core.events.services import event_record_many

from . import conf, selectors
from .delivery import EMAIL_DUE, PUSH_DUE, channel_layer
from .emails import render_email
from .errors import InvalidNotification, InvalidPreference, NotificationNotFound
from .groups import user_group
from .models import Notification, Preference

logger = logging.getLogger(__name__)

KIND_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


# --- notify --------------------------------------------------------------------------------------


def notify(
    *, recipient, kind: str, title: str, body: str = "", link: str = "", data: dict | None = None, event_id=None
) -> Notification | None:
    """Write the inbox row and, in the same transaction, one delivery event per other allowed channel.

    The e-mail and the push are events of the kernel's outbox (``notifications.email_due``,
    ``notifications.push_due``): the relay delivers each once after the commit, and retries it with
    backoff while the mail server or the channel layer is down. If the user disabled the inbox for
    this kind, the returned notification is unsaved (pk None). ``event_id`` (the domain event
    announced) makes it once per event and recipient: None if already notified.
    """
    notes = notify_many(recipients=[recipient], kind=kind, title=title, body=body, link=link, data=data,
                        event_id=event_id)
    return notes[0] if notes else None


def notify_many(
    *, recipients: Iterable, kind: str, title: str, body: str = "", link: str = "", data: dict | None = None,
    event_id=None,
) -> list[Notification]:
    """``notify`` for many users at once (a few queries whatever the number of recipients); with
    ``event_id``, users already notified of that event are left out."""
    data = {} if data is None else data
    _validate(kind=kind, title=title, body=body, link=link, data=data)
    users = _not_yet_told(list({u.pk: u for u in recipients}.values()), event_id)
    if not users:
        return []
    channels = selectors.enabled_channels(user_ids=[u.pk for u in users], kind=kind)
    now = timezone.now()
    notes = [
        Notification(recipient=u, kind=kind, title=title, body=body, link=link, data=data, created_at=now,
                     source_event=event_id)
        for u in users
    ]
    with transaction.atomic():
        Notification.objects.bulk_create([n for n in notes if conf.CHANNEL_INBOX in channels[n.recipient_id]])
        for due, items in _deliveries(notes, channels):
            if items:
                event_record_many(kind=due, keys=[k for k, _ in items], data=[d for _, d in items])
    return notes


def _not_yet_told(users: list, event_id) -> list:
    """Leave out the users already notified of ``event_id`` (a redelivered event notifies once)."""
    if event_id is None or not users:
        return users
    told = set(Notification.objects.filter(source_event=event_id, recipient_id__in=[u.pk for u in users])
               .values_list("recipient_id", flat=True))
    return [u for u in users if u.pk not in told]


def _deliveries(notes: list[Notification], channels: dict) -> tuple:
    """The e-mail and push deliveries due for ``notes``, each a (key, payload) pair, per event kind."""
    emails, pushes = [], []
    for note in notes:
        wanted = channels[note.recipient_id]
        address = _email_of(note.recipient)
        if conf.CHANNEL_EMAIL in wanted and address:
            emails.append((_delivery_key(conf.CHANNEL_EMAIL, note), _email_payload(note, address)))
        if conf.CHANNEL_PUSH in wanted:
            pushes.append((_delivery_key(conf.CHANNEL_PUSH, note), _push_payload(note)))
    return (EMAIL_DUE, emails), (PUSH_DUE, pushes)


def _delivery_key(channel: str, note: Notification) -> str:
    """One delivery per announced event, recipient and channel (no key without an announced event)."""
    if note.source_event is None:
        return ""
    return f"notifications.{channel}:{note.source_event}:{note.recipient_id}"


def _validate(*, kind: str, title: str, body: str, link: str, data: Any) -> None:
    if not isinstance(kind, str) or not KIND_RE.match(kind):
        raise InvalidNotification("kind must be 1-64 characters of letters, digits and _ . : -")
    if not isinstance(title, str) or not title.strip() or len(title) > 200:
        raise InvalidNotification("title must be 1-200 characters.")
    if not isinstance(body, str):
        raise InvalidNotification("body must be a string.")
    if not isinstance(link, str) or len(link) > 500:
        raise InvalidNotification("link must be a string of at most 500 characters.")
    if not isinstance(data, dict):
        raise InvalidNotification("data must be a JSON object.")
    try:
        json.dumps(data, cls=DjangoJSONEncoder)
    except (TypeError, ValueError) as exc:
        raise InvalidNotification(f"data is not JSON serialisable: {exc}") from exc


def _email_of(user) -> str:
    return getattr(user, user.get_email_field_name(), "") or ""


def _email_payload(note: Notification, to: str) -> dict:
    return {"to": to, "kind": note.kind, "notification_id": note.pk, **render_email(note)}


def notification_as_dict(note: Notification) -> dict:
    """The JSON shape of a notification, shared by the API and websocket pushes."""
    return {
        "id": note.pk,
        "kind": note.kind,
        "title": note.title,
        "body": note.body,
        "link": note.link,
        "data": json.loads(json.dumps(note.data, cls=DjangoJSONEncoder)),
        "created_at": note.created_at.isoformat(),
        "read_at": note.read_at.isoformat() if note.read_at else None,
    }


def _push_payload(note: Notification) -> dict:
    # The group is chosen now, in the context the notification is written in (NOTIFICATIONS_GROUP_PREFIX).
    return {"recipient_id": note.recipient_id, "kind": note.kind, "group": user_group(note.recipient_id),
            "notification": notification_as_dict(note)}


# --- inbox ---------------------------------------------------------------------------------------


def mark_read(*, user, notification_id: int) -> Notification:
    """Mark one of ``user``'s notifications read (idempotent); someone else's id is NotificationNotFound."""
    with transaction.atomic():
        note = Notification.objects.filter(recipient=user, pk=notification_id).first()
        if note is None:
            raise NotificationNotFound()
        if note.read_at is None:
            note.read_at = timezone.now()
            # Guarded update: a concurrent mark keeps the first timestamp.
            Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=note.read_at)
            _broadcast_unread_count_on_commit(user.pk)
    return note


def mark_all_read(*, user) -> int:
    with transaction.atomic():
        updated = Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
        if updated:
            _broadcast_unread_count_on_commit(user.pk)
    return updated


def _broadcast_unread_count_on_commit(user_id: int) -> None:
    group = user_group(user_id)  # chosen now: on_commit may run in another context

    def send() -> None:
        # Best effort: other open tabs update their badge; a layer outage must not fail the request.
        try:
            layer = channel_layer()
            if layer is None:
                return
            count = selectors.unread_count(user_id=user_id)
            async_to_sync(layer.group_send)(group, {"type": "notification.unread_count", "count": count})
        except Exception:
            logger.warning("notifications: unread-count broadcast failed for user %s", user_id, exc_info=True)

    transaction.on_commit(send)


# --- preferences ---------------------------------------------------------------------------------


def preferences_set(*, user, items: list[dict]) -> list[Preference]:
    """Replace the user's explicit preferences with ``items`` ({kind, channel, enabled})."""
    seen: set[tuple[str, str]] = set()
    prefs = []
    for item in items:
        kind, channel, enabled = item.get("kind"), item.get("channel"), item.get("enabled")
        if not isinstance(kind, str) or (kind != "*" and not KIND_RE.match(kind)):
            raise InvalidPreference(f"invalid kind {kind!r}")
        if channel not in conf.CHANNELS:
            raise InvalidPreference(f"channel must be one of {', '.join(conf.CHANNELS)}")
        if not isinstance(enabled, bool):
            raise InvalidPreference("enabled must be a boolean")
        if (kind, channel) in seen:
            raise InvalidPreference(f"duplicate preference {kind}/{channel}")
        seen.add((kind, channel))
        prefs.append(Preference(user=user, kind=kind, channel=channel, enabled=enabled))
    with transaction.atomic():
        Preference.objects.filter(user=user).delete()
        Preference.objects.bulk_create(prefs)
    return prefs
