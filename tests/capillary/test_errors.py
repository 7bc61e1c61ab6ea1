"""Capillary codes and HTTP statuses map to one exception each, carrying codes and X-Cap-Requestid."""

import httpx
import pytest

from memberconsole.capillary import (
    CapillaryAccountIdError,
    CapillaryAlreadyExistsError,
    CapillaryAuthenticationError,
    CapillaryBadRequestError,
    CapillaryCustomerDeletedError,
    CapillaryCustomerMergedError,
    CapillaryError,
    CapillaryInvalidIdentifierError,
    CapillaryInvalidSourceError,
    CapillaryNoResultsError,
    CapillaryNotFoundError,
    CapillaryPermissionError,
    CapillaryRateLimitedError,
    CapillaryUnavailableError,
    CapillaryValidationError,
)
from memberconsole.capillary.errors import CODE_ERRORS, build_error

CODE_CASES = [
    (8015, CapillaryNotFoundError),
    (8065, CapillaryNotFoundError),
    (816, CapillaryNotFoundError),
    (1011, CapillaryNotFoundError),
    (1012, CapillaryNotFoundError),
    (8069, CapillaryCustomerMergedError),
    (91009, CapillaryCustomerMergedError),
    (8006, CapillaryAlreadyExistsError),
    (1014, CapillaryAlreadyExistsError),
    (1032, CapillaryAlreadyExistsError),
    (1033, CapillaryAlreadyExistsError),
    (1016, CapillaryAlreadyExistsError),
    (3217, CapillaryInvalidSourceError),
    (8003, CapillaryInvalidSourceError),
    (8012, CapillaryInvalidSourceError),
    (8013, CapillaryInvalidIdentifierError),
    (8014, CapillaryInvalidIdentifierError),
    (1001, CapillaryInvalidIdentifierError),
    (1002, CapillaryInvalidIdentifierError),
    (1003, CapillaryInvalidIdentifierError),
    (8045, CapillaryAccountIdError),
    (8011, CapillaryAccountIdError),
    (1044, CapillaryPermissionError),
    (11013, CapillaryValidationError),
    (1007, CapillaryValidationError),
    (1034, CapillaryValidationError),
    (99999, CapillaryBadRequestError),  # a code nobody documented
]


def errors_body(code, message="Capillary says no"):
    return {"warnings": [], "errors": [{"status": False, "code": code, "message": message}]}


@pytest.mark.parametrize("http_status", [200, 400])
@pytest.mark.parametrize(("code", "expected"), CODE_CASES)
def test_item_code_maps_to_its_exception_with_200_or_400(make_client, reply, code, expected, http_status):
    client = make_client(lambda request: reply(http_status, errors_body(code), request_id="cap-req-42"))

    with pytest.raises(expected) as excinfo:
        client.customer_lookup(identifier_name="mobile", identifier_value="919900000001")

    error = excinfo.value
    assert type(error) is expected
    assert error.codes == (code,)
    assert error.request_id == "cap-req-42"
    assert error.status_code == http_status
    assert error.message == "Capillary says no"
    assert "cap-req-42" in str(error)


def test_the_code_table_has_no_class_outside_the_hierarchy():
    assert all(issubclass(cls, CapillaryError) for cls in CODE_ERRORS.values())


@pytest.mark.parametrize(
    ("code", "identifier"), [(1001, "mobile"), (1002, "email"), (1003, "externalId"), (8014, "mobile"), (8013, None)]
)
def test_invalid_identifier_says_which_identifier(code, identifier):
    error = build_error(status_code=400, body=errors_body(code))

    assert isinstance(error, CapillaryInvalidIdentifierError)
    assert error.identifier == identifier


