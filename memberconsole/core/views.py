"""Console-wide pages that belong to no app: the health check."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness check for load balancers; needs no login and touches nothing upstream."""
    return JsonResponse({"status": "ok"})
