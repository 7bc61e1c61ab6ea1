"""The console's Django admin site (signed-in accounts without admin access get the console's 403, not a login form),
and the base of its read-only record pages."""

from functools import update_wrapper

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.decorators import method_decorator


class ConsoleAdminSite(admin.AdminSite):
    site_header = "Member Console administration"
    site_title = "Member Console admin"
    index_title = "Agents, roles, registration configuration and the audit trail"

    @method_decorator(login_not_required)
    def login(self, request: HttpRequest, extra_context=None):
        # Django sends a signed-in agent without admin access to the admin's own login form, which invites them to
        # "log in as another account". The console answers plainly instead (and audits the refusal).
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied("Django admin is for supervisors and administrators.")
        return super().login(request, extra_context)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def refuse_agents(request: HttpRequest, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied("Django admin is for supervisors and administrators.")
            return inner(request, *args, **kwargs)

        return update_wrapper(refuse_agents, inner)


class RecordAdmin(admin.ModelAdmin):
    """A record of what happened (the audit trail, registration attempts): nobody adds, changes or deletes one through
    the admin, superusers included; `when` shows its created_at in the console's time zone, named in the column."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=f"When ({settings.TIME_ZONE})", ordering="created_at")
    def when(self, obj) -> str:
        return timezone.localtime(obj.created_at).strftime("%d %b %Y, %H:%M:%S")
