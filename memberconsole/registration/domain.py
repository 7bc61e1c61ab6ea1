"""What registration works with: the agent's cleaned input, an existing owner of an identifier, a result in words."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from memberconsole.core.identifiers import EMAIL, EXTERNAL_ID, MOBILE

if TYPE_CHECKING:
    from memberconsole.registration.models import RegistrationAttempt

IDENTIFIER_LABELS = {MOBILE: "mobile number", EMAIL: "email address", EXTERNAL_ID: "external ID"}


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistrationData:
    """What the agent entered, cleaned: identifiers already in Capillary's format."""

    first_name: str = ""
    last_name: str = ""
    mobile: str = ""
    email: str = ""  # lower-cased: how the console registers emails
    email_as_typed: str = ""  # the duplicate check looks this up too when it differs
    external_id: str = ""
    card_number: str = ""
    source: str = "INSTORE"
    account_id: str = ""
    extended_fields: dict[str, object] = field(default_factory=dict)
    custom_fields: dict[str, object] = field(default_factory=dict)

    def identifiers(self) -> dict[str, str]:
        """mobile / email / externalId values that were given, as they are registered."""
        given = {MOBILE: self.mobile, EMAIL: self.email, EXTERNAL_ID: self.external_id}
        return {name: value for name, value in given.items() if value}

    def identifiers_as_typed(self) -> dict[str, str]:
        """The same, the email as the agent typed it (for the duplicate check, which tries it lower-cased first)."""
        given = self.identifiers()
        if EMAIL in given and self.email_as_typed:
            given[EMAIL] = self.email_as_typed
        return given


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


@dataclass(frozen=True, slots=True, kw_only=True)
class SideEffect:
    """Something the customer received on registration, in words."""

    kind: str
    what: str
    amount: Decimal | None = None
    valid_until: object = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistrationResult:
    """One registration as its result page shows it."""

    attempt: "RegistrationAttempt"
    warnings: list[str]
    side_effects: list[SideEffect]
