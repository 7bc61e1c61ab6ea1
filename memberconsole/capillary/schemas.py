"""Pydantic models for Capillary's v2 customer API wire format (camelCase on the wire, snake_case in Python)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator, field_validator
from pydantic.alias_generators import to_camel

from .errors import CapillaryError

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _when(value: Any) -> datetime | date | str | None:
    """ISO datetime -> datetime, YYYY-MM-DD -> date, blank -> None, anything else kept as the raw string."""
    if value is None or isinstance(value, (datetime, date)):
        return value
    if not isinstance(value, str):
        return str(value)
    text = value.strip()
    if not text:
        return None
    try:
        if _DATE_ONLY.match(text):
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError:
        return value  # e.g. "22-10-2000" or "1988/05/10" in custom fields: keep, never fail the customer


def _amount(value: Any) -> Any:
    """Blank amounts become None; the rest goes to pydantic's Decimal parsing."""
    if isinstance(value, str) and not value.strip():
        return None
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def _none_to_list(value: Any) -> Any:
    return [] if value is None else value


def _none_to_dict(value: Any) -> Any:
    return {} if value is None else value


def _one_or_many(value: Any) -> Any:
    """Capillary documents some blocks as an object and as an array; accept both, hand out a list."""
    if value is None:
        return []
    return [value] if isinstance(value, dict) else value


When = Annotated[datetime | date | str | None, PlainValidator(_when)]
Amount = Annotated[Decimal | None, BeforeValidator(_amount)]
type Items[T] = Annotated[list[T], BeforeValidator(_none_to_list)]
Mapping_ = Annotated[dict[str, Any], BeforeValidator(_none_to_dict)]


