"""Socket mode: a threaded stdlib WSGI server around the fake (for contract and browser tests, and manual runs)."""

from __future__ import annotations

import os
import socketserver
import sys
import threading
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from .app import FakeCapillary, create_app


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """One thread per connection, so a sleeping fault never blocks other requests."""

    daemon_threads = True
    allow_reuse_address = True


class QuietHandler(WSGIRequestHandler):
    """Logs method, path and status only: query strings can carry mobiles and emails, which never reach a log."""

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        """One line per request without the query string."""
        if os.environ.get("FAKE_CAPILLARY_QUIET"):
            return
        path = self.path.split("?", 1)[0]
        sys.stderr.write(f"fake-capillary {self.command} {path} {code}\n")

    def log_message(self, format: str, *args: Any) -> None:
        """Silence wsgiref's default logging (it would print full request lines)."""


def make_fake_server(app: FakeCapillary, host: str = "127.0.0.1", port: int = 8765) -> ThreadingWSGIServer:
    """A threaded WSGI server for app on host:port (port 0 picks a free one)."""
    return make_server(host, port, app, server_class=ThreadingWSGIServer, handler_class=QuietHandler)  # type: ignore[return-value]


def serve_in_thread(
    *, db_path: str | os.PathLike | None = None, config_path: str | None = None, host: str = "127.0.0.1", port: int = 0
) -> tuple[ThreadingWSGIServer, str]:
    """Start the fake on a free port in a daemon thread; returns (server, base_url). Stop with server.shutdown()."""
    os.environ.setdefault("FAKE_CAPILLARY_QUIET", "1")
    app = create_app(db_path=db_path, config_path=config_path)
    server = make_fake_server(app, host, port)
    server.app = app  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, name="fake-capillary", daemon=True)
    thread.start()
    return server, f"http://{host}:{server.server_address[1]}"
