"""Writes for bulk lookup: submit a list as a job (checked against the agent's limits) and queue it for a worker;
resume, retry and purge jobs. Running a job is bulk.runner's; resolving entries is bulk.resolver's."""

import unicodedata

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from memberconsole.core.identifiers import InvalidSearchQuery, clean_query, customer_id_first

from .models import RETENTION, STALE_AFTER, BulkJob, BulkRow
from .resolver import entry_readings, plan_calls
from .runner import job_counts
from .tasks import start_bulk_job

STORED_INPUT_LENGTH = 200


# ---------------------------------------------------------------------------------------------------- creating


def _invalid_reason(text: str, kind: str = "") -> str:
    """Why an entry cannot be looked up (as `kind`, when the agent said what the list is), in plain words; empty when
    it can."""
    try:
        cleaned = clean_query(text)
        if kind:
            entry_readings(cleaned, kind=kind)
            return ""
    except InvalidSearchQuery as exc:
        return str(exc).replace("The search contains", "This entry contains")
    if customer_id_first(cleaned) is None and not entry_readings(cleaned):
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


def bulk_job_create(*, agent, entries: list[str], source: str, kind: str = "") -> BulkJob:
    """Store a list as a queued job, one row per entry in input order, with the calls its plan needs; entries that
    cannot be looked up (as `kind`, when the agent said what the list is) are final."""
    plan = plan_calls(entries, kind=kind)
    with transaction.atomic():
        job = BulkJob.objects.create(
            agent=agent,
            source=source[:300],
            total=len(entries),
            kind=kind,
            calls_least=plan.least,
            calls_most=plan.most,
        )
        rows, reasons = [], {}
        for position, text in enumerate(entries, start=1):
            row = BulkRow(job=job, position=position, input=_stored_input(text))
            if text not in reasons:
                reasons[text] = _invalid_reason(text, kind)
            reason = reasons[text]
            if reason:
                row.status, row.reason = BulkRow.Status.INVALID, reason
            rows.append(row)
        BulkRow.objects.bulk_create(rows, batch_size=500)
        job.processed = sum(1 for row in rows if row.status != BulkRow.Status.PENDING)
        job.counts = job_counts(job)
        job.save(update_fields=["processed", "counts"])
    return job


def bulk_job_submit(*, agent, entries: list[str], source: str, kind: str = "") -> BulkJob:
    """Store the list as a job and queue it for a worker, in one transaction: a job never exists without its task."""
    with transaction.atomic():
        job = bulk_job_create(agent=agent, entries=entries, source=source, kind=kind)
        start_bulk_job(str(job.pk))
    job.refresh_from_db()
    return job


def bulk_job_stop(*, job: BulkJob) -> bool:
    """Stop a queued or running job, keeping the rows already resolved (its runner stops at its next save: the job is
    no longer its). False when it had finished already."""
    with transaction.atomic():
        stopped = BulkJob.objects.filter(pk=job.pk, status__in=[BulkJob.Status.QUEUED, BulkJob.Status.RUNNING]).update(
            status=BulkJob.Status.STOPPED, runner="", finished_at=timezone.now(), updated_at=timezone.now(), step=""
        )
        if stopped:
            counts = job_counts(job)
            BulkJob.objects.filter(pk=job.pk).update(
                counts=counts, processed=job.total - counts.get(BulkRow.Status.PENDING, 0)
            )
    return bool(stopped)


def bulk_job_resume(*, job: BulkJob) -> None:
    """Queue again the rows a failed or stopped job (or one no worker picked up) did not get to."""
    with transaction.atomic():
        BulkJob.objects.filter(pk=job.pk).update(
            status=BulkJob.Status.QUEUED, updated_at=timezone.now(), finished_at=None, runner=""
        )
        start_bulk_job(str(job.pk))


def bulk_job_retry_errors(*, job: BulkJob) -> bool:
    """Look up again the rows that ended in an error (e.g. Capillary was down for part of the list)."""
    with transaction.atomic():
        reset = job.rows.filter(status=BulkRow.Status.ERROR).update(
            status=BulkRow.Status.PENDING, taken_as="", reason="", request_id=""
        )
        if not reset:
            return False
        BulkJob.objects.filter(pk=job.pk).update(
            status=BulkJob.Status.QUEUED,
            processed=job.total - reset,
            updated_at=timezone.now(),
            finished_at=None,
            runner="",
        )
        start_bulk_job(str(job.pk))
    return True


def bulk_jobs_purge_expired() -> int:
    """Delete jobs older than the retention period (24 hours); returns how many."""
    _, by_model = BulkJob.objects.filter(created_at__lt=timezone.now() - RETENTION).delete()
    return by_model.get(BulkJob._meta.label, 0)
