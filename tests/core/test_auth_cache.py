"""The signed-in user and their permissions come from the cache between changes, and every change applies at once."""

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from memberconsole.core.roles import AGENT, SUPERVISOR


def _auth_queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries if "auth_user" in q["sql"] or "auth_permission" in q["sql"]]


def test_the_second_page_reads_no_user_or_permission_from_the_database(agent_client):
    assert _auth_queries(agent_client, "/")  # the first request fills the cache
    assert _auth_queries(agent_client, "/") == []


def test_an_agent_whose_role_is_taken_away_is_refused_at_the_next_request(agent_client, agent):
    assert agent_client.get("/").status_code == 200
    agent.groups.clear()
    assert agent_client.get("/").status_code == 403


def test_a_permission_taken_from_the_role_applies_at_the_next_request(agent_client):
    assert agent_client.get("/customers/bulk/").status_code == 200
    Group.objects.get(name=AGENT).permissions.remove(Permission.objects.get(codename="add_bulkjob"))
    assert agent_client.get("/customers/bulk/").status_code == 403


def test_a_role_given_applies_at_the_next_request(agent_client, agent):
    assert agent_client.get("/admin/core/auditentry/").status_code in (302, 403)
    agent.groups.add(Group.objects.get(name=SUPERVISOR))
    agent.is_staff = True
    agent.save()
    assert agent_client.get("/admin/core/auditentry/").status_code == 200


def test_a_deactivated_agent_is_signed_out_at_the_next_request(agent_client, agent):
    assert agent_client.get("/").status_code == 200
    agent.is_active = False
    agent.save()
    response = agent_client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_password_changed_elsewhere_ends_the_session(agent_client, agent):
    assert agent_client.get("/").status_code == 200
    agent.set_password("a-new-password-for-agent")
    agent.save()
    assert agent_client.get("/").status_code == 302
