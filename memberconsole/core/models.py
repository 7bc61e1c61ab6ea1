"""The audit trail (who looked at what, when, from where) and the reasons a supervisor may give for a reveal."""

from django.conf import settings
from django.db import models


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit trail is append-only: entries are never changed.")


class AuditEntry(models.Model):
    """One event, appended and never changed: searches, customer views, reveals, registrations, bulk runs and exports,
    sign-ins and sign-outs, refusals and rate-limit hits. Never a customer's name, mobile or email, nor a search in
    clear: a search is kept as a keyed hash, its type and its last four characters."""

    class Action(models.TextChoices):
        SEARCH = "search", "Search"
        VIEW = "view", "Customer viewed"
        ACTIVITY = "activity", "Customer activity viewed"
        REVEAL = "reveal", "Contact details revealed"
        REGISTER = "register", "Registration"
        BULK_RUN = "bulk_run", "Bulk lookup run"
        BULK_EXPORT = "bulk_export", "Bulk lookup exported"
        AUDIT_EXPORT = "audit_export", "Audit trail exported"
        LOGIN = "login", "Signed in"
        LOGOUT = "logout", "Signed out"
        LOGIN_FAILED = "login_failed", "Sign-in failed"
        LOCKED_OUT = "locked_out", "Locked out"
        DENIED = "denied", "Permission refused"
        RATE_LIMITED = "rate_limited", "Rate limit hit"

    # Stored in UTC (as every time is, USE_TZ); shown in the console's time zone, named on the page.
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="when")
    # The account, kept as its name too: an entry outlives a deleted account.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    username = models.CharField(max_length=150, blank=True, verbose_name="agent")
    ip_address = models.GenericIPAddressField(null=True, blank=True, verbose_name="from IP")
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    customer_id = models.BigIntegerField(null=True, blank=True, db_index=True, verbose_name="customer ID")
    outcome = models.CharField(max_length=40, blank=True)
    capillary_request_id = models.CharField(max_length=100, blank=True, verbose_name="Capillary request id")
    # What else the event needs, never personal data: a search's query_hash, query_type and query_last4; a reveal's
    # reason; a bulk run's entry count; a refused page's path.
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"]), models.Index(fields=["customer_id", "-created_at"])]
        verbose_name = "audit entry"
        verbose_name_plural = "audit trail"

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.username or '-'} at {self.created_at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only: entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only: entries are pruned only by prune_audit_trail.")


class RevealReason(models.Model):
    """A reason a supervisor may pick before revealing a customer's contact details (administered in Django admin)."""

    label = models.CharField(max_length=120, unique=True)
    needs_text = models.BooleanField(
        default=False, help_text="'Other': the supervisor must also type the reason in their own words."
    )
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label
