"""FORECOURT_EVENTS_* settings, through the kernel's PackageSettings (read at call time)."""
from __future__ import annotations

import contextlib
from typing import Any

from ..conf import PackageSettings

DEFAULTS: dict[str, Any] = {
    "FORECOURT_EVENTS_BATCH": 200,  # events per relay run
    "FORECOURT_EVENTS_MAX_ATTEMPTS": 10,  # then the event is "failed" (the admin can retry it)
    "FORECOURT_EVENTS_BACKOFF_SECONDS": 5,  # first retry delay, doubled per attempt
    "FORECOURT_EVENTS_BACKOFF_MAX_SECONDS": 3600,
    # A claimed event whose row nobody holds locked after this many seconds lost its relay (the process
    # died between claiming and delivering): it is claimed again.
    "FORECOURT_EVENTS_RECLAIM_AFTER_SECONDS": 30,
    "FORECOURT_EVENTS_RETENTION_DAYS": 7,  # delivered events kept this long
    "FORECOURT_EVENTS_KICK": True,  # send a relay task after each commit that recorded events
    # ... unless a kicked one is already waiting. The mark lives in this cache alias, which every web process
    # and worker must share, with the same key in every tenant or schema.
    "FORECOURT_EVENTS_KICK_CACHE": "default",
    "FORECOURT_EVENTS_KICK_PENDING_SECONDS": 10,  # the mark's life, should the task it stands for be lost
}
HOOKS = {
    # () -> str: where the current work happens (the site: the schema). Stored on each event.
    "FORECOURT_EVENTS_ROUTE": None,
    # (route) -> context manager: enters that place again to run the event's handlers.
    "FORECOURT_EVENTS_ROUTE_CONTEXT": None,
}

package_settings = PackageSettings(DEFAULTS, hooks=HOOKS)
get = package_settings.get


def current_route() -> str:
    hook = package_settings.hook("FORECOURT_EVENTS_ROUTE")
    return (hook() or "") if hook else ""


def route_context(route: str):
    hook = package_settings.hook("FORECOURT_EVENTS_ROUTE_CONTEXT")
    return hook(route) if hook else contextlib.nullcontext()
