"""Running one bulk job in a task worker: claim it, keep a heartbeat while it runs, save progress after every call,
and continue from the rows already resolved (and the readings already tried) when a job is taken over from a worker
that died.

A worker killed mid-job leaves django-tasks-db's task row marked running for ever; the job's own heartbeat
(BulkJob.updated_at, written every HEARTBEAT_SECONDS by the runner) is what tells a dead runner from a slow one. Two
things take such a job over once its heartbeat is STALE_AFTER old: the watch task (bulk.tasks.watch_bulk_job), which a
free worker runs, and every running job's heartbeat thread, which adopts it into its own busy worker (a free worker may
be nowhere: every worker can be busy with another long job).
"""

import logging
import threading
import time
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.db import close_old_connections, connection, connections, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from memberconsole.capillary.client import CapillaryClient
from memberconsole.capillary.factory import get_capillary_client

from .models import STALE_AFTER, BulkJob, BulkRow
from .resolver import SAVED_FIELDS, Resolver

logger = logging.getLogger(__name__)

# Progress is written at most this often while lookups complete (seconds).
PROGRESS_INTERVAL = 0.5
# The runner's heartbeat on the job, written even while it waits for Capillary's rate budget.
HEARTBEAT_SECONDS = settings.BULK_HEARTBEAT_SECONDS
# How often a running job's heartbeat looks for jobs whose worker died.
WATCH_SECONDS = settings.BULK_WATCH_SECONDS


# How many jobs one worker process runs beside its own task after adopting them from dead workers.
ADOPT_AT_MOST = 2
_adopted = threading.BoundedSemaphore(ADOPT_AT_MOST)


class Superseded(Exception):
    """Another runner took this job over (this one was thought dead), or the agent stopped it: stop writing."""


def job_counts(job: BulkJob) -> dict[str, int]:
    return dict(job.rows.values_list("status").annotate(n=Count("id")).order_by())


def _stale(now) -> Q:
    return Q(status=BulkJob.Status.RUNNING, updated_at__lt=now - STALE_AFTER)


def claim(job_id, *, stale_only: bool = False) -> str | None:
    """Mark the job running for a new runner, unless a live one has it; returns the runner's token, or None.
    stale_only: only a running job whose runner died (what a busy worker adopts), not a queued one."""
    now = timezone.now()
    runner = uuid.uuid4().hex
    startable = _stale(now) if stale_only else Q(status=BulkJob.Status.QUEUED) | _stale(now)
    claimed = BulkJob.objects.filter(startable, pk=job_id).update(
        status=BulkJob.Status.RUNNING, updated_at=now, runner=runner
    )
    return runner if claimed else None


def adopt_orphans(*, client: CapillaryClient | None = None) -> list:
    """Take over, in this process, the running jobs whose runner died (each in a thread of its own), up to
    ADOPT_AT_MOST at once; returns the ids adopted. Called from every running job's heartbeat."""
    adopted = []
    for job_id in BulkJob.objects.filter(_stale(timezone.now())).values_list("pk", flat=True)[:ADOPT_AT_MOST]:
        if not _adopted.acquire(blocking=False):
            break
        runner = claim(job_id, stale_only=True)
        if runner is None:  # another worker was quicker
            _adopted.release()
            continue
        logger.warning("bulk job %s: its worker stopped; a busy worker takes it over", job_id)
        thread = threading.Thread(
            target=_run_adopted, args=(job_id, runner, client), name=f"bulk-adopted-{job_id}", daemon=True
        )
        thread.start()
        adopted.append(job_id)
    return adopted


def _run_adopted(job_id, runner: str, client: CapillaryClient | None) -> None:
    try:
        bulk_job_run(job_id=job_id, client=client, runner=runner)  # a failure is on the job, and reaches excepthook
    finally:
        _adopted.release()
        connection.close()  # this thread's own connection


def _beat(job_id, runner: str) -> bool:
    """Write the heartbeat; False when another runner has taken the job over."""
    if BulkJob.objects.filter(pk=job_id, runner=runner).update(updated_at=timezone.now()):
        return True
    return not BulkJob.objects.filter(pk=job_id).exclude(runner=runner).exists()


class _Heartbeat:
    """A daemon thread that keeps the job's heartbeat fresh while the runner works (or waits for the budget), and
    every WATCH_SECONDS adopts the jobs of dead workers into this busy one."""

    def __init__(self, job_id, runner: str, client: CapillaryClient | None = None) -> None:
        self.job_id, self.runner, self.client = job_id, runner, client
        self.stop = threading.Event()
        self.lost = False
        self.thread = threading.Thread(target=self._run, name=f"bulk-heartbeat-{job_id}", daemon=True)

    def __enter__(self) -> "_Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop.set()
        self.thread.join(timeout=HEARTBEAT_SECONDS * 2)

    def _run(self) -> None:
        watched = time.monotonic()
        try:
            while not self.stop.wait(HEARTBEAT_SECONDS):
                if not _beat(self.job_id, self.runner):
                    self.lost = True
                    return
                if time.monotonic() - watched >= WATCH_SECONDS:
                    watched = time.monotonic()
                    adopt_orphans(client=self.client)
        finally:
            connection.close()  # this thread's own connection