class CapillaryModel(BaseModel):
    """Base for response models: camelCase aliases, unknown keys ignored, snake_case names accepted too."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True)


class ApiMessage(CapillaryModel):
    """One errors[]/warnings[] item: {status, code, message}."""

    status: bool | None = None
    code: int | None = None
    message: str | None = None


class Actor(CapillaryModel):
    """createdBy / modifiedBy in an attribution block (a till, usually)."""

    id: int | None = None
    code: str | None = None
    name: str | None = None
    description: str | None = None
    type: str | None = None
    reference_id: int | None = None
    is_default: bool | None = Field(default=None, alias="default")
    admin_type: str | None = None
    is_active: bool | None = None
    is_ou_enabled: bool | None = None
    time_zone_id: int | None = None
    currency_id: int | None = None
    language_id: int | None = None


class Attribution(CapillaryModel):
    """Who created/modified a profile or loyalty record, and when."""

    create_date: When = None
    created_by: Actor | None = None
    modified_by: Actor | None = None
    modified_date: When = None
    created_from_source: str | None = None


class Identifier(CapillaryModel):
    """A customer identifier (mobile, email, externalId, cardnumber, ...)."""

    type: str | None = None
    value: str | None = None
    series_id: int | None = None
    series_code: str | None = None
    status_label: str | None = None
    extended_fields: Mapping_ = Field(default_factory=dict)
    custom_fields: Mapping_ = Field(default_factory=dict)


class CommChannelMeta(CapillaryModel):
    """Meta flags on a communication channel."""

    residence: bool | None = None
    office: bool | None = None
    last_viewed_date: When = None


class CommChannel(CapillaryModel):
    """A communication channel (mobile, email, wechat, mobilePush, ...)."""

    type: str | None = None
    value: str | None = None
    primary: bool | None = None
    verified: bool | None = None
    subscribed: bool | None = None
    meta: CommChannelMeta | None = None
    attributes: Mapping_ = Field(default_factory=dict)


class Profile(CapillaryModel):
    """One source profile (INSTORE, WECHAT, ...) of a customer."""

    first_name: str | None = None
    last_name: str | None = None
    attribution: Attribution | None = None
    fields: Mapping_ = Field(default_factory=dict)
    all_fields: Mapping_ = Field(default_factory=dict)
    identifiers: Items[Identifier] = Field(default_factory=list)
    comm_channels: Items[CommChannel] = Field(default_factory=list)
    source: str | None = None
    user_id: int | None = None
    account_id: str | None = None
    conflicting_profile_list: Items[Any] = Field(default_factory=list)
    auto_update_time: When = None
    identifiers_all: Items[Identifier] = Field(default_factory=list)


class LoyaltyInfo(CapillaryModel):
    """loyaltyInfo: loyalty type, attribution and lifetime purchases."""

    loyalty_type: str | None = None
    attribution_v2: Attribution | None = Field(default=None, alias="attributionV2")
    lifetime_purchases: Amount = None
    score: Amount = None


class CardStatusInfo(CapillaryModel):
    """statusInfo of a card."""

    reason: str | None = None
    created_by: int | None = None
    actions: Items[Any] = Field(default_factory=list)
    auto_update_time: When = None
    auto_update_time_iso: When = Field(default=None, alias="autoUpdateTimeISO")
    created_on: When = None
    entity_id: int | None = None
    id: int | None = None
    is_active: bool | None = None
    label_id: int | None = None
    label: str | None = None
    status: str | None = None


class MappedEntity(CapillaryModel):
    """mappedEntity of a card (the till it is mapped to)."""

    type: str | None = None
    value: str | None = None


class Card(CapillaryModel):
    """One entry of cardDetails."""

    card_id: int | None = None
    issued_date: When = None
    created_date: When = None
    created_date_time_iso: When = Field(default=None, alias="createdDateTimeISO")
    expiry_days: int | None = None
    series_name: str | None = None
    customer_id: int | None = None
    max_active_cards: int | None = None
    card_external_id: str | None = None
    extended_fields: Mapping_ = Field(default_factory=dict)
    custom_fields: Mapping_ = Field(default_factory=dict)
    mapped_entity: MappedEntity | None = None
    type: str | None = None
    card_number: str | None = None
    series_id: int | None = None
    series_code: str | None = None
    org_id: int | None = None
    entity_id: int | None = None
    entity_code: str | None = None
    status_info: CardStatusInfo | None = None
    id: int | None = None
    transaction_not_allowed: bool | None = None
    active_and_digital: bool | None = None
    expiry_date: When = None


class CustomerUpgradeEntityValues(CapillaryModel):
    """Where the customer stands against an upgrade threshold."""

    current_value: Amount = None
    gap_to_upgrade: Amount = None
    value_valid_upto: When = None


class UpgradeStrategy(CapillaryModel):
    """One upgrade rule; the docs spell the key both `upgrade_based_on` (RD table) and `upgradeBasedOn` (JSON)."""

    upgrade_based_on: str | None = Field(
        default=None,
        validation_alias=AliasChoices("upgradeBasedOn", "upgrade_based_on"),
        serialization_alias="upgradeBasedOn",
    )
    upgrade_threshold: Amount = None
    customer_upgrade_entity_values: CustomerUpgradeEntityValues | None = None
    program_id: int | None = None


class TrackerEntityIdentifier(CapillaryModel):
    """The tracker behind a tracker-based renewal."""

    tracker_name: str | None = None
    tracker_type: str | None = None
    tracker_mode: str | None = None
    tracker_case_name: str | None = None
    tracker_case_period_type: str | None = None
    tracker_case_period_value: int | None = None


class RenewStrategy(CapillaryModel):
    """One renewal rule and the customer's gap to it."""

    renew_based_on: str | None = None
    tracker_entity_identifiers: Items[TrackerEntityIdentifier] = Field(default_factory=list)
    renew_threshold: Amount = None
    customer_renew_entity_value: Amount = None
    customer_gap_to_renew_value: Amount = None


class GapToRenewSummary(CapillaryModel):
    """What the customer needs to keep the current tier."""

    tier_expiry_date: When = None
    renew_confirmed: bool | None = None
    renew_strategies: Items[RenewStrategy] = Field(default_factory=list)


class LinkedPartnerProgram(CapillaryModel):
    """A partner/supplementary program linked to the customer."""

    partner_program_id: int | None = None
    partner_program_name: str | None = None
    partner_program_description: str | None = None
    partner_tier_number: int | None = None
    partner_tier_name: str | None = None
    partner_tier_expiry_date: When = None
    partner_membership_id: str | None = None
    partner_program_type: str | None = None
    tier_based: bool | None = None


