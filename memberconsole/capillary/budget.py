"""The rate budget every call draws from before it is sent: the client asks, an implementation decides.

Capillary limits calls per API for the whole org (some APIs to 100 a minute). The client knows nothing about how the
budget is shared (the console keeps it in its cache, shared by every worker and app server: core/budget.py); it only
says which API a call is for and whether it is interactive (an agent waiting) or background (a bulk job), and tells
the budget when Capillary answered 429.
"""

from typing import Protocol


def api_key(method: str, path_template: str) -> str:
    """The name a limit is configured under: 'POST /v2/customers', 'GET /v2/customers/{id}'."""
    return f"{method.upper()} {path_template}"


class Budget(Protocol):
    def acquire(self, api: str, *, background: bool) -> None:
        """Take one call from the budget. Interactive calls never wait: when the budget is spent this raises
        CapillaryRateLimitedError(retry_after=seconds). Background calls wait until there is room."""

    def penalise(self, api: str, seconds: float) -> None:
        """Capillary answered 429: spend nothing on this API for `seconds`."""


class Unlimited:
    """No budget (a client used outside the console, or tests of the client itself)."""

    def acquire(self, api: str, *, background: bool) -> None:
        return None

    def penalise(self, api: str, seconds: float) -> None:
        return None
