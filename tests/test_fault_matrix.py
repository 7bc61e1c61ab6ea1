"""The fault matrix: search, the customer page and each of its activity parts, registration and bulk lookup, each
against every way Capillary (or what stands between) can fail, over a real socket with a 0.5 s read timeout. Every
cell ends in a specific, friendly message with 502, 503 or 504 (a 429 as "Capillary is busy, try again in N s"),
within the timeouts: never a 500, never a traceback. Registration keeps the form filled and sends at most one POST;
bulk rows say which failed and can be retried."""

import re
import time
import uuid

import pytest

from memberconsole.bulk.models import BulkJob
from memberconsole.capillary.factory import build_capillary_client, set_capillary_client

pytestmark = pytest.mark.django_db

# (name, fault spec for the fake, the statuses allowed, words the agent must read)
FAULTS = [
    ("timeout", {"timeout": True, "delay_ms": 2000}, {504}, "did not answer in time"),
    ("500", {"status": 500}, {503}, "not answering"),
    ("503", {"status": 503}, {503}, "not answering"),
    ("429 with Retry-After", {"status": 429, "retry_after": 30}, {503}, "Capillary is busy: try again in 30 s"),
    ("401", {"status": 401}, {502}, "credentials were refused"),
    ("a body that is not JSON", {"malformed": True}, {502, 503}, "not answering"),
    ("a proxy's HTML error page", {"status": 502, "raw_body": "<html><h1>502 Bad Gateway</h1>nginx</html>"},
     {503}, "not answering"),
    ("an empty body", {"status": 200, "raw_body": "", "content_type": "application/json"}, {502, 503}, ""),
    ("a body that stalls past the read timeout", {"delay_ms": 2000}, {504}, "did not answer in time"),
]  # fmt: skip
REFUSED = ("connection refused", None, {503}, "not answering")
CELLS = [*FAULTS, REFUSED]
# Reads are retried twice with a 0.5 s read timeout: every cell must end well within this.
BOUND_SECONDS = 6.0


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def broken(socket_capillary, fake_server_reset):
    """Make every /v2 call fail as the cell says (the whole suite's fake is reset before each test)."""
    import httpx

    def apply(spec):
        if spec is None:  # nothing listens on the discard port: the connection is refused
            dead = build_capillary_client(base_url="http://127.0.0.1:9")
            dead._sleep = lambda seconds: None
            set_capillary_client(dead)
            return
        fault = {"path": "/v2/", "count": None, **spec}
        httpx.post(f"{fake_server_reset}/__fake__/faults", json=fault, timeout=5).raise_for_status()

    return apply


def posts_to_register(fake_server_reset) -> int:
    import httpx

    entries = httpx.get(f"{fake_server_reset}/__fake__/requests", timeout=5).json()["requests"]
    return sum(1 for e in entries if e["method"] == "POST" and e["path"] == "/v2/customers")


def assert_friendly(response, statuses, words, elapsed):
    body = text(response)
    assert response.status_code in statuses, (response.status_code, body[:500])
    assert "Traceback" not in body
    assert "Server Error (500)" not in body
    if words:
        assert words in body
    assert elapsed < BOUND_SECONDS


@pytest.mark.parametrize(("name", "spec", "statuses", "words"), CELLS, ids=[c[0] for c in CELLS])
def test_search(agent_client, broken, name, spec, statuses, words):
    broken(spec)
    started = time.monotonic()
    response = agent_client.post("/customers/search/", {"q": "+91 98450 00001"})
    assert_friendly(response, statuses, words, time.monotonic() - started)
    assert 'value="+91 98450 00001"' in text(response)  # what the agent typed is kept, to try again


@pytest.mark.parametrize(("name", "spec", "statuses", "words"), CELLS, ids=[c[0] for c in CELLS])
def test_customer_page(agent_client, broken, name, spec, statuses, words):
    broken(spec)
    started = time.monotonic()
    response = agent_client.get("/customers/566881933/")
    assert_friendly(response, statuses, words, time.monotonic() - started)
    assert "Try again" in text(response)


@pytest.mark.parametrize(("name", "spec", "statuses", "words"), CELLS, ids=[c[0] for c in CELLS])
@pytest.mark.parametrize("part", ["transactions", "ledger", "expiry", "coupons"])
def test_activity_part(agent_client, broken, part, name, spec, statuses, words):
    broken(spec)
    started = time.monotonic()
    query = "?number=B-42" if part == "transactions" else ""
    response = agent_client.get(f"/customers/900000005/activity/{part}/{query}")  # the part as a page of its own
    assert_friendly(response, statuses, words, time.monotonic() - started)
    assert 'role="alert"' in response.content.decode()
    if part == "transactions":
        assert 'value="B-42"' in text(response)  # what the agent typed is kept
    in_page = agent_client.get(f"/customers/900000005/activity/{part}/{query}", headers={"HX-Request": "true"})
    assert in_page.status_code == 200  # htmx swaps the message in where the part would be
    assert 'role="alert"' in in_page.content.decode()


@pytest.mark.parametrize(("name", "spec", "statuses", "words"), CELLS, ids=[c[0] for c in CELLS])
def test_registration(agent_client, broken, fake_server_reset, name, spec, statuses, words):
    from memberconsole.registration.models import RegistrationSettings

    RegistrationSettings.load()
    broken(spec)
    data = {"token": str(uuid.uuid4()), "source": "INSTORE", "first_name": "Meera", "last_name": "Pillai",
            "mobile": "+91 99001 23456", "email": "meera.pillai@example.com"}  # fmt: skip
    started = time.monotonic()
    response = agent_client.post("/customers/register/", data)
    elapsed = time.monotonic() - started
    body = text(response)
    assert response.status_code in {502, 503, 504}, (response.status_code, body[:500])
    assert "Traceback" not in body
    assert elapsed < BOUND_SECONDS
    for typed in ('value="Meera"', 'value="Pillai"', 'value="+91 99001 23456"', 'value="meera.pillai@example.com"'):
        assert typed in body  # nothing the agent typed is lost
    assert "Nothing was registered" in body or "nothing was registered" in body or "could not check" in body
    if spec is not None:
        assert posts_to_register(fake_server_reset) <= 1  # never sent twice, never retried


@pytest.mark.parametrize(("name", "spec", "statuses", "words"), CELLS, ids=[c[0] for c in CELLS])
def test_bulk(agent_client, broken, name, spec, statuses, words):
    broken(spec)
    started = time.monotonic()
    # One entry through the bulk API, one through the lookup API (a card number): a 429 blocks only its own API for
    # its Retry-After, and bulk waits that out rather than call again (core/budget.py).
    response = agent_client.post("/customers/bulk/", {"entries": "566881933\nmtest00000000067003"})
    assert response.status_code == 302
    page = agent_client.get(response["Location"])
    elapsed = time.monotonic() - started
    body = text(page)
    assert page.status_code == 200  # the job ran: its rows say what failed
    assert "Traceback" not in body
    assert elapsed < 2 * BOUND_SECONDS
    job = BulkJob.objects.get()
    assert job.status == BulkJob.Status.DONE
    assert job.counts == {"error": 2}
    assert "Retry the 2 rows with errors" in body
    if words:
        assert words in body
