"""Reads: inbox lists, unread counts, and which channels a user gets for a kind."""
from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from . import conf
from .models import Notification, Preference


def notification_list(*, user, unread: bool | None = None) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user)
    if unread is not None:
        qs = qs.filter(read_at__isnull=unread)
    return qs.order_by("-created_at", "-id")


def unread_count(*, user=None, user_id: int | None = None) -> int:
    uid = user_id if user_id is not None else user.pk
    return Notification.objects.filter(recipient_id=uid, read_at__isnull=True).count()


def default_channels_for(kind: str) -> set[str]:
    defaults = conf.default_channels()
    return set(defaults.get(kind, defaults.get("*", [])))


def enabled_channels(*, user_ids: Iterable[int], kind: str) -> dict[int, set[str]]:
    """Channels per user for ``kind``: the setting's default, then "*" preferences, then kind preferences."""
    ids = list(user_ids)
    base = default_channels_for(kind)
    result = {uid: set(base) for uid in ids}
    prefs = Preference.objects.filter(user_id__in=ids, kind__in=["*", kind]).values_list(
        "user_id", "kind", "channel", "enabled"
    )
    # "*" first, so a preference for the exact kind wins.
    for uid, _kind, channel, enabled in sorted(prefs, key=lambda p: p[1] != "*"):
        (result[uid].add if enabled else result[uid].discard)(channel)
    return result


def preference_list(*, user) -> QuerySet[Preference]:
    return Preference.objects.filter(user=user).order_by("kind", "channel")
