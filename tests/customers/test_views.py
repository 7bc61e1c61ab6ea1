"""The customer pages as an agent sees them, against the in-process fake Capillary."""

import json
import re
from pathlib import Path

import httpx
import pytest
from django.core.cache import cache

from memberconsole.capillary.factory import build_capillary_client, set_capillary_client

pytestmark = pytest.mark.django_db
# The docs' example response of customer 565261498 with every flag, verbatim (tests/capillary/fixtures/README.md).
DOCS_CUSTOMER = Path(__file__).parents[1] / "capillary" / "fixtures" / "customer_get_with_flags.json"
NEEDS_5999 = "Needs 5,999 current points to move up to the next tier."
KEPT_NO_MINIMUMS = "Garnet is kept with no minimum purchases or visits; a downgrade strategy applies."


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def upstream_calls(fake_http, *, prefix="/v2/"):
    """The requests the fake received from the console (control-plane calls excluded)."""
    log = fake_http.get("/__fake__/requests").json()
    entries = log["requests"] if isinstance(log, dict) else log
    return [e for e in entries if e["path"].startswith(prefix)]


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


class TestSearch:
    def test_search_page_without_query_shows_the_form(self, agent_client, capillary):
        response = agent_client.get("/customers/search/")
        assert response.status_code == 200
        body = text(response)
        for label in ("Customer", "Search as", "Source", "Account ID"):
            assert f">{label}</label>" in body

    def test_mobile_typed_with_spaces_finds_the_customer(self, agent_client, capillary, fake_http):
        fake_http.delete("/__fake__/requests")
        response = agent_client.post("/customers/search/", {"q": "+1 998 654 2387"})
        # 19986542387 is stored without "+"; the reading that matched is shown on the page we land on.
        assert response.status_code == 302
        assert response["Location"] == "/customers/565261498/"
        page = agent_client.get(response["Location"])
        assert "Found by mobile" in text(page)

    def test_customer_id_hit_costs_one_upstream_call_in_total(self, agent_client, capillary, fake_http):
        fake_http.delete("/__fake__/requests")
        response = agent_client.post("/customers/search/", {"q": "566881933"}, follow=True)
        assert response.status_code == 200
        assert "Bubalus" in text(response)
        assert len(upstream_calls(fake_http)) == 1

    def test_short_wechat_id_is_found_without_choosing_the_type(self, agent_client, capillary):
        response = agent_client.post("/customers/search/", {"q": "oDEMOaiko0001"}, follow=True)
        assert response.redirect_chain[0][0] == "/customers/900000001/"
        assert "Found by WeChat id oD•••01" in text(response)  # an agent sees the customer's id masked

    def test_identifier_hit_costs_at_most_two_upstream_calls(self, agent_client, capillary, fake_http):
        fake_http.delete("/__fake__/requests")
        response = agent_client.post("/customers/search/", {"q": "mtest00000000067003"}, follow=True)
        assert response.status_code == 200
        assert response.redirect_chain[0][0] == "/customers/566881933/"
        assert "Found by card number mtest00000000067003" in text(response)
        assert len(upstream_calls(fake_http)) <= 2

    def test_ambiguous_digits_fall_back_to_the_reading_that_matches(self, agent_client, capillary):
        response = agent_client.post("/customers/search/", {"q": "1234512345"}, follow=True)
        assert response.redirect_chain[0][0] == "/customers/566881933/"
        assert "Found by mobile •••••••345 (as typed)" in text(response)

    def test_nobody_found_says_what_was_searched_and_offers_registration(self, agent_client, capillary):
        response = agent_client.post("/customers/search/", {"q": "98765 43210"})
        assert response.status_code == 302
        assert re.fullmatch(r"/customers/search/[\w-]{16}/", response["Location"])  # an opaque key, no mobile
        response = agent_client.get(response["Location"])
        assert response.status_code == 200
        body = text(response)
        assert "No customer found" in body
        assert "mobile 919876543210" in body
        assert "in ALL sources" in body

    def test_forced_type_searches_only_as_that(self, agent_client, capillary):
        response = agent_client.post("/customers/search/", {"q": "566881933", "type": "externalId"}, follow=True)
        body = text(response)
        assert "No customer found" in body
        assert "Searched external ID 566881933 in ALL sources" in body

    def test_multi_account_source_needs_an_account_id(self, agent_client, capillary):
        response = agent_client.post("/customers/search/", {"q": "918392184396", "source": "WECHAT"})
        assert response.status_code == 400
        assert "enter the account ID" in text(response)

    def test_source_with_account_id_is_searched(self, agent_client, capillary):
        response = agent_client.post(
            "/customers/search/", {"q": "918392184396", "source": "WECHAT", "account_id": "1234"}
        )
        assert response.status_code == 302
        assert response["Location"] == "/customers/382137011/"

    @pytest.mark.parametrize(
        "typed",
        ["", "   ", "9" * 500, "abc\x00def", "<b>bold</b>", "1; DROP TABLE customers;--", "\u202eevil"],
    )
    def test_bad_input_gets_a_clear_message_not_a_500(self, agent_client, capillary, typed):
        response = agent_client.post("/customers/search/", {"q": typed})
        assert response.status_code == 400
        assert 'class="errorlist"' in text(response)
        assert "<b>bold</b>" not in response.content.decode()

    def test_capillary_down_during_search_says_so_and_keeps_the_query(self, agent_client, capillary, fake_http):
        fake_http.post("/__fake__/faults", json={"path": "/v2/", "status": 503, "count": None})
        response = agent_client.post("/customers/search/", {"q": "566881933"})
        assert response.status_code == 503
        body = text(response)
        assert "not answering" in body
        assert "Try again" in body
        assert 'value="566881933"' in body


