"""Registration writes: sync the mirrored configuration from Capillary, and register a customer exactly once."""

import dataclasses
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from memberconsole.capillary import errors as cap
from memberconsole.capillary.client import CapillaryClient
from memberconsole.capillary.factory import get_capillary_client
from memberconsole.capillary.schemas import (
    CommChannelInput,
    CustomerCreateRequest,
    IdentifierInput,
    LoyaltyInfoInput,
    LoyaltyProgramEnrollmentInput,
    ProfileInput,
    UserContext,
)
from memberconsole.customers.selectors import translate_error
from memberconsole.registration.models import (
    EMAIL,
    EXTERNAL_ID,
    FIELD_FOR_IDENTIFIER,
    MOBILE,
    ExtendedFieldDefinition,
    LoyaltyProgram,
    RegistrationAttempt,
    RegistrationRejection,
    RegistrationSettings,
)
from memberconsole.registration.selectors import DuplicateMatch, identifier_owner


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistrationData:
    """What the agent entered, cleaned: identifiers already in Capillary's format."""

    first_name: str = ""
    last_name: str = ""
    mobile: str = ""
    email: str = ""
    external_id: str = ""
    card_number: str = ""
    source: str = "INSTORE"
    account_id: str = ""
    extended_fields: dict[str, object] = field(default_factory=dict)
    custom_fields: dict[str, object] = field(default_factory=dict)

    def identifiers(self) -> dict[str, str]:
        """mobile / email / externalId values that were given."""
        given = {MOBILE: self.mobile, EMAIL: self.email, EXTERNAL_ID: self.external_id}
        return {name: value for name, value in given.items() if value}


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistrationOutcome:
    attempt: RegistrationAttempt
    field_errors: dict[str, str] = field(default_factory=dict)
    form_error: str = ""
    existing: DuplicateMatch | None = None

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


