"""The request log: one entry per API request (query redacted, headers of interest), bounded, shared by processes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from .store import Store
from .wsgi import Request

SCHEMA = "CREATE TABLE IF NOT EXISTS requests(id INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL)"
LOGGED_HEADERS = (
    "USER-CONTEXT-ENTITY-TYPE", "USER-CONTEXT-ENTITY-ID", "USER-CONTEXT-ENTITY-SOURCE", "USER-CONTEXT-ENTITY-SOURCE-ID",
    "WAIT_FOR_DOWNSTREAM", "X-CAP-API-ATTRIBUTION-ENTITY-TYPE", "X-CAP-API-ATTRIBUTION-ENTITY-CODE", "USER-AGENT",
    "CONTENT-TYPE", "ACCEPT", "LANGUAGE",
)  # fmt: skip


class RequestLog:
    """The last behaviour.request_log_size API requests, kept in the store's SQLite file."""

    def __init__(self, store: Store) -> None:
        self.store = store
        store.attach(SCHEMA, reset="DELETE FROM requests")

    def record(self, req: Request, status: int, fault: dict[str, Any] | None, principal: str | None) -> None:
        """Log one answered request; query values named in behaviour.request_log_redact are shown as ***."""
        redact = set(self.store.config["behaviour"].get("request_log_redact") or [])
        headers = {}
        for name in LOGGED_HEADERS:
            value = req.header(name)
            if value is not None:
                headers[name] = value
        self.append({
            "requestId": req.request_id, "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "method": req.method, "path": req.path,
            "query": {k: ("***" if k in redact else v) for k, v in req.query.items()},
            "status": status, "headers": headers, "principal": principal,
            "fault": fault.get("id") if fault else None,
        })  # fmt: skip

    def append(self, entry: dict[str, Any]) -> None:
        """Append to the bounded request log."""
        size = int(self.store.behaviour["request_log_size"])
        with self.store.write() as c:
            cur = c.execute("INSERT INTO requests(entry) VALUES (?)", (json.dumps(entry),))
            if cur.lastrowid and cur.lastrowid % 100 == 0:
                c.execute("DELETE FROM requests WHERE id <= ?", (cur.lastrowid - size,))

    def entries(self) -> list[dict[str, Any]]:
        """The request log, oldest first (at most request_log_size entries)."""
        size = int(self.store.behaviour["request_log_size"])
        rows = self.store.conn.execute("SELECT entry FROM requests ORDER BY id DESC LIMIT ?", (size,)).fetchall()
        return [json.loads(r[0]) for r in reversed(rows)]

    def clear(self) -> None:
        """Empty the request log."""
        with self.store.write() as c:
            c.execute("DELETE FROM requests")
