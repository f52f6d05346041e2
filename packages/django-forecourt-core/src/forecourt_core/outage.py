"""Which backing service an exception says is unreachable: the one test behind every 503."""
from __future__ import annotations

import contextlib
import logging

from django.db import DatabaseError, InterfaceError, OperationalError, connection

from .errors import ServiceUnavailable

log = logging.getLogger(__name__)

try:  # redis is optional: a deployment without it simply has no Redis outages to recognise
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    REDIS_OUTAGES: tuple[type[BaseException], ...] = (RedisConnectionError, RedisTimeoutError)
except ImportError:  # pragma: no cover - redis is installed wherever the test suite runs
    REDIS_OUTAGES = ()

RETRY_AFTER_SECONDS = ServiceUnavailable.retry_after


def unavailable_service(exc: BaseException | None) -> str | None:
    """``"database"`` or ``"redis"`` when ``exc`` means that service is unreachable, else ``None``.

    A ``DatabaseError`` on a connection that has been closed under us (the server went away
    mid-query) counts as the database being unavailable too.
    """
    if isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, DatabaseError) and connection.connection is not None and connection.connection.closed
    ):
        return "database"
    if REDIS_OUTAGES and isinstance(exc, REDIS_OUTAGES):
        return "redis"
    return None


def outage_error(service: str, exc: BaseException) -> ServiceUnavailable:
    """The 503 error for a lost ``service``; a lost database connection is closed so the next request reconnects."""
    log.warning("%s unavailable: %r", service, exc)
    if service == "database":
        with contextlib.suppress(DatabaseError):
            connection.close()
    return ServiceUnavailable(f"The {service} is unavailable; try again shortly.")