class TestCustomerPage:
    def test_page_makes_exactly_one_upstream_call_with_everything_it_shows(self, agent_client, capillary, fake_http):
        fake_http.delete("/__fake__/requests")
        response = agent_client.get("/customers/565261498/")
        assert response.status_code == 200
        calls = upstream_calls(fake_http)
        assert len(calls) == 1
        call = calls[0]
        assert call["method"] == "GET"
        assert call["path"] == "/v2/customers/565261498"
        query = call["query"]
        for key, value in {
            "source": "ALL",
            "slabHistory": "true",
            "tierUpgradeCriteria": "true",
            "membershipRetentionCriteria": "true",
            "ndncStatus": "true",
            "optinStatus": "true",
            "gapToUpgrade": "0",
            "gapToRenew": "0",
        }.items():
            assert value in str(query.get(key) if isinstance(query, dict) else query), key
        assert "points,mlp,subscriptions,segments" in str(query)

    def test_docs_customer_with_five_cards(self, agent_client, capillary):
        body = text(agent_client.get("/customers/566881933/"))
        assert "Bubalus bubalis" in body
        for card in (
            "mtest00000000067003",
            "mtest00000000107003",
            "mtest00000000087003",
            "mtest00000000077003",
            "DS034812BA",
        ):
            assert card in body
        assert body.count("card series create new") == 4
        assert "CardSeries14" in body
        assert "221,350.00" in body  # lifetime purchases, two decimals with separators
        assert "Mumbai" in body  # extended field city
        assert "naman" in body  # registered by

    def test_docs_customer_with_tier_history_and_criteria(self, agent_client, capillary):
        body = text(agent_client.get("/customers/565261498/"))
        assert "Tom Sawyer" in body
        assert "Coral → Garnet" in body
        assert "Topaz → Coral" in body
        assert "Upgraded for achieving 1000 loyalty points" in body
        assert "DocStore" in body
        # The live upgrade strategy (gapToUpgrade) and the stored tierUpgradeCriteria share a basis: one block in words.
        assert "Points available" in body
        assert "CURRENT_POINTS" in body  # the code stays, as secondary text
        assert "5,999 more points to reach Diamond" in body  # the live gap agrees with the docs' 5,999
        assert "Program rule: no minimum purchases or visits; a downgrade strategy applies." in body  # in the band
        assert "13 Jan 2026" in body  # changedOn in one readable format

    def test_unknown_customer_is_a_404_page_that_says_so(self, agent_client, capillary):
        response = agent_client.get("/customers/999999999/")
        assert response.status_code == 404
        assert "Customer 999999999 not found" in text(response)

    def test_capillary_down_is_a_503_with_retry_and_request_id(self, agent_client, capillary, fake_http):
        fake_http.post("/__fake__/faults", json={"path": "/v2/customers/{id}", "status": 503, "count": None})
        response = agent_client.get("/customers/566881933/")
        assert response.status_code == 503
        body = text(response)
        assert "Try again" in body
        assert "Request id for escalation" in body
        assert "Traceback" not in body

    def test_malformed_upstream_body_is_a_502_not_a_traceback(self, agent_client, capillary, fake_http):
        fake_http.post("/__fake__/faults", json={"path": "/v2/customers/{id}", "malformed": True, "count": None})
        response = agent_client.get("/customers/566881933/")
        assert response.status_code in {502, 503}
        assert "Traceback" not in text(response)

    def test_viewed_customers_appear_on_home_newest_first(self, agent_client, capillary):
        agent_client.get("/customers/566881933/")
        agent_client.get("/customers/565261498/")
        body = text(agent_client.get("/"))
        assert body.index("Tom Sawyer") < body.index("Bubalus bubalis")


