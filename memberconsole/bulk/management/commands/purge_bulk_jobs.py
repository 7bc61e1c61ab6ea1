"""Delete bulk lookups older than 24 hours (schedule it, say hourly: no page view purges)."""

from django.core.management.base import BaseCommand

from memberconsole.bulk.services import bulk_jobs_purge_expired


class Command(BaseCommand):
    help = "Delete bulk lookup jobs (and their rows) older than 24 hours."

    def handle(self, *args, **options) -> None:
        deleted = bulk_jobs_purge_expired()
        self.stdout.write(f"Deleted {deleted} expired bulk lookup{'s' if deleted != 1 else ''}.")
