"""Points: the ledger (event by event, and closing balances) and the expiry schedule, from a customer's activity.

activity-api.md §2.1 (docs.capillarytech.com/reference/get-ledger-information), §2.2
(docs.capillarytech.com/reference/get-customer-ledger-balance), §3.1
(docs.capillarytech.com/reference/get-points-expiry-schedule) and §3.2 (the customer embeds, shapes from the
user-group APIs: docs.capillarytech.com/reference/retrieve-user-group-member-details and SL _userGroup2.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from .activity import Activity, Bucket, Event
from .errors import FakeError
from .formats import as_bool, as_int, csv, iso, legacy, money, parse_when, points, points_text

ENTRY_TYPES = ("CREDIT", "DEBIT", "OPENING_BALANCE")
# pointCategoryType -> the pointsCategory it selects: Main is redeemable, DelayedAccrual promised (activity-api.md
# §2.1, docs.capillarytech.com/reference/get-ledger-information).
CATEGORIES = {"REGULAR": "Main", "PROMISED": "DelayedAccrualPointCategory",
              "TRIGGER_BASED": "ExternalTriggerBasedPointCategory"}  # fmt: skip
BALANCE_CATEGORIES = ("Main", "DelayedAccrualPointCategory")
EXPIRY_PARAMS = {
    "source", "identifierName", "identifierValue", "accountId", "programId", "fetchDataForAllPrograms",
    "fetchEarliestExpiryOnly", "startDate", "endDate",
}  # fmt: skip
YEARS_100 = 36524


@dataclass
class LedgerQuery:
    """getCustomerLedgerInfo / getCustomerLedgerBalance parameters, parsed once."""

    limit: int
    page: int
    order: str
    program_id: int | None
    start: datetime | None
    end: datetime | None
    entry_type: str | None
    category: str | None
    tills: set[str] | None
    include_concepts: bool


def parse_ledger_query(q: dict[str, str], config: dict[str, Any], *, balance: bool, now: datetime) -> LedgerQuery:
    """Validate the documented parameters with the documented codes (11029, 11007, 11008, 11025-11028, 9003)."""
    behaviour = config["behaviour"]
    status = int(behaviour["item_error_status"])
    limit = as_int(q, "limit", int(behaviour["ledger_default_limit"])) or 0
    page = as_int(q, "offset", 0) or 0
    top = int(behaviour["ledger_balance_max_limit" if balance else "ledger_max_limit"])
    if limit > top:
        raise FakeError(status, 11029, f"Limit cannot be greater than {top}")
    if limit < 1 or page < 0:
        raise FakeError(400, 400, "limit must be at least 1 and offset (a page number) not negative")
    order = (q.get("order") or behaviour["ledger_default_order"]).strip().upper()
    if order not in ("ASC", "DESC"):
        raise FakeError(400, 400, "Invalid order: use ASC or DESC")
    if (q.get("type") or "CUSTOMER").strip().upper() != "CUSTOMER":
        raise FakeError(status, 9003)  # no groups or fleets in the fake: nothing to read for them
    entry_type = (q.get("ledgerEntryType") or "").strip().upper() or None
    if entry_type and entry_type not in ENTRY_TYPES:
        raise FakeError(status, 11007)
    category = (q.get("pointCategoryType") or "").strip().upper() or None
    if category and category not in CATEGORIES:
        raise FakeError(status, 11008)
    start, end = (None, parse_end(q, now)) if balance else _window(q, behaviour, status)
    return LedgerQuery(
        limit=limit, page=page, order=order, program_id=as_int(q, "programId"), start=start, end=end,
        entry_type=entry_type, category=CATEGORIES[category] if category else None,
        tills=_tills(q, config, status), include_concepts=as_bool(q, "includeConceptDetails"),
    )  # fmt: skip


def parse_end(q: dict[str, str], now: datetime) -> datetime:
    """The balance's endDate: as of when (default now; the docs' 'startDate plus 7 days' has no startDate)."""
    raw = q.get("endDate")
    if not raw:
        return now
    when = parse_when(raw)
    if when is None:
        raise FakeError(400, 400, "Invalid endDate: use yyyy-MM-ddTHH:mm:ss")
    return when


def _window(q: dict[str, str], behaviour: dict[str, Any], status: int) -> tuple[datetime | None, datetime | None]:
    """startDate/endDate: at most 90 days (a year with includeLastOneYearData); one date alone spans that window."""
    if not as_bool(q, "isFilterBasedOnDate", True):
        return None, None
    start, end = (None if not q.get(k) else parse_when(q[k]) for k in ("startDate", "endDate"))
    for name, raw, value in (("startDate", q.get("startDate"), start), ("endDate", q.get("endDate"), end)):
        if raw and value is None:
            raise FakeError(400, 400, f"Invalid {name}: use yyyy-MM-ddTHH:mm:ss")
    one_year = as_bool(q, "includeLastOneYearData")
    days = int(behaviour["ledger_max_range_days_one_year" if one_year else "ledger_max_range_days"])
    span = timedelta(days=days)
    if start and end:
        if end < start:
            raise FakeError(400, 400, "endDate is before startDate")
        if end - start > span:
            if behaviour["ledger_over_range"] != "clamp":
                raise FakeError(status, 400, f"The date range cannot be more than {days} days")
            end = start + span
        return start, end
    if start:
        return start, start + span
    if end:
        return end - span, end
    # No dates: "the entire purchase history" (activity-api.md §2.1 and §8.4,
    # docs.capillarytech.com/reference/get-ledger-information).
    return None, None


def _tills(q: dict[str, str], config: dict[str, Any], status: int) -> set[str] | None:
    """The till codes tillId / tillIds / storeId / storeCode select (only one of them may be sent: 11028)."""
    given = [k for k in ("tillId", "tillIds", "storeId", "storeCode") if q.get(k)]
    if not given:
        return None
    if len(given) > 1:
        raise FakeError(status, 11028)
    key = given[0]
    stores = config["stores"]
    tills = {t["id"]: t["code"] for s in stores for t in s["tills"]}
    if key in ("tillId", "tillIds"):
        raw = csv(q, key)
        bad = next((r for r in raw if not r.lstrip("-").isdigit()), None)
        if bad is not None:
            raise FakeError(status, 11025, f'Till id format exception:For input string: "{bad}"')
        unknown = [int(r) for r in raw if int(r) not in tills]
        if unknown:
            raise FakeError(status, 11027, f"Invalid tillIds: [{', '.join(str(u) for u in unknown)}]")
        return {tills[int(r)] for r in raw}
    value = q[key].strip()
    field = "id" if key == "storeId" else "code"
    store = next((s for s in stores if str(s[field]) == value), None)
    if store is None:
        raise FakeError(
            status, 11026, f"No tills found for store with store {'id' if field == 'id' else 'code'}: {value}"
        )
    return {t["code"] for t in store["tills"]}


def customer_details(record: dict[str, Any], profile: dict[str, Any] | None, *, names: bool) -> dict[str, Any]:
    """customerDetails: names from the profile read (left out when it has none), the externalId if any."""
    out: dict[str, Any] = {}
    if names and profile:
        for key in ("firstName", "lastName"):
            if profile.get(key) is not None:
                out[key] = profile[key]
    out["userId"] = record["id"]
    idents = [i for p in record["profiles"] for i in p.get("identifiers", [])]
    external = next((i["value"] for i in idents if i["type"] == "externalId"), None)
    if external is not None:
        out["externalId"] = external
    out["entityType"] = "CUSTOMER"
    return out


def _no_points(record: dict[str, Any], config: dict[str, Any]) -> None:
    programs = {p["programId"] for p in config["programs"]}
    if not any(s["programId"] in programs for s in record.get("x", {}).get("programs", [])):
        # activity-api.md §2.1 (docs.capillarytech.com/reference/get-ledger-information): 9003 "No CPS entry"
        # means no customer points summary row: never enrolled.
        raise FakeError(int(config["behaviour"]["item_error_status"]), 9003)


def _paged(rows: list[Any], query: LedgerQuery, config: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    total = len(rows)
    pages = math.ceil(total / query.limit)
    if query.page >= pages and (total or config["behaviour"]["ledger_empty_result"] == "error"):
        # activity-api.md §2.1 (docs.capillarytech.com/reference/get-ledger-information): 11003 past the last page.
        raise FakeError(int(config["behaviour"]["item_error_status"]), 11003)
    start = query.page * query.limit
    details = {"pageNumber": query.page, "pageSize": query.limit, "totalEntries": total, "pageCount": pages}
    return rows[start : start + query.limit], details


def info_body(
    record: dict[str, Any], profile: dict[str, Any] | None, activity: Activity, query: LedgerQuery,
    config: dict[str, Any], warnings: list[dict[str, Any]],
) -> dict[str, Any]:  # fmt: skip
    """GET /v2/pointsLedger/getCustomerLedgerInfo."""
    _no_points(record, config)
    rows = []
    for ev in activity.events:
        if (query.start and ev.time < query.start) or (query.end and ev.time > query.end):
            continue
        if query.tills is not None and (ev.till is None or ev.till["code"] not in query.tills):
            continue
        entries = [
            e for e in ev.entries
            if (query.program_id is None or e.program_id == query.program_id)
            and (query.entry_type is None or e.kind == query.entry_type)
            and (query.category is None or query.category == "Main")
        ]  # fmt: skip
        if entries:
            rows.append((ev, entries))
    if query.order == "DESC":
        rows.reverse()
    shown, details = _paged(rows, query, config)
    return {
        "customerDetails": customer_details(record, profile, names=True),
        "ledgerDetails": details,
        "ledgerEntries": [ledger_entry(ev, entries, record["id"], query, config) for ev, entries in shown],
        "warnings": warnings,
    }


def ledger_entry(ev: Event, entries: list[Any], customer_id: int, query: LedgerQuery, config: dict[str, Any]) -> dict:
    """One ledgerEntries[] item, key order as the docs' example."""
    programs = {p["programId"]: p["programName"] for p in config["programs"]}
    pid = entries[0].program_id
    # activity-api.md §2.1 (docs.capillarytech.com/reference/get-ledger-information): in the examples
    # PointsExpiry rows carry the program id as customerId.
    quirk = ev.name == "PointsExpiry" and config["behaviour"]["ledger_expiry_customer_id"] == "program"
    net = sum(e.points_m if e.kind == "CREDIT" else -e.points_m for e in entries if e.kind != "OPENING_BALANCE")
    store, till = ev.store or {}, ev.till or {}
    out: dict[str, Any] = {
        "eventLogId": ev.id, "eventName": ev.name, "customerId": pid if quirk else customer_id,
        "ledgerCreatedDate": legacy(ev.time), "ledgerCreatedDateISO": iso(ev.time),
        "customerDetails": {"userId": 0} if ev.bill is not None else None,
        "entryDetails": [
            {"ledgerEntryType": e.kind, "points": points_text(e.points_m), "pointsCategory": "Main",
             "programName": programs.get(e.program_id, ""), "programId": e.program_id}
            for e in entries
        ],
        "netPointsOnEvent": points_text(net), "netAlternateCurrenciesOnEvent": {},
        "transactionDetails": _transaction_details(ev), "store": store.get("name", ""),
        "storeCode": store.get("code", ""), "tillCode": till.get("code", ""),
        "eventDetails": {"eventDate": legacy(ev.time), "eventDateISO": iso(ev.time)},
        "sourceProgramId": pid, "sourceProgramName": programs.get(pid, ""), "orgId": config["org"]["orgId"],
    }  # fmt: skip
    if query.include_concepts:
        out["conceptId"] = store.get("conceptId", -1)
        out["conceptName"] = store.get("concept", "")
    return out


