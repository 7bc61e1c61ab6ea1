"""GET /v2/customers/{id} and lookup/customerDetails: sources, optional blocks, embeds and error codes."""

import pytest


def errors_of(response):
    return [(e["code"], e["message"]) for e in response.json()["errors"]]


def test_unknown_id_is_8015(api):
    response = api.get("/v2/customers/123", params={"source": "INSTORE"})
    assert response.status_code == 400
    assert errors_of(response) == [(8015, "Customer not found for the given identifiers")]


def test_invalid_source_is_8012(api):
    response = api.get("/v2/customers/566881933", params={"source": "NOPE"})
    assert errors_of(response) == [(8012, "Invalid source passed.")]


def test_missing_source_is_8012(api):
    assert errors_of(api.get("/v2/customers/566881933"))[0][0] == 8012


def test_multi_account_source_without_account_is_8045(api):
    response = api.get("/v2/customers/382137011", params={"source": "WECHAT"})
    assert errors_of(response) == [(8045, "Account id is not passed.")]


def test_customer_without_profile_in_source_is_8065(api):
    response = api.get("/v2/customers/900000017", params={"source": "INSTORE"})
    assert errors_of(response)[0][0] == 8065


def test_non_numeric_id_is_blank_400(api):
    response = api.get("/v2/customers/abc", params={"source": "INSTORE"})
    assert response.status_code == 400
    assert response.content == b""


def test_item_error_status_is_configurable(api, raw):
    raw.post("/__fake__/config", json={"behaviour": {"item_error_status": 404}})
    assert api.get("/v2/customers/123", params={"source": "INSTORE"}).status_code == 404


def test_source_filters_profiles_and_all_returns_every_profile(api):
    instore = api.get("/v2/customers/900000001", params={"source": "INSTORE"}).json()
    assert [p["source"] for p in instore["profiles"]] == ["INSTORE"]
    wechat = api.get("/v2/customers/900000001", params={"source": "WECHAT", "accountId": "1234"}).json()
    assert [(p["source"], p["lastName"]) for p in wechat["profiles"]] == [("WECHAT", "T.")]
    everything = api.get("/v2/customers/900000001", params={"source": "ALL"}).json()
    assert [p["source"] for p in everything["profiles"]] == ["INSTORE", "WECHAT", "LINE"]


def test_wrong_account_is_8065(api):
    response = api.get("/v2/customers/900000001", params={"source": "WECHAT", "accountId": "999"})
    assert errors_of(response)[0][0] == 8065


def test_identifiers_all_spans_sources_unless_only_current_profile(api):
    full = api.get("/v2/customers/900000001", params={"source": "INSTORE"}).json()["profiles"][0]
    assert {"type": "wechat", "value": "oDEMOaiko0001"} in full["identifiersAll"]
    only = api.get(
        "/v2/customers/900000001", params={"source": "INSTORE", "includedOnlyCurrentProfile": "true"}
    ).json()["profiles"][0]
    assert only["identifiersAll"] == only["identifiers"]


OPTIONAL = ["ndncStatus", "optinStatus", "slabHistory", "tierUpgradeCriteria", "membershipRetentionCriteria"]


def test_optional_blocks_absent_unless_asked(api):
    body = api.get("/v2/customers/900000007", params={"source": "INSTORE"}).json()
    for key in [*OPTIONAL, "loyaltyProgramDetails", "pointsSummary", "subscriptionInfo", "fraudDetails"]:
        assert key not in body


@pytest.mark.parametrize("flag", OPTIONAL)
def test_each_optional_block_appears_only_when_its_flag_is_true(api, flag):
    body = api.get("/v2/customers/900000007", params={"source": "INSTORE", flag: "true"}).json()
    assert flag in body
    assert not set(OPTIONAL) - {flag} & set(body)


