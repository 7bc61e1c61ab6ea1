"""Per-user limits on searches and customer views, counted in the shared cache (Redis in production) so every
worker and every app server draws on the same count."""

import contextlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from memberconsole.core.cache import counters_hit

WINDOWS = (("minute", 60), ("hour", 3600))
ACTION_WORDS = {"search": "searches", "view": "customer pages", "activity": "activity loads"}
# The windows are fixed (minute 12:04, hour 12:00): the clock is a name of its own so tests can hold it mid-window.
clock = time.time


@dataclass(frozen=True, slots=True)
class RateLimited(Exception):
    """Over a limit: `retry_after` seconds until the window that is full starts again."""

    action: str
    window: str
    limit: int
    retry_after: int

    def __str__(self) -> str:
        return f"{self.limit} {ACTION_WORDS.get(self.action, self.action)} per {self.window}"


def rate_limit_hit(*, user, action: str, now: float | None = None) -> None:
    """Count one `action` ("search", "view") for the user; raises RateLimited when it is over a limit."""
    limits = dict(zip((w for w, _ in WINDOWS), settings.RATE_LIMITS[action], strict=True))
    now = clock() if now is None else now
    windows = [(window, seconds, math.floor(now / seconds)) for window, seconds in WINDOWS if limits[window]]
    # Every window counted in one round trip to the cache (atomic on Redis, per process on the local-memory cache).
    counts, _ = counters_hit(
        cache, [(f"ratelimit:{action}:{user.pk}:{window}:{bucket}", seconds + 5) for window, seconds, bucket in windows]
    )
    for n, ((window, seconds, bucket), count) in enumerate(zip(windows, counts, strict=True)):
        if count > limits[window]:
            # As when each window was counted in turn: a request refused by one window is not counted in the later.
            for later, _, later_bucket in windows[n + 1 :]:
                with contextlib.suppress(ValueError):
                    cache.decr(f"ratelimit:{action}:{user.pk}:{later}:{later_bucket}")
            retry_after = max(1, math.ceil((bucket + 1) * seconds - now))
            raise RateLimited(action=action, window=window, limit=limits[window], retry_after=retry_after)
