"""Reads about customers: search from whatever the agent typed, and the whole customer for one page."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache

from memberconsole.capillary import errors as cap
from memberconsole.capillary.client import CapillaryClient
from memberconsole.capillary.factory import get_capillary_client
from memberconsole.capillary.schemas import Customer as WireCustomer
from memberconsole.core.exceptions import LookupMiss, lookup_miss, translate_error
from memberconsole.core.identifiers import CUSTOMER_ID, NAME, Reading, readings_for
from memberconsole.core.masking import ContactMask
from memberconsole.customers import domain
from memberconsole.customers.mapping import to_customer, to_search_hits
from memberconsole.customers.models import RECENT_LIMIT, RecentCustomer

# Everything the customer page shows, in its one upstream call (get-customer-by-id.txt query parameters,
# docs.capillarytech.com/reference/get-customer-details-v2).
DETAIL_PARAMS = {
    "source": "ALL",
    "embed": ("points", "mlp", "subscriptions", "segments"),
    "gap_to_upgrade": 0,
    "gap_to_renew": 0,
    "ndnc_status": True,
    "optin_status": True,
    "slab_history": True,
    "tier_upgrade_criteria": True,
    "membership_retention_criteria": True,
    "included_fraud_details": True,
}
# A search hit's response is handed to the customer page it redirects to, through Django's cache (shared by workers).
HANDOFF_SECONDS = 60


NAME_SEARCH_LIMIT = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchOutcome:
    """What a search found: one customer (with the reading that matched), several (name search), or nobody."""

    query: str
    source: str
    tried: list[Reading]
    customer_id: int | None = None
    matched: Reading | None = None
    hits: list[domain.SearchHit] = field(default_factory=list)

    def searched_as(self) -> str:
        """E.g. 'mobile 919876543210, then customer ID 566881933 in ALL sources'."""
        return ", then ".join(reading.describe() for reading in self.tried) + f" in {self.source} sources"


def _client(client: CapillaryClient | None) -> CapillaryClient:
    return client or get_capillary_client()


def _handoff_key(customer_id: int) -> str:
    return f"customers:handoff:{customer_id}"


def _fetch_customer(customer_id: int, *, client: CapillaryClient) -> WireCustomer:
    try:
        return client.customer_get(customer_id, **DETAIL_PARAMS)
    except cap.CapillaryError as exc:
        raise translate_error(exc) from exc


def customer_get(*, customer_id: int, mask: ContactMask, client: CapillaryClient | None = None) -> domain.Customer:
    """The whole customer for the customer page, contact details as the viewer may see them: one upstream call, or
    none when a search just fetched it."""
    wire = cache.get(_handoff_key(customer_id))
    if wire is not None:
        cache.delete(_handoff_key(customer_id))
    else:
        wire = _fetch_customer(customer_id, client=_client(client))
    return to_customer(wire, mask=mask)


def customer_search(
    *,
    query: str,
    forced_type: str = "",
    source: str = "ALL",
    account_id: str = "",
    mask: ContactMask,
    client: CapillaryClient | None = None,
) -> SearchOutcome:
    """Try each plausible reading of the query, most plausible first, until one finds a customer."""
    client = _client(client)
    readings = readings_for(query, default_country=settings.CAPILLARY_DEFAULT_COUNTRY, forced_type=forced_type)
    tried: list[Reading] = []
    for reading in readings:
        tried.append(reading)
        try:
            found = _try_reading(reading, source=source, account_id=account_id, mask=mask, client=client)
        except cap.CapillaryError as exc:
            miss = lookup_miss(exc)
            if miss is None:
                raise translate_error(exc) from exc
            if miss == LookupMiss.MERGED:
                return SearchOutcome(
                    query=query, source=source, tried=tried, customer_id=exc.survivor_id, matched=reading
                )
            if miss == LookupMiss.DELETED and reading.type == CUSTOMER_ID:
                # Land on the page that says the customer was deleted, rather than pretending nobody matched.
                return SearchOutcome(
                    query=query, source=source, tried=tried, customer_id=int(reading.value), matched=reading
                )
            continue
        if isinstance(found, list):
            if len(found) == 1:
                return SearchOutcome(
                    query=query, source=source, tried=tried, customer_id=found[0].customer_id, matched=reading
                )
            if found:
                return SearchOutcome(query=query, source=source, tried=tried, hits=found, matched=reading)
            continue
        return SearchOutcome(query=query, source=source, tried=tried, customer_id=found, matched=reading)
    return SearchOutcome(query=query, source=source, tried=tried)


def _try_reading(reading: Reading, *, source: str, account_id: str, mask: ContactMask, client: CapillaryClient):
    """The customer id a reading finds, or the hits of a name search; raises the client's errors."""
    if reading.type == NAME:
        page = client.customer_search(q=reading.value, limit=NAME_SEARCH_LIMIT)
        return to_search_hits(page, source=source, mask=mask)
    if reading.type == CUSTOMER_ID:
        params = dict(DETAIL_PARAMS)
        if source != "ALL":
            params.update(source=source, account_id=account_id or None)
        wire = client.customer_get(int(reading.value), **params)
        if source == "ALL":
            cache.set(_handoff_key(wire.id), wire, HANDOFF_SECONDS)
        return wire.id
    wire = client.customer_lookup(
        identifier_name=reading.type, identifier_value=reading.value, source=source, account_id=account_id or None
    )
    return wire.id


def recent_customers(*, agent) -> list[RecentCustomer]:
    """The agent's most recently viewed customers, newest first."""
    return list(RecentCustomer.objects.filter(agent=agent).order_by("-viewed_at")[:RECENT_LIMIT])
