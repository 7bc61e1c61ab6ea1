"""Writes for bulk lookup: create a job from a list, resolve it against Capillary, purge expired jobs."""

import logging
import threading
import time
import unicodedata
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import batched
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from memberconsole.capillary import errors as cap
from memberconsole.capillary.client import MERGE_SURVIVOR_WARNING, CapillaryClient
from memberconsole.capillary.factory import get_capillary_client
from memberconsole.capillary.schemas import BulkCustomerResult
from memberconsole.capillary.schemas import Customer as WireCustomer
from memberconsole.core.exceptions import LookupMiss, lookup_miss, translate_error
from memberconsole.core.identifiers import (
    CUSTOMER_ID,
    NAME,
    InvalidSearchQuery,
    Reading,
    clean_query,
    readings_for,
)
from memberconsole.core.summaries import customer_summary

from .models import RETENTION, STALE_AFTER, BulkJob, BulkRow

logger = logging.getLogger(__name__)

# Lookups (one GET per identifier) in flight at once: enough to hide latency, few enough to stay polite upstream.
LOOKUP_WORKERS = 8
# Customer ids handed to the client per call: it sends them as 4 chunks of 100 in parallel (its defaults), and a
# progress batch is written after each call.
BULK_GROUP = 400
# Progress is written at most this often while lookups complete (seconds).
PROGRESS_INTERVAL = 0.5
# What an identifier lookup asks for besides the profiles: the program details that carry tier and points.
LOOKUP_EMBED = ("mlp",)
STORED_INPUT_LENGTH = 200

RESULT_FIELDS = [
    "taken_as", "status", "reason", "request_id", "customer_id", "name", "tier", "points", "mobile", "email",
]  # fmt: skip


# ---------------------------------------------------------------------------------------------------- creating


def _readings(cleaned: str) -> list[Reading]:
    """The search box's readings of an entry, most plausible first, without name search (not offered in bulk)."""
    readings = readings_for(cleaned, default_country=settings.CAPILLARY_DEFAULT_COUNTRY)
    return [reading for reading in readings if reading.type != NAME]


def _invalid_reason(text: str) -> str:
    """Why an entry cannot be looked up, in plain words; empty when it can."""
    try:
        cleaned = clean_query(text)
    except InvalidSearchQuery as exc:
        return str(exc).replace("The search contains", "This entry contains")
    if not _readings(cleaned):
        if "@" in cleaned:
            return "Not a valid email address."
        return "Names cannot be looked up in bulk: use the search box."
    return ""


def _stored_input(text: str) -> str:
    # Control characters (a NUL from a pasted binary) are shown as U+FFFD: PostgreSQL text cannot hold NUL at all.
    text = "".join("\ufffd" if unicodedata.category(ch) == "Cc" and ch != "\t" else ch for ch in text)
    return text if len(text) <= STORED_INPUT_LENGTH else text[:STORED_INPUT_LENGTH] + "…"


class BulkLimitError(Exception):
    """A bulk lookup the agent may not start now; the message says why and what to do."""


LARGE_PERMISSION = "bulk.run_large_bulk_lookup"


def bulk_max_entries(*, agent) -> int:
    """The most entries this agent may look up at once (BULK_MAX_ENTRIES for their role)."""
    return settings.BULK_MAX_ENTRIES["large" if agent.has_perm(LARGE_PERMISSION) else "agent"]


def bulk_limits_check(*, agent, entries: int) -> None:
    """Refuse a new lookup past the agent's limits: BULK_MAX_RUNNING at once, BULK_DAILY_ENTRIES in 24 hours."""
    now = timezone.now()
    running = BulkJob.objects.filter(
        agent=agent, status__in=[BulkJob.Status.QUEUED, BulkJob.Status.RUNNING], updated_at__gte=now - STALE_AFTER
    ).count()
    if running >= settings.BULK_MAX_RUNNING:
        raise BulkLimitError(
            f"You already have {running} lookups running, the most at once. Wait for one to finish, then try again."
        )
    quota = settings.BULK_DAILY_ENTRIES["large" if agent.has_perm(LARGE_PERMISSION) else "agent"]
    used = BulkJob.objects.filter(agent=agent, created_at__gte=now - RETENTION).aggregate(n=Sum("total"))["n"] or 0
    if used + entries > quota:
        left = max(quota - used, 0)
        raise BulkLimitError(
            f"Your account may look up {quota:,} entries in 24 hours and has {left:,} left, fewer than the "
            f"{entries:,} in this list. Run a shorter list, or ask your supervisor."
        )


