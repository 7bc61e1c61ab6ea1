"""Request-wide safety: session time limits, the login redirect without query strings, security headers, and the
Capillary request ids of each page request (for its audit entries)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url

from memberconsole.capillary.tracking import collect_request_ids

SESSION_STARTED = "console_started"
SESSION_SEEN = "console_seen"
# A page request refreshes "last seen" at most this often, so the session is written once a minute, not every time.
SEEN_RESOLUTION_SECONDS = 60
POLL_HEADER = "HTTP_X_CONSOLE_POLL"  # htmx polls (bulk progress) are not the agent being active


class SessionTimeoutMiddleware:
    """Ends a session after SESSION_IDLE_MINUTES without a page request, and SESSION_COOKIE_AGE after sign-in."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            started = session.setdefault(SESSION_STARTED, now)
            seen = session.get(SESSION_SEEN, now)
            idle = now - seen > settings.SESSION_IDLE_MINUTES * 60
            if idle or now - started > settings.SESSION_COOKIE_AGE:
                request.console_logout_reason = "idle" if idle else "time limit"
                logout(request)
                messages.info(
                    request,
                    "You were signed out after a while without activity. Sign in again."
                    if idle
                    else "Your session reached its time limit. Sign in again.",
                )
            elif not request.META.get(POLL_HEADER) and (
                SESSION_SEEN not in session or now - seen >= SEEN_RESOLUTION_SECONDS
            ):
                session[SESSION_SEEN] = now
        return self.get_response(request)


class ConsoleLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs a sign-in; the login redirect's `next` keeps the path only (a query may hold a mobile)."""

    def handle_no_permission(self, request: HttpRequest, view_func) -> HttpResponse:
        login_url = resolve_url(self.get_login_url(view_func))
        return redirect_to_login(request.path, login_url, self.get_redirect_field_name(view_func))


class SecurityHeadersMiddleware:
    """Headers Django does not set itself: Permissions-Policy."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class CapillaryRequestIdsMiddleware:
    """Collects the Capillary request ids of the calls a page request makes, for the audit entries it writes."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with collect_request_ids():
            return self.get_response(request)
