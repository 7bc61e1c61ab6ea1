"""Wire formats the activity endpoints share: money, points, timestamps, and strict query-parameter parsing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from .errors import FakeError

BAD_INPUT = "Input is invalid. Please check request parameters or input xml/json"


def money(cents: int) -> float:
    """A monetary amount as a JSON number, as transaction amounts are.

    activity-api.md §1.1 and §8.13 (docs.capillarytech.com/reference/v2api-get-customer-transactions).
    """
    return round(cents / 100, 2)


def points(milli: int) -> float:
    """Points as a JSON number with up to three decimals (billPoints, expiry schedule)."""
    return round(milli / 1000, 3)


def points_text(milli: int) -> str:
    """Points as the ledger writes them: a string with three decimals, "-" for debits.

    activity-api.md §2.1 and §8.13 (docs.capillarytech.com/reference/get-ledger-information).
    """
    sign = "-" if milli < 0 else ""
    whole, frac = divmod(abs(milli), 1000)
    return f"{sign}{whole}.{frac:03d}"


def iso(dt: datetime) -> str:
    """UTC ISO timestamp with Z (the server zone of an EU cluster)."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def legacy(dt: datetime) -> str:
    """The ledger's legacy timestamp: "2025-12-10 06:13:46.0"."""
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.0")


def as_int(q: dict[str, str], name: str, default: int | None = None) -> int | None:
    """An integer query parameter; 400 when it is not one."""
    raw = q.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw.strip())
    except ValueError:
        raise FakeError(400, 400, f"Invalid value for {name}: expected an integer") from None


def as_bool(q: dict[str, str], name: str, default: bool = False) -> bool:
    """A boolean query parameter: "true"/"false" in any case; anything else is the default."""
    raw = (q.get(name) or "").strip().lower()
    return {"true": True, "false": False}.get(raw, default)


def csv(q: dict[str, str], name: str) -> list[str]:
    """A comma-separated query parameter as a list (empty when absent)."""
    return [part.strip() for part in (q.get(name) or "").split(",") if part.strip()]


def parse_when(value: str, *, end_of_day: bool = False) -> datetime | None:
    """YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or ISO 8601 (Z or offset) as UTC; None when unreadable.

    A bare date means its start, or its last second when end_of_day (an inclusive endDate).
    """
    text = value.strip().replace("Z", "+00:00")
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return moment + timedelta(days=1, seconds=-1) if end_of_day else moment
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)


def date_param(q: dict[str, str], name: str, *, end_of_day: bool = False) -> datetime | None:
    """A date or date-time query parameter; 400 when present but unreadable."""
    raw = q.get(name)
    if raw is None or not raw.strip():
        return None
    when = parse_when(raw, end_of_day=end_of_day)
    if when is None:
        raise FakeError(400, 400, f"Invalid {name}: use yyyy-MM-dd or yyyy-MM-ddTHH:mm:ss")
    return when
