"""Every example response in the docs parses into the typed models; odd values never crash them."""

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from memberconsole.capillary import (
    Customer,
    CustomerCreateRequest,
    CustomerCreateResponse,
    CustomerSearchPage,
    ExtendedFieldDefinition,
    LoyaltyProgram,
)

FIXTURES = Path(__file__).parent / "fixtures"
CUSTOMER_FIXTURES = [
    "customer_get_basic",
    "customer_get_with_flags",
    "customer_sl_full",
    "customer_lookup_full",
    "customer_gap_top_level",
]


@pytest.mark.parametrize("name", CUSTOMER_FIXTURES)
def test_every_customer_example_parses(fixture_json, name):
    customer = Customer.model_validate(fixture_json(name))
    assert customer.id


def test_get_by_id_example_exposes_profile_loyalty_and_cards(fixture_json):
    customer = Customer.model_validate(fixture_json("customer_get_basic"))

    profile = customer.profiles[0]
    assert (profile.first_name, profile.source, profile.account_id) == ("Bubalus", "INSTORE", "")
    assert profile.attribution.created_by.code == "neeraj.doc"
    assert profile.attribution.created_by.is_default is False
    assert profile.attribution.modified_date == datetime.fromisoformat("2026-01-08T10:03:21+00:00")
    assert [i.type for i in profile.identifiers] == ["mobile", "email", "externalId"]
    assert profile.identifiers[1].value == "[email protected]"
    assert profile.comm_channels[0].primary is True
    assert profile.comm_channels[0].meta.residence is False
    assert customer.loyalty_info.lifetime_purchases == Decimal("221350.000")
    assert customer.loyalty_info.attribution_v2.created_from_source == "instore"
    assert customer.associated_with == "naman_doc"
    assert customer.extended_fields["city"] == "Mumbai"
    card = customer.card_details[0]
    assert card.card_number == "mtest00000000067003"
    assert card.created_date == date(2025, 9, 5)
    assert card.created_date_time_iso == datetime.fromisoformat("2025-09-05T12:25:27+00:00")
    assert card.mapped_entity.value == "rutuja_capillary"
    assert card.status_info.label == "ACTIVE"
    assert card.status_info.auto_update_time_iso.year == 2025
    assert card.extended_fields == {"custom_card_name": "TOM", "vehicle_number": "KA01B2020"}
    assert customer.card_details[4].card_external_id == "CardExternal2"
    assert customer.warnings == []


def test_flags_example_exposes_slab_history_and_criteria(fixture_json):
    customer = Customer.model_validate(fixture_json("customer_get_with_flags"))

    assert customer.optin_status == "NONE"
    assert customer.ndnc_status == "NONE"
    first, second = customer.slab_history
    assert (first.from_tier, first.to_tier, first.type, first.program_id) == ("Coral", "Garnet", "UPGRADE", 983)
    assert first.store.name == "DocStore"
    assert first.to_tier_expiry_date is None
    assert second.to_tier_expiry_date == datetime.fromisoformat("2121-11-10T23:59:59+00:00")
    assert customer.tier_upgrade_criteria[0].purchase_value == Decimal("5999.0")
    assert customer.tier_upgrade_criteria[0].purchase_type == "CURRENT_POINTS"
    assert customer.membership_retention_criteria[0].is_downgrade_strategy is True
    assert customer.membership_retention_criteria[0].min_visits == 0


