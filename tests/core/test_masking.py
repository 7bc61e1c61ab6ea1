"""Contact details masked for agents on every page, partial and CSV they reach; shown to those who may see them."""

import re

import pytest
from django.core.cache import cache

from memberconsole.core.masking import ContactMask, mask_email, mask_mobile, mask_other

pytestmark = pytest.mark.django_db

# Customers whose mobile and email an agent must never receive: (customer id, raw values that must be absent).
SECRETS = {
    900000001: ["919845000001", "98450 00001", "9845000001", "aiko.tanaka@example.com", "aiko.wechat@example.com",
                "oDEMOaiko0001", "Udemo00000000000000000000000000001"],
    566881933: ["1234512345", "bubalus.bubalis@example.com"],
    900000019: ["919845000019", "eve.embed@example.com"],
}  # fmt: skip
ALL_SECRETS = [secret for secrets in SECRETS.values() for secret in secrets]


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    ("value", "masked"),
    [("919845000007", "+91 ••••• ••007"), ("8613800000002", "+86 ••• •••• •002"), ("1234512345", "•••••••345"),
     ("12", "••••"), ("", "")],
)  # fmt: skip
def test_mask_mobile_reads_as_a_person_reads_a_number(value, masked):
    assert mask_mobile(value) == masked


def test_mask_email_and_other_identifiers():
    assert mask_email("rahul@example.com") == "r•••@example.com"
    assert mask_email("not-an-email") == "••••"
    assert mask_other("oDEMOaiko0001") == "oD•••01"
    assert mask_other("short") == "••••"


def test_external_ids_and_cards_are_masked_only_when_the_setting_says_so():
    assert ContactMask().value("externalId", "XSS-0004") == "XSS-0004"
    assert ContactMask(mask_ids=True).value("cardnumber", "DEMO6CARD0001") == "DE•••01"
    assert ContactMask(reveal=True, mask_ids=True).value("cardnumber", "DEMO6CARD0001") == "DEMO6CARD0001"
    assert ContactMask().value("firstName", "Aiko") == "Aiko"  # names stay visible


def test_names_and_the_customer_id_are_never_masked_in_what_a_search_matched():
    from memberconsole.core.identifiers import CUSTOMER_ID, MOBILE, NAME, Reading

    masked = ContactMask()
    assert masked.value("id", "900000001") == "900000001"
    assert Reading(CUSTOMER_ID, "900000001").describe(masked) == "customer ID 900000001"
    assert Reading(NAME, "Aiko").describe(masked) == "name Aiko"
    assert Reading(MOBILE, "919845000007").describe(masked) == "mobile +91 ••••• ••007"


def assert_hidden(body: str, secrets: list[str], where: str) -> None:
    for secret in secrets:
        assert secret not in body, f"{secret} reached the agent on {where}"


def test_an_agent_never_receives_a_customers_mobile_or_email(agent_client, capillary, fake_http):
    for customer_id, secrets in SECRETS.items():
        page = agent_client.get(f"/customers/{customer_id}/")
        assert page.status_code == 200
        body = page.content.decode()
        assert_hidden(body, secrets, f"the page of {customer_id}")
        assert "•" in body
        assert "partly hidden" in body
    # Search by customer ID lands on the page with a "Found by" message; by name lists rows with "matched on".
    for query in ("900000001", "Aiko", "eve", "firstName"):
        response = agent_client.post("/customers/search/", {"q": query}, follow=True)
        assert_hidden(response.content.decode(), ALL_SECRETS, f"the search for {query}")
    # The registration duplicate notice, as a partial and on the page after a submit.
    partial = agent_client.get("/customers/register/check/", {"field": "email", "email": "aiko.tanaka@example.com"})
    assert "900000001" in partial.content.decode()
    assert_hidden(partial.content.decode(), SECRETS[900000001], "the duplicate check")
    page = agent_client.post(
        "/customers/register/",
        {"token": "4c7a1b7e-4a51-4a3e-9b0d-2d6f0a3c9e11", "source": "INSTORE", "mobile": "+91 98450 00019"},
    )
    assert "Already registered" in page.content.decode()
    assert_hidden(page.content.decode().replace("+91 98450 00019", ""), SECRETS[900000019], "the register page")
    # Bulk lookup of IDs: the page and the CSV.
    job = agent_client.post("/customers/bulk/", {"entries": "\n".join(str(c) for c in SECRETS)})
    table = agent_client.get(job["Location"]).content.decode()
    csv = agent_client.get(job["Location"] + "result.csv").content.decode()
    for where, body in (("the bulk table", table), ("the bulk CSV", csv)):
        assert_hidden(body, [s for s in ALL_SECRETS if "@" in s or s.isdigit()], where)