def bulk_job_run(*, job_id, client: CapillaryClient | None = None, runner: str | None = None) -> None:
    """Resolve the job's pending rows, saving progress after every call; the job ends done (or failed, and
    re-raises). Does nothing when a live runner already has the job; runner: the job was claimed already."""
    runner = runner or claim(job_id)
    if runner is None:
        return
    job = BulkJob.objects.get(pk=job_id)
    started = time.perf_counter()
    given = client
    client = (client or get_capillary_client()).background()  # bulk uses only what agents leave of the budget
    try:
        with _Heartbeat(job_id, runner, given) as heartbeat:
            pending = list(job.rows.filter(status=BulkRow.Status.PENDING).order_by("position"))
            writer = _ProgressWriter(job=job, runner=runner, processed=job.total - len(pending), heartbeat=heartbeat)
            Resolver(client=client, writer=writer, kind=job.kind).run(pending)
            writer.flush(force=True)
        with transaction.atomic():
            counts = job_counts(job)
            finished = timezone.now()
            done = BulkJob.objects.filter(pk=job_id, runner=runner).update(
                status=BulkJob.Status.DONE,
                finished_at=finished,
                updated_at=finished,
                counts=counts,
                processed=job.total - counts.get(BulkRow.Status.PENDING, 0),
                step="",
            )
        if not done:
            raise Superseded
    except Superseded:
        logger.warning("bulk job %s: stopped, or taken over by another runner; this one stops", job_id)
        return
    except Exception as exc:
        # Type only: an exception's text could quote an input line, and inputs never reach a log.
        logger.error("bulk job %s failed after %.1f s: %s", job_id, time.perf_counter() - started, type(exc).__name__)
        close_old_connections()
        BulkJob.objects.filter(pk=job_id, runner=runner).update(
            status=BulkJob.Status.FAILED, finished_at=timezone.now(), updated_at=timezone.now(), counts=job_counts(job)
        )
        raise
    logger.info("bulk job %s done: %d rows in %.1f s", job_id, job.total, time.perf_counter() - started)


class _ProgressWriter:
    """Saves answered rows (found, or moved on to their next reading), the calls made and the step under way: after
    every call (flush(force=True)), or at most every PROGRESS_INTERVAL while one-by-one lookups come in."""

    def __init__(self, *, job: BulkJob, runner: str, processed: int, heartbeat: _Heartbeat) -> None:
        self.job = job
        self.runner = runner
        self.processed = processed
        self.heartbeat = heartbeat
        self.waiting: dict[int, BulkRow] = {}
        self.calls = 0
        self.text = job.step
        self.last = time.monotonic()

    def add(self, rows: Iterable[BulkRow]) -> None:
        for row in rows:
            self.waiting[row.pk] = row

    def step(self, text: str) -> None:
        self.text = text[:200]

    def called(self) -> None:
        self.calls += 1

    def flush(self, *, force: bool = False) -> None:
        if self.heartbeat.lost:
            raise Superseded
        if not force and time.monotonic() - self.last < PROGRESS_INTERVAL:
            return
        self.last = time.monotonic()
        rows, self.waiting = list(self.waiting.values()), {}
        calls, self.calls = self.calls, 0
        finished = sum(1 for row in rows if row.status != BulkRow.Status.PENDING)
        with transaction.atomic():
            # Only while the job is still this runner's: a takeover must not see rows written twice at once.
            mine = BulkJob.objects.filter(pk=self.job.pk, runner=self.runner).update(
                processed=self.processed + finished,
                calls_made=F("calls_made") + calls,
                step=self.text,
                updated_at=timezone.now(),
            )
            if not mine:
                raise Superseded
            if rows:
                _save_results(rows)
        self.processed += finished


def _save_results(rows: list[BulkRow]) -> None:
    """One prepared UPDATE run for every row, its answer and tries (QuerySet.bulk_update's CASE expressions take
    seconds for 5,000 rows)."""
    db = connections[BulkRow.objects.db]
    quote = db.ops.quote_name
    fields = [BulkRow._meta.get_field(name) for name in SAVED_FIELDS]
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(BulkRow._meta.db_table)} SET {assignments} WHERE {quote(BulkRow._meta.pk.column)} = %s"  # noqa: S608 -- names from the model, values bound
    params = [[f.get_db_prep_save(getattr(row, f.attname), db) for f in fields] + [row.pk] for row in rows]
    with db.cursor() as cursor:
        cursor.executemany(sql, params)
