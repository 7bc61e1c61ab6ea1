"""Every error the client maps, as the fake produces it over a socket: class, codes, status, request id, retries."""

import pytest

from memberconsole.capillary import (
    CapillaryAccountIdError,
    CapillaryAlreadyExistsError,
    CapillaryAuthenticationError,
    CapillaryBadRequestError,
    CapillaryBasicAuth,
    CapillaryCustomerDeletedError,
    CapillaryCustomerMergedError,
    CapillaryInvalidIdentifierError,
    CapillaryInvalidSourceError,
    CapillaryNotFoundError,
    CapillaryOAuth,
    CapillaryRateLimitedError,
    CapillaryResponseValidationError,
    CapillaryTimeoutError,
    CapillaryUnavailableError,
    CapillaryValidationError,
    CustomerCreateRequest,
    UserContext,
)

pytestmark = pytest.mark.contract

AGENT = UserContext(entity_type="ADMIN_USER", entity_id=42)
BY_ID = "/v2/customers/{id}"
# Timeout faults hold the request HELD_MS on the fake; the impatient client gives up after SHORT_TIMEOUT seconds.
# The gap is wide so a loaded machine cannot turn a normal answer into a timeout, and short so the suite stays fast.
SHORT_TIMEOUT = 0.4
HELD_MS = 900


def registration(*, mobile: str, source: str = "INSTORE") -> CustomerCreateRequest:
    """A one-profile registration request."""
    profile = {"firstName": "Err", "identifiers": [{"type": "mobile", "value": mobile}], "source": source}
    return CustomerCreateRequest.model_validate({"profiles": [profile]})


def last_request_id(fake, path: str) -> str:
    """X-Cap-Requestid of the last logged request on path."""
    return fake.requests(path)[-1]["requestId"]


# ------------------------------------------------------------------ not found, merged, deleted


def test_unknown_customer_id_is_not_found_8015(client, fake):
    with pytest.raises(CapillaryNotFoundError) as excinfo:
        client.customer_get(123456789)

    error = excinfo.value
    assert (error.status_code, error.codes) == (400, (8015,))
    assert error.message == "Customer not found for the given identifiers"
    assert error.request_id == last_request_id(fake, "/v2/customers/123456789")
    assert len(fake.requests("/v2/customers/123456789")) == 1  # item errors are not retried


def test_customer_without_a_profile_in_the_source_is_not_found_8065(client):
    with pytest.raises(CapillaryNotFoundError) as excinfo:
        client.customer_get(900000017, source="INSTORE")

    assert excinfo.value.codes == (8065,)


@pytest.mark.parametrize(
    ("identifier_name", "identifier_value", "code"),
    [("mobile", "919999999999", 8015), ("mobile", "919845000017", 8065), ("email", "nobody@example.com", 8015)],
)
def test_lookup_of_an_unknown_identifier_is_not_found(client, identifier_name, identifier_value, code):
    with pytest.raises(CapillaryNotFoundError) as excinfo:
        client.customer_lookup(identifier_name=identifier_name, identifier_value=identifier_value, source="INSTORE")

    assert excinfo.value.codes == (code,)


def test_merge_victim_read_in_survivor_mode_names_the_survivor(client):
    with pytest.raises(CapillaryCustomerMergedError) as excinfo:
        client.customer_get(900000013)

    assert excinfo.value.survivor_id == 900000014
    assert excinfo.value.codes == (91009,)
    assert excinfo.value.status_code == 200


def test_merge_victim_read_in_error_mode_is_8069(client, fake):
    fake.configure({"behaviour": {"merged_victim_mode": "error"}})

    with pytest.raises(CapillaryCustomerMergedError) as excinfo:
        client.customer_get(900000013)
    with pytest.raises(CapillaryCustomerMergedError) as lookup_excinfo:
        client.customer_lookup(identifier_name="mobile", identifier_value="919845000013", source="INSTORE")

    assert (excinfo.value.codes, excinfo.value.status_code) == ((8069,), 400)
    assert excinfo.value.message == "Merged customer found"
    assert excinfo.value.survivor_id is None  # 8069 does not say who survived
    assert lookup_excinfo.value.codes == (8069,)


