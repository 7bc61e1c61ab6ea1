"""The customer page's activity area (issue 12): transactions and bills, the points ledger, expiring points and coupons,
each section against the demo customers that show its cases (listed in memberconsole/fake_capillary/README.md)."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from memberconsole.core.audit import Action
from memberconsole.core.formatting import as_date, date_text
from memberconsole.core.models import AuditEntry
from memberconsole.customers import activity, domain

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
MANY = 900000005  # 74 transactions: 4 pages of 20
RETURNS = 900000003  # a FULL return and a LINE_ITEM return
NON_LOYALTY = 900000016  # NOT_INTERESTED bills only
OUTLIER = 900000002  # a loyalty member with a NOT_INTERESTED bill and an OUTLIER bill
EXPIRING = 900000001  # points expiring 10 days from the fake's today
COUPONS = 900000006  # coupons in every state
QUIET = 900000010  # no program: no activity at all


def text(response) -> str:
    """The response's words, tags removed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


def upstream_calls(fake_http):
    log = fake_http.get("/__fake__/requests").json()
    entries = log["requests"] if isinstance(log, dict) else log
    return [e for e in entries if e["path"].startswith("/v2/")]


def section(client, customer_id: int, part: str, query: str = "", *, htmx: bool = True):
    url = f"/customers/{customer_id}/activity/{part}/" + (f"?{query}" if query else "")
    return client.get(url, **(HTMX if htmx else {}))


def rows(response) -> int:
    return len(re.findall(r"<tr>\s*<td>", response.content.decode()))


class TestFirstPaint:
    def test_the_page_costs_one_upstream_call_and_each_part_is_asked_for_only_when_opened(
        self, agent_client, capillary, fake_http
    ):
        fake_http.delete("/__fake__/requests")
        response = agent_client.get(f"/customers/{MANY}/")
        assert response.status_code == 200
        assert [c["path"] for c in upstream_calls(fake_http)] == [f"/v2/customers/{MANY}"]
        body = response.content.decode()
        assert 'hx-trigger="load"' not in body  # nothing loads by itself...
        assert 'hx-trigger="revealed"' not in body  # ...nor by being scrolled to
        for part in ("transactions", "ledger", "expiry", "coupons"):
            url = f"/customers/{MANY}/activity/{part}/"
            disclosure = re.search(rf'<details class="activity-part"[^>]*hx-get="{url}"[^>]*>', body).group(0)
            assert 'hx-trigger="toggle once"' in disclosure  # the first time the agent opens it
            assert re.search(rf'<div id="activity-{part}"[^>]*aria-busy="true"', body)
            assert f'<a href="{url}">' in body  # without JavaScript, each part opens as a page
        assert "Loading transactions…" in body

    def test_each_part_is_one_upstream_call(self, agent_client, capillary, fake_http):
        for part, path in [
            ("transactions", f"/v2/customers/{MANY}/transactions"),
            ("ledger", "/v2/pointsLedger/getCustomerLedgerInfo"),
            ("expiry", f"/v2/customers/{MANY}/pointsExpirySchedule"),
            ("coupons", "/v2/customers/coupons"),
        ]:
            fake_http.delete("/__fake__/requests")
            assert section(agent_client, MANY, part).status_code == 200
            assert [c["path"] for c in upstream_calls(fake_http)] == [path]

    def test_the_soonest_expiry_is_in_the_summary_from_that_one_call(self, agent_client, capillary):
        schedule = capillary.points_expiry_schedule(customer_id=EXPIRING, fetch_data_for_all_programs=True)
        soonest = min(
            (b for b in schedule.schedules if as_date(b.expiry_date_iso or b.expiry_date) >= timezone.localdate()),
            key=lambda b: as_date(b.expiry_date_iso or b.expiry_date),
        )
        page = text(agent_client.get(f"/customers/{EXPIRING}/"))
        points = f"{Decimal(str(soonest.points)):,.0f}"
        assert f"{points} expire on {date_text(soonest.expiry_date_iso or soonest.expiry_date)}" in page


