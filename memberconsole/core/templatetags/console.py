"""Display formats used on every page: one date format, thousands separators, two-decimal amounts."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone

register = template.Library()

DATETIME_FORMAT = "%d %b %Y, %H:%M"
DATE_FORMAT = "%d %b %Y"
EMPTY = "—"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@register.filter
def when(value) -> str:
    """A datetime in the console's time zone as '08 Jan 2026, 15:33'; a date as '08 Jan 2026'."""
    if value in (None, ""):
        return EMPTY
    if isinstance(value, str):
        value = _parse(value)
        if isinstance(value, str):
            return value
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            utc = value.astimezone(UTC)
            # Capillary sends plain dates (expiry, birth) as midnight or 23:59:59 UTC: a date, not a moment.
            if (utc.hour, utc.minute, utc.second) in {(0, 0, 0), (23, 59, 59)}:
                return utc.strftime(DATE_FORMAT)
            value = timezone.localtime(value)
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, date):
        return value.strftime(DATE_FORMAT)
    return str(value)


def _parse(text: str) -> datetime | date | str:
    if not _ISO_DATE.match(text):
        return text  # only ISO 8601 dates are dates; "20260113" or a zip code stays as typed
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        return text


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def number(value) -> str:
    """Thousands separators; whole numbers without decimals, others with two."""
    d = _decimal(value)
    if d is None:
        return EMPTY if value in (None, "") else str(value)
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d:,.2f}"


@register.filter
def amount(value) -> str:
    """Money: thousands separators and two decimals."""
    d = _decimal(value)
    if d is None:
        return EMPTY if value in (None, "") else str(value)
    return f"{d:,.2f}"


@register.filter
def yesno_word(value) -> str:
    """Yes / No / — for a tri-state flag."""
    if value is None:
        return EMPTY
    return "Yes" if value else "No"


@register.filter
def code_words(value) -> str:
    """An API enum in words: 'CUMULATIVE_PURCHASES' -> 'Cumulative purchases'."""
    text = str(value or "").replace("_", " ").strip()
    return text[:1].upper() + text[1:].lower() if text else ""


@register.filter
def progress_step(value, maximum=100) -> int:
    """value of maximum as a bar-width class step (0-100 by 5): never 0 once started, never 100 before the end."""
    try:
        value, maximum = Decimal(str(value)), Decimal(str(maximum))
    except (InvalidOperation, ValueError):
        return 0
    if maximum <= 0 or value <= 0:
        return 0 if maximum > 0 else 100
    if value >= maximum:
        return 100
    step = round(value * 20 / maximum) * 5
    return min(max(step, 5), 95)


@register.filter
def epoch_time(value) -> str:
    """Seconds since the epoch as a time in the console's time zone, e.g. '15:33'."""
    try:
        moment = datetime.fromtimestamp(float(value), tz=UTC)
    except (TypeError, ValueError, OverflowError):
        return EMPTY
    return timezone.localtime(moment).strftime("%H:%M")


@register.filter
def cooloff_words(value) -> str:
    """A lockout's length in words: '15 minutes'."""
    try:
        minutes = max(1, round(value.total_seconds() / 60))
    except AttributeError:
        return str(value)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
