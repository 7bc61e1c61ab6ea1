"""Contract fixtures: the real CapillaryClient against the fake Capillary over a real socket, plus its control plane."""

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from memberconsole.capillary import CapillaryBasicAuth, CapillaryClient, CapillaryOAuth
from memberconsole.capillary.auth import basic_auth_header

TILL = "memberconsole.till"
TILL_PASSWORD = "fake-capillary-demo"
OAUTH_KEY = "fake-oauth-key"
OAUTH_SECRET = "fake-oauth-secret"
USER_AGENT = "contract-tests"


class FakeControl:
    """The fake's /__fake__/ control plane: faults, request log, config overrides, seeding."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._http = httpx.Client(base_url=base_url, timeout=30)

    def close(self) -> None:
        """Close the control connection."""
        self._http.close()

    def reset(self) -> None:
        """Back to the docs and demo customers; faults, request log, tokens, clock and config overrides cleared."""
        self._http.post("/__fake__/reset").raise_for_status()

    def fault(self, path: str, **spec: Any) -> dict[str, Any]:
        """Inject a fault (see the fake's README: status, timeout, malformed, count, when, retry_after, body...)."""
        response = self._http.post("/__fake__/faults", json={"path": path, **spec})
        response.raise_for_status()
        return response.json()

    def configure(self, overrides: dict[str, Any]) -> None:
        """Merge config overrides ({"behaviour": {...}}) until the next reset."""
        self._http.post("/__fake__/config", json=overrides).raise_for_status()

    def seed(self, customers: int) -> None:
        """Top the generated customers up to `customers` (ids 100000001...)."""
        self._http.post("/__fake__/seed", json={"customers": customers}).raise_for_status()

    def set_clock(self, offset_seconds: float) -> None:
        """Move the fake's clock (OAuth token expiry)."""
        self._http.post("/__fake__/clock", json={"offset_seconds": offset_seconds}).raise_for_status()

    def clear_requests(self) -> None:
        """Empty the request log."""
        self._http.delete("/__fake__/requests").raise_for_status()

    def requests(self, path: str | None = None, method: str | None = None) -> list[dict[str, Any]]:
        """Request log entries (oldest first), optionally filtered by path prefix and method."""
        params = {key: value for key, value in {"path": path, "method": method}.items() if value}
        response = self._http.get("/__fake__/requests", params=params)
        response.raise_for_status()
        return response.json()["requests"]

    def wait_for_requests(self, count: int, path: str, method: str | None = None, timeout: float = 5.0) -> list[dict]:
        """The log once it holds `count` matching entries: a request held by a latency fault is logged when it ends."""
        deadline = time.monotonic() + timeout
        while True:
            entries = self.requests(path, method)
            if len(entries) >= count or time.monotonic() > deadline:
                return entries
            time.sleep(0.05)

    def raw_get(self, path: str, **params: Any) -> httpx.Response:
        """A GET with the till's Basic credentials, bypassing the client (to inspect the wire JSON)."""
        return self._http.get(path, params=params, headers={"Authorization": basic_auth_header(TILL, TILL_PASSWORD)})

    def raw_post(self, path: str, body: Any, **params: Any) -> httpx.Response:
        """A POST with the till's Basic credentials, bypassing the client (to inspect the wire JSON)."""
        headers = {"Authorization": basic_auth_header(TILL, TILL_PASSWORD)}
        return self._http.post(path, params=params, json=body, headers=headers)


@pytest.fixture(scope="session")
def fake_control(fake_server: str) -> Iterator[FakeControl]:
    """One control-plane connection for the session (every new httpx.Client costs ~25 ms of TLS setup)."""
    control = FakeControl(fake_server)
    yield control
    control.close()


@pytest.fixture
def fake(fake_control: FakeControl) -> FakeControl:
    """The socket fake reset to its demo data (what fake_server_reset does): no faults, empty log, no overrides."""
    fake_control.reset()
    return fake_control


@pytest.fixture
def sleeps() -> list[float]:
    """The backoff delays the clients asked for (recorded, never slept)."""
    return []


def _build(base_url: str, auth: httpx.Auth | None, timeout: float, **options: Any) -> CapillaryClient:
    return CapillaryClient.build(
        base_url=base_url,
        auth=auth if auth is not None else CapillaryBasicAuth(TILL, TILL_PASSWORD),
        timeout=timeout,
        user_agent=USER_AGENT,
        **options,
    )


@pytest.fixture
def make_client(fake: FakeControl, sleeps: list[float]) -> Iterator[Callable[..., CapillaryClient]]:
    """Build a real client against the socket fake; backoff sleeps are recorded instead of slept."""
    clients: list[CapillaryClient] = []

    def build(*, auth: httpx.Auth | None = None, timeout: float = 2, **options: Any) -> CapillaryClient:
        client = _build(fake.base_url, auth, timeout, **options)
        client._sleep = sleeps.append  # type: ignore[method-assign]
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


@pytest.fixture(scope="session")
def _basic_client(fake_server: str) -> Iterator[CapillaryClient]:
    client = _build(fake_server, None, 2)
    yield client
    client.close()


@pytest.fixture
def client(fake: FakeControl, _basic_client: CapillaryClient, sleeps: list[float]) -> CapillaryClient:
    """The client with the demo till's Basic credentials (stateless, so shared by the session)."""
    _basic_client._sleep = sleeps.append  # type: ignore[method-assign]
    return _basic_client


@pytest.fixture
def oauth_client(make_client: Callable[..., CapillaryClient]) -> CapillaryClient:
    """A new client with the demo OAuth key and secret (new, so its token cache starts empty)."""
    return make_client(auth=CapillaryOAuth(OAUTH_KEY, OAUTH_SECRET))
