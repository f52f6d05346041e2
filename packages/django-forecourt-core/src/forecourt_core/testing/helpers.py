"""Plain helpers for package tests (import them; the fixtures are in ``forecourt_core.testing.fixtures``)."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def grant(user, *perms: str):
    """Give ``user`` the permissions ``"app_label.codename"`` and drop its permission cache; returns ``user``."""
    from django.contrib.auth.models import Permission

    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
    return user


def use_email_backend(settings, backend: str) -> None:
    """Send this test's e-mail through ``backend`` (``settings``: pytest-django's fixture), on every
    supported Django (see ``forecourt_core.testing.mail_settings``)."""
    from . import mail_settings

    for name, value in mail_settings(backend).items():
        setattr(settings, name, value)


def channel_layers_reset() -> None:
    """Forget the process's channel layers (django-channels): the next use builds new ones.

    A layer keeps state bound to the event loop it received on (channels-redis: its receive lock and
    loop), and each test's ``async_to_sync`` runs a new loop: a layer carried over from another test, with
    a receiver of that test left behind, fails in the next. Call it before and after each websocket test.
    """
    from channels.layers import channel_layers

    channel_layers.backends.clear()


def queues_purge(app) -> None:
    """Drop every task waiting on the Celery ``app``'s queues, and the event relay's pending kick with them.

    The pending mark (``forecourt_core.events.services.events_kick``) stands for a relay task on its way:
    left set once that task is purged, it makes the next commits send no task until it expires, and with
    no beat in tests their events would wait for a run that never comes.
    """
    from django.core.cache import caches

    from ..events import conf
    from ..events.services import KICK_PENDING_KEY

    app.control.purge()
    caches[conf.get("FORECOURT_EVENTS_KICK_CACHE")].delete(KICK_PENDING_KEY)


def wait_for(predicate: Callable[[], Any], timeout: float = 20.0, interval: float = 0.05) -> Any:
    """Poll ``predicate`` until it returns something truthy (returned); fail after ``timeout`` seconds.

    For what another process (a Celery worker, a websocket consumer) does on its own time.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout:.0f}s")
