"""The registration form mirrors the configuration: labels, what is required, validation per rule and type."""

import datetime
import uuid

import pytest

from memberconsole.registration.forms import RegistrationForm
from memberconsole.registration.models import EMAIL, EXTERNAL_ID, HIDDEN, OPTIONAL, REQUIRED, FormField
from memberconsole.registration.payloads import build_request

pytestmark = pytest.mark.django_db


def bound(config, **data):
    return RegistrationForm({"token": str(uuid.uuid4()), "source": config.default_source, **data}, config=config)


def labels(form):
    return [form.fields[name].label for name in form.fields if not form.fields[name].widget.is_hidden]


def test_default_config_labels_in_order_and_mobile_required(config):
    form = RegistrationForm(config=config)
    assert labels(form) == ["First name", "Last name", "Mobile", "Email", "External ID", "Source", "Account ID"]
    assert form.fields["mobile"].required
    assert not form.fields["email"].required
    assert not form.fields["external_id"].required


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("+91 98765 43210", "919876543210"),
        ("98765-43210", "919876543210"),
        ("098765 43210", "919876543210"),
        ("+65 9123 4567", "6591234567"),
    ],
)
def test_mobile_any_common_format_is_sent_with_country_code(config, typed, sent):
    form = bound(config, mobile=typed)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["mobile"] == sent


@pytest.mark.parametrize("typed", ["12345", "abcdefghij", "+91 12345 67890 123"])
def test_invalid_mobile_is_refused_on_the_field(config, typed):
    form = bound(config, mobile=typed)
    assert not form.is_valid()
    assert "not a valid mobile number" in form.errors["mobile"][0]


def test_missing_required_mobile(config):
    form = bound(config, email="a@example.com")
    assert not form.is_valid()
    assert form.errors["mobile"] == ["This field is required."]


def test_names_longer_than_100_are_refused_not_truncated(config):
    form = bound(config, mobile="9876543210", first_name="A" * 101, last_name="B" * 100)
    assert not form.is_valid()
    assert "At most 100 characters (this has 101)" in form.errors["first_name"][0]
    assert "last_name" not in form.errors


def test_email_valid_and_at_most_255(config):
    assert "email" in bound(config, mobile="9876543210", email="not-an-email").errors
    long_email = "a" * 250 + "@x.com"
    assert "At most 255 characters" in bound(config, mobile="9876543210", email=long_email).errors["email"][0]


def test_variant_email_primary(config):
    config.primary_identifier, config.email, config.mobile = EMAIL, REQUIRED, OPTIONAL
    config.save()
    form = bound(config, email="walkin@example.com")
    assert form.is_valid(), form.errors
    assert form.fields["email"].required
    assert not form.fields["mobile"].required


def test_variant_external_id_primary_with_mobile_not_captured(config):
    config.primary_identifier, config.external_id, config.mobile = EXTERNAL_ID, REQUIRED, HIDDEN
    config.save()
    form = bound(config, external_id="EXT-42")
    assert form.is_valid(), form.errors
    assert "mobile" not in form.fields
    assert labels(form) == ["First name", "Last name", "Email", "External ID", "Source", "Account ID"]


def test_variant_required_email_and_external_id(config):
    config.email = config.external_id = REQUIRED
    config.save()
    form = bound(config, mobile="9876543210")
    assert not form.is_valid()
    assert set(form.errors) == {"email", "external_id"}


def test_variant_any_identifier_is_enough(config):
    config.allow_any_identifier = True
    config.save()
    assert bound(config, email="x@example.com").is_valid()
    form = bound(config)
    assert not form.is_valid()
    assert "at least one of mobile, email or external ID" in form.non_field_errors()[0]


def test_variant_multi_account_source_needs_account_id(multi_source_config):
    form = bound(multi_source_config, mobile="9876543210", source="WECHAT")
    assert not form.is_valid()
    assert "enter the account ID" in form.errors["account_id"][0]
    form = bound(multi_source_config, mobile="9876543210", source="WECHAT", account_id="9999")
    assert "Choose one of this source's accounts: 1234, 5678" in form.errors["account_id"][0]
    assert bound(multi_source_config, mobile="9876543210", source="WECHAT", account_id="1234").is_valid()
    assert bound(multi_source_config, mobile="9876543210", source="LINE", account_id="anything").is_valid()


def test_variant_source_must_be_allowed(multi_source_config):
    form = bound(multi_source_config, mobile="9876543210", source="FACEBOOK")
    assert "source" in form.errors


