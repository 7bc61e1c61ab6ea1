"""What the customer page says, from the client's model: contactability rule by rule, and warnings in words."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from memberconsole.capillary.schemas import Customer
from memberconsole.core.masking import FULL
from memberconsole.customers.mapping import (
    contact_facts,
    email_contactability,
    messenger_contactability,
    push_contactability,
    sms_contactability,
    to_customer,
)


def customer(*, channels=(), identifiers=(), sources=("INSTORE",), ndnc=None, optin=None, subscriptions=()):
    """A customer whose first profile has the identifiers and channels; subscriptions are (channel, priority, type)."""
    profiles = [{"source": source, "identifiers": [], "commChannels": []} for source in sources]
    profiles[0]["identifiers"] = [{"type": t, "value": v} for t, v in identifiers]
    profiles[0]["commChannels"] = [{"type": t, "value": "x", "verified": verified} for t, verified in channels]
    body = {"id": 1, "profiles": profiles, "ndncStatus": ndnc, "optinStatus": optin}
    if subscriptions:
        body["subscriptionInfo"] = {
            "subscriptions": [{"channel": c, "priority": p, "type": t} for c, p, t in subscriptions]
        }
    return Customer.model_validate(body)


def answer(rule, wire):
    result = rule(contact_facts(wire))
    return result.verdict, result.reason


VERIFIED_MOBILE = [("mobile", True)]
UNVERIFIED_MOBILE = [("mobile", False)]


@pytest.mark.parametrize(
    ("kwargs", "verdict", "reason"),
    [
        ({}, "no", "No mobile number on file."),
        ({"channels": VERIFIED_MOBILE}, "yes", "Mobile verified."),
        ({"channels": UNVERIFIED_MOBILE}, "yes", "Mobile not verified."),
        ({"identifiers": [("mobile", "919845000001")]}, "limited", "Mobile on file but not a communication channel."),
        ({"channels": VERIFIED_MOBILE, "ndnc": "NDNC"}, "no",
         "Mobile verified, NDNC: NDNC, so do not call or send promotions."),
        ({"channels": VERIFIED_MOBILE, "ndnc": "DND"}, "no",
         "Mobile verified, NDNC: DND, so do not call or send promotions."),
        ({"channels": VERIFIED_MOBILE, "ndnc": "NONE", "optin": "OPTED_IN"}, "yes",
         "Mobile verified, NDNC: NONE, opt-in: opted in."),
        ({"channels": VERIFIED_MOBILE, "optin": "OPTED_OUT"}, "no",
         "Mobile verified, but the customer opted out of messages."),
        ({"channels": VERIFIED_MOBILE, "subscriptions": [("SMS", "BULK", "OPTOUT")]}, "limited",
         "Mobile verified; opted out of promotional SMS, so transactional messages only."),
        ({"channels": VERIFIED_MOBILE, "subscriptions": [("SMS", "BULK", "OPTOUT"), ("SMS", "TRANS", "OPTOUT")]}, "no",
         "Mobile verified, but the customer opted out of messages."),
        ({"channels": VERIFIED_MOBILE, "subscriptions": [("EMAIL", "BULK", "OPTOUT")]}, "yes", "Mobile verified."),
    ],
)  # fmt: skip
def test_sms_rule(kwargs, verdict, reason):
    assert answer(sms_contactability, customer(**kwargs)) == (verdict, reason)


@pytest.mark.parametrize(
    ("kwargs", "verdict", "reason"),
    [
        ({}, "no", "No email address on file."),
        ({"channels": [("email", True)]}, "yes", "Email verified."),
        ({"channels": [("email", False)]}, "yes", "Email not verified."),
        ({"identifiers": [("email", "a@example.com")]}, "limited", "Email on file but not a communication channel."),
        ({"channels": [("email", True)], "ndnc": "DND"}, "yes", "Email verified."),  # NDNC is about phones
        ({"channels": [("email", True)], "optin": "OPTED_OUT"}, "no",
         "Email verified, but the customer opted out of messages."),
        ({"channels": [("email", True)], "subscriptions": [("EMAIL", "BULK", "OPTOUT")]}, "limited",
         "Email verified; opted out of promotional email, so transactional email only."),
        ({"channels": [("email", True)], "subscriptions": [("EMAIL", "", "OPTOUT"), ("EMAIL", "TRANS", "OPTOUT")]},
         "no",
         "Email verified, but the customer opted out of messages."),
    ],
)  # fmt: skip
def test_email_rule(kwargs, verdict, reason):
    assert answer(email_contactability, customer(**kwargs)) == (verdict, reason)


def wechat(facts):
    return messenger_contactability(facts, label="WeChat", kind="wechat", source="WECHAT")


@pytest.mark.parametrize(
    ("kwargs", "verdict", "reason"),
    [
        ({}, "no", "No WeChat profile."),
        ({"sources": ("WECHAT",)}, "unknown", "Has a WeChat profile but no WeChat channel to message."),
        ({"channels": [("wechat", True)]}, "yes", "WeChat channel verified."),
        ({"channels": [("wechat", None)]}, "yes", "WeChat channel not verified."),
        ({"channels": [("wechat", True)], "optin": "OPTED_OUT"}, "no",
         "WeChat channel verified, but the customer opted out of messages."),
    ],
)  # fmt: skip
def test_messenger_rule(kwargs, verdict, reason):
    assert answer(wechat, customer(**kwargs)) == (verdict, reason)


@pytest.mark.parametrize(
    ("kwargs", "verdict", "reason"),
    [
        ({}, "no", "No app or push token on file."),
        ({"channels": [("android", True)]}, "yes", "Push token on file."),
        ({"channels": [("mobilePush", True)]}, "yes", "Push token on file."),
        ({"channels": [("ios", True)], "optin": "OPTED_OUT"}, "no", "Push token on file, but the customer opted out."),
        ({"channels": [("ios", True)], "subscriptions": [("IOS", "BULK", "OPTOUT")]}, "no",
         "Push token on file, but the customer opted out."),
    ],
)  # fmt: skip
def test_push_rule(kwargs, verdict, reason):
    assert answer(push_contactability, customer(**kwargs)) == (verdict, reason)


def test_every_channel_is_answered_in_order():
    assert [c.channel for c in to_customer(customer(), mask=FULL).contactability] == [
        "SMS",
        "Email",
        "WeChat",
        "LINE",
        "Push",
    ]


def test_known_warnings_are_in_plain_words_and_unknown_ones_keep_capillarys_text():
    wire = Customer.model_validate({
        "id": 1, "profiles": [],
        "warnings": [{"code": 91001, "message": "x"}, {"code": 99999, "message": "Something new"}, {"code": None}],
    })  # fmt: skip
    assert to_customer(wire, mask=FULL).warnings == [
        "Point details could not be loaded, so point balances may be missing. (code 91001)",
        "Something new (code 99999)",
    ]


# ---------------------------------------------------------------------------------------------------- programs
# The docs' own example of GET /v2/customers/{id} with every flag (get-customer-by-id.txt, customer 565261498,
# docs.capillarytech.com/reference/get-customer-details-v2), verbatim: tier history, upgrade and retention criteria at
# top level, and no loyaltyProgramDetails or pointsSummary.
DOCS_CUSTOMER = Path(__file__).parents[1] / "capillary" / "fixtures" / "customer_get_with_flags.json"


def docs_body() -> dict:
    return json.loads(DOCS_CUSTOMER.read_text(encoding="utf-8"))


def docs_customer(*, drop=(), **replace) -> Customer:
    """The docs' example, verbatim unless blocks are dropped or replaced."""
    body = docs_body()
    for key in drop:
        del body[key]
    return Customer.model_validate(body | replace)


