"""Retry policy for idempotent reads: which failures to retry, and how long to wait."""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

# api-notes §3.3 (docs.capillarytech.com/reference/errors-and-warnings): 461 "search engine busy, retry later", 521
# "multiple actions running for the customer, retry later".
RETRY_STATUSES = frozenset({429, 461, 502, 503, 504, 521})


def parse_retry_after(value: str | None, *, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now())


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """At most `max_retries` retries, jittered exponential backoff, Retry-After honoured up to a cap."""

    max_retries: int = 2
    backoff_base: float = 0.5
    backoff_max: float = 4.0
    retry_after_cap: float = 5.0

    def retryable_status(self, status_code: int) -> bool:
        """True for statuses worth another try."""
        return status_code in RETRY_STATUSES

    def backoff(self, attempt: int, *, jitter: Callable[[], float] = random.random) -> float:
        """Delay before retry number `attempt + 1`: base * 2**attempt, capped, minus up to 25 % jitter."""
        delay = min(self.backoff_base * (2**attempt), self.backoff_max)
        return delay * (1 - 0.25 * jitter())

    def delay(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait before the next try, or None to give up (Retry-After beyond the cap)."""
        if retry_after is not None:
            return None if retry_after > self.retry_after_cap else retry_after
        return self.backoff(attempt)
