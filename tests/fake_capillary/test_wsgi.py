"""wsgi.py: reading the environ, and the headers and status line of every answer."""

import io

import pytest

from memberconsole.fake_capillary.errors import FakeError
from memberconsole.fake_capillary.wsgi import VERSION, Request, reason, send


def make_request(path="/v2/customers/1", body=b"", **environ):
    env = {"REQUEST_METHOD": "post", "PATH_INFO": path, "QUERY_STRING": "source=INSTORE&embed=",
           "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}  # fmt: skip
    return Request(env | environ)


def test_request_collapses_double_slashes_and_upper_cases_the_method():
    req = make_request("/v2//customers///566881933")
    assert (req.method, req.path) == ("POST", "/v2/customers/566881933")
    assert req.query == {"source": "INSTORE", "embed": ""}


def test_headers_by_http_name_including_content_type():
    req = make_request(CONTENT_TYPE="application/json", HTTP_WAIT_FOR_DOWNSTREAM="false")
    assert req.header("Content-Type") == "application/json"
    assert req.header("WAIT_FOR_DOWNSTREAM") == "false"
    assert req.header("X-Cap-Api-Oauth-Token") is None


def test_body_that_is_not_json_is_a_400_in_capillarys_words():
    with pytest.raises(FakeError) as caught:
        make_request(body=b"{not json").json()
    assert (caught.value.status, caught.value.code) == (400, 400)
    assert caught.value.message == "Input is invalid. Please check request parameters or input xml/json"


def test_send_sets_request_id_version_and_length_and_keeps_non_ascii():
    req = make_request()
    seen = []
    (payload,) = send(lambda status, headers: seen.append((status, dict(headers))), req, 200, {"n": "小明"}, {})
    status, headers = seen[0]
    assert status == "200 OK"
    assert payload.decode("utf-8") == '{"n": "小明"}'
    assert headers["Content-Length"] == str(len(payload))
    assert headers["X-Cap-Requestid"] == req.request_id
    assert headers["X-Fake-Capillary-Version"] == VERSION
    assert headers["Server"] == "CapWS"


def test_send_with_no_body_is_empty_and_extra_headers_are_added():
    seen = []
    (payload,) = send(lambda s, h: seen.append((s, dict(h))), make_request(), 400, None, {"Retry-After": "7"})
    assert payload == b""
    assert seen[0][0] == "400 Bad Request"
    assert seen[0][1]["Retry-After"] == "7"


@pytest.mark.parametrize(
    ("status", "phrase"), [(404, "Not Found"), (461, "Search Busy"), (521, "Customer Busy"), (599, "Unknown")]
)
def test_reason_phrases_include_capillarys_own_statuses(status, phrase):
    assert reason(status) == phrase
