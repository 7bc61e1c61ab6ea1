"""Register a walk-in customer exactly once: the form token's history, the duplicate checks, one POST, its outcome.

An attempt moves SENDING -> REGISTERED | REJECTED | NOT_SENT | UNKNOWN (models.RegistrationAttempt). Its one-time token
is claimed in the database before the single POST /v2/customers, which is never retried; an answer that leaves the
outcome uncertain (a timeout or 5xx once the request may have left) is settled by looking the customer up.
"""

import dataclasses
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from memberconsole.capillary import errors as cap
from memberconsole.capillary.client import CapillaryClient
from memberconsole.capillary.factory import get_capillary_client
from memberconsole.capillary.schemas import CustomerCreateRequest, CustomerCreateResponse, UserContext
from memberconsole.core.exceptions import UpstreamUnavailableError, translate_error
from memberconsole.core.freshness import customer_changed
from memberconsole.registration.domain import DuplicateMatch, RegistrationData
from memberconsole.registration.models import (
    FIELD_FOR_IDENTIFIER,
    RegistrationAttempt,
    RegistrationRejection,
    RegistrationSettings,
)
from memberconsole.registration.payloads import build_request
from memberconsole.registration.selectors import identifier_owners

ALREADY_EXISTS = "A customer with this identifier already exists in this source."
NOT_REACHED = (
    "Capillary, the loyalty system, could not be reached, so nothing was registered. "
    "Everything you typed is still here: try again in a moment."
)
UNCHECKED = (
    "Capillary did not answer and we could not check whether the customer was registered. "
    "Search for the customer before trying again, so they are not registered twice."
)
CHECKED_NOT_REGISTERED = (
    "Capillary did not confirm the registration, and a check shows the customer was not registered. "
    "Nothing was saved; everything you typed is still here, so you can try again."
)
CANNOT_CHECK = (
    "Capillary, the loyalty system, is not answering, so we cannot check for an existing customer. "
    "Nothing was registered. Everything you typed is still here: try again in a moment."
)


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistrationOutcome:
    attempt: RegistrationAttempt
    field_errors: dict[str, str] = field(default_factory=dict)
    form_error: str = ""
    existing: DuplicateMatch | None = None
    status: int = 200  # the page's HTTP status: 502, 503 or 504 when Capillary failed, the form shown again filled

    @property
    def registered(self) -> bool:
        return self.attempt.status == RegistrationAttempt.REGISTERED


class TokenAlreadyUsed(Exception):
    """The form's one-time token was submitted before: this is a double click or a resubmit, not a new registration."""

    def __init__(self, attempt: RegistrationAttempt) -> None:
        self.attempt = attempt
        super().__init__(str(attempt.token))


def _client(client: CapillaryClient | None) -> CapillaryClient:
    return client or get_capillary_client()


# ---------------------------------------------------------------------------------------------------- one attempt


def _claim(token, *, agent, data: RegistrationData) -> RegistrationAttempt:
    """Record the token before anything is sent; a second submit of the same token fails here, before Capillary."""
    try:
        with transaction.atomic():
            return RegistrationAttempt.objects.create(
                token=token, agent=agent, source=data.source, fingerprint=fingerprint(data)
            )
    except IntegrityError:
        raise TokenAlreadyUsed(RegistrationAttempt.objects.get(token=token)) from None


def _finish(attempt: RegistrationAttempt, status: str, **fields) -> RegistrationAttempt:
    for name, value in fields.items():
        setattr(attempt, name, value)
    attempt.status = status
    attempt.finished_at = timezone.now()
    attempt.save()
    if status == RegistrationAttempt.REGISTERED and attempt.customer_id:
        customer_changed(customer_id=attempt.customer_id)  # a profile added to a known customer: what was kept is old
    return attempt


def customer_register(
    *,
    data: RegistrationData,
    agent,
    token,
    config: RegistrationSettings | None = None,
    client: CapillaryClient | None = None,
) -> RegistrationOutcome:
    """Register one walk-in customer: one POST at most per form token, never retried; uncertain outcomes checked."""
    config = config or RegistrationSettings.load()
    client = _client(client)
    request = build_request(data, config)  # before the claim: a bug here must not leave a half-made attempt
    attempt = _claim(token, agent=agent, data=data)
    context = UserContext(entity_type="MEMBER_CONSOLE_AGENT", entity_id=str(agent.pk), source="MEMBER_CARE")
    try:
        return _send(request, attempt=attempt, data=data, config=config, context=context, client=client)
    except BaseException:
        # Whatever went wrong, the POST may have left: never leave the attempt "sending" (that would block the form).
        if attempt.status == RegistrationAttempt.SENDING:
            _finish(attempt, RegistrationAttempt.UNKNOWN)
        raise


