"""Mirroring the org's extended fields and programs from Capillary, from the admin and the command line."""

import httpx
import pytest
from django.core.management import call_command

from memberconsole.capillary.auth import CapillaryBasicAuth
from memberconsole.capillary.client import CapillaryClient
from memberconsole.registration.models import ExtendedFieldDefinition, FormField, LoyaltyProgram
from memberconsole.registration.sync import extended_fields_sync, programs_sync

pytestmark = pytest.mark.django_db


def client_answering(body: dict) -> CapillaryClient:
    return CapillaryClient.build(
        base_url="http://capillary.invalid",
        auth=CapillaryBasicAuth("u", "p"),
        timeout=1,
        user_agent="test",
        transport=httpx.MockTransport(lambda request: httpx.Response(200, json=body)),
    )


def test_sync_mirrors_the_fakes_customer_fields_and_programs(capillary):
    report = extended_fields_sync() + programs_sync()
    gender = ExtendedFieldDefinition.objects.get(name="gender")
    assert (gender.label, gender.data_type, gender.possible_values) == (
        "Gender",
        "STANDARD_ENUM",
        ["Male", "Female", "Other"],
    )
    assert not ExtendedFieldDefinition.objects.filter(name="ship_first_name").exists()  # a transaction field
    assert LoyaltyProgram.objects.get(program_id=983).is_default
    assert "Added extended field gender." in report
    assert "2 loyalty programs in Capillary." in report


def test_a_field_gone_from_capillary_is_kept_and_flagged_while_the_form_uses_it(config):
    in_use = ExtendedFieldDefinition.objects.create(name="city", label="City", data_type="STRING")
    ExtendedFieldDefinition.objects.create(name="zip", label="ZIP", data_type="STRING")
    FormField.objects.create(config=config, kind=FormField.EXTENDED, definition=in_use)
    only_gender = {
        "entity": {"CUSTOMER": [{"name": "gender", "label": "Gender", "dataType": "STANDARD_ENUM"}]},
        "warnings": [],
        "errors": [],
        "success": True,
    }
    report = extended_fields_sync(client=client_answering(only_gender))
    assert ExtendedFieldDefinition.objects.filter(name="city").exists()
    assert not ExtendedFieldDefinition.objects.get(name="city").present_upstream
    assert any("city is no longer in Capillary but the registration form still uses it" in line for line in report)
    assert any("zip is no longer in Capillary: marked as gone" in line for line in report)


def test_management_command_syncs(capillary, capsys):
    call_command("sync_capillary_config")
    out = capsys.readouterr().out
    assert "customer extended fields in Capillary" in out
    assert ExtendedFieldDefinition.objects.count() >= 10


def test_admin_sync_action_works_with_nothing_selected(client, staff_agent, capillary):
    client.force_login(staff_agent)
    response = client.post(
        "/admin/registration/extendedfielddefinition/", {"action": "sync_from_capillary", "index": 0}, follow=True
    )
    assert response.status_code == 200
    assert "Added extended field gender." in response.content.decode()
    assert LoyaltyProgram.objects.filter(program_id=469).exists()


def test_admin_opens_the_one_configuration(client, staff_agent, config):
    client.force_login(staff_agent)
    response = client.get("/admin/registration/registrationsettings/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/admin/registration/registrationsettings/1/change/"


@pytest.mark.parametrize(
    "page", ["/admin/registration/extendedfielddefinition/", "/admin/registration/loyaltyprogram/"]
)
def test_the_sync_button_shows_on_an_empty_list(admin_client_console, capillary, page):
    body = admin_client_console.get(page).content.decode()
    assert 'value="sync_from_capillary"' in body
    assert ">Sync from Capillary</button>" in body


def test_the_configuration_page_has_the_sync_button_and_it_syncs(admin_client_console, config, capillary):
    page = admin_client_console.get("/admin/registration/registrationsettings/1/change/").content.decode()
    assert ">Sync from Capillary</button>" in page
    response = admin_client_console.post(
        "/admin/registration/extendedfielddefinition/",
        {"action": "sync_from_capillary"},
        headers={"Referer": "http://testserver/admin/registration/registrationsettings/1/change/"},
    )
    assert response["Location"] == "http://testserver/admin/registration/registrationsettings/1/change/"
    assert ExtendedFieldDefinition.objects.filter(name="gender").exists()


def test_a_supervisor_cannot_sync(client, supervisor, capillary):
    client.force_login(supervisor)
    response = client.post("/admin/registration/extendedfielddefinition/", {"action": "sync_from_capillary"})
    assert response.status_code == 403
    assert not ExtendedFieldDefinition.objects.exists()
