"""Registration rules of POST /v2/customers: validate the body, then build the new customer (or extra profile)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from . import errors
from .errors import FakeError
from .generate import card, comm_channel, loyalty_attribution, profile, program_state
from .store import CARD_TYPES, Store

EMAIL_RE = re.compile(r"^[A-Za-z0-9._+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+$")
MOBILE_RE = re.compile(r"^[1-9][0-9]{8,14}$")
INDIA_RE = re.compile(r"^91[6-9][0-9]{9}$")


def register(store: Store, body: Any, *, user_context: dict[str, str], wait_for_downstream: bool) -> dict[str, Any]:
    """POST /v2/customers: validate, then create or extend a customer in one transaction."""
    config = store.config
    profiles_in, warnings = _validate_registration(body, config)
    ext, ext_warnings = _validate_extended_fields(body.get("extendedFields") or {}, config)
    warnings.extend(ext_warnings)
    item_status = int(config["behaviour"]["item_error_status"])
    now = store.today().replace(microsecond=0)
    with store.write() as c:
        existing: int | None = None
        for p in profiles_in:
            for id_type, value in p["identifiers"]:
                owners = store.identifier_owners(c, id_type, value)
                if id_type in CARD_TYPES:
                    if owners:
                        raise FakeError(item_status, 3009)
                    continue
                for cid, src, acc in owners:
                    if src == p["source"] and acc == p["accountId"]:
                        raise FakeError(item_status, 8006)
                    existing = existing or cid
        if existing is not None:
            record = store.get_record(existing)
            assert record is not None
            if record["x"].get("state") == "merged" and record["x"].get("survivorId"):
                existing = record["x"]["survivorId"]
                record = store.get_record(existing)
                assert record is not None
            have = {(q["source"], q.get("accountId") or "") for q in record["profiles"]}
            if any((p["source"], p["accountId"]) in have for p in profiles_in):
                raise FakeError(item_status, 8006)
            cid = existing
            warnings.insert(0, errors.item(8050))
        else:
            cid = store.next_registered_id(c)
            record = _new_record(cid, body, ext, now, config)
        new_profiles = [_build_profile(cid, p, now, user_context) for p in profiles_in]
        record["profiles"].extend(new_profiles)
        cards = [_build_card(cid, p, i, now) for p in profiles_in for i in p["cards"]]
        record["cardDetails"].extend(cards)
        side_effects = _enroll(record, body, now, config)
        coupon = (
            _coupon(cid, now, config) if existing is None and config["registration"].get("welcome_coupon") else None
        )
        if coupon:
            # Kept on the customer so GET /v2/customers/coupons lists the coupon the side effect announced.
            record["x"].setdefault("coupons", []).append(_stored_coupon(coupon, now, config))
            side_effects.append(coupon)
        if not config["registration"].get("default_status_label"):
            warnings.append(errors.item(8107))
        store.save_registered(c, cid, record, created=existing is None, profiles=new_profiles, cards=cards)
    # api-notes 2.5 (SL _customer.md, github.com/Capillary/api-documentation/blob/f377ac0/source/includes/_customer.md):
    # WAIT_FOR_DOWNSTREAM false runs loyalty in the background and returns no sideEffects (the points and the coupon
    # are still given).
    if not wait_for_downstream:
        side_effects = []
    return {"createdId": cid, "warnings": warnings, "sideEffects": side_effects}


def _validate_registration(body: Any, config: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    item_status = int(config["behaviour"]["item_error_status"])
    if not isinstance(body, dict) or not isinstance(body.get("profiles"), list) or not body["profiles"]:
        raise FakeError(400, 400, errors.STATUS_MESSAGES[400])
    sources = config["sources"]
    reg = config["registration"]
    name_max = int(reg.get("name_max_length", 100))
    out = []
    for raw in body["profiles"]:
        if not isinstance(raw, dict):
            raise FakeError(400, 400, errors.STATUS_MESSAGES[400])
        source = raw.get("source")
        if source not in sources["valid"]:
            raise FakeError(item_status, 3217)
        account = str(raw.get("accountId") or "")
        if source in sources["multi_account"] and not account:
            raise FakeError(item_status, 8045)
        if source not in sources["multi_account"]:
            account = ""
        idents: list[tuple[str, str]] = []
        cards: list[dict[str, Any]] = []
        for ident in raw.get("identifiers") or []:
            if not isinstance(ident, dict) or not ident.get("type") or ident.get("value") in (None, ""):
                raise FakeError(400, 400, errors.STATUS_MESSAGES[400])
            t, v = str(ident["type"]), str(ident["value"]).strip()
            if t == "mobile":
                v = _valid_mobile(v, item_status)
            elif t == "email":
                if len(v) > int(reg.get("email_max_length", 255)) or not EMAIL_RE.match(v):
                    raise FakeError(item_status, 1002)
            elif t in ("cardnumber", "cardNumber"):
                t = "cardnumber"
                cards.append(ident)
            idents.append((t, v))
        if source == "INSTORE":
            _check_mandatory(idents, config)
        elif not idents:
            raise FakeError(item_status, 1007)
        first, last = raw.get("firstName"), raw.get("lastName")
        out.append({
            "source": source, "accountId": account, "identifiers": idents, "cards": cards,
            # register-customer.txt (docs.capillarytech.com/reference/v2-add-customer): characters past 100 ignored.
            "firstName": None if first is None else str(first)[:name_max],
            "lastName": None if last is None else str(last)[:name_max],
            "fields": raw.get("fields") if isinstance(raw.get("fields"), dict) else {},
            "commChannels": raw.get("commChannels") if isinstance(raw.get("commChannels"), list) else [],
        })  # fmt: skip
    keys = [(p["source"], p["accountId"]) for p in out]
    if len(set(keys)) != len(keys):
        raise FakeError(item_status, 8006)
    return out, []


def _valid_mobile(value: str, item_status: int) -> str:
    # customer_entity (api-notes 5.1, docs.capillarytech.com/docs/customer_entity): digits with country code;
    # generic 9-15 digits, India 91 + [6-9] + 9 digits.
    if not MOBILE_RE.match(value) or (value.startswith("91") and len(value) == 12 and not INDIA_RE.match(value)):
        raise FakeError(item_status, 8014)
    return value


def _check_mandatory(idents: list[tuple[str, str]], config: dict[str, Any]) -> None:
    reg = config["registration"]
    have = {t for t, _ in idents}
    style = reg.get("mandatory_error_style", "codes")
    item_status = int(config["behaviour"]["item_error_status"])

    def missing(field: str, code: int) -> FakeError:
        if style == "field_403":
            return FakeError(403, 403, f"Field {field} is mandatory")
        return FakeError(item_status, code)

    primary = reg.get("CONF_REGISTRATION_PRIMARY_KEY", "mobile")
    codes = {"mobile": 1006, "email": 1039, "externalId": 1043}
    if reg.get("CONF_ALLOW_REGISTRATION_FROM_ANY_IDENTIFIERS"):
        if not have & {"mobile", "email", "externalId", "cardnumber"}:
            raise FakeError(item_status, 1007)
    elif primary not in have:
        raise missing(primary, codes.get(primary, 1007))
    for key, field in (
        ("CONF_USERS_IS_MOBILE_REQUIRED", "mobile"),
        ("CONF_USERS_IS_EMAIL_REQUIRED", "email"),
        ("CONF_USERS_IS_EXTERNAL_ID_REQUIRED", "externalId"),
    ):
        if reg.get(key) and field not in have:
            raise missing(field, codes[field])


def _validate_extended_fields(given: Any, config: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Keep valid extended fields; each unknown or invalid one becomes warning 91015 (api-notes 5.2)."""
    # api-notes 5.2 cites docs.capillarytech.com/reference/get-org-extended-fields.
    if not isinstance(given, dict):
        return {}, [errors.item(91015)]
    defs = {f["name"]: f for f in config["extended_fields"].get("CUSTOMER", [])}
    kept, warnings = {}, []
    for name, value in given.items():
        d = defs.get(name)
        if d is None or not extended_value_ok(d, value):
            msg = f"field {name} length too long" if d and d.get("dataType") == "STRING" else None
            warnings.append(errors.item(91015, msg or f"{errors.MESSAGES[91015]}: {name}"))
            continue
        kept[name] = value
    return kept, warnings


