"""Reads about a customer's activity, for "where are my points?": transactions and one bill, the points ledger, the
expiry schedule and coupons, in plain words.

Sources: activity-api.md §1-§5 (docs.capillarytech.com/reference/v2api-get-customer-transactions,
/get-transaction-details, /get-customer-ledger-info, /get-points-expiry-schedule, /get-customer-coupons-basic).
Each read is one upstream call, made only when the agent opens that part of the customer page (htmx) or its own
page, so the page itself costs one call. Capillary's answers are kept ACTIVITY_CACHE_SECONDS per customer, before any
masking (each viewer's mask is applied on every read, so no one sees what their role may not), and dropped when the
console itself changes the customer (core.freshness.customer_changed).
"""

import hashlib
import json
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from memberconsole.capillary import activity_schemas as act
from memberconsole.capillary import errors as cap
from memberconsole.capillary.client import CapillaryClient
from memberconsole.capillary.factory import get_capillary_client
from memberconsole.core.exceptions import translate_error
from memberconsole.core.formatting import as_date, date_text
from memberconsole.core.freshness import customer_version
from memberconsole.core.masking import ContactMask
from memberconsole.customers import domain

BILLS_PER_PAGE = 20
LEDGER_PER_PAGE = 20
COUPONS_PER_PAGE = 50
# activity-api.md §2.1: the ledger gives at most 90 days per call (a year with includeLastOneYearData).
LEDGER_MAX_DAYS = 90
PROGRAM_TITLES_SECONDS = 600

KIND_WORDS = {
    "REGULAR": ("Purchase", "ok"),
    "RETURN": ("Return", "warn"),
    "NOT_INTERESTED": ("Not for loyalty", "neutral"),
    "NOT_INTERESTED_RETURN": ("Return of a bill not for loyalty", "neutral"),
    "MIXED": ("Purchase, partly for loyalty", "ok"),
    "NI_MIXED": ("Purchase, partly not for loyalty", "neutral"),
}
RETURN_WORDS = {"FULL": "whole bill", "LINE_ITEM": "some items", "AMOUNT": "an amount", "CANCELLED": "cancelled"}
# Outlier statuses under which a bill earns nothing (activity-api.md §1.1).
NO_POINTS_OUTLIERS = {
    "OUTLIER": "The program's rules marked this bill an outlier, so it earns no points.",
    "INVALID": "Capillary marked this bill invalid, so it earns no points.",
    "FRAUD": "Capillary marked this bill as fraud, so it earns no points.",
    "FAILED": "Capillary could not process this bill for loyalty, so it earned no points.",
    "DELETED": "This bill was deleted in Capillary.",
    "TEST": "A test bill: it earns no points.",
}
EVENT_WORDS = {
    "TransactionAdd": "Earned on a bill",
    "TransactionUpdate": "Changed with a bill",
    "ReturnBill": "Taken back for a return",
    "PointsRedemption": "Redeemed",
    "PointsRedemptionReversal": "Redemption reversed",
    "VoucherRedemption": "Redeemed for a voucher",
    "PointsExpiry": "Expired",
    "ManualPointsAdjustment": "Adjusted by hand",
    "BulkAllocatePoints": "Given in a bulk allocation",
    "CustomerRegistration": "Given on joining",
    "CustomerUpdate": "Given on a profile update",
    "DelayedAccrual": "Promised points became available",
    "PointsTransfer": "Transferred",
    "TargetCompleted": "Given for a completed target",
    "GenericEvent": "Given for an event",
}


def _client(client: CapillaryClient | None) -> CapillaryClient:
    return client or get_capillary_client()


def _fetch(call):
    try:
        return call()
    except cap.CapillaryError as exc:
        raise translate_error(exc) from exc


# ---------------------------------------------------------------------------------------------------- the cache


class _Missing:
    """A cached "nothing here" answer (CapillaryNotFoundError): its codes are what the parts read."""

    def __init__(self, codes: tuple[int, ...], request_id: str | None) -> None:
        self.codes, self.request_id = codes, request_id


def _cached(customer_id: int, part: str, params: dict, call):
    """Capillary's answer for this part and these parameters: from the cache for ACTIVITY_CACHE_SECONDS, else one
    call. Not-found answers are kept too (an empty ledger is one); failures never are. Parameters are hashed: a bill
    number or a date range is never a cache key in clear."""
    seconds = settings.ACTIVITY_CACHE_SECONDS
    if seconds <= 0:
        return call()
    version = customer_version(customer_id=customer_id)
    digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:32]
    key = f"customers:activity:{customer_id}:{version}:{part}:{digest}"
    answer = cache.get(key)
    if answer is None:
        try:
            answer = call()
        except cap.CapillaryNotFoundError as exc:
            answer = _Missing(exc.codes, exc.request_id)
        cache.set(key, answer, seconds)
    if isinstance(answer, _Missing):
        raise cap.CapillaryNotFoundError(
            "Capillary found nothing (kept)", codes=answer.codes, request_id=answer.request_id
        )
    return answer


