"""Every page an agent, a supervisor or an administrator reaches, checked with axe-core in the real chromium: zero
violations of any impact. Plus the keyboard and screen-reader behaviour axe cannot see: focus after sign-in and after a
failed submit, and an invalid mobile flagged as the agent leaves the field."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import open_activity, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Axe()
# WCAG 2.0-2.2 A and AA, and axe's best practices: every rule axe runs by default.
OPTIONS = {"resultTypes": ["violations"]}


def violations(page) -> list[str]:
    result = AXE.run(page, options=OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result.response["violations"]
    ]


def check(page, found: dict, name: str) -> None:
    page.wait_for_load_state("networkidle")
    found[name] = violations(page)


def test_every_agent_page_has_no_accessibility_violation(page, live_server, agent, capillary):
    found: dict[str, list[str]] = {}
    page.goto(f"{live_server.url}/accounts/login/")
    check(page, found, "login")
    sign_in(page, live_server.url)
    check(page, found, "home")
    for name, path in [
        ("search form", "/customers/search/"),
        ("customer (rich, docs)", "/customers/565261498/"),
        ("customer (three sources)", "/customers/900000001/"),
        ("customer (two programs, top tier)", "/customers/900000005/"),
        ("customer (cards in every status)", "/customers/900000006/"),
        ("customer (renewal trackers)", "/customers/900000008/"),
        ("customer (DND)", "/customers/900000010/"),
        ("customer (deleted)", "/customers/900000012/"),
        ("customer (merged)", "/customers/900000013/"),
        ("customer (non-loyalty)", "/customers/900000016/"),
        ("customer (fraud, long names)", "/customers/900000018/"),
        ("customer (missing)", "/customers/123/"),
        ("register", "/customers/register/"),
        ("bulk form", "/customers/bulk/"),
    ]:
        page.goto(f"{live_server.url}{path}")
        check(page, found, name)
    # The details of one contact answer, opened.
    page.goto(f"{live_server.url}/customers/900000010/")
    page.locator(".contact-why summary").first.click()
    check(page, found, "customer with a contact reason open")
    # The activity area, loaded, with a bill open and a part on its own page.
    page.goto(f"{live_server.url}/customers/900000003/")
    check(page, found, "customer activity closed")
    open_activity(page)
    expect(page.locator("#activity-transactions")).to_contain_text("8 transactions")
    page.get_by_role("link", name="Open bill B900000003-006").click()
    expect(page.locator("#activity-bill")).to_contain_text("Items on this bill")
    check(page, found, "customer activity with a bill open")
    page.goto(f"{live_server.url}/customers/900000006/activity/coupons/")
    check(page, found, "coupons on their own page")
    # Search: several, and nobody.
    box = page.get_by_role("searchbox", name="Find a customer")
    box.fill("Sam")
    box.press("Enter")
    expect(page.get_by_role("heading", name="2 customers match “Sam”")).to_be_visible()
    check(page, found, "search results")
    box = page.get_by_role("searchbox", name="Find a customer")
    box.fill("98765 43210")
    box.press("Enter")
    expect(page.get_by_role("heading", name="No customer found")).to_be_visible()
    check(page, found, "no match")
    # Register: with errors, with the cross-source confirmation, and registered.
    page.goto(f"{live_server.url}/customers/register/")
    page.get_by_label("Mobile").fill("12")
    page.get_by_role("button", name="Register customer").click()
    expect(page.get_by_text("This is not a valid mobile number")).to_be_visible()
    check(page, found, "register with errors")
    page.goto(f"{live_server.url}/customers/register/")
    page.get_by_label("Mobile").fill("98450 00001")
    page.get_by_label("Email").focus()
    expect(page.locator("#check-mobile")).to_contain_text("already has this mobile number")
    check(page, found, "register with a duplicate notice")
    page.goto(f"{live_server.url}/customers/register/")
    page.get_by_label("First name").fill("Meera")
    page.get_by_label("Mobile").fill("+91 99001 23456")
    page.get_by_role("button", name="Register customer").click()
    expect(page.get_by_role("heading", name="Customer registered")).to_be_visible()
    check(page, found, "registered")
    # Bulk: result.
    page.goto(f"{live_server.url}/customers/bulk/")
    page.get_by_label("Paste a list").fill("566881933\n900000001\nnobody@example.com\n=bad")
    page.get_by_role("button", name="Look up").click()
    expect(page.get_by_role("link", name="Download CSV")).to_be_visible()
    check(page, found, "bulk result")
    assert {name: v for name, v in found.items() if v} == {}
    assert len(found) >= 22


def test_the_cross_source_confirmation_has_no_accessibility_violation(page, live_server, agent, capillary):
    from memberconsole.registration.models import RegistrationSettings, RegistrationSource

    config = RegistrationSettings.load()
    for source, accounts in (("INSTORE", ""), ("LINE", "")):
        RegistrationSource.objects.create(config=config, source=source, account_ids=accounts)
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/customers/register/")
    page.get_by_label("Source").select_option("LINE")
    page.get_by_label("Account ID").fill("L-1")
    page.get_by_label("Mobile").fill("98450 00005")
    page.get_by_role("button", name="Register customer").click()
    expect(page.get_by_text("Yes, add this profile to customer 900000005")).to_be_visible()
    assert violations(page) == []


def test_supervisor_and_administrator_pages_have_no_accessibility_violation(
    browser, live_server, supervisor, administrator, capillary
):
    found: dict[str, list[str]] = {}
    for username, paths in [
        ("supervisor1", ["/customers/900000001/", "/admin/", "/admin/core/auditentry/"]),
        (
            "admin1",
            [
                "/admin/",
                "/admin/core/auditentry/",
                "/admin/registration/registrationsettings/",
                "/admin/registration/extendedfielddefinition/",
                "/admin/auth/user/",
                "/customers/900000001/",
            ],
        ),
    ]:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        sign_in(page, live_server.url, username=username)
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            check(page, found, f"{username} {path}")
        context.close()
    bad = {name: v for name, v in found.items() if v}
    assert bad == {}, "\n".join(f"{name}: {v}" for name, v in bad.items())


def test_after_a_failed_submit_focus_is_on_the_first_error_and_it_is_announced(page, live_server, agent, capillary):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/customers/register/")
    page.get_by_label("First name").fill("Asha")
    page.get_by_label("Mobile").fill("12")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_role("button", name="Register customer").click()
    mobile = page.get_by_label("Mobile")
    expect(mobile).to_be_focused()
    expect(mobile).to_have_attribute("aria-invalid", "true")
    described = mobile.get_attribute("aria-describedby")
    assert "id_mobile_error" in described.split()
    expect(page.locator("#id_mobile_error")).to_contain_text("not a valid mobile number")
    expect(page.get_by_label("First name")).to_have_value("Asha")  # nothing typed is lost


def test_an_invalid_mobile_is_flagged_when_the_agent_leaves_the_field(page, live_server, agent, capillary):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/customers/register/")
    page.get_by_label("Mobile").fill("12345")
    page.get_by_label("Email").focus()
    check_area = page.locator("#check-mobile")
    expect(check_area).to_contain_text("not a valid mobile number")
    expect(page.get_by_label("Mobile")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Mobile").fill("+91 99001 23456")
    page.get_by_label("Email").focus()
    expect(check_area).not_to_contain_text("not a valid mobile number")
    expect(page.get_by_label("Mobile")).not_to_have_attribute("aria-invalid", "true")


def test_after_sign_in_focus_is_in_the_one_search_box(page, live_server, agent):
    sign_in(page, live_server.url)
    expect(page.get_by_role("searchbox")).to_have_count(1)
    expect(page.get_by_role("searchbox", name="Find a customer")).to_be_focused()
    assert "<" not in page.title()  # the title is plain text


def test_on_a_tablet_the_customer_page_never_scrolls_sideways_and_wide_tables_scroll_by_keyboard(
    browser, live_server, agent, capillary
):
    context = browser.new_context(viewport={"width": 768, "height": 1024})
    page = context.new_page()
    sign_in(page, live_server.url)
    found: dict[str, list[str]] = {}
    scrolling_tables = 0
    for customer_id in (900000001, 900000003, 900000005, 900000006, 565261498):
        page.goto(f"{live_server.url}/customers/{customer_id}/")
        open_activity(page)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], (customer_id, width)
        tables = page.evaluate(
            """Array.from(document.querySelectorAll('.table-wrap')).filter(w => w.scrollWidth > w.clientWidth + 1)
            .map(w => [w.getAttribute('role'), w.getAttribute('tabindex'), w.getAttribute('aria-label')])"""
        )
        assert all(role == "region" and tab == "0" and label for role, tab, label in tables), tables
        scrolling_tables += len(tables)
        check(page, found, f"customer {customer_id} at 768 px")
    context.close()
    assert scrolling_tables > 0  # the check is not vacuous: some tables do scroll at this width
    assert {name: v for name, v in found.items() if v} == {}
