"""Django admin for agents and roles: a console administrator cannot grant what it does not hold."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tests.fixtures.agents import make_user

pytestmark = pytest.mark.django_db
User = get_user_model()


def change_form(client, user):
    return client.get(f"/admin/auth/user/{user.pk}/change/")


def test_an_administrator_cannot_make_anyone_superuser_or_give_direct_permissions(admin_client_console):
    target = make_user("newbie", "Member-care agent")
    body = change_form(admin_client_console, target).content.decode()
    assert 'name="is_superuser"' not in body
    assert 'name="user_permissions"' not in body
    assert 'name="groups"' in body
    # A forged form with the superuser flag changes nothing.
    data = {
        "username": "newbie", "is_active": "on", "is_superuser": "on", "is_staff": "on",
        "groups": [Group.objects.get(name="Member-care agent").pk],
        "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
    }  # fmt: skip
    response = admin_client_console.post(f"/admin/auth/user/{target.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    target.refresh_from_db()
    assert not target.is_superuser
    assert not target.is_staff  # follows the role: agents do not use Django admin


def test_an_administrator_may_give_agent_and_supervisor_roles_but_not_its_own(admin_client_console):
    target = make_user("newbie", "Member-care agent")
    form = change_form(admin_client_console, target).context["adminform"].form
    assert {g.name for g in form.fields["groups"].queryset} == {"Member-care agent", "Supervisor"}
    admin_group = Group.objects.get(name="Console administrator")
    data = {
        "username": "newbie", "is_active": "on", "groups": [admin_group.pk],
        "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
    }  # fmt: skip
    response = admin_client_console.post(f"/admin/auth/user/{target.pk}/change/", data)
    assert response.status_code == 200  # the form refuses the choice
    assert not target.groups.filter(name="Console administrator").exists()
    data["groups"] = [Group.objects.get(name="Supervisor").pk]
    assert admin_client_console.post(f"/admin/auth/user/{target.pk}/change/", data).status_code == 302
    target.refresh_from_db()
    assert target.is_staff  # supervisors read the audit trail in Django admin


def test_an_administrator_neither_sees_nor_changes_superusers_and_other_administrators(
    admin_client_console, staff_agent
):
    other_admin = make_user("admin2", "Console administrator", is_staff=True)
    listing = admin_client_console.get("/admin/auth/user/").content.decode()
    assert "admin2" not in listing
    assert f"/admin/auth/user/{staff_agent.pk}/change/" not in listing
    for user in (staff_agent, other_admin):
        assert admin_client_console.get(f"/admin/auth/user/{user.pk}/change/").status_code == 302  # "doesn't exist"
        assert admin_client_console.get(f"/admin/auth/user/{user.pk}/password/").status_code in (302, 404)
        user.refresh_from_db()


def test_only_a_superuser_creates_administrators(client, staff_agent):
    client.force_login(staff_agent)
    target = make_user("promoted", "Member-care agent")
    form = change_form(client, target).context["adminform"].form
    assert "Console administrator" in {g.name for g in form.fields["groups"].queryset}
    assert "is_superuser" in form.fields


def test_roles_cannot_be_edited_by_an_administrator(admin_client_console):
    group = Group.objects.get(name="Member-care agent")
    assert admin_client_console.get(f"/admin/auth/group/{group.pk}/change/").status_code == 200  # view only
    response = admin_client_console.post(f"/admin/auth/group/{group.pk}/change/", {"name": "x", "permissions": []})
    assert response.status_code == 403
