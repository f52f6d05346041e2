"""Helpers for concurrency tests: real OS processes (spawn) and threads on their own DB connections."""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connection, connections


def _bootstrap(db_name: str) -> None:
    # Each process sets Django up with the tests settings (a no-op after fork), pointed at the test database.
    connections.close_all()
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    import django
    from django.conf import settings

    django.setup()
    settings.DATABASES["default"]["NAME"] = db_name
    connections["default"].settings_dict["NAME"] = db_name


def _entry(barrier, func_path: str, args):
    import importlib

    module, _, name = func_path.partition(":")
    func = getattr(importlib.import_module(module), name)
    barrier.wait(timeout=120)
    try:
        return func(*args)
    finally:
        connections.close_all()


def run_processes(func, args_list: list[tuple], method: str = "fork") -> list:
    """Run ``func(*args)`` in one spawned process per args tuple, released together by a barrier.

    ``func`` must be a module-level function; it is sent by name and imported after django.setup().
    "fork" (default) children inherit the configured Django and open their own connections (the
    parent's are closed first); "spawn" children start a fresh interpreter and call django.setup()
    themselves, which costs ~1-2 s of CPU per process on the 2-core box.
    """
    func_path = f"{func.__module__}:{func.__name__}"
    connections.close_all()  # never share a socket with children
    ctx = multiprocessing.get_context(method)
    db_name = connection.settings_dict["NAME"]
    with ctx.Manager() as manager:
        barrier = manager.Barrier(len(args_list))
        with ctx.Pool(len(args_list), initializer=_bootstrap, initargs=(db_name,)) as pool:
            results = [pool.apply_async(_entry, (barrier, func_path, args)) for args in args_list]
            return [r.get(timeout=180) for r in results]


def run_threads(func, args_list: list[tuple]) -> list:
    """Run ``func(*args)`` in threads started together; each thread uses (then closes) its own connection."""
    barrier = threading.Barrier(len(args_list))

    def call(args):
        barrier.wait(timeout=30)
        try:
            return func(*args)
        finally:
            connection.close()

    with ThreadPoolExecutor(len(args_list)) as pool:
        return list(pool.map(call, args_list))
