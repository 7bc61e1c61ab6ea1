"""Django's Redis cache with one redis-py client per connection pool, and counters counted in one round trip.

Django's RedisCacheClient builds a new `redis.Redis` for every cache operation; redis-py's constructor registers some
200 response callbacks each time, which cost more CPU than the round trip itself (about a fifth of a customer page's
CPU went there: docs/benchmarks.md). A `redis.Redis` is thread-safe and holds no connection of its own, so one per
pool serves every thread of the process.
"""

import threading
from collections.abc import Sequence

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from django.utils.connection import ConnectionProxy


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


def _redis(backend):
    """The redis-py client behind a Django Redis cache backend, or None for any other backend."""
    if isinstance(backend, ConnectionProxy):  # django.core.cache.cache: a proxy to this thread's default backend
        backend = backend._connections[backend._alias]
    if isinstance(backend, DjangoRedisCache):
        return backend._cache.get_client(write=True)
    return None


def counters_hit(backend, counters: Sequence[tuple[str, int]], *, peek: Sequence[str] = ()) -> tuple[list[int], list]:
    """Add one to each counter (a new one lives `seconds`), and read the `peek` keys: the counts and the values.

    On Redis this is one command (a Lua script: SET NX EX and INCR per counter, GET per key read) instead of three per
    counter (Django's add, then incr's EXISTS and INCR); a redis-py pipeline would be one round trip too but costs
    more CPU than the three commands. Other backends (the local-memory cache of the embedded default and the tests)
    do what the console did before: add, then incr."""
    client = _redis(backend)
    if client is None:
        counts = []
        for key, seconds in counters:
            backend.add(key, 0, timeout=seconds)
            try:
                counts.append(backend.incr(key))
            except ValueError:  # expired between add and incr
                backend.add(key, 1, timeout=seconds)
                counts.append(1)
        return counts, [backend.get(key) for key in peek]
    script = getattr(client, "_console_counters", None)
    if script is None:
        script = client._console_counters = client.register_script(_COUNTERS_LUA)
    keys = [backend.make_and_validate_key(key) for key in [*(key for key, _ in counters), *peek]]
    results = script(keys=keys, args=[len(counters), *(seconds for _, seconds in counters)])
    counts = [int(n) for n in results[: len(counters)]]
    loads = backend._cache._serializer.loads
    peeked = [None if value is None else loads(value) for value in results[len(counters) :]]
    peeked += [None] * (len(peek) - len(peeked))  # Redis drops trailing nils from a script's array
    return counts, peeked


# KEYS: the counters, then the keys to read; ARGV: how many counters, then each counter's seconds. A counter is
# created at 0 with its expiry (SET NX EX) and counted (INCR); what is read comes back as stored (or nil).
_COUNTERS_LUA = """
local n = tonumber(ARGV[1])
local out = {}
for i = 1, n do
  redis.call('SET', KEYS[i], 0, 'EX', ARGV[i + 1], 'NX')
  out[i] = redis.call('INCR', KEYS[i])
end
for i = n + 1, #KEYS do
  out[i] = redis.call('GET', KEYS[i])
end
return out
"""