def _new_record(
    cid: int, body: dict[str, Any], ext: dict[str, Any], now: datetime, config: dict[str, Any]
) -> dict[str, Any]:
    loyalty_type = (body.get("loyaltyInfo") or {}).get("loyaltyType") or "loyalty"
    src = body["profiles"][0].get("source", "INSTORE").lower()
    return {
        "id": cid,
        "profiles": [],
        "loyaltyInfo": {
            "loyaltyType": loyalty_type,
            "attributionV2": loyalty_attribution(now, now, src),
            "lifetimePurchases": 0.0,
        },
        "segments": {},
        "associatedWith": body.get("associatedWith") or config["org"]["defaultTill"]["code"],
        "extendedFields": ext,
        "cardDetails": [],
        "x": {"state": "active", "programs": [], "statusLabel": body.get("statusLabel")},
    }


def _build_profile(cid: int, p: dict[str, Any], now: datetime, ctx: dict[str, str]) -> dict[str, Any]:
    ids = [(t, v) for t, v in p["identifiers"] if t not in CARD_TYPES]
    channels = []
    for ch in p["commChannels"]:
        if isinstance(ch, dict) and ch.get("type") and ch.get("value"):
            cc = comm_channel(str(ch["type"]), str(ch["value"]), verified=truthy(ch.get("verified")))
            cc["primary"] = truthy(ch.get("primary", True))
            channels.append(cc)
    if not channels:
        channels = None
    prof = profile(
        cid, p["source"], p["accountId"], ids, first=p["firstName"], last=p["lastName"],
        created=now, modified=now, fields=p["fields"], channels=channels,
    )  # fmt: skip
    if ctx:
        prof["attribution"]["userContext"] = ctx  # fake-only: who registered, from USER-CONTEXT-* headers
    return prof


