import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_demo_login_is_created_once_and_printed_every_time(settings, tmp_path, capsys):
    settings.VAR_DIR = tmp_path
    call_command("ensure_demo_agent")
    first = capsys.readouterr().out
    call_command("ensure_demo_agent")
    second = capsys.readouterr().out
    assert first == second
    password = first.split("password ")[1].strip()
    user = get_user_model().objects.get(username="demo")
    assert user.check_password(password)
    assert user.is_staff


def test_demo_login_is_refused_against_a_live_capillary(settings):
    settings.CAPILLARY_BASE_URL = "https://eu.api.capillarytech.com"
    with pytest.raises(CommandError, match="only with the built-in fake"):
        call_command("ensure_demo_agent")


def test_roles_exist_with_their_permissions():
    supervisor = Group.objects.get(name="Supervisor")
    assert supervisor.permissions.filter(codename="view_contact_details").exists()
    assert Group.objects.get(name="Member-care agent").permissions.count() == 0
    admin = Group.objects.get(name="Console administrator")
    assert admin.permissions.filter(codename="change_registrationsettings").exists()


def test_seed_fake_capillary_is_idempotent(settings, tmp_path, capsys):
    settings.CAPILLARY_FAKE_DB = str(tmp_path / "fake.sqlite3")
    call_command("seed_fake_capillary", customers=50)
    call_command("seed_fake_capillary", customers=50)
    out = capsys.readouterr().out
    assert "50 generated customers" in out
    assert "(0 added" in out
