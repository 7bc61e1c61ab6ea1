"""Register a walk-in customer: the form, the duplicate check as the agent types, and the result."""

import dataclasses
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from memberconsole.capillary import errors as cap
from memberconsole.core.audit import Action, audit_record
from memberconsole.core.masking import contact_mask_for
from memberconsole.core.stash import REGISTER_PREFILL, stash_get
from memberconsole.registration import selectors, services
from memberconsole.registration.domain import DuplicateMatch
from memberconsole.registration.forms import RegistrationForm
from memberconsole.registration.models import RegistrationAttempt, RegistrationSettings

REGISTER_PERMISSION = "registration.add_registrationattempt"
CHECK_FAILED = "Could not check for an existing customer right now; it is checked again on submit."
PREFILL = ("first_name", "last_name", "mobile", "email", "external_id", "card_number", "source", "account_id")


def _masked(match: DuplicateMatch | None, mask) -> DuplicateMatch | None:
    """An existing customer's identifier as the agent may see it (it is now known to be that customer's)."""
    return dataclasses.replace(match, value=mask.value(match.identifier, match.value)) if match else None


def _render(
    request: HttpRequest, form: RegistrationForm, *, duplicates=None, confirm=None, status: int = 200, **context
) -> HttpResponse:
    # The form always comes back filled with what the agent typed; the status says when Capillary failed (502-504).
    mask = contact_mask_for(request.user)
    duplicates = duplicates or {}
    checks = [(form[name], _masked(duplicates.get(name), mask)) for name in form.identifier_fields]
    context = {"form": form, "identifier_checks": checks, "confirm": _masked(confirm, mask), **context}
    response = TemplateResponse(request, "registration/register.html", context, status=status)
    if request.method == "POST":
        response["Cache-Control"] = "no-store"  # may name an existing customer
    return response


def _audit(request: HttpRequest, result: services.Submission) -> None:
    attempt = result.registered or result.in_flight or result.attempt
    if result.registered:
        outcome = "already registered" if result.earlier else "registered"
    elif result.in_flight:
        outcome = "in flight"
    elif attempt is not None:
        outcome = attempt.status
    else:
        outcome = "blocked" if result.duplicates or result.field_errors else "not sent"
    audit_record(
        action=Action.REGISTER,
        request=request,
        customer_id=attempt.customer_id if attempt else None,
        outcome=outcome,
        capillary_request_id=attempt.request_id if attempt and attempt.request_id else None,
        details={"source": result.registered.source} if result.registered else {},
    )


# Not never_cache on GET: Back must bring the agent's typing back. A resubmitted old form with new details is caught by
# the attempt's fingerprint (services.registration_submit), not by the browser cache.
@require_http_methods(["GET", "POST"])
@permission_required(REGISTER_PERMISSION, raise_exception=True)
def customer_register(request: HttpRequest) -> HttpResponse:
    """The registration form; a POST registers the customer once, whatever the agent's clicks."""
    config = RegistrationSettings.load()
    if request.method == "GET":
        # A search that found nobody hands its identifier over in the session (?prefill=KEY): no mobile in the URL.
        prefill = stash_get(request, REGISTER_PREFILL, request.GET.get("prefill", "")) or {}
        initial = {key: str(prefill[key])[:255] for key in PREFILL if prefill.get(key)}
        return _render(request, RegistrationForm(initial=initial, config=config))

    form = RegistrationForm(request.POST, config=config)
    if not form.is_valid():
        if "token" in form.errors:
            form.add_error(None, "This form had expired. Check the details and submit again.")
            return _render(request, form, new_token=uuid.uuid4())
        return _render(request, form)
    result = services.registration_submit(
        data=form.registration_data(),
        token=form.cleaned_data["token"],
        agent=request.user,
        confirm_existing=form.cleaned_data.get("confirm_existing"),
        config=config,
    )
    _audit(request, result)
    if result.registered:
        if result.earlier:
            messages.info(request, "This form was already submitted: the customer was registered once, shown below.")
        return redirect("customers:registered", token=result.registered.token)
    if result.in_flight:
        return TemplateResponse(request, "registration/already_submitted.html", {"attempt": result.in_flight})
    for field_name, message in result.field_errors.items():
        form.add_error(field_name if field_name in form.fields else None, message)
    if result.form_error:
        form.add_error(None, result.form_error)
    return _render(
        request,
        form,
        attempt=result.attempt,
        duplicates=result.duplicates,
        confirm=result.confirm,
        new_token=result.next_token,
        status=result.status,
    )


@never_cache
@require_GET
@permission_required(REGISTER_PERMISSION, raise_exception=True)
def registration_result(request: HttpRequest, token) -> HttpResponse:
    """What happened to one registration: the new customer, warnings and side effects."""
    result = selectors.registration_result(token=token, agent=request.user)
    if result is None:
        raise Http404
    if result.attempt.effective_status != RegistrationAttempt.REGISTERED:
        return TemplateResponse(request, "registration/already_submitted.html", {"attempt": result.attempt})
    return TemplateResponse(request, "registration/registered.html", {"result": result, "attempt": result.attempt})


@never_cache
@require_GET
@permission_required(REGISTER_PERMISSION, raise_exception=True)
def identifier_check(request: HttpRequest) -> HttpResponse:
    """htmx: as the agent leaves an identifier field, say whether a customer already has it."""
    config = RegistrationSettings.load()
    field_name = request.GET.get("field", "")
    form = RegistrationForm(request.GET, config=config)
    form.is_valid()
    context = {"match": None, "check_error": "", "invalid": ""}
    template = "registration/register.html#dup-check"
    if field_name not in form.identifier_fields:
        return TemplateResponse(request, template, context)
    if field_name in form.errors:
        # Flag a value the form will refuse as soon as the agent leaves the field, not only on submit.
        context["invalid"] = form.errors[field_name][0] if form.data.get(field_name, "").strip() else ""
        return TemplateResponse(request, template, context)
    value = form.lookup_value(field_name)
    if value:
        try:
            match = selectors.identifier_owner(
                identifier=form.fields[field_name].identifier,
                value=value,
                source=form.cleaned_data.get("source") or config.default_source,
                account_id=form.cleaned_data.get("account_id", ""),
            )
        except cap.CapillaryError:
            context["check_error"] = CHECK_FAILED
        else:
            context["match"] = _masked(match, contact_mask_for(request.user))
    return TemplateResponse(request, template, context)
