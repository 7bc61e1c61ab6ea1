"""The fake Capillary as a plain WSGI app: routing, authentication, faults and the request log around each handler."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import control, coupons, errors, ledger, registration, transactions
from .activity import Activity, build_activity
from .errors import FakeError
from .faults import Faults
from .requestlog import RequestLog
from .responses import RenderOptions, render_customer, search_entry, select_profiles
from .store import CARD_TYPES, Store
from .tokens import Tokens
from .wsgi import Request, Response, send

DEFAULT_CONFIG = Path(__file__).with_name("org.json")
LOOKUP_IDENTIFIERS = {
    "cardnumber": "cardnumber", "mobile": "mobile", "email": "email", "externalId": "externalId",
    "wechat": "wechat", "cardExternalId": "cardExternalId", "line": "line",
}  # fmt: skip


@dataclass(frozen=True)
class LookupRules:
    """How one API resolves identifierName/identifierValue/source, and the (code, message) of each failure.

    The docs give each API its own table, so the same mistake gets a different code on a different endpoint.
    """

    names: dict[str, str]  # identifierName -> stored identifier type ("id": the customer id itself)
    missing: tuple[int, str | None]  # identifierName or identifierValue missing
    missing_source: tuple[int, str | None]
    bad_source: tuple[int, str | None]
    bad_name: tuple[int, str | None]
    not_found: tuple[int, str | None]
    not_found_key: str | None = None  # a behaviour key that overrides not_found's code
    elsewhere: tuple[int, str | None] | None = None  # found only in another source; None: as not_found
    bad_id: tuple[int, str | None] | None = None  # identifierName=id with an unknown or non-numeric id


# lookup-customer-details.txt (docs.capillarytech.com/reference/get-customer-details) and api-notes 3.4.
CUSTOMER_LOOKUP = LookupRules(
    names=LOOKUP_IDENTIFIERS, missing=(11013, None), missing_source=(11013, None), bad_source=(8003, None),
    bad_name=(8013, None), not_found=(8015, None), elsewhere=(8065, None),
)  # fmt: skip
# activity-api.md §1.2 (docs.capillarytech.com/reference/get-customers-lookup-transactions): its own table.
TRANSACTIONS_LOOKUP = LookupRules(
    names={**LOOKUP_IDENTIFIERS, "id": "id"}, missing=(8130, None),
    missing_source=(8003, "Source information is missing."), bad_source=(8003, "Invalid source"), bad_name=(8013, None),
    not_found=(1011, None),
)  # fmt: skip
# activity-api.md §2.1 (docs.capillarytech.com/reference/get-ledger-information): 11012 for a wrong userId, 8013 for a
# wrong identifier type; 11013 (missing) as §2.3 (docs.capillarytech.com/reference/get-points-ledger-explode-info)
# lists it; a miss by another identifier gets behaviour.ledger_not_found_code.
LEDGER_LOOKUP = LookupRules(
    names={"id": "id", "email": "email", "mobile": "mobile", "externalId": "externalId", "cardnumber": "cardnumber",
           "cardExternalId": "cardExternalId"},
    missing=(11013, None), missing_source=(11013, None), bad_source=(8003, None),
    bad_name=(8013, "Lookup, Invalid identifier passed"), not_found=(8015, None),
    not_found_key="ledger_not_found_code", bad_id=(11012, None),
)  # fmt: skip
# activity-api.md §3.1 (docs.capillarytech.com/reference/get-points-expiry-schedule): 8003, 8130, 8015.
EXPIRY_LOOKUP = LookupRules(
    names={"mobile": "mobile", "email": "email", "externalId": "externalId", "cardnumber": "cardnumber",
           "cardExternalId": "cardExternalId", "wechat": "wechat", "martjackId": "martjackId", "fbId": "fbId"},
    missing=(8130, "Lookup,Invalid Params passed"), missing_source=(8003, None), bad_source=(8003, None),
    bad_name=(8130, "Lookup,Invalid Params passed"), not_found=(8015, None),
)  # fmt: skip
USER_CONTEXT = {
    "HTTP_USER_CONTEXT_ENTITY_TYPE": "entityType",
    "HTTP_USER_CONTEXT_ENTITY_ID": "entityId",
    "HTTP_USER_CONTEXT_ENTITY_SOURCE": "entitySource",
    "HTTP_USER_CONTEXT_ENTITY_SOURCE_ID": "entitySourceId",
}


class FakeCapillary:
    """The WSGI application; app.store is its state."""

    def __init__(self, *, db_path: str | os.PathLike | None = None, config_path: str | None = None) -> None:
        self.config_path = Path(config_path) if config_path else DEFAULT_CONFIG
        base = json.loads(self.config_path.read_text(encoding="utf-8"))
        self.base_config = base
        self.store = Store(db_path, base)
        self.faults = Faults(self.store)
        self.request_log = RequestLog(self.store)
        self.tokens = Tokens(self.store)
        self.sleep: Callable[[float], None] = time.sleep
        self.routes: list[tuple[str, re.Pattern[str], Callable[..., Response], bool]] = [
            ("POST", re.compile(r"^/v3/oauth/token/generate$"), self.token, False),
            ("GET", re.compile(r"^/v2/customers/lookup/customerDetails$"), self.lookup_details, True),
            ("GET", re.compile(r"^/v2/customers/lookup$"), self.lookup_id, True),
            ("GET", re.compile(r"^/v2/customers/search$"), self.search, True),
            ("GET", re.compile(r"^/v2/customers/lookup/transactions$"), self.transactions_by_lookup, True),
            ("GET", re.compile(r"^/v2/customers/lookup/pointsExpirySchedule$"), self.expiry_by_lookup, True),
            ("GET", re.compile(r"^/v2/customers/coupons$"), self.customer_coupons, True),
            ("GET", re.compile(r"^/v2/customers/(?P<cid>\d+)/transactions$"), self.transactions_by_id, True),
            ("GET", re.compile(r"^/v2/customers/(?P<cid>\d+)/pointsExpirySchedule$"), self.expiry_by_id, True),
            ("GET", re.compile(r"^/v2/transactions/(?P<tid>[^/]+)$"), self.transaction_get, True),
            ("GET", re.compile(r"^/v2/pointsLedger/getCustomerLedgerInfo$"), self.ledger_info, True),
            ("GET", re.compile(r"^/v2/pointsLedger/getCustomerLedgerBalance$"), self.ledger_balance, True),
            ("GET", re.compile(r"^/v2/customers/(?P<cid>[^/]+)$"), self.get_by_id, True),
            ("POST", re.compile(r"^/v2/customers$"), self.register, True),
            ("POST", re.compile(r"^/v2/bulk/getCustomers$"), self.bulk, True),
            ("GET", re.compile(r"^/v2/extendedFields$"), self.extended_fields, True),
            ("GET", re.compile(r"^/v2/organization/programs$"), self.programs, True),
        ]

    @property
    def config(self) -> dict[str, Any]:
        """The org configuration in force (org.json plus overrides from /__fake__/config)."""
        return self.store.config

    # -- WSGI entry --------------------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        req = Request(environ)
        self.store.refresh_config()
        if req.path.startswith("/__fake__/") or req.path == "/__fake__":
            status, body, headers = control.handle(
                req, store=self.store, faults=self.faults, request_log=self.request_log
            )
            return send(start_response, req, status, body, headers)
        fault = self.faults.take(req.method, req.path)
        when_after = bool(fault and fault.get("when") == "after")
        principal = None
        if fault and not when_after:
            faulted = self._apply_fault(fault)
            if faulted is not None:
                return self._finish(start_response, req, faulted, fault, principal)
        try:
            status, body, headers, principal = self._dispatch(req)
        except FakeError as exc:
            status, body, headers = exc.status, exc.body(), {}
        if fault and when_after:
            faulted = self._apply_fault(fault)
            if faulted is not None:
                return self._finish(start_response, req, faulted, fault, principal)
        return self._finish(start_response, req, (status, body, headers), fault, principal)

    def _dispatch(self, req: Request) -> tuple[int, Any, dict[str, str], str | None]:
        allowed = False
        for method, pattern, handler, needs_auth in self.routes:
            m = pattern.match(req.path)
            if not m:
                continue
            allowed = True
            if method != req.method:
                continue
            principal = self.authenticate(req) if needs_auth else None
            if req.method == "POST" and req.body:
                ctype = req.header("Content-Type") or ""
                if ctype and "json" not in ctype.lower():
                    raise FakeError(415, 415, errors.STATUS_MESSAGES[415])
            status, body, headers = handler(req, **m.groupdict())
            return status, body, headers, principal
        if allowed:
            raise FakeError(405, 405, errors.STATUS_MESSAGES[405])
        raise FakeError(404, 404, f"Resource not found: {req.method} {req.path}")

    def _apply_fault(self, fault: dict[str, Any]) -> Response | None:
        """Sleep and/or build the faulty response; None when the fault only adds latency."""
        delay = float(fault.get("delay_ms") or 0) / 1000
        if fault.get("timeout"):
            delay = float(fault.get("delay_ms") or self.config["behaviour"]["timeout_fault_default_ms"]) / 1000
        if delay > 0:
            self.sleep(delay)
        headers: dict[str, str] = {}
        if fault.get("retry_after") is not None:
            headers["Retry-After"] = str(fault["retry_after"])
        if fault.get("malformed"):
            return int(fault.get("status") or 200), b'{"data": [{"entity": {"id": 1, <html>upstream reset', headers
        if fault.get("raw_body") is not None:
            # Something that is not Capillary answering: a proxy's HTML error page, or an empty body.
            headers["Content-Type"] = str(fault.get("content_type") or "text/html; charset=utf-8")
            return int(fault.get("status") or 200), str(fault["raw_body"]).encode("utf-8"), headers
        if fault.get("timeout"):
            status = int(fault.get("status") or 504)
            return status, errors.envelope([errors.item(status, errors.STATUS_MESSAGES.get(status, ""))]), headers
        if fault.get("status"):
            status = int(fault["status"])
            body = (
                fault["body"]
                if fault.get("body") is not None
                else errors.envelope([errors.item(status, errors.STATUS_MESSAGES.get(status, "Injected fault"))])
            )
            return status, body, headers
        if headers:
            return None
        return None

    def _finish(
        self,
        start_response: Callable[..., Any],
        req: Request,
        response: Response,
        fault: dict[str, Any] | None,
        principal: str | None,
    ) -> Iterable[bytes]:
        status, body, headers = response
        self.request_log.record(req, status, fault, principal)
        return send(start_response, req, status, body, headers)

    # -- auth --------------------------------------------------------------------------------------------------
    def authenticate(self, req: Request) -> str:
        """Basic (till + md5 password) or an OAuth token; 401 in Capillary's envelope otherwise."""
        token = req.header("X-CAP-API-OAUTH-TOKEN") or req.header("CAP-API-ACCESS-TOKEN")
        if token:
            if self.tokens.valid(token.strip()):
                return "oauth"
            raise FakeError(401, 401, "Invalid or expired OAuth token")
        auth = req.header("Authorization") or ""
        if not auth.lower().startswith("basic "):
            raise FakeError(401, 401, "Authentication required: send Basic credentials or an OAuth token")
        try:
            user, _, hashed = base64.b64decode(auth[6:].strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise FakeError(401, 401, "Invalid Basic authorization header") from None
        for till in self.config["auth"]["tills"]:
            # basic-authentication (api-notes 2.1, docs.capillarytech.com/reference/basic-authentication): the
            # password travels as its lower-case md5 hex.
            if till["username"] == user and hashlib.md5(till["password"].encode()).hexdigest() == hashed.lower():
                return f"basic:{user}"
        raise FakeError(401, 401, "Invalid username or password")

    def token(self, req: Request) -> Response:
        """POST /v3/oauth/token/generate."""
        data = req.json()
        if isinstance(data, dict):
            for client in self.config["auth"]["oauth_clients"]:
                if data.get("key") == client["key"] and data.get("secret") == client["secret"]:
                    token, ttl = self.tokens.issue(client)
                    return 200, {"data": {"accessToken": token, "ttlSeconds": ttl}, "errors": None}, {}
        # oauth page (api-notes 2.2, docs.capillarytech.com/reference/oauth): the only documented failure text;
        # status and body shape are our choice (README).
        return 401, {"data": None, "errors": [errors.item(401, "Failed to generate OAuth token")]}, {}

    # -- customers ---------------------------------------------------------------------------------------------
    def _item_error(self, code: int, message: str | None = None) -> FakeError:
        return FakeError(int(self.config["behaviour"]["item_error_status"]), code, message)

    def _resolve(
        self, cid: int, not_found: tuple[int, str | None] = (8015, None)
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The record to show for cid plus warnings; PII-deleted, merged and unknown ids per org.json."""
        behaviour = self.config["behaviour"]
        record = self.store.get_record(cid)
        if record is None:
            raise self._item_error(*not_found)
        x = record.get("x", {})
        if x.get("state") == "pii_deleted":
            raise self._item_error(int(behaviour["pii_deleted_code"]), errors.PII_DELETED_MESSAGE)
        if x.get("state") == "merged":
            if behaviour["merged_victim_mode"] != "survivor" or not x.get("survivorId"):
                raise self._item_error(8069)
            survivor = self.store.get_record(int(x["survivorId"]))
            if survivor is None:
                raise self._item_error(8069)
            return survivor, [errors.item(91009)]
        return record, []

    def _read_source(self, req: Request, *, lookup: bool) -> tuple[str, str | None]:
        sources = self.config["sources"]
        source = req.query.get("source", "")
        if source not in sources["read_sources"]:
            raise self._item_error(8003 if lookup else 8012)
        account = req.query.get("accountId") or None
        if source in sources["multi_account"] and account is None:
            raise self._item_error(8045)
        return source, account

    def _render(self, req: Request, record: dict[str, Any], warnings: list, source: str, account: str | None, *,
                lookup: bool = False) -> dict[str, Any]:  # fmt: skip
        opts = RenderOptions.from_query(req.query, today=self.store.today())
        opts.source, opts.account_id = source, account
        profiles = select_profiles(record, opts, set(self.config["sources"]["multi_account"]))
        if not profiles:
            raise self._item_error(8065)
        body = render_customer(record, opts, self.config, profiles=profiles, lookup=lookup)
        body["warnings"] = warnings
        return body

    def get_by_id(self, req: Request, cid: str) -> Response:
        """GET /v2/customers/{id}."""
        if not cid.isdigit():
            # get-customer-by-id.txt (docs.capillarytech.com/reference/get-customer-details-v2):
            # "400 Bad Request with Blank response" when no valid identifier is passed.
            return 400, None, {}
        source, account = self._read_source(req, lookup=False)
        RenderOptions.from_query(req.query, today=self.store.today())  # validate gap params before the lookup
        record, warnings = self._resolve(int(cid))
        return 200, self._render(req, record, warnings, source, account), {}

    def _lookup_customer(
        self, req: Request, rules: LookupRules = CUSTOMER_LOOKUP, *, source_required: bool = True
    ) -> tuple[int, str, str | None]:
        """(customer id, source, accountId) of identifierName/identifierValue/source, or the rules' error."""
        q = req.query
        if source_required and not q.get("source"):
            raise self._item_error(*rules.missing_source)
        if not q.get("identifierName") or not q.get("identifierValue"):
            raise self._item_error(*rules.missing)
        sources = self.config["sources"]
        source = q.get("source") or "ALL"
        if source not in sources["read_sources"]:
            raise self._item_error(*rules.bad_source)
        id_type = rules.names.get(q["identifierName"])
        if id_type is None:
            raise self._item_error(*rules.bad_name)
        not_found = rules.not_found
        if rules.not_found_key:
            not_found = (int(self.config["behaviour"][rules.not_found_key]), None)
        value = q["identifierValue"].strip()
        if id_type == "id":
            if value.isdigit() and self.store.get_record(int(value)) is not None:
                return int(value), source, q.get("accountId") or None
            raise self._item_error(*(rules.bad_id or not_found))
        account = q.get("accountId") or None
        if source not in ("INSTORE", "ALL") and account is None:
            # lookup-customer-details.txt (docs.capillarytech.com/reference/get-customer-details, api-notes 3.4):
            # accountId is mandatory for every source but InStore; RD answers 8015.
            raise self._item_error(int(self.config["behaviour"]["lookup_missing_account_code"]))
        cid, elsewhere = self.store.find_identifier(id_type, value, source, account)
        if cid is None:
            if elsewhere and id_type not in CARD_TYPES and rules.elsewhere:
                raise self._item_error(*rules.elsewhere)
            raise self._item_error(*not_found)
        return cid, source, account

    def lookup_details(self, req: Request) -> Response:
        """GET /v2/customers/lookup/customerDetails."""
        RenderOptions.from_query(req.query, today=self.store.today())
        cid, source, account = self._lookup_customer(req)
        record, warnings = self._resolve(cid)
        return 200, self._render(req, record, warnings, source, account, lookup=True), {}

    def lookup_id(self, req: Request) -> Response:
        """GET /v2/customers/lookup: identifier to customer id (api-notes 4.3)."""
        # api-notes 4.3 cites docs.capillarytech.com/reference/get-customer-id.
        cid, _, _ = self._lookup_customer(req)
        record, warnings = self._resolve(cid)
        return 200, {"entity": record["id"], "warnings": warnings}, {}

    def search(self, req: Request) -> Response:
        """GET /v2/customers/search?q=&limit=&offset=."""
        behaviour = self.config["behaviour"]
        try:
            limit = int(req.query.get("limit") or behaviour["search_default_limit"])
            offset = int(req.query.get("offset") or 0)
        except ValueError:
            raise FakeError(400, 400, "limit and offset must be integers") from None
        if limit < 1 or offset < 0:
            raise FakeError(400, 400, "limit must be positive and offset not negative")
        limit = min(limit, int(behaviour["search_max_limit"]))
        q = req.query.get("q", "")
        total, ids = self.store.search(q, limit, offset)
        data = []
        for cid in ids:
            record = self.store.get_record(cid)
            if record is not None:
                data.append(search_entry(record, q))
        body = {"pagination": {"limit": limit, "offset": offset, "total": total}, "data": data, "warnings": [],
                "errors": []}  # fmt: skip
        return 200, body, {}

    def bulk(self, req: Request) -> Response:
        """POST /v2/bulk/getCustomers: one item per id (or per identifier value), in request order."""
        body = req.json()
        name = req.query.get("identifierName")
        if name and isinstance(body, list) and body and all(isinstance(v, str) for v in body):
            return self._bulk_by_identifier(req, name, body)
        if not isinstance(body, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in body):
            raise FakeError(400, 400, "Invalid Request: the body must be a JSON array of customer ids")
        return self._bulk_items(req, body, lambda cid: cid)

    def _bulk_by_identifier(self, req: Request, name: str, values: list[str]) -> Response:
        """The fake's reading of identifierName with a body of values (the docs do not say how the two combine:
        api-notes §4.4): each value looked up as that identifier, as lookup/customerDetails would with source=ALL.
        behaviour.bulk_identifier_names lists the names taken; [] answers 400, as a cluster that takes ids only."""
        allowed = self.config["behaviour"].get("bulk_identifier_names", [])
        if not allowed:
            raise FakeError(400, 400, "Invalid Request: the body must be a JSON array of customer ids")
        if name not in allowed or name not in LOOKUP_IDENTIFIERS:
            raise self._item_error(8013)

        def find(value: str) -> int | None:
            cid, _ = self.store.find_identifier(LOOKUP_IDENTIFIERS[name], value.strip(), "ALL", None)
            return cid

        return self._bulk_items(req, values, find)

    def _bulk_items(self, req: Request, keys: list, find: Callable[[Any], int | None]) -> Response:
        if len(keys) > int(self.config["behaviour"]["bulk_limit"]):
            raise FakeError(400, 1060)
        opts = RenderOptions.from_query(req.query, today=self.store.today())
        # bulk-get-customers.txt (docs.capillarytech.com/reference/get-customers-bulk): its example returns WECHAT
        # profiles for source=WHATSAPP.
        opts.source, opts.account_id = "ALL", None
        items = []
        for key in keys:
            try:
                cid = find(key)
                if cid is None:
                    raise self._item_error(8015)
                record, warnings = self._resolve(cid)
            except FakeError as exc:
                items.append({"entity": None, "warnings": [], "errors": [errors.item(exc.code, exc.message)],
                              "success": False})  # fmt: skip
                continue
            entity = render_customer(record, opts, self.config, profiles=record["profiles"], with_warnings=False)
            items.append({"entity": entity, "warnings": warnings, "errors": [], "success": True})
        return 200, {"data": items, "warnings": [], "errors": []}, {}

    def register(self, req: Request) -> Response:
        """POST /v2/customers."""
        body = req.json()
        ctx = {key: req.environ[env] for env, key in USER_CONTEXT.items() if req.environ.get(env)}
        wait = (req.header("WAIT_FOR_DOWNSTREAM") or "true").strip().lower() != "false"
        return 200, registration.register(self.store, body, user_context=ctx, wait_for_downstream=wait), {}

    # -- activity: transactions, points, coupons ---------------------------------------------------------------
    def _activity(self, record: dict[str, Any]) -> Activity:
        return build_activity(record, self.config, self.store.today())

    def _profile(self, record: dict[str, Any], source: str, account: str | None) -> dict[str, Any] | None:
        """The profile a read in this source shows (the first one for ALL)."""
        if source == "ALL":
            return record["profiles"][0] if record["profiles"] else None
        return next((p for p in record["profiles"] if p["source"] == source
                     and (account is None or (p.get("accountId") or None) in (None, account))), None)  # fmt: skip

    def _transactions(self, req: Request, record: dict[str, Any], warnings: list, *, page_numbers: bool) -> Response:
        behaviour = self.config["behaviour"]
        query = transactions.parse_list_query(req.query, behaviour)
        rows = transactions.select(self._activity(record), query)
        # activity-api.md §1.1 (docs.capillarytech.com/reference/v2api-get-customer-transactions) calls offset a
        # record offset; §1.2 (docs.capillarytech.com/reference/get-customers-lookup-transactions) a page number.
        start = query.offset * query.limit if page_numbers else query.offset
        body = transactions.list_body(
            rows[start : start + query.limit], len(rows), query, offset_echo=query.offset, customer_id=record["id"],
            config=self.config, warnings=warnings,
        )  # fmt: skip
        return 200, body, {}

    def transactions_by_id(self, req: Request, cid: str) -> Response:
        """GET /v2/customers/{id}/transactions (offset counts records)."""
        transactions.parse_list_query(req.query, self.config["behaviour"])  # parameters before the customer
        code = int(self.config["behaviour"]["transactions_by_id_not_found_code"])
        record, warnings = self._resolve(int(cid), (code, None))
        return self._transactions(req, record, warnings, page_numbers=False)

    def transactions_by_lookup(self, req: Request) -> Response:
        """GET /v2/customers/lookup/transactions (offset is a page number, as its page says)."""
        behaviour = self.config["behaviour"]
        transactions.parse_list_query(req.query, behaviour)
        required = bool(behaviour["transactions_lookup_source_required"])
        cid, _, _ = self._lookup_customer(req, TRANSACTIONS_LOOKUP, source_required=required)
        record, warnings = self._resolve(cid, TRANSACTIONS_LOOKUP.not_found)
        non_loyalty = behaviour.get("transactions_lookup_non_loyalty_code")
        if non_loyalty and record["loyaltyInfo"].get("loyaltyType") == "non_loyalty":
            # activity-api.md §1.2 (docs.capillarytech.com/reference/get-customers-lookup-transactions) lists 1013
            # "Customer is not registered for the loyalty program".
            raise self._item_error(int(non_loyalty))
        return self._transactions(req, record, warnings, page_numbers=behaviour["transactions_lookup_offset"] == "page")

    def transaction_get(self, req: Request, tid: str) -> Response:
        """GET /v2/transactions/{id}: the id is type-specific (type=RETURN for a return).

        activity-api.md §1.3 (docs.capillarytech.com/reference/get-transaction-details).
        """
        kind = (req.query.get("type") or "REGULAR").strip().upper()
        if kind not in transactions.GET_TYPES:
            raise self._item_error(605)
        not_found = (int(self.config["behaviour"]["transaction_not_found_code"]), None)
        if not tid.isdigit():
            raise self._item_error(*not_found)
        # Ids carry their customer: bills are customer*1000+k, returns customer*10+j (activity.py).
        cid = int(tid) // (10 if kind.endswith("RETURN") else 1000)
        record = self.store.get_record(cid)
        if record is None or record.get("x", {}).get("state") != "active":
            raise self._item_error(*not_found)
        found = transactions.find(self._activity(record), int(tid), kind)
        if found is None:
            raise self._item_error(*not_found)
        return 200, transactions.transaction_body(found, req.query, customer_id=cid, config=self.config), {}

    def ledger_info(self, req: Request) -> Response:
        """GET /v2/pointsLedger/getCustomerLedgerInfo."""
        now = self.store.today()
        query = ledger.parse_ledger_query(req.query, self.config, balance=False, now=now)
        cid, source, account = self._lookup_customer(req, LEDGER_LOOKUP)
        record, warnings = self._resolve(cid)
        body = ledger.info_body(record, self._profile(record, source, account), self._activity(record), query,
                                self.config, warnings)  # fmt: skip
        return 200, body, {}

    def ledger_balance(self, req: Request) -> Response:
        """GET /v2/pointsLedger/getCustomerLedgerBalance."""
        now = self.store.today()
        query = ledger.parse_ledger_query(req.query, self.config, balance=True, now=now)
        cid, _, _ = self._lookup_customer(req, LEDGER_LOOKUP)
        record, warnings = self._resolve(cid)
        return 200, ledger.balance_body(record, self._activity(record), query, self.config, warnings), {}

    def _expiry(self, req: Request, record: dict[str, Any], warnings: list) -> Response:
        today = self.store.today()
        body = ledger.expiry_body(record, self._activity(record), req.query, self.config, today=today.date(),
                                  warnings=warnings)  # fmt: skip
        return 200, body, {}

    def expiry_by_id(self, req: Request, cid: str) -> Response:
        """GET /v2/customers/{userId}/pointsExpirySchedule."""
        record, warnings = self._resolve(int(cid))
        return self._expiry(req, record, warnings)

    def expiry_by_lookup(self, req: Request) -> Response:
        """GET /v2/customers/lookup/pointsExpirySchedule."""
        cid, _, _ = self._lookup_customer(req, EXPIRY_LOOKUP)
        record, warnings = self._resolve(cid)
        return self._expiry(req, record, warnings)

    def customer_coupons(self, req: Request) -> Response:
        """GET /v2/customers/coupons?mobile|email|external_id|id=: the v2 basic coupon list.

        activity-api.md §5.1 (docs.capillarytech.com/reference/get-customer-coupons-basic).
        """
        not_found = (int(self.config["behaviour"]["coupon_not_found_code"]), None)
        found = coupons.identifier(req.query)
        if found is None:
            raise self._item_error(*not_found)
        kind, value = found
        if kind == "id":
            cid = int(value) if value.isdigit() else None
        else:
            cid, _ = self.store.find_identifier(kind, value, "ALL", None)
        if cid is None:
            raise self._item_error(*not_found)
        record, warnings = self._resolve(cid, not_found)
        body = coupons.body(record, self._activity(record), req.query, self.config, now=self.store.today(),
                            warnings=warnings)  # fmt: skip
        return 200, body, {}

    def extended_fields(self, req: Request) -> Response:
        """GET /v2/extendedFields."""
        entity: dict[str, list[dict[str, Any]]] = {}
        for kind, fields in self.config["extended_fields"].items():
            entity[kind] = []
            for f in fields:
                item = {
                    "name": f["name"], "createdBy": -1, "createdOn": "2017-04-12", "modifiedBy": -1,
                    "modifiedOn": "2017-04-12", "label": f["label"], "entityType": kind, "dataType": f["dataType"],
                }  # fmt: skip
                if "possibleValues" in f:
                    item["possibleValues"] = list(f["possibleValues"])  # not in the docs: enum values, see README
                entity[kind].append(item)
        return 200, {"entity": entity, "warnings": [], "errors": [], "success": True}, {}

    def programs(self, req: Request) -> Response:
        """GET /v2/organization/programs (tiers added: see README)."""
        data = []
        for p in self.config["programs"]:
            data.append({
                "programId": p["programId"], "programName": p["programName"],
                "pointsToCurrencyRatio": p["pointsToCurrencyRatio"], "programDescription": p["programDescription"],
                "partnerPrograms": p.get("partnerPrograms", []), "default": bool(p.get("default")),
                "tiers": [{"serialNumber": t["serialNumber"], "name": t["name"], "description": t["description"]}
                          for t in p["tiers"]],
            })  # fmt: skip
        return 200, {"data": data, "warnings": [], "errors": []}, {}


def create_app(*, db_path: str | os.PathLike | None = None, config_path: str | None = None) -> FakeCapillary:
    """A fake Capillary WSGI app on db_path (None: a private temp file) with org.json or config_path."""
    return FakeCapillary(db_path=db_path, config_path=config_path)
