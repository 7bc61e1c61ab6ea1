"""Reads are retried on transient failures with backoff and Retry-After; the registration POST never is."""

import email.utils
import time

import httpx
import pytest

from memberconsole.capillary import (
    CapillaryCustomerMergedError,
    CapillaryError,
    CapillaryNotFoundError,
    CapillaryRateLimitedError,
    CapillaryTimeoutError,
    CapillaryUnavailableError,
    CustomerCreateRequest,
    RetryPolicy,
    UserContext,
)
from memberconsole.capillary.retry import parse_retry_after

OK = {"id": 5, "profiles": []}
REQUEST = CustomerCreateRequest.model_validate(
    {"profiles": [{"identifiers": [{"type": "externalId", "value": "879577211225"}], "source": "INSTORE"}]}
)
AGENT = UserContext(entity_type="MEMBER_CONSOLE_AGENT", entity_id=17)


class Script:
    """Answer each call with the next scripted step: an int status, an exception, or a response."""

    def __init__(self, *steps) -> None:
        self.steps = list(steps)
        self.calls: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if isinstance(step, Exception):
            raise step
        if isinstance(step, httpx.Response):
            return step
        body = OK if step == 200 else {"errors": [{"code": step, "message": "busy"}]}
        return httpx.Response(step, json=body, headers={"X-Cap-Requestid": f"r{len(self.calls)}"})


@pytest.mark.parametrize("status", [429, 461, 502, 503, 504, 521])
def test_transient_status_is_retried_then_succeeds(make_client, sleeps, status):
    script = Script(status, status, 200)
    client = make_client(script)

    assert client.customer_get(5).id == 5
    assert len(script.calls) == 3
    assert len(sleeps) == 2


@pytest.mark.parametrize(
    "exc",
    [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), httpx.ReadTimeout("slow"), httpx.ReadError("x")],
)
def test_transport_failures_on_reads_are_retried(make_client, exc):
    script = Script(exc, 200)
    client = make_client(script)

    assert client.customer_get(5).id == 5
    assert len(script.calls) == 2


def test_gives_up_after_max_retries_with_the_mapped_error(make_client, sleeps):
    script = Script(503)
    client = make_client(script)

    with pytest.raises(CapillaryUnavailableError) as excinfo:
        client.customer_get(5)

    assert len(script.calls) == 3  # 1 + max_retries (2)
    assert excinfo.value.request_id == "r3"
    assert len(sleeps) == 2


def test_max_retries_is_configurable(make_client):
    script = Script(503)
    client = make_client(script, max_retries=0)

    with pytest.raises(CapillaryUnavailableError):
        client.customer_get(5)

    assert len(script.calls) == 1


def test_read_timeout_after_retries_raises_timeout(make_client):
    client = make_client(Script(httpx.ReadTimeout("slow")))

    with pytest.raises(CapillaryTimeoutError) as excinfo:
        client.customer_get(5)

    assert excinfo.value.request_sent is True


@pytest.mark.parametrize("status", [400, 401, 403, 404, 500])
def test_non_transient_statuses_are_not_retried(make_client, status):
    script = Script(status)
    client = make_client(script)

    with pytest.raises(CapillaryError):  # the class is covered in test_errors
        client.customer_get(5)

    assert len(script.calls) == 1


def test_backoff_is_exponential_and_jittered(make_client, sleeps):
    client = make_client(Script(503), max_retries=2, backoff_base=0.5)

    with pytest.raises(CapillaryUnavailableError):
        client.customer_get(5)

    first, second = sleeps
    assert 0.375 <= first <= 0.5
    assert 0.75 <= second <= 1.0


def test_backoff_policy_caps_at_backoff_max():
    policy = RetryPolicy(backoff_base=0.5, backoff_max=4.0)

    delays = [policy.backoff(attempt, jitter=lambda: 0.0) for attempt in range(6)]

    assert delays == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert policy.backoff(0, jitter=lambda: 1.0) == 0.375


def test_retry_after_seconds_is_honoured(make_client, sleeps):
    script = Script(httpx.Response(429, headers={"Retry-After": "2"}), 200)
    client = make_client(script)

    client.customer_get(5)

    assert sleeps == [2.0]


def test_retry_after_http_date_is_honoured(make_client, sleeps):
    when = email.utils.formatdate(time.time() + 3, usegmt=True)
    script = Script(httpx.Response(503, headers={"Retry-After": when}), 200)
    client = make_client(script)

    client.customer_get(5)

    assert 1.0 <= sleeps[0] <= 3.0


def test_retry_after_beyond_the_cap_gives_up_at_once(make_client, sleeps):
    script = Script(httpx.Response(429, headers={"Retry-After": "30", "X-Cap-Requestid": "rl"}), 200)
    client = make_client(script, retry_after_cap=5.0)

    with pytest.raises(CapillaryRateLimitedError) as excinfo:
        client.customer_get(5)

    assert len(script.calls) == 1
    assert sleeps == []
    assert excinfo.value.retry_after == 30
    assert excinfo.value.request_id == "rl"


@pytest.mark.parametrize(("header", "expected"), [(None, None), ("", None), ("1.5", 1.5), ("-3", 0.0), ("soon", None)])
def test_parse_retry_after(header, expected):
    assert parse_retry_after(header) == expected


def test_bulk_read_is_retried(make_client):
    script = Script(503, httpx.Response(200, json={"data": [{"entity": OK, "success": True}]}))
    client = make_client(script)

    (result,) = client.customers_bulk_get([5])

    assert result.success
    assert len(script.calls) == 2


def test_registration_is_sent_once_on_503(make_client, sleeps):
    script = Script(503)
    client = make_client(script)

    with pytest.raises(CapillaryUnavailableError):
        client.customer_create(REQUEST, user_context=AGENT)

    assert len(script.calls) == 1
    assert sleeps == []


@pytest.mark.parametrize(
    ("exc", "expected_class", "request_sent"),
    [
        (httpx.ReadTimeout("slow"), CapillaryTimeoutError, True),
        (httpx.WriteTimeout("slow"), CapillaryTimeoutError, True),
        (httpx.ReadError("connection reset"), CapillaryTimeoutError, True),
        (httpx.RemoteProtocolError("server disconnected"), CapillaryTimeoutError, True),
        (httpx.ConnectTimeout("slow connect"), CapillaryTimeoutError, False),
        (httpx.PoolTimeout("pool"), CapillaryTimeoutError, False),
        (httpx.ConnectError("refused"), CapillaryUnavailableError, False),
    ],
)
def test_registration_transport_failure_is_sent_once_and_says_whether_it_left(
    make_client, exc, expected_class, request_sent
):
    script = Script(exc)
    client = make_client(script)

    with pytest.raises(expected_class) as excinfo:
        client.customer_create(REQUEST, user_context=AGENT)

    assert type(excinfo.value) is expected_class
    assert excinfo.value.request_sent is request_sent
    assert len(script.calls) == 1


def test_errors_that_are_not_transient_are_not_retried_even_if_mapped_to_not_found(make_client):
    script = Script(httpx.Response(200, json={"errors": [{"code": 8015, "message": "no"}]}))
    client = make_client(script)

    with pytest.raises(CapillaryNotFoundError):
        client.customer_get(5)

    assert len(script.calls) == 1


def test_merged_answer_is_not_retried(make_client):
    script = Script(httpx.Response(200, json={"id": 6, "profiles": []}))
    client = make_client(script)

    with pytest.raises(CapillaryCustomerMergedError):
        client.customer_get(5)

    assert len(script.calls) == 1
