"""Pydantic models for Capillary's activity APIs: transactions, the points ledger, expiry schedules, coupons.

Every shape is from activity-api.md; each class names its section, and each section its public page:
§1.1 docs.capillarytech.com/reference/v2api-get-customer-transactions, §1.2 .../get-customers-lookup-transactions,
§1.3 .../get-transaction-details, §2.1 .../get-ledger-information, §2.2 .../get-customer-ledger-balance,
§3.1 .../get-points-expiry-schedule, §3.2 .../get-customer-details-v2 (embeds; shapes from the user-group pages),
§5.1 .../get-customer-coupons-basic.

Pagination is modelled per endpoint, because the conventions differ: the by-id transaction list pages by record
offset, its lookup twin and the ledger by page number, coupons by record offset with string-typed numbers.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from .schemas import (
    Actor,
    Amount,
    ApiMessage,
    Attribution,
    CapillaryModel,
    ExpiryBucket,
    Items,
    LoyaltyInfo,
    Mapping_,
    When,
)


def _empty_to_none(value: Any) -> Any:
    """The docs send {} for "no such block" (transactionDetails of a system event, creditNote of a bill)."""
    return None if value == {} else value


def _as_text(value: Any) -> Any:
    """billingTimeInputOffset is "+05:30" in the example and an integer of minutes in the table.

    activity-api.md §1.2 (docs.capillarytech.com/reference/get-customers-lookup-transactions).
    """
    return None if value is None else str(value)


# -- transactions ------------------------------------------------------------------------------------------------------
class AwardedPoints(CapillaryModel):
    """regularPoints[] / promisePoints[] / promoPoints[] item of billPoints.pointsBreakup (promise/promo INFERRED)."""

    points: Amount = None
    points_awarded_type: str | None = None


class PointsValue(CapillaryModel):
    """{"points": n} in billPoints.aggregatedBillPoints."""

    points: Amount = None


class ProgramBillPoints(CapillaryModel):
    """billPoints.pointsBreakup[]: the points one bill earned in one program, item by item."""

    program_name: str | None = None
    program_id: int | None = None
    regular_points: Items[AwardedPoints] = Field(default_factory=list)
    promise_points: Items[AwardedPoints] = Field(default_factory=list)
    promo_points: Items[AwardedPoints] = Field(default_factory=list)


class AggregatedBillPoints(CapillaryModel):
    """billPoints.aggregatedBillPoints[]: one program's totals for the bill."""

    program_name: str | None = None
    program_id: int | None = None
    regular_points: PointsValue | None = None
    promise_points: PointsValue | None = None
    promo_points: PointsValue | None = None


class AlternateCurrencyAward(CapillaryModel):
    """alternateCurrenciesBreakup[].alternateCurrenciesBreakups[]."""

    identifier: str | None = None
    name: str | None = None
    regular: Items[AwardedPoints] = Field(default_factory=list)
    promised: Items[AwardedPoints] = Field(default_factory=list)
    promotional: Items[AwardedPoints] = Field(default_factory=list)


class ProgramAlternateCurrencies(CapillaryModel):
    """billPoints.alternateCurrenciesBreakup[]."""

    program_name: str | None = None
    program_id: int | None = None
    alternate_currencies_breakups: Items[AlternateCurrencyAward] = Field(default_factory=list)


class AggregatedAlternateCurrency(CapillaryModel):
    """aggregatedBillAlternateCurrencies[].aggregatedAlternateCurrencies[]."""

    identifier: str | None = None
    name: str | None = None
    regular: PointsValue | None = None
    promised: PointsValue | None = None
    promotional: PointsValue | None = None


class ProgramAggregatedAlternateCurrencies(CapillaryModel):
    """billPoints.aggregatedBillAlternateCurrencies[]."""

    program_name: str | None = None
    program_id: int | None = None
    aggregated_alternate_currencies: Items[AggregatedAlternateCurrency] = Field(default_factory=list)