def said(wire: Customer) -> list[tuple]:
    """What the band and the two sections say per program: title, tier, points, the two sentences and the note."""
    return [
        (p.title, p.current_tier, p.available_points, p.next_sentence, p.keep_sentence, p.keep_note)
        for p in to_customer(wire, mask=FULL).programs
    ]


NEEDS_5999 = "Needs 5,999 current points to move up to the next tier."
KEPT_NO_MINIMUMS = "Garnet is kept with no minimum purchases or visits; a downgrade strategy applies."


def test_the_docs_customer_has_its_tier_from_the_history_and_its_criteria_in_words():
    result = to_customer(docs_customer(), mask=FULL)
    (program,) = result.programs
    assert (program.program_id, program.title, program.current_tier) == (983, "Program 983", "Garnet")
    assert program.tier_since == datetime(2026, 1, 13, 14, 41, 26, tzinfo=UTC)
    assert program.next_sentence == NEEDS_5999
    assert program.keep_sentence == KEPT_NO_MINIMUMS
    assert program.is_top_tier is False  # no next tier came, but 5,999 points are still needed
    assert program.available_points is None  # no pointsSummary: not returned, not zero
    (criterion,) = program.upgrade
    assert (criterion.words, criterion.code, criterion.required_text) == (
        "Points available",
        "CURRENT_POINTS",
        "5,999 current points",
    )
    assert program.rule.sentence == "No minimum purchases or visits; a downgrade strategy applies."
    assert (result.current_tier, result.points, result.no_program) == ("Garnet", None, None)