def bulk_job_create(*, agent, entries: list[str], source: str) -> BulkJob:
    """Store a list as a queued job, one row per entry in input order; entries that cannot be looked up are final."""
    with transaction.atomic():
        job = BulkJob.objects.create(agent=agent, source=source[:300], total=len(entries))
        rows, reasons = [], {}
        for position, text in enumerate(entries, start=1):
            row = BulkRow(job=job, position=position, input=_stored_input(text))
            if text not in reasons:
                reasons[text] = _invalid_reason(text)
            reason = reasons[text]
            if reason:
                row.status, row.reason = BulkRow.Status.INVALID, reason
            rows.append(row)
        BulkRow.objects.bulk_create(rows, batch_size=500)
        job.processed = sum(1 for row in rows if row.status != BulkRow.Status.PENDING)
        job.counts = _counts(job)
        job.save(update_fields=["processed", "counts"])
    return job


def bulk_job_start(*, job: BulkJob) -> threading.Thread | None:
    """Run the job: inline when settings.BULK_RUN_INLINE (tests), else in a daemon thread once the rows are saved."""
    if getattr(settings, "BULK_RUN_INLINE", False):
        bulk_job_run(job_id=job.pk)
        return None
    thread = threading.Thread(target=_run_in_thread, args=(job.pk,), name=f"bulk-job-{job.pk}", daemon=True)
    transaction.on_commit(thread.start)
    return thread


def _run_in_thread(job_id) -> None:
    try:
        bulk_job_run(job_id=job_id)
    except Exception:  # noqa: S110 -- bulk_job_run has already marked the job failed and logged the error type
        pass
    finally:
        connections.close_all()  # this thread's connections only


def bulk_job_resume(*, job: BulkJob) -> threading.Thread | None:
    """Run the rows an interrupted or failed job did not get to."""
    BulkJob.objects.filter(pk=job.pk).update(status=BulkJob.Status.QUEUED, updated_at=timezone.now(), finished_at=None)
    return bulk_job_start(job=job)


def bulk_job_retry_errors(*, job: BulkJob) -> threading.Thread | None:
    """Look up again the rows that ended in an error (e.g. Capillary was down for part of the list)."""
    with transaction.atomic():
        reset = job.rows.filter(status=BulkRow.Status.ERROR).update(
            status=BulkRow.Status.PENDING, taken_as="", reason="", request_id=""
        )
        if not reset:
            return None
        BulkJob.objects.filter(pk=job.pk).update(
            status=BulkJob.Status.QUEUED, processed=job.total - reset, updated_at=timezone.now(), finished_at=None
        )
    return bulk_job_start(job=job)


def bulk_jobs_purge_expired() -> int:
    """Delete jobs older than the retention period (24 hours); returns how many."""
    _, by_model = BulkJob.objects.filter(created_at__lt=timezone.now() - RETENTION).delete()
    return by_model.get(BulkJob._meta.label, 0)


# ---------------------------------------------------------------------------------------------------- running


def _counts(job: BulkJob) -> dict[str, int]:
    return dict(job.rows.values_list("status").annotate(n=Count("id")).order_by())


def _claim(job_id) -> bool:
    """Mark the job running unless a live thread already is (a stale 'running' job may be taken over)."""
    now = timezone.now()
    startable = Q(status=BulkJob.Status.QUEUED) | Q(status=BulkJob.Status.RUNNING, updated_at__lt=now - STALE_AFTER)
    return bool(BulkJob.objects.filter(startable, pk=job_id).update(status=BulkJob.Status.RUNNING, updated_at=now))


