from memberconsole.core.warnings import warning_text


def test_a_known_code_in_plain_words_with_the_code():
    assert warning_text(8107, "Default customer status label not set") == (
        "Default customer status label not set: the customer has no status label until an administrator sets one. "
        "(code 8107)"
    )


def test_an_unknown_code_keeps_capillarys_text_and_a_codeless_warning_still_says_something():
    assert warning_text(12345, "Something new") == "Something new (code 12345)"
    assert warning_text(None, "") == "Capillary sent a warning."
