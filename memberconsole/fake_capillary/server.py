"""Socket mode: a threaded stdlib WSGI server around the fake (for contract and browser tests, and manual runs)."""

from __future__ import annotations

import io
import os
import socketserver
import sys
import threading
from typing import Any
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer, make_server

from .app import FakeCapillary, create_app

# How long an idle kept-alive connection waits for its next request. Longer than the console client's keep-alive
# expiry (30 s), so the client, not the server, is the one that lets an idle connection go.
IDLE_TIMEOUT_SECONDS = 75
_COUNT_LOCK = threading.Lock()


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """One thread per connection, so a sleeping fault never blocks other requests; counts accepted connections."""

    daemon_threads = True
    allow_reuse_address = True
    connections_accepted = 0

    def process_request(self, request: Any, client_address: Any) -> None:
        """Count the connection, then serve it on its own thread."""
        with _COUNT_LOCK:
            self.connections_accepted += 1
        super().process_request(request, client_address)


class KeepAliveServerHandler(ServerHandler):
    """wsgiref's handler speaking HTTP/1.1 in its status line (it says HTTP/1.0 by default)."""

    http_version = "1.1"


class QuietHandler(WSGIRequestHandler):
    """HTTP/1.1 with keep-alive, as Capillary serves; logs method, path and status only.

    wsgiref answers one request per connection. Capillary keeps connections alive, so the console's connection pool
    is what a test measures, not a TCP handshake per call. Every answer carries Content-Length (wsgi.send sets it;
    wsgiref sets it on its own error page), and the request body is read in full before the app runs, so an app that
    never reads a body cannot leave bytes that would be parsed as the next request.
    """

    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT_SECONDS
    # wsgiref writes the status line, the headers and the body in separate sends. On a kept-alive connection Nagle's
    # algorithm then holds the body until the client's delayed ACK (40 ms on Linux): every call took 40 ms longer
    # than the fake's own work plus any injected delay. TCP_NODELAY sends each write at once, as Capillary does.
    disable_nagle_algorithm = True

    def handle(self) -> None:
        """Serve requests on this connection until the client closes it, asks to, or stays idle too long."""
        self.close_connection = True
        self._handle_one()
        while not self.close_connection:
            self._handle_one()

    def _handle_one(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(65537)
        except TimeoutError:
            self.close_connection = True
            return
        if not self.raw_requestline:
            self.close_connection = True
            return
        if len(self.raw_requestline) > 65536:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414)
            self.close_connection = True
            return
        if not self.parse_request():  # an error answer was sent (with Connection: close)
            return
        environ = self.get_environ()
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.close_connection = True  # not supported: the app sees no body, and the connection is not reused
            body = b""
        else:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length, self.close_connection = 0, True
            body = self.rfile.read(length) if length > 0 else b""
        handler = KeepAliveServerHandler(io.BytesIO(body), self.wfile, self.get_stderr(), environ, multithread=True)
        handler.request_handler = self  # backpointer for log_request
        handler.run(self.server.get_app())
        self.wfile.flush()

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
