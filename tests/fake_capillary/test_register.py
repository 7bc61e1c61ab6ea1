"""POST /v2/customers: validation codes, cross-source combining, side effects, persistence and atomicity."""

import httpx
import pytest

from memberconsole.fake_capillary import create_app


def codes(response):
    return [e["code"] for e in response.json()["errors"]]


def test_new_customer_gets_id_and_8107_and_is_readable_everywhere(api, new_customer):
    response = api.post("/v2/customers", json=new_customer())
    assert response.status_code == 200
    body = response.json()
    cid = body["createdId"]
    assert {"status": False, "code": 8107, "message": "Default customer status label not set"} in body["warnings"]
    by_id = api.get(f"/v2/customers/{cid}", params={"source": "INSTORE"}).json()
    assert by_id["profiles"][0]["firstName"] == "New"
    lookup = api.get(
        "/v2/customers/lookup/customerDetails",
        params={"source": "INSTORE", "identifierName": "mobile", "identifierValue": "919900000001"},
    )
    assert lookup.json()["id"] == cid
    assert api.post("/v2/bulk/getCustomers", json=[cid]).json()["data"][0]["success"] is True
    assert api.get("/v2/customers/search", params={"q": "new.person"}).json()["data"][0]["userId"] == cid


def test_no_8107_when_default_label_configured(api, raw, new_customer):
    raw.post("/__fake__/config", json={"registration": {"default_status_label": "Active"}})
    body = api.post("/v2/customers", json=new_customer()).json()
    assert all(w["code"] != 8107 for w in body["warnings"])


def test_same_identifier_same_source_is_8006(api, new_customer):
    api.post("/v2/customers", json=new_customer())
    again = api.post("/v2/customers", json=new_customer(email="other@example.com"))
    assert again.status_code == 400
    assert again.json()["errors"][0] == {
        "status": False,
        "code": 8006,
        "message": "Customer already exists for same source",
    }


def test_existing_demo_mobile_is_8006(api, new_customer):
    assert codes(api.post("/v2/customers", json=new_customer(mobile="919845000005", email="x@example.com"))) == [8006]


def test_same_identifier_other_source_combines_with_8050(api, new_customer):
    first = api.post("/v2/customers", json=new_customer()).json()["createdId"]
    wechat = new_customer(source="WECHAT", accountId="1234")
    response = api.post("/v2/customers", json=wechat)
    body = response.json()
    assert body["createdId"] == first
    assert body["warnings"][0] == {
        "status": False,
        "code": 8050,
        "message": "Same Customer found in other sources,Combining",
    }
    sources = [p["source"] for p in api.get(f"/v2/customers/{first}", params={"source": "ALL"}).json()["profiles"]]
    assert sources == ["INSTORE", "WECHAT"]


def test_cross_source_into_generated_customer_materialises_it(api, app, new_customer):
    app.store.seed(10)
    from memberconsole.fake_capillary.generate import generated_mobile

    mobile = generated_mobile(100_000_003)
    response = api.post("/v2/customers", json=new_customer(mobile=mobile, source="LINE", accountId="L1"))
    assert response.json()["createdId"] == 100_000_003
    profiles = api.get("/v2/customers/100000003", params={"source": "ALL"}).json()["profiles"]
    assert profiles[-1]["source"] == "LINE"


def test_invalid_source_is_3217(api, new_customer):
    assert codes(api.post("/v2/customers", json=new_customer(source="PIGEON"))) == [3217]


@pytest.mark.parametrize("source", ["FACEBOOK", "WEB_ENGAGE", "WECHAT", "MOBILE_APP", "LINE", "MARTJACK"])
def test_multi_account_source_without_account_is_8045(api, source, new_customer):
    assert codes(api.post("/v2/customers", json=new_customer(source=source))) == [8045]


@pytest.mark.parametrize("mobile", ["4567890", "91234567890a", "0919900000001", "915123456789", "+919900000001"])
def test_invalid_mobile_is_8014(api, mobile, new_customer):
    response = api.post("/v2/customers", json=new_customer(mobile=mobile))
    assert response.json()["errors"][0] == {"status": False, "code": 8014, "message": "Error in customer registration"}


@pytest.mark.parametrize("mobile", ["919900000009", "8795779625", "19986542300", "447700900123"])
def test_valid_mobiles_register(api, mobile, new_customer):
    assert api.post("/v2/customers", json=new_customer(mobile=mobile)).status_code == 200


def test_invalid_email_is_1002(api, new_customer):
    assert codes(api.post("/v2/customers", json=new_customer(email="not an email"))) == [1002]


def test_missing_mandatory_mobile_is_1006_or_403(api, raw):
    body = {"profiles": [{"identifiers": [{"type": "externalId", "value": "879577211225"}], "source": "INSTORE"}]}
    assert codes(api.post("/v2/customers", json=body)) == [1006]
    raw.post("/__fake__/config", json={"registration": {"mandatory_error_style": "field_403"}})
    response = api.post("/v2/customers", json=body)
    assert response.status_code == 403
    assert response.json()["errors"][0]["message"] == "Field mobile is mandatory"


