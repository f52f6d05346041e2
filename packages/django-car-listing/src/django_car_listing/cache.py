"""Cached marketplace reads, invalidated by generation numbers that index writes bump on commit.

Search pages and facets hang on one generation that every index write bumps. A car's detail page
hangs on that car's own generation, bumped only when that car is re-indexed, so a purchase of one
car leaves every other car's page cached.

A payload is stored together with the generation it was built at and read in the same round trip as
the current generation (``get_many``): a different generation is a miss. The generation is read before
the database, so a payload built from rows older than a write is stored under the older generation and
never served after that write's bump. A missing generation (eviction, flush, a car's expired one)
restarts at the current time in nanoseconds, larger than any generation handed out before, so an old
payload never comes back.

The alias (CAR_LISTING_CACHE_ALIAS) must be one copy for every store: on django-tenants, an alias
without the tenant key function, or a dealer's write would only invalidate its own schema's copy.
"""
import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.db import connection, transaction

from . import conf

GENERATION_KEY = "car_listing:index:generation"
logger = logging.getLogger(__name__)


def _cache():
    return caches[conf.get("CAR_LISTING_CACHE_ALIAS")]


def car_generation_key(store_key: str, car_id) -> str:
    return f"car_listing:car:{store_key}:{car_id}:generation"


def _generation_timeout(key: str) -> int | None:
    # One key per car ever re-indexed: it expires (after its entries) rather than pile up.
    return None if key == GENERATION_KEY else 2 * conf.get("CAR_LISTING_CACHE_TTL")


def generation_bump(*keys: str) -> None:
    """Best effort: it runs after a purchase or listing committed, and an exception there would fail
    that request and skip the on_commit callbacks after it (the car_purchased signal, the seller's
    e-mail). With the cache down nothing is served from it either; a cache that loses its data
    restarts the generation above every old one."""
    try:
        cache = _cache()
        for key in keys or (GENERATION_KEY,):
            try:
                cache.incr(key)
            except ValueError:  # missing: start above every generation handed out before
                cache.add(key, time.time_ns(), timeout=_generation_timeout(key))
    except Exception:  # noqa: BLE001 - any cache backend's connection error
        logger.warning("car_listing: cache generation bump failed; cached marketplace reads may lag until "
                       "CAR_LISTING_CACHE_TTL", exc_info=True)


def bump_on_commit(*, car: tuple[str, int] | None = None) -> None:
    """Call from inside the transaction that changes the ListingIndex (runs at once outside one);
    ``car`` = (store_key, car_id) also invalidates that car's detail."""
    keys = (GENERATION_KEY, car_generation_key(*car)) if car else (GENERATION_KEY,)
    transaction.on_commit(lambda: generation_bump(*keys))


def key_for(name: str, params: dict) -> str:
    # "store=" (private sellers only) differs from no store filter: drop only None.
    canonical = "&".join(f"{k}={params[k]!r}" for k in sorted(params) if params[k] is not None)
    return f"car_listing:{name}:{hashlib.sha256(canonical.encode()).hexdigest()[:32]}"


def request_key(name: str, query_params, store: str) -> str:
    """A key for a response by its raw query string and the host's store. A hit then skips validating
    the query (a serializer per request costs more than the cached read): only a query that validated
    and built once is ever stored, and the same spelling always validates the same way."""
    return key_for(name, {"query": sorted(query_params.lists()), "store": store})


def cached(key: str, build: Callable[[], Any], *, generation_key: str = GENERATION_KEY) -> Any:
    if connection.in_atomic_block:
        # Inside a transaction the rows may be uncommitted: an entry built from them would outlive a
        # rollback (no bump follows), and a cached entry would hide the transaction's own writes.
        return build()
    cache = _cache()
    found = cache.get_many([generation_key, key])
    generation = found.get(generation_key)
    if generation is None:
        cache.add(generation_key, time.time_ns(), timeout=_generation_timeout(generation_key))
        generation = cache.get(generation_key)
    stored = found.get(key)
    if stored is not None and stored[0] == generation:
        return stored[1]
    payload = build()
    cache.set(key, (generation, payload), timeout=conf.get("CAR_LISTING_CACHE_TTL"))
    return payload