class TestKeptAnswers:
    """Activity answers are kept ACTIVITY_CACHE_SECONDS per customer, before masking, and dropped on a change."""

    def test_opening_a_part_again_within_the_minute_asks_capillary_nothing(self, agent_client, capillary, fake_http):
        first = text(section(agent_client, MANY, "transactions"))
        fake_http.delete("/__fake__/requests")
        for part in ("transactions", "transactions"):
            assert text(section(agent_client, MANY, part)) == first
        assert upstream_calls(fake_http) == []
        section(agent_client, MANY, "transactions", "offset=20")  # another page is another answer
        assert len(upstream_calls(fake_http)) == 1

    def test_a_masked_viewer_after_an_unmasked_one_sees_codes_masked(
        self, agent_client, administrator, capillary, fake_http
    ):
        from django.test import Client

        page = capillary.customer_coupons(customer_id=COUPONS, limit=50)
        real = [c.code for customer in page.customers for c in customer.coupons]
        admin = Client()
        admin.force_login(administrator)
        assert all(code in section(admin, COUPONS, "coupons").content.decode() for code in real)
        fake_http.delete("/__fake__/requests")
        masked = section(agent_client, COUPONS, "coupons").content.decode()
        assert upstream_calls(fake_http) == []  # the kept answer...
        assert not any(code in masked for code in real)  # ...masked for this viewer
        assert "Coupon codes are partly hidden" in text(section(agent_client, COUPONS, "coupons"))

    def test_nothing_found_is_kept_too_and_failures_are_not(self, agent_client, capillary, fake_http):
        section(agent_client, QUIET, "ledger")
        fake_http.delete("/__fake__/requests")
        assert "no points ledger" in text(section(agent_client, QUIET, "ledger"))
        assert upstream_calls(fake_http) == []
        fake_http.post("/__fake__/faults", json={"path": "/v2/customers/coupons", "status": 503, "count": None})
        assert 'role="alert"' in section(agent_client, COUPONS, "coupons").content.decode()
        fake_http.delete("/__fake__/faults")
        assert "Active" in text(section(agent_client, COUPONS, "coupons"))  # asked again: the failure was not kept
        assert len([c for c in upstream_calls(fake_http) if c["path"] == "/v2/customers/coupons"]) >= 2

    def test_a_change_by_the_console_drops_what_was_kept(self, agent_client, capillary, fake_http):
        from memberconsole.core.freshness import customer_changed

        section(agent_client, MANY, "expiry")
        customer_changed(customer_id=MANY)
        fake_http.delete("/__fake__/requests")
        section(agent_client, MANY, "expiry")
        assert [c["path"] for c in upstream_calls(fake_http)] == [f"/v2/customers/{MANY}/pointsExpirySchedule"]

    def test_with_the_setting_at_zero_every_open_asks_capillary(self, agent_client, capillary, fake_http, settings):
        settings.ACTIVITY_CACHE_SECONDS = 0
        fake_http.delete("/__fake__/requests")
        section(agent_client, MANY, "expiry")
        section(agent_client, MANY, "expiry")
        assert len(upstream_calls(fake_http)) == 2


