"""NOTIFICATIONS_* settings, through the kernel's PackageSettings (read at call time, hooks reloaded on change)."""
from __future__ import annotations

from typing import Any

from django.conf import settings

from forecourt_core.conf import PackageSettings

CHANNEL_INBOX = "inbox"
CHANNEL_EMAIL = "email"
CHANNEL_PUSH = "push"
CHANNELS = (CHANNEL_INBOX, CHANNEL_EMAIL, CHANNEL_PUSH)

DEFAULTS: dict[str, Any] = {
    # kind -> channels enabled when the user has no preference; "*" is the fallback kind.
    "NOTIFICATIONS_DEFAULT_CHANNELS": {"*": [CHANNEL_INBOX, CHANNEL_PUSH, CHANNEL_EMAIL]},
    "NOTIFICATIONS_FROM_EMAIL": None,  # None -> DEFAULT_FROM_EMAIL
}
HOOKS = {
    # (*, scope=None) -> str: where pushes go. Called with the websocket scope by the consumer, and without
    # one (the hook reads the current context) when a notification or a count change is written.
    "NOTIFICATIONS_GROUP_PREFIX": None,
}

package_settings = PackageSettings(DEFAULTS, hooks=HOOKS)
get = package_settings.get


def default_channels() -> dict[str, list[str]]:
    return get("NOTIFICATIONS_DEFAULT_CHANNELS")


def from_email() -> str | None:
    return get("NOTIFICATIONS_FROM_EMAIL") or getattr(settings, "DEFAULT_FROM_EMAIL", None)


def group_prefix(*, scope: dict | None = None) -> str:
    hook = package_settings.hook("NOTIFICATIONS_GROUP_PREFIX")
    return (hook(scope=scope) or "") if hook else ""
