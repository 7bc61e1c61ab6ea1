"""What the client sends (paths, query params, headers, bodies) and what it hands back."""

import json
import threading
from datetime import date

import httpx
import pytest

from memberconsole.capillary import (
    CapillaryAlreadyExistsError,
    CapillaryClient,
    CapillaryCustomerDeletedError,
    CapillaryCustomerMergedError,
    CapillaryInvalidSourceError,
    CapillaryNotFoundError,
    CapillaryOAuth,
    CapillaryTimeoutError,
    CapillaryUnavailableError,
    CustomerCreateRequest,
    UserContext,
)


class Recorder:
    """Record requests and answer with a fixed JSON body."""

    def __init__(self, body, status: int = 200) -> None:
        self.body = body
        self.status = status
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, json=self.body, headers={"X-Cap-Requestid": "rec"})

    @property
    def params(self) -> dict[str, str]:
        return dict(self.requests[-1].url.params)


def test_customer_get_sends_source_all_and_nothing_else_by_default(make_client, fixture_json):
    recorder = Recorder(fixture_json("customer_get_basic"))
    client = make_client(recorder)

    customer = client.customer_get(566881933)

    request = recorder.requests[0]
    assert request.method == "GET"
    assert request.url.path == "/v2/customers/566881933"
    assert recorder.params == {"source": "ALL"}
    assert customer.profiles[0].first_name == "Bubalus"


def test_customer_get_sends_every_set_param_in_capillary_spelling(make_client, fixture_json):
    recorder = Recorder(fixture_json("customer_get_with_flags"))
    client = make_client(recorder)

    client.customer_get(
        565261498,
        source="INSTORE",
        account_id="acc-1",
        embed=["points", "mlp", "subscriptions"],
        gap_to_upgrade=0,
        gap_to_renew=30,
        ndnc_status=True,
        optin_status=True,
        slab_history=True,
        tier_upgrade_criteria=True,
        membership_retention_criteria=True,
        included_only_current_profile=True,
        included_all_user_group2=True,
        user_group2_id=44,
        included_user_group2_loyalty_details=True,
        included_fraud_details=True,
        ug2_joined_start_date=date(2025, 1, 1),
        ug2_joined_end_date="2025-12-31T23:59:59Z",
        ug2_offset=10,
        ug2_limit=5,
        ug2_sort_by="JoinedDate",
        ug2_sort_order="ASC",
        ug2_pagination_details=False,
    )

    assert recorder.params == {
        "source": "INSTORE",
        "accountId": "acc-1",
        "embed": "points,mlp,subscriptions",
        "gapToUpgrade": "0",
        "gapToRenew": "30",
        "ndncStatus": "true",
        "optinStatus": "true",
        "slabHistory": "true",
        "tierUpgradeCriteria": "true",
        "membershipRetentionCriteria": "true",
        "includedOnlyCurrentProfile": "true",
        "includedAllUserGroup2": "true",
        "userGroup2Id": "44",
        "includedUserGroup2LoyaltyDetails": "true",
        "includedFraudDetails": "true",
        "ug2JoinedStartDate": "2025-01-01",
        "ug2JoinedEndDate": "2025-12-31T23:59:59Z",
        "ug2Offset": "10",
        "ug2Limit": "5",
        "ug2SortBy": "JoinedDate",
        "ug2SortOrder": "ASC",
        "ug2PaginationDetails": "false",
    }


def test_customer_get_refuses_negative_gap_days(make_client, fixture_json):
    client = make_client(Recorder(fixture_json("customer_get_basic")))

    with pytest.raises(ValueError, match="gap_to_renew"):
        client.customer_get(1, gap_to_renew=-1)


def test_default_headers_and_user_agent(make_client, fixture_json):
    recorder = Recorder(fixture_json("customer_get_basic"))
    client = make_client(recorder)

    client.customer_get(566881933)

    headers = recorder.requests[0].headers
    assert headers["Accept"] == "application/json"
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "MemberConsole/test"
    assert headers["Authorization"].startswith("Basic ")


