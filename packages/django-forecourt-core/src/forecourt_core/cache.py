"""Cached reads invalidated by generation numbers, with one failure policy.

A payload is stored with the generations of everything it depends on, read in the same round trip as
the current generations: a different generation is a miss. A write bumps the generations it changes
after it commits (``bump_on_commit``), so the next read rebuilds. Generations are read before the
database, so a payload built from rows older than a write is stored under the older generation and never
served after that write's bump. A missing generation (eviction, flush) restarts at the current time in
nanoseconds, above every generation handed out before, so an old payload never comes back.

Failure policy: the cache is an optimisation, never a dependency. A cache error on a read is logged and
the payload is built from the database (never a 5xx); a cache error on a store or a bump is logged and
ignored (with the cache down nothing is served from it either). Inside a transaction the cache is
bypassed: uncommitted rows must never be stored (a rollback sends no bump), and a cached entry would
hide the transaction's own writes.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import caches
from django.db import connection, transaction

log = logging.getLogger(__name__)


class GenerationCache:
    """Generation-versioned reads on one Django cache alias.

    ``alias`` and ``ttl`` are callables read at call time (so settings can change them);
    ``generation_timeout(key)`` gives a generation key's own timeout (default: never expires).
    """

    def __init__(self, *, name: str, alias: Callable[[], str], ttl: Callable[[], int | None],
                 generation_timeout: Callable[[str], int | None] = lambda key: None):
        self.name = name
        self.alias = alias
        self.ttl = ttl
        self.generation_timeout = generation_timeout

    def _cache(self):
        return caches[self.alias()]

    def bump(self, *generation_keys: str) -> None:
        """Invalidate everything stored under these generations (best effort, see the module docstring)."""
        if not generation_keys:
            return
        try:
            cache = self._cache()
            script = _bump_script(cache)
            if script is not None:
                script(*generation_keys, start=time.time_ns(), timeouts=map(self.generation_timeout, generation_keys))
                return
            for key in generation_keys:
                try:
                    cache.incr(key)
                except ValueError:  # missing: start above every generation handed out before
                    cache.add(key, time.time_ns(), timeout=self.generation_timeout(key))
        except Exception:  # noqa: BLE001 - any cache backend's connection error
            log.warning("%s: cache generation bump failed for %s; cached reads may lag until their TTL",
                        self.name, generation_keys, exc_info=True)

    def bump_on_commit(self, *generation_keys: str) -> None:
        """Bump after the current transaction commits (at once outside one)."""
        transaction.on_commit(lambda: self.bump(*generation_keys))

    def cached(self, key: str, build: Callable[[], Any], *, generations: Iterable[str]) -> Any:
        """The payload stored under ``key`` at the current ``generations``, else ``build()`` (then stored)."""
        return self.cached_many({key: build}, generations=generations)[key]

    def cached_many(self, builders: dict[str, Callable[[], Any]], *, generations: Iterable[str]) -> dict[str, Any]:
        """Each key's payload, in one round trip for all of them and their generations."""
        generation_keys = list(generations)
        if connection.in_atomic_block:
            return {key: build() for key, build in builders.items()}
        try:
            current, stored = self._read(generation_keys, list(builders))
        except Exception:  # noqa: BLE001 - any cache backend's connection error: read from the database
            log.warning("%s: cache unavailable, read from the database", self.name, exc_info=True)
            return {key: build() for key, build in builders.items()}
        payloads, fresh = {}, {}
        for key, build in builders.items():
            entry = stored.get(key)
            if entry is not None and entry[0] == current:
                payloads[key] = entry[1]
            else:
                payloads[key] = build()
                fresh[key] = (current, payloads[key])
        if fresh:
            self._store(fresh)
        return payloads

    def _read(self, generation_keys: list[str], keys: list[str]) -> tuple[tuple, dict]:
        cache = self._cache()
        found = cache.get_many([*generation_keys, *keys])
        missing = [g for g in generation_keys if g not in found]
        for g in missing:
            cache.add(g, time.time_ns(), timeout=self.generation_timeout(g))
        if missing:
            found.update(cache.get_many(missing))
        current = tuple(found.get(g) for g in generation_keys)
        return current, {key: found[key] for key in keys if key in found}

    def _store(self, entries: dict[str, tuple]) -> None:
        try:
            self._cache().set_many(entries, timeout=self.ttl())
        except Exception:  # noqa: BLE001 - the payload was served; only the next read pays for it again
            log.warning("%s: cache store failed", self.name, exc_info=True)


# ``GenerationCache.bump`` in one round trip on Redis (every write that invalidates pays for it, after its
# commit): each key incremented, or a missing one started at ARGV[1] (its timeout in ms after it, "" for
# none; a timeout of 0 or less stores nothing, as an entry that expired at once), as incr then add do.
# Milliseconds keep a fractional timeout as django-redis does; Django's own Redis backend truncates one to
# whole seconds. ``generation_timeout`` gives whole seconds (``int | None``), so the two agree.
_BUMP_LUA = """
for i, key in ipairs(KEYS) do
  local timeout = ARGV[i + 1]
  if redis.call('EXISTS', key) == 1 then
    redis.call('INCR', key)
  elseif timeout == '' then
    redis.call('SET', key, ARGV[1], 'NX')
  elseif tonumber(timeout) > 0 then
    redis.call('SET', key, ARGV[1], 'NX', 'PX', timeout)
  end
end
"""


def _bump_script(cache) -> Callable[..., None] | None:
    """``bump``'s one round trip for ``cache`` when it is Django's Redis backend or django-redis's default
    client (both store an int as its digits, so the generations read back as ints); None for any other
    backend, which then increments key by key."""
    from django.core.cache.backends.redis import RedisCache

    if isinstance(cache, RedisCache):
        make_key, client = cache.make_and_validate_key, cache._cache.get_client(write=True)  # noqa: SLF001
    else:
        try:
            from django_redis.client import DefaultClient
        except ImportError:
            return None
        if type(getattr(cache, "client", None)) is not DefaultClient:  # not a sharded or herd client
            return None
        make_key, client = cache.client.make_key, cache.client.get_client(write=True)
    script = _bump_lua(client)

    def run(*keys: str, start: int, timeouts: Iterable[int | None]) -> None:
        ms = ["" if t is None else str(int(t * 1000)) for t in timeouts]
        script(keys=[str(make_key(k)) for k in keys], args=[start, *ms], client=client)

    return run


_scripts: list = []


def _bump_lua(client):
    """The bump's redis-py Script, built once per process (its text encoded and hashed once) and run on each
    call's client: Django's backend hands out a new client object per call. The script is ASCII, so its
    SHA1 is the same under any client's encoding; a server that does not know it is sent it (redis-py)."""
    if not _scripts:
        _scripts.append(client.register_script(_BUMP_LUA))
    return _scripts[0]