class LoyaltyProgramDetail(CapillaryModel):
    """One entry of loyaltyProgramDetails (embed=mlp): points, tier and gaps for one program."""

    redeemed: Amount = None
    expired: Amount = None
    returned: Amount = None
    adjusted: Amount = None
    lifetime_points: Amount = None
    loyalty_points: Amount = None
    cumulative_purchases: Amount = None
    loyalty_id: int | None = None
    current_slab: str | None = None
    next_slab: str | None = None
    next_slab_serial_number: int | None = None
    next_slab_description: str | None = None
    slab_sno: int | None = Field(default=None, alias="slabSNo")
    slab_expiry_date: When = None
    program_id: int | None = None
    delayed_points: Amount = None
    delayed_returned_points: Amount = None
    delayed_expired_points: Amount = None
    total_available_points: Amount = None
    total_returned_points: Amount = None
    linked_partner_programs: Items[LinkedPartnerProgram] = Field(default_factory=list)
    program_title: str | None = None
    program_description: str | None = None
    program_points_to_currency_ratio: Amount = None
    # api-notes §4.7 (docs.capillarytech.com/reference/get-customer-details): a user-group example calls the same list
    # "gapToUpgrade".
    upgrade_strategies: Items[UpgradeStrategy] = Field(
        default_factory=list, validation_alias=AliasChoices("upgradeStrategies", "gapToUpgrade")
    )
    gap_to_renew_summary: GapToRenewSummary | None = None


class PointsSummary(CapillaryModel):
    """pointsSummary (embed=points)."""

    adjusted: Amount = None
    cumulative_purchases: Amount = None
    current_slab: str | None = None
    expired: Amount = None
    lifetime_points: Amount = None
    loyalty_id: int | None = None
    loyalty_points: Amount = None
    next_slab: str | None = None
    next_slab_description: str | None = None
    next_slab_serial_number: int | None = None
    redeemed: Amount = None
    returned: Amount = None
    slab_expiry_date: When = None
    slab_sno: int | None = Field(default=None, alias="slabSNo")
    program_id: int | None = None


class Subscription(CapillaryModel):
    """One channel x priority subscription state."""

    channel: str | None = None
    priority: str | None = None
    type: str | None = None


class SubscriptionInfo(CapillaryModel):
    """subscriptionInfo (embed=subscriptions)."""

    subscriptions: Items[Subscription] = Field(default_factory=list)


class Store(CapillaryModel):
    """A store reference (code and name)."""

    code: str | None = None
    name: str | None = None


class SlabChange(CapillaryModel):
    """One slabHistory entry: a tier upgrade, downgrade or renewal."""

    from_tier: str | None = Field(default=None, alias="from")
    to_tier: str | None = Field(default=None, alias="to")
    type: str | None = None
    changed_on: When = None
    store: Store | None = None
    notes: str | None = None
    program_id: int | None = None
    from_tier_expiry_date: When = None
    to_tier_expiry_date: When = None


class TierUpgradeCriteria(CapillaryModel):
    """tierUpgradeCriteria: what the customer needs for the next tier."""

    purchase_type: str | None = None
    description: str | None = None
    purchase_value: Amount = None
    program_id: int | None = None


class MembershipRetentionCriteria(CapillaryModel):
    """membershipRetentionCriteria: what the customer needs to keep the tier."""

    min_purchases: Amount = None
    min_visits: Amount = None
    is_downgrade_strategy: bool | None = Field(default=None, alias="isDownGradeStrategy")
    program_id: int | None = None


class FraudDetails(CapillaryModel):
    """fraudDetails (includedFraudDetails=true)."""

    marked_by: Actor | None = None
    modified_on: When = None
    status: str | None = None


class GroupProgram(CapillaryModel):
    """A program inside a group loyalty program."""

    id: int | None = None
    name: str | None = None
    description: str | None = None


class GroupLoyaltyProgramDetail(CapillaryModel):
    """One entry of groupLoyaltyProgramDetails."""

    group_program_id: int | None = None
    title: str | None = None
    description: str | None = None
    programs_list: Items[GroupProgram] = Field(default_factory=list)
    lifetime_points: Amount = None
    loyalty_points: Amount = None
    promised_points: Amount = None
    points_to_currency_ratio: Amount = None


