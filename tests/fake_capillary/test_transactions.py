"""Transactions: the list by id (record offsets) and by identifier (page numbers), and one transaction."""

import pytest

LOOKUP = {"source": "INSTORE", "identifierName": "mobile", "identifierValue": "919845000005"}
EVERY_EMBED = (
    "BILL_CF,BILL_EF,ATTRIBUTION,PAYMENT_MODES,CREDIT_NOTES,BILL_STORE_DETAILS,BILL_POINTS,TRANSACTION_IDENTIFIER"
)


def codes(response):
    return [e["code"] for e in response.json()["errors"]]


def test_list_by_id_defaults_to_twenty_newest_first(api):
    body = api.get("/v2/customers/900000005/transactions").json()

    assert body["pagination"] == {"limit": 20, "offset": 0, "sortBy": "BILLING_TIME", "sortOrder": "DESC", "total": 74}
    times = [t["billingTime"] for t in body["data"]]
    assert len(times) == 20
    assert times == sorted(times, reverse=True)
    assert (body["warnings"], body["errors"]) == ([], [])


def test_by_id_offset_counts_records_and_lookup_offset_counts_pages(api):
    by_records = [
        t["id"]
        for offset in range(0, 80, 25)
        for t in api.get("/v2/customers/900000005/transactions", params={"limit": 25, "offset": offset}).json()["data"]
    ]
    by_pages = [
        t["id"]
        for page in range(4)
        for t in api.get("/v2/customers/lookup/transactions", params=LOOKUP | {"limit": 25, "offset": page}).json()[
            "data"
        ]
    ]

    assert len(by_records) == len(set(by_records)) == 74
    assert by_pages == by_records
    second_page = api.get("/v2/customers/lookup/transactions", params=LOOKUP | {"limit": 25, "offset": 1}).json()
    assert second_page["pagination"]["offset"] == 1  # echoed as sent: a page number
    assert [t["id"] for t in second_page["data"]] == by_records[25:50]


def test_lookup_offset_can_be_switched_to_records(api, raw):
    raw.post("/__fake__/config", json={"behaviour": {"transactions_lookup_offset": "record"}})
    by_lookup = api.get("/v2/customers/lookup/transactions", params=LOOKUP | {"limit": 10, "offset": 5}).json()
    by_id = api.get("/v2/customers/900000005/transactions", params={"limit": 10, "offset": 5}).json()
    assert [t["id"] for t in by_lookup["data"]] == [t["id"] for t in by_id["data"]]


def test_filters_type_dates_numbers_ids_and_store(api):
    everything = api.get("/v2/customers/900000003/transactions", params={"sortOrder": "ASC"}).json()["data"]
    returns = api.get("/v2/customers/900000003/transactions", params={"transactionType": "RETURN"}).json()["data"]
    regular = api.get("/v2/customers/900000003/transactions", params={"transactionType": "regular"}).json()["data"]
    assert {t["type"] for t in returns} == {"RETURN"}
    assert {t["type"] for t in regular} == {"REGULAR"}
    assert len(returns) + len(regular) == len(everything)

    third = everything[2]
    day = third["billingTime"][:10]
    same_day = api.get("/v2/customers/900000003/transactions", params={"startDate": day, "endDate": day}).json()
    assert third["id"] in [t["id"] for t in same_day["data"]]
    assert all(t["billingTime"].startswith(day) for t in same_day["data"])
    by_number = api.get("/v2/customers/900000003/transactions", params={"number": third["billNumber"]}).json()["data"]
    assert {t["billNumber"] for t in by_number} == {third["billNumber"]}
    ids = f"{everything[0]['id']},{everything[1]['id']}"
    assert len(api.get("/v2/customers/900000003/transactions", params={"transactionId": ids}).json()["data"]) == 2
    store = api.get(
        "/v2/customers/900000003/transactions", params={"embed": "BILL_STORE_DETAILS", "entityType": "STORE",
                                                         "entityCode": "web"}
    ).json()["data"]  # fmt: skip
    assert {t["billingStore"]["code"] for t in store} <= {"web"}