def test_slab_history_has_upgrade_downgrade_and_renewal(api):
    body = api.get("/v2/customers/900000007", params={"source": "INSTORE", "slabHistory": "true"}).json()
    assert [h["type"] for h in body["slabHistory"]] == ["RENEWAL", "DOWNGRADE", "UPGRADE"]


def test_upgrade_criterion_is_what_is_left_to_the_next_tier_as_the_live_gap_says(api):
    # get-customer-by-id.txt (docs.capillarytech.com/reference/get-customer-details-v2): purchaseValue is "required to
    # upgrade to the next tier. If already eligible, this may be 0". The fake sends what is left, so its stored
    # criterion and its live gap (gapToUpgrade) never disagree.
    params = {"source": "INSTORE", "embed": "mlp", "gapToUpgrade": "0", "tierUpgradeCriteria": "true"}
    body = api.get("/v2/customers/900000008", params=params).json()
    (strategy,) = body["loyaltyProgramDetails"][0]["upgradeStrategies"]
    assert body["tierUpgradeCriteria"]["purchaseType"] == strategy["upgradeBasedOn"]
    assert body["tierUpgradeCriteria"]["purchaseValue"] == strategy["customerUpgradeEntityValues"]["gapToUpgrade"]


def test_retention_criteria_omitted_without_downgrade_strategy(api):
    body = api.get("/v2/customers/900000009", params={"source": "INSTORE", "membershipRetentionCriteria": "true"})
    assert "membershipRetentionCriteria" not in body.json()


def test_ndnc_and_optin_values(api):
    params = {"source": "INSTORE", "ndncStatus": "true", "optinStatus": "true"}
    dnd = api.get("/v2/customers/900000010", params=params).json()
    assert (dnd["ndncStatus"], dnd["optinStatus"]) == ("DND", "OPTED_OUT")
    ndnc = api.get("/v2/customers/900000011", params=params).json()
    assert (ndnc["ndncStatus"], ndnc["optinStatus"]) == ("NDNC", "OPTED_IN")


def test_mlp_embed_lists_programs_with_documented_fields(api):
    body = api.get("/v2/customers/900000005", params={"source": "INSTORE", "embed": "mlp"}).json()
    programs = body["loyaltyProgramDetails"]
    assert [p["programId"] for p in programs] == [983, 469]
    top = programs[0]
    assert top["currentSlab"] == "Diamond"
    assert top["nextSlabSerialNumber"] == -1
    for key in ("redeemed", "lifetimePoints", "loyaltyPoints", "slabSNo", "slabExpiryDate", "programTitle",
                "programPointsToCurrencyRatio", "linkedPartnerPrograms", "totalAvailablePoints"):  # fmt: skip
        assert key in top
    assert "upgradeStrategies" not in top
    assert "gapToRenewSummary" not in top
    assert programs[1]["linkedPartnerPrograms"][0]["partnerProgramType"] == "EXTERNAL"


def test_gap_blocks_only_with_their_params(api):
    params = {"source": "INSTORE", "embed": "mlp", "gapToUpgrade": "0"}
    (p,) = api.get("/v2/customers/900000008", params=params).json()["loyaltyProgramDetails"]
    strategy = p["upgradeStrategies"][0]
    assert strategy["upgradeBasedOn"] == "CURRENT_POINTS"
    values = strategy["customerUpgradeEntityValues"]
    assert values["gapToUpgrade"] == strategy["upgradeThreshold"] - values["currentValue"]
    assert "gapToRenewSummary" not in p
    (p,) = api.get("/v2/customers/900000008", params={**params, "gapToRenew": "30"}).json()["loyaltyProgramDetails"]
    renew = p["gapToRenewSummary"]
    assert renew["renewStrategies"][0]["trackerEntityIdentifiers"][0]["trackerMode"] == "MOVING_WINDOW"


