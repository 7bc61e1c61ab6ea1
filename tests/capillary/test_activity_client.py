"""What the activity calls send (paths, parameters in Capillary's spelling), what they hand back, retries and logs."""

import logging
from datetime import UTC, date, datetime

import httpx
import pytest

from memberconsole.capillary import (
    CapillaryNoResultsError,
    CouponPage,
    ExpirySchedule,
    LedgerBalancePage,
    LedgerPage,
    Transaction,
    TransactionLookupPage,
    TransactionPage,
)

LOOKUP = {"identifier_name": "mobile", "identifier_value": "919845000005", "source": "INSTORE"}


class Recorder:
    """Record requests and answer with a fixed JSON body (a list of bodies: one per call)."""

    def __init__(self, *bodies, status: int = 200) -> None:
        self.bodies = list(bodies)
        self.status = status
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        body = self.bodies[min(len(self.requests), len(self.bodies)) - 1]
        status = body.pop("__status__", self.status) if isinstance(body, dict) else self.status
        return httpx.Response(status, json=body, headers={"X-Cap-Requestid": "act-1"})

    @property
    def params(self) -> dict[str, str]:
        return dict(self.requests[-1].url.params)

    @property
    def path(self) -> str:
        return self.requests[-1].url.path


def test_customer_transactions_sends_a_record_offset_and_every_filter(make_client, fixture_json):
    recorder = Recorder(fixture_json("customer_transactions"))
    client = make_client(recorder)

    page = client.customer_transactions(
        customer_id=383439397,
        limit=50,
        offset=100,
        sort_order="ASC",
        start_date=date(2024, 4, 1),
        end_date=datetime(2024, 4, 30, 23, 59, 59, tzinfo=UTC),
        transaction_type="ALL",
        transaction_ids=[1, 2],
        start_id=10,
        end_id=20,
        number="B-1",
        trans_nos=["B-1", "B-2"],
        entity_type="STORE",
        entity_code="doc123",
        local_currency=True,
        embed=["BILL_POINTS", "TRANSACTION_IDENTIFIER"],
    )

    assert recorder.path == "/v2/customers/383439397/transactions"
    assert recorder.params == {
        "limit": "50", "offset": "100", "sortOrder": "ASC", "startDate": "2024-04-01",
        "endDate": "2024-04-30T23:59:59Z", "transactionType": "ALL", "transactionId": "1,2", "startId": "10",
        "endId": "20", "number": "B-1", "transNos": "B-1,B-2", "entityType": "STORE", "entityCode": "doc123",
        "localCurrency": "true", "embed": "BILL_POINTS,TRANSACTION_IDENTIFIER",
    }  # fmt: skip
    assert isinstance(page, TransactionPage)
    assert page.transactions[0].bill_number == "billIDv2_95620882"


def test_lookup_transactions_sends_the_page_number_as_offset(make_client, fixture_json):
    recorder = Recorder(fixture_json("customer_transactions_lookup"))
    client = make_client(recorder)

    page = client.customer_transactions_lookup(**LOOKUP, page=1, limit=10, embed=["BILL_POINTS"])

    assert recorder.path == "/v2/customers/lookup/transactions"
    assert recorder.params == {
        "source": "INSTORE", "identifierName": "mobile", "identifierValue": "919845000005", "limit": "10",
        "offset": "1", "embed": "BILL_POINTS",
    }  # fmt: skip
    assert isinstance(page, TransactionLookupPage)
    assert page.pagination.page == 1


def test_transaction_get_asks_for_points_with_both_flags(make_client, fixture_json):
    recorder = Recorder(fixture_json("transaction_get"), fixture_json("transaction_get"))
    client = make_client(recorder)

    plain = client.transaction_get(transaction_id=2147866485)
    assert (recorder.path, recorder.params) == ("/v2/transactions/2147866485", {})
    client.transaction_get(
        transaction_id=3803508, transaction_type="RETURN", tenders=True, credit_notes=True, with_points=True
    )
    assert recorder.params == {
        "type": "RETURN", "tenders": "true", "credit_notes": "true", "mlp": "true", "points_breakup": "true"
    }  # fmt: skip
    assert isinstance(plain, Transaction)


def test_points_ledger_sends_page_numbers_and_the_documented_date_format(make_client, fixture_json):
    recorder = Recorder(fixture_json("ledger_info"))
    client = make_client(recorder)

    page = client.points_ledger(
        **LOOKUP,
        program_id=983,
        start_date=date(2025, 10, 1),
        end_date=date(2025, 12, 29),
        ledger_entry_type="DEBIT",
        point_category_type="REGULAR",
        order="ASC",
        page=2,
        limit=100,
        store_code="doc123",
        include_concept_details=True,
        is_filter_based_on_date=False,
    )

    assert recorder.path == "/v2/pointsLedger/getCustomerLedgerInfo"
    assert recorder.params == {
        "identifierName": "mobile", "identifierValue": "919845000005", "source": "INSTORE", "type": "CUSTOMER",
        "programId": "983", "startDate": "2025-10-01T00:00:00", "endDate": "2025-12-29T23:59:59",
        "ledgerEntryType": "DEBIT", "pointCategoryType": "REGULAR", "order": "ASC", "offset": "2", "limit": "100",
        "storeCode": "doc123", "includeConceptDetails": "true", "isFilterBasedOnDate": "false",
    }  # fmt: skip
    assert isinstance(page, LedgerPage)