def test_every_embed_adds_its_block(api):
    (bill,) = api.get(
        "/v2/customers/900000003/transactions", params={"embed": EVERY_EMBED, "transactionType": "REGULAR", "limit": 1}
    ).json()["data"]

    assert set(bill) >= {
        "customFields", "extendedFields", "billingTimeInputOffset", "attribution", "paymentModes", "creditNotes",
        "billingStore", "billPoints", "txnIdentifiers",
    }  # fmt: skip
    (aggregated,) = bill["billPoints"]["aggregatedBillPoints"]
    lines = bill["billPoints"]["pointsBreakup"][0]["regularPoints"]
    assert round(sum(p["points"] for p in lines), 3) == aggregated["regularPoints"]["points"]
    assert aggregated["regularPoints"]["points"] * 20 == bill["amount"]  # 5 % back, as the docs' example earns
    assert "alternateCurrenciesBreakup" not in bill["billPoints"]  # alternate currency disabled in the fake org
    assert bill["paymentModes"][0]["amount"] == bill["amount"]


def test_a_return_row_points_at_its_bill_and_carries_no_points(api):
    rows = api.get("/v2/customers/900000003/transactions", params={"embed": "BILL_POINTS", "limit": 100}).json()["data"]
    bills = {t["id"]: t for t in rows if t["type"] == "REGULAR"}
    for ret in (t for t in rows if t["type"] == "RETURN"):
        original = bills[ret["loyaltyLogId"]]
        assert ret["billNumber"] == original["billNumber"]
        assert ret["billingTime"] > original["billingTime"]
        assert (ret["grossAmount"], ret["discount"]) == (0.0, 0.0)
        assert ret["returnType"] in ("FULL", "LINE_ITEM")
        assert ret["billPoints"] == {"pointsBreakup": [], "aggregatedBillPoints": []}
        assert ret["id"] < min(bills)  # returns have their own, smaller id space


def test_bills_that_earned_nothing_say_why(api):
    rows = api.get("/v2/customers/900000002/transactions", params={"embed": "BILL_POINTS,TRANSACTION_IDENTIFIER"})
    nothing = [t for t in rows.json()["data"] if not t["billPoints"]["pointsBreakup"]]
    assert {(t["type"], t["outlierStatus"]) for t in nothing} == {("NOT_INTERESTED", "NORMAL"), ("REGULAR", "OUTLIER")}
    not_interested = next(t for t in nothing if t["type"] == "NOT_INTERESTED")
    assert (not_interested["loyaltyLogId"], not_interested["txnIdentifiers"]) == (0, [])


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"transactionType": "SALE"}, 400, 1623),
        ({"sortOrder": "UP"}, 400, 400),
        ({"limit": "ten"}, 400, 400),
        ({"entityType": "REGION", "entityCode": "x"}, 400, 400),
    ],
)
def test_invalid_list_parameters_are_refused(api, params, status, code):
    response = api.get("/v2/customers/900000005/transactions", params=params)
    assert (response.status_code, codes(response)) == (status, [code])


def test_limit_above_1000_is_capped_or_refused_as_configured(api, raw):
    assert api.get("/v2/customers/900000005/transactions", params={"limit": 5000}).json()["pagination"]["limit"] == 1000
    raw.post("/__fake__/config", json={"behaviour": {"transactions_limit_over_max": "error"}})
    assert api.get("/v2/customers/900000005/transactions", params={"limit": 5000}).status_code == 400


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        ({"identifierName": "mobile", "identifierValue": "919845000005"}, 8003, "Source information is missing."),
        ({"source": "INSTORE", "identifierName": "mobile"}, 8130, "Identifiername and value is missing."),
        ({"source": "INSTORE", "identifierName": "mobile", "identifierValue": "910000000000"}, 1011,
         "Cannot find customer for provided identifier"),
        ({"source": "INSTORE", "identifierName": "mobile", "identifierValue": "919845000016"}, 1013,
         "Customer is not registered for the loyalty program"),
        ({"source": "MYSPACE", "identifierName": "mobile", "identifierValue": "919845000005"}, 8003, "Invalid source"),
    ],
)  # fmt: skip
def test_lookup_errors_use_the_lookup_pages_table(api, params, code, message):
    response = api.get("/v2/customers/lookup/transactions", params=params)
    assert response.json()["errors"] == [{"status": False, "code": code, "message": message}]