def test_email_required_config_gives_1039(api, raw, new_customer):
    raw.post("/__fake__/config", json={"registration": {"CONF_USERS_IS_EMAIL_REQUIRED": True}})
    body = new_customer()
    body["profiles"][0]["identifiers"] = [{"type": "mobile", "value": "919900000001"}]
    assert codes(api.post("/v2/customers", json=body)) == [1039]


def test_registration_from_any_identifier(api, raw):
    raw.post(
        "/__fake__/config",
        json={
            "registration": {
                "CONF_ALLOW_REGISTRATION_FROM_ANY_IDENTIFIERS": True,
                "CONF_USERS_IS_MOBILE_REQUIRED": False,
            }
        },
    )
    body = {"profiles": [{"identifiers": [{"type": "externalId", "value": "879577211225"}], "source": "INSTORE"}]}
    assert api.post("/v2/customers", json=body).status_code == 200


def test_extended_fields_validated_with_91015_warnings(api, new_customer):
    body = new_customer()
    body["extendedFields"] = {"gender": "Male", "city": "Pune", "age": "abc", "unknown_field": "x", "gender2": 1}
    response = api.post("/v2/customers", json=body).json()
    assert sum(w["code"] == 91015 for w in response["warnings"]) == 3
    stored = api.get(f"/v2/customers/{response['createdId']}", params={"source": "INSTORE"}).json()
    assert stored["extendedFields"] == {"gender": "Male", "city": "Pune"}


def test_names_truncated_to_100_chars(api, new_customer):
    body = new_customer(firstName="A" * 150)
    cid = api.post("/v2/customers", json=body).json()["createdId"]
    first = api.get(f"/v2/customers/{cid}", params={"source": "INSTORE"}).json()["profiles"][0]["firstName"]
    assert first == "A" * 100


def test_points_and_coupon_side_effects(api, new_customer):
    body = new_customer()
    body["loyaltyProgramEnrollments"] = [{"programId": 469, "tierNumber": 1, "loyaltyPoints": 75}]
    effects = api.post("/v2/customers", json=body).json()["sideEffects"]
    assert effects[0] == {"entityType": "USER", "rawAwardedPoints": 75.0, "awardedPoints": 75, "type": "points"}
    coupon = effects[1]
    assert coupon["type"] == "coupon"
    assert set(coupon) == {"id", "entityType", "couponType", "couponCode", "validTill", "description", "discountCode",
                           "trimmedCouponCode", "type"}  # fmt: skip


def test_enrolment_points_are_a_ledger_credit_that_expires_and_the_welcome_coupon_is_listed(api, new_customer):
    body = new_customer()
    body["loyaltyProgramEnrollments"] = [
        {"programId": 469, "tierNumber": 1, "loyaltyPoints": 75, "pointsExpiryDate": "2031-01-31T23:59:59Z"}
    ]
    created = api.post("/v2/customers", json=body).json()
    cid, coupon = created["createdId"], created["sideEffects"][1]

    lookup = {"source": "INSTORE", "identifierName": "id", "identifierValue": str(cid)}
    ledger = api.get("/v2/pointsLedger/getCustomerLedgerInfo", params=lookup).json()
    (event,) = ledger["ledgerEntries"]
    assert event["eventName"] == "CustomerRegistration"
    assert [(e["ledgerEntryType"], e["points"], e["programId"]) for e in event["entryDetails"]] == [
        ("OPENING_BALANCE", "0.000", 469), ("CREDIT", "75.000", 469)
    ]  # fmt: skip
    schedule = api.get(f"/v2/customers/{cid}/pointsExpirySchedule", params={"programId": 469}).json()
    assert schedule["expirySchedules"] == [
        {"points": 75.0, "expiryDate": "2031-01-31", "expiryDateISO": "2031-01-31T00:00:00Z", "programId": 469,
         "pointsType": "customer_promotions", "expiryType": "fixed"}
    ]  # fmt: skip
    (listed,) = api.get("/v2/customers/coupons", params={"id": cid}).json()["entity"]["customers"][0]["coupons"]
    assert (listed["id"], listed["code"], listed["validTillDateTime"]) == (
        coupon["id"], coupon["couponCode"], coupon["validTill"]
    )  # fmt: skip
    assert (listed["description"], listed["redemptionsLeft"]) == ("Welcome Offer - 10% flat discount", 1)
    assert api.get(f"/v2/customers/{cid}/transactions").json()["pagination"]["total"] == 0


def test_no_welcome_coupon_when_switched_off_but_still_one_without_waiting_for_downstream(api, raw, new_customer):
    waited_not = api.post("/v2/customers", json=new_customer(), headers={"WAIT_FOR_DOWNSTREAM": "false"}).json()
    raw.post("/__fake__/config", json={"registration": {"welcome_coupon": None}})
    off = api.post("/v2/customers", json=new_customer(mobile="919900000002", email="two@example.com")).json()

    def listed(cid):
        return api.get("/v2/customers/coupons", params={"id": cid}).json()["entity"]["pagination"]["total"]

    assert (listed(waited_not["createdId"]), listed(off["createdId"])) == (1, 0)


