import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_agent_registers_a_walk_in_customer_then_finds_them(page, live_server, agent, capillary, screenshot):
    sign_in(page, live_server.url)
    page.get_by_role("link", name="Register").click()
    expect(page.get_by_role("heading", name="Register a customer")).to_be_visible()
    page.get_by_label("First name").fill("Meera")
    page.get_by_label("Last name").fill("Pillai")
    page.get_by_label("Mobile").fill("+91 99001 23456")
    page.get_by_label("Email").fill("meera.pillai@example.com")
    expect(page.get_by_label("Account ID")).to_be_hidden()  # only for multi-account sources
    screenshot("register-form")
    page.get_by_role("button", name="Register customer").click()
    expect(page.get_by_role("heading", name="Customer registered")).to_be_visible()
    expect(page.get_by_text("What the customer received")).to_be_visible()
    screenshot("register-done")
    customer_id = re.search(r"Customer ID (\d+)", page.get_by_role("status").inner_text()).group(1)
    box = page.get_by_role("searchbox", name="Find a customer")
    box.fill("99001 23456")
    box.press("Enter")
    expect(page).to_have_url(re.compile(rf"/customers/{customer_id}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Meera Pillai")


def test_existing_mobile_is_flagged_when_the_agent_leaves_the_field(page, live_server, agent, capillary, screenshot):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/customers/register/")
    page.get_by_label("Mobile").fill("98450 00001")
    page.get_by_label("Email").focus()  # leaving the mobile field checks it
    warning = page.locator("#check-mobile")
    expect(warning).to_contain_text("already has this mobile number")
    expect(warning.get_by_role("link", name="900000001")).to_be_visible()
    screenshot("register-duplicate")
