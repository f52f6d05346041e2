"""NOTIFICATIONS_* settings, read at call time (never at import) so override_settings works."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

CHANNEL_INBOX = "inbox"
CHANNEL_EMAIL = "email"
CHANNEL_PUSH = "push"
CHANNELS = (CHANNEL_INBOX, CHANNEL_EMAIL, CHANNEL_PUSH)

DEFAULTS: dict[str, Any] = {
    # kind -> channels enabled when the user has no preference; "*" is the fallback kind.
    "NOTIFICATIONS_DEFAULT_CHANNELS": {"*": [CHANNEL_INBOX, CHANNEL_PUSH, CHANNEL_EMAIL]},
    "NOTIFICATIONS_FROM_EMAIL": None,  # None -> DEFAULT_FROM_EMAIL
    # Dotted path to (*, scope=None) -> str: where pushes go. Called with the websocket scope by the consumer,
    # and without one (the hook reads the current context) when a notification or a count change is written.
    "NOTIFICATIONS_GROUP_PREFIX": None,
    "NOTIFICATIONS_RELAY_BATCH": 500,
    # Seconds a "queued" row may wait before the relay publishes it again (the broker lost it, e.g. a
    # Redis restart without persistence); matches Redis' default visibility timeout. Delivery is idempotent.
    "NOTIFICATIONS_REQUEUE_AFTER": 3600,
    "NOTIFICATIONS_STUCK_AFTER": 10,  # minutes; admin "stuck" filter
    "NOTIFICATIONS_OUTBOX_RETENTION_DAYS": 7,  # delivered outbox rows kept this long (purge task)
    "NOTIFICATIONS_EMAIL_QUEUE": None,  # Celery queue for deliver_email (None: default queue)
    "NOTIFICATIONS_PUSH_QUEUE": None,
    # Publishing never waits on a dead broker: the row stays pending and the relay sends it later.
    "NOTIFICATIONS_PUBLISH_RETRY_POLICY": {"max_retries": 0},
}


def get(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])


def default_channels() -> dict[str, list[str]]:
    return get("NOTIFICATIONS_DEFAULT_CHANNELS")


def from_email() -> str | None:
    return get("NOTIFICATIONS_FROM_EMAIL") or getattr(settings, "DEFAULT_FROM_EMAIL", None)


def _hook(name: str) -> Callable[..., str] | None:
    path = get(name)
    if not path:
        return None
    return path if callable(path) else import_string(path)


def group_prefix(*, scope: dict | None = None) -> str:
    hook = _hook("NOTIFICATIONS_GROUP_PREFIX")
    return (hook(scope=scope) or "") if hook else ""