def _send(
    request: CustomerCreateRequest,
    *,
    attempt: RegistrationAttempt,
    data: RegistrationData,
    config: RegistrationSettings,
    context: UserContext,
    client: CapillaryClient,
) -> RegistrationOutcome:
    """The one POST /v2/customers of an attempt, and what its answer (or silence) means."""
    try:
        response = client.customer_create(request, user_context=context)
    except cap.CapillaryAlreadyExistsError as exc:
        return _already_registered(exc, attempt=attempt, data=data, config=config, client=client)
    except cap.CapillaryUnavailableError as exc:
        return _settle_uncertain(exc, attempt=attempt, data=data, config=config, client=client)
    except cap.CapillaryError as exc:
        return _refused(exc, attempt=attempt, config=config)
    return _registered(response, attempt=attempt)


def _registered(response: CustomerCreateResponse, *, attempt: RegistrationAttempt) -> RegistrationOutcome:
    """Capillary created the customer (or added a profile to one): keep its warnings and side effects."""
    warnings = [{"code": w.code, "message": w.message or ""} for w in response.warnings]
    _finish(
        attempt,
        RegistrationAttempt.REGISTERED,
        customer_id=response.created_id,
        warnings=warnings,
        side_effects=[s.model_dump(mode="json", exclude_none=True) for s in response.side_effects],
        added_profile=8050 in {w["code"] for w in warnings},
    )
    return RegistrationOutcome(attempt=attempt)


def _already_registered(
    exc: cap.CapillaryAlreadyExistsError,
    *,
    attempt: RegistrationAttempt,
    data: RegistrationData,
    config: RegistrationSettings,
    client: CapillaryClient,
) -> RegistrationOutcome:
    """Capillary says the customer exists in this source: point the agent at who has the identifier."""
    _finish(attempt, RegistrationAttempt.REJECTED, request_id=exc.request_id or "", codes=_codes(exc))
    existing = next(
        identifier_owners(data=data, client=client, first=config.primary_identifier, skip_errors=True), None
    )
    field_name = FIELD_FOR_IDENTIFIER[existing.identifier if existing else config.primary_identifier]
    return RegistrationOutcome(attempt=attempt, existing=existing, field_errors={field_name: ALREADY_EXISTS})


def _settle_uncertain(
    exc: cap.CapillaryUnavailableError,
    *,
    attempt: RegistrationAttempt,
    data: RegistrationData,
    config: RegistrationSettings,
    client: CapillaryClient,
) -> RegistrationOutcome:
    """No usable answer: if the request never left nothing happened; else look the customer up in this source."""
    request_id = exc.request_id or ""
    if exc.status_code is None and not exc.request_sent:
        # Refused, unreachable or timed out connecting: the request never left, nothing can have been registered.
        _finish(attempt, RegistrationAttempt.NOT_SENT, request_id=request_id)
        return RegistrationOutcome(attempt=attempt, form_error=NOT_REACHED, status=_status(exc))
    try:
        match = next(
            (
                m
                for m in identifier_owners(data=data, client=client, first=config.primary_identifier)
                if m.in_same_source
            ),
            None,
        )
    except cap.CapillaryError as lookup_exc:
        _finish(attempt, RegistrationAttempt.UNKNOWN, request_id=request_id or lookup_exc.request_id or "")
        return RegistrationOutcome(attempt=attempt, form_error=UNCHECKED, status=_status(exc))
    if match is None:
        _finish(attempt, RegistrationAttempt.NOT_SENT, request_id=request_id)
        return RegistrationOutcome(attempt=attempt, form_error=CHECKED_NOT_REGISTERED, status=_status(exc))
    _finish(
        attempt,
        RegistrationAttempt.REGISTERED,
        customer_id=match.customer_id,
        confirmed_by_lookup=True,
        request_id=request_id,
    )
    return RegistrationOutcome(attempt=attempt)


