"""The fake's state in one SQLite file: customers and their identifier index, search, seed, reset, clock, config."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from .demo import all_fixture_records
from .generate import GENERATED_BASE_ID, iter_compact
from .generate import generated_record as build_generated_record

FIXTURES_VERSION = "4"
REGISTERED_BASE_ID = 700_000_000
# origin column: 0 generated, 1 registered through the API, 2 docs/demo fixtures (reset rewrites 1 and 2).
ORIGIN_SEED, ORIGIN_REGISTERED, ORIGIN_FIXTURE = 0, 1, 2
CARD_TYPES = ("cardnumber", "cardExternalId")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS customers(
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'active', doc TEXT);
CREATE INDEX IF NOT EXISTS customers_not_active ON customers(state) WHERE state <> 'active';
CREATE INDEX IF NOT EXISTS customers_materialized ON customers(kind) WHERE doc IS NOT NULL;
CREATE TABLE IF NOT EXISTS profiles(
    customer_id INTEGER NOT NULL, source TEXT NOT NULL, account_id TEXT NOT NULL,
    first_name TEXT, last_name TEXT, first_lc TEXT, last_lc TEXT, origin INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS profiles_first ON profiles(first_lc);
CREATE INDEX IF NOT EXISTS profiles_last ON profiles(last_lc);
CREATE INDEX IF NOT EXISTS profiles_origin ON profiles(origin) WHERE origin > 0;
CREATE TABLE IF NOT EXISTS identifiers(
    customer_id INTEGER NOT NULL, source TEXT NOT NULL, account_id TEXT NOT NULL, type TEXT NOT NULL,
    value TEXT NOT NULL, origin INTEGER NOT NULL DEFAULT 0, UNIQUE(source, account_id, type, value));
CREATE INDEX IF NOT EXISTS identifiers_type_value ON identifiers(type, value);
CREATE INDEX IF NOT EXISTS identifiers_value_lc ON identifiers(lower(value));
CREATE INDEX IF NOT EXISTS identifiers_origin ON identifiers(origin) WHERE origin > 0;
"""


def index_rows(record: dict[str, Any]) -> tuple[list[tuple], list[tuple]]:
    """(profile rows, identifier rows) that make a stored record findable by search and lookup."""
    cid = record["id"]
    prows, irows = [], []
    for p in record["profiles"]:
        first, last = p.get("firstName"), p.get("lastName")
        src, acc = p["source"], p.get("accountId") or ""
        prows.append((cid, src, acc, first, last, (first or "").lower() or None, (last or "").lower() or None))
        irows.extend((cid, src, acc, i["type"], str(i["value"])) for i in p.get("identifiers", []))
    for c in record.get("cardDetails", []):
        irows.append((cid, "", "", "cardnumber", c["cardNumber"]))
        if c.get("cardExternalId"):
            irows.append((cid, "", "", "cardExternalId", c["cardExternalId"]))
    return prows, irows


def prefix_bounds(q: str) -> tuple[str, str]:
    """[low, high) bounds that select every string starting with q (UTF-8 order equals code point order)."""
    return q, q[:-1] + chr(ord(q[-1]) + 1)