def _wire_value(value: object) -> object:
    """Field values as the API wants them: dates in the full datetime format (get-customer-by-id.txt)."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00Z"
    if isinstance(value, Decimal):
        return float(value)
    return value


def _number(value: Decimal | None) -> int | float | None:
    # The API takes loyaltyPoints as a JSON number; a Decimal would be serialised as a string.
    if value is None:
        return None
    value = Decimal(str(value))
    return int(value) if value == value.to_integral_value() else float(value)


def _full_datetime(value: datetime | None) -> str | None:
    # register-customer.txt: expiry dates as YYYY-MM-DDTHH:MM:SS+/-(time-zone).
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def build_request(data: RegistrationData, config: RegistrationSettings) -> CustomerCreateRequest:
    """The POST /v2/customers body for this registration under this configuration."""
    identifiers = [IdentifierInput(type=name, value=value) for name, value in data.identifiers().items()]
    if config.issue_card and data.card_number:
        identifiers.append(
            IdentifierInput(
                type="cardnumber",
                value=data.card_number,
                series_id=config.card_series_id,
                status_label=config.card_status_label or "ACTIVE",
            )
        )
    channels = []
    if data.mobile:
        channels.append(CommChannelInput(type="mobile", value=data.mobile, primary=True, verified=False))
    if data.email:
        channels.append(CommChannelInput(type="email", value=data.email, primary=True, verified=False))
    profile = ProfileInput(
        first_name=data.first_name or None,
        last_name=data.last_name or None,
        identifiers=identifiers,
        comm_channels=channels,
        fields={key: _wire_value(value) for key, value in data.custom_fields.items() if value not in (None, "")},
        source=data.source,
        account_id=data.account_id or None,
    )
    enrollments = None
    if config.enroll_program_id:
        enrollments = [
            LoyaltyProgramEnrollmentInput(
                program_id=config.enroll_program.program_id,
                tier_number=config.enroll_tier_number,
                loyalty_points=_number(config.enroll_points),
                tier_expiry_date=_full_datetime(config.enroll_tier_expiry),
                points_expiry_date=_full_datetime(config.enroll_points_expiry),
            )
        ]
    return CustomerCreateRequest(
        profiles=[profile],
        extended_fields={k: _wire_value(v) for k, v in data.extended_fields.items() if v not in (None, "")},
        loyalty_info=LoyaltyInfoInput(loyalty_type=config.loyalty_type),
        associated_with=config.till_code or None,
        loyalty_program_enrollments=enrollments,
        status_label=config.status_label or None,
    )


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
    return attempt


def _field_for(exc: cap.CapillaryError, data: RegistrationData, config: RegistrationSettings) -> str:
    if isinstance(exc, cap.CapillaryInvalidSourceError):
        return "source"
    if isinstance(exc, cap.CapillaryAccountIdError):
        return "account_id"
    if isinstance(exc, cap.CapillaryInvalidIdentifierError):
        return FIELD_FOR_IDENTIFIER.get(exc.identifier or "", config.primary_identifier_field())
    return ""


def _verify_after_uncertain_failure(
    data: RegistrationData, config: RegistrationSettings, *, client: CapillaryClient
) -> DuplicateMatch | None:
    """After a timeout or 5xx once the POST may have reached Capillary: is the customer there now, in this source?"""
    identifiers = data.identifiers()
    order = [config.primary_identifier] + [name for name in identifiers if name != config.primary_identifier]
    for name in order:
        if name in identifiers:
            match = identifier_owner(
                identifier=name, value=identifiers[name], source=data.source, account_id=data.account_id, client=client
            )
            if match and match.in_same_source:
                return match
    return None


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
        _finish(attempt, RegistrationAttempt.REJECTED, request_id=exc.request_id or "", codes=_codes(exc))
        name = config.primary_identifier
        identifiers = data.identifiers()
        existing = None
        for candidate in [name, *identifiers]:
            if candidate in identifiers:
                existing = _safe_owner(candidate, identifiers[candidate], data, client)
                if existing:
                    break
        field_name = FIELD_FOR_IDENTIFIER[existing.identifier if existing else name]
        return RegistrationOutcome(
            attempt=attempt,
            existing=existing,
            field_errors={field_name: "A customer with this identifier already exists in this source."},
        )
    except cap.CapillaryUnavailableError as exc:
        if exc.status_code is None and not exc.request_sent:
            # Refused, unreachable or timed out connecting: the request never left, nothing can have been registered.
            _finish(attempt, RegistrationAttempt.NOT_SENT, request_id=exc.request_id or "")
            return RegistrationOutcome(
                attempt=attempt,
                form_error="Capillary, the loyalty system, could not be reached, so nothing was registered. "
                "Everything you typed is still here: try again in a moment.",
            )
        try:
            match = _verify_after_uncertain_failure(data, config, client=client)
        except cap.CapillaryError as lookup_exc:
            _finish(attempt, RegistrationAttempt.UNKNOWN, request_id=exc.request_id or lookup_exc.request_id or "")
            return RegistrationOutcome(
                attempt=attempt,
                form_error="Capillary did not answer and we could not check whether the customer was registered. "
                "Search for the customer before trying again, so they are not registered twice.",
            )
        if match:
            _finish(
                attempt,
                RegistrationAttempt.REGISTERED,
                customer_id=match.customer_id,
                confirmed_by_lookup=True,
                request_id=exc.request_id or "",
            )
            return RegistrationOutcome(attempt=attempt)
        _finish(attempt, RegistrationAttempt.NOT_SENT, request_id=exc.request_id or "")
        return RegistrationOutcome(
            attempt=attempt,
            form_error="Capillary did not confirm the registration, and a check shows the customer was not registered. "
            "Nothing was saved; everything you typed is still here, so you can try again.",
        )
    except cap.CapillaryError as exc:
        _finish(attempt, RegistrationAttempt.REJECTED, request_id=exc.request_id or "", codes=_codes(exc))
        field_name = _field_for(exc, data, config)
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
        else:
            message = f"{translate_error(exc).message} Nothing was registered; everything you typed is still here."
        return RegistrationOutcome(attempt=attempt, form_error=message)
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


# Deterministic: a failed form resubmitted twice at once (F5 twice, a double click) claims the same next token.
_RETRY_NAMESPACE = uuid.UUID("6f1c2a4e-8b1d-4a57-9a44-3e8f3c1d2b7a")


def retry_token(token: uuid.UUID) -> uuid.UUID:
    """The token for submitting a form again after its attempt did not register anyone."""
    return uuid.uuid5(_RETRY_NAMESPACE, str(token))


def fingerprint(data: RegistrationData) -> str:
    """A keyed hash of what was submitted: equal for a resubmit of the same form, different for new data; not PII."""
    payload = json.dumps(dataclasses.asdict(data), sort_keys=True, default=str).encode()
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
                    return Submission(registered=previous, earlier=True)
                return Submission(in_flight=previous)
            # The same form sent again with other details (Back, then retyped): that is someone else, not a resubmit.
            done = f"registered customer {previous.customer_id}" if previous.customer_id else "was already submitted"
            return Submission(
                form_error=f"This form {done}. The details have changed since: check them and submit again to "
                "register this customer.",
                next_token=uuid.uuid4(),
            )
        token = retry_token(token)  # rejected, not sent or unknown: nothing to show, a new attempt (checked below)
    try:
        matches = _owners(data, client=client)
    except cap.CapillaryError:
        return Submission(
            form_error="Capillary, the loyalty system, is not answering, so we cannot check for an existing customer. "
            "Nothing was registered. Everything you typed is still here: try again in a moment.",
            next_token=token,
        )
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
        duplicates=duplicates,
        attempt=outcome.attempt,
        next_token=retry_token(outcome.attempt.token),
    )


def _owners(data: RegistrationData, *, client: CapillaryClient) -> dict[str, DuplicateMatch]:
    """Who already has each identifier in the form, by form field (checked on submit, not only on leaving a field)."""
    found = {}
    for name, value in data.identifiers().items():
        match = identifier_owner(
            identifier=name, value=value, source=data.source, account_id=data.account_id, client=client
        )
        if match:
            found[FIELD_FOR_IDENTIFIER[name]] = match
    return found


def _safe_owner(name: str, value: str, data: RegistrationData, client: CapillaryClient) -> DuplicateMatch | None:
    try:
        return identifier_owner(
            identifier=name, value=value, source=data.source, account_id=data.account_id, client=client
        )
    except cap.CapillaryError:
        return None


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


def extended_fields_sync(*, client: CapillaryClient | None = None) -> list[str]:
    """Mirror the org's customer extended fields; returns what changed, in words. Never deletes a field in use."""
    definitions = [d for d in _client(client).extended_fields_list() if (d.entity_type or "").upper() == "CUSTOMER"]
    now = timezone.now()
    report, seen = [], set()
    for d in definitions:
        if not d.name:
            continue
        seen.add(d.name)
        _, created = ExtendedFieldDefinition.objects.update_or_create(
            name=d.name,
            defaults={
                "label": d.label or "",
                "data_type": (d.data_type or "STRING").upper(),
                "possible_values": list(d.possible_values),
                "synced_at": now,
                "present_upstream": True,
            },
        )
        if created:
            report.append(f"Added extended field {d.name}.")
    for gone in ExtendedFieldDefinition.objects.exclude(name__in=seen).filter(present_upstream=True):
        gone.present_upstream = False
        gone.save(update_fields=["present_upstream"])
        if gone.formfield_set.exists():
            report.append(
                f"Extended field {gone.name} is no longer in Capillary but the registration form still uses it: "
                "kept; remove it from the form."
            )
        else:
            report.append(f"Extended field {gone.name} is no longer in Capillary: marked as gone.")
    report.append(f"{len(seen)} customer extended fields in Capillary.")
    return report


def programs_sync(*, client: CapillaryClient | None = None) -> list[str]:
    """Mirror the org's loyalty programs; returns what changed, in words."""
    programs = _client(client).programs_list()
    now = timezone.now()
    report, seen = [], set()
    for p in programs:
        if p.program_id is None:
            continue
        seen.add(p.program_id)
        _, created = LoyaltyProgram.objects.update_or_create(
            program_id=p.program_id,
            defaults={
                "name": p.program_name or f"Program {p.program_id}",
                "description": p.program_description or "",
                "is_default": bool(p.is_default),
                "synced_at": now,
                "present_upstream": True,
            },
        )
        if created:
            report.append(f"Added program {p.program_name} ({p.program_id}).")
    for gone in LoyaltyProgram.objects.exclude(program_id__in=seen).filter(present_upstream=True):
        gone.present_upstream = False
        gone.save(update_fields=["present_upstream"])
        in_use = RegistrationSettings.objects.filter(enroll_program=gone).exists()
        report.append(
            f"Program {gone.name} is no longer in Capillary"
            + (" but new customers are still enrolled in it: change the configuration." if in_use else ".")
        )
    report.append(f"{len(seen)} loyalty programs in Capillary.")
    return report
