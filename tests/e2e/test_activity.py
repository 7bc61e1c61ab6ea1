"""The customer page's activity area in the real browser: each part loads when the agent opens it (the page alone is one
Capillary call), pages the transactions, opens a bill, and says so in words when a part cannot load."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import open_activity, sign_in


def upstream(fake_http) -> list[str]:
    log = fake_http.get("/__fake__/requests").json()
    entries = log["requests"] if isinstance(log, dict) else log
    return [e["path"] for e in entries if e["path"].startswith("/v2/")]


def test_a_customer_page_costs_one_call_until_the_agent_opens_a_part_and_each_part_one_more(
    page, live_server, agent, capillary, fake_http, report
):
    sign_in(page, live_server.url)
    fake_http.delete("/__fake__/requests")
    page.goto(f"{live_server.url}/customers/900000005/")
    page.wait_for_load_state("networkidle")
    page.mouse.wheel(0, 3000)  # scrolling the parts into view asks nothing either
    page.wait_for_timeout(300)
    page.wait_for_load_state("networkidle")
    on_view = upstream(fake_http)
    assert on_view == ["/v2/customers/900000005"]
    ledger = page.locator("details.activity-part summary", has_text="Points ledger")
    ledger.focus()
    page.keyboard.press("Enter")  # a disclosure, opened by keyboard
    expect(page.locator("#activity-ledger").get_by_role("table")).to_be_visible()
    assert upstream(fake_http) == [*on_view, "/v2/pointsLedger/getCustomerLedgerInfo"]
    page.keyboard.press("Enter")  # closed, and opened again: asked once
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert len(upstream(fake_http)) == 2
    # Search to page: the search's calls, then the page's one.
    fake_http.delete("/__fake__/requests")
    box = page.get_by_role("searchbox", name="Find a customer")
    box.fill("900000005")
    box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Priya Iyer")
    page.wait_for_load_state("networkidle")
    search_to_page = upstream(fake_http)
    report(f"customer page: {len(on_view)} upstream call; search to page: {len(search_to_page)} ({search_to_page})")
    assert search_to_page == ["/v2/customers/900000005"]  # the search's own read is handed to the page


pytestmark = pytest.mark.django_db(transaction=True)


def test_an_agent_reads_the_activity_pages_the_transactions_and_opens_a_bill(
    page, live_server, agent, capillary, screenshot
):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/customers/900000005/")
    open_activity(page)
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
    open_activity(page, "transactions")
    page.locator("details.activity-part summary", has_text="Points ledger").click()
    ledger = page.locator("#activity-ledger")
    expect(ledger.get_by_role("alert")).to_contain_text("Request id for escalation")
    expect(page.locator("#activity-transactions")).to_contain_text("8 transactions")


def test_a_part_the_console_refuses_is_said_in_words_not_left_loading(page, live_server, agent, capillary, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "activity": (2, 100)}
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/customers/900000010/")
    for label in ("Transactions", "Points ledger", "Expiring points", "Coupons"):
        page.locator("details.activity-part summary", has_text=label).click()
    page.wait_for_load_state("networkidle")
    limited = page.locator(".activity-failed")
    expect(limited).to_have_count(2)
    expect(limited.first).to_have_text(re.compile("Wait a minute, then try again"))
    expect(page.locator("[data-activity-section][aria-busy]")).to_have_count(0)
