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
from pathlib import Path
from typing import Any

from . import control, errors, registration
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

    def _resolve(self, cid: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The record to show for cid plus warnings; PII-deleted, merged and unknown ids per org.json."""
        behaviour = self.config["behaviour"]
        record = self.store.get_record(cid)
        if record is None:
            raise self._item_error(8015)
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

    def _lookup_customer(self, req: Request) -> tuple[int, str, str | None]:
        q = req.query
        if not q.get("source") or not q.get("identifierName") or not q.get("identifierValue"):
            raise self._item_error(11013)
        sources = self.config["sources"]
        source = q["source"]
        if source not in sources["read_sources"]:
            raise self._item_error(8003)
        id_type = LOOKUP_IDENTIFIERS.get(q["identifierName"])
        if id_type is None:
            raise self._item_error(8013)
        account = q.get("accountId") or None
        if source not in ("INSTORE", "ALL") and account is None:
            # lookup-customer-details.txt (docs.capillarytech.com/reference/get-customer-details, api-notes 3.4):
            # accountId is mandatory for every source but InStore; RD answers 8015.
            raise self._item_error(int(self.config["behaviour"]["lookup_missing_account_code"]))
        cid, elsewhere = self.store.find_identifier(id_type, q["identifierValue"].strip(), source, account)
        if cid is None:
            raise self._item_error(8065 if elsewhere and id_type not in CARD_TYPES else 8015)
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
        """POST /v2/bulk/getCustomers: one item per id, in request order."""
        ids = req.json()
        if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise FakeError(400, 400, "Invalid Request: the body must be a JSON array of customer ids")
        if len(ids) > int(self.config["behaviour"]["bulk_limit"]):
            raise FakeError(400, 1060)
        opts = RenderOptions.from_query(req.query, today=self.store.today())
        # bulk-get-customers.txt (docs.capillarytech.com/reference/get-customers-bulk): its example returns WECHAT
        # profiles for source=WHATSAPP.
        opts.source, opts.account_id = "ALL", None
        items = []
        for cid in ids:
            try:
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
