"""Deterministic customers: compact rows for seeding, and the full record rebuilt from the id alone at read time."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

GENERATED_BASE_ID = 100_000_000  # generated customer n (1-based) has id GENERATED_BASE_ID + n
TILL = {"id": 75155282, "code": "memberconsole.till", "name": "memberconsole.till"}
ORG_ID = 100737
WECHAT_ACCOUNT = "1234"
LINE_ACCOUNT = "2001914141242"
MARTJACK_ACCOUNT = "mj-store-1"

# (display, ascii) pairs: a few non-ASCII names so generated data exercises unicode too.
FIRST_NAMES = [
    (n, n.lower())
    for n in [
        "Aarav",
        "Aditi",
        "Akira",
        "Alice",
        "Amara",
        "Amelia",
        "Ana",
        "Andre",
        "Anika",
        "Arjun",
        "Ava",
        "Benjamin",
        "Carlos",
        "Chen",
        "Chloe",
        "Daniel",
        "Divya",
        "Elena",
        "Emma",
        "Ethan",
        "Fatima",
        "Felix",
        "Grace",
        "Hana",
        "Hannah",
        "Harper",
        "Hiro",
        "Isabella",
        "Ivan",
        "Jack",
        "Jamal",
        "Jia",
        "Jin",
        "Kai",
        "Kavya",
        "Leila",
        "Liam",
        "Lucas",
        "Maya",
        "Mei",
        "Mia",
        "Mohammed",
        "Nadia",
        "Noah",
        "Nora",
        "Olivia",
        "Omar",
        "Priya",
        "Rahul",
        "Ravi",
        "Rosa",
        "Sakura",
        "Sara",
        "Sofia",
        "Tom",
        "Uma",
        "Victor",
        "Wei",
        "Yara",
        "Yusuf",
        "Zara",
        "Zoe",
        "Ines",
        "Lars",
        "Nikhil",
        "Pooja",
        "Tara",
        "Vikram",
    ]
] + [("José", "jose"), ("Zoë", "zoe"), ("Łukasz", "lukasz"), ("Søren", "soren"), ("Renée", "renee")]
LAST_NAMES = [
    (n, n.lower())
    for n in [
        "Sharma",
        "Patel",
        "Singh",
        "Kumar",
        "Gupta",
        "Tanaka",
        "Suzuki",
        "Wang",
        "Li",
        "Zhang",
        "Chen",
        "Smith",
        "Johnson",
        "Williams",
        "Brown",
        "Jones",
        "Garcia",
        "Martinez",
        "Lopez",
        "Gonzalez",
        "Wilson",
        "Anderson",
        "Thomas",
        "Taylor",
        "Moore",
        "Jackson",
        "Martin",
        "Lee",
        "Perez",
        "Thompson",
        "White",
        "Harris",
        "Sanchez",
        "Clark",
        "Ramirez",
        "Lewis",
        "Robinson",
        "Walker",
        "Young",
        "Allen",
        "King",
        "Wright",
        "Scott",
        "Torres",
        "Nguyen",
        "Hill",
        "Flores",
        "Green",
        "Adams",
        "Nelson",
        "Baker",
        "Hall",
        "Rivera",
        "Campbell",
        "Mitchell",
        "Carter",
        "Roberts",
        "Reddy",
        "Iyer",
        "Nair",
        "Das",
    ]
] + [("Ñúñez", "nunez"), ("Müller", "muller"), ("Østergaard", "ostergaard"), ("O'Brien", "obrien")]
CARD_STATUSES = ["ACTIVE"] * 8 + ["SUSPENDED", "EXPIRED"]
EPOCH = datetime(2019, 1, 1, tzinfo=UTC)


def iso(dt: datetime) -> str:
    """Capillary's UTC timestamp format: 2025-02-28T06:15:10Z."""
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def generated_mobile(cid: int) -> str:
    """A unique Indian mobile (91 + 6 + 9 digits) per id: multiplying by a unit mod 10**9 is a bijection."""
    return f"916{(cid * 7919) % 1_000_000_000:09d}"


def _core(cid: int) -> dict[str, Any]:
    """Everything seeding needs about customer cid, drawn from random.Random(cid) in a fixed order."""
    rng = random.Random(cid)
    first, first_ascii = FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]
    last, last_ascii = LAST_NAMES[rng.randrange(len(LAST_NAMES))]
    r = rng.random()
    email = f"{first_ascii}.{last_ascii.replace(chr(39), '')}.{cid}@example.com"
    mobile = generated_mobile(cid)
    instore: list[tuple[str, str]] = [("mobile", mobile)]
    if rng.random() < 0.7:
        instore.append(("email", email))
    if rng.random() < 0.3:
        instore.append(("externalId", f"EXT{cid}"))
    profiles: list[tuple[str, str, list[tuple[str, str]]]] = []
    if r < 0.8:
        profiles.append(("INSTORE", "", instore))
    elif r < 0.9:
        profiles.append(("INSTORE", "", instore))
        profiles.append(("WECHAT", WECHAT_ACCOUNT, [("wechat", f"oGEN{cid}"), ("mobile", mobile)]))
    elif r < 0.95:
        profiles.append(("INSTORE", "", instore))
        profiles.append(("LINE", LINE_ACCOUNT, [("line", f"U{cid:032x}")]))
    else:
        profiles.append(("MARTJACK", MARTJACK_ACCOUNT, [("mobile", mobile), ("email", email)]))
    card = f"GEN{cid:012d}" if rng.random() < 0.4 else None
    return {"rng": rng, "first": first, "last": last, "profiles": profiles, "card": card}