# activity-api.md §3.1 (docs.capillarytech.com/reference/get-points-expiry-schedule) for the bucket; §3.2 (the embeds
# listed on docs.capillarytech.com/reference/get-customer-details-v2) for where they appear, shapes from the
# user-group pages.
class ExpiryBucket(CapillaryModel):
    """expirySchedules[]: points that expire on a day (pointsType and expiryType absent in the embed shape)."""

    points: Amount = None
    # Deprecated for expiryDateISO (activity-api.md §3.1, docs.capillarytech.com/reference/get-points-expiry-schedule).
    expiry_date: When = None
    expiry_date_iso: When = Field(default=None, alias="expiryDateISO")
    program_id: int | None = None
    points_type: str | None = None
    expiry_type: str | None = None


class ExpiredPointsItem(CapillaryModel):
    """expiredPoints[].expiredPointsSummary[]: activity-api.md §3.2, the SL user-group shape
    (Capillary/api-documentation _userGroup2.md "Get Group Details")."""

    pa_type: str | None = None
    pa_id: int | None = None
    expiry_update_reason_type: str | None = None
    expiry_update_reason_note: str | None = None
    new_expiry_date: When = None
    event_date: When = None
    points: Amount = None
    strategy_name: str | None = None


class ExpiredPoints(CapillaryModel):
    """expiredPoints[] (embed=expiredPoints): points that expired on a day in a program."""

    points: Amount = None
    expired_on: When = None
    program_id: int | None = None
    expired_points_summary: Items[ExpiredPointsItem] = Field(default_factory=list)


class Customer(CapillaryModel):
    """A customer as GET /v2/customers/{id}, lookup/customerDetails and bulk/getCustomers return it."""

    id: int | None = None
    profiles: Items[Profile] = Field(default_factory=list)
    loyalty_info: LoyaltyInfo | None = None
    segments: Mapping_ = Field(default_factory=dict)
    associated_with: str | None = None
    extended_fields: Mapping_ = Field(default_factory=dict)
    card_details: Items[Card] = Field(default_factory=list)
    warnings: Items[ApiMessage] = Field(default_factory=list)
    loyalty_program_details: Items[LoyaltyProgramDetail] = Field(default_factory=list)
    points_summary: PointsSummary | None = None
    subscription_info: SubscriptionInfo | None = None
    promotional_points: Mapping_ = Field(default_factory=dict)
    alternate_currency_details: Items[dict[str, Any]] = Field(default_factory=list)
    ndnc_status: str | None = None
    optin_status: str | None = None
    slab_history: Items[SlabChange] = Field(default_factory=list)
    tier_upgrade_criteria: Annotated[list[TierUpgradeCriteria], BeforeValidator(_one_or_many)] = Field(
        default_factory=list
    )
    membership_retention_criteria: Annotated[list[MembershipRetentionCriteria], BeforeValidator(_one_or_many)] = Field(
        default_factory=list
    )
    # The RD tables put these at top level; examples put them per program (api-notes §4.7,
    # docs.capillarytech.com/reference/get-customer-details-v2). Both are kept.
    upgrade_strategies: Items[UpgradeStrategy] = Field(default_factory=list)
    gap_to_renew_summary: GapToRenewSummary | None = None
    fraud_details: FraudDetails | None = None
    expiry_schedules: Items[ExpiryBucket] = Field(default_factory=list)  # embed=expirySchedules
    expired_points: Items[ExpiredPoints] = Field(default_factory=list)  # embed=expiredPoints
    group_loyalty_program_details: Items[GroupLoyaltyProgramDetail] = Field(default_factory=list)
    ug2_pagination: Mapping_ = Field(default_factory=dict)
    message: str | None = None

    @field_validator("points_summary", mode="before")
    @classmethod
    def _first_points_summary(cls, value: Any) -> Any:
        # Only the object form is documented (SL); take the first entry if a list ever shows up.
        if isinstance(value, list):
            return value[0] if value else None
        return value

    @property
    def warning_codes(self) -> tuple[int, ...]:
        """Codes of the warnings[] items."""
        return tuple(w.code for w in self.warnings if w.code is not None)


class _AttributionBrief(CapillaryModel):
    create_date: When = None


class _ProfileBrief(CapillaryModel):
    first_name: str | None = None
    last_name: str | None = None
    attribution: _AttributionBrief | None = None
    identifiers: Items[Identifier] = Field(default_factory=list)
    comm_channels: Items[CommChannel] = Field(default_factory=list)
    source: str | None = None
    account_id: str | None = None


class _LoyaltyInfoBrief(CapillaryModel):
    attribution_v2: _AttributionBrief | None = Field(default=None, alias="attributionV2")


