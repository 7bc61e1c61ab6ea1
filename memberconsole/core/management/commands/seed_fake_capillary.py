"""Seed the built-in fake Capillary's SQLite file with its demo data and generated customers (idempotent)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create the fake Capillary's data file with the docs' and demo customers, topped up to N generated ones."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=2000, help="generated customers to have (default 2000)")

    def handle(self, *args, customers: int, **options):
        if settings.CAPILLARY_BASE_URL:
            raise CommandError("CAPILLARY_BASE_URL is set: the console talks to a live Capillary, not the fake.")
        from memberconsole.fake_capillary import create_app

        started = time.perf_counter()
        store = create_app(db_path=settings.CAPILLARY_FAKE_DB).store
        before = store.generated_count()
        store.seed(customers)
        after = store.generated_count()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Fake Capillary ready: {after:,} generated customers plus the demo ones "
            f"({after - before:,} added in {elapsed:.1f} s) in {settings.CAPILLARY_FAKE_DB}"
        )
