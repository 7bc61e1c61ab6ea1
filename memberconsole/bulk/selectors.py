"""Reads for bulk lookup: the agent's recent jobs, one job, its counts, its rows (masked as the viewer may see)."""

import math
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.utils import timezone

from memberconsole.core.budget import bulk_rate_per_minute
from memberconsole.core.masking import can_see_contact, mask_email, mask_mobile

from .models import RETENTION, BulkJob, BulkRow
from .resolver import PER_BULK_CALL, kind_words, plan_calls

PAGE_SIZE = 500
RECENT_JOBS = 20
UNMASKED_CSV_PERMISSION = "bulk.export_unmasked_bulk_csv"

# Display order, label and badge tone per row status: colour always comes with a word.
STATUS_DISPLAY = {
    BulkRow.Status.FOUND: ("Found", "ok"),
    BulkRow.Status.MERGED: ("Merged", "info"),
    BulkRow.Status.NOT_FOUND: ("Not found", "neutral"),
    BulkRow.Status.DELETED: ("Deleted after PII request", "warn"),
    BulkRow.Status.INVALID: ("Invalid input", "warn"),
    BulkRow.Status.ERROR: ("Error", "error"),
    BulkRow.Status.PENDING: ("Not looked up yet", "neutral"),
}
CSV_HEADER = [
    "Line", "Input", "Taken as", "Status", "Reason", "Request ID", "Customer ID", "Name", "Tier", "Points", "Mobile",
    "Email",
]  # fmt: skip
# Spreadsheet formula injection: a cell starting with one of these runs as a formula in Excel (OWASP CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusCount:
    status: str
    label: str
    tone: str
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RowView:
    """One result row as templates and the CSV see it: contact details already masked when the viewer may not."""

    position: int
    input: str
    taken_as: str
    status: str
    status_label: str
    tone: str
    reason: str
    request_id: str
    customer_id: int | None
    linkable: bool
    name: str
    tier: str
    points: Decimal | None
    mobile: str
    email: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ResultPage:
    rows: list[RowView]
    page: Page
    status: str
    total: int


def csv_reveals_contact(user) -> bool:
    """Whether the agent's CSV download has mobiles and emails in full (view_contact_details or the export right)."""
    return can_see_contact(user) or user.has_perm(UNMASKED_CSV_PERMISSION)


def _alive_since():
    return timezone.now() - RETENTION


def bulk_jobs_recent(*, agent) -> list[BulkJob]:
    """The agent's own lists of the last 24 hours, newest first."""
    return list(
        BulkJob.objects.filter(agent=agent, created_at__gte=_alive_since()).order_by("-created_at")[:RECENT_JOBS]
    )


def bulk_job_get(*, agent, job_id) -> BulkJob | None:
    """The agent's job, or None when it is someone else's, expired or unknown (all look the same: 404)."""
    return BulkJob.objects.filter(pk=job_id, agent=agent, created_at__gte=_alive_since()).first()


def bulk_job_counts(*, job: BulkJob) -> list[StatusCount]:
    """Rows per status, in display order, leaving out statuses no row has."""
    counts = job.counts or {}
    return [
        StatusCount(status=status, label=label, tone=tone, count=counts[status])
        for status, (label, tone) in STATUS_DISPLAY.items()
        if counts.get(status)
    ]


def _row_view(row: BulkRow, *, reveal_contact: bool) -> RowView:
    label, tone = STATUS_DISPLAY.get(row.status, (row.status, "neutral"))
    return RowView(
        position=row.position,
        input=row.input,
        taken_as=row.taken_as,
        status=row.status,
        status_label=label,
        tone=tone,
        reason=row.reason,
        request_id=row.request_id,
        customer_id=row.customer_id,
        linkable=row.customer_id is not None and row.status in (BulkRow.Status.FOUND, BulkRow.Status.MERGED),
        name=row.name,
        tier=row.tier,
        points=row.points,
        mobile=row.mobile if reveal_contact else mask_mobile(row.mobile),
        email=row.email if reveal_contact else mask_email(row.email),
    )