def bulk_job_run(*, job_id, client: CapillaryClient | None = None) -> None:
    """Resolve the job's pending rows, writing progress in batches; the job ends done (or failed, and re-raises)."""
    if not _claim(job_id):
        return
    job = BulkJob.objects.get(pk=job_id)
    started = time.perf_counter()
    try:
        pending = list(job.rows.filter(status=BulkRow.Status.PENDING).order_by("position"))
        writer = _ProgressWriter(job=job, processed=job.total - len(pending))
        _Resolver(client=client or get_capillary_client(), writer=writer).run(pending)
        writer.flush(force=True)
        job.status, job.finished_at = BulkJob.Status.DONE, timezone.now()
        job.updated_at = job.finished_at
        job.counts = _counts(job)
        job.processed = job.total - job.counts.get(BulkRow.Status.PENDING, 0)
        job.save(update_fields=["status", "finished_at", "counts", "processed", "updated_at"])
    except Exception as exc:
        # Type only: an exception's text could quote an input line, and inputs never reach a log.
        logger.error("bulk job %s failed after %.1f s: %s", job_id, time.perf_counter() - started, type(exc).__name__)
        BulkJob.objects.filter(pk=job_id).update(
            status=BulkJob.Status.FAILED, finished_at=timezone.now(), updated_at=timezone.now(), counts=_counts(job)
        )
        raise
    logger.info("bulk job %s done: %d rows in %.1f s", job_id, job.total, time.perf_counter() - started)


class _ProgressWriter:
    """Saves finished rows and the job's processed count in batches (one bulk UPDATE per batch)."""

    def __init__(self, *, job: BulkJob, processed: int) -> None:
        self.job = job
        self.processed = processed
        self.waiting: list[BulkRow] = []
        self.last = time.monotonic()

    def add(self, rows: Iterable[BulkRow]) -> None:
        self.waiting.extend(rows)

    def flush(self, *, force: bool = False) -> None:
        if not force and time.monotonic() - self.last < PROGRESS_INTERVAL:
            return
        self.last = time.monotonic()
        rows, self.waiting = self.waiting, []
        with transaction.atomic():
            if rows:
                _save_results(rows)
            self.processed += len(rows)
            BulkJob.objects.filter(pk=self.job.pk).update(processed=self.processed, updated_at=timezone.now())


