"""Every client call's happy path, over a real socket against the fake Capillary, checked by parsed values."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from memberconsole.capillary import (
    CapillaryBasicAuth,
    CapillaryCustomerDeletedError,
    CapillaryCustomerMergedError,
    CapillaryNotFoundError,
    CapillaryOAuth,
    CustomerCreateRequest,
    UserContext,
)

pytestmark = pytest.mark.contract

EVERY_BLOCK = {
    "embed": ["mlp", "points", "subscriptions", "segments"],
    "gap_to_upgrade": 0,
    "gap_to_renew": 0,
    "ndnc_status": True,
    "optin_status": True,
    "slab_history": True,
    "tier_upgrade_criteria": True,
    "membership_retention_criteria": True,
    "included_fraud_details": True,
}
AGENT = UserContext(entity_type="ADMIN_USER", entity_id=42, source="MEMBER_CARE", source_id="console-1")


def registration(
    *, mobile: str, source: str = "INSTORE", account_id: str | None = None, **extra
) -> CustomerCreateRequest:
    """A one-profile registration request."""
    profile = {
        "firstName": "Contract",
        "lastName": "Tester",
        "identifiers": [{"type": "mobile", "value": mobile}],
        "source": source,
        "accountId": account_id,
    }
    return CustomerCreateRequest.model_validate({"profiles": [profile], **extra})


# ------------------------------------------------------------------ customer_get


def test_docs_customer_566881933_with_every_block_parses_to_the_docs_values(client):
    customer = client.customer_get(566881933, source="INSTORE", **EVERY_BLOCK)

    assert customer.id == 566881933
    (profile,) = customer.profiles
    assert (profile.first_name, profile.last_name, profile.source, profile.account_id) == (
        "Bubalus",
        "bubalis",
        "INSTORE",
        "",
    )
    assert [(i.type, i.value) for i in profile.identifiers] == [
        ("mobile", "1234512345"),
        ("email", "bubalus.bubalis@example.com"),
        ("externalId", "12341234"),
    ]
    assert profile.attribution.created_by.code == "neeraj.doc"
    assert profile.attribution.create_date == datetime(2025, 2, 28, 6, 15, 10, tzinfo=UTC)
    assert customer.loyalty_info.loyalty_type == "loyalty"
    assert customer.loyalty_info.lifetime_purchases == Decimal("221350")
    assert customer.loyalty_info.attribution_v2.created_by.time_zone_id == 191
    assert customer.extended_fields == {"city": "Mumbai", "dob": "1999-08-08T00:00:00Z", "gender": "Male"}
    assert customer.associated_with == "naman_doc"
    assert [card.card_number for card in customer.card_details] == [
        "mtest00000000067003",
        "mtest00000000107003",
        "mtest00000000087003",
        "mtest00000000077003",
        "DS034812BA",
    ]
    first = customer.card_details[0]
    assert first.status_info.label == "ACTIVE"
    assert first.extended_fields == {"custom_card_name": "TOM", "vehicle_number": "KA01B2020"}
    assert first.expiry_date == datetime(2028, 6, 1, tzinfo=UTC)
    assert customer.card_details[-1].card_external_id == "CardExternal2"
    assert (customer.ndnc_status, customer.optin_status) == ("NONE", "NONE")
    assert customer.slab_history == []
    assert customer.tier_upgrade_criteria[0].purchase_value == Decimal("1799")
    assert customer.membership_retention_criteria[0].is_downgrade_strategy is True
    (program,) = customer.loyalty_program_details
    assert (program.program_id, program.slab_sno) == (983, 2)
    assert (program.current_slab, program.next_slab) == ("Coral", "Garnet")
    assert program.loyalty_points == Decimal("4200")
    assert program.upgrade_strategies[0].upgrade_based_on == "CURRENT_POINTS"
    assert program.upgrade_strategies[0].customer_upgrade_entity_values.gap_to_upgrade == Decimal("1799")
    assert program.gap_to_renew_summary.renew_confirmed is True
    assert customer.points_summary.loyalty_points == Decimal("4200")
    assert len(customer.subscription_info.subscriptions) == 4
    assert customer.fraud_details.status == "NOT_FRAUD"
    assert customer.warnings == []


def test_docs_customer_565261498_with_every_block_parses_slab_history_and_gaps(client):
    # The docs give no valueValidUpto for this customer: the fake derives it from its UTC date (today + gap + 90 days).
    before = datetime.now(UTC).date()
    customer = client.customer_get(565261498, source="INSTORE", **EVERY_BLOCK)
    after = datetime.now(UTC).date()

    assert customer.id == 565261498
    assert customer.profiles[0].first_name == "Tom"
    assert customer.profiles[0].identifiers[0].value == "19986542387"
    assert customer.card_details == []
    assert [(change.from_tier, change.to_tier, change.type) for change in customer.slab_history] == [
        ("Coral", "Garnet", "UPGRADE"),
        ("Topaz", "Coral", "UPGRADE"),
    ]
    assert customer.slab_history[0].changed_on == datetime(2026, 1, 13, 14, 41, 26, tzinfo=UTC)
    assert customer.slab_history[0].store.code == "doc123"
    assert customer.slab_history[1].to_tier_expiry_date == datetime(2121, 11, 10, 23, 59, 59, tzinfo=UTC)
    assert customer.tier_upgrade_criteria[0].purchase_type == "CURRENT_POINTS"
    assert customer.tier_upgrade_criteria[0].purchase_value == Decimal("5999")
    assert customer.membership_retention_criteria[0].min_visits == 0
    (program,) = customer.loyalty_program_details
    assert (program.current_slab, program.next_slab, program.next_slab_serial_number) == ("Garnet", "Diamond", 4)
    assert program.lifetime_points == Decimal("26601.4")
    assert program.upgrade_strategies[0].upgrade_threshold == Decimal("25000")
    # The live gap is the docs' own purchaseValue.
    assert program.upgrade_strategies[0].customer_upgrade_entity_values.gap_to_upgrade == Decimal("5999")
    valid_until = program.upgrade_strategies[0].customer_upgrade_entity_values.value_valid_upto
    assert valid_until in {before + timedelta(days=90), after + timedelta(days=90)}
    renew = program.gap_to_renew_summary
    assert (renew.tier_expiry_date, renew.renew_confirmed) == (date(2121, 11, 10), False)
    assert renew.renew_strategies[0].customer_gap_to_renew_value == Decimal("449.5")
    assert customer.points_summary.current_slab == "Garnet"


def test_customer_get_without_flags_leaves_optional_blocks_out(client):
    customer = client.customer_get(565261498, source="INSTORE")

    assert customer.slab_history == []
    assert customer.loyalty_program_details == []
    assert customer.points_summary is None
    assert customer.ndnc_status is None


def test_customer_get_source_all_returns_every_profile(client):
    customer = client.customer_get(900000001)

    assert [profile.source for profile in customer.profiles] == ["INSTORE", "WECHAT", "LINE"]
    assert customer.profiles[1].account_id == "1234"


def test_customer_get_sends_params_and_user_agent_the_fake_sees(client, fake):
    client.customer_get(566881933, source="INSTORE", embed=["mlp", "points"], gap_to_upgrade=0, slab_history=True)

    (entry,) = fake.requests("/v2/customers/566881933")
    assert entry["query"] == {"source": "INSTORE", "embed": "mlp,points", "gapToUpgrade": "0", "slabHistory": "true"}
    assert entry["headers"]["USER-AGENT"] == "contract-tests"
    assert entry["principal"] == "basic:memberconsole.till"
    assert entry["status"] == 200


# ------------------------------------------------------------------ customer_lookup


@pytest.mark.parametrize(
    ("identifier_name", "identifier_value", "source", "account_id", "customer_id"),
    [
        ("mobile", "1234512345", "INSTORE", None, 566881933),
        ("email", "aiko.tanaka@example.com", "INSTORE", None, 900000001),
        ("externalId", "12341234", "INSTORE", None, 566881933),
        ("cardnumber", "DS034812BA", "INSTORE", None, 566881933),
        ("wechat", "oDEMOaiko0001", "WECHAT", "1234", 900000001),
    ],
)
def test_lookup_finds_the_customer_by_identifier(
    client, identifier_name, identifier_value, source, account_id, customer_id
):
    customer = client.customer_lookup(
        identifier_name=identifier_name, identifier_value=identifier_value, source=source, account_id=account_id
    )

    assert customer.id == customer_id
    assert {profile.source for profile in customer.profiles} == {source}


def test_lookup_by_email_in_wechat_returns_that_sources_profile(client):
    customer = client.customer_lookup(
        identifier_name="email", identifier_value="aiko.wechat@example.com", source="WECHAT", account_id="1234"
    )

    (profile,) = customer.profiles
    assert (customer.id, profile.last_name) == (900000001, "T.")


def test_lookup_of_a_merge_victims_mobile_returns_the_survivor_with_warning_91009(client):
    # Unlike customer_get, a lookup asks "who holds this identifier", so the survivor is a valid answer.
    customer = client.customer_lookup(identifier_name="mobile", identifier_value="919845000013", source="INSTORE")

    assert customer.id == 900000014
    assert customer.warning_codes == (91009,)


# ------------------------------------------------------------------ customer_search


def test_search_finds_by_first_name_across_sources(client):
    page = client.customer_search(q="aiko")

    (hit,) = page.hits
    assert hit.user_id == 900000001
    assert {(p.source, p.first_name) for p in hit.profiles} >= {("INSTORE", "Aiko"), ("WECHAT", "Aiko")}
    assert {m.id_type for m in hit.matched_identifiers} >= {"firstName", "email"}
    assert (page.pagination.total, page.pagination.limit, page.pagination.offset) == (1, 20, 0)


def test_search_pages_with_limit_and_offset(client):
    first = client.customer_search(q="9198450000", limit=5, offset=0)
    second = client.customer_search(q="9198450000", limit=5, offset=5)

    assert len(first.hits) == len(second.hits) == 5
    assert first.pagination.total == second.pagination.total > 10
    assert not {h.user_id for h in first.hits} & {h.user_id for h in second.hits}
    assert [h.user_id for h in first.hits] == sorted(h.user_id for h in first.hits)


def test_search_with_no_match_is_an_empty_page(client):
    page = client.customer_search(q="zzz-nobody")

    assert page.hits == []
    assert page.pagination.total == 0


# ------------------------------------------------------------------ customers_bulk_get


def test_bulk_get_keeps_input_order_and_reports_each_failed_id(client, fake):
    ids = [382137013, 999999999, 382137011, 900000013, 900000012, 382137012]

    results = client.customers_bulk_get(ids)

    assert [r.customer_id for r in results] == ids
    assert [r.success for r in results] == [True, False, True, False, False, True]
    assert results[0].customer.profiles[0].source == "WECHAT"
    assert ("mobile", "918746268323") in [(i.type, i.value) for i in results[0].customer.profiles[0].identifiers]
    assert isinstance(results[1].error, CapillaryNotFoundError)
    assert results[1].error.codes == (8015,)
    assert isinstance(results[3].error, CapillaryCustomerMergedError)
    assert results[3].error.survivor_id == 900000014
    assert isinstance(results[4].error, CapillaryCustomerDeletedError)
    (post,) = fake.requests("/v2/bulk/getCustomers")
    assert {r.error.request_id for r in results if r.error} == {post["requestId"]}


def test_bulk_get_of_250_ids_sends_three_chunked_posts(client, fake):
    fake.seed(250)
    ids = [100000000 + n for n in range(250, 0, -1)]

    results = client.customers_bulk_get(ids, source="INSTORE")

    assert [r.customer_id for r in results] == ids
    assert all(r.success for r in results)
    assert all(r.customer.id == r.customer_id for r in results)
    posts = fake.requests("/v2/bulk/getCustomers", "POST")
    assert len(posts) == 3
    assert all(entry["status"] == 200 for entry in posts)
    assert all(entry["query"] == {"format": "json", "source": "INSTORE"} for entry in posts)


def test_bulk_get_duplicate_ids_are_fetched_once_and_answered_per_input(client, fake):
    results = client.customers_bulk_get([382137011, 382137011])

    assert [r.customer.id for r in results] == [382137011, 382137011]
    assert len(fake.requests("/v2/bulk/getCustomers")) == 1


# ------------------------------------------------------------------ customer_create


def test_create_with_points_enrollment_returns_8107_and_side_effects(client, fake):
    request = registration(
        mobile="919900000101",
        loyaltyInfo={"loyaltyType": "loyalty"},
        loyaltyProgramEnrollments=[{"programId": 983, "tierNumber": 2, "loyaltyPoints": 500}],
        extendedFields={"city": "Pune", "gender": "Female"},
    )

    created = client.customer_create(request, user_context=AGENT)

    assert created.created_id >= 700000001
    assert [(w.code, w.message) for w in created.warnings] == [(8107, "Default customer status label not set")]
    by_type = {effect.type: effect for effect in created.side_effects}
    assert by_type["points"].awarded_points == Decimal("500")
    assert by_type["points"].entity_type == "USER"
    assert by_type["coupon"].coupon_code
    customer = client.customer_get(created.created_id, source="INSTORE", embed=["mlp"])
    assert customer.profiles[0].identifiers[0].value == "919900000101"
    assert customer.extended_fields["city"] == "Pune"
    assert customer.loyalty_program_details[0].current_slab == "Coral"
    assert customer.loyalty_program_details[0].loyalty_points == Decimal("500")


def test_create_sends_user_context_headers_that_reach_the_fakes_log(client, fake):
    client.customer_create(registration(mobile="919900000102"), user_context=AGENT)

    (entry,) = fake.requests("/v2/customers", "POST")
    assert entry["status"] == 200
    assert {k: v for k, v in entry["headers"].items() if k.startswith("USER-CONTEXT")} == {
        "USER-CONTEXT-ENTITY-TYPE": "ADMIN_USER",
        "USER-CONTEXT-ENTITY-ID": "42",
        "USER-CONTEXT-ENTITY-SOURCE": "MEMBER_CARE",
        "USER-CONTEXT-ENTITY-SOURCE-ID": "console-1",
    }
    assert entry["headers"]["CONTENT-TYPE"] == "application/json"


def test_create_in_another_source_combines_with_warning_8050(client):
    request = registration(mobile="919845000004", source="WECHAT", account_id="1234")

    created = client.customer_create(request, user_context=AGENT)

    assert created.created_id == 900000004
    assert 8050 in [w.code for w in created.warnings]
    customer = client.customer_get(900000004)
    assert sorted(profile.source for profile in customer.profiles) == ["INSTORE", "WECHAT"]


# ------------------------------------------------------------------ org configuration


def test_extended_fields_list_returns_typed_definitions(client):
    fields = {(f.entity_type, f.name): f for f in client.extended_fields_list()}

    gender = fields["CUSTOMER", "gender"]
    assert (gender.label, gender.data_type) == ("Gender", "STANDARD_ENUM")
    assert gender.possible_values == ["Male", "Female", "Other"]
    assert fields["CUSTOMER", "dob"].data_type == "DATETIME"
    assert fields["CUSTOMER", "dob"].created_on == date(2017, 4, 12)
    assert ("REGULAR_TRANSACTION", "ship_first_name") in fields


def test_programs_list_returns_the_orgs_programs(client):
    programs = {p.program_id: p for p in client.programs_list()}

    assert set(programs) == {983, 469}
    assert (programs[983].program_name, programs[983].is_default) == ("DocDemo Loyalty", True)
    assert programs[469].points_to_currency_ratio == Decimal("0.5")
    (partner,) = programs[469].partner_programs
    assert partner.partner_program_name == "SkyHigh Club"
    assert [t.tier_name for t in partner.partner_program_tiers] == ["Blue", "Gold"]


# ------------------------------------------------------------------ OAuth


def test_oauth_client_fetches_one_token_and_reuses_it(oauth_client, fake):
    oauth_client.customer_get(566881933)
    oauth_client.customer_lookup(identifier_name="mobile", identifier_value="19986542387", source="INSTORE")
    oauth_client.programs_list()

    log = fake.requests()
    assert [entry["path"] for entry in log] == [
        "/v3/oauth/token/generate",
        "/v2/customers/566881933",
        "/v2/customers/lookup/customerDetails",
        "/v2/organization/programs",
    ]
    assert all(entry["status"] == 200 for entry in log)
    assert {entry["principal"] for entry in log[1:]} == {"oauth"}


def test_oauth_client_registers_and_bulk_reads(oauth_client):
    created = oauth_client.customer_create(registration(mobile="919900000103"), user_context=AGENT)
    (result,) = oauth_client.customers_bulk_get([created.created_id])

    assert result.success
    assert result.customer.profiles[0].first_name == "Contract"


def test_oauth_client_refreshes_an_expired_token_once_and_replays(oauth_client, fake):
    oauth_client.customer_get(566881933)
    fake.set_clock(400)  # past the fake's 300 s token TTL; the client still believes its token is fresh

    customer = oauth_client.customer_get(566881933)

    assert customer.id == 566881933
    assert [(entry["path"], entry["status"]) for entry in fake.requests()] == [
        ("/v3/oauth/token/generate", 200),
        ("/v2/customers/566881933", 200),
        ("/v2/customers/566881933", 401),
        ("/v3/oauth/token/generate", 200),
        ("/v2/customers/566881933", 200),
    ]


def test_basic_and_oauth_clients_see_the_same_customer(make_client):
    basic = make_client(auth=CapillaryBasicAuth("memberconsole.till", "fake-capillary-demo"))
    oauth = make_client(auth=CapillaryOAuth("fake-oauth-key", "fake-oauth-secret"))

    assert basic.customer_get(565261498, source="INSTORE") == oauth.customer_get(565261498, source="INSTORE")


# ------------------------------------------------------------------ customers_bulk_lookup_chunks


def test_bulk_lookup_by_mobile_answers_each_value_in_order_with_its_customer(client, fake):
    values = ["918392184396", "910000000001", "1234512345", "918392184396"]

    (chunk,) = list(client.customers_bulk_lookup_chunks("mobile", values))

    assert [r.value for r in chunk] == ["918392184396", "910000000001", "1234512345"]  # duplicates sent once
    assert [r.customer.id if r.customer else None for r in chunk] == [382137011, None, 566881933]
    assert isinstance(chunk[1].error, CapillaryNotFoundError)
    (post,) = fake.requests("/v2/bulk/getCustomers", "POST")
    assert post["query"] == {"format": "json", "identifierName": "mobile", "source": "ALL"}


def test_bulk_lookup_of_250_emails_sends_three_posts_and_flags_a_merge_survivor(client, fake):
    values = [f"nobody{n}@example.com" for n in range(248)] + ["aiko.tanaka@example.com", "sam.old@example.com"]

    chunks = list(client.customers_bulk_lookup_chunks("email", values, brief=True))

    assert [len(chunk) for chunk in chunks] == [100, 100, 50]
    found = [r for chunk in chunks for r in chunk if r.success]
    assert [(r.value, r.customer.id, r.survivor) for r in found] == [
        ("aiko.tanaka@example.com", 900000001, False),
        ("sam.old@example.com", 900000014, True),  # the merge victim's email answers with its survivor (91009)
    ]
    assert len(fake.requests("/v2/bulk/getCustomers", "POST")) == 3


def test_bulk_lookup_of_a_kind_the_cluster_refuses_flags_the_whole_chunk(client, fake):
    (chunk,) = list(client.customers_bulk_lookup_chunks("cardnumber", ["mtest00000000067003"]))

    assert chunk[0].chunk_failed
    assert chunk[0].error.codes == (8013,)