def test_build_sets_explicit_timeouts_and_limits():
    client = CapillaryClient.build(
        base_url="https://eu.api.capillarytech.com", auth=None, timeout=7.5, user_agent="UA/1"
    )
    try:
        timeout = client._http.timeout
        assert (timeout.connect, timeout.read, timeout.write, timeout.pool) == (3.0, 7.5, 7.5, 3.0)
        assert client._http.headers["User-Agent"] == "UA/1"
        assert str(client._http.base_url) == "https://eu.api.capillarytech.com"
    finally:
        client.close()


def test_customer_lookup_sends_identifier_params(make_client, fixture_json):
    recorder = Recorder(fixture_json("customer_lookup_full"))
    client = make_client(recorder)

    customer = client.customer_lookup(
        identifier_name="mobile", identifier_value="19986542387", source="INSTORE", embed=["mlp", "points"]
    )

    assert recorder.requests[0].url.path == "/v2/customers/lookup/customerDetails"
    assert recorder.params == {
        "source": "INSTORE",
        "identifierName": "mobile",
        "identifierValue": "19986542387",
        "embed": "mlp,points",
    }
    assert customer.id == 382137011


def test_customer_lookup_not_found(make_client, fixture_json):
    client = make_client(Recorder(fixture_json("errors_not_found"), status=400))

    with pytest.raises(CapillaryNotFoundError) as excinfo:
        client.customer_lookup(identifier_name="email", identifier_value="nobody@example.com")

    assert excinfo.value.codes == (8015,)


def test_customer_search(make_client, fixture_json):
    recorder = Recorder(fixture_json("customer_search"))
    client = make_client(recorder)

    page = client.customer_search(q="Tom", limit=10, offset=20)

    assert recorder.requests[0].url.path == "/v2/customers/search"
    assert recorder.params == {"q": "Tom", "limit": "10", "offset": "20"}
    assert [hit.user_id for hit in page.hits] == [565261498, 17742]


def test_customer_create_sends_body_and_user_context_headers(make_client, fixture_json):
    recorder = Recorder(fixture_json("register_response_points"))
    client = make_client(recorder)
    request = CustomerCreateRequest.model_validate(fixture_json("register_request_mobile_app"))

    response = client.customer_create(
        request, user_context=UserContext(entity_type="MEMBER_CONSOLE_AGENT", entity_id=42, source_id="console-1")
    )

    sent = recorder.requests[0]
    assert (sent.method, sent.url.path) == ("POST", "/v2/customers")
    assert sent.headers["USER-CONTEXT-ENTITY-TYPE"] == "MEMBER_CONSOLE_AGENT"
    assert sent.headers["USER-CONTEXT-ENTITY-ID"] == "42"
    assert sent.headers["USER-CONTEXT-ENTITY-SOURCE"] == "MEMBER_CARE"
    assert sent.headers["USER-CONTEXT-ENTITY-SOURCE-ID"] == "console-1"
    body = json.loads(sent.content)
    assert body["loyaltyInfo"] == {"loyaltyType": "loyalty"}
    assert body["profiles"][0]["accountId"] == "testmobilepush1"
    assert body["profiles"][0]["commChannels"][0]["primary"] is True
    assert body["loyaltyProgramEnrollments"][0]["programId"] == 469
    assert response.created_id == 555594290
    assert response.side_effects[0].awarded_points == 75
    assert response.warnings[0].code == 8107


def test_customer_create_omits_source_id_header_when_unset(make_client, fixture_json):
    recorder = Recorder(fixture_json("register_response_plain"))
    client = make_client(recorder)
    request = CustomerCreateRequest.model_validate(fixture_json("register_request_external_id_only"))

    client.customer_create(request, user_context=UserContext("MEMBER_CONSOLE_AGENT", "agent-7"))

    assert "USER-CONTEXT-ENTITY-SOURCE-ID" not in recorder.requests[0].headers
    assert recorder.requests[0].headers["USER-CONTEXT-ENTITY-ID"] == "agent-7"