def test_merge_victim_in_bulk_in_error_mode_is_a_merged_row(client, fake):
    fake.configure({"behaviour": {"merged_victim_mode": "error"}})

    (result,) = client.customers_bulk_get([900000013])

    assert isinstance(result.error, CapillaryCustomerMergedError)
    assert result.error.codes == (8069,)


def test_pii_deleted_customer_is_deleted_by_id_lookup_and_bulk(client):
    with pytest.raises(CapillaryCustomerDeletedError) as by_id:
        client.customer_get(900000012)
    with pytest.raises(CapillaryCustomerDeletedError) as by_lookup:
        client.customer_lookup(identifier_name="externalId", identifier_value="DELETED-900000012", source="INSTORE")
    (row,) = client.customers_bulk_get([900000012])

    assert by_id.value.message == "Customer is deleted after PII delete request"
    assert by_id.value.codes == (8015,)  # the fake's default: the docs give only the message
    assert by_lookup.value.codes == (8015,)
    assert isinstance(row.error, CapillaryCustomerDeletedError)
    assert not client.customer_search(q="DELETED-9").hits


# ------------------------------------------------------------------ registration errors


def test_same_identifier_in_the_same_source_already_exists_8006(client, fake):
    with pytest.raises(CapillaryAlreadyExistsError) as excinfo:
        client.customer_create(registration(mobile="919845000004"), user_context=AGENT)

    assert excinfo.value.codes == (8006,)
    assert excinfo.value.message == "Customer already exists for same source"
    assert excinfo.value.request_id == last_request_id(fake, "/v2/customers")


def test_registering_twice_is_8006_the_second_time(client):
    client.customer_create(registration(mobile="919900000201"), user_context=AGENT)

    with pytest.raises(CapillaryAlreadyExistsError):
        client.customer_create(registration(mobile="919900000201"), user_context=AGENT)


def test_registration_in_an_unknown_source_is_invalid_source_3217(client):
    with pytest.raises(CapillaryInvalidSourceError) as excinfo:
        client.customer_create(registration(mobile="919900000202", source="MYSPACE"), user_context=AGENT)

    assert excinfo.value.codes == (3217,)


def test_get_with_an_unknown_source_is_invalid_source_8012(client):
    with pytest.raises(CapillaryInvalidSourceError) as excinfo:
        client.customer_get(566881933, source="MYSPACE")

    assert excinfo.value.codes == (8012,)


def test_lookup_with_an_unknown_source_is_invalid_source_8003(client):
    with pytest.raises(CapillaryInvalidSourceError) as excinfo:
        client.customer_lookup(identifier_name="mobile", identifier_value="1234512345", source="MYSPACE")

    assert excinfo.value.codes == (8003,)


def test_lookup_with_an_unknown_identifier_name_is_invalid_identifier_8013(client):
    with pytest.raises(CapillaryInvalidIdentifierError) as excinfo:
        client.customer_lookup(identifier_name="passport", identifier_value="X1", source="INSTORE")

    assert excinfo.value.codes == (8013,)
    assert excinfo.value.identifier is None


def test_lookup_with_a_blank_value_is_a_validation_error_11013(client):
    with pytest.raises(CapillaryValidationError) as excinfo:
        client.customer_lookup(identifier_name="mobile", identifier_value="", source="INSTORE")

    assert excinfo.value.codes == (11013,)
    assert excinfo.value.message == "identifierName, identifierValue, source can not be empty"


@pytest.mark.parametrize("mobile", ["12345", "911234567890", "0919845000099"])
def test_registration_with_an_invalid_mobile_is_8014_blaming_the_mobile(client, mobile):
    with pytest.raises(CapillaryInvalidIdentifierError) as excinfo:
        client.customer_create(registration(mobile=mobile), user_context=AGENT)

    assert excinfo.value.codes == (8014,)
    assert excinfo.value.identifier == "mobile"


