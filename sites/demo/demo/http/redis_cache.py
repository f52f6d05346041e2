"""Django's Redis cache backend with one connection pool per process, not one per request.

Django keeps cache backends per async context (``caches`` is an asgiref ``Local``), and each
``RedisCacheClient`` builds its own ``ConnectionPool``. Under ASGI every request runs in a context of
its own, so every request built a new pool and opened a new TCP connection to Redis: in the HTTP bench
that connect was most of a cached read's cost (py-spy: 22-27% of a worker's samples for one MGET).
Django's fix is still open (django/django#18459); this keeps its backend and shares the pools.

redis-py pools are thread-safe and reset themselves in a forked child (Celery's prefork workers).
"""
import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

_pools: dict = {}
_lock = threading.Lock()


class SharedPoolRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._options_key = repr(sorted(self._pool_options.items()))  # once per client, not per command

    def _get_connection_pool(self, write):
        server = self._servers[self._get_connection_pool_index(write)]
        key = (server, self._options_key)
        if key not in _pools:
            with _lock:
                if key not in _pools:
                    _pools[key] = self._pool_class.from_url(server, **self._pool_options)
        return _pools[key]


class SharedPoolRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedPoolRedisCacheClient
