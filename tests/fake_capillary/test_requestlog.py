"""requestlog.py: what an API request leaves in the log, and how the log stays bounded."""

import io

from memberconsole.fake_capillary.wsgi import Request


def make_request(query="", **headers):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/v2/customers/lookup", "QUERY_STRING": query}
    environ |= {f"HTTP_{k}": v for k, v in headers.items()}
    environ["wsgi.input"] = io.BytesIO(b"")
    return Request(environ)


def test_entry_redacts_identifier_values_and_keeps_only_headers_of_interest(app):
    req = make_request(
        "source=INSTORE&identifierName=mobile&identifierValue=919845000005",
        USER_CONTEXT_ENTITY_ID="agent-7",
        AUTHORIZATION="Basic c2VjcmV0",
    )
    app.request_log.record(req, 200, {"id": 4}, "basic:memberconsole.till")
    (entry,) = app.request_log.entries()
    assert entry["requestId"] == req.request_id
    assert entry["query"] == {"source": "INSTORE", "identifierName": "mobile", "identifierValue": "***"}
    assert entry["headers"] == {"USER-CONTEXT-ENTITY-ID": "agent-7"}  # never the Authorization header
    assert (entry["status"], entry["fault"], entry["principal"]) == (200, 4, "basic:memberconsole.till")


def test_search_text_is_redacted_too(app):
    app.request_log.record(make_request("q=Aiko&limit=5"), 200, None, None)
    assert app.request_log.entries()[0]["query"] == {"q": "***", "limit": "5"}


def test_entries_are_the_newest_request_log_size_oldest_first(app):
    app.store.set_config_overrides({"behaviour": {"request_log_size": 3}})
    for n in range(5):
        app.request_log.append({"n": n})
    assert app.request_log.entries() == [{"n": 2}, {"n": 3}, {"n": 4}]


def test_the_file_is_trimmed_to_the_bound_every_hundred_entries(app):
    app.store.set_config_overrides({"behaviour": {"request_log_size": 3}})
    for n in range(100):
        app.request_log.append({"n": n})
    assert app.store.conn.execute("SELECT count(*) FROM requests").fetchone()[0] == 3


def test_clear_and_reset_empty_the_log(app):
    app.request_log.append({"n": 1})
    app.request_log.clear()
    assert app.request_log.entries() == []
    app.request_log.append({"n": 2})
    app.store.reset()
    assert app.request_log.entries() == []


def test_activity_lookups_and_coupon_identifiers_are_redacted_in_the_log(api, app):
    api.get("/v2/customers/coupons", params={"mobile": "919845000006", "status": "ACTIVE"})
    api.get("/v2/customers/coupons", params={"email": "aiko.tanaka@example.com"})
    api.get("/v2/customers/coupons", params={"external_id": "12341234"})
    api.get(
        "/v2/pointsLedger/getCustomerLedgerInfo",
        params={"source": "INSTORE", "identifierName": "mobile", "identifierValue": "34600000003"},
    )
    queries = [e["query"] for e in app.request_log.entries()]
    assert queries == [
        {"mobile": "***", "status": "ACTIVE"},
        {"email": "***"},
        {"external_id": "***"},
        {"source": "INSTORE", "identifierName": "mobile", "identifierValue": "***"},
    ]
