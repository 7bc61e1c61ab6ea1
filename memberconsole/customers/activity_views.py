"""The customer page's activity area, loaded after the page is shown (htmx): transactions and one bill, the points
ledger, expiring points and coupons. Each section is its own request, so one failing upstream never blanks the others,
and each works as a full page without JavaScript."""

from django import forms
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from memberconsole.core import views as core_views
from memberconsole.core.audit import Action, audit_record
from memberconsole.core.exceptions import (
    MemberConsoleError,
)
from memberconsole.core.identifiers import MAX_CUSTOMER_ID
from memberconsole.core.ratelimits import RateLimited, rate_limit_hit
from memberconsole.customers import activity, selectors

VIEW_PERMISSION = "customers.view_customers"
TEMPLATE = "customers/activity.html"
SECTION_TITLES = {
    "transactions": "Transactions",
    "bill": "Bill",
    "ledger": "Points ledger",
    "expiry": "Expiring points",
    "coupons": "Coupons",
}


class BillSearchForm(forms.Form):
    """Find a bill: by its number, or between two dates."""

    number = forms.CharField(label="Bill number", required=False, max_length=100, strip=True)
    start = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    offset = forms.IntegerField(required=False, min_value=0, max_value=100_000, widget=forms.HiddenInput)


class LedgerForm(forms.Form):
    type = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("", "Credits and debits"), ("CREDIT", "Credits (points in)"), ("DEBIT", "Debits (points out)")],
    )
    start = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    page = forms.IntegerField(required=False, min_value=0, max_value=10_000, widget=forms.HiddenInput)


FORMS = {"transactions": BillSearchForm, "ledger": LedgerForm}


def _render(request: HttpRequest, section: str, customer_id: int, context: dict, *, status: int = 200) -> HttpResponse:
    """The section alone for htmx; the section in a page of its own otherwise (no JavaScript, or opened in a tab)."""
    template = f"{TEMPLATE}#{section}" if request.htmx else TEMPLATE
    context = {
        "customer_id": customer_id,
        "section": section,
        "title": SECTION_TITLES.get(section, "Transactions"),
        "transactions_url": reverse("customers:transactions", args=[customer_id]),
        "ledger_url": reverse("customers:ledger", args=[customer_id]),
        "h": 3 if request.htmx else 2,  # heading level: under the customer page's "Activity", or under this page's h1
        **context,
    }
    response = TemplateResponse(request, template, context, status=status if not request.htmx else 200)
    response["Cache-Control"] = "no-store"
    return response


def _failed(request: HttpRequest, section: str, customer_id: int, exc: MemberConsoleError) -> HttpResponse:
    """Capillary's failure said in the section, with the request id to quote; what the agent typed stays."""
    context = {"error": exc.message, "error_id": exc.request_id}
    if section in FORMS:
        context["form"] = FORMS[section](request.GET or None)
    return _render(request, section, customer_id, context, status=exc.status_code)


def _guarded(section: str):
    """Permission, the agent's activity limit, an audit entry, and Capillary's failures said plainly in the section."""

    def decorate(view):
        @never_cache
        @require_GET
        @permission_required(VIEW_PERMISSION, raise_exception=True)
        def wrapper(request: HttpRequest, customer_id: int, **kwargs) -> HttpResponse:
            if customer_id > MAX_CUSTOMER_ID:
                return _render(request, section, customer_id, {"error": "No such customer."}, status=404)
            try:
                rate_limit_hit(user=request.user, action="activity")
            except RateLimited as exc:
                return core_views.rate_limited(request, exc, customer_id=customer_id)
            try:
                response, outcome = view(request, customer_id, **kwargs), "ok"
            except MemberConsoleError as exc:
                response, outcome = _failed(request, section, customer_id, exc), "error"
            audit_record(
                action=Action.ACTIVITY,
                request=request,
                customer_id=customer_id,
                outcome=outcome,
                details={"section": section},
            )
            return response

        wrapper.__name__ = wrapper.__qualname__ = view.__name__
        wrapper.__doc__ = view.__doc__
        return wrapper

    return decorate


@_guarded("transactions")
def transactions(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The customer's bills and returns, newest first, 20 at a time; or the bills found by number or dates."""
    form = BillSearchForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    offset = data.get("offset") or 0
    searching = bool(data.get("number") or data.get("start") or data.get("end"))
    page = activity.customer_bills(
        customer_id=customer_id,
        offset=offset,
        number=data.get("number", ""),
        start=data.get("start"),
        end=data.get("end"),
    )
    params = {k: v for k, v in request.GET.items() if k != "offset"}
    context = {"page": page, "form": form, "searching": searching, "offset": offset, "params": params}
    section = "bill-rows" if offset and request.htmx else "transactions"
    return _render(request, section, customer_id, context)


@_guarded("bill")
def bill(request: HttpRequest, customer_id: int, transaction_id: int) -> HttpResponse:
    """One bill: its line items, and the points it earned with their expiry (or why it earned none)."""
    kind = request.GET.get("type", "REGULAR").upper()
    if kind not in activity.KIND_WORDS:
        kind = "REGULAR"
    found = activity.customer_bill(customer_id=customer_id, transaction_id=transaction_id, kind=kind)
    return _render(request, "bill", customer_id, {"bill": found})


@_guarded("ledger")
def ledger(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The credits and debits that explain the balance, per program, newest first, filterable by type and dates."""
    form = LedgerForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = activity.customer_ledger(
        customer_id=customer_id,
        page=data.get("page") or 0,
        entry_type=data.get("type", ""),
        start=data.get("start"),
        end=data.get("end"),
    )
    params = {k: v for k, v in request.GET.items() if k != "page"}
    return _render(request, "ledger", customer_id, {"page": page, "form": form, "params": params})


@_guarded("expiry")
def expiry(request: HttpRequest, customer_id: int) -> HttpResponse:
    """How many points expire and when, soonest first."""
    expiries = activity.customer_expiry(customer_id=customer_id)
    totals: dict[str, int] = {}  # per program: points and miles do not add up
    for e in expiries:
        totals[e.program] = totals.get(e.program, 0) + (e.points or 0)
    return _render(request, "expiry", customer_id, {"expiries": expiries, "expiry_totals": totals})


@_guarded("coupons")
def coupons(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Issued, redeemed and expired coupons; codes masked like contact details."""
    mask, _ = selectors.contact_mask_get(request=request, customer_id=customer_id)
    rows = activity.customer_coupons(customer_id=customer_id, mask=mask)
    return _render(request, "coupons", customer_id, {"coupons": rows, "masked": not mask.reveal})