class TestTransactions:
    def test_newest_first_twenty_a_page_and_older_loads_the_next_rows(self, agent_client, capillary):
        first = section(agent_client, MANY, "transactions")
        body = text(first)
        assert "74 transactions, newest first" in body
        assert rows(first) == 20
        assert "B900000005-073" in body
        assert "B900000005-053" not in body
        assert "Older transactions" in body
        assert "20 of 74 shown" in body
        assert 'id="activity-transactions"' in first.content.decode()

        older = section(agent_client, MANY, "transactions", "offset=20")
        assert rows(older) == 20
        assert 'id="activity-transactions"' not in older.content.decode()  # only the rows, appended by htmx
        assert "40 of 74 shown" in text(older)

        last = section(agent_client, MANY, "transactions", "offset=60")
        assert rows(last) == 14
        assert "Older transactions" not in text(last)

    def test_amounts_stores_and_times_in_the_org_zone(self, agent_client, capillary, settings):
        body = text(section(agent_client, MANY, "transactions"))
        assert "₹" in body
        assert "Mumbai BKC · mum-bkc" in body or "DocStore · doc123" in body
        assert re.search(r"\d\d [A-Z][a-z]{2} \d{4}, \d\d:\d\d", body)
        assert f"({settings.TIME_ZONE})" in text(agent_client.get(f"/customers/{MANY}/"))

    def test_a_return_says_its_kind_and_the_bill_it_returns(self, agent_client, capillary):
        body = text(section(agent_client, RETURNS, "transactions"))
        assert "Return (whole bill) Returns bill B900000003-003" in body
        assert "Return (some items) Returns bill B900000003-005" in body
        assert "takes back points the bill earned" in body

    def test_the_returned_bill_shows_the_points_taken_back_and_their_expiry(self, agent_client, capillary):
        agent_client.get(f"/customers/{RETURNS}/")  # the page leaves its program names for the activity
        listing = section(agent_client, RETURNS, "transactions").content.decode()
        link = re.search(r'hx-get="(/customers/900000003/activity/transactions/\d+/\?type=REGULAR)"[^>]*>Open'
                         r'<span class="visually-hidden"> bill B900000003-005<', listing).group(1)  # fmt: skip
        bill = agent_client.get(link, **HTMX)
        body = text(bill)
        assert bill.status_code == 200
        assert body.startswith("Purchase · bill B900000003-005")
        assert "Earned Taken back Redeemed Expired Still available Expire on" in body
        assert re.search(r"DocDemo Loyalty 588 104 0 0 484 \d\d [A-Z][a-z]{2} \d{4}", body)
        assert "Running shoes SKU-2040" in body  # the line items

    def test_opening_a_return_shows_its_items(self, agent_client, capillary):
        listing = section(agent_client, RETURNS, "transactions").content.decode()
        link = re.search(r'hx-get="(/customers/900000003/activity/transactions/\d+/\?type=RETURN)"', listing).group(1)
        body = text(agent_client.get(link, **HTMX))
        assert body.startswith("Return · bill B900000003-")
        assert "Items on this bill" in body

    def test_a_non_loyalty_bill_says_why_it_earned_nothing(self, agent_client, capillary):
        body = text(section(agent_client, NON_LOYALTY, "transactions"))
        assert "3 transactions" in body
        assert body.count("Not a loyalty bill") == 3

    def test_an_outlier_bill_says_the_rules_excluded_it(self, agent_client, capillary):
        body = text(section(agent_client, OUTLIER, "transactions"))
        assert "marked this bill an outlier, so it earns no points" in body
        assert "Not a loyalty bill" in body

    def test_finding_a_bill_by_number(self, agent_client, capillary, fake_http):
        fake_http.delete("/__fake__/requests")
        body = text(section(agent_client, MANY, "transactions", "number=B900000005-010"))
        assert "1 bill found" in body
        assert "B900000005-010" in body
        assert "Show all" in body
        assert upstream_calls(fake_http)[0]["query"]["number"] == "B900000005-010"

    def test_an_unknown_bill_number_says_what_to_check(self, agent_client, capillary):
        body = text(section(agent_client, MANY, "transactions", "number=NO-SUCH-BILL"))
        assert "No bill matches" in body
        assert (
            'value="NO-SUCH-BILL"'
            in section(agent_client, MANY, "transactions", "number=NO-SUCH-BILL").content.decode()
        )

    def test_finding_bills_between_two_dates(self, agent_client, capillary, fake_http):
        fake_http.delete("/__fake__/requests")
        body = text(section(agent_client, MANY, "transactions", "start=2000-01-01&end=2000-01-31"))
        assert "No bill matches" in body
        query = upstream_calls(fake_http)[0]["query"]
        assert query["startDate"] == "2000-01-01 00:00:00"
        assert query["endDate"] == "2000-01-31 23:59:59"

    def test_bad_dates_are_ignored_not_a_500(self, agent_client, capillary):
        response = section(agent_client, MANY, "transactions", "start=31-12-2026&offset=-4")
        assert response.status_code == 200
        assert "74 transactions" in text(response)

    def test_no_transactions_said_in_words(self, agent_client, capillary):
        assert "No transactions on record for this customer." in text(section(agent_client, QUIET, "transactions"))

    def test_without_javascript_each_part_is_a_page(self, agent_client, capillary):
        response = section(agent_client, MANY, "transactions", htmx=False)
        assert response.status_code == 200
        body = text(response)
        assert "← Customer 900000005" in body
        assert "74 transactions" in body
        assert "<html" in response.content.decode()


