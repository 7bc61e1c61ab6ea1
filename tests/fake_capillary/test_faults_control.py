"""The /__fake__/ control plane: faults (status, count, latency, timeout, malformed, before/after), log, reset."""

import json

import pytest

BY_ID = "/v2/customers/566881933"


def add_fault(raw, **spec):
    response = raw.post("/__fake__/faults", json=spec)
    assert response.status_code == 201, response.text
    return response.json()


def test_status_fault_for_count_then_normal(api, raw):
    add_fault(raw, path="/v2/customers/{id}", method="GET", status=503, count=2, retry_after=7)
    for _ in range(2):
        response = api.get(BY_ID, params={"source": "INSTORE"})
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "7"
        assert response.json()["errors"][0]["code"] == 503
    assert api.get(BY_ID, params={"source": "INSTORE"}).status_code == 200
    assert raw.get("/__fake__/faults").json()["faults"] == []


def test_fault_forever_until_deleted(api, raw):
    add_fault(raw, path="/v2/customers/search", status=461, count=None)
    for _ in range(3):
        assert api.get("/v2/customers/search", params={"q": "a"}).status_code == 461
    raw.delete("/__fake__/faults")
    assert api.get("/v2/customers/search", params={"q": "a"}).status_code == 200


def test_fault_matches_method_and_template_only(api, raw):
    add_fault(raw, path="/v2/customers/{id}", method="GET", status=500, count=None)
    assert api.get("/v2/customers/search", params={"q": "a"}).status_code == 200
    assert api.get("/v2/customers/lookup", params={"source": "INSTORE"}).status_code != 500
    assert api.get(BY_ID, params={"source": "INSTORE"}).status_code == 500


def test_prefix_fault_and_custom_body(api, raw):
    add_fault(raw, path="/v2/", status=429, body={"errors": [{"code": 429, "message": "slow down"}]})
    response = api.get("/v2/extendedFields")
    assert response.status_code == 429
    assert response.json()["errors"][0]["message"] == "slow down"


def test_latency_fault_sleeps_then_answers(api, app, raw):
    add_fault(raw, path="/v2/extendedFields", delay_ms=250)
    assert api.get("/v2/extendedFields").status_code == 200
    assert app.slept == [0.25]


def test_timeout_fault_sleeps_default_30s(api, app, raw):
    add_fault(raw, path="/v2/extendedFields", timeout=True)
    api.get("/v2/extendedFields")
    assert app.slept == [30.0]


def test_malformed_fault_returns_non_json(api, raw):
    add_fault(raw, path="/v2/customers/{id}", malformed=True)
    response = api.get(BY_ID, params={"source": "INSTORE"})
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)


def test_register_fault_before_commit_leaves_nothing(api, raw, new_customer):
    add_fault(raw, path="/v2/customers", method="POST", status=500, when="before")
    assert api.post("/v2/customers", json=new_customer()).status_code == 500
    lookup = api.get(
        "/v2/customers/lookup/customerDetails",
        params={"source": "INSTORE", "identifierName": "mobile", "identifierValue": "919900000001"},
    )
    assert lookup.json()["errors"][0]["code"] == 8015


def test_register_fault_after_commit_keeps_the_customer(api, raw, new_customer):
    add_fault(raw, path="/v2/customers", method="POST", status=502, when="after")
    assert api.post("/v2/customers", json=new_customer()).status_code == 502
    lookup = api.get(
        "/v2/customers/lookup/customerDetails",
        params={"source": "INSTORE", "identifierName": "mobile", "identifierValue": "919900000001"},
    )
    assert lookup.status_code == 200
    retry = api.post("/v2/customers", json=new_customer())
    assert retry.json()["errors"][0]["code"] == 8006


def test_bad_fault_spec_is_400(raw):
    assert raw.post("/__fake__/faults", json={"path": "/v2", "when": "during"}).status_code == 400
    assert raw.post("/__fake__/faults", json={"status": 500}).status_code == 400
    assert raw.post("/__fake__/faults", json={"path": "/v2", "colour": "red"}).status_code == 400