def test_variant_extended_fields_of_every_type(every_type_config):
    form = RegistrationForm(config=every_type_config)
    assert labels(form)[-8:] == [
        "Gender",
        "Acquisition channel",
        "City",
        "Date of Birth",
        "Age",
        "Annual income",
        "Country of residence",
        "Employee",
    ]
    fields = {f.display_label: name for name, f in form.custom}
    data = {
        "mobile": "9876543210",
        fields["Gender"]: "Female",
        fields["Acquisition channel"]: "App",
        fields["City"]: "Pune",
        fields["Date of Birth"]: "1990-05-17",
        fields["Age"]: "36",
        fields["Annual income"]: "1234.50",
        fields["Country of residence"]: "IN",
        fields["Employee"]: "true",
    }
    form = bound(every_type_config, **data)
    assert form.is_valid(), form.errors
    body = build_request(form.registration_data(), every_type_config).to_body()
    assert body["extendedFields"] == {
        "gender": "Female",
        "acquisition_channel": "App",
        "city": "Pune",
        "dob": "1990-05-17T00:00:00Z",
        "age": 36,
        "annual_income": 1234.5,
        "country_of_residence": "IN",
    }
    assert body["profiles"][0]["fields"] == {"employee": True}


@pytest.mark.parametrize(
    ("label", "value", "message"),
    [
        ("Gender", "Alien", "Select a valid choice"),
        ("Age", "thirty", "Enter a whole number"),
        ("Annual income", "lots", "Enter a number"),
        ("Date of Birth", "17/05/1990x", "Enter a valid date"),
        ("Country of residence", "Narnia", "Select a valid choice"),
    ],
)
def test_extended_fields_checked_by_type(every_type_config, label, value, message):
    form = RegistrationForm(config=every_type_config)
    names = {f.display_label: name for name, f in form.custom}
    data = {"mobile": "9876543210", names["Gender"]: "Male", names[label]: value}
    form = bound(every_type_config, **data)
    assert not form.is_valid()
    assert message in form.errors[names[label]][0]


def test_required_extended_field(every_type_config):
    form = bound(every_type_config, mobile="9876543210")
    assert not form.is_valid()
    gender = next(name for name, f in form.custom if f.display_label == "Gender")
    assert form.errors[gender] == ["This field is required."]


def test_variant_enrollment_and_card_issue(enrollment_config, settings):
    enrollment_config.enroll_tier_expiry = datetime.datetime(2027, 5, 11, 11, 6, 17, tzinfo=datetime.UTC)
    enrollment_config.save()
    form = bound(enrollment_config, mobile="9876543210", card_number="CARD-0001", first_name="Asha")
    assert "Card number" in labels(form)
    assert form.is_valid(), form.errors
    body = build_request(form.registration_data(), enrollment_config).to_body()
    # register-customer.txt (docs.capillarytech.com/reference/v2-add-customer): points a number, expiry in full ISO
    # datetime with offset (the console's time zone).
    assert body["loyaltyProgramEnrollments"] == [
        {"programId": 983, "tierNumber": 1, "loyaltyPoints": 75, "tierExpiryDate": "2027-05-11T16:36:17+05:30"}
    ]
    card = next(i for i in body["profiles"][0]["identifiers"] if i["type"] == "cardnumber")
    assert card == {"type": "cardnumber", "value": "CARD-0001", "seriesId": 195, "statusLabel": "ACTIVE"}
    assert body["profiles"][0]["identifiers"][0] == {"type": "mobile", "value": "919876543210"}


def test_custom_field_with_choices(config):
    FormField.objects.create(
        config=config,
        kind=FormField.CUSTOM,
        name="tshirt",
        label="T-shirt size",
        data_type="STRING",
        choices="S\nM\nL",
        required=True,
    )
    form = RegistrationForm(config=config)
    name, _ = form.custom[0]
    assert [c[0] for c in form.fields[name].choices] == ["", "S", "M", "L"]


@pytest.mark.parametrize(
    "name",
    ["\u202eevil", "Asha\u2066Rao", "\u200b\u200b", "\u200e", "Asha\x07", " \u200b "],
)
def test_names_of_invisible_characters_or_with_text_direction_controls_are_refused(config, name):
    form = RegistrationForm({"token": str(uuid.uuid4()), "source": "INSTORE", "mobile": "+91 98111 22334",
                             "first_name": name}, config=config)  # fmt: skip
    assert not form.is_valid()
    assert "invisible or text-direction characters" in str(form.errors["first_name"]) or "required" in str(form.errors)


@pytest.mark.parametrize("name", ["Asha", "あいこ", "José Ñúñez", "O'Brien", "अनु\u200dराधा"])
def test_real_names_in_any_script_are_kept(config, name):
    form = RegistrationForm({"token": str(uuid.uuid4()), "source": "INSTORE", "mobile": "+91 98111 22334",
                             "first_name": name}, config=config)  # fmt: skip
    assert form.is_valid(), form.errors
    assert form.cleaned_data["first_name"] == name


def test_email_is_registered_lower_cased_and_kept_as_typed_for_the_duplicate_check(config):
    form = bound(config, mobile="9876543210", email=" Asha.Rao@Example.COM ")
    assert form.is_valid(), form.errors
    data = form.registration_data()
    assert (data.email, data.email_as_typed) == ("asha.rao@example.com", "Asha.Rao@Example.COM")
    assert data.identifiers()["email"] == "asha.rao@example.com"  # what is sent
    assert data.identifiers_as_typed()["email"] == "Asha.Rao@Example.COM"  # what the duplicate check starts from
    assert form.lookup_value("email") == "Asha.Rao@Example.COM"
