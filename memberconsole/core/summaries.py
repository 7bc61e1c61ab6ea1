"""A customer in one line: the name, sources, main tier and points, first mobile and email, city and registration date
every app lists.

The customer page maps the whole response (customers.mapping); search results, bulk rows and the registration
duplicate notice need only this, read straight off the client's model.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from memberconsole.capillary import schemas as wire
from memberconsole.core.identifiers import EMAIL, MOBILE


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerSummary:
    customer_id: int
    name: str
    sources: list[str]
    tier: str
    points: Decimal | None
    mobile: str
    email: str
    city: str = ""
    registered_at: datetime | date | str | None = None


def display_name(profiles) -> str:
    """The name to show for a customer: the in-store profile's if it has one, else the first profile with a name."""
    named = sorted((p for p in profiles if p.first_name or p.last_name), key=lambda p: p.source != "INSTORE")
    if not named:
        return ""
    return " ".join(part for part in (named[0].first_name, named[0].last_name) if part)


def first_contact(profiles, kind: str) -> str:
    """The first mobile or email on file (in-store profile first): an identifier, else a communication channel."""
    ordered = sorted(profiles, key=lambda p: p.source != "INSTORE")
    kind = kind.lower()
    for profile in ordered:
        for identifier in profile.identifiers:
            if (identifier.type or "").lower() == kind and identifier.value:
                return str(identifier.value)
    for profile in ordered:
        for channel in profile.comm_channels:
            if (channel.type or "").lower() == kind and channel.value:
                return str(channel.value)
    return ""


def _decimal(value) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def main_tier_and_points(customer: wire.Customer | wire.CustomerBrief) -> tuple[str, Decimal | None]:
    """The main program's current tier and available points: the first program's, else the points summary's."""
    if customer.loyalty_program_details:
        p = customer.loyalty_program_details[0]
        points = p.total_available_points if p.total_available_points is not None else p.loyalty_points
        return p.current_slab or "", _decimal(points)
    s = customer.points_summary
    if s and (s.current_slab or s.loyalty_points is not None):
        return s.current_slab or "", _decimal(s.loyalty_points)
    return "", None


def registered_at(customer: wire.Customer | wire.CustomerBrief) -> datetime | date | str | None:
    """When the customer registered: the loyalty record's creation date, else the first profile attribution's."""
    loyalty = customer.loyalty_info
    attribution = loyalty.attribution_v2 if loyalty else None
    if attribution and attribution.create_date:
        return attribution.create_date
    first = next((p.attribution for p in customer.profiles if p.attribution), None)
    return first.create_date if first else None


def city(customer: wire.Customer | wire.CustomerBrief) -> str:
    """The customer's city, from the org's `city` extended field (empty when the org has none or it is not set)."""
    value = customer.extended_fields.get("city")
    return "" if value is None else str(value).strip()


def customer_summary(customer: wire.Customer | wire.CustomerBrief) -> CustomerSummary:
    """The one-line summary of a customer from any customer response (GET by id, lookup, bulk, or a CustomerBrief)."""
    tier, points = main_tier_and_points(customer)
    return CustomerSummary(
        customer_id=int(customer.id or 0),
        name=display_name(customer.profiles),
        sources=sorted({p.source for p in customer.profiles if p.source}),
        tier=tier,
        points=points,
        mobile=first_contact(customer.profiles, MOBILE),
        email=first_contact(customer.profiles, EMAIL),
        city=city(customer),
        registered_at=registered_at(customer),
    )
