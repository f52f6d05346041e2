"""The generation cache on a real Redis, and its one failure policy with Redis gone."""
import itertools
import logging
import time
import uuid

import pytest
from django.conf import settings as django_settings
from django.db import transaction

from forecourt_core.cache import GenerationCache

DEAD = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}


REDIS_BACKENDS = ["django.core.cache.backends.redis.RedisCache", "django_redis.cache.RedisCache"]


@pytest.fixture(params=REDIS_BACKENDS)
def live(settings, request):
    settings.CACHES = {"default": {"BACKEND": request.param,
                                   "LOCATION": django_settings.REDIS_URL, "KEY_PREFIX": uuid.uuid4().hex},
                       "dead": DEAD}
    return GenerationCache(name="test", alias=lambda: "default", ttl=lambda: 60,
                           generation_timeout=lambda key: 30 if key.startswith("short") else None)


def counting(values):
    counter = itertools.count(1)
    calls = []

    def build():
        calls.append(next(counter))
        return values[len(calls) - 1]

    return build, calls


def test_a_payload_is_served_until_its_generation_is_bumped(live):
    build, calls = counting(["first", "second"])
    assert live.cached("page", build, generations=["g"]) == "first"
    assert live.cached("page", build, generations=["g"]) == "first"
    live.bump("g")
    assert live.cached("page", build, generations=["g"]) == "second"
    assert calls == [1, 2]


def test_a_payload_depends_on_every_generation_it_names(live):
    build, calls = counting(["a", "b", "c"])
    assert live.cached("view", build, generations=["trader", "stocks"]) == "a"
    live.bump("unrelated")
    assert live.cached("view", build, generations=["trader", "stocks"]) == "a"
    live.bump("stocks")
    assert live.cached("view", build, generations=["trader", "stocks"]) == "b"
    live.bump("trader")
    assert live.cached("view", build, generations=["trader", "stocks"]) == "c"


def test_a_flushed_generation_never_resurrects_an_old_payload(live):
    from django.core.cache import caches

    build, _ = counting(["old", "new"])
    live.cached("page", build, generations=["g"])
    caches["default"].delete("g")  # evicted
    assert live.cached("page", build, generations=["g"]) == "new"


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_nothing_is_stored_and_a_bump_waits_for_the_commit(live):
    build, calls = counting(["in-txn", "after", "after-bump"])
    with transaction.atomic():
        assert live.cached("page", build, generations=["g"]) == "in-txn"
    assert live.cached("page", build, generations=["g"]) == "after"
    with transaction.atomic():
        live.bump_on_commit("g")
        assert live.cached("page", lambda: "uncached", generations=["g"]) == "uncached"
        assert live.cached("page", lambda: "uncached", generations=["g"]) == "uncached"
    assert live.cached("page", build, generations=["g"]) == "after-bump"
    assert calls == [1, 2, 3]


def test_with_redis_gone_reads_come_from_the_database_and_bumps_are_logged(caplog):
    dead = GenerationCache(name="test", alias=lambda: "dead", ttl=lambda: 60)
    with caplog.at_level(logging.WARNING, logger="forecourt_core.cache"):
        assert dead.cached_many({"a": lambda: 1, "b": lambda: 2}, generations=["g"]) == {"a": 1, "b": 2}
        dead.bump("g")
    assert "cache unavailable, read from the database" in caplog.text
    assert "cache generation bump failed" in caplog.text



def test_a_bump_increments_each_generation_and_starts_a_missing_one_above_the_clock(live):
    """On Redis a bump is one script for all its keys (forecourt_core.cache._bump_script): what incr, then
    add for a missing key, did key by key, with each key's own timeout."""
    from django.core.cache import caches

    from forecourt_core.cache import _bump_script

    cache = caches["default"]
    assert _bump_script(cache) is not None
    cache.set("kept", 41, timeout=None)
    before = time.time_ns()
    live.bump("kept", "missing", "short-missing")
    started = cache.get_many(["kept", "missing", "short-missing"])
    assert started["kept"] == 42
    assert started["missing"] == started["short-missing"] and started["missing"] >= before
    build, _ = counting(["a", "b"])
    assert live.cached("page", build, generations=["missing", "short-missing"]) == "a"
    live.bump("short-missing")
    assert live.cached("page", build, generations=["missing", "short-missing"]) == "b"
    client = cache._cache.get_client(write=True) if hasattr(cache, "_cache") else cache.client.get_client()
    ttls = {key.decode().rsplit(":", 1)[-1]: client.pttl(key) for key in client.keys(f"{cache.key_prefix}*missing")}
    assert ttls["missing"] == -1 and 0 < ttls["short-missing"] <= 30_000
    cache.delete_many(["kept", "missing", "short-missing", "page"])


def test_the_bump_script_is_built_once_per_process_and_an_empty_bump_sends_nothing(live, monkeypatch, caplog):
    from django.core.cache import caches
    from redis import Redis

    from forecourt_core import cache as module

    built, register = [], Redis.register_script
    monkeypatch.setattr(module, "_scripts", [])
    monkeypatch.setattr(Redis, "register_script", lambda self, script: built.append(script) or register(self, script))
    build, _ = counting(["a", "b", "c"])
    assert live.cached("page", build, generations=["g"]) == "a"
    live.bump("g")
    assert live.cached("page", build, generations=["g"]) == "b"
    live.bump("g", "other")
    assert live.cached("page", build, generations=["g"]) == "c"
    assert len(built) == 1
    dead = GenerationCache(name="test", alias=lambda: "dead", ttl=lambda: 60)
    with caplog.at_level(logging.WARNING, logger="forecourt_core.cache"):
        dead.bump()  # nothing to bump: no round trip, so no connection error either
    assert caplog.text == ""
    caches["default"].delete_many(["g", "other", "page"])


def test_other_backends_bump_key_by_key(settings):
    from django.core.cache import caches

    from forecourt_core.cache import _bump_script

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert _bump_script(caches["default"]) is None
    cache = GenerationCache(name="test", alias=lambda: "default", ttl=lambda: 60)
    build, calls = counting(["a", "b"])
    assert cache.cached("page", build, generations=["g"]) == "a"
    cache.bump("g", "other")
    assert cache.cached("page", build, generations=["g"]) == "b"
