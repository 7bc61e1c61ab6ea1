"""Delete audit entries older than the retention period (schedule it, say daily)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from memberconsole.core.audit import audit_prune


class Command(BaseCommand):
    help = "Delete audit trail entries older than AUDIT_RETENTION_DAYS (default 400)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="keep this many days instead of the setting")

    def handle(self, *args, days: int | None, **options) -> None:
        deleted = audit_prune(older_than_days=days)
        kept = settings.AUDIT_RETENTION_DAYS if days is None else days
        self.stdout.write(f"Deleted {deleted} audit entr{'y' if deleted == 1 else 'ies'} older than {kept} days.")
