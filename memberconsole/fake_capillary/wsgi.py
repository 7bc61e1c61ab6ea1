"""The WSGI edge shared by the API and the control plane: the request a handler reads, the answer it sends."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from .errors import FakeError

VERSION = "1.0.0"
JSON_BAD = "Input is invalid. Please check request parameters or input xml/json"

Response = tuple[int, Any, dict[str, str]]


class Request:
    """What a handler needs from the WSGI environ."""

    def __init__(self, environ: dict[str, Any]) -> None:
        self.environ = environ
        self.method = environ.get("REQUEST_METHOD", "GET").upper()
        # The docs' own URLs sometimes carry a double slash ("/v2//customers/..." in get-customer-by-id-gaps.txt,
        # docs.capillarytech.com/reference/get-customer-details-v2); treat it as one.
        self.path = re.sub(r"/+", "/", environ.get("PATH_INFO", "/") or "/")
        self.query: dict[str, str] = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        self.request_id = uuid.uuid4().hex
        self._body: bytes | None = None

    def header(self, name: str) -> str | None:
        """A request header by its HTTP name."""
        key = name.upper().replace("-", "_")
        return self.environ.get("CONTENT_TYPE" if key == "CONTENT_TYPE" else f"HTTP_{key}")

    @property
    def body(self) -> bytes:
        """The raw request body."""
        if self._body is None:
            try:
                length = int(self.environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            self._body = self.environ["wsgi.input"].read(length) if length > 0 else b""
        return self._body

    def json(self) -> Any:
        """The body parsed as JSON; 400 in Capillary's envelope when it is not JSON."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise FakeError(400, 400, JSON_BAD) from None


def send(
    start_response: Callable[..., Any], req: Request, status: int, body: Any, headers: dict[str, str]
) -> Iterable[bytes]:
    """Write one answer: JSON (or raw bytes, or nothing) with the headers every Capillary response carries."""
    if isinstance(body, bytes):
        payload = body
    elif body is None:
        payload = b""
    else:
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    content_type = headers.pop("Content-Type", "application/json; charset=utf-8")
    out = [
        ("Content-Type", content_type),
        ("Content-Length", str(len(payload))),
        ("X-Cap-Requestid", req.request_id),
        ("X-Fake-Capillary-Version", VERSION),
        ("Server", "CapWS"),
        *headers.items(),
    ]
    start_response(f"{status} {reason(status)}", out)
    return [payload]


def reason(status: int) -> str:
    """The reason phrase for a status, including Capillary's own 461 and 521."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return {461: "Search Busy", 521: "Customer Busy"}.get(status, "Unknown")