def test_gap_blocks_accept_both_spellings_and_both_placements(fixture_json):
    top = Customer.model_validate(fixture_json("customer_gap_top_level"))
    nested = Customer.model_validate(fixture_json("customer_lookup_full"))

    assert top.upgrade_strategies[0].upgrade_based_on == "CUMULATIVE_PURCHASES"
    values = top.upgrade_strategies[0].customer_upgrade_entity_values
    assert (values.current_value, values.gap_to_upgrade) == (Decimal("9786.0"), Decimal("15214.0"))
    assert values.value_valid_upto == date(2025, 5, 6)
    assert top.gap_to_renew_summary.tier_expiry_date == date(2024, 12, 31)
    tracker = top.gap_to_renew_summary.renew_strategies[0].tracker_entity_identifiers[0]
    assert (tracker.tracker_mode, tracker.tracker_case_period_value) == ("MOVING_WINDOW", 5)

    program = nested.loyalty_program_details[0]
    assert program.upgrade_strategies[0].upgrade_based_on == "CURRENT_POINTS"
    assert program.gap_to_renew_summary.renew_strategies[0].customer_gap_to_renew_value == Decimal("4.0")
    assert program.slab_sno == 3
    assert program.linked_partner_programs[0].partner_program_type == "EXTERNAL"
    assert nested.fraud_details.status == "NOT_FRAUD"
    assert nested.group_loyalty_program_details[0].programs_list[0].name == "DocProgram"
    assert nested.warning_codes == (91004,)


def test_embed_blocks_parse(fixture_json):
    customer = Customer.model_validate(fixture_json("customer_sl_full"))

    assert customer.points_summary.current_slab == "Silver"
    assert customer.points_summary.slab_sno == 1
    assert [s.channel for s in customer.subscription_info.subscriptions] == ["EMAIL", "SMS"]
    assert customer.card_details[0].status_info.created_by == 50016843
    assert customer.profiles[0].identifiers[1].series_id == 19


def test_bulk_example_entities_parse(fixture_json):
    items = fixture_json("bulk_get_customers")["data"]

    customers = [Customer.model_validate(item["entity"]) for item in items]

    assert [c.id for c in customers] == [382137011, 382137012, 382137013]
    assert customers[0].profiles[0].fields == {"gender": "MALE"}
    assert customers[0].loyalty_info.lifetime_purchases == Decimal("2400.0")


def test_a_customer_with_only_an_id_parses_with_empty_blocks():
    customer = Customer.model_validate({"id": 5, "warnings": None, "profiles": None, "extendedFields": None})

    assert customer.profiles == []
    assert customer.warnings == []
    assert customer.extended_fields == {}
    assert customer.loyalty_info is None
    assert customer.tier_upgrade_criteria == []
    assert customer.gap_to_renew_summary is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-09-23T12:31:51Z", datetime.fromisoformat("2025-09-23T12:31:51+00:00")),
        ("2024-05-11T16:36:17+05:30", datetime.fromisoformat("2024-05-11T16:36:17+05:30")),
        ("2025-09-05", date(2025, 9, 5)),
        ("22-10-2000", "22-10-2000"),
        ("", None),
        ("not a date", "not a date"),
    ],
)
def test_dates_parse_or_stay_strings(raw, expected):
    card = Customer.model_validate({"id": 1, "cardDetails": [{"issuedDate": raw}]}).card_details[0]

    assert card.issued_date == expected


def test_points_accept_strings_and_blanks():
    customer = Customer.model_validate({"id": 1, "loyaltyInfo": {"lifetimePurchases": "12.50", "score": ""}})

    assert customer.loyalty_info.lifetime_purchases == Decimal("12.50")
    assert customer.loyalty_info.score is None


@pytest.mark.parametrize("name", sorted(p.stem for p in FIXTURES.glob("register_response_*.json")))
def test_every_registration_response_parses(fixture_json, name):
    response = CustomerCreateResponse.model_validate(fixture_json(name))

    assert response.created_id