def compact_rows(cid: int) -> tuple[list[tuple], list[tuple]]:
    """(profile rows, identifier rows) stored for customer cid; everything else is derived at read time."""
    core = _core(cid)
    first, last = core["first"], core["last"]
    prows = [(cid, src, acc, first, last, first.lower(), last.lower()) for src, acc, _ in core["profiles"]]
    irows = [(cid, src, acc, t, v) for src, acc, ids in core["profiles"] for t, v in ids]
    if core["card"]:
        irows.append((cid, "", "", "cardnumber", core["card"]))
    return prows, irows


def iter_compact(start: int, stop: int) -> Iterator[tuple[int, list[tuple], list[tuple]]]:
    """Compact rows of generated customers number start..stop-1 (1-based numbering)."""
    for n in range(start, stop):
        cid = GENERATED_BASE_ID + n
        prows, irows = compact_rows(cid)
        yield cid, prows, irows


def attribution(created: datetime, modified: datetime, till: dict[str, Any] | None = None) -> dict[str, Any]:
    """A profile's attribution block as get-customer-by-id.txt shows it."""
    # get-customer-by-id.txt is docs.capillarytech.com/reference/get-customer-details-v2.
    t = till or TILL
    who = {"id": t["id"], "code": t["code"], "name": t["name"], "type": "TILL", "referenceId": -1, "default": False}
    return {"createDate": iso(created), "createdBy": who, "modifiedBy": dict(who), "modifiedDate": iso(modified)}


def loyalty_attribution(created: datetime, modified: datetime, source: str = "instore") -> dict[str, Any]:
    """loyaltyInfo.attributionV2 as get-customer-by-id.txt shows it."""
    # get-customer-by-id.txt is docs.capillarytech.com/reference/get-customer-details-v2.
    created_by = {
        "id": TILL["id"], "code": TILL["code"], "description": "", "name": TILL["name"], "type": "TILL",
        "referenceId": -1, "adminType": "GENERAL", "isActive": True, "isOuEnabled": False, "timeZoneId": 191,
        "currencyId": 95, "languageId": 148, "default": False,
    }  # fmt: skip
    modified_by = {k: created_by[k] for k in ("id", "code", "name", "type", "referenceId", "default")}
    return {
        "createDate": iso(created), "createdBy": created_by, "modifiedBy": modified_by, "modifiedDate": iso(modified),
        "createdFromSource": source,
    }  # fmt: skip


def comm_channel(kind: str, value: str, *, verified: bool = False, primary: bool = True) -> dict[str, Any]:
    """One commChannels[] entry."""
    return {
        "type": kind, "value": value, "primary": primary, "verified": verified,
        "meta": {"residence": False, "office": False}, "attributes": {},
    }  # fmt: skip


