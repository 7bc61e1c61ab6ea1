"""How the console writes values for people: one date format, thousands separators, money in the org's currency,
mobiles as a person reads them, and times relative where that helps. Templates use these through the `console`
template filters; code that builds sentences (customers.tiers) uses them directly."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

import phonenumbers
from django.conf import settings
from django.utils import timezone

DATETIME_FORMAT = "%d %b %Y, %H:%M"
DATE_FORMAT = "%d %b %Y"
EMPTY = "—"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
# The symbol written before an amount; other ISO codes are written as the code and a space ("AED 1,200.00").
CURRENCY_SYMBOLS = {"INR": "₹", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "SGD": "S$", "AUD": "A$"}


def _parse(text: str) -> datetime | date | str:
    if not _ISO_DATE.match(text):
        return text  # only ISO 8601 dates are dates; "20260113" or a zip code stays as typed
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        return text


def _sent_as_date(value: datetime) -> date | None:
    """The day a datetime stands for when Capillary sent a plain date (expiry, birth): midnight or 23:59:59 UTC."""
    if timezone.is_aware(value):
        utc = value.astimezone(UTC)
        if (utc.hour, utc.minute, utc.second) in {(0, 0, 0), (23, 59, 59)}:
            return utc.date()
    return None


def as_date(value) -> date | None:
    """The calendar day a Capillary date means: plain dates are sent as midnight or 23:59:59 UTC."""
    if isinstance(value, str):
        value = _parse(value)
    if isinstance(value, datetime):
        if day := _sent_as_date(value):
            return day
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    return None


def when_text(value) -> str:
    """A datetime in the console's time zone as '08 Jan 2026, 15:33'; a date as '08 Jan 2026'."""
    if value in (None, ""):
        return EMPTY
    if isinstance(value, str):
        value = _parse(value)
        if isinstance(value, str):
            return value
    if isinstance(value, datetime):
        if day := _sent_as_date(value):
            return day.strftime(DATE_FORMAT)
        return (timezone.localtime(value) if timezone.is_aware(value) else value).strftime(DATETIME_FORMAT)
    if isinstance(value, date):
        return value.strftime(DATE_FORMAT)
    return str(value)


def date_text(value) -> str:
    """Only the day: '31 Dec 2026'."""
    day = as_date(value)
    return day.strftime(DATE_FORMAT) if day else (EMPTY if value in (None, "") else str(value))


def to_decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def number_text(value) -> str:
    """Thousands separators; whole numbers without decimals, others with two."""
    d = to_decimal(value)
    if d is None:
        return EMPTY if value in (None, "") else str(value)
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d:,.2f}"


def money_text(value, currency: str | None = None) -> str:
    """Money in the org's currency (settings.ORG_CURRENCY): '₹1,234.50'."""
    d = to_decimal(value)
    if d is None:
        return EMPTY if value in (None, "") else str(value)
    code = (currency or settings.ORG_CURRENCY).upper()
    symbol = CURRENCY_SYMBOLS.get(code)
    sign = "-" if d < 0 else ""
    return f"{sign}{symbol}{abs(d):,.2f}" if symbol else f"{sign}{code} {abs(d):,.2f}"


def mobile_text(digits: str) -> str:
    """A mobile as a person reads it: '919845000007' -> '+91 98450 00007'; left as it is when it is not a number."""
    if not digits or not digits.isdigit():
        return digits
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return digits
    if not phonenumbers.is_valid_number(number):
        return digits
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def ago_text(value, *, now: datetime | None = None) -> str:
    """How long ago, in words: 'just now', '5 minutes ago', '3 hours ago', 'yesterday', then the date."""
    if not isinstance(value, datetime):
        return when_text(value)
    now = now or timezone.now()
    seconds = (now - value).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        minutes = int(seconds // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    if seconds < 86400:
        hours = int(seconds // 3600)
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    if timezone.localtime(value).date() == timezone.localtime(now).date() - timedelta(days=1):
        return "yesterday"
    return when_text(value)
