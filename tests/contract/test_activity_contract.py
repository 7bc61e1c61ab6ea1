"""The activity calls over a real socket against the fake: every endpoint, paging, documented errors, and a ledger
that sums to the points the customer read shows."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from memberconsole.capillary import (
    CapillaryNoResultsError,
    CapillaryNotFoundError,
    CapillaryValidationError,
    CustomerCreateRequest,
    UserContext,
)

pytestmark = pytest.mark.contract

PRIYA = {"identifier_name": "mobile", "identifier_value": "919845000005", "source": "INSTORE"}
AGENT = UserContext(entity_type="ADMIN_USER", entity_id=42, source="MEMBER_CARE")


def whole_ledger(client, **lookup):
    """Every ledger entry, page by page (the ledger's offset is a page number)."""
    page = client.points_ledger(**lookup, limit=100)
    entries = list(page.entries)
    while (following := page.ledger_details.next_page) is not None:
        page = client.points_ledger(**lookup, limit=100, page=following)
        entries += page.entries
    return entries


def test_paging_the_many_transactions_customer_by_record_offset_and_by_page_number(client, fake):
    by_id, offset = [], 0
    while offset is not None:
        page = client.customer_transactions(customer_id=900000005, limit=20, offset=offset)
        by_id += page.transactions
        offset = page.pagination.next_offset
    by_lookup, number = [], 0
    while number is not None:
        page = client.customer_transactions_lookup(**PRIYA, limit=20, page=number)
        by_lookup += page.transactions
        number = page.pagination.next_page

    assert len(by_id) == page.pagination.total == 74
    assert len({t.id for t in by_id}) == 74
    assert [t.id for t in by_lookup] == [t.id for t in by_id]
    assert [t.billing_time for t in by_id] == sorted((t.billing_time for t in by_id), reverse=True)
    assert len(fake.requests("/v2/customers/900000005/transactions")) == 4
    assert len(fake.requests("/v2/customers/lookup/transactions")) == 4


def test_a_bill_its_points_and_its_line_items(client):
    page = client.customer_transactions(customer_id=900000003, embed=["BILL_POINTS"], transaction_type="REGULAR")
    bill = next(t for t in page.transactions if t.bill_points.points_breakup)

    txn = client.transaction_get(transaction_id=bill.id, with_points=True, tenders=True)

    assert (txn.id, txn.customer_id, txn.bill_details.bill_number) == (bill.id, 900000003, bill.bill_number)
    assert sum(item.details.amount for item in txn.line_items) == bill.amount
    (points,) = txn.loyalties_point_details
    assert points.issued_points == bill.bill_points.regular_points(983)
    assert txn.payment_modes[0].amount == bill.amount


def test_a_return_references_its_bill_and_reverses_points_in_the_ledger(client):
    rows = client.customer_transactions(customer_id=900000003, limit=100).transactions
    returns = [t for t in rows if t.is_return]
    bills = {t.id: t for t in rows if not t.is_return}

    ret = client.transaction_get(transaction_id=returns[0].id, transaction_type="RETURN")
    entries = whole_ledger(client, identifier_name="id", identifier_value="900000003", source="INSTORE")

    assert {r.return_type for r in returns} == {"FULL", "LINE_ITEM"}
    assert bills[returns[0].loyalty_log_id].bill_number == returns[0].bill_number == ret.bill_details.bill_number
    reversals = [e for e in entries if e.event_name == "ReturnBill"]
    assert {e.transaction_details.transaction_id for e in reversals} == {r.loyalty_log_id for r in returns}
    assert sum(e.net_points(983) for e in reversals) == Decimal(-250)  # `returned` of José's program 983


def test_bills_that_earned_nothing_say_why(client):
    rows = client.customer_transactions(customer_id=900000002, embed=["BILL_POINTS"]).transactions
    nothing = [t for t in rows if not t.bill_points.points_breakup]
    assert {(t.type, t.outlier_status) for t in nothing} == {("NOT_INTERESTED", "NORMAL"), ("REGULAR", "OUTLIER")}


@pytest.mark.parametrize(
    "customer_id", [566881933, 565261498, 900000001, 900000003, 900000005, 900000009, 900000014, 382137011]
)
def test_the_ledger_sums_to_the_balance_the_customer_read_shows(client, customer_id):
    customer = client.customer_get(customer_id, embed=["mlp", "points"])
    entries = whole_ledger(client, identifier_name="id", identifier_value=str(customer_id), source="ALL")
    balance = client.points_ledger_balance(identifier_name="id", identifier_value=str(customer_id), source="ALL")
    closing = {
        (r.program_id, r.points_category): r.closing_balance for r in balance.ledger_details.ledger_closing_balance
    }

    for program in customer.loyalty_program_details:
        pid = program.program_id
        assert sum(e.net_points(pid) for e in entries) == program.total_available_points == program.loyalty_points
        assert closing[(pid, "Main")] == program.loyalty_points
    assert sum(e.net_points(customer.loyalty_program_details[0].program_id) for e in entries) == (
        customer.points_summary.loyalty_points
    )


def test_the_ledger_of_generated_customers_sums_to_their_balance(client, fake):
    fake.seed(150)
    for customer_id in range(100000001, 100000151, 10):
        customer = client.customer_get(customer_id, embed=["mlp"])
        entries = whole_ledger(client, identifier_name="id", identifier_value=str(customer_id), source="ALL")
        for program in customer.loyalty_program_details:
            assert sum(e.net_points(program.program_id) for e in entries) == program.loyalty_points, customer_id


def test_the_expiry_schedule_covers_the_balance_soonest_first_and_aiko_has_points_expiring_in_ten_days(client):
    schedule = client.points_expiry_schedule_lookup(identifier_name="mobile", identifier_value="919845000001",
                                                    source="INSTORE")  # fmt: skip
    customer = client.customer_get(900000001, embed=["points"])
    assert client.points_expiry_schedule(customer_id=900000001).schedules == schedule.schedules

    dates = [b.expiry_date for b in schedule.schedules]
    assert dates == sorted(dates)
    assert sum(b.points for b in schedule.schedules) == customer.points_summary.loyalty_points
    assert (
        dates[0] == (datetime.now(UTC) + timedelta(days=10)).date()
        or dates[0] == (datetime.now(UTC) + timedelta(days=9)).date()
    )  # the fake's day may have turned since now() was read


def test_coupons_in_every_state(client):
    now = datetime.now(UTC)
    page = client.customer_coupons(mobile="919845000006", include_reversed_redemptions=True)

    states = {(c.is_redeemed, c.is_expired(now)) for c in page.coupons}
    assert states == {(False, False), (True, False), (False, True), (True, True)}
    redeemed = next(c for c in page.coupons if c.redemptions and not c.is_expired(now) and c.redemptions_left == 0)
    assert redeemed.redemptions[0].redeemed_at.name == "Bangalore Indiranagar"
    assert any(c.reversed_redemptions for c in page.coupons)
    active = client.customer_coupons(mobile="919845000006", status="ACTIVE_UNREDEEMED")
    assert {c.code for c in active.coupons} == {"ACTIVEWELCOME01", "REVERSEDGIFT06"}


def test_a_registered_customer_starts_with_the_enrolment_credit_and_the_welcome_coupon(client):
    request = CustomerCreateRequest.model_validate({
        "profiles": [{"firstName": "New", "lastName": "Member", "source": "INSTORE",
                      "identifiers": [{"type": "mobile", "value": "919900000301"}]}],
        "loyaltyProgramEnrollments": [{"programId": 983, "tierNumber": 1, "loyaltyPoints": 250}],
    })  # fmt: skip
    created = client.customer_create(request, user_context=AGENT)
    coupon_effect = next(e for e in created.side_effects if e.type == "coupon")

    (event,) = client.points_ledger(identifier_name="mobile", identifier_value="919900000301", source="INSTORE").entries
    (coupon,) = client.customer_coupons(customer_id=created.created_id).coupons

    assert event.event_name == "CustomerRegistration"
    assert event.net_points(983) == Decimal(250)
    assert (coupon.id, coupon.code) == (coupon_effect.id, coupon_effect.coupon_code)
    assert client.customer_transactions(customer_id=created.created_id).pagination.total == 0


def test_no_activity_at_all(client):
    assert client.customer_transactions(customer_id=900000010).transactions == []
    assert client.customer_coupons(customer_id=900000010).coupons == []
    assert client.points_expiry_schedule(customer_id=900000010).schedules == []
    with pytest.raises(CapillaryNoResultsError) as excinfo:
        client.points_ledger(identifier_name="id", identifier_value="900000010", source="INSTORE")
    assert excinfo.value.codes == (9003,)


def test_documented_errors_over_the_wire(client, fake):
    with pytest.raises(CapillaryValidationError) as too_many:
        client.points_ledger(**PRIYA, limit=101)
    with pytest.raises(CapillaryNoResultsError) as past_the_end:
        client.points_ledger(**PRIYA, page=50)
    with pytest.raises(CapillaryNotFoundError) as unknown_bill:
        client.transaction_get(transaction_id=900000005999)
    with pytest.raises(CapillaryNotFoundError) as unknown_mobile:
        client.customer_transactions_lookup(identifier_name="mobile", identifier_value="910000000000", source="INSTORE")
    with pytest.raises(CapillaryValidationError) as past_start:
        client.points_expiry_schedule(customer_id=900000005, start_date=datetime.now(UTC) - timedelta(days=2))

    assert (too_many.value.codes, too_many.value.message) == ((11029,), "Limit cannot be greater than 100")
    assert past_the_end.value.codes == (11003,)
    assert (unknown_bill.value.codes, unknown_bill.value.message) == ((620,), "Transaction id is invalid.")
    assert unknown_mobile.value.codes == (1011,)
    assert (past_start.value.codes, past_start.value.message) == ((1215,), "startDate cannot be in past")
    assert past_start.value.request_id == fake.requests("/v2/customers/900000005/pointsExpirySchedule")[-1]["requestId"]


def test_a_read_is_retried_through_a_fault_and_the_log_never_shows_the_mobile(client, fake, sleeps):
    fake.fault("/v2/pointsLedger/getCustomerLedgerBalance", status=503, count=1)

    balance = client.points_ledger_balance(**PRIYA)
    client.customer_coupons(mobile="919845000005")

    assert balance.ledger_details.total_entries == 4
    assert len(sleeps) == 1
    logged = fake.requests("/v2/pointsLedger/") + fake.requests("/v2/customers/coupons")
    assert [e["status"] for e in logged] == [503, 200, 200]
    assert all("919845000005" not in str(e["query"]) for e in logged)
