"""Strict parsing: the wire JSON the fake sends holds no key that the client's models silently drop.

The models ignore unknown keys on purpose (STYLE.md: "unknown keys ignored"), so a key the fake sends and no model
declares would vanish without a test failing anywhere else. This test-only check compares the raw JSON keys with
the fields and aliases the models accept, so drift between the docs-faithful fake and the models shows up here.
"""

import typing
from typing import Any

import pytest
from pydantic import AliasChoices, BaseModel

from memberconsole.capillary import (
    Card,
    Customer,
    CustomerCreateRequest,
    LoyaltyProgram,
    LoyaltyProgramDetail,
    Profile,
    UserContext,
)

pytestmark = pytest.mark.contract

EVERY_BLOCK = {
    "embed": "mlp,points,subscriptions,segments",
    "gapToUpgrade": "0",
    "gapToRenew": "0",
    "ndncStatus": "true",
    "optinStatus": "true",
    "slabHistory": "true",
    "tierUpgradeCriteria": "true",
    "membershipRetentionCriteria": "true",
    "includedFraudDetails": "true",
}
DOCS_CUSTOMERS = (566881933, 565261498)
DEMO_CUSTOMERS = [900000000 + n for n in range(1, 24) if n != 12]  # 12 is PII-deleted: it has no body to parse


def wire_keys(model: type[BaseModel]) -> dict[str, str]:
    """Every JSON key the model reads, mapped to its field name (alias, alias choices, and the name itself)."""
    keys: dict[str, str] = {}
    for name, field in model.model_fields.items():
        keys[name] = name
        if field.alias:
            keys[field.alias] = name
        choices = field.validation_alias
        if isinstance(choices, str):
            keys[choices] = name
        elif isinstance(choices, AliasChoices):
            for choice in choices.choices:
                keys[choice if isinstance(choice, str) else str(choice.path[0])] = name
    return keys


def nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside an annotation such as `Items[Card]`, `Profile | None` or `Annotated[list[X], ...]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = nested_model(arg)
        if found is not None:
            return found
    return None


def dropped_top_level(model: type[BaseModel], data: Any) -> set[str]:
    """Keys of one JSON object (or of each object in a list) that the model does not read."""
    objects = data if isinstance(data, list) else [data]
    known = wire_keys(model)
    return {key for item in objects if isinstance(item, dict) for key in item if key not in known}


def dropped_anywhere(model: type[BaseModel], data: Any, path: str = "$") -> set[str]:
    """Every dropped key in the whole document, as a JSON path, following the models' nesting."""
    if isinstance(data, list):
        return set().union(*(dropped_anywhere(model, item, f"{path}[]") for item in data))
    if not isinstance(data, dict):
        return set()
    known = wire_keys(model)
    dropped = set()
    for key, value in data.items():
        if key not in known:
            dropped.add(f"{path}.{key}")
            continue
        inner = nested_model(model.model_fields[known[key]].annotation)
        if inner is not None:
            dropped |= dropped_anywhere(inner, value, f"{path}.{key}")
    return dropped


@pytest.fixture
def raw_customer(fake):
    """The fake's raw JSON for GET /v2/customers/{id} with every optional block asked for."""

    def get(customer_id: int, source: str = "INSTORE") -> dict[str, Any]:
        response = fake.raw_get(f"/v2/customers/{customer_id}", source=source, **EVERY_BLOCK)
        assert response.status_code == 200, response.text
        return response.json()

    return get


def test_the_checker_sees_a_key_no_model_declares():
    # Guard against a checker that always passes: a made-up key must be reported, at top level and nested.
    assert dropped_top_level(Customer, {"id": 1, "shoeSize": 44}) == {"shoeSize"}
    assert dropped_anywhere(Customer, {"profiles": [{"attribution": {"createdBy": {"shoe": 1}}}]}) == {
        "$.profiles[].attribution.createdBy.shoe"
    }
    aliased = {"loyaltyProgramDetails": [{"gapToUpgrade": [{"upgrade_based_on": "X", "programId": 1}]}]}
    assert dropped_anywhere(Customer, aliased) == set()


@pytest.mark.parametrize("customer_id", DOCS_CUSTOMERS)
def test_docs_customers_have_no_top_level_key_the_models_drop(raw_customer, customer_id):
    body = raw_customer(customer_id)

    assert dropped_top_level(Customer, body) == set()
    assert dropped_top_level(Profile, body["profiles"]) == set()
    assert dropped_top_level(Card, body["cardDetails"]) == set()
    assert dropped_top_level(LoyaltyProgramDetail, body["loyaltyProgramDetails"]) == set()
    assert body["loyaltyProgramDetails"], "embed=mlp must return program details to check"


def test_docs_customer_566881933_checks_real_cards(raw_customer):
    assert len(raw_customer(566881933)["cardDetails"]) == 5


@pytest.mark.parametrize("customer_id", DOCS_CUSTOMERS)
def test_docs_customers_have_no_nested_key_the_models_drop(raw_customer, customer_id):
    assert dropped_anywhere(Customer, raw_customer(customer_id)) == set()


@pytest.mark.parametrize("customer_id", DEMO_CUSTOMERS)
def test_demo_customers_have_no_key_the_models_drop(raw_customer, customer_id):
    assert dropped_anywhere(Customer, raw_customer(customer_id, source="ALL")) == set()


def test_lookup_and_bulk_answers_have_no_key_the_models_drop(fake):
    lookup = fake.raw_get(
        "/v2/customers/lookup/customerDetails", source="INSTORE", identifierName="mobile", identifierValue="1234512345"
    ).json()
    bulk = fake.raw_post("/v2/bulk/getCustomers", [382137011, 382137012, 382137013], format="json").json()

    assert dropped_anywhere(Customer, lookup) == set()
    for item in bulk["data"]:
        assert set(item) == {"entity", "warnings", "errors", "success"}
        assert dropped_anywhere(Customer, item["entity"]) == set()


def test_registered_customer_drops_only_the_fakes_user_context_key(client, fake):
    request = CustomerCreateRequest.model_validate(
        {"profiles": [{"firstName": "Strict", "identifiers": [{"type": "mobile", "value": "919900000301"}]}]}
    )
    created = client.customer_create(request, user_context=UserContext(entity_type="ADMIN_USER", entity_id=7))

    body = fake.raw_get(f"/v2/customers/{created.created_id}", source="ALL", **EVERY_BLOCK).json()

    # Drift found and kept visible: `attribution.userContext` is a fake-only key (fake README, registration) that
    # records the USER-CONTEXT headers; Capillary documents no such key and Attribution does not read it.
    assert dropped_anywhere(Customer, body) == {"$.profiles[].attribution.userContext"}


def test_programs_drop_only_the_fakes_tiers_key(fake):
    data = fake.raw_get("/v2/organization/programs").json()["data"]

    # Drift found and kept visible: the fake adds `tiers` to each program (fake README: "the docs have no v2
    # endpoint listing tiers"); LoyaltyProgram has no field for it, so the console cannot see tier names from here.
    assert dropped_anywhere(LoyaltyProgram, data) == {"$[].tiers"}
