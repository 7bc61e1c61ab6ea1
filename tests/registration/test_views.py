"""Registering a walk-in customer end to end against the fake: success, every mapped error, duplicates, exactly once."""

import re
import uuid

import httpx
import pytest

from memberconsole.registration.models import RegistrationAttempt, RegistrationRejection, RegistrationSource

pytestmark = pytest.mark.django_db

NEW_MOBILE = "+91 98111 22334"
NEW_MOBILE_DIGITS = "918111223344"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def posts(http):
    log = http.get("/__fake__/requests", params={"method": "POST", "path": "/v2/customers"}).json()
    entries = log["requests"] if isinstance(log, dict) else log
    return [e for e in entries if e["method"] == "POST" and e["path"] == "/v2/customers"]


def submit(client, **data):
    payload = {"token": str(uuid.uuid4()), "source": "INSTORE", "first_name": "Asha", "last_name": "Rao", **data}
    return client.post("/customers/register/", payload)


def post_timeout(base_url: str, *, when: str) -> None:
    """The next registration POST times out (the fake sleeps past the client timeout), before or after commit."""
    spec = {"path": "/v2/customers", "method": "POST", "timeout": True, "delay_ms": 1500, "when": when, "count": 1}
    httpx.post(f"{base_url}/__fake__/faults", json=spec).raise_for_status()


def fault(http, **spec):
    http.post("/__fake__/faults", json=spec).raise_for_status()


class TestForm:
    def test_form_shows_the_labels(self, agent_client, config, capillary):
        body = text(agent_client.get("/customers/register/"))
        for label in ("First name", "Last name", "Mobile", "Email", "External ID", "Source", "Account ID"):
            assert f">{label}" in body

    def test_search_no_match_links_to_a_form_prefilled_through_the_session_not_the_url(
        self, agent_client, config, capillary
    ):
        body = text(agent_client.post("/customers/search/", {"q": "98765 43210"}, follow=True))
        link = re.search(r'href="(/customers/register/\?prefill=[\w-]+)"', body).group(1)
        assert "9876543210" not in link
        assert 'value="+919876543210"' in text(agent_client.get(link))

    def test_identifiers_in_the_url_are_not_prefilled(self, agent_client, config, capillary):
        body = text(agent_client.get("/customers/register/", {"mobile": "+919876543210", "email": "x@example.com"}))
        assert "+919876543210" not in body
        assert "x@example.com" not in body

    def test_someone_elses_prefill_key_prefills_nothing(self, client, agent, supervisor, config, capillary):
        client.force_login(agent)
        body = text(client.post("/customers/search/", {"q": "98765 43210"}, follow=True))
        link = re.search(r'href="(/customers/register/\?prefill=[\w-]+)"', body).group(1)
        client.force_login(supervisor)
        assert "+919876543210" not in text(client.get(link))


class TestSuccess:
    def test_registers_once_and_shows_id_warnings_and_side_effects(
        self, agent_client, enrollment_config, capillary, fake_http
    ):
        response = submit(agent_client, mobile=NEW_MOBILE, email="asha.rao@example.com", card_number="NEWCARD-1")
        assert response.status_code == 302
        result = agent_client.get(response["Location"])
        body = text(result)
        attempt = RegistrationAttempt.objects.get()
        assert attempt.status == RegistrationAttempt.REGISTERED
        assert f'href="/customers/{attempt.customer_id}/"' in body
        assert "8107" not in body  # about the org's setup: for administrators (admin home), not the agent
        assert "Loyalty points awarded" in body
        assert ">75<" in body.replace(" ", "")
        assert "Welcome Offer - 10% flat discount" in body
        assert "code" in body
        assert "Valid until" in body
        sent = posts(fake_http)
        assert len(sent) == 1
        headers = {k.upper(): v for k, v in sent[0]["headers"].items()}
        assert headers["USER-CONTEXT-ENTITY-SOURCE"] == "MEMBER_CARE"
        assert headers["USER-CONTEXT-ENTITY-ID"] == str(attempt.agent_id)
        # The new customer is findable straight away.
        found = agent_client.get("/customers/search/", {"q": NEW_MOBILE})
        assert found["Location"] == f"/customers/{attempt.customer_id}/"

    def test_audit_trail_keeps_no_personal_data(self, agent_client, config, capillary):
        submit(agent_client, mobile=NEW_MOBILE, email="asha.rao@example.com")
        attempt = RegistrationAttempt.objects.get()
        stored = " ".join(str(getattr(attempt, f.name)) for f in attempt._meta.fields)
        assert NEW_MOBILE_DIGITS not in stored
        assert "asha.rao" not in stored
        assert "Asha" not in stored