def test_gap_to_renew_omitted_in_base_tier(api):
    params = {"source": "INSTORE", "embed": "mlp", "gapToRenew": "0", "gapToUpgrade": "0"}
    (p,) = api.get("/v2/customers/900000009", params=params).json()["loyaltyProgramDetails"]
    assert "gapToRenewSummary" not in p
    assert p["upgradeStrategies"][0]["upgradeBasedOn"] == "CUMULATIVE_PURCHASES"


def test_upgrade_key_spelling_is_configurable(api, raw):
    raw.post("/__fake__/config", json={"behaviour": {"upgrade_based_on": "upgrade_based_on"}})
    params = {"source": "INSTORE", "embed": "mlp", "gapToUpgrade": "0"}
    (p,) = api.get("/v2/customers/900000008", params=params).json()["loyaltyProgramDetails"]
    assert "upgrade_based_on" in p["upgradeStrategies"][0]


@pytest.mark.parametrize("param", ["gapToUpgrade", "gapToRenew"])
def test_negative_gap_is_400(api, param):
    response = api.get("/v2/customers/900000008", params={"source": "INSTORE", "embed": "mlp", param: "-1"})
    assert response.status_code == 400
    assert "Negative" in response.json()["errors"][0]["message"]


def test_points_subscriptions_and_segments_embeds(api):
    body = api.get(
        "/v2/customers/900000019", params={"source": "INSTORE", "embed": "points,subscriptions,segments"}
    ).json()
    assert body["pointsSummary"]["currentSlab"] == "Coral"
    assert {"channel": "SMS", "priority": "BULK", "type": "OPTIN"} in body["subscriptionInfo"]["subscriptions"]
    assert body["segments"] == {"Value": "High spender", "Lifecycle": "Active"}
    plain = api.get("/v2/customers/900000019", params={"source": "INSTORE"}).json()
    assert plain["segments"] == {}