def test_multi_account_source_without_account_id_is_8045(client):
    with pytest.raises(CapillaryAccountIdError) as by_id:
        client.customer_get(900000020, source="WECHAT")
    with pytest.raises(CapillaryAccountIdError) as on_create:
        client.customer_create(registration(mobile="919900000203", source="WECHAT"), user_context=AGENT)

    assert by_id.value.codes == on_create.value.codes == (8045,)
    assert client.customer_get(900000020, source="WECHAT", account_id="1234").id == 900000020


def test_non_numeric_customer_id_gets_a_blank_400_bad_request(client, fake):
    # get-customer-by-id.txt (docs.capillarytech.com/reference/get-customer-details-v2): "400 Bad Request with Blank
    # response"; -5 is the one non-digit id an int can carry.
    with pytest.raises(CapillaryBadRequestError) as excinfo:
        client.customer_get(-5)

    error = excinfo.value
    assert (error.status_code, error.codes, error.body) == (400, (), None)
    assert error.request_id == last_request_id(fake, "/v2/customers/-5")


def test_negative_gap_is_refused_before_anything_is_sent(client, fake):
    with pytest.raises(ValueError, match="gap_to_upgrade"):
        client.customer_get(566881933, gap_to_upgrade=-1)

    assert fake.requests("/v2/") == []


# ------------------------------------------------------------------ authentication


def test_wrong_till_password_is_authentication_401_and_not_retried(make_client, fake):
    client = make_client(auth=CapillaryBasicAuth("memberconsole.till", "wrong-password"))

    with pytest.raises(CapillaryAuthenticationError) as excinfo:
        client.customer_get(566881933)

    assert (excinfo.value.status_code, excinfo.value.codes) == (401, (401,))
    assert len(fake.requests("/v2/customers/566881933")) == 1


def test_wrong_oauth_secret_fails_at_the_token_and_never_calls_the_api(make_client, fake):
    client = make_client(auth=CapillaryOAuth("fake-oauth-key", "wrong-secret"))

    with pytest.raises(CapillaryAuthenticationError) as excinfo:
        client.customer_get(566881933)

    assert excinfo.value.message == "Failed to generate OAuth token"
    assert excinfo.value.status_code == 401
    assert [(entry["path"], entry["status"]) for entry in fake.requests()] == [("/v3/oauth/token/generate", 401)]


def test_oauth_token_service_down_is_unavailable(make_client, fake):
    fake.fault("/v3/oauth/token/generate", status=503)
    client = make_client(auth=CapillaryOAuth("fake-oauth-key", "fake-oauth-secret"), max_retries=0)

    with pytest.raises(CapillaryUnavailableError) as excinfo:
        client.customer_get(566881933)

    assert excinfo.value.status_code == 503
    assert fake.requests("/v2/") == []


# ------------------------------------------------------------------ rate limits and unavailability


def test_rate_limit_honours_retry_after_then_raises_after_two_retries(client, fake, sleeps):
    fake.fault(BY_ID, status=429, retry_after=1, count=None)

    with pytest.raises(CapillaryRateLimitedError) as excinfo:
        client.customer_get(566881933)

    assert excinfo.value.retry_after == 1.0
    assert excinfo.value.status_code == 429
    assert sleeps == [1.0, 1.0]
    attempts = fake.requests("/v2/customers/566881933")
    assert [entry["status"] for entry in attempts] == [429, 429, 429]
    assert excinfo.value.request_id == attempts[-1]["requestId"]


def test_rate_limit_with_retry_after_beyond_the_cap_gives_up_at_once(client, fake, sleeps):
    fake.fault(BY_ID, status=429, retry_after=60, count=None)

    with pytest.raises(CapillaryRateLimitedError) as excinfo:
        client.customer_get(566881933)

    assert excinfo.value.retry_after == 60.0
    assert sleeps == []
    assert len(fake.requests("/v2/customers/566881933")) == 1


def test_rate_limited_once_then_answered(client, fake, sleeps):
    fake.fault(BY_ID, status=429, retry_after=2)

    assert client.customer_get(566881933).id == 566881933
    assert sleeps == [2.0]
    assert [entry["status"] for entry in fake.requests("/v2/customers/566881933")] == [429, 200]


