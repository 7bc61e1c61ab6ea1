"""Console-wide pages: home and health check."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from memberconsole.customers.selectors import recent_customers
from memberconsole.customers.services import recent_customers_trim


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The agent's start page: the search box and the customers they opened last."""
    recent_customers_trim(agent=request.user)
    return TemplateResponse(request, "core/home.html", {"recent": recent_customers(agent=request.user)})


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness check for load balancers; needs no login and touches nothing upstream."""
    return JsonResponse({"status": "ok"})
