"""The next tier and keeping this one, in one plain sentence each, from Capillary's codes."""

from decimal import Decimal

import pytest

from memberconsole.capillary import schemas as wire
from memberconsole.customers import tiers


def upgrade(based_on, threshold, current, gap, valid="2026-05-06"):
    return wire.UpgradeStrategy.model_validate({
        "upgradeBasedOn": based_on, "upgradeThreshold": threshold,
        "customerUpgradeEntityValues": {"currentValue": current, "gapToUpgrade": gap, "valueValidUpto": valid},
    })  # fmt: skip


def renew(**strategy):
    return wire.GapToRenewSummary.model_validate(
        {"tierExpiryDate": "2026-12-31", "renewConfirmed": False, "renewStrategies": [strategy]}
    )


def answers(*, upgrade_list=(), renewal=(), rule=None, top=False, base=False, confirmed=None):
    return tiers.answers(
        current_tier="Coral", next_tier="Garnet", is_top_tier=top, is_base_tier=base, tier_expiry="2026-12-31",
        upgrade=tiers.upgrade_criteria(list(upgrade_list), []), renewal=list(renewal), rule=rule,
        renew_confirmed=confirmed,
    )  # fmt: skip


def test_points_to_the_next_tier_by_a_date():
    said = answers(upgrade_list=[upgrade("CURRENT_POINTS", 5999, 3786, 2213)])
    assert said.next_sentence == "2,213 more points to reach Garnet, by 06 May 2026."


def test_purchases_to_the_next_tier_in_the_orgs_currency(settings):
    settings.ORG_CURRENCY = "INR"
    said = answers(upgrade_list=[upgrade("CUMULATIVE_PURCHASES", 25000, 9786, 15214)])
    assert said.next_sentence == "₹15,214.00 more in purchases to reach Garnet, by 06 May 2026."
    settings.ORG_CURRENCY = "AED"
    said = answers(upgrade_list=[upgrade("CUMULATIVE_PURCHASES", 25000, 9786, 15214, valid=None)])
    assert said.next_sentence == "AED 15,214.00 more in purchases to reach Garnet."


def test_top_tier_and_a_met_upgrade():
    assert answers(top=True).next_sentence == "Top tier: there is no tier above."
    said = answers(upgrade_list=[upgrade("CURRENT_POINTS", 5999, 6000, 0)])
    assert said.next_sentence == "Meets what Garnet needs: the upgrade is due."


def test_keep_the_tier_with_a_tracker_in_a_moving_window_and_visits():
    summary = wire.GapToRenewSummary.model_validate({
        "tierExpiryDate": "2026-12-31", "renewConfirmed": False,
        "renewStrategies": [
            {"renewBasedOn": "TRACKER", "renewThreshold": 5, "customerRenewEntityValue": 1,
             "customerGapToRenewValue": 4,
             "trackerEntityIdentifiers": [{"trackerName": "DowngradeTracker", "trackerType": "LINEITEM_COUNT",
                                           "trackerMode": "MOVING_WINDOW", "trackerCasePeriodType": "DAYS",
                                           "trackerCasePeriodValue": 5}]},
            {"renewBasedOn": "VISITS", "renewThreshold": 10, "customerRenewEntityValue": 7,
             "customerGapToRenewValue": 3},
        ],
    })  # fmt: skip
    renewal = tiers.renewal_criteria(summary)
    assert [c.words for c in renewal] == ["Line items in a moving window of 5 days", "Visits"]
    assert renewal[0].code == "TRACKER · DowngradeTracker · LINEITEM_COUNT · MOVING_WINDOW"
    assert [c.needed_text for c in renewal] == ["4 more line items", "3 more visits"]
    said = answers(renewal=renewal)
    assert said.keep_sentence == "To keep Coral after 31 Dec 2026: 4 more line items and 3 more visits."


@pytest.mark.parametrize(
    ("kwargs", "sentence"),
    [
        ({"base": True}, "Base tier: nothing to keep."),
        ({"confirmed": True}, "Coral renewal is confirmed: nothing more needed to keep it after 31 Dec 2026."),
        ({"renewal": "met"}, "Coral is kept after 31 Dec 2026: every renewal condition is met."),
        ({"rule": "no downgrade"}, "Coral cannot drop: the program has no downgrade rule."),
        ({}, "Coral expires 31 Dec 2026; Capillary returned no renewal conditions."),
    ],
)
def test_keep_sentences(kwargs, sentence):
    if kwargs.get("renewal") == "met":
        kwargs["renewal"] = tiers.renewal_criteria(
            renew(renewBasedOn="VISITS", renewThreshold=2, customerRenewEntityValue=3, customerGapToRenewValue=0)
        )
    if kwargs.get("rule") == "no downgrade":
        kwargs["rule"] = tiers.retention_rule(
            wire.MembershipRetentionCriteria.model_validate({"isDownGradeStrategy": False})
        )
    assert answers(**kwargs).keep_sentence == sentence


def test_the_stored_criteria_are_not_shown_twice_beside_a_strategy_for_the_same_basis():
    stored = [wire.TierUpgradeCriteria.model_validate({"purchaseType": "CURRENT_POINTS", "purchaseValue": 2213})]
    both = tiers.upgrade_criteria([upgrade("CURRENT_POINTS", 5999, 3786, 2213)], stored)
    assert len(both) == 1
    only_stored = tiers.upgrade_criteria([], stored)
    assert [(c.words, c.gap, c.needed_text) for c in only_stored] == [
        ("Points available", Decimal(2213), "2,213 more points")
    ]


def test_the_programs_rule_is_a_sentence_apart_from_the_progress(settings):
    settings.ORG_CURRENCY = "INR"
    rule = tiers.retention_rule(
        wire.MembershipRetentionCriteria.model_validate(
            {"minPurchases": 500, "minVisits": 2, "isDownGradeStrategy": True}
        )
    )
    assert rule.sentence == "At least ₹500.00 in purchases and 2 visits in the qualifying period."
    assert rule.downgrades is True


def test_unknown_codes_are_put_in_words_and_kept():
    criterion = tiers.upgrade_criteria([upgrade("NEW_FANCY_BASIS", 10, 4, 6)], [])[0]
    assert (criterion.words, criterion.code) == ("New fancy basis", "NEW_FANCY_BASIS")