def _build_card(cid: int, p: dict[str, Any], ident: dict[str, Any], now: datetime) -> dict[str, Any]:
    number = str(ident["value"]).strip()
    series_id = int(ident.get("seriesId") or 195)
    card_id = int(hashlib.md5(number.encode()).hexdigest()[:6], 16) + 2_000_000
    series = (series_id, str(ident.get("seriesCode") or f"series{series_id}"), f"Series {series_id}")
    c = card(cid, card_id, number, str(ident.get("statusLabel") or "ACTIVE"), now, series=series)
    if isinstance(ident.get("extendedFields"), dict):
        c["extendedFields"] = ident["extendedFields"]
    if isinstance(ident.get("customFields"), dict):
        c["customFields"] = ident["customFields"]
    return c


def _enroll(
    record: dict[str, Any], body: dict[str, Any], now: datetime, config: dict[str, Any]
) -> list[dict[str, Any]]:
    programs = {p["programId"]: p for p in config["programs"]}
    side_effects: list[dict[str, Any]] = []
    enrollments = body.get("loyaltyProgramEnrollments") or []
    if not enrollments and record["loyaltyInfo"]["loyaltyType"] == "loyalty" and not record["x"]["programs"]:
        default = next((p for p in config["programs"] if p.get("default")), None)
        if default:
            enrollments = [{"programId": default["programId"], "tierNumber": 1, "loyaltyPoints": 0}]
    have = {s["programId"] for s in record["x"]["programs"]}
    for e in enrollments if isinstance(enrollments, list) else []:
        if not isinstance(e, dict):
            continue
        pid = e.get("programId")
        cfg = programs.get(pid)
        if cfg is None or pid in have:
            continue
        tier = max(1, min(int(e.get("tierNumber") or 1), len(cfg["tiers"])))
        points = float(e.get("loyaltyPoints") or 0)
        expiry = parse_date(e.get("tierExpiryDate")) or now + timedelta(days=365)
        state = program_state(pid, tier, points, 0.0, expiry)
        # Fake-only keys: activity.py turns enrolledOn into the CustomerRegistration credit of these points.
        state |= {"lifetimePoints": points, "redeemed": 0.0, "expired": 0.0, "enrolledOn": now.isoformat()}
        points_expiry = parse_date(e.get("pointsExpiryDate"))
        if points_expiry:
            state["pointsExpiryDate"] = points_expiry.isoformat()
        record["x"]["programs"].append(state)
        if points > 0:
            side_effects.append(
                {"entityType": "USER", "rawAwardedPoints": points, "awardedPoints": int(points), "type": "points"}
            )
    return side_effects


