"""One Capillary rate budget for the whole console, kept in the shared cache (Redis in production), so every worker
and app server draws from the same count.

Each API has a limit per minute (settings.CAPILLARY_RATE_LIMITS, else CAPILLARY_RATE_LIMIT_DEFAULT). Interactive calls
(an agent's search, page, registration) may use all of it and never wait: when it is spent they fail at once with the
seconds to wait. Background calls (bulk jobs) use only what agents leave: they are paced through the minute, so by
second t of it everything counted (agents' calls too) stays under (1 - reserve) x limit x (t + PACE_SLACK) / 60, and
they wait rather than fail. Agents' calls count against the pace, so a busy minute for agents is a slow one for bulk,
and bulk never takes the minute's whole share in its first seconds, leaving agents only the reserve. An upstream 429
blocks the API for its Retry-After.
"""

import math
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache as default_cache

from memberconsole.capillary.errors import CapillaryRateLimitedError
from memberconsole.core.cache import counters_hit

WINDOW = 60  # seconds: limits are per minute
PACE_SLACK = 2.0  # seconds of its share a bulk job may take at once, at the start of a minute


def _key(api: str) -> str:
    return api.replace(" ", "_")  # cache keys carry no spaces (memcached refuses them)


class CacheBudget:
    """The budget protocol of memberconsole.capillary.budget, on Django's cache."""

    def __init__(
        self,
        *,
        limits: dict[str, int] | None = None,
        default: int | None = None,
        reserve: float | None = None,
        cache=None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limits = settings.CAPILLARY_RATE_LIMITS if limits is None else limits
        self.default = settings.CAPILLARY_RATE_LIMIT_DEFAULT if default is None else default
        self.reserve = settings.CAPILLARY_INTERACTIVE_RESERVE if reserve is None else reserve
        self.cache = cache or default_cache
        self.clock = clock
        self.sleep = sleep

    def limit(self, api: str) -> int:
        return self.limits.get(api, self.default)

    def background_limit(self, api: str) -> int:
        """What bulk work may use of an API's minute: the limit less the share kept for agents."""
        return max(1, math.floor(self.limit(api) * (1 - self.reserve)))

    def _blocked_until(self, api: str) -> float:
        return float(self.cache.get(f"capbudget:blocked:{_key(api)}") or 0)

    def _paced_cap(self, share: int, now: float) -> int:
        """How much of the minute (all calls counted) bulk may have used by now: its share, spread over the minute."""
        elapsed = now - math.floor(now / WINDOW) * WINDOW
        return max(1, min(share, math.floor(share * (elapsed + PACE_SLACK) / WINDOW)))

    def _take(self, api: str, cap: int, now: float, *, paced: bool = False) -> float:
        """Count one call in this minute if the API is not blocked and it fits under cap (paced through the minute for
        bulk); else the seconds to wait. One round trip to the cache on Redis: the count and the block together."""
        window = math.floor(now / WINDOW)
        key = f"capbudget:{_key(api)}:{window}"
        (count,), (blocked,) = counters_hit(self.cache, [(key, WINDOW + 10)], peek=[f"capbudget:blocked:{_key(api)}"])
        wait = max(float(blocked or 0) - now, 0.0)
        if not wait and count <= (self._paced_cap(cap, now) if paced else cap):
            return 0.0
        self.cache.decr(key)  # this call is not made: give its place back
        if wait:
            return wait
        if paced and count <= cap:  # within the minute's share but ahead of the pace: until the pace allows it
            return max(0.05, window * WINDOW + count * WINDOW / cap - PACE_SLACK - now)
        return (window + 1) * WINDOW - now

    def acquire(self, api: str, *, background: bool) -> None:
        while True:
            now = self.clock()
            cap = self.background_limit(api) if background else self.limit(api)
            wait = self._take(api, cap, now, paced=background)
            if not wait:
                return
            if not background:
                raise CapillaryRateLimitedError(
                    "The console's Capillary budget for this API is used up", retry_after=max(1, math.ceil(wait))
                )
            self.sleep(min(wait, 1.0))  # bulk slows down, rechecking at least once a second (agents may leave room)

    def penalise(self, api: str, seconds: float) -> None:
        until = self.clock() + max(seconds, 1.0)
        if until > self._blocked_until(api):
            self.cache.set(f"capbudget:blocked:{_key(api)}", until, timeout=math.ceil(seconds) + 5)

    def used(self, api: str) -> int:
        """Calls counted for the API in the current minute (what the tests and an operator's shell read)."""
        return int(self.cache.get(f"capbudget:{_key(api)}:{math.floor(self.clock() / WINDOW)}") or 0)


def bulk_rate_per_minute(*, api: str) -> int:
    """How many calls a minute a bulk job gets on an API when agents are quiet."""
    return CacheBudget().background_limit(api)