def test_no_customer_data_reaches_any_log(agent_client, capillary, caplog):
    """Search by mobile, email and name and open the customer: no record at any level carries them."""
    import logging

    caplog.set_level(logging.DEBUG)
    for query in ("+1 998 654 2387", "tom.sawyer@example.com", "Sawyer"):
        agent_client.post("/customers/search/", {"q": query}, follow=True)
    agent_client.get("/customers/565261498/")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in ("19986542387", "998 654", "tom.sawyer@example.com", "Sawyer", "Tom"):
        assert secret not in logged


class TestCustomerPageEdgeCases:
    """Generated edge cases from the fake's demo data (memberconsole/fake_capillary/README.md)."""

    def test_html_in_names_is_escaped_everywhere(self, agent_client, capillary):
        raw = agent_client.get("/customers/900000004/").content.decode()
        assert "<script>alert(1)</script>" not in raw
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
        assert "<b>bold</b>" not in raw

    def test_multiple_sources_side_by_side_with_differences_highlighted(self, agent_client, capillary):
        body = text(agent_client.get("/customers/900000001/"))
        for source in ("INSTORE", "WECHAT", "LINE"):
            assert f"<h3>{source}" in body
        assert "account 1234" in body
        assert body.count('class="differs"') + body.count(' differs"') >= 2
        assert "differs between sources" in body

    def test_tier_expiry_is_the_same_day_in_programs_and_in_keep_the_tier(self, agent_client, capillary):
        # slabExpiryDate is a timestamp, gapToRenewSummary.tierExpiryDate a date: the page must not shift one of
        # them into the next day by converting it to the console's time zone.
        body = text(agent_client.get("/customers/900000001/"))
        assert body.count("31 Dec 2026") >= 2
        assert "01 Jan 2027" not in body

    def test_unicode_names(self, agent_client, capillary):
        body = text(agent_client.get("/customers/900000002/"))
        assert "小明" in body
        assert "王" in body
        assert "上海" in body
        assert "José Ñúñez" in text(agent_client.get("/customers/900000003/"))

    def test_cards_in_every_status_and_one_without_status_info(self, agent_client, capillary):
        body = text(agent_client.get("/customers/900000006/"))
        for status in ("ACTIVE", "SUSPENDED", "EXPIRED", "NOT_ISSUED", "DELETED"):
            assert status in body
        assert "Status not returned" in body
        assert "DEMO6CARD0006" in body or "DEMO6CARD0001" in body

    def test_tier_history_shows_upgrade_downgrade_and_renewal(self, agent_client, capillary):
        body = text(agent_client.get("/customers/900000007/"))
        for kind in ("Upgrade", "Downgrade", "Renewal"):
            assert f">{kind}</span>" in body

    def test_renewal_strategies_and_upgrade_gap(self, agent_client, capillary):
        body = text(agent_client.get("/customers/900000008/"))
        assert "What it takes to keep the tier" in body
        assert "Tracker" in body or "tracker" in body
        assert "Visits" in body
        assert 'role="progressbar"' in body

    def test_do_not_disturb_and_opted_out_say_do_not_contact_and_why(self, agent_client, capillary):
        body = text(agent_client.get("/customers/900000010/"))
        assert "NDNC: DND, so do not call" in body
        assert "opted out" in body

    def test_missing_blocks_still_render(self, agent_client, capillary):
        body = text(agent_client.get("/customers/900000016/"))
        assert "No cards issued." in body
        assert "No tier changes recorded." in body
        assert "Not enrolled in any loyalty program" in body
        assert "Non-loyalty" in body

    def test_profile_without_names(self, agent_client, capillary):
        response = agent_client.get("/customers/900000015/")
        assert response.status_code == 200
        assert "(no name on file)" in text(response)

    def test_two_programs_and_top_tier(self, agent_client, capillary):
        body = text(agent_client.get("/customers/900000005/"))
        assert "Top tier" in body

    def test_deleted_after_pii_request_says_so_and_shows_no_data(self, agent_client, capillary):
        response = agent_client.get("/customers/900000012/")
        assert response.status_code == 410
        body = text(response)
        assert "deleted after a PII deletion request" in body
        assert "DELETED-900000012" not in body

    def test_merged_customer_links_to_the_survivor(self, agent_client, capillary):
        response = agent_client.get("/customers/900000013/")
        assert response.status_code == 200
        assert 'href="/customers/900000014/"' in text(response)

    def test_merged_customer_without_known_survivor_says_so(self, agent_client, capillary, fake_http):
        fake_http.post("/__fake__/config", json={"behaviour": {"merged_victim_mode": "error"}})
        body = text(agent_client.get("/customers/900000013/"))
        assert "was merged" in body
        assert "did not say which account survived" in body

    def test_timeout_is_a_504_with_a_friendly_message(self, agent_client, capillary, fake_http, settings):
        fake_http.post("/__fake__/faults", json={"path": "/v2/customers/{id}", "malformed": True, "count": None})
        response = agent_client.get("/customers/900000001/")
        assert response.status_code in {502, 503}
        assert "Try again" in text(response)