def test_first_mapped_code_wins():
    body = {"errors": [{"code": 12345, "message": "?"}, {"code": 8006, "message": "exists"}]}

    error = build_error(status_code=400, body=body)

    assert isinstance(error, CapillaryAlreadyExistsError)
    assert error.codes == (12345, 8006)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, CapillaryBadRequestError),
        (401, CapillaryAuthenticationError),
        (403, CapillaryPermissionError),
        (404, CapillaryNotFoundError),
        (405, CapillaryBadRequestError),
        (415, CapillaryBadRequestError),
        (429, CapillaryRateLimitedError),
        (461, CapillaryUnavailableError),
        (500, CapillaryUnavailableError),
        (502, CapillaryUnavailableError),
        (503, CapillaryUnavailableError),
        (504, CapillaryUnavailableError),
        (521, CapillaryUnavailableError),
    ],
)
def test_http_status_maps_to_its_exception(make_client, reply, status, expected):
    client = make_client(lambda request: reply(status, {"errors": []}), max_retries=0)

    with pytest.raises(expected) as excinfo:
        client.customer_get(5)

    assert type(excinfo.value) is expected
    assert excinfo.value.status_code == status
    assert excinfo.value.request_id == "req-1"


def test_transport_statuses_win_over_item_codes():
    error = build_error(status_code=503, body=errors_body(8015))

    assert isinstance(error, CapillaryUnavailableError)
    assert error.codes == (8015,)


def test_blank_400_is_a_bad_request(make_client, reply):
    # get-customer-by-id.txt (docs.capillarytech.com/reference/get-customer-details-v2): "400 Bad Request with Blank
    # response".
    client = make_client(lambda request: reply(400, b""))

    with pytest.raises(CapillaryBadRequestError):
        client.customer_get(5)


@pytest.mark.parametrize("content", [b"<html>maintenance</html>", b'{"id": 5, "profi', b"", b"[1, 2]"])
def test_a_200_body_that_is_not_a_json_object_is_unavailable(make_client, reply, content):
    client = make_client(lambda request: reply(200, content))

    with pytest.raises(CapillaryUnavailableError) as excinfo:
        client.customer_get(5)

    assert excinfo.value.request_id == "req-1"


def test_html_error_page_from_a_gateway_maps_by_status(make_client, reply):
    client = make_client(lambda request: reply(502, b"<html>Bad gateway</html>"), max_retries=0)

    with pytest.raises(CapillaryUnavailableError):
        client.customer_get(5)


def test_200_with_errors_and_no_entity_is_an_error(make_client, reply, fixture_json):
    client = make_client(lambda request: reply(200, fixture_json("errors_not_found")))

    with pytest.raises(CapillaryNotFoundError, match="Customer not found for the given identifiers"):
        client.customer_get(5)


def test_200_with_an_entity_and_warnings_is_a_success(make_client, reply):
    body = {"id": 5, "profiles": [], "warnings": [{"status": False, "code": 91004, "message": "segments failed"}]}
    client = make_client(lambda request: reply(200, body))

    assert client.customer_get(5).warning_codes == (91004,)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, {"message": "Customer is deleted after PII delete request"}),
        (200, {"id": 5, "message": "Customer is deleted after PII delete request"}),
        (400, {"errors": [{"code": 8015, "message": "Customer is deleted after PII delete request"}]}),
        (404, {"errors": [{"code": 8069, "message": "customer is deleted after PII delete request"}]}),
    ],
)
def test_pii_deleted_message_is_checked_first(make_client, reply, status, body):
    client = make_client(lambda request: reply(status, body))

    with pytest.raises(CapillaryCustomerDeletedError) as excinfo:
        client.customer_get(5)

    assert excinfo.value.request_id == "req-1"


def test_merged_code_carries_the_survivor_when_the_body_names_it(make_client, reply):
    body = {
        "errors": [{"code": 8069, "message": "The customer is merged into another account. Merged into user id 777."}]
    }
    client = make_client(lambda request: reply(400, body))

    with pytest.raises(CapillaryCustomerMergedError) as excinfo:
        client.customer_get(5)

    assert excinfo.value.survivor_id == 777