def test_pii_deleted_customer_gives_documented_message(api):
    response = api.get("/v2/customers/900000012", params={"source": "INSTORE"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Customer is deleted after PII delete request"


def test_merged_victim_returns_survivor_with_91009(api):
    body = api.get("/v2/customers/900000013", params={"source": "INSTORE"}).json()
    assert body["id"] == 900000014
    assert body["warnings"] == [
        {"status": False, "code": 91009, "message": "Retrieved survivor account for the requested merge victim."}
    ]


def test_merged_victim_error_mode_gives_8069(api, raw):
    raw.post("/__fake__/config", json={"behaviour": {"merged_victim_mode": "error"}})
    response = api.get("/v2/customers/900000013", params={"source": "INSTORE"})
    assert errors_of(response) == [(8069, "Merged customer found")]


def test_cards_in_every_status(api):
    cards = api.get("/v2/customers/900000006", params={"source": "INSTORE"}).json()["cardDetails"]
    statuses = [c.get("statusInfo", {}).get("status") for c in cards]
    assert statuses == ["ACTIVE", "SUSPENDED", "EXPIRED", "NOT_ISSUED", "DELETED", None]


def test_profile_without_names_has_no_name_keys(api):
    (profile,) = api.get("/v2/customers/900000015", params={"source": "INSTORE"}).json()["profiles"]
    assert "firstName" not in profile
    assert "lastName" not in profile


def test_unicode_and_html_names_come_back_verbatim(api):
    assert api.get("/v2/customers/900000002", params={"source": "INSTORE"}).json()["profiles"][0]["firstName"] == "小明"
    body = api.get("/v2/customers/900000004", params={"source": "INSTORE"}).json()
    assert body["profiles"][0]["firstName"] == "<script>alert(1)</script>"


# -- lookup ---------------------------------------------------------------------------------------------------
LOOKUP = "/v2/customers/lookup/customerDetails"


def test_lookup_by_mobile_is_exact_and_includes_fraud_details(api):
    body = api.get(LOOKUP, params={"source": "INSTORE", "identifierName": "mobile", "identifierValue": "919845000005"})
    assert body.status_code == 200
    assert body.json()["id"] == 900000005
    assert body.json()["fraudDetails"]["status"] == "NOT_FRAUD"
    partial = api.get(LOOKUP, params={"source": "INSTORE", "identifierName": "mobile", "identifierValue": "9845000005"})
    assert errors_of(partial)[0][0] == 8015


def test_lookup_missing_params_is_11013(api):
    response = api.get(LOOKUP, params={"source": "INSTORE", "identifierName": "mobile"})
    assert errors_of(response) == [(11013, "identifierName, identifierValue, source can not be empty")]


def test_lookup_bad_identifier_name_is_8013(api):
    response = api.get(LOOKUP, params={"source": "INSTORE", "identifierName": "phone", "identifierValue": "1"})
    assert errors_of(response)[0][0] == 8013


def test_lookup_non_instore_without_account_is_8015_or_configured_8045(api, raw):
    params = {"source": "WECHAT", "identifierName": "wechat", "identifierValue": "oDEMOwechat0020"}
    assert errors_of(api.get(LOOKUP, params=params))[0][0] == 8015
    raw.post("/__fake__/config", json={"behaviour": {"lookup_missing_account_code": 8045}})
    assert errors_of(api.get(LOOKUP, params=params))[0][0] == 8045
    found = api.get(LOOKUP, params={**params, "accountId": "1234"})
    assert found.json()["id"] == 900000020


def test_lookup_in_other_source_is_8065_and_all_finds_it(api):
    params = {"identifierName": "email", "identifierValue": "mj.only@example.com"}
    assert errors_of(api.get(LOOKUP, params={**params, "source": "INSTORE"}))[0][0] == 8065
    assert api.get(LOOKUP, params={**params, "source": "ALL"}).json()["id"] == 900000017


@pytest.mark.parametrize(
    ("name", "value", "source", "account", "expected"),
    [
        ("line", "Udemo00000000000000000000000000021", "LINE", "2001914141242", 900000021),
        ("cardExternalId", "CARDEXT-22", "INSTORE", None, 900000022),
        ("cardnumber", "DEMO6CARD0003", "INSTORE", None, 900000006),
        ("externalId", "NONAME-0015", "INSTORE", None, 900000015),
    ],
)
def test_lookup_by_each_identifier_kind(api, name, value, source, account, expected):
    params = {"source": source, "identifierName": name, "identifierValue": value}
    if account:
        params["accountId"] = account
    assert api.get(LOOKUP, params=params).json()["id"] == expected


def test_lookup_of_pii_deleted_customer_gives_pii_message(api):
    params = {"source": "INSTORE", "identifierName": "externalId", "identifierValue": "DELETED-900000012"}
    assert errors_of(api.get(LOOKUP, params=params))[0][1] == "Customer is deleted after PII delete request"


def test_lookup_id_endpoint_returns_entity(api):
    params = {"source": "INSTORE", "identifierName": "mobile", "identifierValue": "919845000014"}
    assert api.get("/v2/customers/lookup", params=params).json() == {"entity": 900000014, "warnings": []}


def test_extended_fields_lists_every_data_type_with_enum_values(api):
    body = api.get("/v2/extendedFields").json()
    assert body["success"] is True
    fields = body["entity"]["CUSTOMER"]
    types = {f["dataType"] for f in fields}
    assert {"STRING", "INTEGER", "DOUBLE", "DATETIME", "STANDARD_ENUM", "CUSTOM_ENUM", "COUNTRY"} <= types
    gender = next(f for f in fields if f["name"] == "gender")
    assert gender["entityType"] == "CUSTOMER"
    assert gender["possibleValues"] == ["Male", "Female", "Other"]


def test_programs_endpoint(api):
    body = api.get("/v2/organization/programs").json()
    main = body["data"][0]
    assert main["programId"] == 983
    assert main["default"] is True
    assert [t["name"] for t in main["tiers"]] == ["Topaz", "Coral", "Garnet", "Diamond"]
    assert body["errors"] == []
