"""Socket mode: the threaded server answers real HTTP, and a timeout fault trips the client's read timeout."""

import httpx
import pytest

from memberconsole.fake_capillary.server import serve_in_thread


@pytest.fixture
def server(tmp_path):
    srv, base_url = serve_in_thread(db_path=tmp_path / "socket.sqlite3")
    yield base_url
    srv.shutdown()
    srv.server_close()


def test_socket_server_serves_docs_customer(server, basic_auth):
    response = httpx.get(
        f"{server}/v2/customers/566881933", params={"source": "INSTORE"}, headers={"Authorization": basic_auth()}
    )
    assert response.status_code == 200
    assert response.json()["id"] == 566881933
    assert response.headers["X-Cap-Requestid"]


def test_timeout_fault_trips_client_read_timeout(server, basic_auth):
    httpx.post(f"{server}/__fake__/faults", json={"path": "/v2/extendedFields", "timeout": True, "delay_ms": 600})
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{server}/v2/extendedFields", headers={"Authorization": basic_auth()}, timeout=0.2)
    assert httpx.get(f"{server}/v2/extendedFields", headers={"Authorization": basic_auth()}).status_code == 200


def test_cli_port_zero_prints_listening_line(tmp_path):
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "memberconsole.fake_capillary", "--port", "0", "--db", str(tmp_path / "cli.sqlite3")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("Fake Capillary listening on http://127.0.0.1:")
        base = line.rsplit(" ", 1)[1].strip()
        assert httpx.get(f"{base}/__fake__/health").json()["status"] == "ok"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_one_client_reuses_one_connection_across_answers_of_every_kind(tmp_path, basic_auth):
    srv, base_url = serve_in_thread(db_path=tmp_path / "keepalive.sqlite3")
    try:
        with httpx.Client(base_url=base_url, headers={"Authorization": basic_auth()}) as client:
            ok = client.get("/v2/customers/566881933", params={"source": "INSTORE"})
            not_found = client.get("/v2/nowhere")
            unauthenticated = client.post("/v2/customers", json={"profiles": []}, headers={"Authorization": "Basic x"})
            client.post("/__fake__/faults", json={"path": "/v2/extendedFields", "status": 503})
            faulted = client.get("/v2/extendedFields")
            again = client.get("/v2/customers/566881933", params={"source": "INSTORE"})
        statuses = [r.status_code for r in (ok, not_found, unauthenticated, faulted, again)]
        assert statuses == [200, 404, 401, 503, 200]
        assert ok.http_version == "HTTP/1.1"
        assert all(r.headers["Content-Length"] == str(len(r.content)) for r in (ok, not_found, faulted))
        assert again.json() == ok.json()
        assert srv.connections_accepted == 1
    finally:
        srv.shutdown()
        srv.server_close()


def test_answers_are_sent_without_waiting_for_the_clients_delayed_ack():
    """wsgiref writes headers and body separately: with Nagle's algorithm on, a kept-alive connection waited for the
    client's delayed ACK (40 ms) before the body of every answer. The handler turns TCP_NODELAY on."""
    from memberconsole.fake_capillary.server import QuietHandler

    assert QuietHandler.disable_nagle_algorithm is True