@pytest.mark.parametrize("status", [502, 503, 504, 461, 521])
def test_read_unavailable_is_retried_twice_then_raises(client, fake, status):
    fake.fault(BY_ID, status=status, count=None)

    with pytest.raises(CapillaryUnavailableError) as excinfo:
        client.customer_get(566881933)

    assert excinfo.value.status_code == status
    assert excinfo.value.codes == (status,)
    assert [entry["status"] for entry in fake.requests("/v2/customers/566881933")] == [status] * 3


def test_read_500_is_unavailable_and_not_retried(client, fake):
    # 500 "Requests failed due to errors" (api-notes §3.3, docs.capillarytech.com/reference/errors-and-warnings) is not
    # a transient state: the client does not retry it.
    fake.fault(BY_ID, status=500, count=None)

    with pytest.raises(CapillaryUnavailableError) as excinfo:
        client.customer_get(566881933)

    assert excinfo.value.status_code == 500
    assert len(fake.requests("/v2/customers/566881933")) == 1


def test_search_busy_461_once_is_retried_and_answered(client, fake):
    fake.fault("/v2/customers/search", status=461)

    page = client.customer_search(q="aiko")

    assert page.hits[0].user_id == 900000001
    assert [entry["status"] for entry in fake.requests("/v2/customers/search")] == [461, 200]


@pytest.mark.parametrize("status", [503, 502, 500, 461, 521, 429])
def test_create_failure_is_sent_exactly_once(client, fake, status):
    fake.fault("/v2/customers", method="POST", status=status, count=None)

    with pytest.raises((CapillaryUnavailableError, CapillaryRateLimitedError)) as excinfo:
        client.customer_create(registration(mobile="919900000204"), user_context=AGENT)

    assert excinfo.value.status_code == status
    assert len(fake.requests("/v2/customers", "POST")) == 1
    with pytest.raises(CapillaryNotFoundError):  # the fault came before the registration was committed
        client.customer_lookup(identifier_name="mobile", identifier_value="919900000204", source="INSTORE")


def test_bulk_chunk_that_stays_unavailable_marks_only_its_rows(make_client, fake):
    client = make_client(bulk_max_workers=1)  # chunks in turn, so the fault's three answers hit the first chunk
    fake.seed(150)
    fake.fault("/v2/bulk/getCustomers", status=503, count=3)
    ids = [100000000 + n for n in range(1, 151)]

    results = client.customers_bulk_get(ids)

    assert [r.customer_id for r in results] == ids
    assert all(isinstance(r.error, CapillaryUnavailableError) and r.error.status_code == 503 for r in results[:100])
    assert all(r.success and r.customer.id == r.customer_id for r in results[100:])
    assert [entry["status"] for entry in fake.requests("/v2/bulk/getCustomers")] == [503, 503, 503, 200]


# ------------------------------------------------------------------ timeouts


def test_read_timeout_is_retried_and_then_raises_timeout(make_client, fake):
    impatient = make_client(timeout=SHORT_TIMEOUT)
    fake.fault(BY_ID, timeout=True, delay_ms=HELD_MS, count=None)

    with pytest.raises(CapillaryTimeoutError) as excinfo:
        impatient.customer_get(566881933)

    assert excinfo.value.request_sent is True
    assert isinstance(excinfo.value, CapillaryUnavailableError)
    # Each held request is logged when the fault's sleep ends.
    assert len(fake.wait_for_requests(3, "/v2/customers/566881933")) == 3


def test_read_timeout_once_recovers_on_the_retry(make_client, fake):
    impatient = make_client(timeout=SHORT_TIMEOUT)
    fake.fault(BY_ID, timeout=True, delay_ms=HELD_MS)

    assert impatient.customer_get(566881933).id == 566881933
    assert len(fake.wait_for_requests(2, "/v2/customers/566881933")) == 2


def test_create_timeout_after_commit_says_request_sent_and_the_customer_exists(make_client, client, fake):
    impatient = make_client(timeout=SHORT_TIMEOUT)
    fake.fault("/v2/customers", method="POST", timeout=True, delay_ms=HELD_MS, when="after")

    with pytest.raises(CapillaryTimeoutError) as excinfo:
        impatient.customer_create(registration(mobile="919900000205"), user_context=AGENT)

    assert excinfo.value.request_sent is True
    customer = client.customer_lookup(identifier_name="mobile", identifier_value="919900000205", source="INSTORE")
    assert customer.profiles[0].first_name == "Err"
    assert len(fake.wait_for_requests(1, "/v2/customers", "POST")) == 1