def _transaction_details(ev: Event) -> dict[str, Any]:
    """The bill an event is about; a ReturnBill carries the ORIGINAL bill.

    activity-api.md §2.1 and §8.6 (docs.capillarytech.com/reference/get-ledger-information).
    """
    bill = ev.bill
    if bill is None:
        return {}
    return {
        "transactionId": bill.id, "transactionNumber": bill.number, "date": legacy(bill.time),
        "dateISO": iso(bill.time), "amount": money(bill.amount_c),
        "grossBillAmount": money(bill.amount_c + bill.discount_c), "source": "instore",
    }  # fmt: skip


def balance_body(
    record: dict[str, Any], activity: Activity, query: LedgerQuery, config: dict[str, Any],
    warnings: list[dict[str, Any]],
) -> dict[str, Any]:  # fmt: skip
    """GET /v2/pointsLedger/getCustomerLedgerBalance: one row per program and points category, as of endDate."""
    _no_points(record, config)
    programs = {p["programId"]: p["programName"] for p in config["programs"]}
    states = [s for s in record.get("x", {}).get("programs", []) if s["programId"] in programs]
    rows = []
    for s in states:
        pid = s["programId"]
        if query.program_id is not None and pid != query.program_id:
            continue
        for category in BALANCE_CATEGORIES:
            if query.category is not None and category != query.category:
                continue
            balance = 0
            if category == "Main":
                for ev in activity.events:
                    if ev.time > query.end or (
                        query.tills is not None and (ev.till or {}).get("code") not in query.tills
                    ):
                        continue
                    for e in ev.entries:
                        if e.program_id == pid and e.kind != "OPENING_BALANCE" and query.entry_type in (None, e.kind):
                            balance += e.points_m if e.kind == "CREDIT" else -e.points_m
            rows.append({"pointsCategory": category, "programName": programs[pid], "programId": pid,
                         "closingBalance": points_text(balance)})  # fmt: skip
    shown, details = _paged(rows, query, config)
    return {
        "customerDetails": customer_details(record, None, names=False),
        "ledgerDetails": details | {"ledgerClosingBalance": shown},
        "warnings": warnings,
    }


