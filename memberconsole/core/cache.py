"""Django's Redis cache with one redis-py client per connection pool, and a few atomic counters in one round trip.

Django's RedisCacheClient builds a new `redis.Redis` for every cache operation; redis-py's constructor registers some
200 response callbacks each time, which cost more CPU than the round trip itself (about a fifth of a customer page's
CPU went there: docs/benchmarks.md). A `redis.Redis` is thread-safe and holds no connection of its own, so one per
pool serves every thread of the process.
"""

import threading

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    """Django's client, keeping the redis.Redis it builds for each pool."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}
        self._clients_lock = threading.Lock()

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            with self._clients_lock:
                client = self._clients.get(index)
                if client is None:
                    pool = self._get_connection_pool(write)
                    client = self._clients[index] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """settings.CACHES backend for redis:// URLs (settings.py swaps it in for Django's own)."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