def _dec(value) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _store(actor) -> str:
    if actor is None:
        return ""
    return " · ".join(part for part in (actor.name, actor.code) if part)


# ---------------------------------------------------------------------------------------------------- programs


def program_titles_remember(*, customer_id: int, titles: dict[int, str]) -> None:
    """The customer page leaves its program names for the activity area (so it need not ask Capillary again)."""
    cache.set(f"customers:program-titles:{customer_id}", titles, PROGRAM_TITLES_SECONDS)


def _program_titles(customer_id: int) -> dict[int, str]:
    """The program names the customer page left (one cache read per activity part, not one per row)."""
    return cache.get(f"customers:program-titles:{customer_id}") or {}


def _program(titles: dict[int, str], program_id: int | None, name: str | None = None) -> str:
    return name or titles.get(program_id) or (f"Program {program_id}" if program_id is not None else "")


# ---------------------------------------------------------------------------------------------------- transactions


def _bill_points(transaction: act.CustomerTransaction) -> Decimal | None:
    points = transaction.bill_points
    if points is None or not (points.aggregated_bill_points or points.points_breakup):
        # Not asked for, or empty arrays: a return, or a bill that earned nothing (activity-api.md §8.6, §8.7).
        return None
    total = Decimal(0)
    for program in points.aggregated_bill_points:
        for part in (program.regular_points, program.promise_points, program.promo_points):
            if part is not None and part.points is not None:
                total += _dec(part.points)
    if not points.aggregated_bill_points:
        for program in points.points_breakup:
            for award in [*program.regular_points, *program.promise_points, *program.promo_points]:
                total += _dec(award.points) or 0
    return total


def no_points_reason(*, kind: str, outlier: str, points: Decimal | None, non_loyalty: bool = False) -> str:
    """Why a bill earned nothing, as far as Capillary says; empty when it earned points."""
    if kind in {"NOT_INTERESTED", "NOT_INTERESTED_RETURN"}:
        return "Not a loyalty bill (the customer or the store chose not to add it to loyalty): it earns no points."
    if kind == "RETURN":
        return "A return: it takes back points the bill earned, rather than earning any."
    if outlier.upper() in NO_POINTS_OUTLIERS:
        return NO_POINTS_OUTLIERS[outlier.upper()]
    if non_loyalty:
        return "The customer is not a loyalty member, so bills earn no points."
    if points is not None and points == 0:
        return "This bill earned no points. Capillary gives no reason; the program's rules may exclude it."
    return ""


def _bill_row(t: act.CustomerTransaction) -> domain.BillRow:
    kind = (t.type or "REGULAR").upper()
    words, tone = KIND_WORDS.get(kind, (kind.replace("_", " ").capitalize(), "neutral"))
    if kind == "RETURN" and t.return_type:
        words = f"Return ({RETURN_WORDS.get(t.return_type.upper(), t.return_type.lower())})"
    points = _bill_points(t)
    if kind in {"RETURN", "NOT_INTERESTED_RETURN"} and points:
        points = -abs(points)
    return domain.BillRow(
        id=int(t.id or 0),
        kind=kind,
        kind_words=words,
        tone=tone,
        billed_at=t.billing_time,
        bill_number=t.bill_number or "",
        store=_store(t.billing_store),
        amount=_dec(t.amount),
        points=points,
        returns_bill=(t.bill_number or "") if kind in {"RETURN", "NOT_INTERESTED_RETURN"} else "",
        no_points_reason=no_points_reason(kind=kind, outlier=t.outlier_status or "", points=points),
        notes=t.notes or "",
    )


def customer_bills(
    *,
    customer_id: int,
    offset: int = 0,
    number: str = "",
    start: date | None = None,
    end: date | None = None,
    client: CapillaryClient | None = None,
) -> domain.BillPage:
    """A page of the customer's transactions, newest first (optionally one bill number or a date range)."""
    params = {
        "limit": BILLS_PER_PAGE,
        "offset": offset,
        "sort_order": "DESC",
        "number": number or None,
        "start_date": f"{start.isoformat()} 00:00:00" if start else None,
        "end_date": f"{end.isoformat()} 23:59:59" if end else None,
        "embed": ("BILL_POINTS", "BILL_STORE_DETAILS"),
    }
    page = _fetch(
        lambda: _cached(
            customer_id,
            "transactions",
            params,
            lambda: _client(client).customer_transactions(customer_id=customer_id, **params),
        )
    )
    rows = [_bill_row(t) for t in page.transactions]
    total = (page.pagination.total if page.pagination else None) or len(rows)
    following = offset + len(rows)
    return domain.BillPage(rows=rows, total=total, next_offset=following if following < total and rows else None)