def test_customer_create_duplicate(make_client, fixture_json):
    body = {"createdId": None, "warnings": [], "errors": [{"code": 8006, "message": "Customer already exists"}]}
    client = make_client(Recorder(body))
    request = CustomerCreateRequest.model_validate(fixture_json("register_request_basic"))

    with pytest.raises(CapillaryAlreadyExistsError):
        client.customer_create(request, user_context=UserContext("AGENT", 1))


def test_token_request_timeout_on_create_means_the_registration_never_left(make_client):
    calls = []

    def handler(request):
        calls.append(request.url.path)
        raise httpx.ReadTimeout("token service slow")

    client = make_client(handler, auth=CapillaryOAuth("k", "s"))
    request = CustomerCreateRequest.model_validate({"profiles": [{"identifiers": [], "source": "INSTORE"}]})

    with pytest.raises(CapillaryTimeoutError) as excinfo:
        client.customer_create(request, user_context=UserContext("AGENT", 1))

    assert excinfo.value.request_sent is False
    assert calls == ["/v3/oauth/token/generate"]


def test_extended_fields_list_reads_rd_and_sl_shapes(make_client, fixture_json):
    rd = make_client(Recorder(fixture_json("extended_fields_rd"))).extended_fields_list()
    sl = make_client(Recorder(fixture_json("extended_fields_sl"))).extended_fields_list()

    assert [(f.name, f.entity_type) for f in rd] == [
        ("gender", "CUSTOMER"),
        ("Age", "CUSTOMER"),
        ("Region", "CUSTOMER"),
        ("dob", "CUSTOMER"),
        ("uuid", "REGULAR_LINEITEM"),
    ]
    assert [(f.name, f.entity_type, f.id) for f in sl] == [
        ("gender", "CUSTOMER", 1),
        ("dob", "CUSTOMER", 2),
        ("uuid", "LINEITEM", 3),
    ]
    assert sl[0].possible_values == ["Male", "Female", "Other"]


def test_programs_list(make_client, fixture_json):
    recorder = Recorder(fixture_json("programs"))

    programs = make_client(recorder).programs_list()

    assert recorder.requests[0].url.path == "/v2/organization/programs"
    assert [(p.program_id, p.program_name, p.is_default) for p in programs] == [(983, "DocProgram", True)]


# ---------------------------------------------------------------- bulk


def bulk_body(ids):
    return {
        "data": [{"entity": {"id": i, "profiles": []}, "warnings": [], "errors": [], "success": True} for i in ids],
        "warnings": [],
        "errors": [],
    }


class BulkServer:
    """Answer bulk chunks from the posted ids; chunks containing `fail_id` get a 503."""

    def __init__(self, fail_id: int | None = None) -> None:
        self.fail_id = fail_id
        self.bodies: list[list[int]] = []
        self.params: list[dict[str, str]] = []
        self.threads: set[str] = set()
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        ids = json.loads(request.content)
        with self.lock:
            self.bodies.append(ids)
            self.params.append(dict(request.url.params))
            self.threads.add(threading.current_thread().name)
        if self.fail_id in ids:
            return httpx.Response(503, json={"errors": []}, headers={"X-Cap-Requestid": "failed-chunk"})
        return httpx.Response(200, json=bulk_body(ids), headers={"X-Cap-Requestid": f"chunk-{ids[0]}"})


def test_bulk_250_ids_make_3_chunks_and_keep_input_order(make_client):
    server = BulkServer()
    client = make_client(server)
    ids = list(range(1000, 1250))[::-1]

    results = client.customers_bulk_get(ids, source="INSTORE")

    assert sorted(len(body) for body in server.bodies) == [50, 100, 100]
    assert sorted(i for body in server.bodies for i in body) == sorted(ids)
    assert all(params == {"format": "json", "source": "INSTORE"} for params in server.params)
    assert [r.customer_id for r in results] == ids
    assert all(r.success and r.customer.id == r.customer_id and r.error is None for r in results)


