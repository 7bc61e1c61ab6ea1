import pytest

from memberconsole.registration.models import (
    ExtendedFieldDefinition,
    FormField,
    LoyaltyProgram,
    RegistrationSettings,
    RegistrationSource,
)


@pytest.fixture
def config(db):
    """The default configuration: mobile primary and required, email and external ID optional, INSTORE."""
    return RegistrationSettings.load()


@pytest.fixture
def multi_source_config(config):
    for source, accounts in (("INSTORE", ""), ("WECHAT", "1234,5678"), ("LINE", "")):
        RegistrationSource.objects.create(config=config, source=source, account_ids=accounts)
    return config


@pytest.fixture
def every_type_config(config):
    """Extended fields of every data type, plus a custom field, on the form."""
    specs = [
        ("gender", "Gender", "STANDARD_ENUM", ["Male", "Female", "Other"], True),
        ("acquisition_channel", "Acquisition channel", "CUSTOM_ENUM", ["Store", "App"], False),
        ("city", "City", "STRING", [], False),
        ("dob", "Date of Birth", "DATETIME", [], False),
        ("age", "Age", "INTEGER", [], False),
        ("annual_income", "Annual income", "DOUBLE", [], False),
        ("country_of_residence", "Country of residence", "COUNTRY", [], False),
    ]
    for position, (name, label, data_type, values, required) in enumerate(specs):
        definition = ExtendedFieldDefinition.objects.create(
            name=name, label=label, data_type=data_type, possible_values=values
        )
        FormField.objects.create(
            config=config, kind=FormField.EXTENDED, definition=definition, required=required, position=position
        )
    FormField.objects.create(
        config=config, kind=FormField.CUSTOM, name="employee", label="Employee", data_type="BOOLEAN", position=20
    )
    return config


@pytest.fixture
def enrollment_config(config):
    program = LoyaltyProgram.objects.create(program_id=983, name="DocDemo Loyalty", is_default=True)
    config.enroll_program = program
    config.enroll_tier_number = 1
    config.enroll_points = 75
    config.issue_card = True
    config.card_series_id = 195
    config.save()
    return config