def test_zero_points_give_no_points_side_effect(api, new_customer):
    body = new_customer()
    body["loyaltyProgramEnrollments"] = [{"programId": 469, "tierNumber": 1, "loyaltyPoints": 0}]
    effects = api.post("/v2/customers", json=body).json()["sideEffects"]
    assert [e["type"] for e in effects] == ["coupon"]


def test_wait_for_downstream_false_gives_no_side_effects(api, new_customer):
    body = new_customer()
    body["loyaltyProgramEnrollments"] = [{"programId": 469, "tierNumber": 2, "loyaltyPoints": 75}]
    response = api.post("/v2/customers", json=body, headers={"WAIT_FOR_DOWNSTREAM": "false"})
    assert response.json()["sideEffects"] == []
    cid = response.json()["createdId"]
    (program,) = api.get(f"/v2/customers/{cid}", params={"source": "INSTORE", "embed": "mlp"}).json()[
        "loyaltyProgramDetails"
    ]
    assert (program["programId"], program["currentSlab"], program["loyaltyPoints"]) == (469, "Gold", 75.0)


def test_card_identifier_becomes_card_details(api, new_customer):
    body = new_customer()
    body["profiles"][0]["identifiers"].append(
        {"type": "cardnumber", "value": "12345678", "seriesId": 73, "statusLabel": "ACTIVE",
         "extendedFields": {"custom_card_name": "Mystays"}}
    )  # fmt: skip
    cid = api.post("/v2/customers", json=body).json()["createdId"]
    (card,) = api.get(f"/v2/customers/{cid}", params={"source": "INSTORE"}).json()["cardDetails"]
    assert (card["cardNumber"], card["seriesId"], card["statusInfo"]["label"]) == ("12345678", 73, "ACTIVE")
    assert card["extendedFields"] == {"custom_card_name": "Mystays"}


def test_user_context_headers_recorded_in_log_and_attribution(api, raw, new_customer):
    headers = {"USER-CONTEXT-ENTITY-SOURCE": "MEMBER_CARE", "USER-CONTEXT-ENTITY-ID": "agent-7"}
    cid = api.post("/v2/customers", json=new_customer(), headers=headers).json()["createdId"]
    (entry,) = raw.get("/__fake__/requests", params={"method": "POST"}).json()["requests"]
    assert entry["headers"]["USER-CONTEXT-ENTITY-SOURCE"] == "MEMBER_CARE"
    assert entry["headers"]["USER-CONTEXT-ENTITY-ID"] == "agent-7"
    attribution = api.get(f"/v2/customers/{cid}", params={"source": "INSTORE"}).json()["profiles"][0]["attribution"]
    assert attribution["userContext"] == {"entitySource": "MEMBER_CARE", "entityId": "agent-7"}


def test_registration_persists_for_a_new_app_on_the_same_file(api, tmp_path, new_customer, basic_auth):
    cid = api.post("/v2/customers", json=new_customer()).json()["createdId"]
    other = create_app(db_path=tmp_path / "fake.sqlite3")
    with httpx.Client(
        transport=httpx.WSGITransport(app=other), base_url="http://fake", headers={"Authorization": basic_auth()}
    ) as client:
        assert client.get(f"/v2/customers/{cid}", params={"source": "INSTORE"}).status_code == 200


def test_failed_registration_leaves_nothing_behind(api, app, new_customer):
    body = new_customer()
    body["profiles"].append({"identifiers": [{"type": "mobile", "value": "919845000005"}], "source": "WECHAT"})
    assert codes(api.post("/v2/customers", json=body)) == [8045]
    body["profiles"][1]["accountId"] = "1234"
    body["profiles"][1]["identifiers"] = [{"type": "wechat", "value": "oDEMOwechat0020"}]
    assert codes(api.post("/v2/customers", json=body)) == [8006]
    lookup = api.get(
        "/v2/customers/lookup/customerDetails",
        params={"source": "INSTORE", "identifierName": "mobile", "identifierValue": "919900000001"},
    )
    assert codes(lookup) == [8015]


def test_docs_register_examples_validate(api):
    """The request examples of register-customer.txt (docs.capillarytech.com/reference/v2-add-customer)."""
    from memberconsole.fake_capillary.demo import load_fixture

    requests = load_fixture("register_examples.json")["requests"]
    first = api.post("/v2/customers", json=requests[0])
    assert first.status_code == 200
    mobile_app = api.post("/v2/customers", json=requests[1])
    assert mobile_app.status_code == 200
    assert mobile_app.json()["sideEffects"][0]["awardedPoints"] == 75
    assert codes(api.post("/v2/customers", json=requests[3])) == [8014]  # "4567890" has no country code
