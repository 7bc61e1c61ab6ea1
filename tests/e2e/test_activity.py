"""The customer page's activity area in the real browser: it loads after the page, pages the transactions, opens a bill,
and says so in words when a part cannot load."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_agent_reads_the_activity_pages_the_transactions_and_opens_a_bill(
    page, live_server, agent, capillary, screenshot
):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/customers/900000005/")
    activity = page.get_by_role("region", name="Activity: where are the points?")
    transactions = activity.get_by_role("region", name="Transactions")
    expect(transactions.get_by_text("74 transactions, newest first")).to_be_visible()
    bills = transactions.locator("table.activity-table tbody tr")
    expect(bills).to_have_count(21)  # 20 bills and the "Older transactions" row
    expect(activity.get_by_role("region", name="Points ledger").get_by_role("table")).to_be_visible()
    expect(activity.get_by_role("region", name="Coupons")).to_contain_text("No coupons issued to this customer.")

    # The soonest expiry: said in the summary band and first in the expiring points.
    expiry = activity.get_by_role("region", name="Expiring points")
    soonest = expiry.locator("p strong").first
    expect(soonest).to_contain_text("points expire on")
    points, day = re.match(r"([\d,]+) points expire on (.+)", soonest.inner_text()).groups()
    summary = page.get_by_role("region", name="Priya Iyer")
    expect(summary).to_contain_text(f"{points} expire on {day}")
    screenshot("customer-activity")

    transactions.get_by_role("link", name="Older transactions").click()
    expect(transactions.get_by_text("40 of 74 shown")).to_be_visible()
    expect(bills).to_have_count(41)

    transactions.get_by_role("link", name="Open bill B900000005-072").click()
    bill = page.locator("#activity-bill")
    expect(bill.get_by_role("heading", level=4)).to_have_text("Purchase · bill B900000005-072")
    expect(bill).to_be_focused()
    expect(bill.get_by_role("table", name="Items on this bill")).to_be_visible()
    expect(bill.get_by_role("table", name="Points from this bill")).to_contain_text("DocDemo Loyalty")
    screenshot("customer-activity-bill")

    # "I got no points": find the bill by its number.
    transactions.get_by_label("Bill number").fill("B900000005-010")
    transactions.get_by_role("button", name="Find bills").click()
    expect(page.locator("#activity-transactions")).to_contain_text("1 bill found")


def test_a_part_that_fails_says_so_while_the_page_and_the_other_parts_show(
    page, live_server, agent, capillary, fake_http
):
    fake_http.post("/__fake__/faults", json={"path": "/v2/pointsLedger/", "status": 500, "count": None})
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/customers/900000003/")
    expect(page.get_by_role("heading", level=1)).to_have_text("José Ñúñez")
    ledger = page.locator("#activity-ledger")
    expect(ledger.get_by_role("alert")).to_contain_text("Request id for escalation")
    expect(page.locator("#activity-transactions")).to_contain_text("8 transactions")


def test_a_part_the_console_refuses_is_said_in_words_not_left_loading(page, live_server, agent, capillary, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "activity": (2, 100)}
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/customers/900000010/")
    page.wait_for_load_state("networkidle")
    limited = page.locator(".activity-failed")
    expect(limited).to_have_count(2)
    expect(limited.first).to_have_text(re.compile("Wait a minute, then try again"))
    expect(page.locator("[data-activity-section][aria-busy]")).to_have_count(0)