class Store:
    """The fake's state in one SQLite file that several worker processes may share."""

    def __init__(self, db_path: str | os.PathLike | None, config: dict[str, Any]) -> None:
        if db_path is None:
            db_path = os.path.join(tempfile.mkdtemp(prefix="fake-capillary-"), "fake-capillary.sqlite3")
        self.db_path = str(db_path)
        self.base_config = config
        self.config = config
        self.behaviour: dict[str, Any] = config["behaviour"]
        self._overrides_raw: str | None = None
        self._local = threading.local()
        self._reset_statements: list[str] = []
        self._init_db()

    # -- configuration overrides (shared by every process through the file) --------------------------------
    def refresh_config(self) -> None:
        """Apply overrides set through /__fake__/config (possibly by another process) on top of org.json."""
        row = self.conn.execute("SELECT value FROM meta WHERE key='config_overrides'").fetchone()
        raw = row[0] if row else None
        if raw != self._overrides_raw:
            self.config = merge_config(self.base_config, json.loads(raw) if raw else {})
            self.behaviour = self.config["behaviour"]
            self._overrides_raw = raw

    def set_config_overrides(self, overrides: dict[str, Any]) -> dict[str, Any]:
        """Merge overrides (e.g. {"behaviour": {"merged_victim_mode": "error"}}) into the stored ones."""
        with self.write() as c:
            row = c.execute("SELECT value FROM meta WHERE key='config_overrides'").fetchone()
            current = json.loads(row[0]) if row else {}
            merged = merge_config(current, overrides)
            c.execute("INSERT OR REPLACE INTO meta VALUES ('config_overrides', ?)", (json.dumps(merged),))
        self.refresh_config()
        return merged

    # -- connections -------------------------------------------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection (sqlite3 connections must not be shared across threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.db_path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA cache_size=-65536")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; BEGIN IMMEDIATE takes the write lock up front so check-then-insert is atomic."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _init_db(self) -> None:
        conn = self.conn
        conn.execute("PRAGMA journal_mode=WAL")
        with self.write() as c:
            for stmt in SCHEMA.split(";"):
                if stmt.strip():
                    c.execute(stmt)
            row = c.execute("SELECT value FROM meta WHERE key='fixtures'").fetchone()
            if row is None or row[0] != FIXTURES_VERSION:
                self._load_fixtures(c)

    def attach(self, schema: str, *, reset: str) -> None:
        """Create a table another module keeps in this file (faults, log, tokens); reset() runs its reset statement."""
        with self.write() as c:
            for stmt in schema.split(";"):
                if stmt.strip():
                    c.execute(stmt)
        self._reset_statements.append(reset)

    def _load_fixtures(self, c: sqlite3.Connection) -> None:
        c.execute("DELETE FROM profiles WHERE origin > 0")
        c.execute("DELETE FROM identifiers WHERE origin > 0")
        c.execute("DELETE FROM customers WHERE kind IN ('fixture', 'reg')")
        c.execute("UPDATE customers SET doc=NULL WHERE kind='gen' AND doc IS NOT NULL")
        for record in all_fixture_records():
            self._insert_record(c, record, kind="fixture", origin=ORIGIN_FIXTURE)
        c.execute("INSERT OR REPLACE INTO meta VALUES ('fixtures', ?)", (FIXTURES_VERSION,))

    def _insert_record(self, c: sqlite3.Connection, record: dict[str, Any], *, kind: str, origin: int) -> None:
        state = record["x"].get("state", "active")
        c.execute("INSERT INTO customers VALUES (?, ?, ?, ?)", (record["id"], kind, state, json.dumps(record)))
        prows, irows = index_rows(record)
        c.executemany("INSERT INTO profiles VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [(*r, origin) for r in prows])
        c.executemany("INSERT OR IGNORE INTO identifiers VALUES (?, ?, ?, ?, ?, ?)", [(*r, origin) for r in irows])

    # -- clock -------------------------------------------------------------------------------------------------
    def now(self) -> float:
        """The fake's clock: wall time plus the offset set through /__fake__/clock."""
        row = self.conn.execute("SELECT value FROM meta WHERE key='clock_offset'").fetchone()
        return time.time() + (float(row[0]) if row else 0.0)

    def set_clock_offset(self, seconds: float) -> None:
        """Move the fake's clock (token expiry) by seconds from wall time."""
        with self.write() as c:
            c.execute("INSERT OR REPLACE INTO meta VALUES ('clock_offset', ?)", (str(float(seconds)),))

    def today(self) -> datetime:
        """The fake's current UTC time."""
        return datetime.fromtimestamp(self.now(), tz=UTC)

    # -- reset and seed ----------------------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the initial state: fixtures restored, registrations and attached tables emptied; seed kept."""
        with self.write() as c:
            self._load_fixtures(c)
            for stmt in self._reset_statements:
                c.execute(stmt)
            c.execute("DELETE FROM meta WHERE key IN ('clock_offset', 'config_overrides')")
        self.refresh_config()

    def generated_count(self) -> int:
        """How many generated customers the file holds."""
        row = self.conn.execute("SELECT value FROM meta WHERE key='generated'").fetchone()
        return int(row[0]) if row else 0

    def seed(self, total: int, *, batch: int = 50_000, progress: Any = None) -> int:
        """Top the generated customers up to total (idempotent); returns how many were added."""
        start = self.generated_count()
        if total <= start:
            return 0
        conn = self.conn
        conn.execute("PRAGMA synchronous=OFF")  # seeding only: a crash just means seeding again
        conn.execute("PRAGMA cache_size=-1000000")
        try:
            n = start + 1
            while n <= total:
                stop = min(n + batch, total + 1)
                customers, profiles, idents = [], [], []
                for cid, prows, irows in iter_compact(n, stop):
                    customers.append((cid,))
                    profiles.extend(prows)
                    idents.extend(irows)
                with self.write() as c:
                    c.executemany("INSERT OR IGNORE INTO customers(id, kind) VALUES (?, 'gen')", customers)
                    c.executemany("INSERT INTO profiles VALUES (?, ?, ?, ?, ?, ?, ?, 0)", profiles)
                    c.executemany("INSERT OR IGNORE INTO identifiers VALUES (?, ?, ?, ?, ?, 0)", idents)
                    c.execute("INSERT OR REPLACE INTO meta VALUES ('generated', ?)", (str(stop - 1),))
                if progress:
                    progress(stop - 1)
                n = stop
        finally:
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA cache_size=-65536")
        return total - start

    # -- reads -------------------------------------------------------------------------------------------------
    def get_record(self, cid: int) -> dict[str, Any] | None:
        """The stored record of customer cid (generated ones rebuilt from the id), or None."""
        if not 0 < cid < 2**63:
            return None  # customer ids are Longs: anything larger is simply not a customer (SQLite would overflow)
        row = self.conn.execute("SELECT kind, doc FROM customers WHERE id=?", (cid,)).fetchone()
        if row is None:
            return None
        kind, doc = row
        if doc is not None:
            return json.loads(doc)
        if kind == "gen":
            return build_generated_record(cid)
        return None

    def find_identifier(self, id_type: str, value: str, source: str, account_id: str | None) -> tuple[int | None, bool]:
        """(customer id, found in another source only) for an exact identifier lookup."""
        rows = self.conn.execute(
            "SELECT customer_id, source, account_id FROM identifiers WHERE type=? AND value=?", (id_type, value)
        ).fetchall()
        if not rows:
            return None, False
        if id_type in CARD_TYPES or source == "ALL":
            return rows[0][0], False
        for cid, src, acc in rows:
            if src == source and (account_id is None or acc == account_id):
                return cid, False
        return None, True

    def search(self, q: str, limit: int, offset: int) -> tuple[int, list[int]]:
        """(total, page of customer ids) whose first name, last name or any identifier starts with q."""
        cap = int(self.behaviour["search_total_cap"])
        q = q.strip().lower()
        if not q:
            return 0, []
        lo, hi = prefix_bounds(q)
        c = self.conn
        ids: set[int] = set()
        for sql in (
            "SELECT customer_id FROM profiles WHERE first_lc >= ? AND first_lc < ? LIMIT ?",
            "SELECT customer_id FROM profiles WHERE last_lc >= ? AND last_lc < ? LIMIT ?",
            "SELECT customer_id FROM identifiers WHERE lower(value) >= ? AND lower(value) < ? LIMIT ?",
        ):
            ids.update(r[0] for r in c.execute(sql, (lo, hi, cap)))
        if " " in q:  # "first last" typed as one query
            first, rest = q.split(" ", 1)
            if rest:
                lo2, hi2 = prefix_bounds(rest)
                rows = c.execute(
                    "SELECT customer_id FROM profiles WHERE first_lc=? AND last_lc >= ? AND last_lc < ? LIMIT ?",
                    (first, lo2, hi2, cap),
                )
                ids.update(r[0] for r in rows)
        hidden = {
            r[0] for r in c.execute("SELECT id, state FROM customers WHERE state <> 'active'") if r[1] == "pii_deleted"
        }
        ordered = sorted(ids - hidden)[:cap]
        return len(ordered), ordered[offset : offset + limit]

    # -- writes of a registration (inside its write() transaction) ----------------------------------------------
    def identifier_owners(self, c: sqlite3.Connection, id_type: str, value: str) -> list[tuple[int, str, str]]:
        """(customer id, source, account id) of every holder of this exact identifier (cards: source "")."""
        return c.execute(
            "SELECT customer_id, source, account_id FROM identifiers WHERE type=? AND value=?", (id_type, value)
        ).fetchall()

    def next_registered_id(self, c: sqlite3.Connection) -> int:
        """The id of the next customer created through the API: one above the highest so far."""
        row = c.execute(
            "SELECT max(id) FROM customers WHERE id > ? AND id < ?",
            (REGISTERED_BASE_ID, REGISTERED_BASE_ID + 100_000_000),
        ).fetchone()
        return (row[0] or REGISTERED_BASE_ID) + 1

    def save_registered(
        self,
        c: sqlite3.Connection,
        cid: int,
        record: dict[str, Any],
        *,
        created: bool,
        profiles: list[dict[str, Any]],
        cards: list[dict[str, Any]],
    ) -> None:
        """Store a created (or extended) customer's document and index the profiles and cards it gained."""
        if created:
            c.execute("INSERT INTO customers VALUES (?, 'reg', 'active', ?)", (cid, json.dumps(record)))
        else:
            c.execute("UPDATE customers SET doc=? WHERE id=?", (json.dumps(record), cid))
        prows, irows = index_rows({"id": cid, "profiles": profiles, "cardDetails": cards})
        c.executemany("INSERT INTO profiles VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [(*r, ORIGIN_REGISTERED) for r in prows])
        c.executemany("INSERT INTO identifiers VALUES (?, ?, ?, ?, ?, ?)", [(*r, ORIGIN_REGISTERED) for r in irows])


def merge_config(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """base with overrides applied; nested objects (behaviour, registration, ...) merge one level deep."""
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **copy.deepcopy(value)}
        else:
            out[key] = copy.deepcopy(value)
    return out


def copy_record(record: dict[str, Any]) -> dict[str, Any]:
    """A deep copy, so rendering never mutates a cached record."""
    return copy.deepcopy(record)


__all__ = ["GENERATED_BASE_ID", "Store"]