class BillPoints(CapillaryModel):
    """embed=BILL_POINTS; the alternate-currency arrays are absent when the org has none.

    activity-api.md §1.1 (docs.capillarytech.com/reference/v2api-get-customer-transactions).
    """

    points_breakup: Items[ProgramBillPoints] = Field(default_factory=list)
    aggregated_bill_points: Items[AggregatedBillPoints] = Field(default_factory=list)
    alternate_currencies_breakup: Items[ProgramAlternateCurrencies] = Field(default_factory=list)
    aggregated_bill_alternate_currencies: Items[ProgramAggregatedAlternateCurrencies] = Field(default_factory=list)

    def regular_points(self, program_id: int | None = None) -> Decimal:
        """Regular points the bill earned (in one program, or in all)."""
        return sum(
            (
                a.regular_points.points
                for a in self.aggregated_bill_points
                if a.regular_points and a.regular_points.points is not None
                and (program_id is None or a.program_id == program_id)
            ),
            Decimal(0),
        )  # fmt: skip


class PaymentMode(CapillaryModel):
    """paymentModes[] (embed=PAYMENT_MODES, or tenders=true on one transaction)."""

    amount: Amount = None
    id: int | None = None
    mode: str | None = None
    notes: str | None = None
    org_payment_mode_id: int | None = None
    attributes: Items[Any] = Field(default_factory=list)


class CreditNote(CapillaryModel):
    """creditNotes[] (embed=CREDIT_NOTES) and creditNote (credit_notes=true)."""

    number: str | None = None
    amount: Amount = None
    notes: str | None = None
    reference_id: str | int | None = None
    validity: When = None
    update_amount: bool | None = None


class TransactionIdentifier(CapillaryModel):
    """txnIdentifiers[]: the customer identifier the bill was added with."""

    type: str | None = None
    value: str | None = None


class Currency(CapillaryModel):
    """baseCurrency / transactionCurrency of currencyLogDto."""

    id: int | None = None
    name: str | None = None
    symbol: str | None = None
    iso_code: str | None = None
    ref_id: int | None = None
    ratio: Amount = None


class CurrencyLog(CapillaryModel):
    """currencyLogDto (localCurrency=true): amounts in the transaction's currency."""

    added_by: int | None = None
    added_on: When = None
    auto_update_timestamp: When = None
    base_currency_id: int | None = None
    base_currency: Currency | None = None
    id: int | None = None
    org_id: int | None = None
    ratio: Amount = None
    ref_id: int | None = None
    ref_type: str | None = None
    transaction_currency_id: int | None = None
    transaction_currency: Currency | None = None
    value: Amount = None
    local_value: Amount = None
    local_discount: Amount = None
    local_gross_amount: Amount = None


class CustomerTransaction(CapillaryModel):
    """One data[] item of a customer's transaction list: a bill or a return, without line items.

    activity-api.md §1.1 (docs.capillarytech.com/reference/v2api-get-customer-transactions).
    """

    id: int | None = None
    customer_id: int | None = None
    # For a return: the returned bill's loyalty log entry, or 0 when the bill is unknown (activity-api.md §1.1,
    # docs.capillarytech.com/reference/v2api-get-customer-transactions).
    loyalty_log_id: int | None = None
    billing_time: When = None
    bill_number: str | None = None
    type: str | None = None  # REGULAR, RETURN, NOT_INTERESTED, NOT_INTERESTED_RETURN, MIXED, NI_MIXED
    return_type: str | None = None  # FULL, LINE_ITEM, AMOUNT, CANCELLED (returns only)
    notes: str | None = None
    amount: Amount = None
    gross_amount: Amount = None
    discount: Amount = None
    outlier_status: str | None = None
    custom_fields: Mapping_ = Field(default_factory=dict)
    extended_fields: Mapping_ = Field(default_factory=dict)
    billing_time_input_offset: Annotated[str | None, BeforeValidator(_as_text)] = None
    billing_store: Actor | None = None
    attribution: Attribution | None = None
    payment_modes: Items[PaymentMode] = Field(default_factory=list)
    credit_notes: Items[CreditNote] = Field(default_factory=list)
    bill_points: BillPoints | None = None
    txn_identifiers: Items[TransactionIdentifier] = Field(default_factory=list)
    currency_log_dto: CurrencyLog | None = None

    @property
    def is_return(self) -> bool:
        """A return (or a not-interested return) rather than a bill."""
        return (self.type or "").upper() in ("RETURN", "NOT_INTERESTED_RETURN")


