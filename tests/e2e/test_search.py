import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("typed", "customer_id", "name", "reading"),
    [
        ("+91 98450 00001", 900000001, "Aiko Tanaka", "mobile +91 ••••• ••001"),  # an agent sees it masked
        ("bubalus.bubalis@example.com", 566881933, "Bubalus bubalis", "email b•••@example.com"),
        ("mtest00000000067003", 566881933, "Bubalus bubalis", "card number mtest00000000067003"),
        ("565261498", 565261498, "Tom Sawyer", "customer ID 565261498"),
    ],
)
def test_agent_finds_a_customer_from_the_header_box(
    page, live_server, agent, capillary, screenshot, typed, customer_id, name, reading
):
    sign_in(page, live_server.url)
    page.keyboard.press("/")
    box = page.get_by_role("searchbox", name="Find a customer")
    expect(box).to_be_focused()
    box.fill(typed)
    box.press("Enter")
    expect(page).to_have_url(re.compile(rf"/customers/{customer_id}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.get_by_role("status")).to_contain_text(f"Found by {reading}")
    expect(page.get_by_role("navigation", name="Sections of this customer")).to_be_visible()
    screenshot(f"customer-{customer_id}-via-{reading.split()[0]}")


def test_nobody_found_offers_what_was_searched(page, live_server, agent, capillary, screenshot):
    sign_in(page, live_server.url)
    page.get_by_role("searchbox", name="Find a customer").fill("98765 43210")
    page.get_by_role("searchbox", name="Find a customer").press("Enter")
    expect(page.get_by_role("heading", name="No customer found")).to_be_visible()
    expect(page.get_by_text("Searched mobile 919876543210")).to_be_visible()
    screenshot("search-nobody")


def test_recently_viewed_on_home(page, live_server, agent, capillary):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/customers/566881933/")
    page.goto(f"{live_server.url}/")
    recent = page.get_by_role("region", name="Recently viewed")
    expect(recent.get_by_role("link", name="Bubalus bubalis")).to_be_visible()


def test_account_id_is_asked_for_only_with_a_multi_account_source(page, live_server, agent, capillary):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/customers/search/")
    account = page.get_by_label("Account ID")
    expect(account).to_be_hidden()
    page.get_by_label("Source").select_option("WECHAT")
    expect(account).to_be_visible()
    page.get_by_label("Customer", exact=True).fill("918392184396")
    account.fill("1234")
    account.press("Enter")
    expect(page).to_have_url(re.compile(r"/customers/382137011/$"))
