"""Identifiers as every app names them, and what an agent typed read as them: which identifier it most plausibly is,
and what else it could be (the search box, bulk lookup and the registration form share these readings)."""

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers

MAX_QUERY_LENGTH = 200

# Identifier names as the lookup API spells them (lookup-customer-details.txt,
# docs.capillarytech.com/reference/get-customer-details), plus our own "id" and "name".
MOBILE = "mobile"
EMAIL = "email"
CARD = "cardnumber"
EXTERNAL_ID = "externalId"
WECHAT = "wechat"
CUSTOMER_ID = "id"
NAME = "name"

TYPE_LABELS = {
    MOBILE: "mobile",
    EMAIL: "email",
    CARD: "card number",
    EXTERNAL_ID: "external ID",
    WECHAT: "WeChat id",
    CUSTOMER_ID: "customer ID",
    NAME: "name",
}
TYPE_CHOICES = [("", "Detect automatically"), *TYPE_LABELS.items()]

_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-']+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$")
_PHONEISH = re.compile(r"^\(?\+?[\d\s\-().]+$")  # "(+91) 98450 00001" too: the country code in brackets
_SEPARATORS = re.compile(r"[\s\-().]")
# WeChat openids are 28 characters starting with "o" (e.g. the docs' "ojOPTw..."); unionids 29 starting with "o".
_WECHAT = re.compile(r"^o[A-Za-z0-9_\-]{20,40}$")
# Shorter ids starting with "o" (test accounts, the fake's demo ids such as oDEMOaiko0001) are worth a try too,
# after card number and external ID, which are more common at a counter.
_WECHAT_LIKE = re.compile(r"^o[A-Za-z0-9_\-]{7,}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_\-./:#]+$")
# Customer IDs are Longs (get-customer-by-id.txt, docs.capillarytech.com/reference/get-customer-details-v2).
MAX_CUSTOMER_ID = 2**63 - 1


class InvalidSearchQuery(ValueError):
    """The text cannot be searched; the message says why in plain words."""


@dataclass(frozen=True, slots=True)
class Reading:
    """One way to read the query: an identifier type and the value to send upstream."""

    type: str
    value: str
    note: str = ""

    @property
    def label(self) -> str:
        return TYPE_LABELS[self.type]

    def describe(self, mask=None) -> str:
        """E.g. 'mobile 919876543210' or 'mobile 1234512345 (as typed)'; the value masked when a mask is given
        (core.masking.ContactMask: a customer's identifier, for a viewer who may not see it)."""
        value = self.value
        if mask is not None:
            value = mask.value(self.type, value)
        text = f"{self.label} {value}"
        return f"{text} ({self.note})" if self.note else text


def clean_query(text: str) -> str:
    """Trim the query and reject what cannot be an identifier or a name, with a message for the agent."""
    text = unicodedata.normalize("NFC", text or "").strip()
    if not text:
        raise InvalidSearchQuery("Type a mobile number, email, card number, customer ID or name to search.")
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidSearchQuery(
            f"That is too long to be an identifier or a name (at most {MAX_QUERY_LENGTH} characters)."
        )
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co"} for ch in text):
        raise InvalidSearchQuery("The search contains control characters. Retype it without pasting formatting.")
    if any(ch in text for ch in "<>;{}\\`|$"):
        raise InvalidSearchQuery(
            "The search contains characters that no identifier or name uses (< > ; { } \\ ` | $). "
            "Remove them and try again."
        )
    return text


def normalise_mobile(text: str, *, default_country: str) -> str | None:
    """The digits-with-country-code form Capillary stores (e.g. '919876543210'), or None if it is not a phone number."""
    try:
        number = phonenumbers.parse(text, default_country)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return f"{number.country_code}{number.national_number}"


def email_values(text: str) -> list[str]:
    """An email as Capillary may hold it: lower-cased first (how the console registers emails), then as typed when
    that differs (lookups match exactly, and records registered elsewhere may keep capitals)."""
    lowered = text.lower()
    return [lowered] if lowered == text else [lowered, text]


def _email_readings(text: str) -> list[Reading]:
    return [Reading(EMAIL, value, "" if value == value.lower() else "as typed") for value in email_values(text)]


