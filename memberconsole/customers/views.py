"""Customer pages: the start page, search from one box, the whole customer on one page, and revealing contact details.

No personal data travels in a URL: the search box posts its query, and the console answers with a redirect to the
customer or to a results page addressed by an opaque key kept in the agent's session.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from memberconsole.core import views as core_views
from memberconsole.core.exceptions import (
    CustomerDeletedError,
    CustomerMergedError,
    CustomerNotFoundError,
    UpstreamRejectedError,
    UpstreamUnavailableError,
)
from memberconsole.core.identifiers import CARD, CUSTOMER_ID, EMAIL, EXTERNAL_ID, MAX_CUSTOMER_ID, MOBILE
from memberconsole.core.masking import REVEAL_PERMISSION, contact_mask_for
from memberconsole.core.ratelimits import RateLimited, rate_limit_hit
from memberconsole.core.sources import MULTI_ACCOUNT_SOURCES
from memberconsole.core.stash import REGISTER_PREFILL, stash_get, stash_put
from memberconsole.customers import activity, selectors, services
from memberconsole.customers.forms import CustomerSearchForm, RevealForm

VIEW_PERMISSION = "customers.view_customers"
AUDIT_PERMISSION = "core.view_auditentry"
SEARCHES = "search"  # stash kind: a search's form data under its results page's key
# A results page keeps its outcome this long, so Back and reload show it again without searching again.
OUTCOME_SECONDS = 300
# The customer page's activity area, each part loaded when the agent opens it (customers/activity_views.py).
ACTIVITY_PARTS = [
    ("transactions", "Transactions", "bills and returns, the points each earned"),
    ("ledger", "Points ledger", "every credit and debit behind the balance"),
    ("expiry", "Expiring points", "what expires, soonest first"),
    ("coupons", "Coupons", "issued, redeemed and expired"),
]
# The browser gives up on a part after the console has had time for Capillary's timeout on every retry, and says so.
ACTIVITY_TIMEOUT_MS = int((settings.CAPILLARY_TIMEOUT * 3 + 5) * 1000)


def _prefill_link(request: HttpRequest, outcome: selectors.SearchOutcome) -> str:
    """The registration form's URL, prefilled (through the session, not the URL) with the identifier searched for."""
    for reading in outcome.tried:
        key = {MOBILE: "mobile", EMAIL: "email", EXTERNAL_ID: "external_id", CARD: "card_number"}.get(reading.type)
        if key:
            # A normalized mobile carries its country code; "+" lets the form read it whatever its default country.
            value = f"+{reading.value}" if reading.type == MOBILE and not reading.note else reading.value
            url = reverse("customers:register")
            return f"{url}?prefill={stash_put(request, REGISTER_PREFILL, {key: value})}"
    return reverse("customers:register")


def _unavailable(
    request: HttpRequest, exc: UpstreamUnavailableError | UpstreamRejectedError, **context
) -> HttpResponse:
    response = TemplateResponse(
        request,
        "customers/unavailable.html",
        {"error": exc, "retry_url": context.pop("retry_url", request.path), **context},
        status=exc.status_code,
    )
    if getattr(exc, "retry_after", None):
        response["Retry-After"] = str(exc.retry_after)
    return response


def _search_context(form: CustomerSearchForm, query: str) -> dict:
    return {"form": form, "search_query": query[:500], "multi_account_sources": sorted(MULTI_ACCOUNT_SOURCES)}


def _outcome_cache_key(request: HttpRequest, key: str, page: int) -> str:
    return f"customers:search-outcome:{request.user.pk}:{key}:{page}"


def _page_number(request: HttpRequest) -> int:
    """The results page asked for (?page=N); anything that is not a page number is the first page."""
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        return 1
    return page if 1 <= page <= selectors.MAX_PAGE else 1


def _page_url(key: str, page: int) -> str:
    url = reverse("customers:search_result", kwargs={"key": key})
    return url if page == 1 else f"{url}?page={page}"


