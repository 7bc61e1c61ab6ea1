"""Create (once) the demo login that exists only with the fake Capillary, and print it every time."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEMO_USERNAME = "demo"


class Command(BaseCommand):
    help = "Create the demo login for the built-in fake Capillary (refused against a live Capillary)."

    def handle(self, *args, **options):
        if settings.CAPILLARY_BASE_URL:
            raise CommandError(
                "The demo login exists only with the built-in fake Capillary; CAPILLARY_BASE_URL is set."
            )
        password_file = settings.VAR_DIR / "demo-login.txt"
        password = password_file.read_text().strip() if password_file.exists() else ""
        user = get_user_model().objects.filter(username=DEMO_USERNAME).first()
        if user is None:
            user = get_user_model()(username=DEMO_USERNAME, first_name="Demo", last_name="Agent")
        if not password or not user.check_password(password):
            password = password or secrets.token_urlsafe(9)
            user.set_password(password)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
        # The demo login may do everything, Django admin included, so a newcomer can see the whole console.
        user.is_staff = user.is_superuser = user.is_active = True
        user.save()
        self.stdout.write(
            f"Demo login (fake Capillary only, with admin rights): username {DEMO_USERNAME}  password {password}"
        )