def readings_for(text: str, *, default_country: str, forced_type: str = "") -> list[Reading]:
    """Every plausible reading of the cleaned query, most plausible first."""
    if forced_type:
        return _forced(text, forced_type, default_country=default_country)
    if "@" in text:
        return _email_readings(text) if _EMAIL.match(text) else [Reading(NAME, text)]
    if _PHONEISH.match(text) and any(ch.isdigit() for ch in text):
        return _digit_readings(text, default_country=default_country)
    if " " in text.strip() or not _TOKEN.match(text):
        return [Reading(NAME, text)]
    # One token with letters: a card number, external ID or WeChat id, or else a (first or last) name.
    readings = []
    if _WECHAT.match(text):
        readings.append(Reading(WECHAT, text))
    if any(ch.isdigit() for ch in text):
        readings += [Reading(CARD, text), Reading(EXTERNAL_ID, text)]
        if _WECHAT_LIKE.match(text):
            readings.append(Reading(WECHAT, text))
        readings.append(Reading(NAME, text))
    else:
        readings += [Reading(NAME, text), Reading(EXTERNAL_ID, text), Reading(CARD, text)]
    return _unique(readings)


def customer_id_first(text: str) -> Reading | None:
    """The customer-ID reading when readings_for puts it first (plain digits, fewer than 10, no leading 0), else
    None. Reading a number as a mobile costs a phone-number parse; bulk lookup reads the rest only after a miss."""
    if text.isascii() and text.isdigit() and len(text) < 10 and not text.startswith("0"):
        return Reading(CUSTOMER_ID, text)
    return None


def _digit_readings(text: str, *, default_country: str) -> list[Reading]:
    digits = _SEPARATORS.sub("", text).lstrip("+")
    plus = text.lstrip("(").startswith("+")
    formatted = plus or bool(_SEPARATORS.search(text)) or digits.startswith("0")
    normalized = normalise_mobile(text, default_country=default_country)
    if normalized is None:
        # Digits that already carry a country code, typed without the "+" (919876543210, 447911123456) or with it
        # in brackets ("(+91) 98765 43210").
        normalized = normalise_mobile("+" + digits, default_country=default_country)
    mobiles = []
    if normalized:
        mobiles.append(Reading(MOBILE, normalized))
    if digits != normalized and 6 <= len(digits) <= 15 and not digits.startswith("0"):
        # The docs' own customers store mobiles without a country code (566881933 has 1234512345;
        # get-customer-by-id.txt, docs.capillarytech.com/reference/get-customer-details-v2).
        mobiles.append(Reading(MOBILE, digits, "as typed"))
    others = []
    if not formatted and 0 < int(digits) <= MAX_CUSTOMER_ID and not digits.startswith("0"):
        others.append(Reading(CUSTOMER_ID, digits))
    raw = text.strip()
    others += [Reading(EXTERNAL_ID, raw), Reading(CARD, raw)]
    if formatted or len(digits) >= 10:
        return _unique(mobiles + others)
    return _unique(others[:1] + mobiles + others[1:])


def _forced(text: str, forced_type: str, *, default_country: str) -> list[Reading]:
    if forced_type not in TYPE_LABELS:
        raise InvalidSearchQuery("Choose a search type from the list.")
    if forced_type == MOBILE:
        normalized = normalise_mobile(text, default_country=default_country)
        if normalized is None:
            digits = _SEPARATORS.sub("", text).lstrip("+")
            if not digits.isdigit() or not 6 <= len(digits) <= 15:
                raise InvalidSearchQuery("That is not a mobile number. Check the digits and the country code.")
            return [Reading(MOBILE, digits, "as typed")]
        return [Reading(MOBILE, normalized)]
    if forced_type == EMAIL:
        if not _EMAIL.match(text):
            raise InvalidSearchQuery("That is not an email address.")
        return _email_readings(text)
    if forced_type == CUSTOMER_ID:
        digits = text.replace(" ", "")
        if not digits.isdigit() or not 0 < int(digits) <= MAX_CUSTOMER_ID:
            raise InvalidSearchQuery("A customer ID is a number, like 566881933.")
        return [Reading(CUSTOMER_ID, str(int(digits)))]
    return [Reading(forced_type, text)]


def _unique(readings: list[Reading]) -> list[Reading]:
    seen: set[tuple[str, str]] = set()
    result = []
    for reading in readings:
        key = (reading.type, reading.value)
        if key not in seen:
            seen.add(key)
            result.append(reading)
    return result