class TestDuplicates:
    def test_identifier_check_on_leaving_the_field_names_the_customer(self, agent_client, config, capillary):
        response = agent_client.get(
            "/customers/register/check/", {"field": "mobile", "mobile": "+91 98450 00001", "source": "INSTORE"}
        )
        body = text(response)
        assert 'href="/customers/900000001/"' in body
        assert "already has this mobile number" in body

    @pytest.mark.parametrize(
        ("typed", "customer_id"),
        [
            ("SAM.SURVIVOR@EXAMPLE.COM", 900000014),  # stored in lower case: found lower-cased
            ("Noor.Capital@Example.com", 900000023),  # stored with capitals: found as typed
        ],
    )
    def test_identifier_check_finds_an_email_whatever_its_case(
        self, agent_client, config, capillary, typed, customer_id
    ):
        response = agent_client.get(
            "/customers/register/check/", {"field": "email", "email": typed, "source": "INSTORE"}
        )
        body = text(response)
        assert f'href="/customers/{customer_id}/"' in body
        assert "already has this email address in INSTORE" in body

    def test_an_email_stored_with_capitals_blocks_registering_it_again(
        self, agent_client, config, capillary, fake_http
    ):
        response = submit(agent_client, mobile=NEW_MOBILE, email="Noor.Capital@Example.com")
        assert response.status_code == 200
        assert "Already registered in INSTORE as customer 900000023" in text(response)
        assert posts(fake_http) == []

    def test_a_new_email_is_sent_lower_cased(self, agent_client, config, capillary, fake_http):
        response = submit(agent_client, mobile=NEW_MOBILE, email="Asha.Rao@Example.COM")
        assert response.status_code == 302
        attempt = RegistrationAttempt.objects.get()
        stored = fake_http.get(f"/__fake__/customers/{attempt.customer_id}").json()
        emails = [i["value"] for p in stored["profiles"] for i in p["identifiers"] if i["type"] == "email"]
        assert emails == ["asha.rao@example.com"]
        # Typed in capitals again, it is the same customer.
        check = agent_client.get("/customers/register/check/", {"field": "email", "email": "ASHA.RAO@EXAMPLE.COM"})
        assert f'href="/customers/{attempt.customer_id}/"' in text(check)

    def test_identifier_check_with_a_new_number_says_nothing(self, agent_client, config, capillary):
        response = agent_client.get("/customers/register/check/", {"field": "mobile", "mobile": NEW_MOBILE})
        assert response.content.strip() == b""

    def test_same_identifier_same_source_is_blocked_before_sending(self, agent_client, config, capillary, fake_http):
        response = submit(agent_client, mobile="+91 98450 00001")
        assert response.status_code == 200
        body = text(response)
        assert "Already registered in INSTORE as customer 900000001" in body
        assert 'href="/customers/900000001/"' in body
        assert posts(fake_http) == []
        assert 'value="Asha"' in body

    def test_other_source_needs_confirmation_then_adds_a_profile(
        self, agent_client, multi_source_config, capillary, fake_http
    ):
        # 900000017 has only a MARTJACK profile; registering their mobile in store adds a profile to them.
        mobile = "919845000017"
        response = submit(agent_client, mobile=f"+{mobile}")
        body = text(response)
        assert "Yes, add this profile to customer 900000017" in body
        assert posts(fake_http) == []
        token = re.search(r'name="token" value="([^"]+)"', body).group(1)
        response = agent_client.post(
            "/customers/register/",
            {
                "token": token,
                "source": "INSTORE",
                "first_name": "Asha",
                "mobile": f"+{mobile}",
                "confirm_existing": "900000017",
            },
        )
        assert response.status_code == 302
        result = text(agent_client.get(response["Location"]))
        assert "Profile added to customer 900000017" in result
        assert "(code 8050)" in result
        assert len(posts(fake_http)) == 1