def customer_bill(
    *, customer_id: int, transaction_id: int, kind: str = "REGULAR", client: CapillaryClient | None = None
) -> domain.Bill:
    """One transaction with its line items and the points it earned, with their expiry."""
    params = {"transaction_id": transaction_id, "transaction_type": kind if kind != "REGULAR" else None}
    t = _fetch(
        lambda: _cached(
            customer_id, "bill", params, lambda: _client(client).transaction_get(**params, with_points=True)
        )
    )
    details = t.bill_details or act.BillDetails()
    kind = (t.type or kind or "REGULAR").upper()
    words, _ = KIND_WORDS.get(kind, (kind.replace("_", " ").capitalize(), "neutral"))
    lines = []
    for item in t.line_items:
        d = item.details or act.LineItemDetails()
        lines.append(
            domain.BillLine(
                description=d.description or "",
                item_code=d.item_code or "",
                quantity=_dec(d.qty),
                rate=_dec(d.rate),
                amount=_dec(d.amount if d.amount is not None else d.value),
            )
        )
    titles = _program_titles(customer_id)
    points = [
        domain.BillPoints(
            program=_program(titles, p.program_id),
            issued=_dec(p.issued_points),
            returned=_dec(p.returned_points),
            redeemed=_dec(p.redeemed_points),
            expired=_dec(p.expired_points),
            available=_dec(p.available_points),
            expires_on=p.expiry_date,
        )
        for p in t.loyalties_point_details
    ]
    earned = sum((p.issued or 0 for p in points), Decimal(0)) if points else None
    return domain.Bill(
        id=int(t.id or transaction_id),
        kind_words=words,
        bill_number=details.bill_number or "",
        billed_at=details.billing_time,
        store=_store(details.billing_store),
        amount=_dec(details.amount),
        gross_amount=_dec(details.gross_amount),
        discount=_dec(details.discount),
        lines=lines,
        points=points,
        no_points_reason=no_points_reason(kind=kind, outlier=t.outlier_status or "", points=earned),
    )


# ---------------------------------------------------------------------------------------------------- ledger


def _signed(entry: act.LedgerEntry) -> Decimal | None:
    if entry.net_points_on_event is not None:
        return _dec(entry.net_points_on_event)
    if not entry.entry_details:
        return None
    return sum((d.signed_points() for d in entry.entry_details), Decimal(0))


def ledger_window(start: date | None, end: date | None, *, today: date) -> tuple[date, date, str]:
    """The dates to ask for: Capillary gives at most LEDGER_MAX_DAYS at once; a wider ask is cut, and said so."""
    end = end or today
    start = start or end - timedelta(days=LEDGER_MAX_DAYS - 1)
    if start > end:
        start, end = end, start
    note = ""
    if (end - start).days + 1 > LEDGER_MAX_DAYS:
        wanted = start
        start = end - timedelta(days=LEDGER_MAX_DAYS - 1)
        note = (
            f"Capillary gives the ledger {LEDGER_MAX_DAYS} days at a time: showing {date_text(start)} to "
            f"{date_text(end)}, not from {date_text(wanted)}. Choose an earlier range to see before that."
        )
    return start, end, note


def customer_ledger(
    *,
    customer_id: int,
    page: int = 0,
    entry_type: str = "",
    start: date | None = None,
    end: date | None = None,
    client: CapillaryClient | None = None,
) -> domain.LedgerPage:
    """A page of the customer's points ledger, newest first: each event and what it did to the balance."""
    today = timezone.localdate()
    start, end, note = ledger_window(start, end, today=today)
    params = {
        "start_date": f"{start.isoformat()}T00:00:00",
        "end_date": f"{end.isoformat()}T23:59:59",
        "ledger_entry_type": entry_type or None,
        "order": "DESC",
        "page": page,
        "limit": LEDGER_PER_PAGE,
    }
    try:
        ledger = _cached(
            customer_id,
            "ledger",
            params,
            lambda: _client(client).points_ledger(
                identifier_name="id", identifier_value=str(customer_id), source="INSTORE", **params
            ),
        )
    except cap.CapillaryNotFoundError as exc:
        # activity-api.md §2.1: no entries in the range (11003), or a customer in no program (9003).
        words = (
            "Not in a loyalty program, so there is no points ledger."
            if 9003 in exc.codes
            else f"No points moved between {date_text(start)} and {date_text(end)}."
        )
        return domain.LedgerPage(
            rows=[], total=0, page=page, next_page=None, start=start, end=end, window_note=note, empty_words=words
        )
    except cap.CapillaryError as exc:
        raise translate_error(exc) from exc
    rows = []
    titles = _program_titles(customer_id)
    for entry in ledger.entries:
        points = _signed(entry)
        program = next((d.program_name for d in entry.entry_details if d.program_name), None)
        program_id = next((d.program_id for d in entry.entry_details if d.program_id is not None), None)
        rows.append(
            domain.LedgerRow(
                happened_at=entry.ledger_created_date_iso or entry.ledger_created_date,
                event_words=EVENT_WORDS.get(entry.event_name or "", (entry.event_name or "Event").replace("_", " ")),
                event_code=entry.event_name or "",
                program=_program(titles, program_id, program),
                points=points,
                tone="ok" if points and points > 0 else "error" if points and points < 0 else "neutral",
                bill_number=(entry.transaction_details.transaction_number or "") if entry.transaction_details else "",
                store=" · ".join(part for part in (entry.store, entry.store_code) if part),
            )
        )
    details = ledger.ledger_details
    return domain.LedgerPage(
        rows=rows,
        total=(details.total_entries if details else None) or len(rows),
        page=page,
        next_page=details.next_page if details else None,
        start=start,
        end=end,
        window_note=note,
        empty_words=f"No points moved between {date_text(start)} and {date_text(end)}.",
    )


