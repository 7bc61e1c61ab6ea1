"""The docs' own customers (fixtures/*.json, verbatim) and the hand-written demo customers listed in README.md."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .generate import card, comm_channel, loyalty_attribution, profile, program_state

FIXTURES = Path(__file__).parent / "fixtures"
# Blocks that get-customer-by-id.txt (docs.capillarytech.com/reference/get-customer-details-v2) returns only when
# their query flag is true.
OPTIONAL_BLOCKS = ("ndncStatus", "optinStatus", "slabHistory", "tierUpgradeCriteria", "membershipRetentionCriteria")
WECHAT, LINE, MARTJACK = "1234", "2001914141242", "mj-store-1"


def load_fixture(name: str) -> Any:
    """One of the docs' example responses from fixtures/."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _from_docs(body: dict[str, Any], programs: list[dict[str, Any]]) -> dict[str, Any]:
    record = copy.deepcopy(body)
    record.pop("warnings", None)
    x: dict[str, Any] = {"state": "active", "programs": programs, "verbatim": True}
    for key in OPTIONAL_BLOCKS:
        if key in record:
            x[key] = record.pop(key)
    record["x"] = x
    return record


def docs_records() -> list[dict[str, Any]]:
    """Records that reproduce the docs' example responses exactly for the docs' requests.

    The examples come from get-customer-by-id.txt (docs.capillarytech.com/reference/get-customer-details-v2)
    and bulk-get-customers.txt (docs.capillarytech.com/reference/get-customers-bulk).
    """
    exp = datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)
    a = _from_docs(load_fixture("get_customer_566881933.json"), [program_state(983, 2, 4200.0, 221350.0, exp)])
    b = _from_docs(
        load_fixture("get_customer_565261498_all_blocks.json"),
        # 19,001 points: Diamond (25,000) is the docs' tierUpgradeCriteria purchaseValue of 5,999 away, so the live gap
        # the fake adds for embed=mlp agrees with the docs' own criterion.
        [program_state(983, 3, 19001.0, 10200.0, datetime(2121, 11, 10, 23, 59, 59, tzinfo=UTC))],
    )
    records = [a, b]
    for item in load_fixture("bulk_get_customers.json")["data"]:
        lifetime = item["entity"]["loyaltyInfo"]["lifetimePurchases"]
        records.append(_from_docs(item["entity"], [program_state(983, 1, lifetime / 10, lifetime, exp)]))
    return records


def _dt(y: int, m: int, d: int, h: int = 10) -> datetime:
    return datetime(y, m, d, h, 0, 0, tzinfo=UTC)


def _record(
    cid: int,
    profiles: list[dict[str, Any]],
    *,
    programs: list[dict[str, Any]] | None = None,
    cards: list[dict[str, Any]] | None = None,
    ext: dict[str, Any] | None = None,
    loyalty_type: str = "loyalty",
    purchases: float = 0.0,
    created: datetime | None = None,
    **x: Any,
) -> dict[str, Any]:
    created = created or _dt(2024, 3, 1)
    return {
        "id": cid,
        "profiles": profiles,
        "loyaltyInfo": {
            "loyaltyType": loyalty_type,
            "attributionV2": loyalty_attribution(created, created + timedelta(days=30)),
            "lifetimePurchases": purchases,
        },
        "segments": {},
        "associatedWith": "memberconsole.till",
        "extendedFields": ext or {},
        "cardDetails": cards or [],
        "x": {"state": "active", "programs": programs or [], **x},
    }


def _p(cid: int, source: str, account: str, ids: list[tuple[str, str]], first: str | None, last: str | None, **kw: Any):
    created = kw.pop("created", _dt(2024, 3, 1))
    return profile(cid, source, account, ids, first=first, last=last, created=created, modified=created, **kw)


EXP = _dt(2026, 12, 31, 23)
HTML_NAME = "<script>alert(1)</script>"


