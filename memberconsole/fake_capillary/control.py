"""The control plane under /__fake__/ (no auth): reset, faults, request log, health, seed, clock, config."""

from __future__ import annotations

import re
import time
from typing import Any

from .errors import FakeError, envelope, item
from .faults import Faults
from .requestlog import RequestLog
from .store import Store
from .wsgi import VERSION, Request, Response

FAULT_DEFAULTS: dict[str, Any] = {
    "path": None, "method": None, "status": None, "delay_ms": 0, "timeout": False, "malformed": False, "count": 1,
    "when": "before", "retry_after": None, "body": None, "raw_body": None, "content_type": None,
}  # fmt: skip


def handle(req: Request, *, store: Store, faults: Faults, request_log: RequestLog) -> Response:
    """Answer one control request; errors come back in the same envelope as the API's."""
    try:
        return _route(req, store, faults, request_log)
    except FakeError as exc:
        return exc.status, exc.body(), {}


def _route(req: Request, store: Store, faults: Faults, request_log: RequestLog) -> Response:
    key = (req.method, req.path.rstrip("/"))
    if key == ("POST", "/__fake__/reset"):
        store.reset()
        return 200, {"reset": True}, {}
    if key == ("GET", "/__fake__/health"):
        return 200, {"status": "ok", "version": VERSION, "generatedCustomers": store.generated_count()}, {}
    if key == ("POST", "/__fake__/faults"):
        return 201, _add_fault(faults, req.json()), {}
    if key == ("GET", "/__fake__/faults"):
        return 200, {"faults": faults.active()}, {}
    if key == ("DELETE", "/__fake__/faults"):
        faults.clear()
        return 200, {"faults": []}, {}
    if key == ("GET", "/__fake__/requests"):
        entries = request_log.entries()
        if req.query.get("path"):
            entries = [e for e in entries if e["path"].startswith(req.query["path"])]
        if req.query.get("method"):
            entries = [e for e in entries if e["method"] == req.query["method"].upper()]
        return 200, {"requests": entries}, {}
    if key == ("DELETE", "/__fake__/requests"):
        request_log.clear()
        return 200, {"requests": []}, {}
    if key == ("POST", "/__fake__/seed"):
        data = req.json()
        n = data.get("customers") if isinstance(data, dict) else None
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise FakeError(400, 400, 'Body must be {"customers": N} with N >= 0')
        started = time.perf_counter()
        added = store.seed(n)
        return 200, {"added": added, "generatedCustomers": store.generated_count(),
                     "seconds": round(time.perf_counter() - started, 3)}, {}  # fmt: skip
    if key == ("POST", "/__fake__/clock"):
        data = req.json()
        offset = data.get("offset_seconds") if isinstance(data, dict) else None
        if not isinstance(offset, int | float) or isinstance(offset, bool):
            raise FakeError(400, 400, 'Body must be {"offset_seconds": N}')
        store.set_clock_offset(offset)
        return 200, {"offset_seconds": offset}, {}
    if key == ("GET", "/__fake__/config"):
        return 200, store.config, {}
    if key == ("POST", "/__fake__/config"):
        data = req.json()
        if not isinstance(data, dict):
            raise FakeError(400, 400, "Body must be a JSON object of overrides")
        return 200, {"overrides": store.set_config_overrides(data)}, {}
    m = re.fullmatch(r"/__fake__/customers/(\d+)", req.path)
    if m and req.method == "GET":
        record = store.get_record(int(m.group(1)))
        if record is None:
            raise FakeError(404, 8015)
        return 200, record, {}
    return 404, envelope([item(404, f"Unknown control endpoint: {req.method} {req.path}")]), {}


def _add_fault(faults: Faults, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise FakeError(400, 400, "A fault is a JSON object")
    unknown = set(data) - set(FAULT_DEFAULTS)
    if unknown:
        raise FakeError(400, 400, f"Unknown fault keys: {sorted(unknown)}")
    spec = {**FAULT_DEFAULTS, **data}
    if not isinstance(spec["path"], str) or not spec["path"].startswith("/"):
        raise FakeError(400, 400, "A fault needs a path starting with /")
    if spec["when"] not in ("before", "after"):
        raise FakeError(400, 400, 'when must be "before" or "after"')
    if spec["count"] is not None and (not isinstance(spec["count"], int) or spec["count"] < 1):
        raise FakeError(400, 400, "count must be a positive integer or null (forever)")
    if spec["method"]:
        spec["method"] = str(spec["method"]).upper()
    spec["id"] = faults.add(spec)
    return spec
