"""Request parsing and response rendering: stored records become the documented customer JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from . import ledger
from .activity import build_activity
from .errors import FakeError

EMBEDS = {
    "points", "subscriptions", "mlp", "userGroup", "gapDetails", "promotionalPoints", "expirySchedules",
    "expiredPoints", "customerImage", "returnedPoints", "associatedImages", "segments", "cardLoyaltyDetails",
    "fleetParentDetails", "ignoreCardDetails", "customerStatus", "alternateCurrencies",
}  # fmt: skip
FLAG_BLOCKS = ("ndncStatus", "optinStatus", "slabHistory", "tierUpgradeCriteria", "membershipRetentionCriteria")
UPGRADE_DESCRIPTIONS = {
    "CURRENT_POINTS": "purchase required for slab upgradation based on current points",
    "CUMULATIVE_POINTS": "purchase required for slab upgradation based on cumulative points",
    "CUMULATIVE_PURCHASES": "purchase required for slab upgradation based on cumulative purchases",
    "TRACKER_VALUE_BASED": "purchase required for slab upgradation based on tracker value",
}


def _json_copy(value: Any) -> Any:
    """A copy of JSON-shaped data (dicts, lists, scalars): what copy.deepcopy gives here, without its memo, at a
    fraction of its cost (it was over half of a bulk read's CPU in the fake)."""
    if isinstance(value, dict):
        return {key: _json_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_copy(item) for item in value]
    return value


def parse_bool(value: str | None) -> bool:
    """Query booleans: only "true" (any case) is true."""
    return value is not None and value.strip().lower() == "true"


def parse_gap(name: str, value: str | None) -> int | None:
    """gapToUpgrade / gapToRenew: days from today, integers >= 0 (get-customer-by-id.txt: negatives unsupported)."""
    # get-customer-by-id.txt is docs.capillarytech.com/reference/get-customer-details-v2.
    if value is None or value == "":
        return None
    try:
        days = int(value)
    except ValueError:
        raise FakeError(400, 400, f"Invalid value passed for {name}. It must be an integer.") from None
    if days < 0:
        raise FakeError(400, 400, f"Invalid value passed for {name}. Negative values are not supported.")
    return days


@dataclass
class RenderOptions:
    """What the request asked for, parsed once from the query string."""

    source: str = "ALL"
    account_id: str | None = None
    embed: set[str] = field(default_factory=set)
    flags: set[str] = field(default_factory=set)
    gap_to_upgrade: int | None = None
    gap_to_renew: int | None = None
    fraud: bool = False
    only_current_profile: bool = False
    today: datetime | None = None

    @classmethod
    def from_query(cls, q: dict[str, str], *, today: datetime) -> RenderOptions:
        """Parse the documented query parameters of GET /v2/customers/{id} and lookup/customerDetails."""
        embed = {e.strip() for e in (q.get("embed") or "").split(",") if e.strip()}
        return cls(
            source=q.get("source", "ALL"),
            account_id=q.get("accountId") or None,
            embed={e for e in embed if e in EMBEDS or e.upper() == "CUSTOMERIMAGE"},
            flags={f for f in FLAG_BLOCKS if parse_bool(q.get(f))},
            gap_to_upgrade=parse_gap("gapToUpgrade", q.get("gapToUpgrade")),
            gap_to_renew=parse_gap("gapToRenew", q.get("gapToRenew")),
            fraud=parse_bool(q.get("includedFraudDetails")),
            only_current_profile=parse_bool(q.get("includedOnlyCurrentProfile")),
            today=today,
        )


def select_profiles(record: dict[str, Any], opts: RenderOptions, multi_account: set[str]) -> list[dict[str, Any]]:
    """The profiles a read of this source (and account) returns; ALL returns every profile."""
    if opts.source == "ALL":
        return record["profiles"]
    return [
        p
        for p in record["profiles"]
        if p["source"] == opts.source
        and (opts.source not in multi_account or opts.account_id is None or p.get("accountId") == opts.account_id)
    ]


def render_customer(
    record: dict[str, Any],
    opts: RenderOptions,
    org: dict[str, Any],
    *,
    profiles: list[dict[str, Any]],
    with_warnings: bool = True,
    lookup: bool = False,
) -> dict[str, Any]:
    """The customer object of get-customer-by-id.txt (and lookup-customer-details.txt when lookup is true)."""
    # get-customer-by-id.txt is docs.capillarytech.com/reference/get-customer-details-v2;
    # lookup-customer-details.txt is docs.capillarytech.com/reference/get-customer-details.
    x = record.get("x", {})
    out: dict[str, Any] = {"id": record["id"], "profiles": [_profile(p, record, opts) for p in profiles]}
    out["loyaltyInfo"] = _json_copy(record["loyaltyInfo"])
    out["segments"] = _json_copy(x.get("segmentsEmbed", record.get("segments", {}))) if "segments" in opts.embed else {}
    out["associatedWith"] = record.get("associatedWith", "")
    blocks = _flag_blocks(record, opts, org)
    # Key order as in the 565261498 example of get-customer-by-id.txt
    # (docs.capillarytech.com/reference/get-customer-details-v2).
    for key in ("optinStatus", "slabHistory", "tierUpgradeCriteria"):
        if key in blocks:
            out[key] = blocks[key]
    out["extendedFields"] = _json_copy(record.get("extendedFields", {}))
    if "ndncStatus" in blocks:
        out["ndncStatus"] = blocks["ndncStatus"]
    out["cardDetails"] = [] if "ignoreCardDetails" in opts.embed else _json_copy(record.get("cardDetails", []))
    if "membershipRetentionCriteria" in blocks:
        out["membershipRetentionCriteria"] = blocks["membershipRetentionCriteria"]
    programs = {p["programId"]: p for p in org["programs"]}
    if "mlp" in opts.embed:
        out["loyaltyProgramDetails"] = [
            _program_details(record, s, programs, opts, org)
            for s in x.get("programs", [])
            if s["programId"] in programs
        ]
    if "points" in opts.embed:
        out["pointsSummary"] = _points_summary(record, programs)
    if {"expirySchedules", "expiredPoints"} & opts.embed and opts.today is not None:
        # activity-api.md §3.2 (docs.capillarytech.com/reference/get-customer-details-v2 lists both embeds): the
        # blocks' shapes are not documented; these are the user-group APIs' (INFERRED there, README here).
        activity = build_activity(record, org, opts.today)
        if "expirySchedules" in opts.embed:
            out["expirySchedules"] = ledger.embed_expiry_schedules(activity, opts.today.date())
        if "expiredPoints" in opts.embed:
            out["expiredPoints"] = ledger.embed_expired_points(activity)
    if "subscriptions" in opts.embed:
        out["subscriptionInfo"] = {"subscriptions": _json_copy(x.get("subscriptions") or _subscriptions(x))}
    if lookup or opts.fraud:
        out["fraudDetails"] = _json_copy(x.get("fraudDetails") or {"markedBy": {}, "status": "NOT_FRAUD"})
    if with_warnings:
        out["warnings"] = []
    return out


def _profile(p: dict[str, Any], record: dict[str, Any], opts: RenderOptions) -> dict[str, Any]:
    out = _json_copy(p)
    if "identifiersAll" not in out:
        # identifiersAll spans every source of the customer unless includedOnlyCurrentProfile hides the others.
        pool = [p] if opts.only_current_profile else record["profiles"]
        seen: list[dict[str, Any]] = []
        for q in pool:
            for ident in q.get("identifiers", []):
                if ident not in seen:
                    seen.append(ident)
        out["identifiersAll"] = _json_copy(seen)
    return out


def _flag_blocks(record: dict[str, Any], opts: RenderOptions, org: dict[str, Any]) -> dict[str, Any]:
    x = record.get("x", {})
    out: dict[str, Any] = {}
    if not opts.flags:
        return out
    programs = {p["programId"]: p for p in org["programs"]}
    states = [s for s in x.get("programs", []) if s["programId"] in programs]
    main = states[0] if states else None
    cfg = programs[main["programId"]] if main else None
    if "ndncStatus" in opts.flags:
        out["ndncStatus"] = x.get("ndncStatus", "NONE")
    if "optinStatus" in opts.flags:
        out["optinStatus"] = x.get("optinStatus", "NONE")
    if "slabHistory" in opts.flags:
        out["slabHistory"] = _json_copy(x.get("slabHistory", []))
    if "tierUpgradeCriteria" in opts.flags:
        if "tierUpgradeCriteria" in x:
            out["tierUpgradeCriteria"] = _json_copy(x["tierUpgradeCriteria"])
        elif main and cfg:
            nxt = _tier(cfg, main["slabSNo"] + 1)
            current = _upgrade_value(cfg["upgradeBasedOn"], main)
            out["tierUpgradeCriteria"] = {
                "purchaseType": cfg["upgradeBasedOn"],
                "description": UPGRADE_DESCRIPTIONS.get(cfg["upgradeBasedOn"], ""),
                "purchaseValue": float(max(0.0, nxt["threshold"] - current)) if nxt else 0.0,
            }
    if "membershipRetentionCriteria" in opts.flags:
        # get-customer-by-id.txt (docs.capillarytech.com/reference/get-customer-details-v2): not included when the
        # program has no downgrade criteria, even if asked.
        if x.get("membershipRetentionCriteria") is not None:
            out["membershipRetentionCriteria"] = _json_copy(x["membershipRetentionCriteria"])
        elif main and cfg and cfg.get("downgradeStrategy"):
            tier = _tier(cfg, main["slabSNo"]) or {"threshold": 0}
            out["membershipRetentionCriteria"] = {
                "minPurchases": float(tier["threshold"]) / 2,
                "minVisits": 2 if main["slabSNo"] > 1 else 0,
                "isDownGradeStrategy": True,
            }
    return out


def _tier(cfg: dict[str, Any], serial: int) -> dict[str, Any] | None:
    return next((t for t in cfg["tiers"] if t["serialNumber"] == serial), None)


def _upgrade_value(based_on: str, state: dict[str, Any]) -> float:
    if based_on == "CURRENT_POINTS":
        return float(state["loyaltyPoints"])
    if based_on == "CUMULATIVE_POINTS":
        return float(state["lifetimePoints"])
    return float(state["cumulativePurchases"])


def _program_details(
    record: dict[str, Any], s: dict[str, Any], programs: dict[int, Any], opts: RenderOptions, org: dict[str, Any]
) -> dict[str, Any]:
    """One loyaltyProgramDetails[] entry, fields per lookup-customer-details.txt."""
    # lookup-customer-details.txt is docs.capillarytech.com/reference/get-customer-details.
    cfg = programs[s["programId"]]
    cur = _tier(cfg, s["slabSNo"]) or cfg["tiers"][0]
    nxt = _tier(cfg, s["slabSNo"] + 1)
    out: dict[str, Any] = {
        "redeemed": s["redeemed"], "expired": s["expired"], "returned": s["returned"], "adjusted": s["adjusted"],
        "lifetimePoints": s["lifetimePoints"], "loyaltyPoints": s["loyaltyPoints"],
        "cumulativePurchases": s["cumulativePurchases"], "loyaltyId": record["id"] % 100_000_000 * 10 + 1,
        "currentSlab": cur["name"], "nextSlab": nxt["name"] if nxt else "",
        # api-notes 4.7 (docs.capillarytech.com/reference/get-customer-details response table): -1 at the top tier.
        "nextSlabSerialNumber": nxt["serialNumber"] if nxt else -1,
        "nextSlabDescription": nxt["description"] if nxt else "", "slabSNo": s["slabSNo"],
        "slabExpiryDate": s["slabExpiryDate"], "programId": s["programId"], "delayedPoints": s["delayedPoints"],
        "delayedReturnedPoints": s["delayedReturnedPoints"], "delayedExpiredPoints": s["delayedExpiredPoints"],
        "totalAvailablePoints": s["loyaltyPoints"] + s["delayedPoints"],
        "totalReturnedPoints": s["totalReturnedPoints"],
        "linkedPartnerPrograms": _json_copy(s.get("linkedPartnerPrograms", [])),
        "programTitle": cfg["programName"], "programDescription": cfg["programDescription"],
        "programPointsToCurrencyRatio": cfg["pointsToCurrencyRatio"],
    }  # fmt: skip
    today = opts.today
    if opts.gap_to_upgrade is not None:
        # api-notes 4.7: the docs table (docs.capillarytech.com/reference/get-customer-details-v2) spells the key
        # upgrade_based_on; the user-group JSON (docs.capillarytech.com/reference/retrieve-user-group-member-details)
        # has upgradeBasedOn, the default here (configurable).
        key = org["behaviour"].get("upgrade_based_on", "upgradeBasedOn")
        if nxt is None:
            out["upgradeStrategies"] = []
        else:
            value = _upgrade_value(cfg["upgradeBasedOn"], s)
            valid = s.get("valueValidUpto") or (today + timedelta(days=opts.gap_to_upgrade + 90)).strftime("%Y-%m-%d")
            out["upgradeStrategies"] = [
                {
                    key: cfg["upgradeBasedOn"],
                    "upgradeThreshold": float(nxt["threshold"]),
                    "customerUpgradeEntityValues": {
                        "currentValue": value,
                        "gapToUpgrade": float(max(0.0, nxt["threshold"] - value)),
                        "valueValidUpto": valid,
                    },
                }
            ]
    if opts.gap_to_renew is not None and s["slabSNo"] > 1:  # omitted in the base tier: nothing to renew
        renew = s.get("renew")
        if renew is None:
            threshold = float(cur["threshold"]) / 2
            value = min(threshold, float(s["cumulativePurchases"]) / 4)
            renew = {
                "renewConfirmed": value >= threshold,
                "renewStrategies": [
                    {"renewBasedOn": cfg.get("renewBasedOn", "PURCHASE"), "renewThreshold": threshold,
                     "customerRenewEntityValue": value, "customerGapToRenewValue": max(0.0, threshold - value)}
                ],
            }  # fmt: skip
        out["gapToRenewSummary"] = {"tierExpiryDate": s["slabExpiryDate"][:10], **_json_copy(renew)}
    return out


def _points_summary(record: dict[str, Any], programs: dict[int, Any]) -> dict[str, Any]:
    states = [s for s in record.get("x", {}).get("programs", []) if s["programId"] in programs]
    if not states:
        return {}
    s = states[0]
    cfg = programs[s["programId"]]
    cur = _tier(cfg, s["slabSNo"]) or cfg["tiers"][0]
    nxt = _tier(cfg, s["slabSNo"] + 1)
    return {
        "adjusted": s["adjusted"], "cumulativePurchases": s["cumulativePurchases"], "currentSlab": cur["name"],
        "expired": s["expired"], "lifetimePoints": s["lifetimePoints"],
        "loyaltyId": record["id"] % 100_000_000 * 10 + 1,
        "loyaltyPoints": s["loyaltyPoints"], "nextSlab": nxt["name"] if nxt else "",
        "nextSlabDescription": nxt["description"] if nxt else "",
        "nextSlabSerialNumber": nxt["serialNumber"] if nxt else -1,
        "redeemed": s["redeemed"], "returned": s["returned"], "slabExpiryDate": s["slabExpiryDate"],
        "slabSNo": s["slabSNo"],
    }  # fmt: skip


def _subscriptions(x: dict[str, Any]) -> list[dict[str, Any]]:
    kind = "OPTOUT" if x.get("optinStatus") == "OPTED_OUT" else "OPTIN"
    return [{"channel": ch, "priority": pr, "type": kind} for ch in ("SMS", "EMAIL") for pr in ("TRANS", "BULK")]


def search_entry(record: dict[str, Any], q: str) -> dict[str, Any]:
    """One /v2/customers/search result: which identifiers matched q, and every profile's names."""
    ql = q.strip().lower()
    first_q, _, rest_q = ql.partition(" ")
    matched: list[dict[str, Any]] = []
    for p in record["profiles"]:
        src, acc = p["source"], p.get("accountId", "")
        first, last = p.get("firstName") or "", p.get("lastName") or ""
        full = bool(rest_q) and first.lower() == first_q and last.lower().startswith(rest_q)
        if first.lower().startswith(ql) or full:
            matched.append({"idType": "firstName", "idValue": first, "source": src, "accountId": acc})
        if last.lower().startswith(ql) or full:
            matched.append({"idType": "lastName", "idValue": last, "source": src, "accountId": acc})
        for ident in p.get("identifiers", []):
            if str(ident["value"]).lower().startswith(ql):
                matched.append({"idType": ident["type"], "idValue": ident["value"], "source": src, "accountId": acc})
    first_source = record["profiles"][0]["source"] if record["profiles"] else "INSTORE"
    for c in record.get("cardDetails", []):
        for t, key in (("cardnumber", "cardNumber"), ("cardExternalId", "cardExternalId")):
            if c.get(key) and str(c[key]).lower().startswith(ql):
                matched.append({"idType": t, "idValue": c[key], "source": first_source, "accountId": ""})
    profiles = []
    for p in record["profiles"]:
        entry = {"source": p["source"]}
        for k in ("firstName", "lastName"):
            if k in p:
                entry[k] = p[k]
        profiles.append(entry)
    return {"userId": record["id"], "matchedIdentifiers": matched, "profiles": profiles}