def _run_search(request: HttpRequest, data: dict, *, page: int = 1) -> selectors.SearchOutcome:
    """Search (counted against the agent's limit), and record it in the audit trail whatever it found."""
    rate_limit_hit(user=request.user, action="search")
    query_type = data["type"] or "auto"
    try:
        outcome = selectors.customer_search(
            query=data["q"],
            forced_type=data["type"],
            source=data["source"],
            account_id=data["account_id"],
            page=page,
            mask=contact_mask_for(request.user),
        )
    except (UpstreamUnavailableError, UpstreamRejectedError):
        services.customer_search_record(request=request, query=data["q"], query_type=query_type, outcome="error")
        raise
    if outcome.customer_id is not None:
        result = "found"
    elif outcome.listed:
        result = "several"
    elif outcome.deleted is not None:
        result = "deleted"
    else:
        result = "none"
    reading = outcome.matched or outcome.deleted
    deleted_id = int(reading.value) if result == "deleted" and reading.type == CUSTOMER_ID else None
    services.customer_search_record(
        request=request,
        query=data["q"],
        query_type=reading.type if reading else query_type,
        outcome=result,
        customer_id=outcome.customer_id or deleted_id,
    )
    return outcome


def _answer(request: HttpRequest, form: CustomerSearchForm) -> HttpResponse:
    """Run a valid search and redirect: to the customer it found, or to its results page."""
    data = {name: form.cleaned_data[name] for name in ("q", "type", "source", "account_id")}
    try:
        outcome = _run_search(request, data)
    except RateLimited as exc:
        return core_views.rate_limited(request, exc)
    except (UpstreamUnavailableError, UpstreamRejectedError) as exc:
        return _unavailable(request, exc, retry_url=reverse("customers:search"), **_search_context(form, data["q"]))
    if outcome.customer_id is not None:
        return _found(request, outcome)
    key = stash_put(request, SEARCHES, data)
    cache.set(_outcome_cache_key(request, key, 1), outcome, OUTCOME_SECONDS)
    return redirect("customers:search_result", key=key)


def _found(request: HttpRequest, outcome: selectors.SearchOutcome) -> HttpResponse:
    """Open the customer a search found, saying on their page how (and that an account was merged into them)."""
    described = outcome.matched.describe(contact_mask_for(request.user))
    survivor = outcome.customer_id
    if outcome.merged and outcome.merged_from is not None:
        messages.warning(request, f"Customer {outcome.merged_from} was merged into customer {survivor}, shown here.")
    elif outcome.merged:
        # Capillary answered the identifier with the survivor without naming the merged account: no id to show.
        messages.warning(
            request,
            f"{described[:1].upper()}{described[1:]} belonged to an account merged into customer {survivor}, "
            "shown here.",
        )
    else:
        messages.info(request, f"Found by {described}.")
    return redirect("customers:detail", customer_id=survivor)


def _deleted(request: HttpRequest, outcome: selectors.SearchOutcome) -> HttpResponse:
    """The deleted page for a search whose only find was a customer deleted after a PII request."""
    reading = outcome.deleted
    context = {
        "customer_id": int(reading.value) if reading.type == CUSTOMER_ID else None,
        "identifier_label": reading.label,
        "error": CustomerDeletedError(request_id=outcome.deleted_request_id),
    }
    return TemplateResponse(request, "customers/deleted.html", context, status=410)


@require_GET
@permission_required(VIEW_PERMISSION, raise_exception=True)
def home(request: HttpRequest) -> HttpResponse:
    """The agent's start page: the search box and the customers they opened last."""
    response = TemplateResponse(
        request, "customers/home.html", {"recent": selectors.recent_customers(agent=request.user)}
    )
    response["Cache-Control"] = "no-store"  # names of customers
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@permission_required(VIEW_PERMISSION, raise_exception=True)
def customer_search(request: HttpRequest) -> HttpResponse:
    """Find a customer from whatever was typed (POST): one match opens the customer, several or none are shown on a
    results page with an opaque URL. A GET with ?q= (an old bookmark) runs the search and redirects the same way."""
    if request.method == "GET" and "q" not in request.GET:
        form = CustomerSearchForm()
        return TemplateResponse(request, "customers/search.html", _search_context(form, ""))
    form = CustomerSearchForm(request.POST if request.method == "POST" else request.GET)
    query = (request.POST if request.method == "POST" else request.GET).get("q", "")
    if not form.is_valid():
        return TemplateResponse(request, "customers/search.html", _search_context(form, query), status=400)
    return _answer(request, form)