def test_create_timeout_before_commit_is_sent_once_and_registers_nothing(make_client, client, fake):
    impatient = make_client(timeout=SHORT_TIMEOUT)
    fake.fault("/v2/customers", method="POST", timeout=True, delay_ms=HELD_MS, when="before")

    with pytest.raises(CapillaryTimeoutError) as excinfo:
        impatient.customer_create(registration(mobile="919900000206"), user_context=AGENT)

    assert excinfo.value.request_sent is True  # the client cannot tell before from after: it was sent
    assert len(fake.wait_for_requests(1, "/v2/customers", "POST")) == 1
    with pytest.raises(CapillaryNotFoundError):
        client.customer_lookup(identifier_name="mobile", identifier_value="919900000206", source="INSTORE")


def test_latency_below_the_timeout_is_just_slow(client, fake):
    fake.fault(BY_ID, delay_ms=150)

    assert client.customer_get(566881933).id == 566881933
    assert len(fake.requests("/v2/customers/566881933")) == 1


# ------------------------------------------------------------------ malformed bodies


@pytest.mark.parametrize(
    ("path", "call"),
    [
        (BY_ID, lambda c: c.customer_get(566881933)),
        (
            "/v2/customers/lookup/customerDetails",
            lambda c: c.customer_lookup(identifier_name="mobile", identifier_value="1"),
        ),
        ("/v2/customers/search", lambda c: c.customer_search(q="aiko")),
        ("/v2/extendedFields", lambda c: c.extended_fields_list()),
        ("/v2/organization/programs", lambda c: c.programs_list()),
    ],
)
def test_truncated_body_is_unavailable(client, fake, path, call):
    fake.fault(path, malformed=True)

    with pytest.raises(CapillaryUnavailableError) as excinfo:
        call(client)

    assert excinfo.value.status_code == 200
    assert excinfo.value.request_id


def test_truncated_bulk_body_marks_every_row_unavailable(client, fake):
    fake.fault("/v2/bulk/getCustomers", malformed=True)

    results = client.customers_bulk_get([382137011, 382137012])

    assert all(isinstance(r.error, CapillaryUnavailableError) for r in results)


def test_truncated_503_body_is_retried_then_unavailable(client, fake):
    fake.fault(BY_ID, malformed=True, status=503, count=None)

    with pytest.raises(CapillaryUnavailableError) as excinfo:
        client.customer_get(566881933)

    assert excinfo.value.status_code == 503
    assert len(fake.requests("/v2/customers/566881933")) == 3


def test_truncated_create_answer_after_commit_says_the_request_was_sent(client, fake):
    fake.fault("/v2/customers", method="POST", malformed=True, when="after")

    with pytest.raises(CapillaryUnavailableError) as excinfo:
        client.customer_create(registration(mobile="919900000207"), user_context=AGENT)

    # A 2xx came back: Capillary accepted the registration even though its answer was unreadable.
    assert excinfo.value.request_sent is True
    assert client.customer_lookup(identifier_name="mobile", identifier_value="919900000207", source="INSTORE").id


def test_json_of_the_wrong_shape_is_a_response_validation_error(client, fake):
    fake.fault(BY_ID, status=200, body={"id": "not-a-number", "profiles": "nope"})

    with pytest.raises(CapillaryResponseValidationError) as excinfo:
        client.customer_get(566881933)

    assert isinstance(excinfo.value, CapillaryUnavailableError)
    assert "not-a-number" not in str(excinfo.value)  # locations only, never the values


def test_200_with_errors_and_no_entity_is_the_mapped_error(client, fake):
    body = {"warnings": [], "errors": [{"status": False, "code": 8015, "message": "Customer not found"}]}
    fake.fault(BY_ID, status=200, body=body)

    with pytest.raises(CapillaryNotFoundError) as excinfo:
        client.customer_get(566881933)

    assert (excinfo.value.status_code, excinfo.value.codes) == (200, (8015,))