@pytest.mark.parametrize(
    ("drop", "expected"),
    [
        (["tierUpgradeCriteria"],
         [("Program 983", "Garnet", None, "Capillary returned no next tier or upgrade criteria.", KEPT_NO_MINIMUMS,
           "")]),
        (["membershipRetentionCriteria"],
         [("Program 983", "Garnet", None, NEEDS_5999, "Capillary returned no renewal conditions for Garnet.", "")]),
        (["slabHistory"],
         [("Loyalty program", "", None, NEEDS_5999,
           "The tier is kept with no minimum purchases or visits; a downgrade strategy applies.", "")]),
        (["tierUpgradeCriteria", "membershipRetentionCriteria"],
         [("Program 983", "Garnet", None, "Capillary returned no next tier or upgrade criteria.",
           "Capillary returned no renewal conditions for Garnet.", "")]),
        (["slabHistory", "tierUpgradeCriteria", "membershipRetentionCriteria"], []),
    ],
)  # fmt: skip
def test_the_docs_customer_without_each_block(drop, expected):
    assert said(docs_customer(drop=drop)) == expected


def test_the_docs_customer_with_nothing_to_say_has_no_program_and_says_capillary_returned_none():
    result = to_customer(
        docs_customer(drop=["slabHistory", "tierUpgradeCriteria", "membershipRetentionCriteria"]), mask=FULL
    )
    assert result.programs == []
    assert (result.no_program.tier, result.no_program.points) == ("Not returned", "Not returned")
    assert result.no_program.next_sentence == "Capillary returned no program details, tier history or upgrade criteria."


@pytest.mark.parametrize(
    ("retention", "keep"),
    [
        ({"minPurchases": 500.0, "minVisits": 2, "isDownGradeStrategy": True},
         "To keep Garnet: at least ₹500.00 in purchases and 2 visits in the qualifying period; a downgrade strategy "
         "applies."),
        ({"minPurchases": 500.0, "minVisits": 2, "isDownGradeStrategy": False},
         "Garnet cannot drop: the program has no downgrade rule."),
        ({"minPurchases": 0.0, "minVisits": 0, "isDownGradeStrategy": False},
         "Garnet cannot drop: the program has no downgrade rule."),
    ],
)  # fmt: skip
def test_the_docs_customer_with_other_retention_rules(settings, retention, keep):
    settings.ORG_CURRENCY = "INR"
    (program,) = to_customer(docs_customer(membershipRetentionCriteria=retention), mask=FULL).programs
    assert program.keep_sentence == keep
    assert program.next_sentence == NEEDS_5999


def test_an_upgrade_criterion_of_zero_is_due_but_not_the_top_tier():
    criterion = {"purchaseType": "CURRENT_POINTS", "purchaseValue": 0.0}
    (program,) = to_customer(docs_customer(tierUpgradeCriteria=criterion), mask=FULL).programs
    assert program.next_sentence == (
        "Meets Capillary's upgrade criterion (0 current points): the upgrade is due, if there is a tier above."
    )
    assert program.is_top_tier is False


def test_the_tier_is_the_newest_change_whatever_the_order():
    history = docs_body()["slabHistory"]
    (program,) = to_customer(docs_customer(slabHistory=list(reversed(history))), mask=FULL).programs
    assert program.current_tier == "Garnet"


def test_criteria_per_program_go_to_their_program_and_top_level_ones_to_the_main_program():
    history = [
        {"from": "Coral", "to": "Garnet", "changedOn": "2026-01-13T14:41:26Z", "type": "UPGRADE", "programId": 983},
        {"from": "Silver", "to": "Gold", "changedOn": "2025-06-01T10:00:00Z", "type": "UPGRADE", "programId": 469},
    ]
    retention = [
        {"minPurchases": 0.0, "minVisits": 0, "isDownGradeStrategy": True},
        {"minVisits": 3, "isDownGradeStrategy": True, "programId": 469},
    ]
    assert said(docs_customer(slabHistory=history, membershipRetentionCriteria=retention)) == [
        ("Program 983", "Garnet", None, NEEDS_5999, KEPT_NO_MINIMUMS, ""),
        ("Program 469", "Gold", None, "Capillary returned no next tier or upgrade criteria.",
         "To keep Gold: at least 3 visits in the qualifying period; a downgrade strategy applies.", ""),
    ]  # fmt: skip


def test_a_non_loyalty_customer_gets_no_program_from_an_old_tier_history():
    result = to_customer(docs_customer(loyaltyInfo={"loyaltyType": "non_loyalty"}), mask=FULL)
    assert result.programs == []
    assert (result.no_program.tier, result.no_program.next_sentence) == ("Not enrolled", "Not in a loyalty program.")


def test_program_details_without_a_next_tier_are_the_top_tier_only_when_nothing_more_is_needed():
    details = [{"programId": 983, "currentSlab": "Garnet", "slabSNo": 3, "loyaltyPoints": 100}]
    (with_criterion,) = to_customer(docs_customer(loyaltyProgramDetails=details), mask=FULL).programs
    assert with_criterion.is_top_tier is False
    assert with_criterion.next_sentence == NEEDS_5999
    assert with_criterion.available_points == 100
    (without,) = to_customer(
        docs_customer(drop=["tierUpgradeCriteria"], loyaltyProgramDetails=details), mask=FULL
    ).programs
    assert without.is_top_tier is True
    assert without.next_sentence == "Top tier: there is no tier above."
