"""Build the process-wide Capillary client from Django settings: a live cluster, or the built-in fake in-process."""

import threading

import httpx
from django.conf import settings

from memberconsole.capillary.auth import CapillaryBasicAuth, CapillaryOAuth
from memberconsole.capillary.client import CapillaryClient

FAKE_BASE_URL = "http://fake-capillary.invalid"
# The fake's own demo credentials (memberconsole/fake_capillary/org.json); used only when CAPILLARY_BASE_URL is unset.
FAKE_USERNAME = "memberconsole.till"
FAKE_PASSWORD = "fake-capillary-demo"
FAKE_OAUTH_KEY = "fake-oauth-key"
FAKE_OAUTH_SECRET = "fake-oauth-secret"


def user_agent() -> str:
    """The User-Agent naming the console and its version."""
    return f"MemberConsole/{settings.VERSION} (+member-care console; httpx/{httpx.__version__})"


def _auth(*, live: bool) -> httpx.Auth:
    if settings.CAPILLARY_AUTH == "oauth":
        key = settings.CAPILLARY_OAUTH_KEY if live else settings.CAPILLARY_OAUTH_KEY or FAKE_OAUTH_KEY
        secret = settings.CAPILLARY_OAUTH_SECRET if live else settings.CAPILLARY_OAUTH_SECRET or FAKE_OAUTH_SECRET
        return CapillaryOAuth(key, secret)
    username = settings.CAPILLARY_USERNAME if live else settings.CAPILLARY_USERNAME or FAKE_USERNAME
    password = settings.CAPILLARY_PASSWORD if live else settings.CAPILLARY_PASSWORD or FAKE_PASSWORD
    return CapillaryBasicAuth(username, password)


def build_capillary_client(
    *, base_url: str | None = None, transport: httpx.BaseTransport | None = None
) -> CapillaryClient:
    """A new client: against base_url (or CAPILLARY_BASE_URL), else the in-process fake on CAPILLARY_FAKE_DB."""
    base_url = base_url if base_url is not None else settings.CAPILLARY_BASE_URL
    live = bool(base_url)
    if not live and transport is None:
        # Imported here so a live deployment never loads the fake.
        from memberconsole.fake_capillary import create_app

        transport = httpx.WSGITransport(app=create_app(db_path=settings.CAPILLARY_FAKE_DB))
    from memberconsole.core.budget import CacheBudget

    return CapillaryClient.build(
        base_url=base_url or FAKE_BASE_URL,
        auth=_auth(live=live),
        timeout=settings.CAPILLARY_TIMEOUT,
        user_agent=user_agent(),
        transport=transport,
        budget=CacheBudget(),
    )


_client: CapillaryClient | None = None
_client_lock = threading.Lock()


def get_capillary_client() -> CapillaryClient:
    """The one pooled client of this process, built on first use."""
    global _client
    if _client is None:
        with _client_lock:
            if _client is None:
                _client = build_capillary_client()
    return _client


def set_capillary_client(client: CapillaryClient | None) -> None:
    """Replace the process's client (tests and tools); None rebuilds it from settings on next use."""
    global _client
    with _client_lock:
        _client = client
