"""Module-scoped world + per-request rollback, shared by the permission matrix and the isolation probes.

The world is built once per test module inside one transaction that is rolled back when the module ends;
every request then runs inside a savepoint that is rolled back right after it, so a cell that creates,
pays or deletes something leaves the next cell the same world.
"""
from __future__ import annotations

import json
import uuid

import pytest
from django.db import connection, transaction
from django.test import Client

from tests.reliability.matrix_world import build_world, png_upload

HOSTS = {"public": "localhost", "own": "dealer1.localhost", "other": "dealer2.localhost"}
SCHEMA_OF = {"public": "dealer1", "own": "dealer1", "other": "dealer2"}  # whose objects a path names


def _clear_caches() -> None:
    """Cached reads (stock lists, facets, trader views) built from rows this module rolls back must not
    outlive it, nor may entries from earlier tests answer its requests. Only the cache aliases' keys go
    ("fcs:..." shared, "<schema>:fc:..." per tenant): the broker's keys in the same Redis db stay."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        keys = [*client.scan_iter(match="fcs:*", count=1000), *client.scan_iter(match="*:fc:*", count=1000)]
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    _clear_caches()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            w = build_world()
            w.clients = {"anonymous": Client(raise_request_exception=False)}
            for name, user in w.users.items():
                w.clients[name] = Client(raise_request_exception=False)
                w.clients[name].force_login(user)
            yield w
        finally:
            connection.set_schema_to_public()
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            _clear_caches()


def fill(value, params: dict):
    """Replace "{name}" strings (whole or inside a string) by world ids, keeping ints as ints."""
    if isinstance(value, dict):
        return {k: fill(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, params) for v in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in params:
        return params[value[1:-1]]
    if isinstance(value, str):
        return value.format(**params) if "{" in value else value
    return value


def send(client: Client, method: str, path: str, host: str, body=None, *, keyed: bool = True, **headers):
    """One request (``keyed``: a POST carries a fresh Idempotency-Key); the database is left exactly as it was."""
    kwargs = {"HTTP_HOST": host, **headers}
    if method == "POST" and keyed:  # money-moving operations require one (tests/reliability/test_bad_input.py)
        kwargs.setdefault("HTTP_IDEMPOTENCY_KEY", uuid.uuid4().hex)
    savepoint = transaction.savepoint()
    try:
        if body == "png":
            return client.generic(method, path, **_multipart(png_upload()), **kwargs)
        if body is not None:
            return client.generic(method, path, json.dumps(body), content_type="application/json", **kwargs)
        return client.generic(method, path, **kwargs)
    finally:
        transaction.savepoint_rollback(savepoint)
        connection.set_schema_to_public()


def _multipart(upload) -> dict:
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    return {"data": encode_multipart(BOUNDARY, {"image": upload}), "content_type": MULTIPART_CONTENT}
