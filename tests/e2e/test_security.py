"""A security reviewer's walk in the browser: masked for an agent, revealed with a reason, audited; no CSP violation."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def test_agent_sees_masked_supervisor_reveals_with_a_reason_and_finds_it_in_the_audit_trail(
    browser, live_server, agent, supervisor, capillary, screenshot
):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live_server.url, username="agent")
    box = page.get_by_role("searchbox", name="Find a customer")
    box.fill("+91 98450 00001")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/customers/900000001/$"))
    assert "9845" not in page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Aiko Tanaka")
    body = page.content()
    assert "919845000001" not in body
    assert "aiko.tanaka@example.com" not in body
    expect(page.get_by_text("+91 ••••• ••001").first).to_be_visible()
    # A search that finds several lands on a results page whose URL holds an opaque key, not the query.
    box = page.get_by_role("searchbox", name="Find a customer")
    box.fill("Sam")
    box.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("2 customers match"))).to_be_visible()
    assert re.search(r"/customers/search/[\w-]{16}/$", page.url)
    assert "Sam" not in page.url
    page.reload()
    expect(page.get_by_role("heading", name=re.compile("2 customers match"))).to_be_visible()
    context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live_server.url, username="supervisor1")
    page.goto(f"{live_server.url}/customers/900000001/")
    assert "919845000001" not in page.content()
    page.get_by_label("Reason to reveal them").select_option(index=2)
    page.get_by_role("button", name=re.compile("Reveal for")).click()
    expect(page.get_by_text("+91 98450 00001").first).to_be_visible()
    expect(page.get_by_text(re.compile("shown in full until"))).to_be_visible()
    screenshot("customer-revealed-by-supervisor")
    page.get_by_role("link", name="Who viewed this customer").click()
    expect(page).to_have_url(re.compile(r"/admin/core/auditentry/\?customer_id__exact=900000001"))
    rows = page.locator("#result_list tbody tr")
    expect(rows.filter(has_text="Contact details revealed")).to_have_count(1)
    expect(rows.filter(has_text="supervisor1")).not_to_have_count(0)
    expect(rows.filter(has_text="agent")).not_to_have_count(0)
    screenshot("audit-trail-for-a-customer")
    context.close()


CONSOLE_PAGES = [
    "/", "/customers/search/", "/customers/566881933/", "/customers/900000001/", "/customers/900000006/",
    "/customers/900000012/", "/customers/900000013/", "/customers/123/", "/customers/register/", "/customers/bulk/",
]  # fmt: skip
ADMIN_PAGES = [
    "/admin/", "/admin/core/auditentry/", "/admin/auth/user/", "/admin/auth/user/add/",
    "/admin/registration/registrationsettings/", "/admin/registration/extendedfielddefinition/",
    "/admin/core/revealreason/", "/admin/axes/accessattempt/",
]  # fmt: skip


@pytest.mark.parametrize("username", ["agent", "admin1"])
def test_no_page_breaks_the_content_security_policy(browser, live_server, agent, administrator, capillary, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = context.new_page()
    messages = []
    page.on("console", lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server.url}/accounts/login/")
    found = {"/accounts/login/": page.evaluate("window.__cspViolations")}
    sign_in(page, live_server.url, username=username)
    pages = CONSOLE_PAGES + (ADMIN_PAGES if username == "admin1" else [])
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        found[path] = page.evaluate("window.__cspViolations")
    # Pages after an action: a search with results, a registration with errors and its duplicate check, a bulk run.
    page.goto(f"{live_server.url}/customers/search/")
    page.get_by_label("Customer", exact=True).fill("Sam")
    page.get_by_label("Customer", exact=True).press("Enter")
    page.wait_for_load_state("networkidle")
    found["search results"] = page.evaluate("window.__cspViolations")
    page.goto(f"{live_server.url}/customers/register/")
    page.get_by_label("Mobile").fill("98450 00001")
    page.get_by_label("Email").focus()
    expect(page.locator("#check-mobile")).to_contain_text("already has this mobile number")
    page.get_by_role("button", name="Register customer").click()
    page.wait_for_load_state("networkidle")
    found["register with errors"] = page.evaluate("window.__cspViolations")
    page.goto(f"{live_server.url}/customers/bulk/")
    page.get_by_label("Paste a list").fill("566881933\n900000001")
    page.get_by_role("button", name="Look up").click()
    expect(page.get_by_role("link", name="Download CSV")).to_be_visible()
    found["bulk result"] = page.evaluate("window.__cspViolations")
    context.close()
    assert {path: v for path, v in found.items() if v} == {}
    assert messages == []
    assert len(found) >= len(pages) + 4
