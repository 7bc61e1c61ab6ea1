"""httpx.Auth implementations for Capillary: till Basic auth and OAuth key/secret tokens."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections.abc import Callable, Generator

import httpx

from .errors import CapillaryAuthenticationError, CapillaryUnavailableError, item_codes

OAUTH_TOKEN_HEADER = "X-CAP-API-OAUTH-TOKEN"


def basic_auth_header(username: str, password: str) -> str:
    """`Basic base64(username:md5hex(password))`: Capillary hashes the password first (api-notes §2.1,
    docs.capillarytech.com/reference/basic-authentication)."""
    return encode_basic_credentials(username, hashlib.md5(password.encode()).hexdigest())


def encode_basic_credentials(username: str, password_md5: str) -> str:
    """The Authorization value for a username and an already MD5-hashed (lower-case hex) password."""
    return "Basic " + base64.b64encode(f"{username}:{password_md5}".encode()).decode("ascii")


class CapillaryBasicAuth(httpx.Auth):
    """Till credentials as Capillary's Basic scheme."""

    def __init__(self, username: str, password: str) -> None:
        self._header = basic_auth_header(username, password)

    def __repr__(self) -> str:
        return "CapillaryBasicAuth(***)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        """Add the Authorization header."""
        request.headers["Authorization"] = self._header
        yield request


class CapillaryOAuth(httpx.Auth):
    """OAuth client key/secret: fetches a token from /v3/oauth/token/generate, caches it, refreshes it."""

    def __init__(
        self,
        key: str,
        secret: str,
        *,
        token_url_path: str = "/v3/oauth/token/generate",
        refresh_margin: float = 30,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._key = key
        self._secret = secret
        self._token_url_path = token_url_path
        self._refresh_margin = refresh_margin
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0

    def __repr__(self) -> str:
        return f"CapillaryOAuth(key={self._key[:4]}***)"

    def _cached_token(self) -> str | None:
        if self._token is not None and self._clock() < self._refresh_at:
            return self._token
        return None

    def _token_request(self, request: httpx.Request) -> httpx.Request:
        # Same scheme/host/port as the API call, so it goes through the same transport (and MockTransport in tests).
        url = request.url.copy_with(raw_path=self._token_url_path.encode("ascii"))
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if "User-Agent" in request.headers:
            headers["User-Agent"] = request.headers["User-Agent"]
        body = json.dumps({"key": self._key, "secret": self._secret}).encode()
        return httpx.Request("POST", url, headers=headers, content=body)

    def _store_token(self, response: httpx.Response) -> str:
        request_id = response.headers.get("X-Cap-Requestid")
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
        data = body.get("data") if isinstance(body, dict) else None
        token = data.get("accessToken") if isinstance(data, dict) else None
        errors = body.get("errors") if isinstance(body, dict) else None
        if response.status_code >= 500:
            raise CapillaryUnavailableError(
                "OAuth token service unavailable",
                status_code=response.status_code,
                codes=item_codes(errors),
                request_id=request_id,
            )
        if not response.is_success or not isinstance(token, str) or not token:
            # api-notes §2.2 (docs.capillarytech.com/reference/oauth): "Failed to generate OAuth token"; status and body
            # are undocumented.
            raise CapillaryAuthenticationError(
                "Failed to generate OAuth token",
                status_code=response.status_code,
                codes=item_codes(errors),
                request_id=request_id,
            )
        try:
            ttl = float(data.get("ttlSeconds") or 0)
        except (TypeError, ValueError):
            ttl = 0.0
        # Refresh `refresh_margin` seconds early, but never so early that a short-lived token is useless.
        margin = min(self._refresh_margin, ttl / 2)
        self._token = token
        self._refresh_at = self._clock() + ttl - margin
        return token

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        """Send the call with a valid token; on 401 refresh once and replay."""
        token = self._cached_token()
        if token is None:
            # The lock is held across the token round trip so that many threads needing a token cause one fetch.
            with self._lock:
                token = self._cached_token()
                if token is None:
                    token_response = yield self._token_request(request)
                    token_response.read()
                    token = self._store_token(token_response)
        request.headers[OAUTH_TOKEN_HEADER] = token
        response = yield request
        if response.status_code != 401:
            return
        with self._lock:
            if self._token == token:  # nobody refreshed it meanwhile: this token is the stale one
                self._token = None
                token_response = yield self._token_request(request)
                token_response.read()
                self._store_token(token_response)
            token = self._token
        if token is None:
            return
        request.headers[OAUTH_TOKEN_HEADER] = token
        yield request

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        """Only the sync client is supported."""
        raise NotImplementedError("CapillaryOAuth supports the sync httpx.Client only")
        yield request  # pragma: no cover