def test_merged_200_with_survivor_body_raises_merged(make_client, reply, fixture_json):
    survivor = fixture_json("customer_get_basic")  # id 566881933
    survivor["warnings"] = [
        {"status": False, "code": 91009, "message": "Retrieved survivor account for the requested merge victim."}
    ]
    client = make_client(lambda request: reply(200, survivor, request_id="merge-req"))

    with pytest.raises(CapillaryCustomerMergedError) as excinfo:
        client.customer_get(123)

    assert excinfo.value.survivor_id == 566881933
    assert excinfo.value.codes == (91009,)
    assert excinfo.value.request_id == "merge-req"


def test_a_different_id_alone_means_merged(make_client, reply):
    client = make_client(lambda request: reply(200, {"id": 999, "profiles": [], "warnings": []}))

    with pytest.raises(CapillaryCustomerMergedError) as excinfo:
        client.customer_get(123)

    assert excinfo.value.survivor_id == 999


def test_rate_limited_carries_retry_after(make_client, reply):
    client = make_client(lambda request: reply(429, {"errors": []}, Retry_After="60"))

    with pytest.raises(CapillaryRateLimitedError) as excinfo:
        client.customer_get(5)

    assert excinfo.value.retry_after == 60


def test_error_repr_and_str_name_status_codes_and_request_id():
    error = CapillaryNotFoundError("Customer not found", status_code=404, codes=(8015,), request_id="r-9")

    assert str(error) == "Customer not found (status 404; codes 8015; request id r-9)"
    assert "CapillaryNotFoundError" in repr(error)


def test_transport_exception_is_chained_for_debugging(make_client):
    def handler(request):
        raise httpx.ConnectError("connection refused")

    client = make_client(handler, max_retries=0)

    with pytest.raises(CapillaryUnavailableError) as excinfo:
        client.customer_get(5)

    assert isinstance(excinfo.value.__cause__, httpx.ConnectError)
    assert excinfo.value.request_sent is False