class TestEmailCase:
    def test_email_typed_in_capitals_finds_the_customer_stored_in_lower_case(self, agent_client, capillary):
        response = agent_client.post("/customers/search/", {"q": "PRIYA.IYER@EXAMPLE.COM"}, follow=True)
        assert response.redirect_chain[0][0] == "/customers/900000005/"
        assert "Found by email p•••@example.com." in text(response)

    def test_email_stored_with_capitals_is_found_as_typed(self, agent_client, capillary):
        response = agent_client.post("/customers/search/", {"q": "Noor.Capital@Example.com"}, follow=True)
        assert response.redirect_chain[0][0] == "/customers/900000023/"
        body = text(response)
        assert "Found by email N•••@Example.com (as typed)." in body
        assert "Noor.Capital@Example.com" not in body  # masked for an agent, in the message too

    def test_searching_an_email_as_email_tries_both_spellings(self, agent_client, capillary):
        response = agent_client.post("/customers/search/", {"q": "Noor.Capital@Example.com", "type": "email"})
        assert response["Location"] == "/customers/900000023/"


class TestMergedAccounts:
    def test_a_merged_accounts_mobile_opens_the_survivor_and_says_so_masked(self, agent_client, capillary):
        response = agent_client.post("/customers/search/", {"q": "919845000013"})
        assert response.status_code == 302
        assert response["Location"] == "/customers/900000014/"  # no personal data in the URL
        body = text(agent_client.get(response["Location"]))
        assert "Sam Survivor" in body
        # Capillary answered with the survivor and did not say which customer the mobile belonged to.
        assert "Mobile +91 ••••• ••013 belonged to an account merged into customer 900000014, shown here." in body
        assert "919845000013" not in body

    def test_an_administrator_sees_the_merged_accounts_mobile_in_full(self, client, administrator, capillary):
        client.force_login(administrator)
        response = client.post("/customers/search/", {"q": "+91 98450 00013"}, follow=True)
        assert response.redirect_chain[0][0] == "/customers/900000014/"
        assert "Mobile 919845000013 belonged to an account merged into customer 900000014, shown here." in text(
            response
        )

    def test_a_merged_accounts_email_says_so_in_the_agents_mask(self, agent_client, capillary):
        response = agent_client.post("/customers/search/", {"q": "Sam.Old@example.com"}, follow=True)
        assert response.redirect_chain[0][0] == "/customers/900000014/"
        assert "Email s•••@example.com belonged to an account merged into customer 900000014" in text(response)

    def test_a_merged_customer_id_names_both_accounts_on_the_survivors_page(self, agent_client, capillary, fake_http):
        fake_http.delete("/__fake__/requests")
        response = agent_client.post("/customers/search/", {"q": "900000013"}, follow=True)
        assert response.redirect_chain[0][0] == "/customers/900000014/"
        body = text(response)
        assert "Customer 900000013 was merged into customer 900000014, shown here." in body
        assert "Found by" not in body
        # The victim's read, then the survivor's page.
        assert [c["path"] for c in upstream_calls(fake_http)] == ["/v2/customers/900000013", "/v2/customers/900000014"]

    def test_an_active_customer_gets_no_merge_message(self, agent_client, capillary):
        body = text(agent_client.post("/customers/search/", {"q": "919845000014"}, follow=True))
        assert "Found by mobile +91 ••••• ••014." in body
        assert "merged" not in body


class TestDeletedCustomers:
    @pytest.mark.parametrize(
        ("typed", "heading", "said"),
        [
            ("900000012", "Customer 900000012 was deleted", "This customer's personal data was deleted"),
            ("DELETED-900000012", "Customer deleted", "The customer with this external ID was deleted"),
        ],
    )
    def test_a_customer_deleted_after_a_pii_request_is_shown_as_deleted_not_as_nobody(
        self, agent_client, capillary, typed, heading, said
    ):
        response = agent_client.post("/customers/search/", {"q": typed})
        assert response.status_code == 302
        assert re.fullmatch(r"/customers/search/[\w-]{16}/", response["Location"])
        page = agent_client.get(response["Location"])
        assert page.status_code == 410
        body = text(page)
        assert f">{heading}</h1>" in body
        assert said in body
        assert "deleted after a PII deletion request" in body
        assert "Request id" in body
        assert "No customer found" not in body
        assert "Register this customer" not in body
        assert "/customers/register/?prefill" not in body
        assert "DELETED-900000012" not in body
        assert agent_client.get(response["Location"]).status_code == 410  # reload: the same page

    def test_external_id_search_as_external_id_shows_the_deleted_page(self, agent_client, capillary):
        response = agent_client.post(
            "/customers/search/", {"q": "DELETED-900000012", "type": "externalId"}, follow=True
        )
        assert response.status_code == 410
        assert "The customer with this external ID was deleted" in text(response)

    def test_the_deleted_search_is_recorded_as_deleted(self, agent_client, capillary):
        from memberconsole.core.models import AuditEntry

        agent_client.post("/customers/search/", {"q": "DELETED-900000012"})
        agent_client.post("/customers/search/", {"q": "900000012"})
        by_identifier, by_id = AuditEntry.objects.filter(action="search").order_by("pk")
        assert (by_identifier.outcome, by_identifier.details["query_type"]) == ("deleted", "externalId")
        assert (by_id.outcome, by_id.customer_id, by_id.details["query_type"]) == ("deleted", 900000012, "id")