class _ProgramBrief(CapillaryModel):
    loyalty_points: Amount = None
    current_slab: str | None = None
    total_available_points: Amount = None


class CustomerBrief(CapillaryModel):
    """A customer with only what a one-line summary reads (core.summaries.customer_summary: names, sources, first
    mobile and email, main tier and points, city, registration date) and its warnings. Bulk reads validate this:
    a whole Customer, cards, tiers, criteria and all, cost about three times as much for each of thousands of rows."""

    id: int | None = None
    profiles: Items[_ProfileBrief] = Field(default_factory=list)
    loyalty_info: _LoyaltyInfoBrief | None = None
    extended_fields: Mapping_ = Field(default_factory=dict)
    warnings: Items[ApiMessage] = Field(default_factory=list)
    loyalty_program_details: Items[_ProgramBrief] = Field(default_factory=list)
    points_summary: PointsSummary | None = None

    _first_points_summary = field_validator("points_summary", mode="before")(Customer._first_points_summary.__func__)

    @property
    def warning_codes(self) -> tuple[int, ...]:
        """Codes of the warnings[] items."""
        return tuple(w.code for w in self.warnings if w.code is not None)


class SearchPagination(CapillaryModel):
    """pagination block of a search page."""

    limit: int | None = None
    offset: int | None = None
    total: int | None = None


class MatchedIdentifier(CapillaryModel):
    """Which identifier (or name) matched the search query."""

    id_type: str | None = None
    id_value: str | None = None
    source: str | None = None
    account_id: str | None = None


class SearchProfile(CapillaryModel):
    """Profile summary in a search hit."""

    source: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class SearchHit(CapillaryModel):
    """One customer found by /v2/customers/search."""

    user_id: int | None = None
    matched_identifiers: Items[MatchedIdentifier] = Field(default_factory=list)
    profiles: Items[SearchProfile] = Field(default_factory=list)


class CustomerSearchPage(CapillaryModel):
    """One page of /v2/customers/search results."""

    pagination: SearchPagination | None = None
    hits: Items[SearchHit] = Field(default_factory=list, alias="data")
    warnings: Items[ApiMessage] = Field(default_factory=list)


class SideEffect(CapillaryModel):
    """A registration side effect: type 'points', 'coupon' or 'alternate_currency'."""

    type: str | None = None
    entity_type: str | None = None
    # points
    awarded_points: Amount = None
    raw_awarded_points: Amount = None
    # alternate_currency
    awarded_value: Amount = None
    raw_awarded_value: Amount = None
    alternate_currency_identifier: str | None = None
    alternate_currency_name: str | None = None
    # coupon
    id: int | None = None
    coupon_type: str | None = None
    coupon_code: str | None = None
    valid_till: When = None
    description: str | None = None
    discount_code: str | None = None
    trimmed_coupon_code: str | None = None


class CustomerCreateResponse(CapillaryModel):
    """POST /v2/customers answer: the new id, warnings (e.g. 8107) and side effects."""

    created_id: int | None = None
    warnings: Items[ApiMessage] = Field(default_factory=list)
    side_effects: Items[SideEffect] = Field(default_factory=list)


class ExtendedFieldDefinition(CapillaryModel):
    """One extended field definition from GET /v2/extendedFields."""

    name: str | None = None
    label: str | None = None
    entity_type: str | None = None
    data_type: str | None = None
    id: int | None = None
    parent_id: int | None = None
    created_by: int | None = None
    created_on: When = None
    modified_by: int | None = None
    modified_on: When = None
    possible_values: Items[str] = Field(default_factory=list)

    @field_validator("possible_values", mode="before")
    @classmethod
    def _values_as_strings(cls, value: Any) -> Any:
        # Undocumented shape (api-notes open question §9.6; docs.capillarytech.com/reference/get-org-extended-fields):
        # accept plain values or {"value"/"name"/"label": ...} objects.
        if not isinstance(value, list):
            return value
        out = []
        for item in value:
            if isinstance(item, dict):
                item = item.get("value", item.get("name", item.get("label")))
            if item is not None:
                out.append(str(item))
        return out


class PartnerProgramTier(CapillaryModel):
    """A tier of a partner program."""

    tier_number: int | None = None
    tier_name: str | None = None


