"""registration.py's value rules; POST /v2/customers itself is exercised over HTTP in test_register.py."""

from datetime import UTC, datetime

import pytest

from memberconsole.fake_capillary.registration import extended_value_ok, parse_date, truthy

GENDER = {"name": "gender", "dataType": "STANDARD_ENUM", "possibleValues": ["Male", "Female", "Other"]}
CHANNEL = {"name": "acquisition_channel", "dataType": "CUSTOM_ENUM", "possibleValues": ["Store", "App"]}
CITY = {"name": "city", "dataType": "STRING", "maxLength": 100}


@pytest.mark.parametrize(
    ("definition", "value", "ok"),
    [
        (GENDER, "Female", True),
        (GENDER, "female", False),  # enum values match exactly
        (CHANNEL, "App", True),
        (CHANNEL, "Web", False),
        ({"dataType": "INTEGER"}, 42, True),
        ({"dataType": "INTEGER"}, "-7", True),
        ({"dataType": "INTEGER"}, "4.2", False),
        ({"dataType": "INTEGER"}, True, False),  # JSON true is not 1
        ({"dataType": "DOUBLE"}, "3.5", True),
        ({"dataType": "DOUBLE"}, 2, True),
        ({"dataType": "DOUBLE"}, "abc", False),
        ({"dataType": "DOUBLE"}, None, False),
        ({"dataType": "DOUBLE"}, False, False),
        ({"dataType": "DATETIME"}, "2024-05-11T16:36:17+05:30", True),
        ({"dataType": "DATETIME"}, "1990/01/31", True),
        ({"dataType": "DATETIME"}, "31-01-1990", False),
        ({"dataType": "DATETIME"}, 19900131, False),
        ({"dataType": "COUNTRY"}, "IN", True),
        ({"dataType": "COUNTRY"}, "I", False),
        ({"dataType": "COUNTRY"}, "x" * 61, False),
        (CITY, "a" * 100, True),
        (CITY, "a" * 101, False),
        ({"dataType": "STRING"}, "a" * 255, True),  # no maxLength: 255
        ({"dataType": "STRING"}, "a" * 256, False),
        ({"dataType": "STRING"}, 12345, True),
        ({"dataType": "STRING"}, True, False),
        ({"dataType": "STRING"}, {"nested": 1}, False),
        ({"dataType": "LANGUAGE"}, "en", True),  # types without a rule of their own are length-checked
    ],
)
def test_extended_value_ok_per_data_type(definition, value, ok):
    assert extended_value_ok(definition, value) is ok


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-11T16:36:17+05:30", datetime(2024, 5, 11, 11, 6, 17, tzinfo=UTC)),
        ("2024-05-11T16:36:17Z", datetime(2024, 5, 11, 16, 36, 17, tzinfo=UTC)),
        ("2024-05-11T16:36:17", datetime(2024, 5, 11, 16, 36, 17, tzinfo=UTC)),  # no offset: taken as UTC
        ("2024-05-11", datetime(2024, 5, 11, tzinfo=UTC)),
        ("", None),
        ("next tuesday", None),
        (20240511, None),
        (None, None),
    ],
)
def test_parse_date_gives_utc_or_none(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), ("true", True), (" TRUE ", True), (False, False), ("false", False), ("yes", False), (1, False)],
)
def test_truthy_accepts_json_true_and_the_string_true_only(value, expected):
    assert truthy(value) is expected
