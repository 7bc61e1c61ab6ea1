"""Every activity example in the docs parses into the typed models, with the values the docs show."""

import json
import os
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from memberconsole.capillary import (
    CouponPage,
    Customer,
    ExpirySchedule,
    LedgerBalancePage,
    LedgerPage,
    Transaction,
    TransactionLookupPage,
    TransactionPage,
)

FIXTURES = Path(__file__).parent / "fixtures"
DOCS = Path(__file__).resolve().parents[3] / "shared" / "capillary-docs" / "activity-api.md"
# Fixture -> the activity-api.md section whose example response it copies byte for byte. Each section names its page:
# §1.1 docs.capillarytech.com/reference/v2api-get-customer-transactions, §1.3 .../get-transaction-details,
# §2.1 .../get-ledger-information, §2.2 .../get-customer-ledger-balance, §3.1 .../get-points-expiry-schedule,
# §5.1 .../get-customer-coupons-basic.
VERBATIM = {
    "customer_transactions": "1.1",
    "transaction_get": "1.3",
    "ledger_info": "2.1",
    "ledger_balance": "2.2",
    "expiry_schedule": "3.1",
    "customer_coupons": "5.1",
}


@pytest.mark.skipif(not DOCS.is_file() and not os.environ.get("CI"), reason="shared/capillary-docs not beside the repo")
@pytest.mark.parametrize(("name", "section"), VERBATIM.items())
def test_fixtures_are_still_the_docs_examples_byte_for_byte(name, section):
    text = DOCS.read_text(encoding="utf-8")
    start = re.search(rf"^### {re.escape(section)} ", text, re.MULTILINE).end()
    body = text[start:]
    example = re.search(r"```json\n(.*?)```", body[body.index("**Example response**") :], re.DOTALL).group(1)
    assert (FIXTURES / f"{name}.json").read_text(encoding="utf-8") == example


def test_transaction_list_example_parses_with_record_offset_pagination(fixture_json):
    page = TransactionPage.model_validate(fixture_json("customer_transactions"))

    assert (page.pagination.limit, page.pagination.offset, page.pagination.total) == (20, 0, 1)
    assert page.pagination.next_offset is None
    (bill,) = page.transactions
    assert (bill.id, bill.customer_id, bill.loyalty_log_id, bill.type) == (2151556836, 383439397, 2151556836, "REGULAR")
    assert bill.billing_time == datetime.fromisoformat("2024-04-17T05:35:33+05:30")
    assert (bill.amount, bill.gross_amount, bill.discount) == (Decimal(3000), Decimal(3250), Decimal(250))
    assert bill.is_return is False
    (program,) = bill.bill_points.points_breakup
    assert [p.points for p in program.regular_points] == [Decimal("96.429"), Decimal("53.571")]
    assert program.regular_points[0].points_awarded_type == "POINT_AWARDED_LINEITEM"
    assert bill.bill_points.regular_points(504) == Decimal(150)
    assert bill.bill_points.alternate_currencies_breakup == []  # absent: alternate currency disabled


def test_return_rows_parse_and_say_what_they_return(fixture_json):
    full, line = TransactionPage.model_validate(fixture_json("customer_transactions_returns")).transactions

    assert (full.is_return, full.return_type, full.loyalty_log_id, full.bill_number) == (
        True, "FULL", 2151195802, "bill - 730"
    )  # fmt: skip
    assert (line.return_type, line.loyalty_log_id) == ("LINE_ITEM", 0)  # 0: the returned bill is unknown
    assert full.gross_amount == Decimal("0.0")


