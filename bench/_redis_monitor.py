"""Count cache reads and rebuilds per cached family from Redis MONITOR (the bench's own redis-server).

A read is the command that fetches an entry, a rebuild is the SET that stores a fresh one, so
hit rate = 1 - rebuilds / reads, exactly, whatever else talks to Redis (Celery, Channels).
"""
from __future__ import annotations

import threading
from collections import Counter

# family: (substring of the entry's key, command that reads it)
FAMILIES = {
    "marketplace search": ("car_listing:search:", "MGET"),
    "marketplace facets": ("car_listing:facets:", "MGET"),
    "car detail": ("car_listing:detail:", "MGET"),
    "dashboard figures": ("dashboard:figures:", "MGET"),
    "dashboard funnel": ("dashboard:funnel:", "MGET"),
    "stock quote": ("trading:stock:", "GET"),
}


class Monitor:
    def __init__(self, port: int):
        import redis

        self._conn = redis.Redis(port=port)
        self._counts: Counter = Counter()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.reconnects = 0

    def __enter__(self) -> Monitor:
        self._monitor = self._conn.monitor()
        self._monitor.__enter__()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        return self

    def _read(self) -> None:
        import redis

        while not self._stop.is_set():
            try:
                for event in self._monitor.listen():
                    if self._stop.is_set():
                        return
                    self._count(event.get("command", ""))
            except redis.TimeoutError:  # a quiet phase (no cache traffic): keep listening
                continue
            except (redis.ConnectionError, AttributeError):  # the connection was dropped
                if self._stop.is_set():  # by __exit__
                    return
                # redis-py drops it after a read timeout; listen again (a reconnect can miss a few
                # commands, so it is counted and printed with the table)
                self.reconnects += 1
                self._monitor = self._conn.monitor()
                self._monitor.__enter__()

    def _count(self, command: str) -> None:
        verb = command.split(" ", 1)[0].upper()
        for family, (marker, read_verb) in FAMILIES.items():
            if marker in command:
                if verb == read_verb:
                    self._counts[(family, "reads")] += 1
                elif verb == "SET":
                    self._counts[(family, "rebuilds")] += 1

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._conn.ping()  # one more event wakes the reader up
        self._thread.join(timeout=10)
        self._monitor.__exit__(*exc)

    def counts(self) -> dict[str, tuple[int, int]]:
        return {f: (self._counts[(f, "reads")], self._counts[(f, "rebuilds")]) for f in FAMILIES
                if self._counts[(f, "reads")]}
