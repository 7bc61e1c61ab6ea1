import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_demo_logins_one_per_role_are_created_once_and_printed_every_time(settings, tmp_path, capsys):
    settings.VAR_DIR = tmp_path
    call_command("ensure_demo_agents")
    first = capsys.readouterr().out
    call_command("ensure_demo_agents")
    second = capsys.readouterr().out
    assert first == second
    logins = dict(re.findall(r"username (\S+)  password (\S+)", first))
    assert set(logins) == {"demo", "demo-supervisor", "demo-admin"}
    users = get_user_model().objects
    for username, password in logins.items():
        assert users.get(username=username).check_password(password)
    demo = users.get(username="demo")
    assert [g.name for g in demo.groups.all()] == ["Member-care agent"]
    assert not demo.is_staff
    assert not demo.is_superuser
    assert users.get(username="demo-supervisor").is_staff
    assert [g.name for g in users.get(username="demo-admin").groups.all()] == ["Console administrator"]
    assert first.splitlines()[0].startswith("Demo login, member-care agent: username demo ")


def test_demo_login_is_refused_against_a_live_capillary(settings):
    settings.CAPILLARY_BASE_URL = "https://eu.api.capillarytech.com"
    with pytest.raises(CommandError, match="only with the built-in fake"):
        call_command("ensure_demo_agents")


def perms(name):
    group = Group.objects.get(name=name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_roles_exist_with_exactly_their_permissions():
    agent, supervisor, admin = perms("Member-care agent"), perms("Supervisor"), perms("Console administrator")
    assert agent == {"customers.view_customers", "registration.add_registrationattempt", "bulk.add_bulkjob"}
    assert supervisor - agent >= {
        "customers.reveal_contact_details", "bulk.run_large_bulk_lookup", "bulk.export_unmasked_bulk_csv",
        "core.view_auditentry",
    }  # fmt: skip
    assert "customers.view_contact_details" not in supervisor  # supervisors reveal one customer at a time
    assert {"customers.view_contact_details", "registration.change_registrationsettings", "auth.change_user"} <= admin
    assert not {"auth.add_group", "auth.change_group", "auth.add_permission"} & admin
    assert not {p for p in supervisor | admin if p.startswith("core.") and p.endswith("_auditentry")} - {
        "core.view_auditentry"
    }


def test_roles_are_put_back_in_step_on_migrate():
    from memberconsole.core.roles import ensure_roles

    group = Group.objects.get(name="Supervisor")
    group.permissions.add(Permission.objects.get(codename="view_contact_details"))
    ensure_roles()
    assert "customers.view_contact_details" not in perms("Supervisor")


def test_seed_fake_capillary_is_idempotent(settings, tmp_path, capsys):
    settings.CAPILLARY_FAKE_DB = str(tmp_path / "fake.sqlite3")
    call_command("seed_fake_capillary", customers=50)
    call_command("seed_fake_capillary", customers=50)
    out = capsys.readouterr().out
    assert "50 generated customers" in out
    assert "(0 added" in out
