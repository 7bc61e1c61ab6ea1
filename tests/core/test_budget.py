"""One Capillary rate budget for the whole console: agents first, bulk with what they leave, 429s respected."""

import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache, caches

from memberconsole.capillary.errors import CapillaryRateLimitedError
from memberconsole.core.budget import CacheBudget

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
API = "GET /v2/customers/{id}"


class Clock:
    def __init__(self, now=1_800_000_000.0):
        self.now = now
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def budget(clock, limit=10, reserve=0.2):
    return CacheBudget(limits={API: limit}, default=1000, reserve=reserve, clock=clock, sleep=clock.sleep)


def test_agents_use_the_whole_limit_then_get_told_when_to_try_again():
    clock = Clock(1_800_000_030.0)  # 30 s into a minute
    b = budget(clock)
    for _ in range(10):
        b.acquire(API, background=False)
    with pytest.raises(CapillaryRateLimitedError) as caught:
        b.acquire(API, background=False)
    assert caught.value.retry_after == 30
    assert clock.slept == []  # an agent is never made to wait
    assert b.used(API) == 10


def test_bulk_is_paced_through_the_minute_not_spent_in_its_first_seconds():
    clock = Clock(1_800_000_000.0)  # the start of a minute
    b = budget(clock)
    times = []
    for _ in range(8):  # 80 %: the reserve keeps 2 for agents
        b.acquire(API, background=True)
        times.append(clock.now - 1_800_000_000.0)
    assert times == sorted(times)
    assert times[0] == 0  # it starts at once
    assert times[3] < 30 < times[4]  # half the share by half the minute
    assert 50 < times[-1] < 60  # the whole share only by the minute's end
    assert b.used(API) == 8


def test_bulk_uses_only_what_agents_leave_and_waits_instead_of_failing():
    clock = Clock(1_800_000_000.0)
    b = budget(clock)
    for _ in range(8):  # agents take bulk's whole share early in the minute
        b.acquire(API, background=False)
    b.acquire(API, background=True)  # nothing left for bulk this minute: it waits for the next one
    assert sum(clock.slept) == pytest.approx(60.0)
    assert b.used(API) == 1  # counted in the new minute


def test_agents_go_first_even_when_bulk_is_busy():
    clock = Clock(1_800_000_000.0)
    b = budget(clock)
    while clock.now < 1_800_000_030.0:  # bulk as fast as it may for half a minute
        b.acquire(API, background=True)
    assert b.used(API) == 5  # its pace: 8 x (30 + 2) / 60, plus the call that waited until second 30
    for _ in range(5):  # agents may use everything else in the minute, at once
        b.acquire(API, background=False)
    assert b.used(API) == 10


def test_an_upstream_429_blocks_the_api_for_its_retry_after():
    clock = Clock(1_800_000_000.0)
    b = budget(clock)
    b.penalise(API, 12)
    with pytest.raises(CapillaryRateLimitedError) as caught:
        b.acquire(API, background=False)
    assert caught.value.retry_after == 12
    b.acquire(API, background=True)  # bulk waits the 12 s out
    assert sum(clock.slept) == pytest.approx(12.0)
    b.acquire("POST /v2/customers", background=False)  # another API is not blocked


def test_each_api_has_its_own_limit(settings):
    b = CacheBudget(clock=Clock())
    assert b.limit("POST /v2/customers") == 100
    assert b.limit("GET /v2/customers/lookup/customerDetails") == 1000
    assert b.background_limit("GET /v2/customers/lookup/customerDetails") == 800


def test_the_agent_gets_the_busy_page_at_once_when_the_budget_is_spent(agent_client, capillary, settings):
    from memberconsole.capillary.factory import set_capillary_client

    # Held mid-minute: on the wall clock the second page could fall in a new minute and be served.
    capillary._budget = CacheBudget(limits={API: 1}, default=1000, clock=lambda: 1_800_001_830.0)
    set_capillary_client(capillary)
    assert agent_client.get("/customers/566881933/").status_code == 200
    started = time.perf_counter()
    response = agent_client.get("/customers/565261498/")
    assert time.perf_counter() - started < 1.0
    assert response.status_code == 503
    body = response.content.decode()
    assert "Capillary is busy" in body
    retry = int(response["Retry-After"])
    assert f"try again in {retry} s" in body


def test_an_upstream_429_is_honoured_by_every_later_call(agent_client, capillary, fake_http):
    capillary._budget = CacheBudget()
    fake_http.post(
        "/__fake__/faults", json={"path": "/v2/customers/{id}", "status": 429, "retry_after": 30, "count": 3}
    )
    response = agent_client.get("/customers/566881933/")
    assert response.status_code == 503
    assert "Capillary is busy" in response.content.decode()
    calls = len(fake_http.get("/__fake__/requests").json()["requests"])
    assert agent_client.get("/customers/565261498/").status_code == 503  # refused here, not sent
    assert len(fake_http.get("/__fake__/requests").json()["requests"]) == calls


SPEND = """
import django, os, sys
django.setup()
from django.core.cache import caches
from memberconsole.capillary.errors import CapillaryRateLimitedError
from memberconsole.core.budget import CacheBudget
b = CacheBudget(
    limits={"GET x": int(sys.argv[1])}, default=1000, reserve=0.2, cache=caches["shared"], clock=lambda: 1_800_001_830.0
)
n = 0
for _ in range(int(sys.argv[2])):
    try:
        b.acquire("GET x", background=False)
        n += 1
    except CapillaryRateLimitedError:
        pass
print(n)
"""


def test_the_budget_is_shared_between_processes(tmp_path, settings):
    """Two processes (two app servers, or two workers) spend one budget through the shared cache."""
    import os

    cache_url = os.environ.get("CACHE_URL", "")
    if cache_url.startswith("redis"):
        config = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": cache_url}
    else:  # the embedded default has no shared cache; a file cache stands in for Redis between processes
        config = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)}
    settings.CACHES = {**settings.CACHES, "shared": config}
    caches["shared"].clear()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.core.budget_settings", "SHARED_CACHE": repr(config)}
    env["PYTHONPATH"] = str(ROOT)
    script = tmp_path / "spend.py"
    script.write_text(SPEND)
    first = subprocess.run([sys.executable, script, "30", "20"], cwd=ROOT, env=env, capture_output=True, text=True)
    second = subprocess.run([sys.executable, script, "30", "20"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert (int(first.stdout), int(second.stdout)) == (20, 10)  # the second process had only what the first left
