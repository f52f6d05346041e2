"""The generation cache on a real Redis, and its one failure policy with Redis gone."""
import itertools
import logging
import uuid

import pytest
from django.conf import settings as django_settings
from django.db import transaction

from forecourt_core.cache import GenerationCache

DEAD = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}


@pytest.fixture
def live(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": django_settings.REDIS_URL, "KEY_PREFIX": uuid.uuid4().hex},
                       "dead": DEAD}
    return GenerationCache(name="test", alias=lambda: "default", ttl=lambda: 60)


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