def results_page(client, query, **form):
    """Post a search and return the results page's URL (an opaque key: no query in it)."""
    response = client.post("/customers/search/", {"q": query, **form})
    assert response.status_code == 302
    assert re.fullmatch(r"/customers/search/[\w-]{16}/", response["Location"])
    return response["Location"]


def rows(response) -> list[str]:
    """The results table's rows as text, one string per customer."""
    body = response.content.decode()
    tbody = body[body.index("<tbody>") : body.index("</tbody>")]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in tbody.split("<tr>")[1:]]


class TestNameSearchPages:
    @pytest.fixture
    def seeded(self, fake_http):
        """3,000 generated customers: 42 of them match "Tom" (names and emails starting with it)."""
        fake_http.post("/__fake__/seed", json={"customers": 3000}).raise_for_status()

    def test_first_page_says_how_many_match_and_costs_two_upstream_calls(
        self, agent_client, capillary, fake_http, seeded
    ):
        fake_http.delete("/__fake__/requests")
        url = results_page(agent_client, "Tom")
        response = agent_client.get(url)
        assert response.status_code == 200
        body = text(response)
        assert "42 customers match “Tom”" in body
        assert "Showing 1–20 of 42 customers who match." in body
        assert "Page 1 of 3" in body
        assert len(rows(response)) == 20
        assert f'href="{url}?page=2"' in body
        assert "Previous" not in body
        assert "Tom" not in url
        calls = upstream_calls(fake_http)
        assert [c["path"] for c in calls] == ["/v2/customers/search", "/v2/bulk/getCustomers"]
        assert (calls[0]["query"]["limit"], calls[0]["query"]["offset"]) == ("20", "0")
        assert calls[1]["query"]["embed"] == "mlp"  # CAPILLARY_BULK_EMBED: the tier

    def test_page_two_shows_the_next_twenty_with_their_details_masked(self, agent_client, capillary, fake_http, seeded):
        url = results_page(agent_client, "Tom")
        agent_client.get(url)
        fake_http.delete("/__fake__/requests")
        response = agent_client.get(f"{url}?page=2")
        body = text(response)
        assert "Showing 21–40 of 42 customers who match." in body
        assert "Page 2 of 3" in body
        assert f'href="{url}"' in body  # previous: page 1
        assert f'href="{url}?page=3"' in body
        assert "hx-push-url" not in body
        first = rows(response)[0]
        for value in ("Tom Mitchell", "100001475", "+91 ••••• ••525", "Singapore", "Garnet", "INSTORE"):
            assert value in first
        assert "13 Oct 2021" in first  # registration date, in the console's one date format
        assert "first name" in first  # matched on, in words
        assert len(upstream_calls(fake_http)) == 2  # a page costs two calls: the search and one bulk read
        search = next(c for c in upstream_calls(fake_http) if c["path"] == "/v2/customers/search")
        assert (search["query"]["limit"], search["query"]["offset"], search["query"]["q"]) == ("20", "20", "***")

    def test_last_page_and_reload_need_no_new_search(self, agent_client, capillary, fake_http, seeded):
        url = results_page(agent_client, "Tom")
        last = agent_client.get(f"{url}?page=3")
        assert "Showing 41–42 of 42 customers who match." in text(last)
        assert len(rows(last)) == 2
        assert "Next" not in text(last)
        fake_http.delete("/__fake__/requests")
        for page in ("", "?page=3"):
            assert agent_client.get(f"{url}{page}").status_code == 200
        assert upstream_calls(fake_http) == []  # reload and Back show the kept outcome

    def test_a_page_past_the_end_goes_to_the_last_page(self, agent_client, capillary, seeded):
        url = results_page(agent_client, "Tom")
        response = agent_client.get(f"{url}?page=9")
        assert response.status_code == 302
        assert response["Location"] == f"{url}?page=3"
        assert agent_client.get(f"{url}?page=nonsense").status_code == 200  # read as the first page

    def test_a_source_filter_says_the_count_is_for_all_sources(self, agent_client, capillary, seeded):
        url = results_page(agent_client, "Tom", source="INSTORE")
        response = agent_client.get(f"{url}?page=2")
        body = text(response)
        assert "Showing 21–40 of 42 customers who match in all sources." in body
        listed = rows(response)
        assert f"only those with a profile in INSTORE are listed: {len(listed)} of the 20 on this page" in body
        assert len(listed) < 20  # Tom Torres is MARTJACK only
        assert not any("Tom Torres" in row for row in listed)

    def test_each_row_tells_customers_apart_masked_for_an_agent(self, agent_client, capillary):
        response = agent_client.get(results_page(agent_client, "Sam"))
        victim, survivor = rows(response)
        assert "Sam Survivor" in survivor
        for value in ("+91 ••••• ••014", "s•••@example.com", "Coral", "INSTORE", "01 Mar 2024", "first name"):
            assert value in survivor
        assert "919845000014" not in response.content.decode()
        assert "sam.survivor@example.com" not in response.content.decode()
        assert "Merged into customer 900000014" in victim
        assert 'href="/customers/900000014/"' in response.content.decode()

    def test_an_administrator_sees_the_rows_contact_details_in_full(self, client, administrator, capillary):
        client.force_login(administrator)
        response = client.get(results_page(client, "Sam"))
        survivor = rows(response)[1]
        assert "919845000014" in survivor
        assert "sam.survivor@example.com" in survivor

    def test_a_name_only_one_customer_has_opens_that_customer_in_two_calls(self, agent_client, capillary, fake_http):
        fake_http.delete("/__fake__/requests")
        response = agent_client.post("/customers/search/", {"q": "Noor"}, follow=True)
        assert response.redirect_chain[0][0] == "/customers/900000023/"
        assert "Found by name Noor." in text(response)
        assert [c["path"] for c in upstream_calls(fake_http)] == ["/v2/customers/search", "/v2/customers/900000023"]


