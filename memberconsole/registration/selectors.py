"""Registration reads: who already owns an identifier, and one registration's result in words."""

from collections.abc import Iterator
from decimal import Decimal

from memberconsole.capillary import errors as cap
from memberconsole.capillary.client import CapillaryClient
from memberconsole.capillary.factory import get_capillary_client
from memberconsole.capillary.schemas import Customer as WireCustomer
from memberconsole.core.exceptions import LookupMiss, lookup_miss
from memberconsole.core.identifiers import EMAIL, email_values
from memberconsole.core.sources import ALL, MULTI_ACCOUNT_SOURCES
from memberconsole.core.summaries import customer_summary
from memberconsole.core.warnings import warning_text
from memberconsole.registration.domain import DuplicateMatch, RegistrationData, RegistrationResult, SideEffect
from memberconsole.registration.models import RegistrationAttempt


def _same(identifier: str, stored: str | None, typed: str) -> bool:
    # Capillary may store an email in another case than typed; identifiers are otherwise compared as they are.
    if identifier == EMAIL:
        return (stored or "").lower() == typed.lower()
    return stored == typed


def identifier_owner(
    *, identifier: str, value: str, source: str, account_id: str = "", client: CapillaryClient | None = None
) -> DuplicateMatch | None:
    """Who has this identifier in any source (None if nobody); an email is tried lower-cased first, then as typed
    when that differs (as the search box does). Raises the client's errors if it cannot tell."""
    client = client or get_capillary_client()
    for candidate in email_values(value) if identifier == EMAIL else [value]:
        try:
            customer = client.customer_lookup(identifier_name=identifier, identifier_value=candidate, source=ALL)
        except cap.CapillaryError as exc:
            miss = lookup_miss(exc)
            if miss is None or isinstance(exc, cap.CapillaryBadRequestError):
                # Capillary failed, or refused the lookup without saying why (search reads past that): we cannot tell.
                raise
            if miss == LookupMiss.MERGED:
                # The identifier now belongs to the survivor: registering it again in this source would be refused.
                return DuplicateMatch(
                    customer_id=exc.survivor_id,
                    identifier=identifier,
                    value=candidate,
                    name="",
                    sources=[],
                    in_same_source=True,
                )
            # Nobody has it; a PII-deleted customer no longer holds it for new registrations; a merged account whose
            # survivor Capillary did not name is for Capillary to decide on the POST.
            continue
        return _match(customer, identifier=identifier, value=candidate, source=source, account_id=account_id)
    return None


def _match(customer: WireCustomer, *, identifier: str, value: str, source: str, account_id: str) -> DuplicateMatch:
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
    summary = customer_summary(customer)
    return DuplicateMatch(
        customer_id=summary.customer_id,
        identifier=identifier,
        value=value,
        name=summary.name,
        sources=summary.sources,
        in_same_source=in_same_source,
    )


def identifier_owners(
    *, data: RegistrationData, client: CapillaryClient, first: str = "", skip_errors: bool = False
) -> Iterator[DuplicateMatch]:
    """The existing owner of each identifier in the form, `first` (an identifier name) checked first; raises the
    client's errors when Capillary cannot tell, unless skip_errors (then that identifier is passed over)."""
    identifiers = data.identifiers_as_typed()
    order = [first] if first in identifiers else []
    order += [name for name in identifiers if name != first]
    for name in order:
        try:
            match = identifier_owner(
                identifier=name, value=identifiers[name], source=data.source, account_id=data.account_id, client=client
            )
        except cap.CapillaryError:
            if skip_errors:
                continue
            raise
        if match:
            yield match


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


# Warnings about the org's setup rather than the customer: shown to administrators (admin home), not to the agent.
ADMIN_WARNINGS = {
    8107: "The org has no default customer status label, so new customers get none. Set a default status label in "
    "Capillary (Organization Settings), or a label in the registration configuration here.",
}


def registration_result(*, token, agent) -> RegistrationResult | None:
    """One of the agent's registrations with its warnings and side effects in words (None if not theirs)."""
    attempt = RegistrationAttempt.objects.filter(token=token, agent=agent).first()
    if attempt is None:
        return None
    return RegistrationResult(
        attempt=attempt,
        warnings=[
            warning_text(w.get("code"), w.get("message", ""))
            for w in attempt.warnings
            if w.get("code") not in ADMIN_WARNINGS
        ],
        side_effects=[_side_effect(item) for item in attempt.side_effects],
    )