def test_bulk_runs_chunks_on_the_thread_pool(make_client):
    server = BulkServer()
    client = make_client(server, bulk_chunk_size=10, bulk_max_workers=3)

    client.customers_bulk_get(range(60))

    assert len(server.bodies) == 6
    assert all(name.startswith("capillary-bulk") for name in server.threads)


def test_bulk_failing_chunk_keeps_the_other_chunks(make_client, sleeps):
    server = BulkServer(fail_id=1150)
    client = make_client(server)
    ids = list(range(1000, 1250))

    results = client.customers_bulk_get(ids)

    failed = [r for r in results if not r.success]
    assert [r.customer_id for r in failed] == list(range(1100, 1200))
    assert all(isinstance(r.error, CapillaryUnavailableError) for r in failed)
    assert {r.error.request_id for r in failed} == {"failed-chunk"}
    assert all(r.customer is None for r in failed)
    assert all(r.success for r in results if not 1100 <= r.customer_id < 1200)
    assert len(server.bodies) == 3 + 2  # the failing chunk was retried twice
    assert len(sleeps) == 2


def test_bulk_item_errors_merges_and_deletions_come_back_per_row(make_client):
    body = {
        "data": [
            {"entity": {"id": 1, "profiles": []}, "warnings": [], "errors": [], "success": True},
            {"warnings": [], "errors": [{"status": False, "code": 8015, "message": "not found"}], "success": False},
            {
                "entity": {"id": 99, "profiles": []},
                "warnings": [{"code": 91009, "message": "Retrieved survivor account for the requested merge victim."}],
                "errors": [],
                "success": True,
            },
            {"entity": None, "errors": [{"message": "Customer is deleted after PII delete request"}], "success": False},
        ],
        "warnings": [],
        "errors": [],
    }
    client = make_client(lambda request: httpx.Response(200, json=body, headers={"X-Cap-Requestid": "bulk-1"}))

    ok, missing, merged, deleted = client.customers_bulk_get([1, 2, 3, 4])

    assert ok.success
    assert ok.customer.id == 1
    assert not missing.success
    assert isinstance(missing.error, CapillaryNotFoundError)
    assert missing.error.request_id == "bulk-1"
    assert missing.error.codes == (8015,)
    assert isinstance(merged.error, CapillaryCustomerMergedError)
    assert merged.error.survivor_id == 99
    assert merged.warnings[0].code == 91009
    assert isinstance(deleted.error, CapillaryCustomerDeletedError)


def test_bulk_keeps_a_merge_victim_and_its_survivor_apart_when_both_are_asked_for(make_client):
    survivor = {"id": 14, "profiles": []}
    merged_warning = [{"code": 91009, "message": "Retrieved survivor account for the requested merge victim."}]
    body = {
        "data": [
            {"entity": survivor, "warnings": merged_warning, "errors": [], "success": True},
            {"entity": survivor, "warnings": [], "errors": [], "success": True},
        ],
        "warnings": [],
        "errors": [],
    }
    client = make_client(lambda request: httpx.Response(200, json=body))

    victim, kept = client.customers_bulk_get([13, 14])

    assert isinstance(victim.error, CapillaryCustomerMergedError)
    assert (victim.customer_id, victim.error.survivor_id) == (13, 14)
    assert (kept.customer_id, kept.success, kept.customer.id) == (14, True, 14)


def test_bulk_matches_by_entity_id_when_capillary_drops_an_item(make_client):
    body = {"data": [{"entity": {"id": 3, "profiles": []}, "success": True}], "warnings": [], "errors": []}
    client = make_client(lambda request: httpx.Response(200, json=body))

    first, second = client.customers_bulk_get([2, 3])

    assert isinstance(first.error, CapillaryNotFoundError)
    assert second.success
    assert second.customer.id == 3


