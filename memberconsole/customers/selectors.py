"""Reads about customers: search from whatever the agent typed, and the whole customer for one page."""

import functools
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from memberconsole.capillary import errors as cap
from memberconsole.capillary.client import MERGE_SURVIVOR_WARNING, CapillaryClient
from memberconsole.capillary.factory import get_capillary_client
from memberconsole.capillary.schemas import Customer as WireCustomer
from memberconsole.core.exceptions import LookupMiss, lookup_miss, translate_error
from memberconsole.core.identifiers import CUSTOMER_ID, NAME, Reading, readings_for
from memberconsole.core.masking import ContactMask, contact_mask_for
from memberconsole.customers import domain
from memberconsole.customers.mapping import to_customer, to_search_hits, with_details
from memberconsole.customers.models import RECENT_LIMIT, RecentCustomer

REVEALS = "console_reveals"  # session key: {customer id: epoch seconds the reveal lasts until}
# Everything the customer page shows, in its one upstream call (get-customer-by-id.txt query parameters,
# docs.capillarytech.com/reference/get-customer-details-v2).
DETAIL_PARAMS = {
    "source": "ALL",
    "embed": ("points", "mlp", "subscriptions", "segments", "expirySchedules"),
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


# A name search's results page: 20 customers, each with the details one bulk read returns.
NAME_PAGE_SIZE = 20
# Beyond this page a results URL is refused rather than sent upstream as a huge offset.
MAX_PAGE = 10_000


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchOutcome:
    """What a search found: one customer (with the reading that matched), a page of a name search, a customer deleted
    after a personal-data request, or nobody."""

    query: str
    source: str
    tried: list[Reading]
    customer_id: int | None = None
    matched: Reading | None = None
    # The reading found an account merged into customer_id; merged_from is that account when Capillary said which
    # (a search by customer ID), None when it answered an identifier with the survivor.
    merged: bool = False
    merged_from: int | None = None
    # Nobody found, but this reading found a customer deleted after a personal-data (PII) request.
    deleted: Reading | None = None
    deleted_request_id: str | None = None
    # A name search: this page's rows (filtered to the chosen source), and Capillary's count in all sources.
    hits: list[domain.SearchHit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    page_size: int = NAME_PAGE_SIZE
    returned: int = 0  # customers Capillary returned for this page, before the console's source filter

    def searched_as(self) -> str:
        """E.g. 'mobile 919876543210, then customer ID 566881933 in ALL sources'."""
        return ", then ".join(reading.describe() for reading in self.tried) + f" in {self.source} sources"

    @property
    def listed(self) -> bool:
        """A name search whose results are listed page by page."""
        return self.customer_id is None and self.total > 0

    @property
    def filtered(self) -> bool:
        """Rows were left out because they have no profile in the source the agent chose."""
        return self.source != "ALL"

    @property
    def first_shown(self) -> int:
        return (self.page - 1) * self.page_size + 1

    @property
    def last_shown(self) -> int:
        return min((self.page - 1) * self.page_size + self.returned, self.total)

    @property
    def last_page(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.last_page


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
    page: int = 1,
    mask: ContactMask,
    client: CapillaryClient | None = None,
) -> SearchOutcome:
    """Try each plausible reading of the query, most plausible first, until one finds a customer; a customer deleted
    after a PII request is the answer only when no reading finds anyone else. Page 2 and on of a name search search
    by name only (the readings before it found nobody on page 1)."""
    client = _client(client)
    readings = readings_for(query, default_country=settings.CAPILLARY_DEFAULT_COUNTRY, forced_type=forced_type)
    if page > 1:
        readings = [reading for reading in readings if reading.type == NAME]
    tried: list[Reading] = []
    outcome = functools.partial(SearchOutcome, query=query, source=source, tried=tried)
    deleted: Reading | None = None
    deleted_request_id: str | None = None
    for reading in readings:
        tried.append(reading)
        try:
            if reading.type == NAME:
                found = _name_search(reading, source=source, page=page, mask=mask, client=client)
                if found is None:
                    continue
                return outcome(matched=reading, **found)
            wire = _lookup(reading, source=source, account_id=account_id, client=client)
        except cap.CapillaryError as exc:
            miss = lookup_miss(exc)
            if miss is None:
                raise translate_error(exc) from exc
            if miss == LookupMiss.MERGED:
                merged_from = int(reading.value) if reading.type == CUSTOMER_ID else None
                return outcome(customer_id=exc.survivor_id, matched=reading, merged=True, merged_from=merged_from)
            if miss == LookupMiss.DELETED and deleted is None:
                # Another reading may still find an active customer, who wins.
                deleted, deleted_request_id = reading, exc.request_id
            continue
        # Capillary answers a merge victim's identifier with the survivor and warning 91009 (api-notes §3.5,
        # docs.capillarytech.com/reference/status-codes-customer), without saying which account the victim was.
        merged = MERGE_SURVIVOR_WARNING in wire.warning_codes
        return outcome(customer_id=wire.id, matched=reading, merged=merged)
    return outcome(deleted=deleted, deleted_request_id=deleted_request_id)


def _lookup(reading: Reading, *, source: str, account_id: str, client: CapillaryClient) -> WireCustomer:
    """The customer one reading of an identifier finds; raises the client's errors."""
    if reading.type == CUSTOMER_ID:
        params = dict(DETAIL_PARAMS)
        if source != "ALL":
            params.update(source=source, account_id=account_id or None)
        wire = client.customer_get(int(reading.value), **params)
        if source == "ALL":
            cache.set(_handoff_key(wire.id), wire, HANDOFF_SECONDS)
        return wire
    return client.customer_lookup(
        identifier_name=reading.type, identifier_value=reading.value, source=source, account_id=account_id or None
    )


def _name_search(
    reading: Reading, *, source: str, page: int, mask: ContactMask, client: CapillaryClient
) -> dict[str, object] | None:
    """SearchOutcome's fields for one page of a name search with each row's details: two upstream calls (the search,
    then one bulk read of the page's customers), one when a single customer matches. None when nobody matched (read
    on)."""
    offset = (page - 1) * NAME_PAGE_SIZE
    found = client.customer_search(q=reading.value, limit=NAME_PAGE_SIZE, offset=offset)
    total = found.pagination.total if found.pagination and found.pagination.total is not None else None
    if total is None:
        total = offset + len(found.hits)  # no count: as many as we have seen
    hits = to_search_hits(found, source=source, mask=mask)
    if page == 1 and not hits and total <= len(found.hits):
        return None  # nobody (in the chosen source): try the next reading
    if page == 1 and len(hits) == 1 and total <= len(found.hits):
        return {"customer_id": hits[0].customer_id}  # the only match: open it
    if hits:
        details = client.customers_bulk_get(
            [hit.customer_id for hit in hits], embed=settings.CAPILLARY_BULK_EMBED, brief=True
        )
        for result in details:
            if result.error is not None and lookup_miss(result.error) is None:
                raise result.error  # Capillary failed (not an answer about the row): the search fails as a whole
        hits = with_details(hits, details, mask=mask)
    return {"hits": hits, "total": total, "page": page, "returned": len(found.hits)}


def recent_customers(*, agent) -> list[RecentCustomer]:
    """The agent's most recently viewed customers, newest first."""
    # As one SQL statement through Manager.raw: the same query built by the ORM (filter, order_by, slice) cost 0.50 ms
    # of CPU on every home page, this 0.17 ms (measured on PostgreSQL); it uses the (agent, -viewed_at) index.
    table = connection.ops.quote_name(RecentCustomer._meta.db_table)
    return list(
        RecentCustomer.objects.raw(
            f"SELECT id, agent_id, customer_id, name, viewed_at FROM {table} "  # noqa: S608 (the model's table)
            "WHERE agent_id = %s ORDER BY viewed_at DESC LIMIT %s",
            [agent.pk, RECENT_LIMIT],
        )
    )


def contact_revealed_until(*, request, customer_id: int) -> float | None:
    """Until when this session may see the customer's contact details (None: not revealed, or no longer)."""
    until = request.session.get(REVEALS, {}).get(str(customer_id))
    return until if until and until > time.time() else None


def contact_mask_get(*, request, customer_id: int) -> tuple[ContactMask, float | None]:
    """How this viewer sees this customer's contact details (in full with the permission or a live reveal of this
    customer, else masked), and until when a reveal lasts (None without one)."""
    until = contact_revealed_until(request=request, customer_id=customer_id)
    return contact_mask_for(request.user, revealed=until is not None), until
