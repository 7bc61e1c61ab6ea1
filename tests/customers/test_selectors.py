"""Customer reads against the fake: what a search finds reading by reading, and the customer page's one call."""

import pytest

from memberconsole.core.exceptions import UpstreamUnavailableError
from memberconsole.core.identifiers import CUSTOMER_ID, EXTERNAL_ID, MOBILE, NAME
from memberconsole.core.masking import FULL
from memberconsole.customers import selectors


def calls(http, path="/v2/") -> int:
    return sum(1 for e in http.get("/__fake__/requests").json()["requests"] if e["path"].startswith(path))


def test_a_mobile_typed_any_way_is_found_as_a_mobile(capillary):
    outcome = selectors.customer_search(mask=FULL, query="+91 98450-00001")
    assert (outcome.customer_id, outcome.matched.type, outcome.matched.value) == (900000001, MOBILE, "919845000001")


def test_readings_are_tried_in_turn_until_one_finds_someone(capillary):
    outcome = selectors.customer_search(mask=FULL, query="XSS-0004")
    assert outcome.customer_id == 900000004
    assert outcome.matched.type == EXTERNAL_ID
    assert [r.type for r in outcome.tried][-1] == EXTERNAL_ID


def test_a_merge_victims_identifier_finds_the_survivor(capillary, fake_http):
    assert selectors.customer_search(mask=FULL, query="919845000013").customer_id == 900000014
    fake_http.post("/__fake__/config", json={"behaviour": {"merged_victim_mode": "error"}})
    # Merged, survivor not named: it tells the agent nothing, so the search reads on and finds nobody.
    assert selectors.customer_search(mask=FULL, query="919845000013").customer_id is None


def test_a_deleted_customer_id_lands_on_its_page_but_other_identifiers_read_on(capillary):
    by_id = selectors.customer_search(mask=FULL, query="900000012")
    assert (by_id.customer_id, by_id.matched.type) == (900000012, CUSTOMER_ID)
    assert selectors.customer_search(mask=FULL, query="DELETED-900000012").customer_id is None


def test_a_name_search_lists_several_hits_and_opens_a_single_one(capillary):
    several = selectors.customer_search(mask=FULL, query="Sam")
    assert several.matched.type == NAME
    assert [(h.customer_id, h.name) for h in several.hits] == [
        (900000013, "Sam Old-Account"),
        (900000014, "Sam Survivor"),
    ]
    single = selectors.customer_search(mask=FULL, query="Tanaka")
    assert (single.customer_id, single.matched.type, single.hits) == (900000001, NAME, [])


def test_nobody_found_keeps_every_reading_tried(capillary):
    outcome = selectors.customer_search(mask=FULL, query="zz-no-such-9")
    assert outcome.customer_id is None
    assert not outcome.hits
    assert "in ALL sources" in outcome.searched_as()
    assert len(outcome.tried) >= 2


def test_capillary_down_raises_the_consoles_error_not_the_clients(capillary, fake_http):
    fake_http.post("/__fake__/faults", json={"path": "/v2/", "status": 503, "count": None})
    with pytest.raises(UpstreamUnavailableError) as caught:
        selectors.customer_search(mask=FULL, query="919845000001")
    assert caught.value.status_code == 503


def test_a_customer_id_hit_hands_its_response_to_the_page(capillary, fake_http):
    fake_http.delete("/__fake__/requests")
    outcome = selectors.customer_search(mask=FULL, query="566881933")
    customer = selectors.customer_get(mask=FULL, customer_id=outcome.customer_id)
    assert customer.id == 566881933
    assert calls(fake_http) == 1
    selectors.customer_get(mask=FULL, customer_id=566881933)  # the hand-off is used once
    assert calls(fake_http) == 2
