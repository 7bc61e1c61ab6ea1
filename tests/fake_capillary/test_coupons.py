"""GET /v2/customers/coupons: coupons in every state, the documented filters, and who they belong to."""

import pytest

CARDY = {"mobile": "919845000006"}


def coupons(api, **params):
    response = api.get("/v2/customers/coupons", params=CARDY | params)
    assert response.status_code == 200, response.text
    return response.json()["entity"]["customers"][0]["coupons"]


def codes_of(items):
    return sorted(c["code"] for c in items)


def test_a_coupon_in_every_state_with_where_it_was_redeemed(api):
    body = api.get("/v2/customers/coupons", params=CARDY).json()

    assert (body["success"], body["warnings"], body["errors"]) == (True, [], [])
    assert body["entity"]["pagination"] == {"limit": "100", "offset": "0", "total": 6}
    (customer,) = body["entity"]["customers"]
    assert {k: customer[k] for k in ("firstname", "lastname", "mobile", "id")} == {
        "firstname": "Cardy", "lastname": "McCardface", "mobile": "919845000006", "id": 900000006,
    }  # fmt: skip
    by_code = {c["code"]: c for c in customer["coupons"]}
    redeemed = by_code["REDEEMEDSPRING02"]
    assert (redeemed["redemptionCount"], redeemed["redemptionsLeft"]) == (1, 0)
    assert redeemed["redemptions"][0]["redeemedAt"] == {"code": "blr-indiranagar", "name": "Bangalore Indiranagar"}
    assert redeemed["redemptions"][0]["transactionNumber"].startswith("B900000006-")
    assert by_code["COFFEECLUB05"]["redemptionsLeft"] == -1  # unlimited series
    assert by_code["EXPIREDUSED04"]["transactionNumber"].startswith("B900000006-")  # issued on a bill
    assert by_code["ACTIVEWELCOME01"]["transactionNumber"] == "0"
    assert by_code["REVERSEDGIFT06"]["redemptionCount"] == 0
    assert by_code["REVERSEDGIFT06"]["reversedRedemptions"] == []  # only when asked


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("EXPIRED", ["EXPIREDUNUSED03", "EXPIREDUSED04"]),
        ("expired_unredeemed", ["EXPIREDUNUSED03"]),
        ("REDEEMED", ["COFFEECLUB05", "EXPIREDUSED04", "REDEEMEDSPRING02"]),
        ("ACTIVE_REDEEMED", ["COFFEECLUB05", "REDEEMEDSPRING02"]),
        ("Active_Unredeemed", ["ACTIVEWELCOME01", "REVERSEDGIFT06"]),
        ("ACTIVE", ["ACTIVEWELCOME01", "COFFEECLUB05", "REDEEMEDSPRING02", "REVERSEDGIFT06"]),
        ("REDEEMABLE", ["ACTIVEWELCOME01", "COFFEECLUB05", "REVERSEDGIFT06"]),
        ("UNREDEEMED", ["ACTIVEWELCOME01", "EXPIREDUNUSED03", "REVERSEDGIFT06"]),
    ],
)
def test_status_filters_derive_the_state_from_validity_and_redemptions(api, status, expected):
    assert codes_of(coupons(api, status=status)) == expected


def test_active_can_exclude_redeemed_coupons(api, raw):
    raw.post("/__fake__/config", json={"behaviour": {"coupon_active_includes_redeemed": False}})
    assert codes_of(coupons(api, status="ACTIVE")) == ["ACTIVEWELCOME01", "REVERSEDGIFT06"]


def test_code_case_order_paging_bill_numbers_and_reversed_redemptions(api):
    assert "ActiveWelcome01" in codes_of(coupons(api, coupon_code_case="AS_IT_IS"))
    assert "activewelcome01" in codes_of(coupons(api, coupon_code_case="LOWER"))
    newest_first = [c["createdDateISO"] for c in coupons(api)]
    assert newest_first == sorted(newest_first, reverse=True)
    assert [c["createdDateISO"] for c in coupons(api, sort_order="ASC")] == newest_first[::-1]
    page = api.get("/v2/customers/coupons", params=CARDY | {"limit": 2, "offset": 2}).json()["entity"]
    assert page["pagination"] == {"limit": "2", "offset": "2", "total": 6}
    assert [c["createdDateISO"] for c in page["customers"][0]["coupons"]] == newest_first[2:4]
    issued = next(c for c in coupons(api) if c["code"] == "EXPIREDUSED04")["transactionNumber"]
    assert codes_of(coupons(api, transaction_numbers=issued)) == ["EXPIREDUSED04"]
    (reversed_one,) = next(c for c in coupons(api, include_reversed_redemptions="true") if c["reversedRedemptions"])[
        "reversedRedemptions"
    ]
    assert reversed_one["redeemedAt"]["isReversed"] is True
    assert reversed_one["redeemedAt"]["reversedOn"] > reversed_one["date"]


def test_created_date_is_wall_clock_time_marked_z_as_in_the_docs(api):
    coupon = coupons(api)[0]
    assert coupon["createdDate"] != coupon["createdDateISO"]  # 5 h 30 apart, as the docs' example is
    assert coupon["validTillDateTime"] == coupon["validTill"][:10] + "T23:59:59Z"


@pytest.mark.parametrize(
    "params",
    [
        {"email": "aiko.tanaka@example.com"},
        {"external_id": "12341234"},
        {"externalId": "12341234"},
        {"id": "900000006"},
    ],
)
def test_every_identifier_spelling_finds_the_customer(api, params):
    response = api.get("/v2/customers/coupons", params=params)
    assert response.status_code == 200
    assert response.json()["entity"]["customers"][0]["id"] in (900000001, 566881933, 900000006)


@pytest.mark.parametrize("params", [{}, {"mobile": "910000000000"}, {"id": "abc"}])
def test_no_or_unknown_customer_is_701(api, params):
    response = api.get("/v2/customers/coupons", params=params)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"status": False, "code": 701,
         "message": "The customer could not be found. Please check mobile, email, external id passed"}
    ]  # fmt: skip


def test_invalid_status_is_refused(api):
    assert api.get("/v2/customers/coupons", params=CARDY | {"status": "USED"}).status_code == 400


def test_a_customer_without_activity_has_no_coupons(api):
    body = api.get("/v2/customers/coupons", params={"mobile": "919845000010"}).json()
    assert body["entity"]["pagination"]["total"] == 0
    assert body["entity"]["customers"][0]["coupons"] == []