@never_cache
@require_GET
@permission_required(VIEW_PERMISSION, raise_exception=True)
def search_result(request: HttpRequest, key: str) -> HttpResponse:
    """A search's results (a page of a name search, a deleted customer, or nobody), ?page=N for the next pages:
    reload and Back show them again without searching again."""
    data = stash_get(request, SEARCHES, key)
    if data is None:
        messages.info(request, "That search is no longer kept. Search again.")
        return redirect("customers:search")
    page = _page_number(request)
    form = CustomerSearchForm(data)
    form.is_valid()
    context = _search_context(form, data["q"])
    outcome = cache.get(_outcome_cache_key(request, key, page))
    if outcome is None:
        try:
            outcome = _run_search(request, data, page=page)
        except RateLimited as exc:
            return core_views.rate_limited(request, exc)
        except (UpstreamUnavailableError, UpstreamRejectedError) as exc:
            return _unavailable(request, exc, **context)
        if outcome.customer_id is not None:
            return _found(request, outcome)
        cache.set(_outcome_cache_key(request, key, page), outcome, OUTCOME_SECONDS)
    if page > 1 and (not outcome.listed or page > outcome.last_page):
        # A page past the end (the results changed, or an edited URL): the last page there is.
        return redirect(_page_url(key, outcome.last_page if outcome.listed else 1))
    if outcome.deleted is not None and not outcome.listed:
        return _deleted(request, outcome)
    context["outcome"] = outcome
    if outcome.listed:
        context["previous_url"] = _page_url(key, page - 1) if outcome.has_previous else ""
        context["next_url"] = _page_url(key, page + 1) if outcome.has_next else ""
    else:
        context["register_url"] = _prefill_link(request, outcome)
    return TemplateResponse(request, "customers/search.html", context)


@never_cache
@require_GET
@permission_required(VIEW_PERMISSION, raise_exception=True)
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The whole customer on one page, from one upstream call; contact details masked unless the viewer may see
    them or revealed them for this customer."""
    if customer_id > MAX_CUSTOMER_ID:
        return TemplateResponse(request, "customers/missing.html", {"customer_id": customer_id}, status=404)
    try:
        rate_limit_hit(user=request.user, action="view")
    except RateLimited as exc:
        return core_views.rate_limited(request, exc, customer_id=customer_id)
    mask, revealed_until = selectors.contact_mask_get(request=request, customer_id=customer_id)
    try:
        customer = selectors.customer_get(customer_id=customer_id, mask=mask)
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
    services.customer_view_record(request=request, customer=customer, revealed=revealed_until is not None)
    activity.program_titles_remember(
        customer_id=customer.id, titles={p.program_id: p.title for p in customer.programs if p.program_id is not None}
    )
    can_reveal = request.user.has_perm(REVEAL_PERMISSION) and not mask.reveal
    context = {
        "customer": customer,
        "masked": not mask.reveal,
        "revealed_until": revealed_until,
        "reveal_form": RevealForm() if can_reveal else None,
        "can_read_audit": request.user.has_perm(AUDIT_PERMISSION),
        "reveal_minutes": settings.REVEAL_MINUTES,
        "activity_parts": [
            (part, label, hint, reverse(f"customers:{part}", args=[customer.id]))
            for part, label, hint in ACTIVITY_PARTS
        ],
        "activity_timeout_ms": ACTIVITY_TIMEOUT_MS,
        "time_zone": settings.TIME_ZONE,
    }
    return TemplateResponse(request, "customers/detail.html", context)


@never_cache
@require_POST
@permission_required(REVEAL_PERMISSION, raise_exception=True)
def customer_reveal(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Show one customer's contact details to this supervisor for a few minutes, for a reason that is audited first."""
    form = RevealForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "Choose why you need to see the contact details"
            + (" and say it in your own words." if "text" in form.errors else "."),
        )
        return redirect("customers:detail", customer_id=customer_id)
    try:
        services.contact_reveal(
            request=request, customer_id=customer_id, reason=form.cleaned_data["reason"], text=form.cleaned_data["text"]
        )
    except DatabaseError:
        # The reveal could not be recorded, so it does not happen (a security reviewer's rule: no trail, no reveal).
        messages.error(
            request, "The contact details could not be revealed: the audit trail is not answering. Try again."
        )
        return redirect("customers:detail", customer_id=customer_id)
    return redirect("customers:detail", customer_id=customer_id)
