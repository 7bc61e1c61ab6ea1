"""The console's counters (rate limits, the Capillary budget) on Redis: one command each, counted as before."""

import os

import pytest
from django.core.cache import cache

from memberconsole.core.cache import counters_hit

pytestmark = pytest.mark.skipif(
    not os.environ.get("CACHE_URL", "").startswith("redis"), reason="Redis only (make test-production-profile)"
)


def test_counters_and_reads_take_one_command_through_the_default_cache_proxy(monkeypatch):
    import redis.client

    sent = []
    execute = redis.client.Redis.execute_command

    def spy(self, *args, **kwargs):
        sent.append(args[0])
        return execute(self, *args, **kwargs)

    cache.set("blocked", 12.5)
    monkeypatch.setattr(redis.client.Redis, "execute_command", spy)
    assert counters_hit(cache, [("a", 60), ("b", 3600)], peek=["blocked", "missing"]) == ([1, 1], [12.5, None])
    assert counters_hit(cache, [("a", 60)]) == ([2], [])
    assert sent in (["EVALSHA", "EVALSHA"], ["EVALSHA", "SCRIPT LOAD", "EVALSHA", "EVALSHA"])


def test_a_new_counter_expires_with_its_window():
    counters_hit(cache, [("window", 65)])
    client = cache._cache.get_client(write=True)
    assert 60 < client.ttl(cache.make_and_validate_key("window")) <= 65
