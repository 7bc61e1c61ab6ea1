"""Bulk lookup on Django's task framework (django.tasks, with django-tasks-db's database backend): run a job, and
watch it so that a job whose worker died is taken over by a live one within a minute."""

import logging
from datetime import timedelta

from django.conf import settings
from django.tasks import default_task_backend, task
from django.utils import timezone

from .models import STALE_AFTER, BulkJob
from .runner import bulk_job_run

logger = logging.getLogger(__name__)

# How often a job's watch looks at its heartbeat. With STALE_AFTER (30 s) a dead worker's job is taken over within
# STALE_AFTER + WATCH_EVERY, under a minute.
WATCH_EVERY = timedelta(seconds=settings.BULK_WATCH_SECONDS)


@task()
def run_bulk_job(job_id: str) -> None:
    """Resolve a bulk job's pending rows (nothing happens when a live runner already has it)."""
    bulk_job_run(job_id=job_id)


@task()
def watch_bulk_job(job_id: str) -> str:
    """Look at a job's heartbeat: take it over if its runner died, and look again later while the job lives."""
    job = BulkJob.objects.filter(pk=job_id).first()
    if job is None or job.status in (BulkJob.Status.DONE, BulkJob.Status.FAILED, BulkJob.Status.STOPPED):
        return "finished"
    stale = timezone.now() - job.updated_at > STALE_AFTER
    if job.status == BulkJob.Status.RUNNING and stale:
        # Its runner stopped writing its heartbeat: the worker died. Hand the job to whichever worker is free.
        requeued = BulkJob.objects.filter(pk=job_id, status=BulkJob.Status.RUNNING, updated_at=job.updated_at).update(
            status=BulkJob.Status.QUEUED
        )
        if requeued:
            logger.warning("bulk job %s: its worker stopped; handing it to another worker", job_id)
            run_bulk_job.enqueue(job_id=job_id)
    schedule_watch(job_id)
    return "watching"


def schedule_watch(job_id: str) -> None:
    """Look at the job again in WATCH_EVERY (backends that cannot defer a task, like the tests' immediate one, skip)."""
    if default_task_backend.supports_defer:
        watch_bulk_job.using(run_after=timezone.now() + WATCH_EVERY).enqueue(job_id=job_id)


def start_bulk_job(job_id: str) -> None:
    """Queue the job and its watch (call inside the transaction that stores the job: both or neither)."""
    run_bulk_job.enqueue(job_id=job_id)
    schedule_watch(job_id)