def test_search_by_name_lists_several_customers_with_links(agent_client, capillary):
    response = agent_client.post("/customers/search/", {"q": "firstName"}, follow=True)
    assert response.status_code == 200
    body = text(response)
    assert "3 customers match" in body
    for customer_id in (382137011, 382137012, 382137013):
        assert f'href="/customers/{customer_id}/"' in body
    assert "WECHAT" in body


def test_search_by_name_with_one_match_opens_the_customer(agent_client, capillary):
    response = agent_client.post("/customers/search/", {"q": "Bubalus"})
    assert response.status_code == 302
    assert response["Location"] == "/customers/566881933/"


def test_no_page_pushes_personal_data_into_history_with_htmx(agent_client, capillary):
    """Search terms and identifiers are personal data: no page asks htmx to push its URL into the history."""
    pages = ["/", "/customers/search/?q=566881933", "/customers/566881933/", "/customers/register/", "/customers/bulk/"]
    for page in pages:
        response = agent_client.get(page, follow=True)
        assert response.status_code == 200, page
        body = response.content.decode()
        assert "hx-push-url" not in body, page
        assert "hx-replace-url" not in body, page


def test_home_keeps_only_the_ten_most_recent(agent_client, capillary, agent):
    from memberconsole.customers.models import RecentCustomer

    for customer_id in range(900000001, 900000012):
        agent_client.get(f"/customers/{customer_id}/")
    body = text(agent_client.get("/"))
    assert RecentCustomer.objects.filter(agent=agent).count() == 10
    assert 'href="/customers/900000011/"' in body
    assert 'href="/customers/900000001/"' not in body


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "abc", "type": "id"}, "A customer ID is a number"),
        ({"q": "hello", "type": "mobile"}, "That is not a mobile number"),
        ({"q": "nobody", "type": "email"}, "That is not an email address"),
        ({"q": "566881933", "type": "bogus"}, "Select a valid choice"),
        ({"q": "566881933", "source": "BOGUS"}, "Select a valid choice"),
    ],
)
def test_search_as_a_type_that_does_not_fit_says_why(agent_client, capillary, params, message):
    response = agent_client.get("/customers/search/", params)
    assert response.status_code == 400
    assert message in text(response)


@pytest.mark.parametrize("customer_id", ["9223372036854775808", "99999999999999999999999"])
def test_customer_id_beyond_a_long_is_not_found(agent_client, capillary, customer_id):
    response = agent_client.get(f"/customers/{customer_id}/")
    assert response.status_code == 404
    assert "not found" in text(response)


