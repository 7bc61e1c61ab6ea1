"""Customer pages: the start page, search from one box, and the whole customer on one page."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from memberconsole.core.exceptions import (
    CustomerDeletedError,
    CustomerMergedError,
    CustomerNotFoundError,
    UpstreamRejectedError,
    UpstreamUnavailableError,
)
from memberconsole.core.identifiers import CARD, EMAIL, EXTERNAL_ID, MAX_CUSTOMER_ID, MOBILE
from memberconsole.core.sources import MULTI_ACCOUNT_SOURCES
from memberconsole.customers import selectors, services
from memberconsole.customers.forms import CustomerSearchForm


def _register_link(outcome: selectors.SearchOutcome) -> str:
    """The registration form's URL, prefilled with the identifier the agent searched for."""
    params = {}
    for reading in outcome.tried:
        key = {MOBILE: "mobile", EMAIL: "email", EXTERNAL_ID: "external_id", CARD: "card_number"}.get(reading.type)
        if key and key not in params:
            # A normalized mobile carries its country code; "+" lets the form read it whatever its default country.
            params[key] = f"+{reading.value}" if reading.type == MOBILE and not reading.note else reading.value
            break
    url = reverse("customers:register")
    return f"{url}?{urlencode(params)}" if params else url


def _unavailable(
    request: HttpRequest, exc: UpstreamUnavailableError | UpstreamRejectedError, **context
) -> HttpResponse:
    status = exc.status_code if isinstance(exc, UpstreamUnavailableError) else 502
    return TemplateResponse(
        request,
        "customers/unavailable.html",
        {"error": exc, "retry_url": request.get_full_path(), **context},
        status=status,
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The agent's start page: the search box and the customers they opened last."""
    services.recent_customers_trim(agent=request.user)
    return TemplateResponse(request, "customers/home.html", {"recent": selectors.recent_customers(agent=request.user)})


@require_GET
def customer_search(request: HttpRequest) -> HttpResponse:
    """Find a customer from whatever was typed: one match opens the customer, several are listed, none says so."""
    form = CustomerSearchForm(request.GET or None)
    context = {
        "form": form,
        "search_query": request.GET.get("q", "")[:500],
        "multi_account_sources": sorted(MULTI_ACCOUNT_SOURCES),
    }
    if not request.GET:
        return TemplateResponse(request, "customers/search.html", context)
    if not form.is_valid():
        return TemplateResponse(request, "customers/search.html", context, status=400)
    data = form.cleaned_data
    try:
        outcome = selectors.customer_search(
            query=data["q"], forced_type=data["type"], source=data["source"], account_id=data["account_id"]
        )
    except (UpstreamUnavailableError, UpstreamRejectedError) as exc:
        return _unavailable(request, exc, form=form, search_query=context["search_query"])
    context["outcome"] = outcome
    if outcome.customer_id is not None:
        messages.info(request, f"Found by {outcome.matched.describe()}.")
        return redirect("customers:detail", customer_id=outcome.customer_id)
    if outcome.hits:
        return TemplateResponse(request, "customers/search.html", context)
    context["register_url"] = _register_link(outcome)
    return TemplateResponse(request, "customers/search.html", context)


@require_GET
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The whole customer on one page, from one upstream call."""
    if customer_id > MAX_CUSTOMER_ID:
        return TemplateResponse(request, "customers/missing.html", {"customer_id": customer_id}, status=404)
    try:
        customer = selectors.customer_get(customer_id=customer_id)
    except CustomerNotFoundError as exc:
        return TemplateResponse(
            request, "customers/missing.html", {"customer_id": customer_id, "error": exc}, status=404
        )
    except CustomerDeletedError as exc:
        return TemplateResponse(
            request, "customers/deleted.html", {"customer_id": customer_id, "error": exc}, status=410
        )
    except CustomerMergedError as exc:
        return TemplateResponse(request, "customers/merged.html", {"customer_id": customer_id, "error": exc})
    except (UpstreamUnavailableError, UpstreamRejectedError) as exc:
        return _unavailable(request, exc, customer_id=customer_id)
    services.recent_customer_record(agent=request.user, customer=customer)
    return TemplateResponse(request, "customers/detail.html", {"customer": customer})