# -- expiry schedule ---------------------------------------------------------------------------------------------
def expiry_body(
    record: dict[str, Any], activity: Activity, q: dict[str, str], config: dict[str, Any], *, today: date,
    warnings: list[dict[str, Any]],
) -> dict[str, Any]:  # fmt: skip
    """The customer-shaped answer of pointsExpirySchedule, buckets soonest first.

    activity-api.md §3.1 (docs.capillarytech.com/reference/get-points-expiry-schedule).
    """
    behaviour = config["behaviour"]
    status = int(behaviour["item_error_status"])
    if behaviour["expiry_unknown_params"] == "reject" and set(q) - EXPIRY_PARAMS:
        raise FakeError(status, 8130, "Lookup,Invalid Params passed")
    start, end = _expiry_dates(q, today, status)
    org_programs = {p["programId"]: p for p in config["programs"]}
    raw_program = q.get("programId")
    if raw_program:
        if not raw_program.strip().isdigit() or int(raw_program) not in org_programs:
            raise FakeError(status, 885, "Invalid program id passed")
        wanted = {int(raw_program)}
    else:
        wanted = {p["programId"] for p in config["programs"] if p.get("default")}
    if as_bool(q, "fetchDataForAllPrograms"):
        wanted = set(org_programs)
    buckets = [b for b in merged(activity.buckets) if b.program_id in wanted and start <= b.expires <= end]
    if as_bool(q, "fetchEarliestExpiryOnly"):
        seen: set[tuple[int, str, str]] = set()
        earliest = []
        for b in buckets:
            if (key := (b.program_id, b.points_type, b.expiry_type)) not in seen:
                seen.add(key)
                earliest.append(b)
        buckets = earliest
    return {
        "id": record["id"], "profiles": [], "loyaltyInfo": {"loyaltyType": record["loyaltyInfo"]["loyaltyType"]},
        "segments": {}, "extendedFields": {}, "expirySchedules": [schedule_item(b) for b in buckets],
        "warnings": warnings,
    }  # fmt: skip


