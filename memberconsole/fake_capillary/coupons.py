"""Customer coupons: GET /v2/customers/coupons, the v2 basic list addressed by an identifier in the query.

activity-api.md §5.1 (docs.capillarytech.com/reference/get-customer-coupons-basic; SL _customer.md "Get Customer
Coupons (Basic)"). A coupon has no status field: its state comes from validity and redemptions (§5.1, §8.8).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from .activity import Activity, Coupon, Redemption
from .errors import FakeError
from .formats import as_bool, as_int, csv, iso

# The identifier parameters, in the order they are tried; the docs spell external id three ways (activity-api.md
# §5.1, docs.capillarytech.com/reference/get-customer-coupons-basic).
IDENTIFIER_PARAMS = (("mobile", "mobile"), ("email", "email"), ("external_id", "externalId"),
                     ("externalId", "externalId"), ("external_Id", "externalId"), ("id", "id"))  # fmt: skip
STATUSES = {
    "REDEEMED", "UNREDEEMED", "ACTIVE", "EXPIRED", "ACTIVE_REDEEMED", "ACTIVE_UNREDEEMED", "EXPIRED_REDEEMED",
    "EXPIRED_UNREDEEMED", "REDEEMABLE", "UNEXPIRED",
}  # fmt: skip
CASES = {"UPPER": str.upper, "LOWER": str.lower, "AS_IT_IS": str}


def identifier(q: dict[str, str]) -> tuple[str, str] | None:
    """(identifier type, value) of the first identifier parameter sent."""
    for param, kind in IDENTIFIER_PARAMS:
        value = (q.get(param) or "").strip()
        if value:
            return kind, value
    return None


def expired(coupon: Coupon, now: datetime) -> bool:
    """Past validTillDateTime (the end of the validTill day)."""
    end = datetime(coupon.valid_till.year, coupon.valid_till.month, coupon.valid_till.day, 23, 59, 59, tzinfo=UTC)
    return end < now


def redeemed(coupon: Coupon) -> bool:
    """Used at least once (reversed redemptions do not count), or nothing left to use."""
    return bool(coupon.used) or coupon.redemptions_left == 0


def matches(coupon: Coupon, status: str, now: datetime, behaviour: dict[str, Any]) -> bool:
    """Whether a coupon is in `status`; ACTIVE is date-valid only by default, as in v1.1.

    activity-api.md §5.1 and §8.8 (docs.capillarytech.com/reference/get-customer-coupons-basic; v1.1:
    docs.capillarytech.com/reference/get-customer-coupons).
    """
    is_expired, is_redeemed = expired(coupon, now), redeemed(coupon)
    if status in ("ACTIVE", "UNEXPIRED"):
        return not is_expired and (behaviour["coupon_active_includes_redeemed"] or not is_redeemed)
    if status == "REDEEMABLE":
        return not is_expired and coupon.redemptions_left != 0
    wanted_expired = {"EXPIRED": True, "ACTIVE_REDEEMED": False, "ACTIVE_UNREDEEMED": False,
                      "EXPIRED_REDEEMED": True, "EXPIRED_UNREDEEMED": True}.get(status)  # fmt: skip
    wanted_redeemed = {"REDEEMED": True, "UNREDEEMED": False, "ACTIVE_REDEEMED": True, "ACTIVE_UNREDEEMED": False,
                       "EXPIRED_REDEEMED": True, "EXPIRED_UNREDEEMED": False}.get(status)  # fmt: skip
    return (wanted_expired is None or wanted_expired == is_expired) and (
        wanted_redeemed is None or wanted_redeemed == is_redeemed
    )


def body(
    record: dict[str, Any], activity: Activity, q: dict[str, str], config: dict[str, Any], *, now: datetime,
    warnings: list[dict[str, Any]],
) -> dict[str, Any]:  # fmt: skip
    """{"entity": {"pagination", "customers": [{..., "coupons"}]}, "warnings", "errors", "success"}."""
    behaviour = config["behaviour"]
    status = (q.get("status") or "").strip().upper()
    if status and status not in STATUSES:
        raise FakeError(400, 400, f"Invalid status: use one of {', '.join(sorted(STATUSES))}")
    case = (q.get("coupon_code_case") or "UPPER").strip().upper()
    if case not in CASES:
        raise FakeError(400, 400, "Invalid coupon_code_case: use UPPER, LOWER or AS_IT_IS")
    order = (q.get("sort_order") or "DESC").strip().upper()
    if order not in ("ASC", "DESC"):
        raise FakeError(400, 400, "Invalid sort_order: use ASC or DESC")
    limit, offset = as_int(q, "limit", 100) or 0, as_int(q, "offset", 0) or 0
    if limit < 1 or offset < 0:
        raise FakeError(400, 400, "limit must be at least 1 and offset not negative")
    numbers = set(csv(q, "transaction_numbers"))
    reversed_too = as_bool(q, "include_reversed_redemptions") or as_bool(q, "includeReversedRedemptions")
    rows = [
        c for c in sorted(activity.coupons, key=lambda c: (c.created, c.id), reverse=order == "DESC")
        if (not status or matches(c, status, now, behaviour)) and (not numbers or c.transaction_number in numbers)
    ]  # fmt: skip
    offset_minutes = int(behaviour["coupon_local_offset_minutes"])
    coupons = [item(c, CASES[case], offset_minutes, reversed_too) for c in rows[offset : offset + limit]]
    # activity-api.md §5.1 (docs.capillarytech.com/reference/get-customer-coupons-basic): pagination limit and
    # offset are strings, total a number.
    pagination = {"limit": str(limit), "offset": str(offset), "total": len(rows)}
    customer = _customer(record) | {"coupons": coupons}
    return {"entity": {"pagination": pagination, "customers": [customer]}, "warnings": warnings, "errors": [],
            "success": True}  # fmt: skip


def _customer(record: dict[str, Any]) -> dict[str, Any]:
    """firstname, lastname, email, mobile, id (and externalId when there is one), from the in-store profile first."""
    profiles = sorted(record["profiles"], key=lambda p: p["source"] != "INSTORE")
    first = profiles[0] if profiles else {}
    found: dict[str, str] = {}
    for p in profiles:
        for ident in p.get("identifiers", []):
            found.setdefault(ident["type"], str(ident["value"]))
    out: dict[str, Any] = {}
    for key, value in (("firstname", first.get("firstName")), ("lastname", first.get("lastName")),
                       ("email", found.get("email")), ("mobile", found.get("mobile"))):  # fmt: skip
        if value is not None:
            out[key] = value
    out["id"] = record["id"]
    if "externalId" in found:
        out["externalId"] = found["externalId"]
    return out


def local_z(dt: datetime, offset_minutes: int) -> str:
    """The docs' createdDate / redemption date: the org's wall-clock time written with a Z.

    activity-api.md §5.1 example (docs.capillarytech.com/reference/get-customer-coupons-basic): createdDate
    "2025-08-19T16:52:11Z" beside createdDateISO "2025-08-19T11:22:11Z", 5 h 30 apart.
    """
    return iso(dt + timedelta(minutes=offset_minutes))


def item(coupon: Coupon, case: Any, offset_minutes: int, reversed_too: bool) -> dict[str, Any]:
    """One coupon, keys in the order of the docs' example."""
    s = coupon.series
    day = coupon.valid_till.isoformat()
    return {
        "code": case(coupon.code), "seriesId": s["seriesId"], "description": s["description"],
        "validTill": f"{day}T00:00:00Z", "discountType": s["discountType"], "discountValue": float(s["discountValue"]),
        "discountUpto": float(s.get("discountUpto", 0.0)), "redemptionCount": len(coupon.used),
        "redemptionsLeft": coupon.redemptions_left, "id": coupon.id,
        "createdDate": local_z(coupon.created, offset_minutes), "createdDateISO": iso(coupon.created),
        "transactionNumber": coupon.transaction_number,
        "issuedAt": {"code": coupon.store["code"], "name": coupon.store["name"]},
        "redemptions": [_redemption(r, offset_minutes) for r in coupon.used],
        "reversedRedemptions": [_reversed(r) for r in coupon.redemptions if r.reversed_on] if reversed_too else [],
        "validTillDateTime": f"{day}T23:59:59Z",
    }  # fmt: skip


def _redemption(r: Redemption, offset_minutes: int) -> dict[str, Any]:
    where = {"code": r.store["code"], "name": r.store["name"]}
    return {"id": r.id, "date": local_z(r.time, offset_minutes), "dateISO": iso(r.time),
            "transactionNumber": r.transaction_number, "redeemedAt": where}  # fmt: skip


def _reversed(r: Redemption) -> dict[str, Any]:
    """A reversed redemption, in the shape of the detailed list's release note.

    activity-api.md §5.1 (docs.capillarytech.com/reference/get-customer-coupons-detailed).
    """
    assert r.reversed_on is not None
    return {"date": iso(r.time), "transactionNumber": r.transaction_number,
            "redeemedAt": {"code": r.store["code"], "name": r.store["name"], "isReversed": True,
                           "reversedOn": iso(r.reversed_on)}}  # fmt: skip