def test_a_partial_asked_for_directly_is_masked_too(agent_client, capillary):
    response = agent_client.get(
        "/customers/register/check/", {"field": "mobile", "mobile": "919845000019"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "900000019" in body
    assert "<html" not in body  # the partial alone


def test_an_administrator_sees_contact_details_in_full(admin_client_console, capillary):
    body = admin_client_console.get("/customers/900000001/").content.decode()
    assert "919845000001" in body
    assert "aiko.tanaka@example.com" in body
    assert "partly hidden" not in body


def test_a_supervisor_sees_them_masked_until_a_reveal_with_a_reason(supervisor_client, capillary):
    from memberconsole.core.models import AuditEntry, RevealReason

    body = supervisor_client.get("/customers/900000001/").content.decode()
    assert "919845000001" not in body
    assert "Reason to reveal them" in body
    other = RevealReason.objects.get(needs_text=True)
    refused = supervisor_client.post("/customers/900000001/reveal/", {"reason": other.pk}, follow=True)
    assert "own words" in refused.content.decode()
    assert "919845000001" not in refused.content.decode()
    assert not AuditEntry.objects.filter(action="reveal").exists()
    reason = RevealReason.objects.filter(needs_text=False).first()
    shown = supervisor_client.post("/customers/900000001/reveal/", {"reason": reason.pk}, follow=True)
    body = shown.content.decode()
    assert "919845000001" in body
    assert re.search(r"shown in full until \d\d:\d\d", body)
    entry = AuditEntry.objects.get(action="reveal")
    assert (entry.customer_id, entry.username, entry.details["reason"]) == (900000001, "supervisor1", reason.label)
    # Only that customer.
    assert "919845000019" not in supervisor_client.get("/customers/900000019/").content.decode()


def test_a_reveal_ends_after_its_minutes(supervisor_client, capillary, settings, monkeypatch):
    import time

    from memberconsole.core.models import RevealReason

    reason = RevealReason.objects.filter(needs_text=False).first()
    supervisor_client.post("/customers/900000001/reveal/", {"reason": reason.pk})
    assert "919845000001" in supervisor_client.get("/customers/900000001/").content.decode()
    later = time.time() + settings.REVEAL_MINUTES * 60 + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert "919845000001" not in supervisor_client.get("/customers/900000001/").content.decode()


def test_nothing_is_revealed_when_the_audit_entry_cannot_be_written(supervisor_client, capillary, monkeypatch):
    from django.db import DatabaseError

    from memberconsole.core import audit
    from memberconsole.core.models import RevealReason

    def broken(**kwargs):
        raise DatabaseError("audit table unavailable")

    monkeypatch.setattr(audit.AuditEntry.objects, "create", broken)
    reason = RevealReason.objects.filter(needs_text=False).first()
    assert supervisor_client.post("/customers/900000001/reveal/", {"reason": reason.pk}).status_code == 302
    monkeypatch.undo()
    page = supervisor_client.get("/customers/900000001/").content.decode()
    assert "could not be revealed" in page
    assert "919845000001" not in page


def test_an_agent_cannot_reveal(agent_client, capillary):
    from memberconsole.core.models import RevealReason

    reason = RevealReason.objects.first()
    assert agent_client.post("/customers/900000001/reveal/", {"reason": reason.pk}).status_code == 403
    assert "919845000001" not in agent_client.get("/customers/900000001/").content.decode()