def profile(
    cid: int,
    source: str,
    account: str,
    identifiers: list[tuple[str, str]],
    *,
    first: str | None,
    last: str | None,
    created: datetime,
    modified: datetime,
    fields: dict[str, Any] | None = None,
    channels: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One source profile in the wire shape; a None name is left out (a profile without names)."""
    p: dict[str, Any] = {}
    if first is not None:
        p["firstName"] = first
    if last is not None:
        p["lastName"] = last
    if channels is None:
        channels = [comm_channel(t, v) for t, v in identifiers if t in ("mobile", "email", "wechat", "line")]
    p |= {
        "attribution": attribution(created, modified),
        "fields": fields or {},
        "allFields": {},
        "identifiers": [{"type": t, "value": v} for t, v in identifiers],
        "commChannels": channels,
        "source": source,
        "userId": cid,
        "accountId": account,
        "conflictingProfileList": [],
        "autoUpdateTime": iso(modified),
    }
    return p


def card(
    cid: int,
    card_id: int,
    number: str,
    status: str | None,
    issued: datetime,
    *,
    series: tuple[int, str, str] = (195, "mtest", "card series create new"),
    external_id: str | None = None,
    expiry_days: int = 1000,
) -> dict[str, Any]:
    """One cardDetails[] entry; status None leaves out statusInfo (seen on some real cards)."""
    c: dict[str, Any] = {
        "cardId": card_id, "issuedDate": iso(issued), "createdDate": issued.strftime("%Y-%m-%d"),
        "createdDateTimeISO": iso(issued), "expiryDays": expiry_days, "seriesName": series[2], "customerId": cid,
        "maxActiveCards": 5,
    }  # fmt: skip
    if external_id:
        c["cardExternalId"] = external_id
    c |= {
        "customFields": {}, "type": "DIGITAL", "cardNumber": number, "seriesId": series[0], "seriesCode": series[1],
        "orgId": ORG_ID, "entityId": TILL["id"],
    }  # fmt: skip
    if status is not None:
        c["statusInfo"] = {
            "reason": "", "createdBy": card_id, "actions": [], "autoUpdateTime": issued.strftime("%Y-%m-%d"),
            "autoUpdateTimeISO": iso(issued), "createdOn": iso(issued), "entityId": card_id, "id": card_id + 27_000_000,
            "isActive": status == "ACTIVE", "labelId": 494, "label": status, "status": status,
        }  # fmt: skip
    c |= {
        "id": card_id,
        "transactionNotAllowed": status != "ACTIVE",
        "activeAndDigital": status == "ACTIVE",
        "expiryDate": iso(issued + timedelta(days=expiry_days)),
    }
    return c


def program_state(
    program_id: int, slab: int, points: float, purchases: float, expiry: datetime, *, returned: float = 0.0
) -> dict[str, Any]:
    """A customer's state in one program; responses.py turns it into a loyaltyProgramDetails[] entry.

    A tier expires on a day, not at a moment: the expiry is sent as the end of that day in UTC, as the docs'
    toTierExpiryDate "2121-11-10T23:59:59Z" is (get-customer-by-id.txt,
    docs.capillarytech.com/reference/get-customer-details-v2), and gapToRenewSummary.tierExpiryDate is its date.

    The totals add up: lifetime = available + redeemed + expired + returned (adjusted is 0), because activity.py
    builds the ledger from them and the ledger must sum to loyaltyPoints.
    """
    expiry = expiry.astimezone(UTC).replace(hour=23, minute=59, second=59, microsecond=0)
    redeemed, expired = round(points * 0.3, 1), round(points * 0.1, 1)
    return {
        "programId": program_id, "slabSNo": slab, "loyaltyPoints": points,
        "lifetimePoints": round(points + redeemed + expired + returned, 3), "redeemed": redeemed, "expired": expired,
        "returned": returned, "adjusted": 0.0, "cumulativePurchases": purchases, "slabExpiryDate": iso(expiry),
        "delayedPoints": 0.0, "delayedReturnedPoints": 0.0, "delayedExpiredPoints": 0.0,
        "totalReturnedPoints": returned,
    }  # fmt: skip


def generated_returned(cid: int, points: float) -> float:
    """Points reversed by returns for generated customer cid: about one in seven returned something."""
    # A separate generator: drawing from the customer's own would change every generated customer after it.
    if points < 100 or random.Random(f"returns:{cid}").random() >= 0.15:
        return 0.0
    return float(int(points * 0.05))


def generated_record(cid: int) -> dict[str, Any]:
    """The full stored-record shape of generated customer cid, derived from the id alone."""
    core = _core(cid)
    rng: random.Random = core["rng"]
    created = EPOCH + timedelta(days=rng.randrange(2000), seconds=rng.randrange(86400))
    modified = created + timedelta(days=rng.randrange(300), seconds=rng.randrange(86400))
    profiles = [
        profile(cid, src, acc, ids, first=core["first"], last=core["last"], created=created, modified=modified)
        for src, acc, ids in core["profiles"]
    ]
    purchases = float(rng.randrange(0, 300_000))
    points = float(rng.randrange(0, 30_000))
    slab = 1 + sum(points >= t for t in (1000, 5999, 25000))
    programs = [
        program_state(
            983, slab, points, purchases, modified + timedelta(days=365), returned=generated_returned(cid, points)
        )
    ]
    if rng.random() < 0.3:
        miles = float(rng.randrange(0, 120_000))
        programs.append(
            program_state(
                469, 1 + sum(miles >= t for t in (25000, 100000)), miles, miles, modified + timedelta(days=400)
            )
        )
    cards = []
    if core["card"]:
        status = CARD_STATUSES[rng.randrange(len(CARD_STATUSES))]
        cards.append(card(cid, cid % 10_000_000 + 1_000_000, core["card"], status, created + timedelta(days=1)))
    gender = rng.choice(["Male", "Female", None])
    ext = {"city": rng.choice(["Mumbai", "Bangalore", "Delhi", "Singapore", "Tokyo"])}
    if gender:
        ext["gender"] = gender
    src = core["profiles"][0][0].lower()
    return {
        "id": cid,
        "profiles": profiles,
        "loyaltyInfo": {
            "loyaltyType": "loyalty",
            "attributionV2": loyalty_attribution(created, modified, src),
            "lifetimePurchases": purchases,
        },
        "segments": {},
        "associatedWith": TILL["code"],
        "extendedFields": ext,
        "cardDetails": cards,
        "x": {
            "state": "active",
            "ndncStatus": rng.choice(["NONE"] * 8 + ["DND", "NDNC"]),
            "optinStatus": rng.choice(["OPTED_IN"] * 6 + ["OPTED_OUT", "NONE"]),
            "slabHistory": [],
            "programs": programs,
        },
    }
