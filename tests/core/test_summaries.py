"""A customer in one line, as bulk rows, search results and the duplicate notice show it."""

import pytest

from memberconsole.capillary.schemas import Customer
from memberconsole.core.masking import FULL
from memberconsole.core.summaries import customer_summary, first_contact
from memberconsole.customers.mapping import to_customer
from memberconsole.customers.selectors import DETAIL_PARAMS


@pytest.mark.parametrize(
    "customer_id", [566881933, 565261498, 900000001, 900000005, 900000015, 900000016, 900000019, 900000023]
)
def test_the_one_line_summary_agrees_with_the_customer_page(capillary, customer_id):
    wire = capillary.customer_get(customer_id, **DETAIL_PARAMS)
    page, summary = to_customer(wire, mask=FULL), customer_summary(wire)
    assert (summary.customer_id, summary.name, summary.tier, summary.points) == (
        page.id, page.name, page.current_tier, page.points,
    )  # fmt: skip
    assert summary.sources == sorted({p.source for p in page.profiles if p.source})
    assert summary.registered_at == page.registered_at
    assert summary.city == dict(page.extended_fields).get("City", "")


def test_the_summary_carries_city_and_registration_date(capillary):
    summary = customer_summary(capillary.customer_lookup(identifier_name="mobile", identifier_value="919845000023"))
    assert (summary.name, summary.city, summary.email) == ("Noor Capital", "Chennai", "Noor.Capital@Example.com")
    assert summary.registered_at.date().isoformat() == "2023-07-14"


def test_first_contact_prefers_the_in_store_profile_then_identifiers_over_channels():
    wire = Customer.model_validate({
        "id": 7,
        "profiles": [
            {"source": "WECHAT", "identifiers": [{"type": "email", "value": "wechat@example.com"}]},
            {"source": "INSTORE", "identifiers": [{"type": "mobile", "value": "919845000001"}],
             "commChannels": [{"type": "email", "value": "store@example.com"}]},
        ],
    })  # fmt: skip
    assert first_contact(wire.profiles, "mobile") == "919845000001"
    assert first_contact(wire.profiles, "email") == "wechat@example.com"  # an identifier anywhere beats a channel
    assert first_contact(wire.profiles, "wechat") == ""


def test_a_customer_without_programs_has_no_tier_or_points():
    summary = customer_summary(Customer.model_validate({"id": 3, "profiles": []}))
    assert (summary.tier, summary.points, summary.name, summary.sources) == ("", None, "", [])


@pytest.mark.parametrize(
    "customer_id", [566881933, 565261498, 900000001, 900000005, 900000015, 900000016, 900000019, 900000023]
)
def test_a_brief_bulk_read_gives_the_same_summary_as_the_whole_customer(capillary, customer_id):
    (whole,) = capillary.customers_bulk_get([customer_id], embed=["mlp"])
    (brief,) = capillary.customers_bulk_get([customer_id], embed=["mlp"], brief=True)
    assert (whole.success, brief.success) == (True, True)
    assert customer_summary(brief.customer) == customer_summary(whole.customer)
    assert brief.customer.warning_codes == whole.customer.warning_codes
