"""The points ledger, closing balances and the expiry schedule: documented parameters, codes and arithmetic."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

JOSE = {"source": "INSTORE", "identifierName": "mobile", "identifierValue": "34600000003"}
PRIYA = {"source": "INSTORE", "identifierName": "id", "identifierValue": "900000005"}
INFO = "/v2/pointsLedger/getCustomerLedgerInfo"
BALANCE = "/v2/pointsLedger/getCustomerLedgerBalance"


def codes(response):
    return [e["code"] for e in response.json()["errors"]]


def all_entries(api, params):
    first = api.get(INFO, params=params | {"limit": 100}).json()
    entries = list(first["ledgerEntries"])
    for page in range(1, first["ledgerDetails"]["pageCount"]):
        entries += api.get(INFO, params=params | {"limit": 100, "offset": page}).json()["ledgerEntries"]
    return first, entries


def net(entries, program_id):
    return sum(
        Decimal(e["points"]) * (1 if e["ledgerEntryType"] == "CREDIT" else -1)
        for entry in entries
        for e in entry["entryDetails"]
        if e["programId"] == program_id and e["ledgerEntryType"] != "OPENING_BALANCE"
    )


@pytest.mark.parametrize("customer_id", [900000003, 900000005, 566881933, 382137012])
def test_the_ledger_sums_to_the_points_the_customer_get_shows(api, customer_id):
    customer = api.get(f"/v2/customers/{customer_id}", params={"source": "ALL", "embed": "mlp"}).json()
    _, entries = all_entries(api, {"source": "ALL", "identifierName": "id", "identifierValue": str(customer_id)})
    for program in customer["loyaltyProgramDetails"]:
        assert net(entries, program["programId"]) == Decimal(str(program["totalAvailablePoints"]))


def test_page_numbers_sizes_and_newest_first(api):
    body = api.get(INFO, params=JOSE | {"limit": 3}).json()

    details = body["ledgerDetails"]
    assert (details["pageNumber"], details["pageSize"]) == (0, 3)
    assert details["pageCount"] == -(-details["totalEntries"] // 3)
    dates = [e["ledgerCreatedDateISO"] for e in body["ledgerEntries"]]
    assert dates == sorted(dates, reverse=True)
    assert body["customerDetails"] == {"firstName": "José", "lastName": "Ñúñez", "userId": 900000003,
                                       "entityType": "CUSTOMER"}  # fmt: skip
    oldest = api.get(INFO, params=JOSE | {"limit": 1, "order": "ASC"}).json()["ledgerEntries"][0]
    assert oldest["eventName"] == "CustomerRegistration"
    assert oldest["entryDetails"][0] == {
        "ledgerEntryType": "OPENING_BALANCE", "points": "0.000", "pointsCategory": "Main",
        "programName": "DocDemo Loyalty", "programId": 983,
    }  # fmt: skip
    assert api.get(INFO, params=JOSE).json()["ledgerDetails"]["pageSize"] == 10


def test_every_event_kind_shows_as_the_docs_describe(api):
    _, entries = all_entries(api, JOSE)
    kinds = {e["eventName"]: e for e in entries}
    assert set(kinds) == {"CustomerRegistration", "TransactionAdd", "PointsRedemption", "PointsExpiry", "ReturnBill"}
    bill = kinds["TransactionAdd"]
    assert bill["transactionDetails"]["transactionNumber"].startswith("B900000003-")
    assert bill["netPointsOnEvent"] == bill["entryDetails"][0]["points"]
    assert (bill["customerDetails"], bill["storeCode"] != "") == ({"userId": 0}, True)
    expiry = kinds["PointsExpiry"]
    assert (expiry["customerId"], expiry["transactionDetails"], expiry["store"]) == (983, {}, "")  # the docs' quirk
    assert expiry["netPointsOnEvent"].startswith("-")
    ret = kinds["ReturnBill"]
    returned_bill = ret["transactionDetails"]["transactionId"]
    bills = [e for e in entries if e["eventName"] == "TransactionAdd"]
    original = next(e for e in bills if e["transactionDetails"]["transactionId"] == returned_bill)
    assert ret["transactionDetails"] == original["transactionDetails"]  # the return carries the original bill
    assert ret["ledgerCreatedDateISO"] > original["ledgerCreatedDateISO"]


def test_expiry_rows_can_carry_the_customer_id_instead(api, raw):
    raw.post("/__fake__/config", json={"behaviour": {"ledger_expiry_customer_id": "customer"}})
    _, entries = all_entries(api, JOSE)
    assert {e["customerId"] for e in entries} == {900000003}


def test_filters_by_program_entry_type_and_store(api):
    _, debits = all_entries(api, PRIYA | {"ledgerEntryType": "DEBIT", "programId": "469"})
    assert {(d["ledgerEntryType"], d["programId"]) for e in debits for d in e["entryDetails"]} == {("DEBIT", 469)}
    _, at_web = all_entries(api, PRIYA | {"storeCode": "web"})
    assert {e["storeCode"] for e in at_web} == {"web"}
    _, at_till = all_entries(api, PRIYA | {"tillIds": "50006822"})
    assert [e["eventLogId"] for e in at_till] == [e["eventLogId"] for e in at_web]
    concepts = api.get(INFO, params=PRIYA | {"storeCode": "web", "includeConceptDetails": "true", "limit": 1}).json()
    assert concepts["ledgerEntries"][0]["conceptName"] == "CONCEPT-RETAIL"


def test_a_date_window_of_at_most_90_days_or_a_year(api, app):
    today = app.store.today().date()
    start = (today - timedelta(days=60)).isoformat() + "T00:00:00"
    end = today.isoformat() + "T23:59:59"
    _, recent = all_entries(api, PRIYA | {"startDate": start, "endDate": end})
    assert recent
    assert all(start <= e["ledgerCreatedDateISO"][:19] <= end for e in recent)

    too_long = {"startDate": (today - timedelta(days=200)).isoformat() + "T00:00:00", "endDate": end}
    refused = api.get(INFO, params=PRIYA | too_long)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["message"] == "The date range cannot be more than 90 days"
    assert api.get(INFO, params=PRIYA | too_long | {"includeLastOneYearData": "true"}).status_code == 200
    only_start = api.get(INFO, params=PRIYA | {"startDate": too_long["startDate"], "limit": 100, "order": "ASC"}).json()
    last = max(e["ledgerCreatedDateISO"] for e in only_start["ledgerEntries"])
    assert last[:10] <= (today - timedelta(days=110)).isoformat()  # one date alone: 90 days from it


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        ({"limit": "101"}, 11029, "Limit cannot be greater than 100"),
        ({"offset": "99"}, 11003, "There are no ledger entries present for the given parameters. Try removing "
                                  "parameters to widen the search"),
        ({"ledgerEntryType": "REFUND"}, 11007, "Invalid ledgerEntryType passed in request"),
        ({"pointCategoryType": "BONUS"}, 11008, "Invalid pointCategoryType passed in request"),
        ({"tillId": "50006822", "storeCode": "web"}, 11028, "Multiple input parameters set. Please provide only one "
                                                            "of the following: tillId, tillIds, storeCode or storeId"),
        ({"tillIds": "abc"}, 11025, 'Till id format exception:For input string: "abc"'),
        ({"tillIds": "123"}, 11027, "Invalid tillIds: [123]"),
        ({"storeId": "123"}, 11026, "No tills found for store with store id: 123"),
        ({"storeCode": "abc"}, 11026, "No tills found for store with store code: abc"),
        ({"identifierValue": "1"}, 11012, "Invalid userId passed in request"),
        ({"identifierName": "passport"}, 8013, "Lookup, Invalid identifier passed"),
        ({"source": ""}, 11013, "identifierName, identifierValue, source can not be empty"),
        ({"type": "FLEET"}, 9003, "No CPS entry for the given points type."),
    ],
)  # fmt: skip
def test_documented_ledger_errors(api, params, code, message):
    response = api.get(INFO, params=PRIYA | params)
    assert response.status_code == 400
    assert response.json()["errors"] == [{"status": False, "code": code, "message": message}]


def test_a_customer_never_enrolled_has_no_points_summary_9003_and_unknown_mobiles_8015(api):
    never = {"source": "INSTORE", "identifierName": "mobile", "identifierValue": "919845000010"}
    assert codes(api.get(INFO, params=never)) == [9003]
    assert codes(api.get(BALANCE, params=never)) == [9003]
    assert codes(api.get(INFO, params=never | {"identifierValue": "910000000000"})) == [8015]


def test_an_empty_result_can_be_an_empty_page_instead_of_11003(api, raw):
    params = PRIYA | {"programId": "1"}
    assert codes(api.get(INFO, params=params)) == [11003]
    raw.post("/__fake__/config", json={"behaviour": {"ledger_empty_result": "empty"}})
    body = api.get(INFO, params=params).json()
    assert (body["ledgerEntries"], body["ledgerDetails"]["totalEntries"]) == ([], 0)


def test_closing_balances_per_program_and_category(api, app):
    body = api.get(BALANCE, params=PRIYA).json()
    rows = {
        (r["programId"], r["pointsCategory"]): r["closingBalance"]
        for r in body["ledgerDetails"]["ledgerClosingBalance"]
    }
    assert rows == {(983, "Main"): "31000.000", (983, "DelayedAccrualPointCategory"): "0.000",
                    (469, "Main"): "40000.000", (469, "DelayedAccrualPointCategory"): "0.000"}  # fmt: skip
    assert body["customerDetails"] == {"userId": 900000005, "entityType": "CUSTOMER"}
    assert body["ledgerDetails"]["totalEntries"] == 4
    year_ago = (app.store.today() - timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%S")
    then = api.get(BALANCE, params=PRIYA | {"endDate": year_ago}).json()["ledgerDetails"]["ledgerClosingBalance"]
    assert then[0]["closingBalance"] != "31000.000"
    assert api.get(BALANCE, params=PRIYA | {"limit": "11"}).json()["errors"][0]["message"] == (
        "Limit cannot be greater than 10"
    )


# -- expiry schedule ----------------------------------------------------------------------------------------------
def test_expiry_schedule_lists_what_the_balance_holds_soonest_first(api, app):
    body = api.get("/v2/customers/900000001/pointsExpirySchedule").json()

    assert (body["id"], body["profiles"], body["loyaltyInfo"], body["warnings"]) == (
        900000001, [], {"loyaltyType": "loyalty"}, []
    )  # fmt: skip
    schedule = body["expirySchedules"]
    assert [s["expiryDate"] for s in schedule] == sorted(s["expiryDate"] for s in schedule)
    assert round(sum(s["points"] for s in schedule), 3) == 2400.0  # Aiko's loyaltyPoints
    assert schedule[0]["expiryDate"] == (app.store.today().date() + timedelta(days=10)).isoformat()
    assert schedule[0]["expiryDateISO"] == schedule[0]["expiryDate"] + "T00:00:00Z"
    assert {(s["programId"], s["pointsType"], s["expiryType"]) for s in schedule} == {
        (983, "line_item_regular", "rolling")
    }


def test_expiry_schedule_by_lookup_programs_and_earliest_only(api):
    lookup = {"source": "INSTORE", "identifierName": "email", "identifierValue": "priya.iyer@example.com"}
    default = api.get("/v2/customers/lookup/pointsExpirySchedule", params=lookup).json()["expirySchedules"]
    every = api.get("/v2/customers/lookup/pointsExpirySchedule", params=lookup | {"fetchDataForAllPrograms": "true"})
    miles = api.get("/v2/customers/lookup/pointsExpirySchedule", params=lookup | {"programId": "469"}).json()
    earliest_only = {"fetchDataForAllPrograms": "true", "fetchEarliestExpiryOnly": "true"}
    earliest = api.get("/v2/customers/900000005/pointsExpirySchedule", params=earliest_only)

    assert {s["programId"] for s in default} == {983}
    assert {s["programId"] for s in every.json()["expirySchedules"]} == {983, 469}
    assert round(sum(s["points"] for s in miles["expirySchedules"]), 3) == 40000.0
    assert [(s["programId"], s["pointsType"]) for s in earliest.json()["expirySchedules"]] == [
        (983, "line_item_regular"), (469, "customer_promotions")
    ]  # fmt: skip


def test_expiry_window_and_its_errors(api, app):
    today = app.store.today().date()
    in_two_months = api.get(
        "/v2/customers/900000005/pointsExpirySchedule",
        params={
            "startDate": (today + timedelta(days=1)).isoformat(),
            "endDate": (today + timedelta(days=60)).isoformat(),
        },
    ).json()["expirySchedules"]
    assert all(s["expiryDate"] <= (today + timedelta(days=60)).isoformat() for s in in_two_months)
    for params, code in [
        ({"startDate": today.isoformat()}, 1215),
        ({"startDate": "2030/01/01"}, 1216),
        ({"endDate": "tomorrow"}, 1216),
        (
            {"startDate": (today + timedelta(days=9)).isoformat(), "endDate": (today + timedelta(days=2)).isoformat()},
            1214,
        ),
        ({"endDate": date(today.year + 101, 1, 1).isoformat()}, 1217),
        ({"programId": "12345"}, 885),
    ]:
        assert codes(api.get("/v2/customers/900000005/pointsExpirySchedule", params=params)) == [code], params


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"identifierName": "mobile", "identifierValue": "919845000005"}, 8003),
        ({"source": "INSTORE", "identifierName": "passport", "identifierValue": "x"}, 8130),
        ({"source": "INSTORE", "identifierName": "mobile"}, 8130),
        ({"source": "INSTORE", "identifierName": "mobile", "identifierValue": "910000000000"}, 8015),
    ],
)
def test_expiry_lookup_errors(api, params, code):
    assert codes(api.get("/v2/customers/lookup/pointsExpirySchedule", params=params)) == [code]


def test_unknown_expiry_parameters_can_be_refused_as_8130(api, raw):
    assert api.get("/v2/customers/900000005/pointsExpirySchedule", params={"colour": "red"}).status_code == 200
    raw.post("/__fake__/config", json={"behaviour": {"expiry_unknown_params": "reject"}})
    assert codes(api.get("/v2/customers/900000005/pointsExpirySchedule", params={"colour": "red"})) == [8130]


def test_customer_embeds_expiry_schedules_and_expired_points(api):
    plain = api.get("/v2/customers/900000005", params={"source": "INSTORE"}).json()
    body = api.get("/v2/customers/900000005", params={"source": "INSTORE", "embed": "expirySchedules,expiredPoints"})
    body = body.json()

    assert "expirySchedules" not in plain
    assert set(body["expirySchedules"][0]) == {"points", "expiryDate", "expiryDateISO", "programId"}
    assert round(sum(s["points"] for s in body["expirySchedules"] if s["programId"] == 469), 3) == 40000.0
    expired = {p: sum(e["points"] for e in body["expiredPoints"] if e["programId"] == p) for p in (983, 469)}
    assert expired == {983: 3100.0, 469: 4000.0}  # pointsSummary.expired of each program
    summary = body["expiredPoints"][0]["expiredPointsSummary"][0]
    assert set(summary) == {"paType", "paId", "expiryUpdateReasonType", "expiryUpdateReasonNote", "newExpiryDate",
                            "eventDate", "points", "strategyName"}  # fmt: skip
