import re

import pytest
from playwright.sync_api import expect

from tests.fixtures.agents import AGENT_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_agent_signs_in_through_the_real_login_page(page, live_server, agent, capillary, screenshot):
    page.goto(f"{live_server.url}/customers/566881933/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    screenshot("login")
    page.get_by_label("Username").fill("agent")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    page.get_by_label("Password").fill(AGENT_PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_slash_focuses_the_search_box(page, live_server, agent, screenshot):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("agent")
    page.get_by_label("Password").fill(AGENT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Find a customer")).to_be_visible()
    expect(page.locator("#home-q")).to_be_focused()  # after sign-in, focus is in the (one) search box
    assert page.locator("input[type=search]").count() == 1
    page.locator("#home-q").blur()
    page.locator("body").press("/")
    expect(page.locator("#home-q")).to_be_focused()
    page.goto(f"{live_server.url}/customers/bulk/")
    page.locator("body").press("/")
    expect(page.locator("#header-q")).to_be_focused()
    screenshot("home")
