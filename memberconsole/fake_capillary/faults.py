"""Injected faults: the table every worker process shares, and which fault a request meets."""

from __future__ import annotations

import json
import re
from typing import Any

from .store import Store

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS faults(id INTEGER PRIMARY KEY AUTOINCREMENT, spec TEXT NOT NULL, remaining INTEGER)"
)


class Faults:
    """The faults set through /__fake__/faults, kept in the store's SQLite file."""

    def __init__(self, store: Store) -> None:
        self.store = store
        store.attach(SCHEMA, reset="DELETE FROM faults")

    def add(self, spec: dict[str, Any]) -> int:
        """Store a fault; count None means forever."""
        with self.store.write() as c:
            cur = c.execute("INSERT INTO faults(spec, remaining) VALUES (?, ?)", (json.dumps(spec), spec.get("count")))
            return int(cur.lastrowid)

    def active(self) -> list[dict[str, Any]]:
        """Active faults with their remaining counts."""
        rows = self.store.conn.execute("SELECT id, spec, remaining FROM faults ORDER BY id").fetchall()
        return [json.loads(spec) | {"id": fid, "remaining": rem} for fid, spec, rem in rows]

    def clear(self) -> None:
        """Remove every fault."""
        with self.store.write() as c:
            c.execute("DELETE FROM faults")

    def take(self, method: str, path: str) -> dict[str, Any] | None:
        """The first fault matching this request, its count used up atomically across processes."""
        if self.store.conn.execute("SELECT 1 FROM faults LIMIT 1").fetchone() is None:
            return None
        with self.store.write() as c:
            for fid, spec_json, remaining in c.execute("SELECT id, spec, remaining FROM faults ORDER BY id").fetchall():
                spec = json.loads(spec_json)
                if spec.get("method") and spec["method"].upper() != method:
                    continue
                if not fault_path_matches(spec.get("path") or "/", path):
                    continue
                if remaining is not None:
                    if remaining <= 1:
                        c.execute("DELETE FROM faults WHERE id=?", (fid,))
                    else:
                        c.execute("UPDATE faults SET remaining=remaining-1 WHERE id=?", (fid,))
                return spec
        return None


def fault_path_matches(pattern: str, path: str) -> bool:
    """A fault's path: an exact template like /v2/customers/{id}, or a plain prefix."""
    if "{" in pattern:
        regex = ""
        for part in re.split(r"(\{[^}]*\})", pattern):
            if part.startswith("{"):
                regex += r"\d+" if part.lower() in ("{id}", "{customerid}", "{userid}") else "[^/]+"
            else:
                regex += re.escape(part)
        return re.fullmatch(regex, path) is not None
    return path.startswith(pattern)
