"""Registration reads: who already owns an identifier, and the configuration the form is built from."""

from dataclasses import dataclass
from decimal import Decimal

from memberconsole.capillary import errors as cap
from memberconsole.capillary.client import CapillaryClient
from memberconsole.capillary.factory import get_capillary_client
from memberconsole.customers.mapping import display_name
from memberconsole.registration.models import MULTI_ACCOUNT_SOURCES, RegistrationAttempt

# Warnings and side effects in plain words (register-customer.txt, api-notes §3.5).
WARNING_WORDS = {
    8107: "Default customer status label not set: the customer has no status label until an administrator sets one.",
    8050: "The identifier already belonged to a customer in another source: the new profile was added to them.",
    1302: "The supplementary program's expiry is before the membership expiry.",
    91015: "An extended field could not be saved (unknown field or value too long).",
    1053: "The preferred store was not found.",
}

IDENTIFIER_LABELS = {"mobile": "mobile number", "email": "email address", "externalId": "external ID"}


@dataclass(frozen=True, slots=True, kw_only=True)
class DuplicateMatch:
    """A customer who already has the identifier the agent typed."""

    customer_id: int
    identifier: str
    value: str
    name: str
    sources: list[str]
    in_same_source: bool

    @property
    def identifier_label(self) -> str:
        return IDENTIFIER_LABELS.get(self.identifier, self.identifier)


def _same(identifier: str, stored: str | None, typed: str) -> bool:
    # Capillary may store an email in another case than typed; identifiers are otherwise compared as they are.
    if identifier == "email":
        return (stored or "").lower() == typed.lower()
    return stored == typed


def identifier_owner(
    *, identifier: str, value: str, source: str, account_id: str = "", client: CapillaryClient | None = None
) -> DuplicateMatch | None:
    """Who has this identifier in any source (None if nobody); raises the client's errors if it cannot tell."""
    client = client or get_capillary_client()
    try:
        customer = client.customer_lookup(identifier_name=identifier, identifier_value=value, source="ALL")
    except (cap.CapillaryNotFoundError, cap.CapillaryInvalidIdentifierError):
        return None
    except cap.CapillaryCustomerDeletedError:
        return None  # a PII-deleted customer no longer holds the identifier for new registrations
    except cap.CapillaryCustomerMergedError as exc:
        if exc.survivor_id is None:
            return None  # a merged account whose survivor Capillary did not name: Capillary decides on the POST
        return DuplicateMatch(
            customer_id=exc.survivor_id, identifier=identifier, value=value, name="", sources=[], in_same_source=True
        )
    in_same_source = False
    for profile in customer.profiles:
        if (profile.source or "").upper() != source:
            continue
        if source in MULTI_ACCOUNT_SOURCES and (profile.account_id or "") != account_id:
            continue
        if any(
            (i.type or "").lower() == identifier.lower() and _same(identifier, i.value, value)
            for i in profile.identifiers
        ):
            in_same_source = True
    return DuplicateMatch(
        customer_id=int(customer.id or 0),
        identifier=identifier,
        value=value,
        name=display_name(customer.profiles),
        sources=sorted({p.source for p in customer.profiles if p.source}),
        in_same_source=in_same_source,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class SideEffect:
    """Something the customer received on registration, in words."""

    kind: str
    what: str
    amount: Decimal | None = None
    valid_until: object = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistrationResult:
    attempt: RegistrationAttempt
    warnings: list[str]
    side_effects: list[SideEffect]


def _side_effect(item: dict) -> SideEffect:
    kind = item.get("type") or ""
    if kind == "points":
        return SideEffect(kind="Points", what="Loyalty points awarded", amount=_amount(item.get("awarded_points")))
    if kind == "coupon":
        code = item.get("coupon_code") or item.get("trimmed_coupon_code") or ""
        return SideEffect(
            kind="Coupon",
            what=f"{item.get('description') or 'Coupon'} · code {code}",
            valid_until=item.get("valid_till"),
        )
    if kind == "alternate_currency":
        return SideEffect(
            kind="Alternate currency",
            what=item.get("alternate_currency_name") or item.get("alternate_currency_identifier") or "",
            amount=_amount(item.get("awarded_value")),
        )
    return SideEffect(kind=kind.replace("_", " ").capitalize() or "Other", what="")


def _amount(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def warning_words(code: int | None, message: str) -> str:
    """A registration warning in plain words, with its code."""
    words = WARNING_WORDS.get(code or 0, message or "Capillary sent a warning.")
    return f"{words} (code {code})" if code else words


def registration_result(*, token, agent) -> RegistrationResult | None:
    """One of the agent's registrations with its warnings and side effects in words (None if not theirs)."""
    attempt = RegistrationAttempt.objects.filter(token=token, agent=agent).first()
    if attempt is None:
        return None
    return RegistrationResult(
        attempt=attempt,
        warnings=[warning_words(w.get("code"), w.get("message", "")) for w in attempt.warnings],
        side_effects=[_side_effect(item) for item in attempt.side_effects],
    )