def _expiry_dates(q: dict[str, str], today: date, status: int) -> tuple[date, date]:
    """startDate (default today; when given, from tomorrow on) and endDate (default and limit: 100 years)."""
    parsed: dict[str, date | None] = {}
    for name in ("startDate", "endDate"):
        raw = (q.get(name) or "").strip()
        if not raw:
            parsed[name] = None
            continue
        try:
            parsed[name] = date.fromisoformat(raw) if len(raw) == 10 else None
        except ValueError:
            parsed[name] = None
        if parsed[name] is None:
            message = f"The date format used for {name} is not supported. Enter the date in (yyyy-MM-dd) format"
            raise FakeError(status, 1216, message)
    start = parsed["startDate"]
    if start is not None and start <= today:
        raise FakeError(status, 1215, "startDate cannot be in past")
    start = start or today
    limit = today + timedelta(days=YEARS_100)
    end = parsed["endDate"] or start + timedelta(days=YEARS_100)
    if end > limit:
        raise FakeError(status, 1217, "endDate cannot be after 100 years from now")
    if start > end:
        raise FakeError(status, 1214, "startDate is after endDate")
    return start, end


def merged(buckets: list[Bucket]) -> list[Bucket]:
    """Buckets of the same day, program, points type and expiry type added together, soonest first."""
    out: dict[tuple[date, int, str, str], Bucket] = {}
    for b in buckets:
        key = (b.expires, b.program_id, b.points_type, b.expiry_type)
        if key in out:
            out[key] = Bucket(b.program_id, out[key].points_m + b.points_m, b.expires, b.points_type, b.expiry_type)
        else:
            out[key] = b
    return [out[k] for k in sorted(out)]