def test_points_ledger_balance_and_expiry_schedules(make_client, fixture_json):
    recorder = Recorder(
        fixture_json("ledger_balance"), fixture_json("expiry_schedule"), fixture_json("expiry_schedule")
    )
    client = make_client(recorder)

    balance = client.points_ledger_balance(**LOOKUP, end_date=datetime(2026, 1, 1, 12, tzinfo=UTC), limit=10)
    assert recorder.params == {
        "identifierName": "mobile", "identifierValue": "919845000005", "source": "INSTORE",
        "endDate": "2026-01-01T12:00:00", "limit": "10",
    }  # fmt: skip
    by_id = client.points_expiry_schedule(
        customer_id=565032200, program_id=973, fetch_earliest_expiry_only=True, start_date=date(2026, 2, 1)
    )
    assert (recorder.path, recorder.params) == (
        "/v2/customers/565032200/pointsExpirySchedule",
        {"programId": "973", "fetchEarliestExpiryOnly": "true", "startDate": "2026-02-01"},
    )
    by_lookup = client.points_expiry_schedule_lookup(
        **LOOKUP, fetch_data_for_all_programs=True, end_date=datetime(2027, 1, 1, tzinfo=UTC)
    )
    assert (recorder.path, recorder.params) == (
        "/v2/customers/lookup/pointsExpirySchedule",
        {"source": "INSTORE", "identifierName": "mobile", "identifierValue": "919845000005",
         "fetchDataForAllPrograms": "true", "endDate": "2027-01-01"},
    )  # fmt: skip
    assert isinstance(balance, LedgerBalancePage)
    assert isinstance(by_id, ExpirySchedule)
    assert by_lookup.schedules[0].points_type == "customer_promotions"


def test_customer_coupons_sends_one_identifier_and_unwraps_the_entity(make_client, fixture_json):
    recorder = Recorder(fixture_json("customer_coupons"))
    client = make_client(recorder)

    page = client.customer_coupons(
        external_id="EXT-1", status="ACTIVE_REDEEMED", coupon_code_case="AS_IT_IS", sort_order="ASC", limit=10,
        offset=20, transaction_numbers=["B-1"], include_reversed_redemptions=True,
    )  # fmt: skip

    assert recorder.path == "/v2/customers/coupons"
    assert recorder.params == {
        "external_id": "EXT-1", "status": "ACTIVE_REDEEMED", "coupon_code_case": "AS_IT_IS", "sort_order": "ASC",
        "limit": "10", "offset": "20", "transaction_numbers": "B-1", "include_reversed_redemptions": "true",
    }  # fmt: skip
    assert isinstance(page, CouponPage)
    assert page.coupons[0].code == "0211706970002385"
    client.customer_coupons(customer_id=565039504)
    assert recorder.params == {"id": "565039504"}


@pytest.mark.parametrize("identifiers", [{}, {"mobile": "1", "email": "a@example.com"}])
def test_customer_coupons_needs_exactly_one_identifier(make_client, identifiers):
    client = make_client(Recorder({}))
    with pytest.raises(ValueError, match="exactly one"):
        client.customer_coupons(**identifiers)


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.customer_transactions(383439397),
        lambda c: c.transaction_get(1),
        lambda c: c.points_expiry_schedule(1),
        lambda c: c.points_ledger("mobile", "1", "INSTORE"),
    ],
)
def test_activity_calls_are_keyword_only(make_client, call):
    with pytest.raises(TypeError):
        call(make_client(Recorder({})))


def test_reads_are_retried_on_503_then_answered(make_client, fixture_json, sleeps):
    recorder = Recorder({"__status__": 503, "errors": []}, fixture_json("ledger_info"))
    client = make_client(recorder)

    page = client.points_ledger(**LOOKUP)

    assert len(recorder.requests) == 2
    assert len(sleeps) == 1
    assert page.ledger_details.total_entries == 138


def test_a_200_with_errors_and_no_entries_is_raised(make_client):
    body = {"warnings": [], "errors": [{"status": False, "code": 11003, "message": "There are no ledger entries"}]}
    client = make_client(Recorder(body))

    with pytest.raises(CapillaryNoResultsError):
        client.points_ledger(**LOOKUP, page=99)


def test_one_log_line_per_call_with_the_path_template_and_no_identifier(make_client, fixture_json, caplog):
    caplog.set_level(logging.INFO, logger="memberconsole.capillary")
    client = make_client(
        Recorder(
            fixture_json("customer_coupons"), fixture_json("customer_transactions"), fixture_json("transaction_get")
        )
    )

    client.customer_coupons(mobile="919845000005", email=None)
    client.customer_transactions(customer_id=383439397)
    client.transaction_get(transaction_id=2147866485)

    lines = [r.getMessage() for r in caplog.records if r.name == "memberconsole.capillary"]
    assert [line.split(" status=")[0] for line in lines] == [
        "capillary GET /v2/customers/coupons",
        "capillary GET /v2/customers/{id}/transactions",
        "capillary GET /v2/transactions/{id}",
    ]
    assert not any(secret in line for line in lines for secret in ("919845000005", "383439397", "2147866485"))