# activity-api.md's error tables, each with the call that documents it (§1.2
# docs.capillarytech.com/reference/get-customers-lookup-transactions, §1.3 .../get-transaction-details, §2.1
# .../get-ledger-information, §3.1 .../get-points-expiry-schedule, §5.1 .../coupon-apis).
LEDGER = {"identifier_name": "mobile", "identifier_value": "919900000001", "source": "INSTORE"}
ACTIVITY_CASES = [
    ("customer_transactions_lookup", LEDGER, 8003, "Source information is missing.", CapillaryInvalidSourceError),
    ("customer_transactions_lookup", LEDGER, 8130, "Identifiername and value is missing.", CapillaryValidationError),
    ("customer_transactions_lookup", LEDGER, 816, "Customer not found for organization", CapillaryNotFoundError),
    ("customer_transactions_lookup", LEDGER, 1011, "Cannot find customer for provided identifier",
     CapillaryNotFoundError),
    ("customer_transactions_lookup", LEDGER, 1012, "Cannot find customer with the provided mobile/external ID/email ID",
     CapillaryNotFoundError),
    ("customer_transactions_lookup", LEDGER, 1013, "Customer is not registered for the loyalty program",
     CapillaryValidationError),
    ("transaction_get", {"transaction_id": 1}, 500, "Unable to retrieve transaction.", CapillaryUnavailableError),
    ("transaction_get", {"transaction_id": 1}, 605, "Invalid transaction type passed.", CapillaryValidationError),
    ("transaction_get", {"transaction_id": 1}, 607, "No transaction id passed.", CapillaryValidationError),
    ("transaction_get", {"transaction_id": 1}, 620, "Transaction id is invalid.", CapillaryNotFoundError),
    ("transaction_get", {"transaction_id": 1}, 625, "Transaction number does not exist.", CapillaryNotFoundError),
    ("transaction_get", {"transaction_id": 1}, 667, "Unable to find the transaction ID for this customer.",
     CapillaryNotFoundError),
    ("transaction_get", {"transaction_id": 1}, 680, "No transactions of the specific customer were found.",
     CapillaryNoResultsError),
    ("transaction_get", {"transaction_id": 1}, 1623, "Transaction type is invalid.", CapillaryValidationError),
    ("transaction_get", {"transaction_id": 1}, 1624, "Insufficient parameters passed to fetch transaction.",
     CapillaryValidationError),
    ("transaction_get", {"transaction_id": 1}, 8015, "No customer found for the given identifiers.",
     CapillaryNotFoundError),
    ("points_ledger", LEDGER, 11012, "Invalid userId passed in request", CapillaryNotFoundError),
    ("points_ledger", LEDGER, 8013, "Lookup, Invalid identifier passed", CapillaryInvalidIdentifierError),
    ("points_ledger", LEDGER, 11029, "Limit cannot be greater than 100", CapillaryValidationError),
    ("points_ledger", LEDGER, 11003, "There are no ledger entries present for the given parameters. Try removing "
     "parameters to widen the search", CapillaryNoResultsError),
    ("points_ledger", LEDGER, 11007, "Invalid ledgerEntryType passed in request", CapillaryValidationError),
    ("points_ledger", LEDGER, 11008, "Invalid pointCategoryType passed in request", CapillaryValidationError),
    ("points_ledger", LEDGER, 9003, "No CPS entry for the given points type.", CapillaryNoResultsError),
    ("points_ledger", LEDGER, 11028, "Multiple input parameters set.", CapillaryValidationError),
    ("points_ledger", LEDGER, 11027, "Invalid tillIds: [123]", CapillaryValidationError),
    ("points_ledger", LEDGER, 11025, 'Till id format exception:For input string: "abc"', CapillaryValidationError),
    ("points_ledger", LEDGER, 11026, "No tills found for store with store id: 123", CapillaryValidationError),
    ("points_ledger_balance", LEDGER, 11029, "Limit cannot be greater than 10", CapillaryValidationError),
    ("points_expiry_schedule", {"customer_id": 1}, 8015, "Customer not found for the given identifiers",
     CapillaryNotFoundError),
    ("points_expiry_schedule_lookup", LEDGER, 8003, "Invalid source", CapillaryInvalidSourceError),
    ("points_expiry_schedule_lookup", LEDGER, 8130, "Lookup,Invalid Params passed", CapillaryValidationError),
    ("points_expiry_schedule", {"customer_id": 1}, 1216, "The date format used for startDate is not supported.",
     CapillaryValidationError),
    ("points_expiry_schedule", {"customer_id": 1}, 1215, "startDate cannot be in past", CapillaryValidationError),
    ("points_expiry_schedule", {"customer_id": 1}, 1214, "startDate is after endDate", CapillaryValidationError),
    ("points_expiry_schedule", {"customer_id": 1}, 1217, "endDate cannot be after 100 years from now",
     CapillaryValidationError),
    ("points_expiry_schedule", {"customer_id": 1}, 885, "Invalid program id passed", CapillaryValidationError),
    ("customer_coupons", {"mobile": "919900000001"}, 701,
     "The customer could not be found. Please check mobile, email, external id passed", CapillaryNotFoundError),
]  # fmt: skip


@pytest.mark.parametrize("http_status", [200, 400])
@pytest.mark.parametrize(("method", "kwargs", "code", "message", "expected"), ACTIVITY_CASES)
def test_documented_activity_codes_map_to_their_exception(
    make_client, reply, method, kwargs, code, message, expected, http_status
):
    client = make_client(lambda request: reply(http_status, errors_body(code, message), request_id="cap-req-7"))

    with pytest.raises(expected) as excinfo:
        getattr(client, method)(**kwargs)

    assert type(excinfo.value) is expected
    assert (excinfo.value.codes, excinfo.value.message, excinfo.value.request_id) == ((code,), message, "cap-req-7")


def test_no_results_is_a_not_found_so_generic_handlers_still_catch_it():
    error = build_error(status_code=400, body=errors_body(11003))
    assert isinstance(error, CapillaryNotFoundError)