def demo_records() -> list[dict[str, Any]]:
    """The hand-written demo customers (ids 900000001-900000023), each showing one thing a console must handle."""
    r: list[dict[str, Any]] = []
    c = 900000001  # three sources, different names and emails per source
    r.append(
        _record(
            c,
            [
                _p(
                    c,
                    "INSTORE",
                    "",
                    [("mobile", "919845000001"), ("email", "aiko.tanaka@example.com")],
                    "Aiko",
                    "Tanaka",
                ),
                _p(
                    c,
                    "WECHAT",
                    WECHAT,
                    [("wechat", "oDEMOaiko0001"), ("email", "aiko.wechat@example.com")],
                    "Aiko",
                    "T.",
                ),
                _p(c, "LINE", LINE, [("line", "Udemo00000000000000000000000000001")], "あいこ", "たなか"),
            ],
            programs=[program_state(983, 2, 2400.0, 18000.0, EXP)],
            ext={"city": "Tokyo", "gender": "Female"},
            purchases=18000.0,
            activity={"expiringSoonDays": 10},  # the oldest points still held expire in ten days
        )
    )
    c = 900000002  # CJK name
    r.append(
        _record(
            c,
            [_p(c, "INSTORE", "", [("mobile", "8613800000002"), ("email", "xiaoming.wang@example.com")], "小明", "王")],
            programs=[program_state(983, 1, 300.0, 2500.0, EXP)],
            ext={"city": "上海", "preferred_language": "zh"},
            purchases=2500.0,
            activity={"noPointsBills": ["NOT_INTERESTED", "OUTLIER"]},  # two bills that earned nothing, and why
        )
    )
    c = 900000003  # accented Latin name
    r.append(
        _record(
            c,
            [_p(c, "INSTORE", "", [("mobile", "34600000003"), ("email", "jose.nunez@example.com")], "José", "Ñúñez")],
            programs=[program_state(983, 2, 1500.0, 9000.0, EXP, returned=250.0)],
            ext={"city": "Málaga", "country_of_residence": "ES"},
            purchases=9000.0,
            activity={"returns": ["FULL", "LINE_ITEM"]},  # a whole bill back, and one line of another
        )
    )
    c = 900000004  # HTML in names: the console must escape it
    r.append(
        _record(
            c,
            [
                _p(
                    c,
                    "INSTORE",
                    "",
                    [("mobile", "919845000004"), ("externalId", "XSS-0004")],
                    HTML_NAME,
                    'O\'Brien & "Sons"',
                )
            ],
            ext={"city": "<b>bold</b>"},
        )
    )
    c = 900000005  # two programs, top tier in the main one, and more bills than one page shows
    r.append(
        _record(
            c,
            [_p(c, "INSTORE", "", [("mobile", "919845000005"), ("email", "priya.iyer@example.com")], "Priya", "Iyer")],
            programs=[
                program_state(983, 4, 31000.0, 412000.0, EXP, returned=600.0),
                program_state(469, 2, 40000.0, 40000.0, _dt(2027, 3, 31, 23)) | {"linkedPartnerPrograms": [_partner()]},
            ],
            purchases=412000.0,
            activity={"bills": 72, "returns": ["FULL"]},
        )
    )
    c = 900000006  # a card in every status and one without statusInfo
    statuses = ["ACTIVE", "SUSPENDED", "EXPIRED", "NOT_ISSUED", "DELETED", None]
    r.append(
        _record(
            c,
            [_p(c, "INSTORE", "", [("mobile", "919845000006")], "Cardy", "McCardface")],
            cards=[
                card(c, 950001 + i, f"DEMO6CARD{i + 1:04d}", s, _dt(2025, 1, 1 + i), external_id=f"CX6-{i + 1}")
                for i, s in enumerate(statuses)
            ],
            programs=[program_state(983, 1, 10.0, 100.0, EXP)],
            activity={"coupons": "every_status"},  # and coupons in every state
        )
    )
    c = 900000007  # slab history with UPGRADE, DOWNGRADE and RENEWAL
    store = {"code": "doc123", "name": "DocStore"}
    history = [
        {"from": "Garnet", "to": "Garnet", "fromTierExpiryDate": "2025-12-31T23:59:59Z",
         "toTierExpiryDate": "2026-12-31T23:59:59Z", "changedOn": "2025-12-20T09:00:00Z",
         "notes": "Tier renewed: retention criteria met", "store": store, "type": "RENEWAL", "programId": 983},
        {"from": "Diamond", "to": "Garnet", "fromTierExpiryDate": "2024-12-31T23:59:59Z",
         "toTierExpiryDate": "2025-12-31T23:59:59Z", "changedOn": "2025-01-01T00:05:00Z",
         "notes": "Downgraded: retention criteria not met", "store": store, "type": "DOWNGRADE", "programId": 983},
        {"from": "Coral", "to": "Diamond", "fromTierExpiryDate": "2024-06-30T23:59:59Z",
         "toTierExpiryDate": "2024-12-31T23:59:59Z", "changedOn": "2024-05-02T14:41:26Z",
         "notes": "Upgraded for achieving 25000 loyalty points", "store": store, "type": "UPGRADE", "programId": 983},
    ]  # fmt: skip
    r.append(
        _record(
            c,
            [_p(c, "INSTORE", "", [("mobile", "919845000007"), ("email", "ravi.nair@example.com")], "Ravi", "Nair")],
            programs=[program_state(983, 3, 8000.0, 60000.0, EXP)],
            slabHistory=history,
            tierUpgradeCriteria={
                "purchaseType": "CURRENT_POINTS",
                "description": "purchase required for slab upgradation based on current points",
                "purchaseValue": 17000.0,
            },
            membershipRetentionCriteria={"minPurchases": 20000.0, "minVisits": 4, "isDownGradeStrategy": True},
            purchases=60000.0,
        )
    )
    c = 900000008  # tracker-based renewal and an upgrade gap
    renew = {
        "renewConfirmed": False,
        "renewStrategies": [
            {"renewBasedOn": "TRACKER",
             "trackerEntityIdentifiers": [{"trackerName": "DowngradeTracker", "trackerType": "LINEITEM_COUNT",
                                           "trackerMode": "MOVING_WINDOW", "trackerCaseName": "Case1",
                                           "trackerCasePeriodType": "DAYS", "trackerCasePeriodValue": 5}],
             "renewThreshold": 5.0, "customerRenewEntityValue": 1.0, "customerGapToRenewValue": 4.0},
            {"renewBasedOn": "VISITS", "renewThreshold": 10.0, "customerRenewEntityValue": 7.0,
             "customerGapToRenewValue": 3.0},
        ],
    }  # fmt: skip
    r.append(
        _record(
            c,
            [_p(c, "INSTORE", "", [("mobile", "919845000008"), ("email", "mei.chen@example.com")], "Mei", "Chen")],
            programs=[program_state(983, 2, 3786.0, 9786.0, EXP) | {"renew": renew, "valueValidUpto": "2026-05-06"}],
            purchases=9786.0,
        )
    )
    c = 900000009  # base tier only, in a program without a downgrade strategy
    r.append(
        _record(
            c,
            [_p(c, "INSTORE", "", [("mobile", "919845000009")], "Basil", "Base")],
            programs=[program_state(469, 1, 1200.0, 1200.0, EXP)],
            purchases=1200.0,
        )
    )
    c = 900000010  # DND and opted out
    r.append(
        _record(
            c,
            [
                _p(
                    c,
                    "INSTORE",
                    "",
                    [("mobile", "919845000010"), ("email", "quiet.quinn@example.com")],
                    "Quinn",
                    "Quiet",
                )
            ],
            ndncStatus="DND",
            optinStatus="OPTED_OUT",
            subscriptions=[
                {"channel": "SMS", "priority": "BULK", "type": "OPTOUT"},
                {"channel": "EMAIL", "priority": "BULK", "type": "OPTOUT"},
                {"channel": "SMS", "priority": "TRANS", "type": "OPTIN"},
            ],
        )
    )
    c = 900000011  # NDNC registry and opted in
    r.append(
        _record(
            c,
            [_p(c, "INSTORE", "", [("mobile", "919845000011")], "Nina", "Registry")],
            ndncStatus="NDNC",
            optinStatus="OPTED_IN",
        )
    )
    c = 900000012  # deleted after a PII request: names gone, one external id kept for lookups
    rec = _record(c, [_p(c, "INSTORE", "", [("externalId", "DELETED-900000012")], None, None)])
    rec["x"]["state"] = "pii_deleted"
    r.append(rec)
    c = 900000013  # merge victim of 900000014
    rec = _record(
        c, [_p(c, "INSTORE", "", [("mobile", "919845000013"), ("email", "sam.old@example.com")], "Sam", "Old-Account")]
    )
    rec["x"] |= {"state": "merged", "survivorId": 900000014}
    r.append(rec)
    c = 900000014  # survivor
    r.append(
        _record(
            c,
            [
                _p(
                    c,
                    "INSTORE",
                    "",
                    [("mobile", "919845000014"), ("email", "sam.survivor@example.com")],
                    "Sam",
                    "Survivor",
                )
            ],
            programs=[program_state(983, 2, 2000.0, 15000.0, EXP)],
            purchases=15000.0,
        )
    )
    c = 900000015  # a profile without names
    r.append(_record(c, [_p(c, "INSTORE", "", [("externalId", "NONAME-0015")], None, None)]))
    c = 900000016  # non-loyalty, nothing optional at all
    rec = _record(
        c,
        [_p(c, "INSTORE", "", [("mobile", "919845000016")], "Minnie", "Mal")],
        loyalty_type="non_loyalty",
        activity={"noPointsBills": ["NOT_INTERESTED"] * 3},  # shops, but not in loyalty: bills that earn nothing
    )
    rec["loyaltyInfo"] = {"loyaltyType": "non_loyalty", "lifetimePurchases": 0.0}
    r.append(rec)
    c = 900000017  # MARTJACK only: source=INSTORE gives 8065
    r.append(
        _record(
            c,
            [
                _p(
                    c,
                    "MARTJACK",
                    MARTJACK,
                    [("mobile", "919845000017"), ("email", "mj.only@example.com")],
                    "Marta",
                    "Jack",
                )
            ],
        )
    )
    c = 900000018  # fraud-marked, long names (100 chars), custom fields
    r.append(
        _record(
            c,
            [
                _p(
                    c,
                    "INSTORE",
                    "",
                    [("mobile", "919845000018")],
                    "F" * 100,
                    "Longname-" + "x" * 91,
                    fields={"employee": "true", "dateofbirth": "22-10-2000"},
                )
            ],
            fraudDetails={
                "markedBy": {"code": "memberconsole.till"},
                "modifiedOn": "2025-06-01T10:00:00Z",
                "status": "MARKED",
            },
        )
    )
    c = 900000019  # everything embeddable: points, subscriptions, segments, verified channels
    r.append(
        _record(
            c,
            [
                _p(
                    c,
                    "INSTORE",
                    "",
                    [("mobile", "919845000019"), ("email", "eve.embed@example.com")],
                    "Eve",
                    "Embed",
                    channels=[
                        comm_channel("mobile", "919845000019", verified=True),
                        comm_channel("email", "eve.embed@example.com", verified=False),
                    ],
                )
            ],
            programs=[program_state(983, 2, 3300.0, 21000.0, EXP)],
            subscriptions=[
                {"channel": "SMS", "priority": "BULK", "type": "OPTIN"},
                {"channel": "EMAIL", "priority": "TRANS", "type": "OPTIN"},
            ],
            segmentsEmbed={"Value": "High spender", "Lifecycle": "Active"},
            ext={"gender": "Female", "dob": "1990-04-12T00:00:00Z", "city": "Pune", "marital_status": "Married"},
            purchases=21000.0,
        )
    )
    c = 900000020  # WECHAT-only customer, looked up by wechat id
    r.append(_record(c, [_p(c, "WECHAT", WECHAT, [("wechat", "oDEMOwechat0020")], "Wei", "Chat")]))
    c = 900000021  # LINE-only customer, looked up by line id
    r.append(_record(c, [_p(c, "LINE", LINE, [("line", "Udemo00000000000000000000000000021")], "Lin", "Line")]))
    c = 900000022  # card with an external id (cardExternalId lookups)
    r.append(
        _record(
            c,
            [_p(c, "INSTORE", "", [("mobile", "919845000022")], "Carla", "External")],
            cards=[
                card(
                    c,
                    950101,
                    "DEMO22CARD",
                    "ACTIVE",
                    _dt(2025, 5, 5),
                    external_id="CARDEXT-22",
                    series=(214, "CardSeries14", "CardSeries14"),
                )
            ],
        )
    )
    c = 900000023  # an email stored with capitals (lookups are exact: only that spelling finds it)
    r.append(
        _record(
            c,
            [
                _p(
                    c,
                    "INSTORE",
                    "",
                    [("mobile", "919845000023"), ("email", "Noor.Capital@Example.com")],
                    "Noor",
                    "Capital",
                )
            ],
            programs=[program_state(983, 2, 1800.0, 12000.0, EXP)],
            ext={"city": "Chennai"},
            purchases=12000.0,
            created=_dt(2023, 7, 14),
        )
    )
    return r


def _partner() -> dict[str, Any]:
    return {
        "partnerProgramId": 71, "partnerProgramName": "SkyHigh Club", "partnerProgramDescription": "Airline partner",
        "partnerTierNumber": 2, "partnerTierName": "Gold", "partnerTierExpiryDate": "2026-12-31T23:59:59Z",
        "partnerMembershipId": "SKY-5", "partnerProgramType": "EXTERNAL", "tierBased": True,
    }  # fmt: skip


def all_fixture_records() -> list[dict[str, Any]]:
    """Docs customers then demo customers, as stored records."""
    return docs_records() + demo_records()
