"""Basic and OAuth authentication, and the headers every response carries."""


def test_basic_auth_with_md5_password_is_accepted(api):
    assert api.get("/v2/customers/566881933", params={"source": "INSTORE"}).status_code == 200


def test_wrong_password_is_401_in_capillary_envelope(raw, basic_auth):
    response = raw.get(
        "/v2/customers/566881933", params={"source": "INSTORE"}, headers={"Authorization": basic_auth(password="nope")}
    )
    assert response.status_code == 401
    body = response.json()
    assert body["warnings"] == []
    assert body["errors"][0]["code"] == 401
    assert body["errors"][0]["status"] is False
    assert body["errors"][0]["message"]


def test_missing_credentials_is_401(raw):
    assert raw.get("/v2/extendedFields").status_code == 401


def test_plain_password_instead_of_md5_is_rejected(raw):
    import base64

    header = "Basic " + base64.b64encode(b"memberconsole.till:fake-capillary-demo").decode()
    assert raw.get("/v2/extendedFields", headers={"Authorization": header}).status_code == 401


def test_oauth_token_is_issued_used_and_expires(raw):
    issued = raw.post("/v3/oauth/token/generate", json={"key": "fake-oauth-key", "secret": "fake-oauth-secret"})
    assert issued.status_code == 200
    body = issued.json()
    assert body["errors"] is None
    assert body["data"]["ttlSeconds"] == 300
    token = body["data"]["accessToken"]
    assert token.count(".") == 2
    again = raw.post("/v3/oauth/token/generate", json={"key": "fake-oauth-key", "secret": "fake-oauth-secret"})
    assert again.json()["data"]["accessToken"] != token
    assert raw.get("/v2/extendedFields", headers={"X-CAP-API-OAUTH-TOKEN": token}).status_code == 200
    assert raw.get("/v2/extendedFields", headers={"CAP-API-ACCESS-TOKEN": token}).status_code == 200
    raw.post("/__fake__/clock", json={"offset_seconds": 301})
    expired = raw.get("/v2/extendedFields", headers={"X-CAP-API-OAUTH-TOKEN": token})
    assert expired.status_code == 401
    assert expired.json()["errors"][0]["code"] == 401


def test_oauth_with_bad_secret_fails_with_documented_message(raw):
    response = raw.post("/v3/oauth/token/generate", json={"key": "fake-oauth-key", "secret": "wrong"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == "Failed to generate OAuth token"


def test_unknown_token_is_401(raw):
    assert raw.get("/v2/extendedFields", headers={"X-CAP-API-OAUTH-TOKEN": "a.b.c"}).status_code == 401


def test_every_response_has_a_unique_request_id_and_version(api, raw):
    a = api.get("/v2/extendedFields")
    b = raw.get("/v2/extendedFields")
    c = raw.get("/nowhere")
    ids = {r.headers["X-Cap-Requestid"] for r in (a, b, c)}
    assert len(ids) == 3
    assert all(r.headers["X-Fake-Capillary-Version"] for r in (a, b, c))


def test_unknown_route_is_404_with_errors_envelope(api):
    response = api.get("/v2/nothing/here")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == 404


def test_non_json_body_is_400(api):
    response = api.post("/v2/customers", content=b"not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["status"] is False


ACTIVITY_READS = [
    "/v2/customers/900000005/transactions",
    "/v2/customers/lookup/transactions?source=INSTORE&identifierName=mobile&identifierValue=919845000005",
    "/v2/transactions/900000005001",
    "/v2/pointsLedger/getCustomerLedgerInfo?source=INSTORE&identifierName=id&identifierValue=900000005",
    "/v2/pointsLedger/getCustomerLedgerBalance?source=INSTORE&identifierName=id&identifierValue=900000005",
    "/v2/customers/900000005/pointsExpirySchedule",
    "/v2/customers/lookup/pointsExpirySchedule?source=INSTORE&identifierName=mobile&identifierValue=919845000005",
    "/v2/customers/coupons?mobile=919845000005",
]


def test_activity_endpoints_need_credentials_like_every_v2_call(raw, api):
    for url in ACTIVITY_READS:
        assert raw.get(url).status_code == 401, url
        assert api.get(url).status_code == 200, url