# ---------------------------------------------------------------------------------------------------- expiry


def customer_expiry(*, customer_id: int, client: CapillaryClient | None = None) -> list[domain.Expiry]:
    """Points that will expire, soonest first, per program."""
    try:
        schedule = _cached(
            customer_id,
            "expiry",
            {},
            lambda: _client(client).points_expiry_schedule(customer_id=customer_id, fetch_data_for_all_programs=True),
        )
    except cap.CapillaryNotFoundError:
        return []
    except cap.CapillaryError as exc:
        raise translate_error(exc) from exc
    today = timezone.localdate()
    buckets = []
    titles = _program_titles(customer_id)
    for b in schedule.schedules:
        when = b.expiry_date_iso or b.expiry_date
        day = as_date(when)
        if not b.points or (day is not None and day < today):
            continue
        buckets.append(domain.Expiry(points=_dec(b.points), expires_on=when, program=_program(titles, b.program_id)))
    return sorted(buckets, key=lambda e: as_date(e.expires_on) or date.max)


# ---------------------------------------------------------------------------------------------------- coupons


def _coupon_status(coupon: act.Coupon, now: datetime) -> tuple[str, str]:
    """Capillary gives no status (activity-api.md §5.1): redeemed, expired unused, or active."""
    uses = coupon.redemption_count or len(coupon.redemptions)
    if uses and coupon.redemptions_left == -1 and not coupon.is_expired(now):
        return f"Redeemed {uses}×, still usable", "info"
    if coupon.is_redeemed:
        return ("Redeemed" if uses <= 1 else f"Redeemed {uses}×"), "info"
    if coupon.is_expired(now):
        return "Expired unused", "neutral"
    return "Active", "ok"


def _coupon_note(coupon: act.Coupon) -> str:
    notes = []
    if coupon.transaction_number and coupon.transaction_number != "0":
        notes.append(f"Issued on bill {coupon.transaction_number}")
    if coupon.reversed_redemptions:
        count = len(coupon.reversed_redemptions)
        notes.append("A redemption was reversed" if count == 1 else f"{count} redemptions were reversed")
    if coupon.redemptions_left == -1:
        notes.append("Unlimited uses")
    return ". ".join(notes)


def customer_coupons(
    *, customer_id: int, mask: ContactMask, client: CapillaryClient | None = None
) -> list[domain.CouponRow]:
    """The customer's coupons, issued, redeemed and expired, newest first; codes masked like contact details."""
    try:
        page = _cached(
            customer_id,
            "coupons",
            {},
            lambda: _client(client).customer_coupons(
                customer_id=customer_id, limit=COUPONS_PER_PAGE, sort_order="DESC", include_reversed_redemptions=True
            ),
        )
    except cap.CapillaryNotFoundError:
        return []
    except cap.CapillaryError as exc:
        raise translate_error(exc) from exc
    now = timezone.now()
    rows = []
    for customer in page.customers:
        for c in customer.coupons:
            status, tone = _coupon_status(c, now)
            where = ""
            if c.redemptions:
                last = c.redemptions[-1]
                place = " · ".join(
                    p for p in ((last.redeemed_at.name, last.redeemed_at.code) if last.redeemed_at else ()) if p
                )
                day = date_text(last.date_iso or last.date)
                where = ", ".join(part for part in (place, day) if part)
            rows.append(
                domain.CouponRow(
                    code=mask.value("coupon", c.code or ""),
                    series=str(c.series_id) if c.series_id is not None else "",
                    description=c.description or "",
                    status=status,
                    tone=tone,
                    valid_until=c.valid_till_date_time or c.valid_till,
                    issued_at=c.created_date_iso or c.created_date,
                    redeemed_where=where,
                    note=_coupon_note(c),
                )
            )
    return rows
