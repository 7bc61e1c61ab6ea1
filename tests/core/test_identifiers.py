import pytest

from memberconsole.core.identifiers import (
    CARD,
    CUSTOMER_ID,
    EMAIL,
    EXTERNAL_ID,
    MOBILE,
    NAME,
    WECHAT,
    InvalidSearchQuery,
    Reading,
    clean_query,
    readings_for,
)


def first(text: str, **kwargs):
    return readings_for(clean_query(text), default_country="IN", **kwargs)[0]


@pytest.mark.parametrize(
    "typed",
    [
        "98765 43210",
        "+91 98765-43210",
        "098765 43210",
        "919876543210",
        "+91 (98765) 43210",
        "9876543210",
        "(+91) 98765 43210",
        "(+91)9876543210",
    ],
)
def test_mobile_typed_any_way_is_tried_first_as_digits_with_country_code(typed):
    reading = first(typed)
    assert (reading.type, reading.value) == (MOBILE, "919876543210")


def test_mobile_without_country_code_is_also_tried_as_typed():
    readings = readings_for("1234512345", default_country="IN")
    assert [(r.type, r.value) for r in readings[:2]] == [(MOBILE, "911234512345"), (MOBILE, "1234512345")]
    assert (CUSTOMER_ID, "1234512345") in [(r.type, r.value) for r in readings]


def test_nine_digits_read_as_customer_id_first_then_other_identifiers():
    readings = readings_for("566881933", default_country="IN")
    assert readings[0].type == CUSTOMER_ID
    assert {r.type for r in readings} >= {CUSTOMER_ID, EXTERNAL_ID, CARD}


def test_email_is_detected():
    assert first("tom.sawyer@example.com").type == EMAIL


@pytest.mark.parametrize("forced", ["", EMAIL])
def test_an_email_is_read_lower_cased_first_then_as_typed(forced):
    readings = readings_for("Noor.Capital@Example.com", default_country="IN", forced_type=forced)
    assert readings == [
        Reading(EMAIL, "noor.capital@example.com"),
        Reading(EMAIL, "Noor.Capital@Example.com", "as typed"),
    ]
    assert readings[1].describe() == "email Noor.Capital@Example.com (as typed)"
    assert readings_for("tom.sawyer@example.com", default_country="IN", forced_type=forced) == [
        Reading(EMAIL, "tom.sawyer@example.com")
    ]


def test_card_numbers_and_wechat_ids_are_detected():
    assert first("mtest00000000067003").type == CARD
    assert first("DS034812BA").type == CARD
    assert first("ojOPTw1234567890abcdefghijkl").type == WECHAT


def test_short_ids_starting_with_o_are_tried_as_wechat_after_card_and_external_id():
    readings = readings_for("oDEMOaiko0001", default_country="IN")
    assert [r.type for r in readings] == [CARD, EXTERNAL_ID, WECHAT, NAME]
    assert [r.type for r in readings_for("order1", default_country="IN")] == [CARD, EXTERNAL_ID, NAME]


def test_names_go_to_name_search():
    assert first("Tom Sawyer").type == NAME
    assert first("王小明").type == NAME
    assert first("Tom").type == NAME


def test_other_country_default_changes_the_reading():
    reading = readings_for("07911 123456", default_country="GB")[0]
    assert (reading.type, reading.value) == (MOBILE, "447911123456")


def test_forced_type_is_the_only_reading():
    readings = readings_for("12341234", default_country="IN", forced_type=EXTERNAL_ID)
    assert [(r.type, r.value) for r in readings] == [(EXTERNAL_ID, "12341234")]


@pytest.mark.parametrize(
    ("forced", "typed"), [(MOBILE, "hello"), (EMAIL, "not-an-email"), (CUSTOMER_ID, "abc"), ("bogus", "x")]
)
def test_forced_type_that_does_not_fit_is_refused_with_a_message(forced, typed):
    with pytest.raises(InvalidSearchQuery):
        readings_for(typed, default_country="IN", forced_type=forced)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Type a mobile number"),
        ("   ", "Type a mobile number"),
        ("9" * 501, "too long"),
        ("abc\x00def", "control characters"),
        ("abc\x1b[31m", "control characters"),
        ("<script>alert(1)</script>", "characters that no identifier"),
        ("1; DROP TABLE customers;--", "characters that no identifier"),
    ],
)
def test_unsearchable_input_gets_a_clear_message(typed, message):
    with pytest.raises(InvalidSearchQuery, match=message):
        clean_query(typed)


def test_sql_fragment_without_special_characters_is_just_a_name():
    assert first("' OR 1=1 --").type == NAME


@pytest.mark.parametrize(
    "text",
    ["1", "566881933", "100000001", "999999999", "123456", "0123456", "1234567890", "98765 43210", "+91987", "٣٤٥"],
)
def test_customer_id_first_is_the_first_reading_whenever_it_answers(text):
    from memberconsole.core.identifiers import customer_id_first

    first = customer_id_first(text)
    if first is not None:
        assert readings_for(text, default_country="IN")[0] == first
    else:
        assert text.startswith("0") or len(text) >= 10 or not text.isdigit() or not text.isascii()
