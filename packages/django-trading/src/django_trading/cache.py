"""Versioned cache keys for shared market data and trader views.

A payload is stored under a key that embeds the current version of everything it depends on;
a write bumps those versions after it commits, so the next read misses and rebuilds. Old
payloads are never deleted, just never read again (they expire by TTL). A missing version key
(eviction, flush) restarts at the current time in nanoseconds, larger than any version handed
out before, so an old payload can never be resurrected.
"""
import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import caches

from . import conf

PREFIX = "trading"
logger = logging.getLogger(__name__)


def _cache():
    return caches[conf.get("TRADING_CACHE_ALIAS")]


def _version_key(name: str) -> str:
    return f"{PREFIX}:ver:{name}"


def bump(*names: str) -> None:
    """Best effort: it runs after commits, before signals and settlement enqueues that must not be
    skipped (an on_commit callback that raises stops the ones after it, and fails a settled task).
    With the cache down nothing is served from it either; a cache that loses its data restarts the
    versions above every old one."""
    try:
        cache = _cache()
        for name in names:
            key = _version_key(name)
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, time.time_ns(), timeout=None)
    except Exception:  # noqa: BLE001 - any cache backend's connection error
        logger.warning("trading: cache version bump failed for %s; cached reads may lag until TRADING_CACHE_TTL",
                       names, exc_info=True)


def versions(*names: str) -> list[int]:
    cache = _cache()
    keys = [_version_key(n) for n in names]
    found = cache.get_many(keys)
    missing = {k: time.time_ns() for k in keys if k not in found}
    for key, value in missing.items():
        cache.add(key, value, timeout=None)
    if missing:
        found.update(cache.get_many(list(missing)))
    return [found.get(k, missing.get(k)) for k in keys]


def cached(*, depends_on: list[str], key: str, build: Callable[[], Any]) -> Any:
    """Return the payload for ``key`` at the current versions of ``depends_on``, building it on a miss.

    The versions are read before the database, so a payload built from data older than a bump
    is stored under the old versions and never served after the bump.
    """
    cache = _cache()
    vers = ":".join(str(v) for v in versions(*depends_on))
    full_key = f"{PREFIX}:{key}:{vers}"
    payload = cache.get(full_key)
    if payload is None:
        payload = build()
        cache.set(full_key, payload, timeout=conf.get("TRADING_CACHE_TTL"))
    return payload


# Names of the versioned things.
STOCKS = "stocks"  # any stock's price or volume (list pages, P&L in trader views)


def stock(ticker: str) -> str:
    return f"stock:{ticker}"


def trader(username: str) -> str:
    return f"trader:{username}"
