"""Cached marketplace reads on the kernel's generation cache (``forecourt_core.cache.GenerationCache``).

Search pages and facets hang on one generation that every index write bumps. A car's detail page
hangs on that car's own generation, bumped only when that car is re-indexed, so a purchase of one
car leaves every other car's page cached. A cache error on a read falls back to the database (the
kernel's one failure policy).

The alias (CAR_LISTING_CACHE_ALIAS) must be one copy for every store: on django-tenants, an alias
without the tenant key function, or a dealer's write would only invalidate its own schema's copy.
"""
import hashlib
from collections.abc import Callable
from typing import Any

from forecourt_core.cache import GenerationCache

from . import conf

GENERATION_KEY = "car_listing:index:generation"


def car_generation_key(store_key: str, car_id) -> str:
    return f"car_listing:car:{store_key}:{car_id}:generation"


def _generation_timeout(key: str) -> int | None:
    # One key per car ever re-indexed: it expires (after its entries) rather than pile up.
    return None if key == GENERATION_KEY else 2 * conf.get("CAR_LISTING_CACHE_TTL")


marketplace = GenerationCache(name="car_listing", alias=lambda: conf.get("CAR_LISTING_CACHE_ALIAS"),
                              ttl=lambda: conf.get("CAR_LISTING_CACHE_TTL"), generation_timeout=_generation_timeout)


def bump_on_commit(*, car: tuple[str, int] | None = None) -> None:
    """Call from inside the transaction that changes the ListingIndex (runs at once outside one);
    ``car`` = (store_key, car_id) also invalidates that car's detail."""
    marketplace.bump_on_commit(GENERATION_KEY, *([car_generation_key(*car)] if car else []))


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
    return marketplace.cached(key, build, generations=[generation_key])