class TestSummaryBand:
    """The band at the top of the customer page answers the agent's first questions, in words."""

    @staticmethod
    def band(client, customer_id) -> str:
        body = client.get(f"/customers/{customer_id}/").content.decode()
        start = body.index('id="summary"')
        return re.sub(r"\s+", " ", body[start : body.index("</section>", start)])

    def test_next_tier_and_keeping_this_one_in_one_sentence_each(self, agent_client, capillary):
        band = self.band(agent_client, 900000008)
        assert "Mei Chen" in band
        assert "Coral" in band
        assert "until 31 Dec 2026" in band
        assert "3,786" in band
        assert "2,213 more points to reach Garnet, by 06 May 2026." in band
        assert "To keep Coral after 31 Dec 2026: 4 more line items and 3 more visits." in band
        for code in ("LINEITEM_COUNT", "MOVING_WINDOW", "DowngradeTracker", "slab upgradation"):
            assert code not in band

    def test_top_tier_and_a_compact_line_for_the_other_program(self, agent_client, capillary):
        band = self.band(agent_client, 900000005)
        assert "Diamond" in band
        assert "Top tier: there is no tier above." in band
        other = r"Fly Miles</strong>: Gold until 31 Mar 2027 · 40,000 points · ₹60,000.00 more in purchases to reach "
        assert re.search(other + r"Platinum, by \d\d \w{3} \d{4}\.", band)

    def test_base_tier_has_nothing_to_keep(self, agent_client, capillary):
        assert "Base tier: nothing to keep." in self.band(agent_client, 900000009)

    def test_fraud_is_said_in_words_and_colour(self, agent_client, capillary):
        band = self.band(agent_client, 900000018)
        assert '<li class="alert alert-error"><strong>Fraud: marked</strong>' in band
        assert "Check with your supervisor" in band

    def test_non_loyalty_is_said(self, agent_client, capillary):
        band = self.band(agent_client, 900000016)
        assert "Non-loyalty customer" in band
        assert "Not enrolled" in band
        assert '<span class="answer-value">Not a member</span>' in band
        assert "Not in a loyalty program." in band
        assert "Not in a loyalty program: no tier to keep." in band

    def test_do_not_contact_badges_with_the_reason_one_tap_away(self, agent_client, capillary):
        band = self.band(agent_client, 900000010)
        assert "SMS: do not contact" in band
        assert "Email: do not contact" in band
        assert "<details" in band
        assert "NDNC: DND, so do not call or send promotions." in band

    def test_other_channels_show_only_when_the_customer_has_them(self, agent_client, capillary):
        assert "WeChat: contactable" in self.band(agent_client, 900000001)
        assert "WeChat:" not in self.band(agent_client, 900000008)

    def test_a_customer_without_a_name(self, agent_client, capillary):
        assert "(no name on file)" in self.band(agent_client, 900000015)

    def test_the_criteria_sections_keep_the_rule_apart_from_the_progress(self, agent_client, capillary):
        body = text(agent_client.get("/customers/900000008/"))
        assert "This customer's progress now" in body
        assert "The program's rule" in body
        rule = "at least ₹500.00 in purchases and 2 visits in the qualifying period; a downgrade strategy applies."
        assert rule.capitalize() in body  # the section
        assert f"Program rule: {rule}" in self.band(agent_client, 900000008)  # beside the renewal progress
        assert "Line items in a moving window of 5 days" in body
        assert body.count("2,213 more points") == 3  # the band, the sentence and the criterion: one gap, never twice


def test_money_is_in_the_orgs_currency_and_mobiles_read_as_people_read_them(admin_client_console, capillary, settings):
    body = text(admin_client_console.get("/customers/900000008/"))
    assert "₹9,786.00" in body  # lifetime purchases
    assert '<span class="mobile">+91 98450 00008</span>' in body
    assert 'data-copy="919845000008"' in body
    settings.ORG_CURRENCY = "SGD"
    assert "S$9,786.00" in text(admin_client_console.get("/customers/900000008/"))


def test_recently_viewed_says_just_now(agent_client, capillary):
    agent_client.get("/customers/566881933/")
    assert re.search(r"566881933</span> · just now", text(agent_client.get("/")))


