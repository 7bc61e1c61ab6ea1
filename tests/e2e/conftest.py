"""Browser tests: Playwright driving Debian's chromium against live_server and the fake Capillary."""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests make there are synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install -y chromium)."
        if os.environ.get("CI"):
            pytest.fail(message)  # CI must run the browser tests
        pytest.skip(f"browser tests skipped: {message}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in(page, base_url: str, *, username: str = "agent") -> None:
    """Sign in through the real login page, as an agent would."""
    from playwright.sync_api import expect

    from tests.fixtures.agents import AGENT_PASSWORD

    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(AGENT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Find a customer")).to_be_visible()


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under var/screenshots/ to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def open_activity(page, *parts: str) -> None:
    """Open the customer page's activity parts (all four when none is named) as an agent would, by their disclosure,
    and wait until each has loaded."""
    from playwright.sync_api import expect

    labels = {
        "transactions": "Transactions", "ledger": "Points ledger", "expiry": "Expiring points", "coupons": "Coupons",
    }  # fmt: skip
    for part in parts or tuple(labels):
        page.locator("details.activity-part summary", has_text=labels[part]).click()
        expect(page.locator(f"#activity-{part}")).not_to_have_attribute("aria-busy", "true")
