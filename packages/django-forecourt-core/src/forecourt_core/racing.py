"""Racing calls, for tests of idempotency keys and row locks: ``at_once(send)`` calls ``send()`` from several
threads released together and returns their results in order; ``each_at_once(*sends)`` races different calls.

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
    return each_at_once(*[send] * times, timeout=timeout)


def each_at_once(*sends: Callable[[], T], timeout: float = 30) -> list[T]:
    """Each of ``sends`` called from a thread of its own, the threads started together; their results, in
    order. A call's exception is raised here (after every thread is done)."""
    barrier = threading.Barrier(len(sends))

    def call(send: Callable[[], T]) -> T:
        barrier.wait(timeout=timeout)
        try:
            return send()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(sends)) as pool:
        return list(pool.map(call, sends))
