"""Channels group names: one group per user, optionally prefixed by the site (e.g. per tenant)."""
from __future__ import annotations

import re

from django.core.exceptions import ImproperlyConfigured

from . import conf

# Channels accepts only ASCII letters, digits, "-", "_" and "." and fewer than 100 characters.
_VALID = re.compile(r"^[A-Za-z0-9._-]{1,99}$")


def user_group(user_id: int | str, *, scope: dict | None = None) -> str:
    """The user's group: from the websocket ``scope`` on the consumer's side, else from the current context."""
    name = f"{conf.group_prefix(scope=scope)}notifications.user.{user_id}"
    if not _VALID.match(name):
        raise ImproperlyConfigured(f"Invalid Channels group name {name!r} (check NOTIFICATIONS_GROUP_PREFIX).")
    return name