def _coupon(cid: int, now: datetime, config: dict[str, Any]) -> dict[str, Any]:
    cfg = config["registration"]["welcome_coupon"]
    code = hashlib.sha1(f"{cid}".encode()).hexdigest()[:8].upper()
    valid = (now + timedelta(days=int(cfg.get("valid_days", 30)))).strftime("%Y-%m-%dT23:59:59Z")
    return {
        "id": 1_239_000_000 + cid % 1_000_000, "entityType": "USER", "couponType": cfg.get("couponType", "PE"),
        "couponCode": code, "validTill": valid, "description": cfg.get("description", "Welcome Offer"),
        "discountCode": cfg.get("discountCode", "NO_VALUE"), "trimmedCouponCode": code, "type": "coupon",
    }  # fmt: skip


def _stored_coupon(coupon: dict[str, Any], now: datetime, config: dict[str, Any]) -> dict[str, Any]:
    cfg = config["registration"]["welcome_coupon"]
    series = {
        "seriesId": cfg.get("seriesId", 840100), "description": coupon["description"],
        "discountType": cfg.get("discountType", "PERC"), "discountValue": cfg.get("discountValue", 10.0),
        "discountUpto": cfg.get("discountUpto", 0.0), "maxRedeem": 1,
    }  # fmt: skip
    return {"id": coupon["id"], "code": coupon["couponCode"], "created": now.isoformat(),
            "validTill": coupon["validTill"], "series": series}  # fmt: skip


def truthy(value: Any) -> bool:
    """Capillary accepts booleans as JSON booleans or as the strings "true"/"false" (register-customer.txt)."""
    # register-customer.txt is docs.capillarytech.com/reference/v2-add-customer; its examples send "primary": "true".
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def parse_date(value: Any) -> datetime | None:
    """An ISO date-time such as 2024-05-11T16:36:17+05:30, in UTC; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)


def extended_value_ok(definition: dict[str, Any], value: Any) -> bool:
    """Whether value fits the extended field's dataType (and possibleValues for enums)."""
    kind = definition.get("dataType")
    if kind in ("STANDARD_ENUM", "CUSTOM_ENUM"):
        return value in definition.get("possibleValues", [])
    if kind == "INTEGER":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, str) and value.lstrip("-").isdigit()
        )
    if kind == "DOUBLE":
        try:
            float(value)
        except (TypeError, ValueError):
            return False
        return not isinstance(value, bool)
    if kind == "DATETIME":
        return isinstance(value, str) and (
            parse_date(value) is not None or bool(re.match(r"^\d{4}/\d{2}/\d{2}$", value))
        )
    if kind == "COUNTRY":
        return isinstance(value, str) and 2 <= len(value) <= 60
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return False
    return len(str(value)) <= int(definition.get("maxLength", 255))
