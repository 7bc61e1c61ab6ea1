"""GET /v2/customers/search and POST /v2/bulk/getCustomers."""


def test_search_prefix_on_names_case_insensitive(api):
    body = api.get("/v2/customers/search", params={"q": "TANA"}).json()
    assert body["pagination"] == {"limit": 10, "offset": 0, "total": 1}
    (hit,) = body["data"]
    assert hit["userId"] == 900000001
    assert {"idType": "lastName", "idValue": "Tanaka", "source": "INSTORE", "accountId": ""} in hit[
        "matchedIdentifiers"
    ]
    assert {"source": "LINE", "firstName": "あいこ", "lastName": "たなか"} in hit["profiles"]


def test_search_unicode_and_identifiers(api):
    assert [d["userId"] for d in api.get("/v2/customers/search", params={"q": "josé"}).json()["data"]] == [900000003]
    assert [d["userId"] for d in api.get("/v2/customers/search", params={"q": "王"}).json()["data"]] == [900000002]
    mobile = api.get("/v2/customers/search", params={"q": "9198450000"}).json()
    assert mobile["pagination"]["total"] >= 15
    card = api.get("/v2/customers/search", params={"q": "demo22"}).json()["data"]
    assert card[0]["matchedIdentifiers"][0]["idType"] == "cardnumber"


def test_search_full_name(api):
    data = api.get("/v2/customers/search", params={"q": "sam surv"}).json()["data"]
    assert [d["userId"] for d in data] == [900000014]


def test_search_pagination_and_pii_hidden(api):
    page1 = api.get("/v2/customers/search", params={"q": "9198450000", "limit": 5}).json()
    page2 = api.get("/v2/customers/search", params={"q": "9198450000", "limit": 5, "offset": 5}).json()
    ids1 = [d["userId"] for d in page1["data"]]
    ids2 = [d["userId"] for d in page2["data"]]
    assert len(ids1) == 5
    assert not set(ids1) & set(ids2)
    assert api.get("/v2/customers/search", params={"q": "deleted-9"}).json()["data"] == []


def test_search_empty_query_returns_nothing(api):
    assert api.get("/v2/customers/search", params={"q": ""}).json()["data"] == []


def test_bulk_keeps_order_and_reports_unknown_ids(api):
    body = api.post("/v2/bulk/getCustomers", json=[900000002, 1, 566881933]).json()
    items = body["data"]
    assert [i["entity"]["id"] if i["entity"] else None for i in items] == [900000002, None, 566881933]
    assert items[1] == {
        "entity": None,
        "warnings": [],
        "errors": [{"status": False, "code": 8015, "message": "Customer not found for the given identifiers"}],
        "success": False,
    }


def test_bulk_pii_and_merged_items(api):
    items = api.post("/v2/bulk/getCustomers", json=[900000012, 900000013]).json()["data"]
    assert items[0]["success"] is False
    assert items[0]["errors"][0]["message"] == "Customer is deleted after PII delete request"
    assert items[1]["entity"]["id"] == 900000014
    assert items[1]["warnings"][0]["code"] == 91009


def test_bulk_limit_is_1060(api):
    response = api.post("/v2/bulk/getCustomers", json=list(range(1, 102)))
    assert response.status_code == 400
    assert response.json()["errors"][0] == {"status": False, "code": 1060, "message": "Batch limit exceeded."}
    assert api.post("/v2/bulk/getCustomers", json=list(range(1, 101))).status_code == 200


def test_bulk_body_must_be_array_of_ints(api):
    for bad in ({"ids": [1]}, ["1"], [1.5], [True]):
        assert api.post("/v2/bulk/getCustomers", json=bad).status_code == 400


def test_bulk_by_identifier_answers_each_value_in_order(api):
    # The fake's reading of identifierName with a body of values (README: choices where the docs are silent).
    body = api.post(
        "/v2/bulk/getCustomers?identifierName=mobile&source=ALL", json=["919845000001", "910000000000", "1234512345"]
    ).json()
    items = body["data"]
    assert [i["entity"]["id"] if i["entity"] else None for i in items] == [900000001, None, 566881933]
    assert items[1]["errors"][0]["code"] == 8015
    emails = api.post("/v2/bulk/getCustomers?identifierName=email", json=["aiko.tanaka@example.com"]).json()["data"]
    assert emails[0]["entity"]["id"] == 900000001
    external = api.post("/v2/bulk/getCustomers?identifierName=externalId", json=["XSS-0004"]).json()["data"]
    assert external[0]["entity"]["id"] == 900000004


def test_bulk_by_identifier_pii_and_merged_as_for_ids(api):
    items = api.post("/v2/bulk/getCustomers?identifierName=externalId", json=["DELETED-900000012"]).json()["data"]
    assert items[0]["errors"][0]["message"] == "Customer is deleted after PII delete request"


def test_bulk_by_identifier_takes_only_the_configured_names(api):
    cards = api.post("/v2/bulk/getCustomers?identifierName=cardnumber", json=["mtest00000000067003"])
    assert cards.status_code == 400
    assert cards.json()["errors"][0]["code"] == 8013
    api.post("/__fake__/config", json={"behaviour": {"bulk_identifier_names": []}})
    refused = api.post("/v2/bulk/getCustomers?identifierName=mobile", json=["919845000001"])
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == 400
    # The docs' own example (identifierName beside a body of ids) still reads the ids.
    ids = api.post("/v2/bulk/getCustomers?identifierName=mobile&identifierValue=9400488244", json=[382137011])
    assert ids.json()["data"][0]["entity"]["id"] == 382137011


def test_bulk_by_identifier_limit_is_1060(api):
    response = api.post("/v2/bulk/getCustomers?identifierName=email", json=[f"n{i}@example.com" for i in range(101)])
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == 1060