class TransactionPagination(CapillaryModel):
    """pagination of GET /v2/customers/{id}/transactions: `offset` counts records.

    activity-api.md §1.1 (docs.capillarytech.com/reference/v2api-get-customer-transactions).
    """

    limit: int | None = None
    offset: int | None = None
    sort_by: str | None = None
    sort_order: str | None = None
    total: int | None = None

    @property
    def next_offset(self) -> int | None:
        """The record offset of the next page, None on the last one."""
        if self.limit is None or self.total is None:
            return None
        following = (self.offset or 0) + self.limit
        return following if following < self.total else None


class TransactionLookupPagination(CapillaryModel):
    """pagination of GET /v2/customers/lookup/transactions: the same keys, but `offset` is a page number.

    activity-api.md §1.2 (docs.capillarytech.com/reference/get-customers-lookup-transactions).
    """

    limit: int | None = None
    page: int | None = Field(default=None, alias="offset")
    sort_by: str | None = None
    sort_order: str | None = None
    total: int | None = None

    @property
    def page_count(self) -> int | None:
        """How many pages of `limit` the total makes."""
        if not self.limit or self.total is None:
            return None
        return -(-self.total // self.limit)

    @property
    def next_page(self) -> int | None:
        """The next page number, None on the last page."""
        count = self.page_count
        if count is None:
            return None
        following = (self.page or 0) + 1
        return following if following < count else None


class TransactionPage(CapillaryModel):
    """One page of a customer's transactions by customer id."""

    pagination: TransactionPagination | None = None
    transactions: Items[CustomerTransaction] = Field(default_factory=list, alias="data")
    warnings: Items[ApiMessage] = Field(default_factory=list)


class TransactionLookupPage(CapillaryModel):
    """One page of a customer's transactions by identifier."""

    pagination: TransactionLookupPagination | None = None
    transactions: Items[CustomerTransaction] = Field(default_factory=list, alias="data")
    warnings: Items[ApiMessage] = Field(default_factory=list)


# -- one transaction ---------------------------------------------------------------------------------------------------
class ReturnState(CapillaryModel):
    """returnDetails: {"canceled": false} on a bill."""

    canceled: bool | None = None


class BillDetails(CapillaryModel):
    """billDetails of one transaction."""

    amount: Amount = None
    billing_store: Actor | None = None
    bill_number: str | None = None
    billing_time: When = None
    discount: Amount = None
    gross_amount: Amount = None
    note: str | None = None
    return_details: ReturnState | None = None
    ni_return_details: Mapping_ = Field(default_factory=dict)
    invalid_bill: bool | None = None


class LineItemDetails(CapillaryModel):
    """lineItems[].details."""

    amount: Amount = None
    description: str | None = None
    discount: Amount = None
    item_code: str | None = None
    qty: Amount = None
    rate: Amount = None
    serial: int | None = None
    value: Amount = None
    returnable: bool | None = None
    returnable_days: int | None = None
    attributes: Mapping_ = Field(default_factory=dict)
    extended_fields: Mapping_ = Field(default_factory=dict)
    attributes_set: Items[Any] = Field(default_factory=list)


class LineItem(CapillaryModel):
    """One line of a bill."""

    id: int | None = None
    customer_id: int | None = None
    details: LineItemDetails | None = None
    outlier_status: str | None = None
    return_details: Mapping_ = Field(default_factory=dict)
    valid: bool | None = None
    return_line_items_dtos: Items[Any] = Field(default_factory=list)
    ni_return_line_items_dtos: Items[Any] = Field(default_factory=list)
    addon_details: Items[Any] = Field(default_factory=list)
    split_items_details: Items[Any] = Field(default_factory=list)
    ni_return: bool | None = None


class RegularPointsBreakup(CapillaryModel):
    """loyaltiesPointDetails[].pointsBreakup.currentPoints.regularPointsBreakup[] (the docs' copy is cut after
    `redeemed`; `expired` and `available` are read when present)."""

    program_id: int | None = None
    issued: Amount = None
    returned: Amount = None
    redeemed: Amount = None
    expired: Amount = None
    available: Amount = None


class CurrentPoints(CapillaryModel):
    """pointsBreakup.currentPoints."""

    regular_points_breakup: Items[RegularPointsBreakup] = Field(default_factory=list)


class TransactionPointsBreakup(CapillaryModel):
    """loyaltiesPointDetails[].pointsBreakup."""

    current_points: CurrentPoints | None = None


class TransactionLoyaltyPoints(CapillaryModel):
    """loyaltiesPointDetails[] (mlp=true&points_breakup=true): what became of the points one bill earned."""

    issued_points: Amount = None
    returned_points: Amount = None
    redeemed_points: Amount = None
    expired_points: Amount = None
    available_points: Amount = None
    expiry_date: When = None
    program_id: int | None = None
    delayed_points: Amount = None
    delayed_points_returned: Amount = None
    redeemable_from: When = None
    points_breakup: TransactionPointsBreakup | None = None


class Transaction(CapillaryModel):
    """GET /v2/transactions/{id}: one bill or return with its line items, SL's keys plus RD's additions.

    activity-api.md §1.3 (docs.capillarytech.com/reference/get-transaction-details; the SL example is
    Capillary/api-documentation _transaction.md).
    """

    id: int | None = None
    customer_id: int | None = None
    type: str | None = None
    outlier_status: str | None = None
    bill_details: BillDetails | None = None
    line_items: Items[LineItem] = Field(default_factory=list)
    attribution: Attribution | None = None
    payment_modes: Items[PaymentMode] = Field(default_factory=list)
    credit_note: Annotated[CreditNote | None, BeforeValidator(_empty_to_none)] = None
    custom_fields: Mapping_ = Field(default_factory=dict)
    extended_fields: Mapping_ = Field(default_factory=dict)
    loyalties_point_details: Items[TransactionLoyaltyPoints] = Field(default_factory=list)
    bill_points_breakup: Items[Any] = Field(default_factory=list)
    return_details: ReturnState | None = None
    ni_return_details: Mapping_ = Field(default_factory=dict)
    basket_size: Amount = None
    life_time_purchases: Amount = None
    ignore_points: bool | None = None
    auto_update_time: When = None
    source: str | None = None
    simulation: bool | None = None
    retro_txn: bool | None = None
    use_default_fleet_group: bool | None = None
    add_with_local_currency: bool | None = None
    is_async: bool | None = Field(default=None, alias="async")
    use_v2: bool | None = Field(default=None, alias="useV2")
    message: str | None = None
    warnings: Items[ApiMessage] = Field(default_factory=list)


# -- points ledger -----------------------------------------------------------------------------------------------------
class LedgerCustomer(CapillaryModel):
    """customerDetails of a ledger answer (names only on the ledger information)."""

    first_name: str | None = None
    last_name: str | None = None
    user_id: int | None = None
    external_id: str | None = None
    entity_type: str | None = None


class LedgerPageDetails(CapillaryModel):
    """ledgerDetails: `offset` was a page number, and the answer counts pages.

    activity-api.md §2.1 (docs.capillarytech.com/reference/get-ledger-information).
    """

    page_number: int | None = None
    page_size: int | None = None
    total_entries: int | None = None
    page_count: int | None = None

    @property
    def next_page(self) -> int | None:
        """The next page number, None on the last page (asking past it is error 11003)."""
        if self.page_count is None:
            return None
        following = (self.page_number or 0) + 1
        return following if following < self.page_count else None


class LedgerEntryDetail(CapillaryModel):
    """entryDetails[]: a credit, debit or opening balance of one program and points category."""

    ledger_entry_type: str | None = None  # CREDIT, DEBIT, OPENING_BALANCE
    points: Amount = None  # a string with three decimals on the wire
    points_category: str | None = None
    program_name: str | None = None
    program_id: int | None = None
    alternate_currency_name: str | None = None

    @property
    def signed_points(self) -> Decimal:
        """+points for a credit, -points for a debit, 0 for an opening balance or an alternate currency."""
        if self.points is None or self.alternate_currency_name:
            return Decimal(0)
        return {"CREDIT": self.points, "DEBIT": -self.points}.get((self.ledger_entry_type or "").upper(), Decimal(0))


class LedgerTransactionRef(CapillaryModel):
    """transactionDetails of a ledger entry; a ReturnBill carries the original bill.

    activity-api.md §2.1 (docs.capillarytech.com/reference/get-ledger-information).
    """

    transaction_id: int | None = None
    transaction_number: str | None = None
    date: When = None
    date_iso: When = Field(default=None, alias="dateISO")
    amount: Amount = None
    gross_bill_amount: Amount = None
    source: str | None = None


class LedgerEventDetails(CapillaryModel):
    """eventDetails of a ledger entry."""

    event_date: When = None
    event_date_iso: When = Field(default=None, alias="eventDateISO")


class LedgerMember(CapillaryModel):
    """A ledger entry's customerDetails: null, or the group member behind the event."""

    user_id: int | None = None


class LedgerEntry(CapillaryModel):
    """One ledgerEntries[] event: a bill, return, redemption, expiry, adjustment, registration..."""

    event_log_id: int | None = None
    event_name: str | None = None
    # The program id on PointsExpiry rows in the docs' examples (activity-api.md §2.1,
    # docs.capillarytech.com/reference/get-ledger-information).
    customer_id: int | None = None
    ledger_created_date: When = None
    ledger_created_date_iso: When = Field(default=None, alias="ledgerCreatedDateISO")
    customer_details: LedgerMember | None = None
    entry_details: Items[LedgerEntryDetail] = Field(default_factory=list)
    net_points_on_event: Amount = None
    net_alternate_currencies_on_event: Mapping_ = Field(default_factory=dict)
    transaction_details: Annotated[LedgerTransactionRef | None, BeforeValidator(_empty_to_none)] = None
    store: str | None = None
    store_code: str | None = None
    till_code: str | None = None
    event_details: LedgerEventDetails | None = None
    source_program_id: int | None = None
    source_program_name: str | None = None
    org_id: int | None = None
    concept_id: int | None = None
    concept_name: str | None = None

    def net_points(self, program_id: int) -> Decimal:
        """Credits minus debits of one program on this event."""
        return sum((e.signed_points for e in self.entry_details if e.program_id == program_id), Decimal(0))


class LedgerPage(CapillaryModel):
    """GET /v2/pointsLedger/getCustomerLedgerInfo: one page of ledger events."""

    customer_details: LedgerCustomer | None = None
    ledger_details: LedgerPageDetails | None = None
    entries: Items[LedgerEntry] = Field(default_factory=list, alias="ledgerEntries")
    warnings: Items[ApiMessage] = Field(default_factory=list)


class ClosingBalance(CapillaryModel):
    """ledgerClosingBalance[]: one program and points category's balance (a string with three decimals)."""

    points_category: str | None = None
    program_name: str | None = None
    program_id: int | None = None
    closing_balance: Amount = None


class LedgerBalanceDetails(LedgerPageDetails):
    """ledgerDetails of the balance: the paged rows are the closing balances.

    activity-api.md §2.2 (docs.capillarytech.com/reference/get-customer-ledger-balance).
    """

    ledger_closing_balance: Items[ClosingBalance] = Field(default_factory=list)


class LedgerBalancePage(CapillaryModel):
    """GET /v2/pointsLedger/getCustomerLedgerBalance."""

    customer_details: LedgerCustomer | None = None
    ledger_details: LedgerBalanceDetails | None = None
    warnings: Items[ApiMessage] = Field(default_factory=list)


# -- expiry ------------------------------------------------------------------------------------------------------------
class ExpirySchedule(CapillaryModel):
    """pointsExpirySchedule: a customer-shaped object, not a data envelope.

    activity-api.md §3.1 (docs.capillarytech.com/reference/get-points-expiry-schedule).
    """

    id: int | None = None
    loyalty_info: LoyaltyInfo | None = None
    schedules: Items[ExpiryBucket] = Field(default_factory=list, alias="expirySchedules")
    warnings: Items[ApiMessage] = Field(default_factory=list)


# -- coupons -----------------------------------------------------------------------------------------------------------
class CouponPlace(CapillaryModel):
    """issuedAt / redeemedAt: a store code and name (reversed redemptions add isReversed and reversedOn)."""

    code: str | None = None
    name: str | None = None
    is_reversed: bool | None = None
    reversed_on: When = None


class CouponRedemption(CapillaryModel):
    """redemptions[] / reversedRedemptions[] of a coupon."""

    id: int | None = None
    date: When = None  # the org's wall-clock time marked Z in the docs' example; dateISO is UTC
    date_iso: When = Field(default=None, alias="dateISO")
    transaction_number: str | None = None
    redeemed_at: CouponPlace | None = None


class CouponProperty(CapillaryModel):
    """customProperty[] of a coupon."""

    name: str | None = None
    value: str | None = None


class Coupon(CapillaryModel):
    """One issued coupon. It has no status field: see is_redeemed and is_expired.

    activity-api.md §5.1, INFERRED there (docs.capillarytech.com/reference/get-customer-coupons-basic).
    """

    code: str | None = None
    series_id: int | None = None
    description: str | None = None
    valid_till: When = None
    discount_type: str | None = None  # ABS, PERC
    discount_value: Amount = None
    discount_upto: Amount = None
    redemption_count: int | None = None
    redemptions_left: int | None = None  # -1: unlimited
    id: int | None = None
    created_date: When = None
    created_date_iso: When = Field(default=None, alias="createdDateISO")
    transaction_number: str | None = None  # the issuing bill, "0" when not issued on a bill
    issued_at: CouponPlace | None = None
    redemptions: Items[CouponRedemption] = Field(default_factory=list)
    reversed_redemptions: Items[CouponRedemption] = Field(default_factory=list)
    valid_till_date_time: When = None
    custom_property: Items[CouponProperty] = Field(default_factory=list)

    @property
    def is_redeemed(self) -> bool:
        """Redeemed when it was used at least once or has no redemptions left.

        activity-api.md §5.1 (docs.capillarytech.com/reference/get-customer-coupons-basic).
        """
        return (self.redemption_count or 0) > 0 or self.redemptions_left == 0

    def is_expired(self, now: datetime) -> bool:
        """Expired when validTillDateTime (else validTill) is before `now` (an aware datetime)."""
        end = self.valid_till_date_time or self.valid_till
        return isinstance(end, datetime) and end < now


class CouponCustomer(CapillaryModel):
    """entity.customers[]: the customer and their coupons (v1-style lower-case name keys)."""

    firstname: str | None = None
    lastname: str | None = None
    email: str | None = None
    mobile: str | None = None
    id: int | None = None
    external_id: str | None = None
    coupons: Items[Coupon] = Field(default_factory=list)


class CouponPagination(CapillaryModel):
    """entity.pagination: a record offset; limit and offset are strings on the wire, total a number.

    activity-api.md §5.1 (docs.capillarytech.com/reference/get-customer-coupons-basic).
    """

    limit: int | None = None
    offset: int | None = None
    total: int | None = None

    @property
    def next_offset(self) -> int | None:
        """The record offset of the next page, None on the last one."""
        if self.limit is None or self.total is None:
            return None
        following = (self.offset or 0) + self.limit
        return following if following < self.total else None


class CouponPage(CapillaryModel):
    """GET /v2/customers/coupons: entity.pagination and entity.customers, with the envelope's warnings."""

    pagination: CouponPagination | None = None
    customers: Items[CouponCustomer] = Field(default_factory=list)
    warnings: Items[ApiMessage] = Field(default_factory=list)

    @property
    def coupons(self) -> list[Coupon]:
        """The coupons of the (one) customer asked for."""
        return [coupon for customer in self.customers for coupon in customer.coupons]
