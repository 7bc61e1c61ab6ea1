"""faults.py: which fault a request meets, and how a fault's count is used up."""

import pytest

from memberconsole.fake_capillary.faults import fault_path_matches


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("/v2/customers/{id}", "/v2/customers/566881933", True),
        ("/v2/customers/{id}", "/v2/customers/search", False),  # {id} is digits only
        ("/v2/customers/{id}", "/v2/customers/lookup/customerDetails", False),
        ("/v2/customers/{id}", "/v2/customers/12/extra", False),  # a template matches the whole path
        ("/v2/customers/{customerId}", "/v2/customers/12", True),
        ("/v2/customers/{userId}", "/v2/customers/abc", False),
        ("/v2/{resource}/lookup", "/v2/customers/lookup", True),  # other placeholders: any one segment
        ("/v2/{resource}/lookup", "/v2/a/b/lookup", False),
        ("/v2/bulk.x/{id}", "/v2/bulkXx/1", False),  # the literal parts are not regular expressions
        ("/v2/", "/v2/customers/search", True),  # no placeholder: a prefix
        ("/v2/customers", "/v2/customers/search", True),
        ("/v3/", "/v2/customers", False),
    ],
)
def test_fault_path_matches_templates_exactly_and_plain_paths_as_prefixes(pattern, path, matches):
    assert fault_path_matches(pattern, path) is matches


def spec(**fields):
    return {"path": "/v2/", "method": None, "status": 500, "count": 1} | fields


def test_take_uses_up_the_count_then_the_fault_is_gone(app):
    fid = app.faults.add(spec(count=2, status=503))
    assert app.faults.take("GET", "/v2/extendedFields")["status"] == 503
    assert app.faults.active() == [spec(count=2, status=503) | {"id": fid, "remaining": 1}]
    assert app.faults.take("GET", "/v2/extendedFields")["status"] == 503
    assert app.faults.active() == []
    assert app.faults.take("GET", "/v2/extendedFields") is None


def test_count_none_lasts_until_cleared(app):
    app.faults.add(spec(count=None))
    for _ in range(3):
        assert app.faults.take("GET", "/v2/customers/1") is not None
    assert app.faults.active()[0]["remaining"] is None
    app.faults.clear()
    assert app.faults.take("GET", "/v2/customers/1") is None


def test_take_skips_faults_for_another_method_or_path(app):
    app.faults.add(spec(path="/v2/customers", method="POST", status=502))
    assert app.faults.take("GET", "/v2/customers/1") is None  # /v2/customers is a prefix, but the method differs
    assert app.faults.take("POST", "/v2/bulk/getCustomers") is None
    assert app.faults.take("POST", "/v2/customers")["status"] == 502


def test_first_added_matching_fault_wins_and_the_other_waits(app):
    app.faults.add(spec(status=503))
    app.faults.add(spec(status=429))
    assert app.faults.take("GET", "/v2/customers/1")["status"] == 503
    assert app.faults.take("GET", "/v2/customers/1")["status"] == 429
    assert app.faults.take("GET", "/v2/customers/1") is None


def test_store_reset_removes_every_fault(app):
    app.faults.add(spec(count=None))
    app.store.reset()
    assert app.faults.active() == []