class TestLedger:
    def test_credits_and_debits_newest_first_per_program(self, agent_client, capillary):
        agent_client.get(f"/customers/{MANY}/")
        body = text(section(agent_client, MANY, "ledger"))
        assert "Earned on a bill" in body
        assert "Expired" in body
        assert "DocDemo Loyalty" in body
        assert "Fly Miles" in body
        assert re.search(r"\+\d", body)
        assert re.search(r"-\d", body)

    def test_the_dates_shown_are_said_and_filled_in(self, agent_client, capillary):
        response = section(agent_client, MANY, "ledger")
        start, end = re.findall(
            r'name="(?:start|end)" type="date" value="(\d{4}-\d\d-\d\d)"', response.content.decode()
        )
        assert (date.fromisoformat(end) - date.fromisoformat(start)).days == activity.LEDGER_MAX_DAYS - 1
        assert f"from {date_text(date.fromisoformat(start))} to {date_text(date.fromisoformat(end))}" in text(response)

    def test_asking_for_more_than_ninety_days_is_cut_and_said(self, agent_client, capillary, fake_http):
        fake_http.delete("/__fake__/requests")
        body = text(section(agent_client, MANY, "ledger", "start=2025-01-01&end=2026-06-30"))
        assert "Capillary gives the ledger 90 days at a time: showing 02 Apr 2026 to 30 Jun 2026" in body
        query = upstream_calls(fake_http)[0]["query"]
        assert query["startDate"] == "2026-04-02T00:00:00"
        assert query["endDate"] == "2026-06-30T23:59:59"

    def test_filter_by_type(self, agent_client, capillary, fake_http):
        fake_http.delete("/__fake__/requests")
        body = text(section(agent_client, MANY, "ledger", "type=DEBIT&start=2026-01-01&end=2026-03-31"))
        assert upstream_calls(fake_http)[0]["query"]["ledgerEntryType"] == "DEBIT"
        assert not re.search(r"\+\d", body)

    def test_paged_newer_and_older(self, agent_client, capillary, monkeypatch):
        monkeypatch.setattr(activity, "LEDGER_PER_PAGE", 5)
        first = section(agent_client, MANY, "ledger")
        assert rows(first) == 5
        assert "Older" in text(first)
        assert "Newer" not in text(first)
        second = section(agent_client, MANY, "ledger", "page=1")
        assert rows(second) == 5
        assert "Newer" in text(second)
        assert re.findall(r"<tr>\s*<td>([^<]*)</td>", first.content.decode()) != re.findall(
            r"<tr>\s*<td>([^<]*)</td>", second.content.decode()
        )

    def test_a_customer_in_no_program_has_no_ledger(self, agent_client, capillary):
        body = text(section(agent_client, QUIET, "ledger"))
        assert "Not in a loyalty program, so there is no points ledger." in body

    def test_no_events_in_the_dates(self, agent_client, capillary):
        assert "No points moved between 01 Jan 2001 and 31 Jan 2001." in text(
            section(agent_client, MANY, "ledger", "start=2001-01-01&end=2001-01-31")
        )


