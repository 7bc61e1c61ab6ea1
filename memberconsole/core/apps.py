from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "memberconsole.core"
    label = "core"
    verbose_name = "Member Console"

    def ready(self) -> None:
        from memberconsole.core.roles import ensure_roles

        post_migrate.connect(ensure_roles, dispatch_uid="memberconsole-roles")