def test_lookup_by_customer_id_and_a_non_loyalty_customer_by_id(api):
    by_id = api.get("/v2/customers/lookup/transactions", params=LOOKUP | {"identifierName": "id",
                                                                          "identifierValue": "900000005"})  # fmt: skip
    assert by_id.json()["pagination"]["total"] == 74
    bills = api.get("/v2/customers/900000016/transactions").json()["data"]
    assert [t["type"] for t in bills] == ["NOT_INTERESTED"] * 3


def test_unknown_customer_by_id_is_8015_and_an_empty_history_is_an_empty_page(api):
    assert codes(api.get("/v2/customers/999999999/transactions")) == [8015]
    body = api.get("/v2/customers/900000010/transactions").json()
    assert (body["pagination"]["total"], body["data"]) == (0, [])


def test_merge_victim_reads_the_survivors_transactions_with_91009(api):
    body = api.get("/v2/customers/900000013/transactions").json()
    assert body["warnings"][0]["code"] == 91009
    assert {t["customerId"] for t in body["data"]} == {900000014}


def test_one_transaction_with_line_items_and_points_when_asked(api):
    (row,) = api.get("/v2/customers/900000003/transactions", params={"limit": 1, "transactionType": "REGULAR"}).json()[
        "data"
    ]
    plain = api.get(f"/v2/transactions/{row['id']}").json()
    full = api.get(
        f"/v2/transactions/{row['id']}", params={"tenders": "true", "credit_notes": "true", "mlp": "true",
                                                  "points_breakup": "true"}
    ).json()  # fmt: skip

    assert (plain["id"], plain["customerId"], plain["type"]) == (row["id"], 900000003, "REGULAR")
    assert plain["billDetails"]["billNumber"] == row["billNumber"]
    assert round(sum(i["details"]["amount"] for i in plain["lineItems"]), 2) == row["amount"]
    assert "paymentModes" not in plain
    assert "creditNote" not in plain
    assert plain["loyaltiesPointDetails"] == []
    assert plain["billPointsBreakup"] == []
    assert full["paymentModes"][0]["mode"] in ("CARD", "UPI", "CASH")
    (points,) = full["loyaltiesPointDetails"]
    assert points["programId"] == 983
    held = points["availablePoints"] + points["redeemedPoints"] + points["expiredPoints"]
    assert round(held + points["returnedPoints"], 3) == points["issuedPoints"]


def test_a_return_is_read_with_type_return_and_its_own_id(api):
    (ret,) = api.get("/v2/customers/900000003/transactions", params={"transactionType": "RETURN", "limit": 1}).json()[
        "data"
    ]
    assert codes(api.get(f"/v2/transactions/{ret['id']}")) == [620]  # type-specific ids: REGULAR by default
    body = api.get(f"/v2/transactions/{ret['id']}", params={"type": "RETURN", "credit_notes": "true"}).json()
    assert (body["type"], body["billDetails"]["billNumber"], body["billDetails"]["amount"]) == (
        "RETURN", ret["billNumber"], ret["amount"]
    )  # fmt: skip
    assert body["creditNote"]["amount"] == ret["amount"]


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        ("/v2/transactions/900000003001", {"type": "SALE"}, 605),
        ("/v2/transactions/999999999001", {}, 620),
        ("/v2/transactions/abc", {}, 620),
        ("/v2/transactions/900000012001", {}, 620),  # a PII-deleted customer's bill
    ],
)
def test_transaction_errors(api, path, params, code):
    assert codes(api.get(path, params=params)) == [code]
