"""Which handlers an event kind goes to. The site (and any app) registers them at start-up.

A handler is ``handler(event)`` with the saved ``Event`` (``event.id``, ``event.kind``,
``event.data``). It runs in the event's route, inside the transaction that marks the event
delivered: its database writes commit exactly when the event is marked delivered. A handler must
still be idempotent by ``event.id`` (a retried event runs every handler again). A side effect
outside the database (mail, push, HTTP) goes alone on an event of its own, recorded by the handler
that decides it, so a retry never repeats one that succeeded.
"""
from __future__ import annotations

from collections.abc import Callable

Handler = Callable[[object], None]

_handlers: dict[str, dict[str, Handler]] = {}


def register(kind: str, handler: Handler, *, name: str | None = None) -> Handler:
    """Send events of ``kind`` to ``handler``; registering the same name twice keeps one."""
    key = name or f"{handler.__module__}.{handler.__qualname__}"
    _handlers.setdefault(kind, {})[key] = handler
    return handler


def handles(kind: str, *, name: str | None = None) -> Callable[[Handler], Handler]:
    """Decorator form of ``register``: ``@handles("car_listing.car_purchased")``."""
    def decorate(handler: Handler) -> Handler:
        return register(kind, handler, name=name)
    return decorate


def unregister(kind: str, *, name: str) -> None:
    _handlers.get(kind, {}).pop(name, None)


def handlers_for(kind: str) -> list[Handler]:
    return list(_handlers.get(kind, {}).values())


def registered_kinds() -> list[str]:
    return sorted(k for k, v in _handlers.items() if v)
