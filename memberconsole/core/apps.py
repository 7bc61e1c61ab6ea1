from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    default = True
    name = "memberconsole.core"
    label = "core"
    verbose_name = "Member Console"

    def ready(self) -> None:
        from memberconsole.core import audit  # noqa: F401 -- connects the sign-in, sign-out and lockout receivers
        from memberconsole.core.auth import connect_signals
        from memberconsole.core.roles import ensure_reveal_reasons, ensure_roles

        connect_signals()
        post_migrate.connect(ensure_roles, dispatch_uid="memberconsole-roles")
        post_migrate.connect(ensure_reveal_reasons, dispatch_uid="memberconsole-reveal-reasons")


class ConsoleAdminConfig(admin_apps.AdminConfig):
    """Django admin on the console's admin site (memberconsole.core.admin_site), named in INSTALLED_APPS."""

    default = False
    default_site = "memberconsole.core.admin_site.ConsoleAdminSite"
