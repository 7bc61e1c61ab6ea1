"""SQLite state of the fake (customers, identifier index, clock, config overrides) and the registration logic."""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import re
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from . import errors
from .demo import all_fixture_records
from .errors import FakeError
from .generate import GENERATED_BASE_ID, card, comm_channel, iter_compact, loyalty_attribution, profile, program_state
from .generate import generated_record as build_generated_record

FIXTURES_VERSION = "3"
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

EMAIL_RE = re.compile(r"^[A-Za-z0-9._+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+$")
MOBILE_RE = re.compile(r"^[1-9][0-9]{8,14}$")
INDIA_RE = re.compile(r"^91[6-9][0-9]{9}$")


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

    # -- registration ------------------------------------------------------------------------------------------
    def register(self, body: Any, *, user_context: dict[str, str], wait_for_downstream: bool) -> dict[str, Any]:
        """POST /v2/customers: validate, then create or extend a customer in one transaction."""
        profiles_in, warnings = self._validate_registration(body)
        ext, ext_warnings = self._validate_extended_fields(body.get("extendedFields") or {})
        warnings.extend(ext_warnings)
        item_status = int(self.behaviour["item_error_status"])
        now = self.today().replace(microsecond=0)
        with self.write() as c:
            existing: int | None = None
            for p in profiles_in:
                for id_type, value in p["identifiers"]:
                    if id_type in CARD_TYPES:
                        if c.execute("SELECT 1 FROM identifiers WHERE type=? AND value=?", (id_type, value)).fetchone():
                            raise FakeError(item_status, 3009)
                        continue
                    rows = c.execute(
                        "SELECT customer_id, source, account_id FROM identifiers WHERE type=? AND value=?",
                        (id_type, value),
                    ).fetchall()
                    for cid, src, acc in rows:
                        if src == p["source"] and acc == p["accountId"]:
                            raise FakeError(item_status, 8006)
                        existing = existing or cid
            if existing is not None:
                record = self.get_record(existing)
                assert record is not None
                if record["x"].get("state") == "merged" and record["x"].get("survivorId"):
                    existing = record["x"]["survivorId"]
                    record = self.get_record(existing)
                    assert record is not None
                have = {(q["source"], q.get("accountId") or "") for q in record["profiles"]}
                if any((p["source"], p["accountId"]) in have for p in profiles_in):
                    raise FakeError(item_status, 8006)
                cid = existing
                warnings.insert(0, errors.item(8050))
            else:
                row = c.execute(
                    "SELECT max(id) FROM customers WHERE id > ? AND id < ?",
                    (REGISTERED_BASE_ID, REGISTERED_BASE_ID + 100_000_000),
                ).fetchone()
                cid = (row[0] or REGISTERED_BASE_ID) + 1
                record = self._new_record(cid, body, ext, now)
            new_profiles = [self._build_profile(cid, p, now, user_context) for p in profiles_in]
            record["profiles"].extend(new_profiles)
            cards = [self._build_card(cid, p, i, now) for p in profiles_in for i in p["cards"]]
            record["cardDetails"].extend(cards)
            side_effects = self._enroll(record, body, now)
            if not self.config["registration"].get("default_status_label"):
                warnings.append(errors.item(8107))
            if existing is None:
                c.execute("INSERT INTO customers VALUES (?, 'reg', 'active', ?)", (cid, json.dumps(record)))
            else:
                c.execute("UPDATE customers SET doc=? WHERE id=?", (json.dumps(record), cid))
            index_record = {"id": cid, "profiles": new_profiles, "cardDetails": cards}
            prows, irows = index_rows(index_record)
            c.executemany("INSERT INTO profiles VALUES (?, ?, ?, ?, ?, ?, ?, 1)", prows)
            c.executemany("INSERT INTO identifiers VALUES (?, ?, ?, ?, ?, 1)", irows)
        if not wait_for_downstream:  # api-notes 2.5: loyalty runs in the background, no sideEffects returned
            side_effects = []
        elif existing is None and self.config["registration"].get("welcome_coupon"):
            side_effects.append(self._coupon(cid, now))
        return {"createdId": cid, "warnings": warnings, "sideEffects": side_effects}

    def _validate_registration(self, body: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        item_status = int(self.behaviour["item_error_status"])
        if not isinstance(body, dict) or not isinstance(body.get("profiles"), list) or not body["profiles"]:
            raise FakeError(400, 400, "Input is invalid. Please check request parameters or input xml/json")
        sources = self.config["sources"]
        reg = self.config["registration"]
        name_max = int(reg.get("name_max_length", 100))
        out = []
        for raw in body["profiles"]:
            if not isinstance(raw, dict):
                raise FakeError(400, 400, "Input is invalid. Please check request parameters or input xml/json")
            source = raw.get("source")
            if source not in sources["valid"]:
                raise FakeError(item_status, 3217)
            account = str(raw.get("accountId") or "")
            if source in sources["multi_account"] and not account:
                raise FakeError(item_status, 8045)
            if source not in sources["multi_account"]:
                account = ""
            idents: list[tuple[str, str]] = []
            cards: list[dict[str, Any]] = []
            for ident in raw.get("identifiers") or []:
                if not isinstance(ident, dict) or not ident.get("type") or ident.get("value") in (None, ""):
                    raise FakeError(400, 400, "Input is invalid. Please check request parameters or input xml/json")
                t, v = str(ident["type"]), str(ident["value"]).strip()
                if t == "mobile":
                    v = self._valid_mobile(v, item_status)
                elif t == "email":
                    if len(v) > int(reg.get("email_max_length", 255)) or not EMAIL_RE.match(v):
                        raise FakeError(item_status, 1002)
                elif t in ("cardnumber", "cardNumber"):
                    t = "cardnumber"
                    cards.append(ident)
                idents.append((t, v))
            if source == "INSTORE":
                self._check_mandatory(idents)
            elif not idents:
                raise FakeError(item_status, 1007)
            first, last = raw.get("firstName"), raw.get("lastName")
            out.append({
                "source": source, "accountId": account, "identifiers": idents, "cards": cards,
                "firstName": None if first is None else str(first)[:name_max],  # register-customer.txt: extra ignored
                "lastName": None if last is None else str(last)[:name_max],
                "fields": raw.get("fields") if isinstance(raw.get("fields"), dict) else {},
                "commChannels": raw.get("commChannels") if isinstance(raw.get("commChannels"), list) else [],
            })  # fmt: skip
        keys = [(p["source"], p["accountId"]) for p in out]
        if len(set(keys)) != len(keys):
            raise FakeError(item_status, 8006)
        return out, []

    def _valid_mobile(self, value: str, item_status: int) -> str:
        # customer_entity (api-notes 5.1): digits with country code; generic 9-15 digits, India 91 + [6-9] + 9 digits.
        if not MOBILE_RE.match(value) or (value.startswith("91") and len(value) == 12 and not INDIA_RE.match(value)):
            raise FakeError(item_status, 8014)
        return value

    def _check_mandatory(self, idents: list[tuple[str, str]]) -> None:
        reg = self.config["registration"]
        have = {t for t, _ in idents}
        style = reg.get("mandatory_error_style", "codes")
        item_status = int(self.behaviour["item_error_status"])

        def missing(field: str, code: int) -> FakeError:
            if style == "field_403":
                return FakeError(403, 403, f"Field {field} is mandatory")
            return FakeError(item_status, code)

        primary = reg.get("CONF_REGISTRATION_PRIMARY_KEY", "mobile")
        codes = {"mobile": 1006, "email": 1039, "externalId": 1043}
        if reg.get("CONF_ALLOW_REGISTRATION_FROM_ANY_IDENTIFIERS"):
            if not have & {"mobile", "email", "externalId", "cardnumber"}:
                raise FakeError(item_status, 1007)
        elif primary not in have:
            raise missing(primary, codes.get(primary, 1007))
        for key, field in (
            ("CONF_USERS_IS_MOBILE_REQUIRED", "mobile"),
            ("CONF_USERS_IS_EMAIL_REQUIRED", "email"),
            ("CONF_USERS_IS_EXTERNAL_ID_REQUIRED", "externalId"),
        ):
            if reg.get(key) and field not in have:
                raise missing(field, codes[field])

    def _validate_extended_fields(self, given: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Keep valid extended fields; each unknown or invalid one becomes warning 91015 (api-notes 5.2)."""
        if not isinstance(given, dict):
            return {}, [errors.item(91015)]
        defs = {f["name"]: f for f in self.config["extended_fields"].get("CUSTOMER", [])}
        kept, warnings = {}, []
        for name, value in given.items():
            d = defs.get(name)
            if d is None or not extended_value_ok(d, value):
                msg = f"field {name} length too long" if d and d.get("dataType") == "STRING" else None
                warnings.append(errors.item(91015, msg or f"{errors.MESSAGES[91015]}: {name}"))
                continue
            kept[name] = value
        return kept, warnings

    def _new_record(self, cid: int, body: dict[str, Any], ext: dict[str, Any], now: datetime) -> dict[str, Any]:
        loyalty_type = (body.get("loyaltyInfo") or {}).get("loyaltyType") or "loyalty"
        src = body["profiles"][0].get("source", "INSTORE").lower()
        return {
            "id": cid,
            "profiles": [],
            "loyaltyInfo": {
                "loyaltyType": loyalty_type,
                "attributionV2": loyalty_attribution(now, now, src),
                "lifetimePurchases": 0.0,
            },
            "segments": {},
            "associatedWith": body.get("associatedWith") or self.config["org"]["defaultTill"]["code"],
            "extendedFields": ext,
            "cardDetails": [],
            "x": {"state": "active", "programs": [], "statusLabel": body.get("statusLabel")},
        }

    def _build_profile(self, cid: int, p: dict[str, Any], now: datetime, ctx: dict[str, str]) -> dict[str, Any]:
        ids = [(t, v) for t, v in p["identifiers"] if t not in CARD_TYPES]
        channels = []
        for ch in p["commChannels"]:
            if isinstance(ch, dict) and ch.get("type") and ch.get("value"):
                cc = comm_channel(str(ch["type"]), str(ch["value"]), verified=truthy(ch.get("verified")))
                cc["primary"] = truthy(ch.get("primary", True))
                channels.append(cc)
        if not channels:
            channels = None
        prof = profile(
            cid, p["source"], p["accountId"], ids, first=p["firstName"], last=p["lastName"],
            created=now, modified=now, fields=p["fields"], channels=channels,
        )  # fmt: skip
        if ctx:
            prof["attribution"]["userContext"] = ctx  # fake-only: who registered, from USER-CONTEXT-* headers
        return prof

    def _build_card(self, cid: int, p: dict[str, Any], ident: dict[str, Any], now: datetime) -> dict[str, Any]:
        number = str(ident["value"]).strip()
        series_id = int(ident.get("seriesId") or 195)
        card_id = int(hashlib.md5(number.encode()).hexdigest()[:6], 16) + 2_000_000
        series = (series_id, str(ident.get("seriesCode") or f"series{series_id}"), f"Series {series_id}")
        c = card(cid, card_id, number, str(ident.get("statusLabel") or "ACTIVE"), now, series=series)
        if isinstance(ident.get("extendedFields"), dict):
            c["extendedFields"] = ident["extendedFields"]
        if isinstance(ident.get("customFields"), dict):
            c["customFields"] = ident["customFields"]
        return c

    def _enroll(self, record: dict[str, Any], body: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
        programs = {p["programId"]: p for p in self.config["programs"]}
        side_effects: list[dict[str, Any]] = []
        enrollments = body.get("loyaltyProgramEnrollments") or []
        if not enrollments and record["loyaltyInfo"]["loyaltyType"] == "loyalty" and not record["x"]["programs"]:
            default = next((p for p in self.config["programs"] if p.get("default")), None)
            if default:
                enrollments = [{"programId": default["programId"], "tierNumber": 1, "loyaltyPoints": 0}]
        have = {s["programId"] for s in record["x"]["programs"]}
        for e in enrollments if isinstance(enrollments, list) else []:
            if not isinstance(e, dict):
                continue
            pid = e.get("programId")
            cfg = programs.get(pid)
            if cfg is None or pid in have:
                continue
            tier = max(1, min(int(e.get("tierNumber") or 1), len(cfg["tiers"])))
            points = float(e.get("loyaltyPoints") or 0)
            expiry = parse_date(e.get("tierExpiryDate")) or now + timedelta(days=365)
            state = program_state(pid, tier, points, 0.0, expiry)
            state |= {"lifetimePoints": points, "redeemed": 0.0, "expired": 0.0}
            record["x"]["programs"].append(state)
            if points > 0:
                side_effects.append(
                    {"entityType": "USER", "rawAwardedPoints": points, "awardedPoints": int(points), "type": "points"}
                )
        return side_effects

    def _coupon(self, cid: int, now: datetime) -> dict[str, Any]:
        cfg = self.config["registration"]["welcome_coupon"]
        code = hashlib.sha1(f"{cid}".encode()).hexdigest()[:8].upper()
        valid = (now + timedelta(days=int(cfg.get("valid_days", 30)))).strftime("%Y-%m-%dT23:59:59Z")
        return {
            "id": 1_239_000_000 + cid % 1_000_000, "entityType": "USER", "couponType": cfg.get("couponType", "PE"),
            "couponCode": code, "validTill": valid, "description": cfg.get("description", "Welcome Offer"),
            "discountCode": cfg.get("discountCode", "NO_VALUE"), "trimmedCouponCode": code, "type": "coupon",
        }  # fmt: skip


def merge_config(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """base with overrides applied; nested objects (behaviour, registration, ...) merge one level deep."""
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **copy.deepcopy(value)}
        else:
            out[key] = copy.deepcopy(value)
    return out


def truthy(value: Any) -> bool:
    """Capillary accepts booleans as JSON booleans or as the strings "true"/"false" (register-customer.txt)."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def parse_date(value: Any) -> datetime | None:
    """An ISO date-time such as 2024-05-11T16:36:17+05:30, in UTC; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)


def extended_value_ok(definition: dict[str, Any], value: Any) -> bool:
    """Whether value fits the extended field's dataType (and possibleValues for enums)."""
    kind = definition.get("dataType")
    if kind in ("STANDARD_ENUM", "CUSTOM_ENUM"):
        return value in definition.get("possibleValues", [])
    if kind == "INTEGER":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, str) and value.lstrip("-").isdigit()
        )
    if kind == "DOUBLE":
        try:
            float(value)
        except (TypeError, ValueError):
            return False
        return not isinstance(value, bool)
    if kind == "DATETIME":
        return isinstance(value, str) and (
            parse_date(value) is not None or bool(re.match(r"^\d{4}/\d{2}/\d{2}$", value))
        )
    if kind == "COUNTRY":
        return isinstance(value, str) and 2 <= len(value) <= 60
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return False
    return len(str(value)) <= int(definition.get("maxLength", 255))


def copy_record(record: dict[str, Any]) -> dict[str, Any]:
    """A deep copy, so rendering never mutates a cached record."""
    return copy.deepcopy(record)


__all__ = ["GENERATED_BASE_ID", "Store"]
