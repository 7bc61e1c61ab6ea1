"""One log line per call with the path template, status, timing, retries and request id; never customer data."""

import logging

import httpx
import pytest

from memberconsole.capillary import (
    CapillaryNotFoundError,
    CapillaryUnavailableError,
    CustomerCreateRequest,
    UserContext,
)

LOGGER = "memberconsole.capillary"
MOBILE = "919812345678"
EMAIL = "ada.lovelace@example.com"
FIRST_NAME = "Augusta"
LAST_NAME = "Byronfield"


def capillary_records(caplog):
    return [r for r in caplog.records if r.name == LOGGER]


def test_one_info_line_per_successful_call(make_client, caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    client = make_client(lambda r: httpx.Response(200, json={"id": 5}, headers={"X-Cap-Requestid": "req-77"}))

    client.customer_get(5, source="INSTORE")

    (record,) = capillary_records(caplog)
    assert record.levelno == logging.INFO
    message = record.getMessage()
    assert message.startswith("capillary GET /v2/customers/{id} status=200 ms=")
    assert "retries=0 request_id=req-77" in message
    assert "5" not in message.split("ms=")[0]  # the template, not the id
    assert (record.capillary_path, record.capillary_status, record.capillary_retries) == ("/v2/customers/{id}", 200, 0)
    assert isinstance(record.capillary_ms, int)


def test_retries_are_counted_on_the_single_line(make_client, caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    answers = iter([503, 503, 200])

    def handler(request):
        status = next(answers)
        return httpx.Response(status, json={"id": 5} if status == 200 else {}, headers={"X-Cap-Requestid": "r"})

    make_client(handler).customer_get(5)

    (record,) = capillary_records(caplog)
    assert record.capillary_retries == 2


def test_failure_is_one_warning_with_class_and_codes(make_client, caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    body = {"errors": [{"code": 8015, "message": "Customer not found for the given identifiers"}]}
    client = make_client(lambda r: httpx.Response(400, json=body, headers={"X-Cap-Requestid": "req-404"}))

    with pytest.raises(CapillaryNotFoundError):
        client.customer_lookup(identifier_name="mobile", identifier_value=MOBILE)

    (record,) = capillary_records(caplog)
    assert record.levelno == logging.WARNING
    assert record.getMessage().endswith("request_id=req-404 error=CapillaryNotFoundError codes=8015")
    assert record.capillary_path == "/v2/customers/lookup/customerDetails"


def test_transport_failure_is_logged_without_status(make_client, caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER)

    def handler(request):
        raise httpx.ConnectError("refused")

    with pytest.raises(CapillaryUnavailableError):
        make_client(handler, max_retries=1).customer_get(5)

    (record,) = capillary_records(caplog)
    assert "status=None" in record.getMessage()
    assert "retries=1" in record.getMessage()
    assert "error=CapillaryUnavailableError" in record.getMessage()


def test_no_mobile_email_or_name_reaches_any_log_record(make_client, caplog):
    # The lead silences httpx's own INFO request lines (full URLs) in settings; do the same here.
    # caplog.set_level also sets its handler's level, so the wider level goes last.
    caplog.set_level(logging.WARNING, logger="httpx")
    caplog.set_level(logging.DEBUG)
    customer = {
        "id": 5,
        "profiles": [
            {
                "firstName": FIRST_NAME,
                "lastName": LAST_NAME,
                "identifiers": [{"type": "mobile", "value": MOBILE}, {"type": "email", "value": EMAIL}],
            }
        ],
    }

    def handler(request):
        if request.method == "POST":
            return httpx.Response(200, json={"createdId": 5, "warnings": [], "sideEffects": []})
        if request.url.params.get("identifierName") == "email":
            return httpx.Response(400, json={"errors": [{"code": 8015, "message": "Customer not found"}]})
        return httpx.Response(200, json=customer)

    client = make_client(handler)
    client.customer_lookup(identifier_name="mobile", identifier_value=MOBILE)
    with pytest.raises(CapillaryNotFoundError):
        client.customer_lookup(identifier_name="email", identifier_value=EMAIL)
    client.customer_search(q=MOBILE)
    request = CustomerCreateRequest.model_validate(
        {
            "profiles": [
                {
                    "firstName": FIRST_NAME,
                    "lastName": LAST_NAME,
                    "identifiers": [{"type": "mobile", "value": MOBILE}, {"type": "email", "value": EMAIL}],
                    "commChannels": [{"type": "email", "value": EMAIL, "primary": True}],
                }
            ]
        }
    )
    client.customer_create(request, user_context=UserContext("AGENT", 1))

    assert len(capillary_records(caplog)) == 4
    for record in caplog.records:
        text = record.getMessage() + repr(record.__dict__)
        for secret in (MOBILE, EMAIL, FIRST_NAME, LAST_NAME, "919812"):
            assert secret not in text, (record.name, secret)