def test_lookup_list_example_parses_with_page_number_pagination_and_every_embed(fixture_json):
    page = TransactionLookupPage.model_validate(fixture_json("customer_transactions_lookup"))

    assert (page.pagination.page, page.pagination.limit, page.pagination.total) == (1, 10, 12)
    assert (page.pagination.page_count, page.pagination.next_page) == (2, None)
    first, second = page.transactions
    assert first.txn_identifiers[0].value == "566135941"
    assert first.bill_points.regular_points() == Decimal(10000)
    assert first.billing_time_input_offset == "+05:30"
    assert second.billing_time_input_offset == "330"  # the table's integer minutes, kept as text
    assert first.billing_store.code == "doc123"
    assert first.attribution.created_by.code == "naman_doc"
    assert first.payment_modes[0].mode == "UPI"
    assert first.credit_notes[0].reference_id == "ref-1"
    alternate = second.bill_points.aggregated_bill_alternate_currencies[0].aggregated_alternate_currencies[0]
    assert (alternate.name, alternate.regular.points) == ("DocCoin", Decimal(5))
    assert second.bill_points.alternate_currencies_breakup[0].alternate_currencies_breakups[0].regular[0].points == 5
    assert second.currency_log_dto.base_currency.iso_code == "INR"


def test_one_transaction_example_parses_with_line_items_tenders_and_credit_note(fixture_json):
    txn = Transaction.model_validate(fixture_json("transaction_get"))

    assert (txn.id, txn.customer_id, txn.type, txn.outlier_status) == (2147866485, 316726161, "REGULAR", "NORMAL")
    details = txn.bill_details
    assert (details.bill_number, details.amount, details.note) == (
        "num-6682855857799",
        Decimal("200.0"),
        "this is test",
    )
    assert details.billing_store.name == "webstore1"
    assert details.return_details.canceled is False
    (item,) = txn.line_items
    assert (item.details.item_code, item.details.qty, item.details.rate) == (
        "sku_486741_2",
        Decimal("1.0"),
        Decimal("100.5"),
    )
    assert item.details.extended_fields == {"paymentmode": "cash"}
    assert txn.payment_modes[0].org_payment_mode_id == 8976
    assert txn.credit_note.validity == date(2022, 9, 9)
    assert (txn.is_async, txn.use_v2, txn.basket_size) == (False, False, Decimal("10.0"))
    assert txn.attribution.modified_by.id is None  # {} in the example
    assert txn.loyalties_point_details == []


def test_loyalty_points_of_a_transaction_parse_and_an_empty_credit_note_is_none(fixture_json):
    txn = Transaction.model_validate(fixture_json("transaction_get_points"))

    (points,) = txn.loyalties_point_details
    assert (points.issued_points, points.expired_points, points.available_points) == (
        Decimal("4000.0"), Decimal("4000.0"), Decimal("0.0")
    )  # fmt: skip
    assert points.expiry_date == datetime(2026, 3, 16, 23, 59, 59, tzinfo=UTC)
    assert points.points_breakup.current_points.regular_points_breakup[0].issued == Decimal("4000.0")
    assert txn.credit_note is None


def test_ledger_example_parses_with_page_numbers_and_string_points(fixture_json):
    page = LedgerPage.model_validate(fixture_json("ledger_info"))

    assert (page.customer_details.first_name, page.customer_details.external_id) == ("John", "696969")
    details = page.ledger_details
    assert (details.page_number, details.page_size, details.total_entries, details.page_count) == (0, 10, 138, 14)
    assert details.next_page == 1
    expiry, bill, redemption = page.entries
    assert (expiry.event_name, expiry.customer_id, expiry.transaction_details) == ("PointsExpiry", 973, None)
    assert expiry.net_points_on_event == Decimal("-86900.000")
    assert expiry.ledger_created_date == datetime(2026, 1, 5, 4, 48, 48)
    assert expiry.ledger_created_date_iso == datetime(2026, 1, 5, 4, 48, 48, tzinfo=UTC)
    assert expiry.net_points(973) == Decimal(-86900)
    assert bill.customer_details.user_id == 0
    assert (bill.transaction_details.transaction_number, bill.transaction_details.amount) == (
        "txn-121",
        Decimal("10000.0"),
    )
    assert bill.transaction_details.date_iso == datetime(2025, 12, 10, 10, 35, tzinfo=UTC)
    assert bill.net_points(973) == Decimal(21000)
    # The alternate-currency credit is not points: the redemption takes 100 points.
    assert redemption.net_points(973) == Decimal(-100)
    assert redemption.entry_details[0].alternate_currency_name == "DocCoin"
    assert redemption.net_alternate_currencies_on_event == {"DocCoin": "100.000"}


