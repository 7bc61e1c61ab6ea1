"""Generated customers: deterministic, findable by every identifier, rendered in the documented shape."""

from memberconsole.fake_capillary.generate import GENERATED_BASE_ID, compact_rows, generated_record


def test_generation_is_deterministic():
    assert generated_record(GENERATED_BASE_ID + 42) == generated_record(GENERATED_BASE_ID + 42)
    assert compact_rows(GENERATED_BASE_ID + 7) == compact_rows(GENERATED_BASE_ID + 7)


def test_generated_customers_found_by_each_stored_identifier(api, app):
    app.store.seed(300)
    for n in (1, 77, 300):
        cid = GENERATED_BASE_ID + n
        _, idents = compact_rows(cid)
        for _, source, account, kind, value in idents:
            params = {"source": source or "ALL", "identifierName": kind, "identifierValue": value}
            if account:
                params["accountId"] = account
            response = api.get("/v2/customers/lookup/customerDetails", params=params)
            assert response.json()["id"] == cid, (kind, response.json())
        body = api.get(f"/v2/customers/{cid}", params={"source": "ALL", "embed": "mlp,points"}).json()
        assert body["loyaltyProgramDetails"]
        assert body["profiles"][0]["userId"] == cid


def test_generated_customers_are_searchable(api, app):
    app.store.seed(100)
    record = generated_record(GENERATED_BASE_ID + 5)
    last = record["profiles"][0]["lastName"]
    data = api.get("/v2/customers/search", params={"q": last, "limit": 100}).json()["data"]
    assert GENERATED_BASE_ID + 5 in [d["userId"] for d in data]
