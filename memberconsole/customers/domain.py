"""What templates see: small frozen dataclasses with display-ready fields, no vendor field names."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


def _percent(current: Decimal | None, threshold: Decimal | None) -> int | None:
    """How far current is towards threshold, 0-100; None when there is nothing to measure against."""
    if threshold is None or threshold <= 0 or current is None:
        return None
    return max(0, min(100, int(current * 100 / threshold)))


@dataclass(frozen=True, slots=True, kw_only=True)
class Identifier:
    type: str
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Channel:
    type: str
    value: str
    primary: bool | None
    verified: bool | None
    subscribed: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Profile:
    source: str
    account_id: str
    first_name: str
    last_name: str
    identifiers: list[Identifier]
    channels: list[Channel]
    custom_fields: dict[str, str]
    created_at: datetime | date | str | None
    created_by: str
    modified_at: datetime | date | str | None
    modified_by: str
    # Which of this profile's displayed values differ from another profile's (keys: "name", "mobile", "email", ...).
    differs: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


@dataclass(frozen=True, slots=True, kw_only=True)
class Contactability:
    """One answer per channel: may we contact the customer on it, and why."""

    channel: str
    verdict: str  # "yes", "no", "limited", "unknown"
    reason: str

    @property
    def verdict_label(self) -> str:
        return {"yes": "Contactable", "no": "Do not contact", "limited": "Limited", "unknown": "Unknown"}[self.verdict]


@dataclass(frozen=True, slots=True, kw_only=True)
class UpgradeCriterion:
    program: str
    basis: str
    threshold: Decimal | None
    current: Decimal | None
    gap: Decimal | None
    valid_until: date | datetime | str | None
    description: str = ""

    @property
    def progress_percent(self) -> int | None:
        return _percent(self.current, self.threshold)


@dataclass(frozen=True, slots=True, kw_only=True)
class RenewStrategy:
    basis: str
    threshold: Decimal | None
    current: Decimal | None
    gap: Decimal | None
    trackers: list[str]

    @property
    def progress_percent(self) -> int | None:
        return _percent(self.current, self.threshold)


@dataclass(frozen=True, slots=True, kw_only=True)
class Retention:
    program: str
    tier_expiry: date | datetime | str | None
    renew_confirmed: bool | None
    strategies: list[RenewStrategy]
    min_purchases: Decimal | None = None
    min_visits: int | None = None
    has_downgrade_strategy: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Program:
    program_id: int | None
    title: str
    current_tier: str
    next_tier: str
    tier_expiry: date | datetime | str | None
    available_points: Decimal | None
    lifetime_points: Decimal | None
    redeemed_points: Decimal | None
    expired_points: Decimal | None
    cumulative_purchases: Decimal | None
    is_top_tier: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Card:
    number: str
    series: str
    type: str
    status: str
    status_tone: str  # ok, warn, error, neutral
    issued_at: datetime | date | str | None
    expires_at: datetime | date | str | None
    active: bool | None
    digital: bool | None
    external_id: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class TierChange:
    from_tier: str
    to_tier: str
    kind: str  # UPGRADE, DOWNGRADE, RENEWAL, other as given
    changed_at: datetime | date | str | None
    store: str
    notes: str
    program_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Customer:
    """Everything the customer page shows."""

    id: int
    name: str
    loyalty_type: str
    status: str
    current_tier: str
    points: Decimal | None
    registered_at: datetime | date | str | None
    registered_by: str
    registered_from: str
    associated_with: str
    lifetime_purchases: Decimal | None
    profiles: list[Profile]
    contactability: list[Contactability]
    programs: list[Program]
    cards: list[Card]
    tier_history: list[TierChange]
    upgrade_criteria: list[UpgradeCriterion]
    retention: list[Retention]
    extended_fields: list[tuple[str, str]]
    custom_fields: list[tuple[str, str, str]]
    segments: list[tuple[str, str]]
    warnings: list[str]
    ndnc_status: str = ""
    optin_status: str = ""
    subscriptions: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchHit:
    """One row of a name search: enough to tell customers of the same name apart, contact details as the viewer may
    see them."""

    customer_id: int
    name: str
    sources: list[str]
    matched: str = ""  # in words: "first name", "mobile +91 ••••• ••001"
    mobile: str = ""
    email: str = ""
    city: str = ""
    tier: str = ""
    registered_at: datetime | date | str | None = None
    merged_into: int | None = None  # the row's account was merged into this customer
    note: str = ""  # why the row has no details (merged, deleted, not returned)
