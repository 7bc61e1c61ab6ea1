"""Resolving a bulk job's entries against Capillary: customer IDs through the bulk API, identifiers by lookup, each
entry read the way the search box reads it (the next reading after a miss), duplicates looked up once."""

from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings

from memberconsole.capillary import errors as cap
from memberconsole.capillary.client import MERGE_SURVIVOR_WARNING, CapillaryClient
from memberconsole.capillary.schemas import BulkCustomerResult, CustomerBrief
from memberconsole.capillary.schemas import Customer as WireCustomer
from memberconsole.core.exceptions import LookupMiss, lookup_miss, translate_error
from memberconsole.core.identifiers import CUSTOMER_ID, NAME, Reading, clean_query, customer_id_first, readings_for
from memberconsole.core.summaries import customer_summary

from .models import BulkRow

# Lookups (one GET per identifier) in flight at once: enough to hide latency, few enough to stay polite upstream.
LOOKUP_WORKERS = 8
# What an identifier lookup asks for besides the profiles: the program details that carry tier and points.
LOOKUP_EMBED = ("mlp",)

RESULT_FIELDS = [
    "taken_as", "status", "reason", "request_id", "customer_id", "name", "tier", "points", "mobile", "email",
]  # fmt: skip


class Writer(Protocol):
    """Where finished rows go (runner._ProgressWriter)."""

    def add(self, rows) -> None: ...

    def flush(self, *, force: bool = False) -> None: ...


def entry_readings(cleaned: str) -> list[Reading]:
    """The search box's readings of an entry, most plausible first, without name search (not offered in bulk)."""
    readings = readings_for(cleaned, default_country=settings.CAPILLARY_DEFAULT_COUNTRY)
    return [reading for reading in readings if reading.type != NAME]


@dataclass(slots=True)
class _Result:
    """The final answer for one unique entry, copied onto each of its rows."""

    status: str
    taken_as: str = ""
    reason: str = ""
    request_id: str = ""
    customer_id: int | None = None
    name: str = ""
    tier: str = ""
    points: Decimal | None = None
    mobile: str = ""
    email: str = ""


@dataclass(slots=True)
class _Entry:
    """One unique entry (duplicates share it): the readings still to try and the rows that show its answer. A plain
    customer ID starts with its first reading only: the others (a phone-number parse each) are read after a miss."""

    cleaned: str
    readings: list[Reading] = field(default_factory=list)
    complete: bool = True
    rows: list[BulkRow] = field(default_factory=list)
    cursor: int = 0
    deleted: tuple[cap.CapillaryError, Reading] | None = None  # the first reading that found a PII-deleted customer
    result: _Result | None = None

    @classmethod
    def of(cls, cleaned: str) -> "_Entry":
        first = customer_id_first(cleaned)
        if first is not None:
            return cls(cleaned=cleaned, readings=[first], complete=False)
        return cls(cleaned=cleaned, readings=entry_readings(cleaned))

    @property
    def reading(self) -> Reading:
        return self.readings[self.cursor]

    def all_readings(self) -> list[Reading]:
        if not self.complete:
            self.readings, self.complete = entry_readings(self.cleaned), True
        return self.readings


def _customer_result(status: str, wire: WireCustomer | CustomerBrief, reading: Reading, reason: str = "") -> _Result:
    summary = customer_summary(wire)
    return _Result(
        status=status,
        taken_as=reading.describe(),
        reason=reason,
        customer_id=summary.customer_id or None,
        name=summary.name[:201],
        tier=summary.tier[:100],
        points=summary.points,
        mobile=summary.mobile[:50],
        email=summary.email[:255],
    )


def _error_result(exc: cap.CapillaryError, reading: Reading) -> _Result:
    message = translate_error(exc).message
    if exc.codes:
        message += f" (Capillary code {', '.join(str(code) for code in exc.codes[:3])})"
    return _Result(
        status=BulkRow.Status.ERROR, taken_as=reading.describe(), reason=message[:400], request_id=exc.request_id or ""
    )


def _merged_result(exc: cap.CapillaryCustomerMergedError, reading: Reading) -> _Result:
    into = f"customer {exc.survivor_id}" if exc.survivor_id else "another account"
    return _Result(
        status=BulkRow.Status.MERGED,
        taken_as=reading.describe(),
        reason=f"Merged into {into}.",
        request_id=exc.request_id or "",
        customer_id=exc.survivor_id,
    )


def _deleted_result(exc: cap.CapillaryError, reading: Reading) -> _Result:
    return _Result(
        status=BulkRow.Status.DELETED,
        taken_as=reading.describe(),
        reason="Deleted after a personal-data (PII) deletion request: no data can be shown.",
        request_id=exc.request_id or "",
        customer_id=int(reading.value) if reading.type == CUSTOMER_ID else None,
    )


