"""Cached market data and trader views on the kernel's generation cache (``forecourt_core.cache``).

A payload hangs on the generations of everything it depends on (``STOCKS``, ``stock(ticker)``,
``trader(username)``); a write bumps them after it commits, so the next read rebuilds. A cache error on
a read falls back to the database and a failed bump is logged (the kernel's one failure policy), so
neither fails a request nor stops the on-commit work after it (signals, settlement enqueues).
"""
from collections.abc import Callable
from typing import Any

from forecourt_core.cache import GenerationCache

from . import conf

market = GenerationCache(name="trading", alias=lambda: conf.get("TRADING_CACHE_ALIAS"),
                         ttl=lambda: conf.get("TRADING_CACHE_TTL"))


def _generation_key(name: str) -> str:
    return f"trading:ver:{name}"


def bump_on_commit(*names: str) -> None:
    """Invalidate ``names`` once the current transaction commits (at once outside one)."""
    market.bump_on_commit(*(_generation_key(n) for n in names))


def cached(*, depends_on: list[str], key: str, build: Callable[[], Any]) -> Any:
    """The payload for ``key`` at the current generations of ``depends_on``, built on a miss."""
    return market.cached(f"trading:{key}", build, generations=[_generation_key(n) for n in depends_on])


# Names of the cached things.
STOCKS = "stocks"  # any stock's price or volume (list pages, P&L in trader views)


def stock(ticker: str) -> str:
    return f"stock:{ticker}"


def trader(username: str) -> str:
    return f"trader:{username}"
