"""What the customer page says, from the client's model: contactability rule by rule, and warnings in words."""

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
