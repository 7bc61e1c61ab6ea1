"""Display filters used on every page (the formats themselves are in core/formatting.py)."""

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html

from memberconsole.core import formatting
from memberconsole.core.formatting import EMPTY

register = template.Library()


@register.filter
def when(value) -> str:
    """A datetime in the console's time zone as '08 Jan 2026, 15:33'; a date as '08 Jan 2026'."""
    return formatting.when_text(value)


@register.filter
def day(value) -> str:
    """Only the day: '31 Dec 2026'."""
    return formatting.date_text(value)


@register.filter
def number(value) -> str:
    """Thousands separators; whole numbers without decimals, others with two."""
    return formatting.number_text(value)


@register.filter
def money(value) -> str:
    """Money in the org's currency: '₹1,234.50'."""
    return formatting.money_text(value)


@register.filter
def mobile(value) -> str:
    """A mobile as a person reads it: '+91 98450 00007' (masked values are left as they are)."""
    return formatting.mobile_text(str(value or ""))


@register.filter
def ago(value) -> str:
    """'just now', '5 minutes ago', 'yesterday', or the date."""
    return formatting.ago_text(value)


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


@register.filter
def is_digits(value) -> bool:
    """Whether the value is all digits (an unmasked mobile)."""
    return str(value or "").isdigit()


# Tags, not {% include %}s: the customer page shows one per identifier, channel and criterion, and an include costs a
# template lookup, a context push and a render of its own each time (docs/benchmarks.md, "Console CPU per request").


@register.simple_tag
def contact_value(kind, value) -> str:
    """An identifier or channel value: a mobile as a person reads it, with a button that copies its digits (only when
    the viewer sees it in full, i.e. it is all digits); any other value as it is (escaped)."""
    if str(kind).lower() == "mobile" and is_digits(value):
        return format_html(
            '<span class="mobile">{}</span> <button type="button" class="btn-copy" data-copy="{}" '
            'aria-label="Copy the mobile as digits, {}">Copy</button>',
            mobile(value),
            value,
            value,
        )
    return value


@register.simple_tag
def progress(value, maximum, label) -> str:
    """A progress bar: `value` of `maximum`, named by `label`. Its width is a class in steps of 5 % (the CSP allows no
    style attributes); the exact value is in aria-valuenow."""
    return format_html(
        '<div class="progress" role="progressbar" aria-label="{}" aria-valuemin="0" aria-valuemax="{}" '
        'aria-valuenow="{}"><span class="progress-{}"></span></div>',
        label,
        formats.localize(maximum),
        formats.localize(value),
        progress_step(value, maximum),
    )