def test_request_log_records_and_redacts(api, raw):
    api.get(
        "/v2/customers/lookup/customerDetails",
        params={"source": "INSTORE", "identifierName": "mobile", "identifierValue": "919845000005"},
    )
    (entry,) = raw.get("/__fake__/requests").json()["requests"]
    assert entry["path"] == "/v2/customers/lookup/customerDetails"
    assert entry["status"] == 200
    assert entry["query"]["identifierName"] == "mobile"
    assert entry["query"]["identifierValue"] == "***"
    assert entry["principal"] == "basic:memberconsole.till"
    raw.delete("/__fake__/requests")
    assert raw.get("/__fake__/requests").json()["requests"] == []


def test_request_log_is_bounded(api, raw):
    raw.post("/__fake__/config", json={"behaviour": {"request_log_size": 5}})
    for _ in range(8):
        api.get("/v2/extendedFields")
    assert len(raw.get("/__fake__/requests").json()["requests"]) == 5


def test_reset_restores_demo_data_and_clears_state(api, raw, app, new_customer):
    cid = api.post("/v2/customers", json=new_customer()).json()["createdId"]
    api.post("/v2/customers", json=new_customer(mobile="919845000005", source="LINE", accountId="9"))
    add_fault(raw, path="/v2/", status=500, count=None)
    raw.post("/__fake__/config", json={"behaviour": {"merged_victim_mode": "error"}})
    assert raw.post("/__fake__/reset").status_code == 200
    assert raw.get("/__fake__/faults").json()["faults"] == []
    assert raw.get("/__fake__/requests").json()["requests"] == []
    assert api.get(f"/v2/customers/{cid}", params={"source": "INSTORE"}).json()["errors"][0]["code"] == 8015
    demo = api.get("/v2/customers/900000005", params={"source": "ALL"}).json()
    assert [p["source"] for p in demo["profiles"]] == ["INSTORE"]
    assert api.get("/v2/customers/900000013", params={"source": "INSTORE"}).json()["id"] == 900000014


def test_health_and_seed(raw):
    assert raw.get("/__fake__/health").json()["status"] == "ok"
    seeded = raw.post("/__fake__/seed", json={"customers": 200}).json()
    assert seeded["added"] == 200
    assert raw.post("/__fake__/seed", json={"customers": 150}).json()["added"] == 0
    assert raw.post("/__fake__/seed", json={"customers": 250}).json()["added"] == 50
    assert raw.get("/__fake__/health").json()["generatedCustomers"] == 250


def test_control_404_for_unknown_endpoint(raw):
    assert raw.get("/__fake__/nothing").status_code == 404


def test_faults_apply_to_activity_endpoints_by_template(api, raw):
    add_fault(raw, path="/v2/customers/{id}/transactions", status=503, count=1)
    add_fault(raw, path="/v2/pointsLedger/", status=429, count=1, retry_after=2)
    assert api.get("/v2/customers/900000005/transactions").status_code == 503
    assert api.get("/v2/customers/900000005/transactions").status_code == 200
    ledger = {"source": "INSTORE", "identifierName": "id", "identifierValue": "900000005"}
    limited = api.get("/v2/pointsLedger/getCustomerLedgerBalance", params=ledger)
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "2")
    assert [e["status"] for e in raw.get("/__fake__/requests").json()["requests"]] == [503, 200, 429]


def test_a_raw_body_fault_answers_like_a_proxy_not_like_capillary(fake_http):
    fake_http.post(
        "/__fake__/faults", json={"path": "/v2/", "status": 502, "raw_body": "<html><h1>Bad Gateway</h1></html>"}
    )
    response = fake_http.get("/v2/customers/566881933", params={"source": "ALL"})
    assert response.status_code == 502
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.text == "<html><h1>Bad Gateway</h1></html>"
    fake_http.post("/__fake__/faults", json={"path": "/v2/", "status": 200, "raw_body": ""})
    empty = fake_http.get("/v2/customers/566881933", params={"source": "ALL"})
    assert (empty.status_code, empty.content) == (200, b"")