class TestExactlyOnce:
    def test_double_submit_of_the_same_form_sends_one_post(self, agent_client, config, capillary, fake_http):
        token = str(uuid.uuid4())
        data = {"token": token, "source": "INSTORE", "first_name": "Asha", "mobile": NEW_MOBILE}
        first = agent_client.post("/customers/register/", data)
        second = agent_client.post("/customers/register/", data)
        assert first.status_code == 302
        assert second.status_code == 302
        assert second["Location"] == first["Location"]
        assert len(posts(fake_http)) == 1
        assert RegistrationAttempt.objects.count() == 1
        assert "already submitted" in text(agent_client.get(second["Location"]))

    def test_a_submit_still_in_flight_is_not_sent_again(self, agent_client, agent, config, capillary, fake_http):
        from memberconsole.registration.forms import RegistrationForm
        from memberconsole.registration.services import fingerprint

        token = uuid.uuid4()
        data = {"token": str(token), "source": "INSTORE", "mobile": NEW_MOBILE}
        form = RegistrationForm(data, config=config)
        assert form.is_valid()
        first_click = fingerprint(form.registration_data())
        RegistrationAttempt.objects.create(token=token, agent=agent, source="INSTORE", fingerprint=first_click)
        response = agent_client.post("/customers/register/", data)
        assert response.status_code == 200
        assert "already being sent" in text(response)
        assert posts(fake_http) == []

    def test_the_post_is_never_retried(self, agent_client, config, capillary, fake_http):
        fault(fake_http, path="/v2/customers", method="POST", status=503, count=None)
        response = submit(agent_client, mobile=NEW_MOBILE)
        assert len(posts(fake_http)) == 1
        assert response.status_code == 503  # Capillary failed: the status says so, and the form comes back filled
        assert "not registered" in text(response)
        assert 'value="Asha"' in text(response)


class TestMappedErrors:
    def _miss_the_precheck(self, fake_http):
        # The duplicate check runs before the POST; make its lookup miss once so Capillary's own 8006 shows.
        fault(
            fake_http,
            path="/v2/customers/lookup/customerDetails",
            status=400,
            count=1,
            body={"warnings": [], "errors": [{"status": False, "code": 8015, "message": "Customer not found"}]},
        )

    def test_8006_already_exists_lands_on_the_field_with_a_link(self, agent_client, config, capillary, fake_http):
        self._miss_the_precheck(fake_http)
        response = submit(agent_client, mobile="+91 98450 00001")
        body = text(response)
        assert "already exists in this source" in body
        assert 'href="/customers/900000001/"' in body
        assert RegistrationAttempt.objects.get().codes == "8006"

    @pytest.mark.parametrize(
        ("code", "field", "words"),
        [
            (3217, "source", "does not accept registrations in this source"),
            (8014, "mobile", "this mobile number is not valid"),
            (1002, "email", "this email address is not valid"),
            (1003, "external_id", "this external ID is not valid"),
            (8045, "account_id", "needs a valid account ID"),
        ],
    )
    def test_codes_land_on_their_field(self, agent_client, config, capillary, fake_http, code, field, words):
        fault(
            fake_http,
            path="/v2/customers",
            method="POST",
            status=400,
            count=1,
            body={"warnings": [], "errors": [{"status": False, "code": code, "message": "Refused"}]},
        )
        response = submit(agent_client, mobile=NEW_MOBILE, email="asha@example.com", external_id="EXT-9")
        body = text(response)
        if field == "account_id":
            assert words in body
        else:
            assert re.search(rf'id="field-{field}".*?{words}', body), body[:3000]
        assert 'value="Asha"' in body
        assert 'value="asha@example.com"' in body
        assert 'value="EXT-9"' in body

    def test_unknown_rule_is_a_form_error_with_request_id_and_warns_admins(
        self, agent_client, staff_agent, config, capillary, fake_http, client
    ):
        fake_http.post("/__fake__/config", json={"registration": {"CONF_USERS_IS_EMAIL_REQUIRED": True}})
        response = submit(agent_client, mobile=NEW_MOBILE)
        body = text(response)
        assert "Capillary refused the registration" in body
        assert "Request id for escalation" in body
        assert 'value="Rao"' in body
        rejection = RegistrationRejection.objects.get()
        assert rejection.codes == "1039"
        client.force_login(staff_agent)
        admin = text(client.get("/admin/"))
        assert "The registration configuration looks out of date" in admin
        assert "1039" in admin


