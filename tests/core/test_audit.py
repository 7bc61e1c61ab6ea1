"""The audit trail: one entry per event with who, when, where, what and the outcome, and never a search in clear."""

import csv
import io
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from memberconsole.core.audit import query_fingerprint
from memberconsole.core.models import AuditEntry
from tests.fixtures.agents import AGENT_PASSWORD

pytestmark = pytest.mark.django_db


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_a_search_is_kept_as_a_keyed_hash_its_type_and_last_four_never_in_clear(agent_client, capillary):
    agent_client.post("/customers/search/", {"q": "+91 98450 00001"}, REMOTE_ADDR="10.1.2.3")
    (entry,) = entries("search")
    assert (entry.username, entry.ip_address, entry.customer_id, entry.outcome) == (
        "agent",
        "10.1.2.3",
        900000001,
        "found",
    )
    assert entry.details == {**query_fingerprint("+91 98450 00001"), "query_type": "mobile"}
    assert entry.details["query_last4"] == "0001"
    assert len(entry.details["query_hash"]) == 64
    stored = str(entry.details) + entry.outcome + entry.capillary_request_id
    for clear in ("98450", "919845000001"):
        assert clear not in stored
    assert entry.capillary_request_id  # the fake's X-Cap-Requestid of the lookup


def test_the_same_search_twice_has_the_same_hash_and_another_does_not(agent_client, capillary):
    for query in ("Sam", "sam", "Priya"):
        agent_client.post("/customers/search/", {"q": query})
    first, second, third = entries("search")
    assert first.details["query_hash"] == second.details["query_hash"] != third.details["query_hash"]
    assert first.outcome == "several"


def test_a_search_that_finds_nobody_and_one_that_fails_are_recorded(agent_client, capillary, fake_http):
    agent_client.post("/customers/search/", {"q": "zz-nobody-42"})
    fake_http.post("/__fake__/faults", json={"path": "/v2/", "status": 503, "count": None})
    agent_client.post("/customers/search/", {"q": "566881933"})
    assert [e.outcome for e in entries("search")] == ["none", "error"]


def test_a_customer_view_is_recorded_with_the_request_id(agent_client, capillary):
    agent_client.get("/customers/565261498/")
    (entry,) = entries("view")
    assert (entry.customer_id, entry.outcome, entry.username) == (565261498, "shown", "agent")
    assert len(entry.capillary_request_id) == 32
    assert entry.created_at.tzinfo is not None


def test_a_registration_is_recorded_with_its_outcome_and_new_customer(agent_client, capillary):
    from memberconsole.registration.models import RegistrationSettings

    RegistrationSettings.load()
    agent_client.post(
        "/customers/register/",
        {"token": str(uuid.uuid4()), "source": "INSTORE", "first_name": "Meera", "mobile": "+91 99001 23456"},
    )
    (entry,) = entries("register")
    assert entry.outcome == "registered"
    assert entry.customer_id > 700_000_000
    assert "Meera" not in str(entry.details)


def test_bulk_runs_and_exports_are_recorded(agent_client, capillary):
    job = agent_client.post("/customers/bulk/", {"entries": "566881933\n900000001"})
    agent_client.get(job["Location"] + "result.csv")
    (run,) = entries("bulk_run")
    (export,) = entries("bulk_export")
    assert (run.outcome, run.details["entries"]) == ("started", 2)
    assert (export.outcome, export.details["rows"]) == ("masked", 2)


def test_sign_in_sign_out_and_a_failed_sign_in_are_recorded(client, agent):
    client.post("/accounts/login/", {"username": "agent", "password": "wrong"})
    client.post("/accounts/login/", {"username": "agent", "password": AGENT_PASSWORD})
    client.post("/accounts/logout/")
    failed, login, logout = entries("login_failed"), entries("login"), entries("logout")
    assert [(e.username, e.outcome) for e in failed] == [("agent", "refused")]
    assert [(e.username, e.outcome) for e in login + logout] == [("agent", "ok"), ("agent", "ok")]
    assert "wrong" not in str([e.details for e in failed])


def test_nobody_can_change_or_delete_an_entry_through_the_admin_superusers_included(client, staff_agent):
    entry = AuditEntry.objects.create(action="view", username="someone", customer_id=1)
    client.force_login(staff_agent)
    change = client.get(f"/admin/core/auditentry/{entry.pk}/change/")
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()  # read-only
    assert client.post(f"/admin/core/auditentry/{entry.pk}/change/", {"outcome": "x"}).status_code == 403
    assert client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/core/auditentry/add/").status_code == 403
    response = client.post(
        "/admin/core/auditentry/", {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    assert AuditEntry.objects.filter(pk=entry.pk, outcome="").exists()


def test_the_model_itself_refuses_changes():
    entry = AuditEntry.objects.create(action="view", username="someone")
    entry.outcome = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(outcome="tampered")


def test_a_supervisor_filters_by_customer_and_exports_csv_which_is_audited(supervisor_client, capillary):
    supervisor_client.get("/customers/900000005/")
    supervisor_client.get("/customers/565261498/")
    page = supervisor_client.get("/customers/900000005/").content.decode()
    assert "/admin/core/auditentry/?customer_id__exact=900000005" in page  # "who viewed this customer"
    listing = supervisor_client.get("/admin/core/auditentry/", {"customer_id__exact": 900000005})
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 2
    ids = [e.pk for e in AuditEntry.objects.filter(customer_id=900000005)]
    response = supervisor_client.post("/admin/core/auditentry/", {"action": "export_csv", "_selected_action": ids})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["When (UTC)", "Agent", "IP", "Action"]
    assert {row[4] for row in rows[1:]} == {"900000005"}
    assert entries("audit_export")[0].details == {"entries": 2}


def test_an_agent_cannot_read_the_trail_and_the_page_offers_no_link(agent_client, capillary):
    assert "Who viewed this customer" not in agent_client.get("/customers/900000005/").content.decode()
    assert agent_client.get("/admin/core/auditentry/").status_code == 403


def test_prune_deletes_entries_older_than_the_retention(settings, capsys):
    old = AuditEntry.objects.create(action="view", username="a")
    new = AuditEntry.objects.create(action="view", username="b")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET created_at = %s WHERE id = %s",
            [timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS + 1), old.pk],
        )
    call_command("prune_audit_trail")
    assert "Deleted 1 audit entry older than 400 days" in capsys.readouterr().out
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [new.pk]
