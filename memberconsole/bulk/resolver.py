"""Resolving a bulk job's entries against Capillary, spending as few calls as the list allows.

Each entry is read the way the search box reads it (or only as the kind the agent said the list is), and its readings
are tried in order until one finds a customer. The tries go in rounds: every entry's current reading at once, grouped
by kind. Customer IDs and the identifier kinds Capillary's bulk API takes (CAPILLARY_BULK_IDENTIFIERS: mobile, email,
external ID) go 100 to a call, so a job's calls grow with the kinds it tries, not with its entries; a kind the bulk
API cannot take (card numbers, WeChat ids) is looked up one by one, and only for entries that can plausibly be that
kind. After every call the rows it answered are saved, found or moved on to their next reading, so a job taken over
from a dead worker never tries a reading twice.
"""

import logging
import math
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings

from memberconsole.capillary import errors as cap
from memberconsole.capillary.client import MERGE_SURVIVOR_WARNING, CapillaryClient
from memberconsole.capillary.schemas import BulkCustomerResult, BulkLookupResult, CustomerBrief
from memberconsole.capillary.schemas import Customer as WireCustomer
from memberconsole.core.exceptions import LookupMiss, lookup_miss, translate_error
from memberconsole.core.identifiers import (
    CARD,
    CUSTOMER_ID,
    NAME,
    TYPE_LABELS,
    InvalidSearchQuery,
    Reading,
    clean_query,
    customer_id_first,
    readings_for,
)
from memberconsole.core.summaries import customer_summary

from .models import BulkRow

logger = logging.getLogger(__name__)

# Lookups (one GET per identifier) in flight at once: enough to hide latency, few enough to stay polite upstream.
LOOKUP_WORKERS = 8
# What an identifier lookup asks for besides the profiles: the program details that carry tier and points.
LOOKUP_EMBED = ("mlp",)
# Values per bulk call (bulk-get-customers.txt documents no limit; the fake and the client use 100).
PER_BULK_CALL = 100

RESULT_FIELDS = [
    "taken_as", "status", "reason", "request_id", "customer_id", "name", "tier", "points", "mobile", "email",
]  # fmt: skip
# What is saved of a row after each call: its answer, or how far through its readings it got.
SAVED_FIELDS = [*RESULT_FIELDS, "tries", "deleted_reading"]

# Plural words for a step of the plan ("997 entries as mobile numbers").
KIND_WORDS = {
    CUSTOMER_ID: "customer IDs",
    "mobile": "mobile numbers",
    "email": "emails",
    "externalId": "external IDs",
    CARD: "card numbers",
    "wechat": "WeChat ids",
}


class Writer(Protocol):
    """Where answered rows go (runner._ProgressWriter)."""

    def add(self, rows: Iterable[BulkRow]) -> None: ...

    def flush(self, *, force: bool = False) -> None: ...

    def step(self, text: str) -> None: ...

    def called(self) -> None: ...


def kind_words(reading_type: str) -> str:
    """'mobile numbers'."""
    return KIND_WORDS.get(reading_type, TYPE_LABELS.get(reading_type, reading_type))


def step_words(reading_type: str, entries: int) -> str:
    """'mobile numbers (997 entries)'."""
    return f"{kind_words(reading_type)} ({entries:,} entr{'y' if entries == 1 else 'ies'})"


def bulk_kinds() -> frozenset[str]:
    """The identifier kinds sent to the bulk API 100 to a call (customer IDs always are)."""
    return frozenset(settings.CAPILLARY_BULK_IDENTIFIERS)


def plausible(reading: Reading) -> bool:
    """Whether a reading is worth a call of its own: card numbers only when they look like one (BULK_CARD_PATTERN).
    Kinds the bulk API takes cost next to nothing per entry and are always tried; WeChat readings exist only for
    values shaped like WeChat ids."""
    if reading.type == CARD and CARD not in bulk_kinds():
        return re.fullmatch(settings.BULK_CARD_PATTERN, reading.value) is not None
    return True


def entry_readings(cleaned: str, *, kind: str = "") -> list[Reading]:
    """The readings a bulk job tries for an entry, most plausible first: only as `kind` when the agent said what the
    list is (InvalidSearchQuery when the entry cannot be one), else the search box's readings without name search
    (not offered in bulk) and without one-by-one lookups the entry does not look like."""
    if kind:
        return readings_for(cleaned, default_country=settings.CAPILLARY_DEFAULT_COUNTRY, forced_type=kind)
    readings = readings_for(cleaned, default_country=settings.CAPILLARY_DEFAULT_COUNTRY)
    return [reading for reading in readings if reading.type != NAME and plausible(reading)]