class TestUncertainOutcomes:
    def test_capillary_down_keeps_the_form_and_says_nothing_was_registered(self, agent_client, config, settings):
        from memberconsole.capillary.factory import build_capillary_client, set_capillary_client

        settings.CAPILLARY_USERNAME, settings.CAPILLARY_PASSWORD = "u", "p"
        dead = build_capillary_client(base_url="http://127.0.0.1:9")  # nothing listens on the discard port
        dead._sleep = lambda seconds: None
        set_capillary_client(dead)
        try:
            response = submit(agent_client, mobile=NEW_MOBILE, email="asha@example.com")
        finally:
            set_capillary_client(None)
        assert response.status_code == 503
        body = text(response)
        assert "not answering" in body or "could not be reached" in body
        assert 'value="Asha"' in body
        assert 'value="asha@example.com"' in body

    def test_timeout_after_capillary_committed_shows_the_customer_as_registered(
        self, agent_client, config, socket_capillary, fake_server_reset
    ):
        post_timeout(fake_server_reset, when="after")
        response = submit(agent_client, mobile=NEW_MOBILE)
        assert response.status_code == 302
        attempt = RegistrationAttempt.objects.get()
        assert attempt.status == RegistrationAttempt.REGISTERED
        assert attempt.confirmed_by_lookup
        assert "a check found the customer registered, once" in text(agent_client.get(response["Location"]))

    def test_timeout_before_capillary_committed_keeps_the_form(
        self, agent_client, config, socket_capillary, fake_server_reset
    ):
        post_timeout(fake_server_reset, when="before")
        response = submit(agent_client, mobile=NEW_MOBILE, external_id="EXT-77")
        body = text(response)
        assert RegistrationAttempt.objects.get().status == RegistrationAttempt.NOT_SENT
        assert "the customer was not registered" in body
        assert 'value="EXT-77"' in body
        token = re.search(r'name="token" value="([^"]+)"', body).group(1)
        assert token != str(RegistrationAttempt.objects.get().token)

    def test_server_error_after_commit_is_checked_not_assumed(self, agent_client, config, capillary, fake_http):
        fault(fake_http, path="/v2/customers", method="POST", status=503, when="after", count=1)
        response = submit(agent_client, mobile=NEW_MOBILE)
        assert response.status_code == 302
        assert RegistrationAttempt.objects.get().confirmed_by_lookup


def test_multi_account_source_registration(agent_client, multi_source_config, capillary, fake_http):
    RegistrationSource.objects.filter(source="WECHAT").update(account_ids="")
    response = submit(agent_client, mobile=NEW_MOBILE, source="WECHAT", account_id="1234")
    assert response.status_code == 302
    sent = fake_http.get("/__fake__/customers/" + str(RegistrationAttempt.objects.get().customer_id)).json()
    assert sent["profiles"][0]["source"] == "WECHAT"
    assert sent["profiles"][0]["accountId"] == "1234"


