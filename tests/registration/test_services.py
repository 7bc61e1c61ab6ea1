"""The exactly-once registration state machine, step by step, against the fake (faults before and after it commits)."""

import uuid

import httpx
import pytest

from memberconsole.capillary.auth import CapillaryBasicAuth
from memberconsole.capillary.client import CapillaryClient
from memberconsole.capillary.errors import CapillaryUnavailableError
from memberconsole.registration import services
from memberconsole.registration.domain import RegistrationData
from memberconsole.registration.models import RegistrationAttempt, RegistrationRejection
from memberconsole.registration.selectors import identifier_owners

pytestmark = pytest.mark.django_db

NEW = RegistrationData(first_name="Asha", last_name="Rao", mobile="918111223344", email="asha.rao@example.com")


def register(agent, data=NEW, client=None):
    return services.customer_register(data=data, agent=agent, token=uuid.uuid4(), client=client)


def fault(http, **spec):
    http.post("/__fake__/faults", json=spec).raise_for_status()


def posts(http) -> int:
    entries = http.get("/__fake__/requests", params={"method": "POST", "path": "/v2/customers"}).json()["requests"]
    return sum(1 for e in entries if e["path"] == "/v2/customers")


def test_a_registration_records_the_new_customer_its_warnings_and_side_effects(agent, config, capillary, fake_http):
    outcome = register(agent)
    attempt = RegistrationAttempt.objects.get()
    assert outcome.registered
    assert attempt.status == RegistrationAttempt.REGISTERED
    assert attempt.customer_id > 700_000_000
    assert [w["code"] for w in attempt.warnings] == [8107]
    assert any(s["type"] == "coupon" for s in attempt.side_effects)
    assert posts(fake_http) == 1


def test_already_registered_points_at_the_owner_on_the_right_field(agent, config, capillary):
    outcome = register(agent, RegistrationData(email="aiko.tanaka@example.com", mobile="919845000001"))
    assert outcome.attempt.status == RegistrationAttempt.REJECTED
    assert outcome.existing.customer_id == 900000001
    assert outcome.field_errors == {"mobile": services.ALREADY_EXISTS}


def test_unreachable_capillary_means_not_sent_and_says_nothing_was_registered(agent, config):
    def refuse(request):
        raise httpx.ConnectError("connection refused", request=request)

    client = CapillaryClient.build(
        base_url="http://capillary.invalid", auth=CapillaryBasicAuth("u", "p"), timeout=1, user_agent="test",
        transport=httpx.MockTransport(refuse),
    )  # fmt: skip
    outcome = register(agent, client=client)
    assert outcome.attempt.status == RegistrationAttempt.NOT_SENT
    assert outcome.form_error == services.NOT_REACHED


def test_a_503_after_the_commit_is_settled_as_registered_by_a_lookup(agent, config, capillary, fake_http):
    fault(fake_http, path="/v2/customers", method="POST", status=503, when="after")
    outcome = register(agent)
    attempt = outcome.attempt
    assert outcome.registered
    assert attempt.confirmed_by_lookup
    assert attempt.customer_id > 700_000_000
    assert posts(fake_http) == 1  # never retried


def test_a_503_before_the_commit_is_settled_as_not_registered(agent, config, capillary, fake_http):
    fault(fake_http, path="/v2/customers", method="POST", status=503)
    outcome = register(agent)
    assert outcome.attempt.status == RegistrationAttempt.NOT_SENT
    assert outcome.form_error == services.CHECKED_NOT_REGISTERED


def test_when_the_settling_lookup_fails_too_the_outcome_is_unknown(agent, config, capillary, fake_http):
    fault(fake_http, path="/v2/customers", method="POST", status=503, when="after")
    fault(fake_http, path="/v2/customers/lookup", status=503, count=None)
    outcome = register(agent)
    assert outcome.attempt.status == RegistrationAttempt.UNKNOWN
    assert outcome.form_error == services.UNCHECKED


def test_a_rule_the_form_did_not_know_tells_administrators(agent, config, capillary, fake_http):
    fake_http.post("/__fake__/config", json={"registration": {"CONF_USERS_IS_EMAIL_REQUIRED": True}})
    outcome = register(agent, RegistrationData(mobile="918111223344"))
    assert outcome.attempt.status == RegistrationAttempt.REJECTED
    assert "Administrators have been told" in outcome.form_error
    assert RegistrationRejection.objects.get().codes == "1039"


def test_identifier_owner_tries_an_email_lower_cased_then_as_typed(capillary, fake_http):
    from memberconsole.registration.selectors import identifier_owner

    fake_http.delete("/__fake__/requests")
    match = identifier_owner(identifier="email", value="Noor.Capital@Example.com", source="INSTORE", client=capillary)
    assert (match.customer_id, match.value, match.in_same_source) == (900000023, "Noor.Capital@Example.com", True)
    queries = [e["path"] for e in fake_http.get("/__fake__/requests").json()["requests"]]
    assert queries == ["/v2/customers/lookup/customerDetails"] * 2  # lower-cased first, missed; then as typed
    upper = identifier_owner(identifier="email", value="PRIYA.IYER@EXAMPLE.COM", source="INSTORE", client=capillary)
    assert (upper.customer_id, upper.value) == (900000005, "priya.iyer@example.com")
    assert (
        identifier_owner(identifier="email", value="nobody.here@example.com", source="INSTORE", client=capillary)
        is None
    )


def test_identifier_owners_checks_the_first_identifier_first_and_can_pass_over_errors(config, capillary, fake_http):
    data = RegistrationData(mobile="919845000005", email="aiko.tanaka@example.com")
    owners = list(identifier_owners(data=data, client=capillary, first="email"))
    assert [(m.identifier, m.customer_id) for m in owners] == [("email", 900000001), ("mobile", 900000005)]
    fault(fake_http, path="/v2/customers/lookup", status=503, count=3)  # reads are retried twice
    assert [m.identifier for m in identifier_owners(data=data, client=capillary, skip_errors=True)] == ["email"]
    fault(fake_http, path="/v2/customers/lookup", status=503, count=3)  # reads are retried twice
    with pytest.raises(CapillaryUnavailableError):
        list(identifier_owners(data=data, client=capillary))


def test_an_unexpected_failure_while_sending_leaves_the_attempt_unknown_not_sending(agent, config):
    def explode(request):
        raise RuntimeError("a bug below the client")

    client = CapillaryClient.build(
        base_url="http://capillary.invalid",
        auth=CapillaryBasicAuth("u", "p"),
        timeout=1,
        user_agent="test",
        transport=httpx.MockTransport(explode),
    )
    with pytest.raises(RuntimeError):
        services.customer_register(
            data=RegistrationData(mobile="918111223344"), agent=agent, token=uuid.uuid4(), client=client
        )
    assert RegistrationAttempt.objects.get().status == RegistrationAttempt.UNKNOWN


def test_a_registration_marks_its_customer_changed_so_kept_reads_of_them_are_dropped(agent, config, capillary):
    from memberconsole.core.freshness import customer_version

    outcome = register(agent)
    assert outcome.registered
    assert customer_version(customer_id=outcome.attempt.customer_id) == 1