def bulk_job_rows(*, job: BulkJob, reveal_contact: bool, status: str = "", page: int | str = 1) -> ResultPage:
    """One page of the job's rows in input order, optionally only one status."""
    rows = job.rows.order_by("position")
    if status in STATUS_DISPLAY:
        rows = rows.filter(status=status)
    else:
        status = ""
    page_obj = Paginator(rows, PAGE_SIZE).get_page(page)
    return ResultPage(
        rows=[_row_view(row, reveal_contact=reveal_contact) for row in page_obj.object_list],
        page=page_obj,
        status=status,
        total=page_obj.paginator.count,
    )


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def bulk_job_csv_rows(*, job: BulkJob, reveal_contact: bool) -> Iterator[list[str]]:
    """The result table as CSV rows (header first), masked like the page, formula-injection safe."""
    yield CSV_HEADER
    for row in job.rows.order_by("position").iterator(chunk_size=1000):
        view = _row_view(row, reveal_contact=reveal_contact)
        yield [
            _csv_cell(value)
            for value in (
                view.position,
                view.input,
                view.taken_as,
                view.status_label,
                view.reason,
                view.request_id,
                view.customer_id,
                view.name,
                view.tier,
                view.points,
                view.mobile,
                view.email,
            )
        ]


# The APIs a bulk job calls (the budget's names): customer IDs and the bulk identifier kinds 100 to a call, other
# identifiers one lookup each.
BULK_API = "POST /v2/bulk/getCustomers"
LOOKUP_API = "GET /v2/customers/lookup/customerDetails"


def _minutes(calls_by_api: dict[str, int]) -> float:
    return max(calls / bulk_rate_per_minute(api=api) for api, calls in calls_by_api.items()) if calls_by_api else 0


def _duration(minutes: float) -> str:
    if minutes < 1:
        return "under a minute"
    rounded = math.ceil(minutes)
    return f"about {rounded} minute{'s' if rounded != 1 else ''}"


def _calls(n: int) -> str:
    return f"{n:,} Capillary call{'s' if n != 1 else ''}"


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanView:
    """What a list will cost, said before it starts: how many entries, calls at least and at most, how long."""

    entries: int
    least: int
    most: int
    summary: str  # "10 to 30 Capillary calls, under a minute at 900 calls a minute"
    steps: list[str]  # "Mobile numbers: 997 entries, 10 Capillary calls"


def bulk_plan(*, entries: list[str], kind: str = "") -> PlanView:
    """The calls a list will make and how long they take at the current budget, before it is submitted."""
    plan = plan_calls(entries, kind=kind)
    return _plan_view(plan.entries, plan.least, plan.most, plan.by_api, plan.steps)


def _plan_view(entries: int, least: int, most: int, by_api: tuple[int, int], steps) -> PlanView:
    bulk, single = by_api
    minutes = _minutes({BULK_API: bulk, LOOKUP_API: single})
    rate = bulk_rate_per_minute(api=BULK_API if bulk >= single else LOOKUP_API)
    calls = _calls(most) if least == most else f"{least:,} to {_calls(most)}"
    summary = f"{calls}, {_duration(minutes)} at the current budget of {rate:,} calls a minute for bulk lookups"
    return PlanView(
        entries=entries,
        least=least,
        most=most,
        summary=summary,
        steps=[
            f"{_first_up(kind_words(kind))}: {n:,} entr{'y' if n == 1 else 'ies'}, {_calls(c)}"
            for kind, (n, c) in _by_kind(steps).items()
        ],
    )


def _first_up(text: str) -> str:
    return text[:1].upper() + text[1:]


def _by_kind(steps) -> dict[str, tuple[int, int]]:
    """The plan's steps added up per kind (a kind can come up at several readings), in the order first tried."""
    totals: dict[str, tuple[int, int]] = {}
    for kind, entries, calls in steps:
        seen, made = totals.get(kind, (0, 0))
        totals[kind] = (seen + entries, made + calls)
    return totals


def bulk_pace(*, max_entries: int) -> str:
    """How bulk lookups spend Capillary's budget, said before a list is submitted."""
    rate = bulk_rate_per_minute(api=BULK_API)
    return (
        f"Customer IDs, mobiles, emails and external IDs are looked up {PER_BULK_CALL} to a Capillary call, card "
        f"numbers one call each; bulk lookups get {rate:,} calls a minute of the org's budget and use what agents "
        "leave: searches go first."
    )


def bulk_job_estimate(*, job: BulkJob) -> str:
    """How far a queued or running job got and roughly how long the rest takes at the current budget, in words."""
    left = max(job.calls_most - job.calls_made, 0)
    done = f"{_calls(job.calls_made)} made of at most {job.calls_most:,}"
    if not left:
        return done
    return f"{done}; {_duration(_minutes({BULK_API: left}))} left at {bulk_rate_per_minute(api=BULK_API):,} a minute"