def _save_results(rows: list[BulkRow]) -> None:
    """One prepared UPDATE run for every row (QuerySet.bulk_update's CASE expressions take seconds for 5,000 rows)."""
    connection = connections[BulkRow.objects.db]
    quote = connection.ops.quote_name
    fields = [BulkRow._meta.get_field(name) for name in RESULT_FIELDS]
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(BulkRow._meta.db_table)} SET {assignments} WHERE {quote(BulkRow._meta.pk.column)} = %s"  # noqa: S608 -- names from the model, values bound
    params = [[f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields] + [row.pk] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


@dataclass(slots=True)
class _Result:
    """The final answer for one unique entry, copied onto each of its rows."""

    status: str
    taken_as: str = ""
    reason: str = ""
    request_id: str = ""
    customer_id: int | None = None
    name: str = ""
    tier: str = ""
    points: Decimal | None = None
    mobile: str = ""
    email: str = ""


@dataclass(slots=True)
class _Entry:
    """One unique entry (duplicates share it): the readings still to try and the rows that show its answer."""

    readings: list[Reading]
    rows: list[BulkRow] = field(default_factory=list)
    cursor: int = 0
    deleted: tuple[cap.CapillaryError, Reading] | None = None  # the first reading that found a PII-deleted customer
    result: _Result | None = None

    @property
    def reading(self) -> Reading:
        return self.readings[self.cursor]


def _customer_result(status: str, wire: WireCustomer, reading: Reading, reason: str = "") -> _Result:
    summary = customer_summary(wire)
    return _Result(
        status=status,
        taken_as=reading.describe(),
        reason=reason,
        customer_id=summary.customer_id or None,
        name=summary.name[:201],
        tier=summary.tier[:100],
        points=summary.points,
        mobile=summary.mobile[:50],
        email=summary.email[:255],
    )


def _error_result(exc: cap.CapillaryError, reading: Reading) -> _Result:
    message = translate_error(exc).message
    if exc.codes:
        message += f" (Capillary code {', '.join(str(code) for code in exc.codes[:3])})"
    return _Result(
        status=BulkRow.Status.ERROR, taken_as=reading.describe(), reason=message[:400], request_id=exc.request_id or ""
    )


def _merged_result(exc: cap.CapillaryCustomerMergedError, reading: Reading) -> _Result:
    into = f"customer {exc.survivor_id}" if exc.survivor_id else "another account"
    return _Result(
        status=BulkRow.Status.MERGED,
        taken_as=reading.describe(),
        reason=f"Merged into {into}.",
        request_id=exc.request_id or "",
        customer_id=exc.survivor_id,
    )


def _deleted_result(exc: cap.CapillaryError, reading: Reading) -> _Result:
    return _Result(
        status=BulkRow.Status.DELETED,
        taken_as=reading.describe(),
        reason="Deleted after a personal-data (PII) deletion request: no data can be shown.",
        request_id=exc.request_id or "",
        customer_id=int(reading.value) if reading.type == CUSTOMER_ID else None,
    )


class _Resolver:
    """Resolves unique entries in rounds: each round sends every entry's current reading, customer IDs through
    the bulk API and identifiers through lookups; a miss moves the entry to its next reading (as the search box
    tries them), until it is found, fails, or runs out of readings."""

    def __init__(self, *, client: CapillaryClient, writer: _ProgressWriter) -> None:
        self.client = client
        self.writer = writer
        self.bulk_results: dict[int, BulkCustomerResult] = {}
        self.lookups: dict[tuple[str, str], Any] = {}

    def run(self, rows: list[BulkRow]) -> None:
        entries: dict[str, _Entry] = {}
        for row in rows:
            cleaned = clean_query(row.input)
            if cleaned not in entries:
                entries[cleaned] = _Entry(readings=_readings(cleaned))
            entries[cleaned].rows.append(row)
        active = list(entries.values())
        while active:
            self._bulk_round([entry for entry in active if entry.reading.type == CUSTOMER_ID])
            self._lookup_round([entry for entry in active if entry.reading.type != CUSTOMER_ID])
            active = [entry for entry in active if entry.result is None]

    # -- customer IDs: POST /v2/bulk/getCustomers through the client (chunks of 100, several in flight)

    def _bulk_round(self, entries: list[_Entry]) -> None:
        by_id: dict[int, list[_Entry]] = {}
        for entry in entries:
            by_id.setdefault(int(entry.reading.value), []).append(entry)
        wanted = [customer_id for customer_id in by_id if customer_id not in self.bulk_results]
        for group in batched(wanted, BULK_GROUP, strict=False):
            for result in self.client.customers_bulk_get(list(group), embed=settings.CAPILLARY_BULK_EMBED):
                self.bulk_results[result.customer_id] = result
            for customer_id in group:
                for entry in by_id.pop(customer_id):
                    self._apply_bulk(entry, self.bulk_results[customer_id])
            self.writer.flush()
        for customer_id, waiting in by_id.items():  # answered in an earlier round
            for entry in waiting:
                self._apply_bulk(entry, self.bulk_results[customer_id])

    def _apply_bulk(self, entry: _Entry, result: BulkCustomerResult) -> None:
        # Unlike a lookup of one reading, the bulk API's answer about an ID is itself what the row shows: a merged
        # or refused ID says so (lookup_miss is for readings that may be wrong guesses).
        reading = entry.reading
        if result.success and result.customer is not None:
            self._finish(entry, _customer_result(BulkRow.Status.FOUND, result.customer, reading))
            return
        error = result.error or cap.CapillaryNotFoundError()
        if isinstance(error, cap.CapillaryCustomerMergedError):
            self._finish(entry, _merged_result(error, reading))
        elif isinstance(error, cap.CapillaryCustomerDeletedError):
            # As the search box does: read on (another reading may find an active customer, who wins), and say the
            # customer was deleted rather than that nobody matched if none does.
            entry.deleted = entry.deleted or (error, reading)
            self._next(entry)
        elif isinstance(error, cap.CapillaryNotFoundError):
            self._next(entry)
        else:
            # A failed chunk (Capillary down, timed out, refused) or an item error we cannot read past.
            self._finish(entry, _error_result(error, reading))

    # -- identifiers: GET /v2/customers/lookup/customerDetails, a bounded number at once

    def _lookup(self, key: tuple[str, str]) -> WireCustomer | cap.CapillaryError:
        try:
            return self.client.customer_lookup(
                identifier_name=key[0], identifier_value=key[1], source="ALL", embed=LOOKUP_EMBED
            )
        except cap.CapillaryError as exc:
            return exc

    def _lookup_round(self, entries: list[_Entry]) -> None:
        by_key: dict[tuple[str, str], list[_Entry]] = {}
        for entry in entries:
            by_key.setdefault((entry.reading.type, entry.reading.value), []).append(entry)
        for key in [key for key in by_key if key in self.lookups]:  # the same reading of another entry
            for entry in by_key.pop(key):
                self._apply_lookup(entry, self.lookups[key])
        if not by_key:
            return
        with ThreadPoolExecutor(max_workers=LOOKUP_WORKERS, thread_name_prefix="bulk-lookup") as pool:
            futures = {pool.submit(self._lookup, key): key for key in by_key}
            for future in as_completed(futures):
                key = futures[future]
                self.lookups[key] = future.result()
                for entry in by_key[key]:
                    self._apply_lookup(entry, self.lookups[key])
                self.writer.flush()

    def _apply_lookup(self, entry: _Entry, found: WireCustomer | cap.CapillaryError) -> None:
        reading = entry.reading
        if isinstance(found, WireCustomer):
            if MERGE_SURVIVOR_WARNING in found.warning_codes:
                # Capillary answered a merge victim's identifier with the survivor (code 91009: api-notes §3.5,
                # docs.capillarytech.com/reference/status-codes-customer).
                result = _customer_result(BulkRow.Status.MERGED, found, reading, "Merged: showing the survivor.")
            else:
                result = _customer_result(BulkRow.Status.FOUND, found, reading)
            self._finish(entry, result)
            return
        miss = lookup_miss(found)
        if miss == LookupMiss.MERGED:
            self._finish(entry, _merged_result(found, reading))
        elif miss == LookupMiss.DELETED:
            # The search box reads on past a deleted match; it is reported only if no other reading finds someone.
            entry.deleted = entry.deleted or (found, reading)
            self._next(entry)
        elif miss == LookupMiss.NOBODY:
            self._next(entry)
        else:
            self._finish(entry, _error_result(found, reading))

    # -- outcomes

    def _next(self, entry: _Entry) -> None:
        entry.cursor += 1
        if entry.cursor < len(entry.readings):
            return
        if entry.deleted is not None:
            self._finish(entry, _deleted_result(*entry.deleted))
            return
        first = entry.readings[0]
        others = list(dict.fromkeys(reading.label for reading in entry.readings[1:] if reading.label != first.label))
        reason = "No customer found" + (f"; also tried as {', '.join(others)}." if others else ".")
        self._finish(entry, _Result(status=BulkRow.Status.NOT_FOUND, taken_as=first.describe(), reason=reason))

    def _finish(self, entry: _Entry, result: _Result) -> None:
        entry.result = result
        for row in entry.rows:
            for name in RESULT_FIELDS:
                setattr(row, name, getattr(result, name))
        self.writer.add(entry.rows)