class Resolver:
    """Resolves unique entries in rounds: each round sends every entry's current reading, customer IDs through
    the bulk API and identifiers through lookups; a miss moves the entry to its next reading (as the search box
    tries them), until it is found, fails, or runs out of readings."""

    def __init__(self, *, client: CapillaryClient, writer: Writer) -> None:
        self.client = client
        self.writer = writer
        self.bulk_results: dict[int, BulkCustomerResult] = {}
        self.lookups: dict[tuple[str, str], Any] = {}

    def run(self, rows: list[BulkRow]) -> None:
        entries: dict[str, _Entry] = {}
        for row in rows:
            cleaned = clean_query(row.input)
            if cleaned not in entries:
                entries[cleaned] = _Entry.of(cleaned)
            entries[cleaned].rows.append(row)
        active = list(entries.values())
        while active:
            self._bulk_round([entry for entry in active if entry.reading.type == CUSTOMER_ID])
            self._lookup_round([entry for entry in active if entry.reading.type != CUSTOMER_ID])
            active = [entry for entry in active if entry.result is None]

    # -- customer IDs: POST /v2/bulk/getCustomers through the client (chunks of 100, several in flight)

    def _bulk_round(self, entries: list[_Entry]) -> None:
        by_id: dict[int, list[_Entry]] = {}
        for entry in entries:
            by_id.setdefault(int(entry.reading.value), []).append(entry)
        wanted = [customer_id for customer_id in by_id if customer_id not in self.bulk_results]
        # Each answer's rows are read and written while the next chunks are on their way (the client keeps up to its
        # bulk_max_workers calls in flight): the console's work on rows overlaps the wait for Capillary.
        for results in self.client.customers_bulk_get_chunks(wanted, embed=settings.CAPILLARY_BULK_EMBED, brief=True):
            for result in results:
                self.bulk_results[result.customer_id] = result
                for entry in by_id.pop(result.customer_id, []):
                    self._apply_bulk(entry, result)
            self.writer.flush()
        for customer_id, waiting in by_id.items():  # answered in an earlier round
            for entry in waiting:
                self._apply_bulk(entry, self.bulk_results[customer_id])

    def _apply_bulk(self, entry: _Entry, result: BulkCustomerResult) -> None:
        # Unlike a lookup of one reading, the bulk API's answer about an ID is itself what the row shows: a merged
        # or refused ID says so (lookup_miss is for readings that may be wrong guesses).
        reading = entry.reading
        if result.success and result.customer is not None:
            self._finish(entry, _customer_result(BulkRow.Status.FOUND, result.customer, reading))
            return
        error = result.error or cap.CapillaryNotFoundError()
        if isinstance(error, cap.CapillaryCustomerMergedError):
            self._finish(entry, _merged_result(error, reading))
        elif isinstance(error, cap.CapillaryCustomerDeletedError):
            # As the search box does: read on (another reading may find an active customer, who wins), and say the
            # customer was deleted rather than that nobody matched if none does.
            entry.deleted = entry.deleted or (error, reading)
            self._next(entry)
        elif isinstance(error, cap.CapillaryNotFoundError):
            self._next(entry)
        else:
            # A failed chunk (Capillary down, timed out, refused) or an item error we cannot read past.
            self._finish(entry, _error_result(error, reading))

    # -- identifiers: GET /v2/customers/lookup/customerDetails, a bounded number at once

    def _lookup(self, key: tuple[str, str]) -> WireCustomer | cap.CapillaryError:
        try:
            return self.client.customer_lookup(
                identifier_name=key[0], identifier_value=key[1], source="ALL", embed=LOOKUP_EMBED
            )
        except cap.CapillaryError as exc:
            return exc

    def _lookup_round(self, entries: list[_Entry]) -> None:
        by_key: dict[tuple[str, str], list[_Entry]] = {}
        for entry in entries:
            by_key.setdefault((entry.reading.type, entry.reading.value), []).append(entry)
        for key in [key for key in by_key if key in self.lookups]:  # the same reading of another entry
            for entry in by_key.pop(key):
                self._apply_lookup(entry, self.lookups[key])
        if not by_key:
            return
        with ThreadPoolExecutor(max_workers=LOOKUP_WORKERS, thread_name_prefix="bulk-lookup") as pool:
            futures = {pool.submit(self._lookup, key): key for key in by_key}
            for future in as_completed(futures):
                key = futures[future]
                self.lookups[key] = future.result()
                for entry in by_key[key]:
                    self._apply_lookup(entry, self.lookups[key])
                self.writer.flush()

    def _apply_lookup(self, entry: _Entry, found: WireCustomer | cap.CapillaryError) -> None:
        reading = entry.reading
        if isinstance(found, WireCustomer):
            if MERGE_SURVIVOR_WARNING in found.warning_codes:
                # Capillary answered a merge victim's identifier with the survivor (code 91009: api-notes §3.5,
                # docs.capillarytech.com/reference/status-codes-customer).
                result = _customer_result(BulkRow.Status.MERGED, found, reading, "Merged: showing the survivor.")
            else:
                result = _customer_result(BulkRow.Status.FOUND, found, reading)
            self._finish(entry, result)
            return
        miss = lookup_miss(found)
        if miss == LookupMiss.MERGED:
            self._finish(entry, _merged_result(found, reading))
        elif miss == LookupMiss.DELETED:
            # The search box reads on past a deleted match; it is reported only if no other reading finds someone.
            entry.deleted = entry.deleted or (found, reading)
            self._next(entry)
        elif miss == LookupMiss.NOBODY:
            self._next(entry)
        else:
            self._finish(entry, _error_result(found, reading))

    # -- outcomes

    def _next(self, entry: _Entry) -> None:
        entry.cursor += 1
        if entry.cursor < len(entry.all_readings()):
            return
        if entry.deleted is not None:
            self._finish(entry, _deleted_result(*entry.deleted))
            return
        first = entry.readings[0]
        others = list(dict.fromkeys(reading.label for reading in entry.readings[1:] if reading.label != first.label))
        reason = "No customer found" + (f"; also tried as {', '.join(others)}." if others else ".")
        self._finish(entry, _Result(status=BulkRow.Status.NOT_FOUND, taken_as=first.describe(), reason=reason))

    def _finish(self, entry: _Entry, result: _Result) -> None:
        entry.result = result
        for row in entry.rows:
            for name in RESULT_FIELDS:
                setattr(row, name, getattr(result, name))
        self.writer.add(entry.rows)
