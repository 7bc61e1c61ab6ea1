"""What templates see: small frozen dataclasses with display-ready fields, no vendor field names."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


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
class Criterion:
    """One upgrade or renewal criterion in plain words; the API's own code stays as secondary text."""

    words: str  # "Points available", "Line items in a moving window of 5 days", "Visits"
    code: str  # "CURRENT_POINTS", "TRACKER · DowngradeTracker · LINEITEM_COUNT · MOVING_WINDOW"
    unit: str  # "points", "visits", "line items", "money", ...
    threshold: Decimal | None
    current: Decimal | None
    gap: Decimal | None
    valid_until: date | datetime | str | None
    threshold_text: str  # "5,999 points", "₹25,000.00"
    current_text: str
    needed_text: str  # "2,213 more points", "Met"
    progress_percent: int | None
    # What tierUpgradeCriteria says the upgrade requires, as Capillary gives it (neither a threshold nor a gap: the
    # docs do not say which); None for a live strategy.
    required: Decimal | None = None
    required_text: str = ""  # "5,999 current points"


@dataclass(frozen=True, slots=True, kw_only=True)
class RetentionRule:
    """The program's configured minimums to keep a tier (membershipRetentionCriteria), not the customer's progress."""

    sentence: str  # "At least ₹500.00 in purchases and 2 visits in the qualifying period; a downgrade strategy ..."
    downgrades: bool | None  # whether the program can drop a customer's tier at all
    minimums: str = ""  # "at least ₹500.00 in purchases and 2 visits in the qualifying period", "" when none


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
    tier_number: int | None = None  # 1 is the base tier
    upgrade: list[Criterion] = field(default_factory=list)
    renewal: list[Criterion] = field(default_factory=list)  # live progress (gapToRenewSummary)
    rule: RetentionRule | None = None  # configured minimums (membershipRetentionCriteria)
    renew_confirmed: bool | None = None
    renewal_expiry: date | datetime | str | None = None  # gapToRenewSummary.tierExpiryDate
    next_sentence: str = ""  # "2,213 more points to reach Garnet, by 06 May 2026."
    keep_sentence: str = ""  # "To keep Garnet after 31 Dec 2026: 4 more line items and 3 more visits."
    keep_note: str = ""  # the program's retention rule, when keep_sentence does not already say it
    # No program details came: the tier is the newest change in the tier history (since that change's date).
    from_history: bool = False
    tier_since: date | datetime | str | None = None
    expiring_points: Decimal | None = None  # the soonest expiry, when the response carries it
    expiring_on: date | datetime | str | None = None

    @property
    def is_base_tier(self) -> bool:
        return self.tier_number == 1


@dataclass(frozen=True, slots=True, kw_only=True)
class NoProgram:
    """What the summary band says when the response has no program at all."""

    tier: str  # "Not enrolled", "Not returned"
    points: str
    next_sentence: str
    keep_sentence: str


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
class Alert:
    """A state the agent must notice before anything else, in words and a tone (never colour alone)."""

    words: str  # "Fraud: marked", "Non-loyalty customer"
    tone: str  # error, warn, info, neutral
    detail: str = ""


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
    extended_fields: list[tuple[str, str]]
    custom_fields: list[tuple[str, str, str]]
    segments: list[tuple[str, str]]
    warnings: list[str]
    ndnc_status: str = ""
    optin_status: str = ""
    subscriptions: list[tuple[str, str, str]] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    fraud_status: str = ""  # Capillary's code (NOT_FRAUD, MARKED, ...), empty when not returned
    no_program: NoProgram | None = None  # set when programs is empty

    @property
    def main_program(self) -> Program | None:
        return self.programs[0] if self.programs else None

    @property
    def other_programs(self) -> list[Program]:
        return self.programs[1:]

    @property
    def contact_badges(self) -> list[Contactability]:
        """The summary's contact answers: SMS and email always, other channels when the customer has them."""
        return [c for c in self.contactability if c.channel in {"SMS", "Email"} or c.verdict != "no"]


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


# ---------------------------------------------------------------------------------------------------- activity
# "Where are my points?": transactions, the points ledger, expiring points and coupons (customers/activity.py).


@dataclass(frozen=True, slots=True, kw_only=True)
class BillRow:
    """One transaction in the list: a purchase, a return, or a bill that is not for loyalty."""

    id: int
    kind: str  # REGULAR, RETURN, NOT_INTERESTED, ... (for the detail call's `type`)
    kind_words: str  # "Purchase", "Return (line items)", "Not for loyalty"
    tone: str
    billed_at: datetime | date | str | None
    bill_number: str
    store: str
    amount: Decimal | None
    points: Decimal | None  # earned (positive) or taken back (negative); None when not returned
    returns_bill: str  # a return: the bill it returns
    no_points_reason: str  # "Not a loyalty bill: it earns no points.", ...
    notes: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class BillLine:
    description: str
    item_code: str
    quantity: Decimal | None
    rate: Decimal | None
    amount: Decimal | None


@dataclass(frozen=True, slots=True, kw_only=True)
class BillPoints:
    program: str
    issued: Decimal | None
    returned: Decimal | None
    redeemed: Decimal | None
    expired: Decimal | None
    available: Decimal | None
    expires_on: date | datetime | str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Bill:
    """One transaction opened: its line items and the points it earned, with their expiry."""

    id: int
    kind_words: str
    bill_number: str
    billed_at: date | datetime | str | None
    store: str
    amount: Decimal | None
    gross_amount: Decimal | None
    discount: Decimal | None
    lines: list[BillLine]
    points: list[BillPoints]
    no_points_reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class BillPage:
    rows: list[BillRow]
    total: int
    next_offset: int | None  # None: no older transactions


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerRow:
    """One loyalty event and what it did to the balance."""

    happened_at: date | datetime | str | None
    event_words: str  # "Earned on a bill", "Redeemed", "Expired", ...
    event_code: str
    program: str
    points: Decimal | None  # signed: credits positive, debits negative
    tone: str  # ok for credits, error for debits, neutral
    bill_number: str
    store: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerPage:
    rows: list[LedgerRow]
    total: int
    page: int
    next_page: int | None
    start: date
    end: date
    window_note: str = ""  # said plainly when the agent asked for more than Capillary gives at once
    empty_words: str = ""  # why there are no rows, when Capillary says


@dataclass(frozen=True, slots=True, kw_only=True)
class Expiry:
    points: Decimal | None
    expires_on: date | datetime | str | None
    program: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CouponRow:
    code: str  # masked for viewers who may not see contact details
    series: str
    description: str
    status: str  # Active, Redeemed, Expired
    tone: str
    valid_until: date | datetime | str | None
    issued_at: date | datetime | str | None
    redeemed_where: str  # "DocStore (store01), 12 Mar 2026"
    note: str = ""  # "Issued on bill B-12", "A redemption was reversed", "Unlimited uses"