def test_ledger_balance_example_parses(fixture_json):
    page = LedgerBalancePage.model_validate(fixture_json("ledger_balance"))

    assert page.customer_details.external_id == "tomanatest2"
    assert (page.ledger_details.total_entries, page.ledger_details.page_count) == (17, 2)
    rows = [(r.program_id, r.points_category, r.closing_balance) for r in page.ledger_details.ledger_closing_balance]
    assert rows[1] == (1745, "Main", Decimal("30000.000"))


def test_expiry_schedule_example_parses(fixture_json):
    schedule = ExpirySchedule.model_validate(fixture_json("expiry_schedule"))

    assert (schedule.id, schedule.loyalty_info.loyalty_type) == (565032200, "loyalty")
    soon, late = schedule.schedules
    assert (soon.points, soon.expiry_date, soon.points_type, soon.expiry_type) == (
        Decimal("331.9"), date(2026, 6, 11), "customer_promotions", "rolling"
    )  # fmt: skip
    assert soon.expiry_date_iso == datetime(2026, 6, 11, tzinfo=UTC)
    assert (late.points, late.expiry_type) == (Decimal(5000), "fixed")


def test_customer_expiry_embeds_parse(fixture_json):
    customer = Customer.model_validate(fixture_json("customer_expiry_embeds"))

    (bucket,) = customer.expiry_schedules
    assert (bucket.points, bucket.program_id, bucket.points_type) == (Decimal("49500.0"), 973, None)
    (expired,) = customer.expired_points
    assert (expired.points, expired.expired_on) == (Decimal("10200.0"), date(2021, 11, 10))
    assert expired.expired_points_summary[0].strategy_name == "20Days_rolling"


def test_coupon_example_parses_with_string_pagination_and_derived_state(fixture_json):
    body = fixture_json("customer_coupons")
    page = CouponPage.model_validate({**body["entity"], "warnings": body["warnings"]})

    assert (page.pagination.limit, page.pagination.offset, page.pagination.total) == (100, 0, 23)
    assert page.pagination.next_offset is None
    (customer,) = page.customers
    assert (customer.firstname, customer.id) == ("Tom", 565039504)
    (coupon,) = page.coupons
    assert (coupon.code, coupon.series_id, coupon.discount_type, coupon.discount_value) == (
        "0211706970002385", 840067, "ABS", Decimal("500.0")
    )  # fmt: skip
    assert coupon.created_date_iso == datetime(2025, 8, 19, 11, 22, 11, tzinfo=UTC)
    assert coupon.redemptions[0].redeemed_at.name == "DocStore"
    assert coupon.redemptions[0].transaction_number == "12121212"
    assert coupon.is_redeemed is True
    assert coupon.is_expired(datetime(2026, 6, 11, 12, tzinfo=UTC)) is False  # valid until the end of that day
    assert coupon.is_expired(datetime(2026, 6, 12, tzinfo=UTC)) is True


@pytest.mark.parametrize(
    ("model", "body"),
    [
        (TransactionPage, {"data": None, "pagination": None, "unknown": 1}),
        (LedgerPage, {"ledgerEntries": [{"transactionDetails": {}, "entryDetails": None, "points": "x"}]}),
        (CouponPage, {"customers": [{"coupons": [{"redemptionCount": None, "validTill": ""}]}]}),
        (Transaction, {"creditNote": {}, "lineItems": None, "billDetails": {"returnDetails": {}}}),
    ],
)
def test_missing_or_odd_blocks_never_fail_the_parse(model, body):
    assert model.model_validate(body) is not None


def test_fixture_files_are_json():
    for path in FIXTURES.glob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))
