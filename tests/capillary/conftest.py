"""Shared fixtures: a CapillaryClient over httpx.MockTransport, docs fixtures, recorded sleeps."""

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from memberconsole.capillary import CapillaryBasicAuth, CapillaryClient

FIXTURES = Path(__file__).parent / "fixtures"
BASE_URL = "https://eu.api.capillarytech.com"

type Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def fixture_json() -> Callable[[str], Any]:
    """Load tests/capillary/fixtures/<name>.json."""

    def load(name: str) -> Any:
        return json.loads((FIXTURES / f"{name}.json").read_text())

    return load


@pytest.fixture
def sleeps() -> list[float]:
    """The delays the client asked to sleep, in order."""
    return []


@pytest.fixture
def make_client(sleeps: list[float]) -> Iterator[Callable[..., CapillaryClient]]:
    """Build a client whose transport is `handler`; sleeping is recorded, not done."""
    clients: list[CapillaryClient] = []

    def build(handler: Handler, *, auth: httpx.Auth | None = None, **options: Any) -> CapillaryClient:
        client = CapillaryClient.build(
            base_url=BASE_URL,
            auth=auth if auth is not None else CapillaryBasicAuth("memberconsole.till", "fake-capillary-demo"),
            timeout=5.0,
            user_agent="MemberConsole/test",
            transport=httpx.MockTransport(handler),
            **options,
        )
        client._sleep = sleeps.append  # type: ignore[method-assign]
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


def respond(status: int = 200, body: Any = None, *, request_id: str = "req-1", **headers: str) -> httpx.Response:
    """A Capillary-like response carrying X-Cap-Requestid."""
    all_headers = {"X-Cap-Requestid": request_id, **{k.replace("_", "-"): v for k, v in headers.items()}}
    if body is None:
        return httpx.Response(status, headers=all_headers)
    if isinstance(body, (bytes, str)):
        return httpx.Response(status, content=body, headers=all_headers)
    return httpx.Response(status, json=body, headers=all_headers)


@pytest.fixture
def reply() -> Callable[..., httpx.Response]:
    """The `respond` helper as a fixture (conftest modules are not importable under importlib mode)."""
    return respond