class TestExpiry:
    def test_soonest_first_with_the_soonest_said_in_words(self, agent_client, capillary):
        agent_client.get(f"/customers/{EXPIRING}/")
        body = text(section(agent_client, EXPIRING, "expiry"))
        shown = re.findall(r"(\d\d [A-Z][a-z]{2} \d{4}) [\d,]+ DocDemo Loyalty", body)
        parsed = [datetime.strptime(d, "%d %b %Y").date() for d in shown]
        assert parsed == sorted(parsed)
        assert len(parsed) >= 2
        assert re.search(rf"^Expiring points [\d,]+ points expire on {shown[0]} \(DocDemo Loyalty\)\.", body)

    def test_long_schedules_keep_the_later_dates_folded(self, agent_client, capillary):
        body = text(section(agent_client, MANY, "expiry"))
        assert re.search(r"\d+ later dates", body)
        assert "In all, due to expire on" in body  # per program: points and miles are not added up

    def test_nothing_due(self, agent_client, capillary):
        assert "No points are due to expire." in text(section(agent_client, QUIET, "expiry"))


class TestCoupons:
    def test_every_state_with_codes_masked_for_an_agent(self, agent_client, capillary):
        body = text(section(agent_client, COUPONS, "coupons"))
        for words in ("Active", "Redeemed", "Expired unused", "Redeemed 2×, still usable", "Unlimited uses",
                      "A redemption was reversed", "Issued on bill B900000006-001"):  # fmt: skip
            assert words in body, words
        assert "Coupon codes are partly hidden" in body
        codes = re.findall(r'<td class="mono">([^<]*)</td>', section(agent_client, COUPONS, "coupons").content.decode())
        coupon_codes = [c for c in codes if "•" in c]
        assert len(coupon_codes) == 6

    def test_codes_in_full_for_a_viewer_with_the_permission(self, admin_client_console, capillary):
        page = capillary.customer_coupons(customer_id=COUPONS, limit=50)
        real = [c.code for customer in page.customers for c in customer.coupons]
        body = section(admin_client_console, COUPONS, "coupons").content.decode()
        assert all(code in body for code in real)
        assert "partly hidden" not in body

    def test_where_redeemed(self, agent_client, capillary):
        assert re.search(r"Bangalore Indiranagar · blr-indiranagar, \d\d [A-Z][a-z]{2} \d{4}", text(
            section(agent_client, COUPONS, "coupons")))  # fmt: skip

    def test_no_coupons(self, agent_client, capillary):
        assert "No coupons issued to this customer." in text(section(agent_client, QUIET, "coupons"))


class TestFailures:
    def test_capillary_failing_for_the_activity_only_leaves_the_page_and_the_other_parts(
        self, agent_client, capillary, fake_http
    ):
        fake_http.post(
            "/__fake__/faults", json={"path": "/v2/customers/{id}/transactions", "status": 500, "count": None}
        )
        assert agent_client.get(f"/customers/{MANY}/").status_code == 200
        failed = section(agent_client, MANY, "transactions")
        assert failed.status_code == 200  # htmx swaps it in: the message shows where the transactions would be
        body = text(failed)
        assert "Capillary" in body
        assert "Request id for escalation" in body
        assert 'role="alert"' in failed.content.decode()
        assert section(agent_client, MANY, "transactions", htmx=False).status_code == 503
        assert "Expiring points" in text(section(agent_client, MANY, "expiry"))
        entry = AuditEntry.objects.filter(action=Action.ACTIVITY, outcome="error").first()
        assert entry.details == {"section": "transactions"}
        assert entry.customer_id == MANY

    def test_the_form_keeps_what_the_agent_typed_when_capillary_fails(self, agent_client, capillary, fake_http):
        fake_http.post(
            "/__fake__/faults", json={"path": "/v2/customers/{id}/transactions", "status": 503, "count": None}
        )
        body = section(agent_client, MANY, "transactions", "number=B-42").content.decode()
        assert 'value="B-42"' in body

    def test_a_timeout_is_said_plainly(self, agent_client, socket_capillary, fake_server_reset):
        spec = {"path": "/v2/customers/coupons", "timeout": True, "delay_ms": 2000, "count": None}
        httpx.post(f"{fake_server_reset}/__fake__/faults", json=spec).raise_for_status()
        response = section(agent_client, MANY, "coupons", htmx=False)
        assert response.status_code == 504
        assert "did not answer in time" in text(response)

    def test_an_unknown_customer(self, agent_client, capillary):
        response = section(agent_client, 10**19, "transactions", htmx=False)
        assert response.status_code == 404