def _refused(
    exc: cap.CapillaryError, *, attempt: RegistrationAttempt, config: RegistrationSettings
) -> RegistrationOutcome:
    """Capillary refused the registration: on a field when it says which, else in words for the whole form."""
    _finish(attempt, RegistrationAttempt.REJECTED, request_id=exc.request_id or "", codes=_codes(exc))
    field_name = _field_for(exc, config)
    if field_name:
        return RegistrationOutcome(attempt=attempt, field_errors={field_name: _field_message(exc, field_name)})
    if isinstance(exc, cap.CapillaryValidationError | cap.CapillaryBadRequestError | cap.CapillaryPermissionError):
        # A rule the form did not know (e.g. a mandatory field): tell administrators the mirror looks stale.
        RegistrationRejection.objects.create(
            attempt=attempt, codes=_codes(exc), message=exc.message[:2000], request_id=exc.request_id or ""
        )
        message = (
            f"Capillary refused the registration: {exc.message}. Nothing was registered and everything you typed "
            "is still here. Administrators have been told the registration settings may be out of date."
        )
        return RegistrationOutcome(attempt=attempt, form_error=message)
    message = f"{translate_error(exc).message} Nothing was registered; everything you typed is still here."
    return RegistrationOutcome(attempt=attempt, form_error=message, status=_status(exc))


def _status(exc: cap.CapillaryError) -> int:
    """The page's status when Capillary failed: 504 timed out, 502 answered nonsense or refused us, 503 down or busy."""
    error = translate_error(exc)
    # A registration form never answers 404 or 410: a "not found" from the POST is Capillary failing the form.
    return error.status_code if isinstance(error, UpstreamUnavailableError) else 502


def _field_for(exc: cap.CapillaryError, config: RegistrationSettings) -> str:
    if isinstance(exc, cap.CapillaryInvalidSourceError):
        return "source"
    if isinstance(exc, cap.CapillaryAccountIdError):
        return "account_id"
    if isinstance(exc, cap.CapillaryInvalidIdentifierError):
        return FIELD_FOR_IDENTIFIER.get(exc.identifier or "", config.primary_identifier_field())
    return ""


def _codes(exc: cap.CapillaryError) -> str:
    return ",".join(str(code) for code in exc.codes)[:200]


def _field_message(exc: cap.CapillaryError, field_name: str) -> str:
    if isinstance(exc, cap.CapillaryInvalidSourceError):
        return "Capillary does not accept registrations in this source for this org. Choose another source."
    if isinstance(exc, cap.CapillaryAccountIdError):
        return "This source needs a valid account ID."
    return {
        "mobile": "Capillary says this mobile number is not valid. Check the digits and the country code.",
        "email": "Capillary says this email address is not valid.",
        "external_id": "Capillary says this external ID is not valid.",
    }.get(field_name, "Capillary says this value is not valid.")


# ---------------------------------------------------------------------------------------------------- one submit


# Deterministic: a failed form resubmitted twice at once (F5 twice, a double click) claims the same next token.
_RETRY_NAMESPACE = uuid.UUID("6f1c2a4e-8b1d-4a57-9a44-3e8f3c1d2b7a")


def retry_token(token: uuid.UUID) -> uuid.UUID:
    """The token for submitting a form again after its attempt did not register anyone."""
    return uuid.uuid5(_RETRY_NAMESPACE, str(token))


