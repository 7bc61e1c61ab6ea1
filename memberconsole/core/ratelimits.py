"""Per-user limits on searches and customer views, counted in the shared cache (Redis in production) so every
worker and every app server draws on the same count."""

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

WINDOWS = (("minute", 60), ("hour", 3600))
ACTION_WORDS = {"search": "searches", "view": "customer pages", "activity": "activity loads"}


@dataclass(frozen=True, slots=True)
class RateLimited(Exception):
    """Over a limit: `retry_after` seconds until the window that is full starts again."""

    action: str
    window: str
    limit: int
    retry_after: int

    def __str__(self) -> str:
        return f"{self.limit} {ACTION_WORDS.get(self.action, self.action)} per {self.window}"


def _count(key: str, seconds: int) -> int:
    # add() is a no-op when the key exists; incr() is atomic on Redis and per process on the local-memory cache.
    cache.add(key, 0, timeout=seconds + 5)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds + 5)
        return 1


def rate_limit_hit(*, user, action: str, now: float | None = None) -> None:
    """Count one `action` ("search", "view") for the user; raises RateLimited when it is over a limit."""
    limits = dict(zip((w for w, _ in WINDOWS), settings.RATE_LIMITS[action], strict=True))
    now = time.time() if now is None else now
    for window, seconds in WINDOWS:
        limit = limits[window]
        if not limit:
            continue
        bucket = math.floor(now / seconds)
        count = _count(f"ratelimit:{action}:{user.pk}:{window}:{bucket}", seconds)
        if count > limit:
            retry_after = max(1, math.ceil((bucket + 1) * seconds - now))
            raise RateLimited(action=action, window=window, limit=limit, retry_after=retry_after)