class PartnerProgram(CapillaryModel):
    """A partner program attached to a loyalty program."""

    partner_program_id: int | None = None
    partner_program_name: str | None = None
    partner_program_description: str | None = None
    partner_program_tiers: Items[PartnerProgramTier] = Field(default_factory=list)
    points_exchange_rate: Amount = None
    partner_program_type: str | None = None
    membership_period_type: str | None = None
    membership_period_value: int | None = None
    tier_based: bool | None = None


class LoyaltyProgram(CapillaryModel):
    """One loyalty program of the org (GET /v2/organization/programs)."""

    program_id: int | None = None
    program_name: str | None = None
    program_description: str | None = None
    points_to_currency_ratio: Amount = None
    partner_programs: Items[PartnerProgram] = Field(default_factory=list)
    is_default: bool | None = Field(default=None, alias="default")


# --- Request models (POST /v2/customers). Unknown keys are refused so typos fail in tests, not at Capillary.


class _RequestModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class IdentifierInput(_RequestModel):
    """An identifier to register; cardnumber identifiers may carry seriesId/seriesCode/statusLabel."""

    type: str
    value: str
    series_id: int | None = None
    series_code: str | None = None
    status_label: str | None = None
    extended_fields: dict[str, Any] | None = None
    custom_fields: dict[str, Any] | None = None


class CommChannelMetaInput(_RequestModel):
    """Meta flags of a communication channel to register."""

    residence: bool | None = None
    office: bool | None = None
    last_viewed_date: str | None = None


class CommChannelInput(_RequestModel):
    """A communication channel to register."""

    type: str
    value: str
    primary: bool | None = None
    verified: bool | None = None
    subscribed: bool | None = None
    meta: CommChannelMetaInput | None = None


class ProfileInput(_RequestModel):
    """One source profile to register."""

    first_name: str | None = None
    last_name: str | None = None
    identifiers: list[IdentifierInput] = Field(default_factory=list)
    comm_channels: list[CommChannelInput] = Field(default_factory=list)
    fields: dict[str, Any] = Field(default_factory=dict)
    source: str = "INSTORE"
    account_id: str | None = None


class LoyaltyInfoInput(_RequestModel):
    """loyaltyInfo of a registration: 'loyalty' or 'non_loyalty'."""

    loyalty_type: str


class LoyaltyProgramEnrollmentInput(_RequestModel):
    """Enrol the new customer in a program, optionally at a tier with points."""

    program_id: int
    tier_number: int | None = None
    loyalty_points: Decimal | int | None = None
    tier_expiry_date: datetime | str | None = None
    points_expiry_date: datetime | str | None = None


class CustomerCreateRequest(_RequestModel):
    """Body of POST /v2/customers (register-customer.txt, docs.capillarytech.com/reference/v2-add-customer)."""

    profiles: list[ProfileInput]
    extended_fields: dict[str, Any] = Field(default_factory=dict)
    loyalty_info: LoyaltyInfoInput | None = None
    associated_with: str | None = None
    loyalty_program_enrollments: list[LoyaltyProgramEnrollmentInput] | None = None
    status_label: str | None = None
    referral_code: str | None = None

    def to_body(self) -> dict[str, Any]:
        """The JSON body: camelCase keys, None values left out."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


@dataclass(frozen=True, slots=True)
class UserContext:
    """Who is acting, sent as USER-CONTEXT-ENTITY-* audit headers.

    api-notes §2.4 (docs.capillarytech.com/reference/v2-add-customer).
    """

    entity_type: str
    entity_id: str | int
    source: str = "MEMBER_CARE"
    source_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BulkCustomerResult:
    """The outcome for one requested id of customers_bulk_get: a customer, or the error for that row."""

    customer_id: int
    success: bool
    customer: Customer | CustomerBrief | None = None  # a CustomerBrief when asked for with brief=True
    error: CapillaryError | None = None
    warnings: list[ApiMessage] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class BulkLookupResult:
    """The outcome for one identifier value of customers_bulk_lookup_chunks: the customer it belongs to, or the error.
    survivor: Capillary answered a merge victim's identifier with the account it was merged into (91009)."""

    value: str
    success: bool
    customer: Customer | CustomerBrief | None = None
    error: CapillaryError | None = None
    warnings: list[ApiMessage] = field(default_factory=list)
    survivor: bool = False
    chunk_failed: bool = False  # the whole call failed (error is the call's): not an answer about this value
