"""Every write: notify, mark read, preferences, the outbox relay and the delivery steps run by tasks."""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from asgiref.sync import async_to_sync
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from . import conf, selectors
from .emails import render_email
from .errors import InvalidNotification, InvalidPreference, NotificationNotFound
from .groups import user_group
from .models import Notification, OutboxMessage, Preference

logger = logging.getLogger(__name__)

KIND_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
Status = OutboxMessage.Status


# --- notify --------------------------------------------------------------------------------------


def notify(
    *, recipient, kind: str, title: str, body: str = "", link: str = "", data: dict | None = None, event_id=None
) -> Notification | None:
    """Write the inbox row and, in the same transaction, one outbox row per allowed channel.

    Delivery is attempted right after commit; if the broker is down the rows stay pending for the
    relay. If the user disabled the inbox for this kind, the returned notification is unsaved (pk None).
    ``event_id`` (the domain event announced) makes it once per event: None if already notified.
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
    users = list({u.pk: u for u in recipients}.values())
    if event_id is not None and users:
        told = set(Notification.objects.filter(source_event=event_id, recipient_id__in=[u.pk for u in users])
                   .values_list("recipient_id", flat=True))
        users = [u for u in users if u.pk not in told]
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
        rows = []
        for note in notes:
            wanted = channels[note.recipient_id]
            saved = note if note.pk else None
            email = _email_of(note.recipient)
            if conf.CHANNEL_EMAIL in wanted and email:
                rows.append(OutboxMessage(channel=OutboxMessage.Channel.EMAIL, notification=saved,
                                          payload=_email_payload(note, email)))
            if conf.CHANNEL_PUSH in wanted:
                rows.append(OutboxMessage(channel=OutboxMessage.Channel.PUSH, notification=saved,
                                          payload=_push_payload(note)))
        OutboxMessage.objects.bulk_create(rows)
        if rows:
            ids = [r.pk for r in rows]
            transaction.on_commit(lambda: dispatch_outbox(ids=ids))
    return notes


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
    return {"to": to, "kind": note.kind, **render_email(note)}


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
    return {"recipient_id": note.recipient_id, "group": user_group(note.recipient_id),
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
            layer = _channel_layer()
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


# --- outbox relay ------------------------------------------------------------------------------


def dispatch_outbox(*, ids: list) -> None:
    """The on-commit fast path: try to hand these rows to the broker now; never raises."""
    try:
        relay_outbox(ids=ids, limit=len(ids))
    except Exception:
        logger.warning("notifications: fast-path dispatch failed; the relay will retry", exc_info=True)


def relay_outbox(*, limit: int | None = None, ids: list | None = None) -> int:
    """Hand pending rows (and "queued" rows the broker seems to have lost) to Celery.

    Rows are locked with SKIP LOCKED, so concurrent relays never publish the same row, and marked
    queued only after the broker accepted the message. The first publish error stops the batch:
    the broker is down, the rest stays pending. Returns the number of rows handed over.
    """
    limit = limit or conf.get("NOTIFICATIONS_RELAY_BATCH")
    stale = timezone.now() - timedelta(seconds=conf.get("NOTIFICATIONS_REQUEUE_AFTER"))
    with transaction.atomic():
        qs = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            Q(status=Status.PENDING) | Q(status=Status.QUEUED, queued_at__lt=stale)
        )
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        rows = list(qs.order_by("created_at")[:limit])
        published = []
        for row in rows:
            try:
                _publish(row)
            except Exception as exc:
                logger.warning("notifications: broker refused outbox %s: %r", row.pk, exc)
                OutboxMessage.objects.filter(pk=row.pk).update(last_error=f"publish: {exc!r}"[:2000])
                break
            published.append(row.pk)
        if published:
            OutboxMessage.objects.filter(pk__in=published).update(status=Status.QUEUED, queued_at=timezone.now())
    return len(published)


def _publish(row: OutboxMessage) -> None:
    from . import tasks  # tasks import services

    is_email = row.channel == OutboxMessage.Channel.EMAIL
    task = tasks.deliver_email if is_email else tasks.deliver_push
    queue_setting = "NOTIFICATIONS_EMAIL_QUEUE" if is_email else "NOTIFICATIONS_PUSH_QUEUE"
    options: dict[str, Any] = {"retry": True, "retry_policy": conf.get("NOTIFICATIONS_PUBLISH_RETRY_POLICY")}
    if queue := conf.get(queue_setting):
        options["queue"] = queue
    task.apply_async(args=[str(row.pk)], **options)


def outbox_retry(*, ids: list) -> int:
    """Put failed or stuck rows back to pending and relay them after commit (admin action)."""
    with transaction.atomic():
        updated = (
            OutboxMessage.objects.filter(pk__in=ids)
            .exclude(status=Status.DELIVERED)
            .update(status=Status.PENDING, queued_at=None)
        )
        if updated:
            transaction.on_commit(lambda: dispatch_outbox(ids=list(ids)))
    return updated


def outbox_purge(*, older_than_days: int | None = None) -> int:
    """Delete delivered rows older than the retention (the inbox keeps the notification itself)."""
    days = conf.get("NOTIFICATIONS_OUTBOX_RETENTION_DAYS") if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = OutboxMessage.objects.filter(status=Status.DELIVERED, delivered_at__lt=cutoff).delete()
    return deleted


# --- delivery (called by tasks) ----------------------------------------------------------------


def deliver_email(*, outbox_id: str) -> bool:
    """Send the e-mail at most once per outbox row; returns False if it was already delivered.

    The row lock is held while sending, so a redelivered copy of the task waits and then sees
    "delivered". (Only a crash between the SMTP hand-off and the commit can still send twice:
    SMTP offers no transaction to join.)
    """
    return _deliver(outbox_id, OutboxMessage.Channel.EMAIL, _send_email)


def deliver_push(*, outbox_id: str) -> bool:
    return _deliver(outbox_id, OutboxMessage.Channel.PUSH, _send_push)


def _deliver(outbox_id: str, channel: str, send) -> bool:
    with transaction.atomic():
        row = OutboxMessage.objects.select_for_update().filter(pk=outbox_id, channel=channel).first()
        if row is None:
            logger.warning("notifications: outbox %s (%s) not found", outbox_id, channel)
            return False
        if row.status == Status.DELIVERED:
            return False
        send(row)
        OutboxMessage.objects.filter(pk=row.pk).update(
            status=Status.DELIVERED, delivered_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
        )
    return True


def _send_email(row: OutboxMessage) -> None:
    p = row.payload
    send_mail(p["subject"], p["body"], conf.from_email(), [p["to"]], html_message=p.get("html") or None,
              fail_silently=False)


def _channel_layer():
    from channels.layers import get_channel_layer

    return get_channel_layer()


def _send_push(row: OutboxMessage) -> None:
    layer = _channel_layer()
    if layer is None:
        raise ImproperlyConfigured("notifications: push delivery needs CHANNEL_LAYERS")
    uid = row.payload["recipient_id"]
    message = {
        "type": "notification.push",
        "notification": row.payload["notification"],
        "unread_count": selectors.unread_count(user_id=uid),
    }
    async_to_sync(layer.group_send)(row.payload.get("group") or user_group(uid), message)


def outbox_record_failure(*, outbox_id: str, error: BaseException, final: bool) -> None:
    """Record a failed delivery attempt; ``final`` marks the row failed (no retry is coming)."""
    changes: dict[str, Any] = {"attempts": F("attempts") + 1, "last_error": f"{error!r}"[:2000]}
    if final:
        changes["status"] = Status.FAILED
    OutboxMessage.objects.filter(pk=outbox_id).exclude(status=Status.DELIVERED).update(**changes)