def test_registration_side_effects_cover_points_coupon_and_alternate_currency(fixture_json):
    coupons = CustomerCreateResponse.model_validate(fixture_json("register_response_coupons"))
    currency = CustomerCreateResponse.model_validate(fixture_json("register_response_alternate_currency"))
    warning = CustomerCreateResponse.model_validate(fixture_json("register_response_warning"))

    points, coupon, _ = coupons.side_effects
    assert (points.type, points.awarded_points) == ("points", Decimal(200))
    assert (coupon.type, coupon.coupon_code, coupon.description) == (
        "coupon",
        "JQI7S8P8",
        "Welcome Offer - 10% flat discount",
    )
    assert coupon.valid_till == datetime.fromisoformat("2025-07-29T23:59:59+00:00")
    assert coupons.warnings[0].code == 1302
    effect = currency.side_effects[0]
    assert (effect.type, effect.awarded_value, effect.alternate_currency_name) == ("alternate_currency", 110, "ac1")
    assert (warning.warnings[0].code, warning.warnings[0].status) == (8107, False)


@pytest.mark.parametrize("name", sorted(p.stem for p in FIXTURES.glob("register_request_*.json")))
def test_every_documented_registration_body_round_trips(fixture_json, name):
    raw = fixture_json(name)

    body = CustomerCreateRequest.model_validate(raw).to_body()

    # Same keys and values, except that "true" strings in commChannels become JSON booleans.
    assert _normalise(body) == _normalise(raw) | _defaults(raw)


def _normalise(value):
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if value in ("true", "false"):
        return value == "true"
    return value


def _defaults(raw):
    # The model always sends extendedFields, and commChannels/fields on each profile (empty when not given).
    profiles = [{"commChannels": [], "fields": {}} | _normalise(p) for p in raw["profiles"]]
    return {"extendedFields": _normalise(raw.get("extendedFields", {})), "profiles": profiles}


def test_registration_body_is_camel_case_without_nones():
    request = CustomerCreateRequest.model_validate(
        {
            "profiles": [
                {
                    "first_name": "Ada",
                    "identifiers": [{"type": "mobile", "value": "919900000001"}],
                    "comm_channels": [{"type": "mobile", "value": "919900000001", "primary": True}],
                    "source": "INSTORE",
                }
            ],
            "loyalty_info": {"loyalty_type": "loyalty"},
            "loyalty_program_enrollments": [
                {
                    "program_id": 469,
                    "tier_number": 1,
                    "tier_expiry_date": datetime.fromisoformat("2025-02-11T16:36:17+05:30"),
                }
            ],
            "status_label": "active-1",
        }
    )

    assert request.to_body() == {
        "profiles": [
            {
                "firstName": "Ada",
                "identifiers": [{"type": "mobile", "value": "919900000001"}],
                "commChannels": [{"type": "mobile", "value": "919900000001", "primary": True}],
                "fields": {},
                "source": "INSTORE",
            }
        ],
        "extendedFields": {},
        "loyaltyInfo": {"loyaltyType": "loyalty"},
        "loyaltyProgramEnrollments": [
            {"programId": 469, "tierNumber": 1, "tierExpiryDate": "2025-02-11T16:36:17+05:30"}
        ],
        "statusLabel": "active-1",
    }


def test_registration_request_refuses_unknown_keys():
    with pytest.raises(ValueError, match="firstname"):
        CustomerCreateRequest.model_validate({"profiles": [{"firstname": "typo"}]})


def test_search_programs_and_extended_field_examples_parse(fixture_json):
    page = CustomerSearchPage.model_validate(fixture_json("customer_search"))
    program = LoyaltyProgram.model_validate(fixture_json("programs")["data"][0])
    field = ExtendedFieldDefinition.model_validate(fixture_json("extended_fields_rd")["entity"]["CUSTOMER"][0])

    assert page.pagination.total == 2
    assert page.hits[1].matched_identifiers[0].id_type == "mobile"
    assert page.hits[0].profiles[0].first_name == "Tom"
    assert program.is_default is True
    assert program.partner_programs[0].partner_program_tiers[1].tier_name == "Silver"
    assert program.points_to_currency_ratio == Decimal("0.5")
    assert (field.name, field.entity_type, field.data_type) == ("gender", "CUSTOMER", "STANDARD_ENUM")
    assert field.created_on == date(2017, 4, 12)
    assert field.possible_values == []
