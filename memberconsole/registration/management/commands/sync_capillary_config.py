"""Sync the mirrored extended field definitions and loyalty programs from Capillary."""

from django.core.management.base import BaseCommand, CommandError

from memberconsole.capillary.errors import CapillaryError
from memberconsole.registration.sync import extended_fields_sync, programs_sync


class Command(BaseCommand):
    help = (
        "Sync extended field definitions (GET /v2/extendedFields) and loyalty programs (GET /v2/organization/programs)."
    )

    def handle(self, *args, **options):
        try:
            for line in [*extended_fields_sync(), *programs_sync()]:
                self.stdout.write(line)
        except CapillaryError as exc:
            raise CommandError(f"Capillary refused the sync: {exc}") from exc