class TestAccess:
    def test_each_part_is_recorded_without_personal_data(self, agent_client, capillary):
        for part in ("transactions", "ledger", "expiry", "coupons"):
            section(agent_client, COUPONS, part)
        entries = AuditEntry.objects.filter(action=Action.ACTIVITY, customer_id=COUPONS)
        assert sorted(e.details["section"] for e in entries) == ["coupons", "expiry", "ledger", "transactions"]
        assert {e.outcome for e in entries} == {"ok"}

    def test_refused_without_the_view_permission(self, client, capillary):
        from tests.fixtures.agents import make_user

        client.force_login(make_user("nobody"))
        assert section(client, MANY, "transactions").status_code == 403

    def test_the_activity_limit(self, agent_client, capillary, settings):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "activity": (2, 100)}
        assert section(agent_client, MANY, "expiry").status_code == 200
        assert section(agent_client, MANY, "expiry").status_code == 200
        limited = section(agent_client, MANY, "expiry")
        assert limited.status_code == 429
        assert limited["Retry-After"]

    def test_not_cached(self, agent_client, capillary):
        assert "no-store" in section(agent_client, COUPONS, "coupons")["Cache-Control"]


class TestEscaping:
    def test_capillary_text_is_escaped(self, agent):
        row = domain.BillRow(
            id=1, kind="REGULAR", kind_words="Purchase", tone="ok", billed_at=None, bill_number="<b>B1</b>",
            store="<script>alert(1)</script>", amount=Decimal(1), points=Decimal(1), returns_bill="",
            no_points_reason="",
        )  # fmt: skip
        request = RequestFactory().get("/")
        request.user = agent
        html = render_to_string(
            "customers/activity.html#transactions",
            {"customer_id": 1, "page": domain.BillPage(rows=[row], total=1, next_offset=None), "form": None,
             "transactions_url": "/t/", "params": {}},
            request=request,
        )  # fmt: skip
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;" in html
        assert "&lt;b&gt;B1&lt;/b&gt;" in html


class TestRules:
    @pytest.mark.parametrize(
        ("kind", "outlier", "points", "words"),
        [
            ("NOT_INTERESTED", "NORMAL", None, "Not a loyalty bill"),
            ("NOT_INTERESTED_RETURN", "NORMAL", None, "Not a loyalty bill"),
            ("RETURN", "NORMAL", None, "A return"),
            ("REGULAR", "OUTLIER", None, "outlier"),
            ("REGULAR", "fraud", Decimal(0), "fraud"),
            ("REGULAR", "NORMAL", Decimal(0), "Capillary gives no reason"),
            ("REGULAR", "NORMAL", Decimal(10), ""),
            ("REGULAR", "NORMAL", None, ""),
        ],
    )
    def test_why_a_bill_earned_nothing(self, kind, outlier, points, words):
        said = activity.no_points_reason(kind=kind, outlier=outlier, points=points)
        assert (words in said) if words else said == ""

    def test_ledger_window(self):
        today = date(2026, 3, 15)
        start, end, note = activity.ledger_window(None, None, today=today)
        assert (start, end, note) == (today - timedelta(days=89), today, "")
        start, end, note = activity.ledger_window(date(2026, 3, 20), date(2026, 3, 1), today=today)
        assert (start, end) == (date(2026, 3, 1), date(2026, 3, 20))  # swapped, not refused
        start, end, note = activity.ledger_window(date(2025, 1, 1), None, today=today)
        assert end == today
        assert (end - start).days == 89
        assert "not from 01 Jan 2025" in note
