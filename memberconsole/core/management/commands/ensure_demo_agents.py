"""Create (once) the demo logins that exist only with the fake Capillary, one per role, and print them every time."""

import json
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from memberconsole.core.roles import ADMINISTRATOR, AGENT, STAFF_ROLES, SUPERVISOR

# (username, role, first name, last name): the first is the one a newcomer signs in with.
DEMO_LOGINS = [
    ("demo", AGENT, "Demo", "Agent"),
    ("demo-supervisor", SUPERVISOR, "Demo", "Supervisor"),
    ("demo-admin", ADMINISTRATOR, "Demo", "Administrator"),
]


class Command(BaseCommand):
    help = "Create the demo logins (agent, supervisor, administrator) for the built-in fake Capillary."

    def handle(self, *args, **options):
        if settings.CAPILLARY_BASE_URL:
            raise CommandError(
                "The demo logins exist only with the built-in fake Capillary; CAPILLARY_BASE_URL is set."
            )
        password_file = settings.VAR_DIR / "demo-logins.json"
        passwords = json.loads(password_file.read_text()) if password_file.exists() else {}
        users = get_user_model()
        for username, role, first, last in DEMO_LOGINS:
            user = users.objects.filter(username=username).first() or users(
                username=username, first_name=first, last_name=last
            )
            password = passwords.get(username, "")
            if not password or not user.check_password(password):
                password = password or secrets.token_urlsafe(9)
                user.set_password(password)
                passwords[username] = password
            user.is_active = True
            user.is_superuser = False
            user.is_staff = role in STAFF_ROLES
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            self.stdout.write(f"Demo login, {role.lower()}: username {username}  password {password}")
        password_file.write_text(json.dumps(passwords, indent=2) + "\n")
        password_file.chmod(0o600)