class TestDocsCustomerVerbatim:
    """The docs' own example of GET /v2/customers/{id} (get-customer-by-id.txt, customer 565261498,
    docs.capillarytech.com/reference/get-customer-details-v2) as Capillary's answer, verbatim: a tier history, upgrade
    and retention criteria at top level, and no program details or points summary."""

    @pytest.fixture
    def answer_with(self, settings):
        """Makes Capillary answer the customer page's one call with this body."""

        def install(body):
            def handler(request):
                if request.url.path == f"/v2/customers/{body['id']}":
                    return httpx.Response(200, json=body)
                return httpx.Response(404, json={"errors": [{"code": 8015, "message": "Customer not found"}]})

            settings.CAPILLARY_BASE_URL = ""
            set_capillary_client(build_capillary_client(transport=httpx.MockTransport(handler)))

        yield install
        set_capillary_client(None)

    @staticmethod
    def body(*, drop=(), **replace) -> dict:
        body = json.loads(DOCS_CUSTOMER.read_text(encoding="utf-8"))
        for key in drop:
            del body[key]
        return body | replace

    @staticmethod
    def sections(client) -> dict[str, str]:
        """The band and the sections an agent reads about tiers, each as its text."""
        body = client.get("/customers/565261498/").content.decode()
        found = {}
        for name in ("summary", "programs", "upgrade", "retention"):
            start = body.index(f'id="{name}"')
            found[name] = re.sub(r"\s+", " ", body[start : body.index("</section>", start)])
        return found

    def test_the_band_and_both_sections_say_the_upgrade_and_retention_criteria(self, agent_client, answer_with):
        answer_with(self.body())
        page = self.sections(agent_client)
        band = page["summary"]
        assert '<span class="answer-value">Garnet</span>' in band
        assert "from the tier history, since 13 Jan 2026" in band
        assert '<dt>Points available</dt> <dd><span class="answer-value">Not returned</span>' in band
        assert NEEDS_5999 in band
        assert KEPT_NO_MINIMUMS in band
        for wrong in ("Top tier", "Not in a loyalty program", "Not enrolled", "more points", "—"):
            assert wrong not in band, wrong
        assert "Program 983: from Garnet to the next tier" in page["upgrade"]
        assert NEEDS_5999 in page["upgrade"]
        assert '<dt>Required to move up</dt><dd class="num">5,999 current points' in page["upgrade"]
        assert "CURRENT_POINTS" in page["upgrade"]
        assert "Program 983: keep Garnet" in page["retention"]
        assert KEPT_NO_MINIMUMS in page["retention"]
        assert "No minimum purchases or visits; a downgrade strategy applies." in page["retention"]
        assert "the tier is the newest change in the tier history, and points were not returned" in page["programs"]
        assert "Capillary returned no program details." not in page["upgrade"] + page["retention"]

    @pytest.mark.parametrize(
        ("drop", "replace", "next_sentence", "keep_sentence"),
        [
            (["tierUpgradeCriteria"], {}, "Capillary returned no next tier or upgrade criteria.", KEPT_NO_MINIMUMS),
            (["membershipRetentionCriteria"], {}, NEEDS_5999, "Capillary returned no renewal conditions for Garnet."),
            (["slabHistory"], {}, NEEDS_5999,
             "The tier is kept with no minimum purchases or visits; a downgrade strategy applies."),
            ([], {"membershipRetentionCriteria": {"minPurchases": 500.0, "minVisits": 2, "isDownGradeStrategy": True}},
             NEEDS_5999,
             "To keep Garnet: at least ₹500.00 in purchases and 2 visits in the qualifying period; a downgrade "
             "strategy applies."),
            ([], {"membershipRetentionCriteria": {"minPurchases": 500.0, "minVisits": 2, "isDownGradeStrategy": False}},
             NEEDS_5999, "Garnet cannot drop: the program has no downgrade rule."),
        ],
    )  # fmt: skip
    def test_each_block_missing_or_changed(
        self, agent_client, answer_with, settings, drop, replace, next_sentence, keep_sentence
    ):
        settings.ORG_CURRENCY = "INR"
        answer_with(self.body(drop=drop, **replace))
        page = self.sections(agent_client)
        for where in ("summary", "upgrade"):
            assert next_sentence in page[where], where
        for where in ("summary", "retention"):
            assert keep_sentence in page[where], where
        assert "Top tier" not in page["summary"] + page["programs"]
        assert "Not returned" in page["summary"]  # the points

    def test_the_program_rule_with_minimums_and_no_downgrade_is_said_in_the_section(
        self, agent_client, answer_with, settings
    ):
        settings.ORG_CURRENCY = "INR"
        rule = {"minPurchases": 500.0, "minVisits": 2, "isDownGradeStrategy": False}
        answer_with(self.body(membershipRetentionCriteria=rule))
        assert (
            "At least ₹500.00 in purchases and 2 visits in the qualifying period, but the program has no downgrade "
            "strategy, so the tier does not drop." in self.sections(agent_client)["retention"]
        )

    def test_without_any_of_them_the_band_says_capillary_returned_nothing_not_that_they_are_not_members(
        self, agent_client, answer_with
    ):
        answer_with(self.body(drop=["slabHistory", "tierUpgradeCriteria", "membershipRetentionCriteria"]))
        page = self.sections(agent_client)
        band = page["summary"]
        assert band.count('<span class="answer-value">Not returned</span>') == 2  # tier and points
        assert "Capillary returned no program details, tier history or upgrade criteria." in band
        assert "Capillary returned no program details or retention criteria." in band
        assert "Not enrolled" not in band
        assert "Capillary returned no program details, tier history or upgrade criteria." in page["upgrade"]
        assert "Capillary returned no program details or retention criteria." in page["retention"]
