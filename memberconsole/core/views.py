"""Console-wide pages that belong to no app: the health check, and the refusal pages every app uses."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from memberconsole.core.audit import Action, audit_record
from memberconsole.core.ratelimits import RateLimited


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness check for load balancers; needs no login and touches nothing upstream."""
    return JsonResponse({"status": "ok"})


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    """The 403 page (handler403): the console's own plain page, and an audit entry for a signed-in agent."""
    if request.user.is_authenticated:
        audit_record(action=Action.DENIED, request=request, outcome="403", details={"path": request.path[:200]})
    response = TemplateResponse(request, "403.html", status=403)
    response.render()
    return response


def rate_limited(request: HttpRequest, exc: RateLimited, *, customer_id: int | None = None) -> HttpResponse:
    """The friendly 429: what the limit is and when to try again; recorded in the audit trail."""
    audit_record(
        action=Action.RATE_LIMITED,
        request=request,
        customer_id=customer_id,
        outcome=exc.action,
        details={"limit": str(exc), "retry_after": exc.retry_after},
    )
    response = TemplateResponse(request, "429.html", {"limit": exc}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response