def test_bulk_duplicates_and_empty_input(make_client):
    server = BulkServer()
    client = make_client(server)

    assert client.customers_bulk_get([]) == []
    results = client.customers_bulk_get([7, 7, 8])

    assert server.bodies == [[7, 8]]
    assert [r.customer_id for r in results] == [7, 7, 8]


def test_bulk_docs_example_parses_through_the_client(make_client, fixture_json):
    client = make_client(lambda request: httpx.Response(200, json=fixture_json("bulk_get_customers")))

    results = client.customers_bulk_get([382137011, 382137012, 382137013])

    assert [r.customer.profiles[0].source for r in results] == ["WECHAT"] * 3


def lookup_entity(customer_id: int, mobile: str) -> dict:
    return {
        "id": customer_id,
        "profiles": [{"identifiers": [{"type": "mobile", "value": mobile}], "source": "INSTORE"}],
    }


def test_bulk_lookup_matches_by_the_identifier_when_capillary_drops_an_item(make_client):
    # Two values asked, one item back: it belongs to the value its customer holds, the other value was not found.
    body = {"data": [{"entity": lookup_entity(5, "919800000002"), "success": True}], "warnings": [], "errors": []}
    client = make_client(lambda request: httpx.Response(200, json=body))

    ((first, second),) = list(client.customers_bulk_lookup_chunks("mobile", ["919800000001", "919800000002"]))

    assert isinstance(first.error, CapillaryNotFoundError)
    assert (second.success, second.customer.id) == (True, 5)


def test_bulk_lookup_sends_the_values_in_the_body_and_the_kind_in_the_query(make_client):
    seen = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append((dict(request.url.params), json.loads(request.content)))
        data = [{"entity": None, "errors": [{"code": 8015, "message": "not found"}], "success": False}]
        return httpx.Response(200, json={"data": data * 2, "warnings": [], "errors": []})

    client = make_client(answer, bulk_chunk_size=2)
    chunks = list(client.customers_bulk_lookup_chunks("email", ["a@example.com", "b@example.com", "a@example.com"]))

    assert seen == [
        ({"format": "json", "identifierName": "email", "source": "ALL"}, ["a@example.com", "b@example.com"])
    ]
    assert [[r.value for r in chunk] for chunk in chunks] == [["a@example.com", "b@example.com"]]
    assert all(isinstance(r.error, CapillaryNotFoundError) and not r.chunk_failed for r in chunks[0])


def test_bulk_lookup_chunk_that_fails_marks_every_value_with_the_calls_error(make_client):
    client = make_client(lambda request: httpx.Response(503, json={"errors": []}), max_retries=0)

    ((result,),) = list(client.customers_bulk_lookup_chunks("externalId", ["EXT-1"]))

    assert result.chunk_failed
    assert isinstance(result.error, CapillaryUnavailableError)


def test_bulk_lookup_item_with_the_merge_warning_is_flagged_survivor(make_client):
    item = {"entity": lookup_entity(14, "919845000013"), "warnings": [{"code": 91009}], "success": True}
    client = make_client(lambda request: httpx.Response(200, json={"data": [item], "warnings": [], "errors": []}))

    ((result,),) = list(client.customers_bulk_lookup_chunks("mobile", ["919845000013"]))

    assert (result.success, result.customer.id, result.survivor) == (True, 14, True)


def test_search_with_errors_and_no_hits_is_an_error(make_client):
    body = {"pagination": None, "data": [], "warnings": [], "errors": [{"code": 8003, "message": "Invalid source"}]}
    client = make_client(lambda request: httpx.Response(200, json=body))

    with pytest.raises(CapillaryInvalidSourceError):
        client.customer_search(q="Tom")


def test_search_with_no_hits_is_an_empty_page(make_client):
    body = {"pagination": {"limit": 20, "offset": 0, "total": 0}, "data": [], "warnings": [], "errors": []}
    client = make_client(lambda request: httpx.Response(200, json=body))

    assert client.customer_search(q="Zed").hits == []
