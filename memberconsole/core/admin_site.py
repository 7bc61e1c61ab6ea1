"""The console's Django admin site: signed-in accounts without admin access get the console's 403, not a login form."""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
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