@dataclass(frozen=True, slots=True)
class Plan:
    """The Capillary calls a list needs: at least (every entry found by its first reading) and at most (nobody
    found); steps: (kind, entries, calls) of the worst case, in the order they are tried; batched: (calls through the
    bulk API, one-by-one lookups) of the worst case."""

    least: int
    most: int
    steps: list[tuple[str, int, int]]
    entries: int = 0

    @property
    def by_api(self) -> tuple[int, int]:
        batched = bulk_kinds() | {CUSTOMER_ID}
        bulk = sum(calls for kind, _, calls in self.steps if kind in batched)
        return bulk, self.most - bulk


def plan_calls(entries: Iterable[str], *, kind: str = "") -> Plan:
    """What looking up these entries will cost, before any call is made (entries that cannot be looked up cost none)."""
    depths: list[dict[str, set[str]]] = []
    counted = 0
    for cleaned in dict.fromkeys(_cleaned(entries)):
        try:
            readings = entry_readings(cleaned, kind=kind)
        except InvalidSearchQuery:
            continue
        if not readings:
            continue
        counted += 1
        for depth, reading in enumerate(readings):
            if depth == len(depths):
                depths.append({})
            depths[depth].setdefault(reading.type, set()).add(reading.value)
    batched = bulk_kinds() | {CUSTOMER_ID}
    seen: dict[str, set[str]] = {}
    costs, steps = [], []
    for by_kind in depths:
        cost = 0
        for reading_type, values in by_kind.items():
            fresh = values - seen.setdefault(reading_type, set())  # a value tried before is answered from memory
            seen[reading_type] |= fresh
            if fresh:
                calls = math.ceil(len(fresh) / PER_BULK_CALL) if reading_type in batched else len(fresh)
                cost += calls
                steps.append((reading_type, len(fresh), calls))
        costs.append(cost)
    return Plan(least=costs[0] if costs else 0, most=sum(costs), steps=steps, entries=counted)


def _cleaned(entries: Iterable[str]) -> Iterable[str]:
    for text in entries:
        try:
            yield clean_query(text)
        except InvalidSearchQuery:
            continue


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
    """One unique entry (duplicates share it): its readings, how many were tried and missed, the rows that show its
    answer. A plain customer ID starts with that reading only: the others (a phone-number parse each) are read after a
    miss."""

    cleaned: str
    kind: str
    readings: list[Reading] = field(default_factory=list)
    complete: bool = True
    rows: list[BulkRow] = field(default_factory=list)
    cursor: int = 0
    deleted: tuple[int, str] | None = None  # (reading, request id) of the first reading that found a deleted customer
    result: _Result | None = None

    @classmethod
    def of(cls, cleaned: str, *, kind: str, tries: int = 0) -> "_Entry":
        if not kind and not tries:
            first = customer_id_first(cleaned)
            if first is not None:
                return cls(cleaned=cleaned, kind=kind, readings=[first], complete=False)
        return cls(cleaned=cleaned, kind=kind, readings=entry_readings(cleaned, kind=kind), cursor=tries)

    @property
    def reading(self) -> Reading:
        return self.readings[self.cursor]

    @property
    def exhausted(self) -> bool:
        if not self.complete and self.cursor < len(self.readings):
            return False  # a customer ID not tried yet: its other readings (phone-number parses) can wait
        return self.cursor >= len(self.all_readings())

    def all_readings(self) -> list[Reading]:
        if not self.complete:
            self.readings, self.complete = entry_readings(self.cleaned, kind=self.kind), True
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


def _deleted_result(reading: Reading, request_id: str) -> _Result:
    return _Result(
        status=BulkRow.Status.DELETED,
        taken_as=reading.describe(),
        reason="Deleted after a personal-data (PII) deletion request: no data can be shown.",
        request_id=request_id,
        customer_id=int(reading.value) if reading.type == CUSTOMER_ID else None,
    )


