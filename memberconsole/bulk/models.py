"""Bulk lookup jobs: the list an agent submitted, one row per input line, kept for 24 hours."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

# Results stay available to the agent for this long (then hidden and purged).
RETENTION = timedelta(hours=24)
# A running job whose runner has not written its heartbeat for this long died with its worker (runner.py).
STALE_AFTER = timedelta(seconds=settings.BULK_STALE_SECONDS)
# A queued job no worker has started for this long: the page says no worker seems to be running.
UNSTARTED_AFTER = timedelta(minutes=2)


class BulkJob(models.Model):
    """One submitted list: who, when, how far the lookup got, and the counts per row status."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        STOPPED = "stopped", "Stopped"

    class Kind(models.TextChoices):
        """What the agent said the list is: every entry read that way only, or worked out entry by entry."""

        AUTO = "", "Work it out for each entry"
        CUSTOMER_ID = "id", "Customer IDs"
        MOBILE = "mobile", "Mobile numbers"
        EMAIL = "email", "Emails"
        EXTERNAL_ID = "externalId", "External IDs"
        CARD = "cardnumber", "Card numbers"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bulk_jobs")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The runner's heartbeat (every few seconds, and with every progress batch): a dead worker's job goes stale.
    updated_at = models.DateTimeField(default=timezone.now)
    # The runner that holds the job; a takeover gives it a new one, and the old runner's writes stop.
    runner = models.CharField(max_length=32, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    # Where the list came from, e.g. "Pasted list" or "File winners.csv, column “Customer ID”".
    source = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, blank=True, default=Kind.AUTO)
    # Capillary calls the plan needs: at least (every entry found by its first reading), at most (nobody found), and
    # made so far; the step under way in words ("997 entries as mobile numbers"), for the progress page.
    calls_least = models.PositiveIntegerField(default=0)
    calls_most = models.PositiveIntegerField(default=0)
    calls_made = models.PositiveIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["agent", "-created_at"])]
        ordering = ["-created_at"]
        verbose_name = "bulk lookup"
        permissions = [
            ("run_large_bulk_lookup", "Can look up the larger number of entries at once (BULK_MAX_ENTRIES_LARGE)"),
            ("export_unmasked_bulk_csv", "Can download bulk results with mobiles and emails in full"),
        ]

    def __str__(self) -> str:
        return f"bulk lookup {self.pk} ({self.status}, {self.processed}/{self.total})"

    @property
    def is_waiting_for_worker(self) -> bool:
        """Queued (or handed back after its worker died) and no worker has picked it up for a while."""
        if self.status not in (self.Status.QUEUED, self.Status.RUNNING):
            return False
        return timezone.now() - self.updated_at > UNSTARTED_AFTER

    @property
    def can_resume(self) -> bool:
        """Failed, stopped, or waiting for a worker, with rows left: the rest can be queued again."""
        if self.status in (self.Status.FAILED, self.Status.STOPPED):
            return self.processed < self.total
        return self.is_waiting_for_worker

    @property
    def is_active(self) -> bool:
        """Queued or running: a worker has it, or will take it."""
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def unanswered(self) -> int:
        return max(self.total - self.processed, 0)

    @property
    def percent(self) -> int:
        return int(self.processed * 100 / self.total) if self.total else 100

    @property
    def expires_at(self):
        return self.created_at + RETENTION


class BulkRow(models.Model):
    """One input line and what it resolved to. Mobile and email are stored unmasked and masked when shown."""

    class Status(models.TextChoices):
        PENDING = "pending", "Not looked up yet"
        FOUND = "found", "Found"
        NOT_FOUND = "not_found", "Not found"
        MERGED = "merged", "Merged"
        DELETED = "deleted", "Deleted after PII request"
        INVALID = "invalid", "Invalid input"
        ERROR = "error", "Error"

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField()
    input = models.CharField(max_length=210)
    taken_as = models.CharField(max_length=400, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=400, blank=True)
    request_id = models.CharField(max_length=100, blank=True)
    customer_id = models.BigIntegerField(null=True, blank=True)
    name = models.CharField(max_length=201, blank=True)
    tier = models.CharField(max_length=100, blank=True)
    points = models.DecimalField(max_digits=20, decimal_places=3, null=True, blank=True)
    mobile = models.CharField(max_length=50, blank=True)
    email = models.CharField(max_length=255, blank=True)
    # While pending: how many of the entry's readings were tried and missed (saved after every call, so a job taken
    # over does not try them again), and which of them found a customer deleted after a PII request (reported only
    # if no later reading finds an active customer).
    tries = models.PositiveSmallIntegerField(default=0)
    deleted_reading = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "position"], name="bulk_row_once_per_position")]
        ordering = ["job", "position"]
        verbose_name = "bulk lookup row"

    def __str__(self) -> str:
        return f"row {self.position} of {self.job_id} ({self.status})"