def fingerprint(data: RegistrationData) -> str:
    """A keyed hash of what was submitted: equal for a resubmit of the same form, different for new data; not PII."""
    sent = dataclasses.asdict(data)
    sent.pop("email_as_typed")  # not sent: the email is registered lower-cased whatever its case was typed in
    payload = json.dumps(sent, sort_keys=True, default=str).encode()
    return hmac.new(settings.SECRET_KEY.encode(), payload, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class Submission:
    """What a submitted registration form led to; the view only chooses how to show it."""

    registered: RegistrationAttempt | None = None  # done (now or by an earlier submit of this form): show the result
    earlier: bool = False  # registered by an earlier submit of the same form, not by this one
    in_flight: RegistrationAttempt | None = None  # an earlier submit of this form is still being sent
    field_errors: dict[str, str] = field(default_factory=dict)
    form_error: str = ""
    duplicates: dict[str, DuplicateMatch] = field(default_factory=dict)
    confirm: DuplicateMatch | None = None
    attempt: RegistrationAttempt | None = None
    next_token: uuid.UUID | None = None  # the token the re-shown form must carry
    status: int = 200  # 502, 503 or 504 when Capillary failed (the form comes back filled either way)


def _token_history(*, token: uuid.UUID, agent, data: RegistrationData) -> tuple[uuid.UUID, Submission | None]:
    """Follow the form token through earlier submits of this form: the token to use now, or what to show instead."""
    seen = set()
    while (previous := RegistrationAttempt.objects.filter(token=token).first()) is not None and token not in seen:
        seen.add(token)
        status = previous.effective_status
        if previous.agent_id != agent.pk:
            token = uuid.uuid4()  # another agent's token: never show or reuse their attempt
            continue
        if status in {RegistrationAttempt.REGISTERED, RegistrationAttempt.SENDING}:
            if previous.fingerprint == fingerprint(data):
                if status == RegistrationAttempt.REGISTERED:
                    return token, Submission(registered=previous, earlier=True)
                return token, Submission(in_flight=previous)
            # The same form sent again with other details (Back, then retyped): that is someone else, not a resubmit.
            done = f"registered customer {previous.customer_id}" if previous.customer_id else "was already submitted"
            return token, Submission(
                form_error=f"This form {done}. The details have changed since: check them and submit again to "
                "register this customer.",
                next_token=uuid.uuid4(),
            )
        token = retry_token(token)  # rejected, not sent or unknown: nothing to show, a new attempt (checked below)
    return token, None


def _duplicates_check(
    *, data: RegistrationData, token: uuid.UUID, confirm_existing: int | None, client: CapillaryClient
) -> Submission | None:
    """Who already has the form's identifiers: what to show instead of registering, or None to go ahead."""
    try:
        matches = {
            FIELD_FOR_IDENTIFIER[m.identifier]: m for m in identifier_owners(data=data, client=client)
        }  # checked on submit, not only on leaving a field
    except cap.CapillaryError as exc:
        return Submission(form_error=CANNOT_CHECK, next_token=token, status=_status(exc))
    blocking = {f: m for f, m in matches.items() if m.in_same_source}
    if blocking:
        return Submission(
            field_errors={
                f: f"Already registered in {data.source} as customer {m.customer_id}." for f, m in blocking.items()
            },
            duplicates=matches,
            next_token=token,
        )
    others = {m.customer_id for m in matches.values()}
    if len(others) > 1:
        return Submission(
            form_error="These identifiers belong to different existing customers ("
            + ", ".join(str(c) for c in sorted(others))
            + "). Registering would join one customer's details to another's. Check them with the customer.",
            duplicates=matches,
            next_token=token,
        )
    if others and confirm_existing not in others:
        return Submission(duplicates=matches, confirm=next(iter(matches.values())), next_token=token)
    return None


def registration_submit(
    *,
    data: RegistrationData,
    token: uuid.UUID,
    agent,
    confirm_existing: int | None = None,
    config: RegistrationSettings | None = None,
    client: CapillaryClient | None = None,
) -> Submission:
    """Everything a submit of the registration form does: the token's history, duplicate checks, then one POST."""
    config = config or RegistrationSettings.load()
    client = _client(client)
    token, earlier = _token_history(token=token, agent=agent, data=data)
    if earlier is not None:
        return earlier
    blocked = _duplicates_check(data=data, token=token, confirm_existing=confirm_existing, client=client)
    if blocked is not None:
        return blocked
    try:
        outcome = customer_register(data=data, agent=agent, token=token, config=config, client=client)
    except TokenAlreadyUsed as exc:  # a simultaneous submit of the same form claimed the token first
        return Submission(in_flight=exc.attempt)
    if outcome.registered:
        return Submission(registered=outcome.attempt)
    duplicates = {FIELD_FOR_IDENTIFIER[outcome.existing.identifier]: outcome.existing} if outcome.existing else {}
    return Submission(
        field_errors=outcome.field_errors,
        form_error=outcome.form_error,
        status=outcome.status,
        duplicates=duplicates,
        attempt=outcome.attempt,
        next_token=retry_token(outcome.attempt.token),
    )