class TestResubmits:
    """Back button, F5 and retyped forms: never a second registration, never the wrong customer shown."""

    def test_same_token_with_other_details_is_not_taken_for_a_resubmit(
        self, agent_client, config, capillary, fake_http
    ):
        token = str(uuid.uuid4())
        first = agent_client.post(
            "/customers/register/", {"token": token, "source": "INSTORE", "first_name": "Ann", "mobile": NEW_MOBILE}
        )
        assert first.status_code == 302
        # Back to the cached form, retyped for the next customer, same token.
        second = agent_client.post(
            "/customers/register/",
            {"token": token, "source": "INSTORE", "first_name": "Bob", "mobile": "+91 98111 55555"},
        )
        body = text(second)
        assert second.status_code == 200
        assert "The details have changed since" in body
        assert 'value="Bob"' in body
        assert f'name="token" value="{token}"' not in body
        assert len(posts(fake_http)) == 1

    def test_resubmitting_a_failed_form_twice_sends_once(self, agent_client, config, capillary, fake_http):
        fault(fake_http, path="/v2/customers", method="POST", status=503, count=1)
        data = {"token": str(uuid.uuid4()), "source": "INSTORE", "first_name": "Asha", "mobile": NEW_MOBILE}
        assert agent_client.post("/customers/register/", data).status_code == 503  # not registered, form kept
        again = agent_client.post("/customers/register/", data)  # F5 on the failed page
        and_again = agent_client.post("/customers/register/", data)  # and once more
        assert again.status_code == 302
        assert and_again["Location"] == again["Location"]
        assert len(posts(fake_http)) == 2  # the failed one and the one that registered
        assert RegistrationAttempt.objects.filter(status=RegistrationAttempt.REGISTERED).count() == 1

    def test_failed_form_carries_the_next_token_so_a_resubmit_converges(
        self, agent_client, config, capillary, fake_http
    ):
        from memberconsole.registration.services import retry_token

        fault(fake_http, path="/v2/customers", method="POST", status=503, count=1)
        token = uuid.uuid4()
        body = text(
            agent_client.post("/customers/register/", {"token": str(token), "source": "INSTORE", "mobile": NEW_MOBILE})
        )
        assert f'name="token" value="{retry_token(token)}"' in body

    def test_expired_or_missing_token_gets_a_fresh_one_and_says_so(self, agent_client, config, capillary, fake_http):
        response = agent_client.post(
            "/customers/register/", {"source": "INSTORE", "first_name": "Asha", "mobile": NEW_MOBILE}
        )
        body = text(response)
        assert "This form had expired" in body
        assert 'value="Asha"' in body
        assert re.search(r'name="token" value="[0-9a-f-]{36}"', body)
        assert posts(fake_http) == []

    def test_identifiers_of_two_different_customers_are_blocked(
        self, agent_client, multi_source_config, capillary, fake_http
    ):
        # 900000017's mobile (MARTJACK only) and a WECHAT customer's email: joining them would merge two people.
        response = submit(agent_client, mobile="+919845000017", email="aiko.wechat@example.com")
        body = text(response)
        assert "belong to different existing customers" in body
        assert posts(fake_http) == []

    def test_an_unknown_outcome_says_to_search_before_registering_again(self, agent_client, agent, config):
        attempt = RegistrationAttempt.objects.create(agent=agent, source="INSTORE", status=RegistrationAttempt.UNKNOWN)
        body = text(agent_client.get(f"/customers/register/{attempt.token}/"))
        assert "We could not confirm this registration" in body
        assert "Nothing was registered" not in body

    def test_a_send_nobody_finished_is_not_shown_as_in_flight_forever(self, agent_client, agent, config):
        import datetime

        from django.utils import timezone

        attempt = RegistrationAttempt.objects.create(agent=agent, source="INSTORE")
        RegistrationAttempt.objects.filter(pk=attempt.pk).update(
            created_at=timezone.now() - datetime.timedelta(minutes=5)
        )
        body = text(agent_client.get(f"/customers/register/{attempt.token}/"))
        assert "We could not confirm this registration" in body

    def test_another_agents_result_is_not_shown(self, agent_client, staff_agent, config):
        attempt = RegistrationAttempt.objects.create(
            agent=staff_agent, source="INSTORE", customer_id=1, status=RegistrationAttempt.REGISTERED
        )
        assert agent_client.get(f"/customers/register/{attempt.token}/").status_code == 404


def test_registering_writes_no_customer_data_to_any_log(agent_client, config, capillary, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    agent_client.get("/customers/register/check/", {"field": "email", "email": "asha.rao@example.com"})
    submit(agent_client, mobile=NEW_MOBILE, email="asha.rao@example.com", external_id="EXT-SECRET-1")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (NEW_MOBILE_DIGITS, "98111", "asha.rao", "Asha", "Rao", "EXT-SECRET-1"):
        assert secret not in logged


def test_warning_8107_goes_to_administrators_on_the_admin_home(agent_client, client, administrator, config, capillary):
    submit(agent_client, mobile=NEW_MOBILE)
    client.force_login(administrator)
    body = text(client.get("/admin/"))
    assert "Warning 8107 on 1 registration in the last 30 days." in body
    assert "no default customer status label" in body
