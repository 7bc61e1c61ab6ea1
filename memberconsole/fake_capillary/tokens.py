"""OAuth tokens the fake issued, valid until they expire on the fake's clock."""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

from .store import Store

SCHEMA = "CREATE TABLE IF NOT EXISTS tokens(token TEXT PRIMARY KEY, client TEXT NOT NULL, expires REAL NOT NULL)"


class Tokens:
    """Issued OAuth tokens, kept in the store's SQLite file so every process accepts them."""

    def __init__(self, store: Store) -> None:
        self.store = store
        store.attach(SCHEMA, reset="DELETE FROM tokens")

    def issue(self, client: dict[str, Any]) -> tuple[str, int]:
        """A new JWT-shaped token for an OAuth client (api-notes 2.2 shows the header and payload)."""
        # api-notes 2.2 decodes them from the examples on docs.capillarytech.com/reference/oauth.
        ttl = int(client.get("ttl_seconds", 300))
        now = self.store.now()
        org = self.store.config["org"]

        def b64(data: bytes) -> str:
            return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

        header = b64(json.dumps({"kid": "k1", "alg": "RS256"}).encode())
        payload = b64(
            json.dumps(
                {"iss": "Capillary", "exp": int(now + ttl), "jti": secrets.token_hex(8), "iat": int(now),
                 "client_key": client["key"], "org_id": org["orgId"],
                 "default_till": org["defaultTill"]["id"], "token_use": "token_access"}
            ).encode()
        )  # fmt: skip
        token = f"{header}.{payload}.{b64(secrets.token_bytes(32))}"
        with self.store.write() as c:
            c.execute("INSERT INTO tokens VALUES (?, ?, ?)", (token, client["key"], now + ttl))
            c.execute("DELETE FROM tokens WHERE expires < ?", (now - 3600,))
        return token, ttl

    def valid(self, token: str) -> bool:
        """True when the token was issued here and has not expired on the fake's clock."""
        row = self.store.conn.execute("SELECT expires FROM tokens WHERE token=?", (token,)).fetchone()
        return row is not None and row[0] > self.store.now()