def schedule_item(b: Bucket) -> dict[str, Any]:
    """One expirySchedules[] bucket: the keys of activity-api.md §3.1's example.

    docs.capillarytech.com/reference/get-points-expiry-schedule
    """
    day = b.expires.isoformat()
    return {"points": points(b.points_m), "expiryDate": day, "expiryDateISO": f"{day}T00:00:00Z",
            "programId": b.program_id, "pointsType": b.points_type, "expiryType": b.expiry_type}  # fmt: skip


def embed_expiry_schedules(activity: Activity, today: date) -> list[dict[str, Any]]:
    """embed=expirySchedules on a customer read: the user-group shape, no pointsType/expiryType.

    activity-api.md §3.2, INFERRED there (embed listed on docs.capillarytech.com/reference/get-customer-details-v2;
    shape from docs.capillarytech.com/reference/retrieve-user-group-member-details).
    """
    per_day: dict[tuple[date, int], int] = {}
    for b in activity.buckets:
        if b.expires >= today:
            per_day[(b.expires, b.program_id)] = per_day.get((b.expires, b.program_id), 0) + b.points_m
    return [
        {"points": points(m), "expiryDate": d.isoformat(), "expiryDateISO": f"{d.isoformat()}T00:00:00Z",
         "programId": pid}
        for (d, pid), m in sorted(per_day.items())
    ]  # fmt: skip


def embed_expired_points(activity: Activity) -> list[dict[str, Any]]:
    """embed=expiredPoints on a customer read: the SL user-group shape, one entry per program and day.

    activity-api.md §3.2 (embed listed on docs.capillarytech.com/reference/get-customer-details-v2; shape from
    Capillary/api-documentation _userGroup2.md "Get Group Details").
    """
    groups: dict[tuple[date, int], list[Any]] = {}
    for x in activity.expiries:
        groups.setdefault((x.on.astimezone(UTC).date(), x.program_id), []).append(x)
    out = []
    for (day, pid), items in sorted(groups.items(), reverse=True):
        summary = [
            {"paType": x.award_type, "paId": x.award.id, "expiryUpdateReasonType": "Expiry strategy",
             "expiryUpdateReasonNote": "NA", "newExpiryDate": legacy(x.on), "eventDate": legacy(x.on),
             "points": points(x.points_m), "strategyName": "365Days_rolling"}
            for x in items
        ]  # fmt: skip
        out.append({"points": points(sum(x.points_m for x in items)), "expiredOn": day.isoformat(), "programId": pid,
                    "expiredPointsSummary": summary})  # fmt: skip
    return out