class Resolver:
    """Resolves a job's pending rows in rounds (module docstring): each round sends every unresolved entry's current
    reading, customer IDs and the bulk API's identifier kinds 100 to a call, other kinds one lookup each; a miss moves
    the entry to its next reading, until it is found, fails, or runs out of readings."""

    def __init__(self, *, client: CapillaryClient, writer: Writer, kind: str = "") -> None:
        self.client = client
        self.writer = writer
        self.kind = kind
        self.batched = set(bulk_kinds())  # a kind Capillary refuses in bulk drops out (see _lookup_chunk)
        self.bulk_results: dict[int, BulkCustomerResult] = {}
        self.answers: dict[tuple[str, str], Any] = {}  # (kind, value) -> the customer or the error it got
        self.survivors: set[tuple[str, str]] = set()  # (kind, value) answered with a merge survivor

    def run(self, rows: list[BulkRow]) -> None:
        entries: dict[str, _Entry] = {}
        for row in rows:
            cleaned = clean_query(row.input)
            entry = entries.get(cleaned)
            if entry is None:
                try:
                    entry = _Entry.of(cleaned, kind=self.kind, tries=row.tries)
                except InvalidSearchQuery as exc:  # checked when the job was made: only a changed setting gets here
                    entry = _Entry(
                        cleaned=cleaned, kind=self.kind, result=_Result(BulkRow.Status.INVALID, reason=str(exc))
                    )
                entries[cleaned] = entry
            entry.cursor = min(entry.cursor, row.tries)  # duplicates saved in step; the least tried wins
            if row.deleted_reading is not None and entry.deleted is None:
                entry.deleted = (row.deleted_reading, row.request_id)
            entry.rows.append(row)
        active = []
        for entry in entries.values():
            if entry.result is not None:
                self._finish(entry, entry.result)
            elif entry.exhausted:  # every reading was tried before a takeover: only the answer was left to write
                self._ran_out(entry)
            else:
                active.append(entry)
        self.writer.flush(force=True)
        while active:
            by_kind: dict[str, list[_Entry]] = {}
            for entry in active:
                by_kind.setdefault(entry.reading.type, []).append(entry)
            for reading_type in sorted(by_kind, key=self._order):
                group = by_kind[reading_type]
                self.writer.step(step_words(reading_type, len(group)))
                if reading_type == CUSTOMER_ID:
                    self._ids_round(group)
                elif reading_type in self.batched:
                    self._identifiers_round(reading_type, group)
                else:
                    self._lookup_round(group)
            active = [entry for entry in active if entry.result is None]

    def _order(self, reading_type: str) -> tuple[int, str]:
        # IDs first, then the bulk kinds, then one-by-one lookups: the cheapest answers come first.
        return (0 if reading_type == CUSTOMER_ID else 1 if reading_type in self.batched else 2, reading_type)

    # -- customer IDs: POST /v2/bulk/getCustomers with ids

    def _ids_round(self, entries: list[_Entry]) -> None:
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
            self.writer.called()
            self.writer.flush(force=True)
        for customer_id, waiting in by_id.items():  # answered in an earlier round
            for entry in waiting:
                self._apply_bulk(entry, self.bulk_results[customer_id])
        self.writer.flush(force=True)

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
            self._note_deleted(entry, error)
            self._next(entry)
        elif isinstance(error, cap.CapillaryNotFoundError):
            self._next(entry)
        else:
            # A failed chunk (Capillary down, timed out, refused) or an item error we cannot read past.
            self._finish(entry, _error_result(error, reading))

    # -- mobiles, emails, external IDs: POST /v2/bulk/getCustomers?identifierName=... with the values

    def _identifiers_round(self, reading_type: str, entries: list[_Entry]) -> None:
        by_value = self._by_value(reading_type, entries)
        if not by_value:
            return
        chunks = self.client.customers_bulk_lookup_chunks(
            reading_type, list(by_value), source="ALL", embed=settings.CAPILLARY_BULK_EMBED, brief=True
        )
        for results in chunks:
            if results and results[0].chunk_failed and _refused_in_bulk(results[0].error):
                # This cluster does not take this kind in bulk (CAPILLARY_BULK_IDENTIFIERS says it does): say so to
                # the operator once and look the kind up one by one from here on; the entries keep their reading.
                logger.warning(
                    "bulk lookup by %s refused by Capillary (%s): looking it up one by one; check "
                    "CAPILLARY_BULK_IDENTIFIERS",
                    reading_type,
                    type(results[0].error).__name__,
                )
                self.batched.discard(reading_type)
                self.writer.called()
                return
            for result in results:
                found = self._bulk_answer(result)
                self.answers[(reading_type, result.value)] = found
                if result.survivor:
                    self.survivors.add((reading_type, result.value))
                for entry in by_value.pop(result.value, []):
                    self._apply_lookup(entry, found)
            self.writer.called()
            self.writer.flush(force=True)
        self.writer.flush(force=True)

    @staticmethod
    def _bulk_answer(result: BulkLookupResult) -> WireCustomer | CustomerBrief | cap.CapillaryError:
        if result.success and result.customer is not None:
            return result.customer
        return result.error or cap.CapillaryNotFoundError()

    def _by_value(self, reading_type: str, entries: list[_Entry]) -> dict[str, list[_Entry]]:
        """The entries by their current reading's value, those whose value was answered before applied now."""
        by_value: dict[str, list[_Entry]] = {}
        for entry in entries:
            known = self.answers.get((reading_type, entry.reading.value))
            if known is not None:
                self._apply_lookup(entry, known)
            else:
                by_value.setdefault(entry.reading.value, []).append(entry)
        return by_value

    # -- other kinds: GET /v2/customers/lookup/customerDetails, a bounded number at once

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
            key = (entry.reading.type, entry.reading.value)
            if key in self.answers:  # the same reading of another entry
                self._apply_lookup(entry, self.answers[key])
            else:
                by_key.setdefault(key, []).append(entry)
        if by_key:
            with ThreadPoolExecutor(max_workers=LOOKUP_WORKERS, thread_name_prefix="bulk-lookup") as pool:
                futures = {pool.submit(self._lookup, key): key for key in by_key}
                for future in as_completed(futures):
                    key = futures[future]
                    self.answers[key] = future.result()
                    for entry in by_key[key]:
                        self._apply_lookup(entry, self.answers[key])
                    self.writer.called()
                    self.writer.flush()
        self.writer.flush(force=True)

    def _apply_lookup(self, entry: _Entry, found: WireCustomer | CustomerBrief | cap.CapillaryError) -> None:
        reading = entry.reading
        if isinstance(found, WireCustomer | CustomerBrief):
            survivor = (reading.type, reading.value) in self.survivors  # a bulk answer's 91009 is on its item
            if survivor or MERGE_SURVIVOR_WARNING in found.warning_codes:
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
            self._note_deleted(entry, found)
            self._next(entry)
        elif miss == LookupMiss.NOBODY:
            self._next(entry)
        else:
            self._finish(entry, _error_result(found, reading))

    # -- outcomes

    def _note_deleted(self, entry: _Entry, error: cap.CapillaryError) -> None:
        if entry.deleted is None:
            entry.deleted = (entry.cursor, error.request_id or "")

    def _next(self, entry: _Entry) -> None:
        entry.cursor += 1
        if entry.exhausted:
            self._ran_out(entry)
            return
        for row in entry.rows:  # saved with the next flush: a takeover starts from the next reading
            row.tries = entry.cursor
            row.deleted_reading, row.request_id = entry.deleted or (None, "")
        self.writer.add(entry.rows)

    def _ran_out(self, entry: _Entry) -> None:
        readings = entry.all_readings()
        if entry.deleted is not None:
            index, request_id = entry.deleted
            self._finish(entry, _deleted_result(readings[min(index, len(readings) - 1)], request_id))
            return
        if not readings:
            self._finish(entry, _Result(status=BulkRow.Status.NOT_FOUND, taken_as="", reason="No customer found."))
            return
        first = readings[0]
        others = list(dict.fromkeys(reading.label for reading in readings[1:] if reading.label != first.label))
        reason = "No customer found" + (f"; also tried as {', '.join(others)}." if others else ".")
        self._finish(entry, _Result(status=BulkRow.Status.NOT_FOUND, taken_as=first.describe(), reason=reason))

    def _finish(self, entry: _Entry, result: _Result) -> None:
        entry.result = result
        for row in entry.rows:
            for name in RESULT_FIELDS:
                setattr(row, name, getattr(result, name))
            row.tries, row.deleted_reading = entry.cursor, None
        self.writer.add(entry.rows)


def _refused_in_bulk(error: cap.CapillaryError | None) -> bool:
    """A whole bulk call refused as a bad request: the cluster does not take that identifier in bulk."""
    return isinstance(error, cap.CapillaryBadRequestError | cap.CapillaryInvalidIdentifierError)
