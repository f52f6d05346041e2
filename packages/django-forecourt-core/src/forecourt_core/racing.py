"""Racing one call against itself, for tests of idempotency keys and row locks: ``at_once(send)`` calls
``send()`` from several threads released together and returns their results in order.

Each thread uses its own database connection (Django opens one per thread) and closes it when done, so the
test needs committed data (``pytest.mark.django_db(transaction=True)``).
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.db import connections

T = TypeVar("T")


def at_once(send: Callable[[], T], *, times: int = 2, timeout: float = 30) -> list[T]:
    """``send()`` called from ``times`` threads that start together; their results, in thread order."""
    barrier = threading.Barrier(times)

    def call(_index: int) -> T:
        barrier.wait(timeout=timeout)
        try:
            return send()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(times) as pool:
        return list(pool.map(call, range(times)))
