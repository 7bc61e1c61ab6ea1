"""The next tier and keeping this one, in one plain sentence each, from Capillary's codes."""

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


def stored(purchase_type="CURRENT_POINTS", value=5999):
    return [wire.TierUpgradeCriteria.model_validate({"purchaseType": purchase_type, "purchaseValue": value})]


def test_the_stored_criteria_are_not_shown_twice_beside_a_strategy_for_the_same_basis():
    both = tiers.upgrade_criteria([upgrade("CURRENT_POINTS", 5999, 3786, 2213)], stored(value=2213))
    assert len(both) == 1
    (only_stored,) = tiers.upgrade_criteria([], stored(value=2213))
    assert (only_stored.words, only_stored.required_text) == ("Points available", "2,213 current points")
    # Said as Capillary gives it: the docs do not say whether it is a threshold or what is left, so no "more".
    assert (only_stored.gap, only_stored.needed_text, only_stored.progress_percent) == (None, "", None)


def said_with_stored(criteria, *, next_tier="", rule=None):
    return tiers.answers(
        current_tier="Garnet", next_tier=next_tier, is_top_tier=False, is_base_tier=False, tier_expiry=None,
        upgrade=tiers.upgrade_criteria([], criteria), renewal=[], rule=rule, renew_confirmed=None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("criteria", "next_tier", "sentence"),
    [
        (stored(), "", "Needs 5,999 current points to move up to the next tier."),
        (stored(), "Diamond", "Needs 5,999 current points to move up to Diamond."),
        (stored("CUMULATIVE_PURCHASES", 25000), "",
         "Needs ₹25,000.00 in cumulative purchases to move up to the next tier."),
        (stored("VISITS", 1), "", "Needs 1 visit to move up to the next tier."),
        (stored("NEW_BASIS", 10), "", "Needs 10 (new basis) to move up to the next tier."),
        (stored(value=0), "Diamond", "Meets what Diamond needs: the upgrade is due."),
        (stored(value=0), "",
         "Meets Capillary's upgrade criterion (0 current points): the upgrade is due, if there is a tier above."),
        ([], "", "Capillary returned no next tier or upgrade criteria."),
        ([], "Diamond", "Next tier: Diamond."),
    ],
)  # fmt: skip
def test_the_stored_upgrade_criterion_in_words(settings, criteria, next_tier, sentence):
    settings.ORG_CURRENCY = "INR"
    assert said_with_stored(criteria, next_tier=next_tier).next_sentence == sentence


def rule(**criteria):
    return tiers.retention_rule(wire.MembershipRetentionCriteria.model_validate(criteria))


@pytest.mark.parametrize(
    ("criteria", "rule_sentence", "keep_sentence"),
    [
        ({"minPurchases": 0.0, "minVisits": 0, "isDownGradeStrategy": True},
         "No minimum purchases or visits; a downgrade strategy applies.",
         "Garnet is kept with no minimum purchases or visits; a downgrade strategy applies."),
        ({"minPurchases": 500, "minVisits": 2, "isDownGradeStrategy": True},
         "At least ₹500.00 in purchases and 2 visits in the qualifying period; a downgrade strategy applies.",
         "To keep Garnet: at least ₹500.00 in purchases and 2 visits in the qualifying period; a downgrade strategy "
         "applies."),
        ({"minPurchases": 500, "minVisits": 1, "isDownGradeStrategy": False},
         "At least ₹500.00 in purchases and 1 visit in the qualifying period, but the program has no downgrade "
         "strategy, so the tier does not drop.",
         "Garnet cannot drop: the program has no downgrade rule."),
        ({"minPurchases": 0, "minVisits": 0, "isDownGradeStrategy": False},
         "No minimum purchases or visits and no downgrade strategy: the tier does not drop.",
         "Garnet cannot drop: the program has no downgrade rule."),
        ({"minVisits": 3},
         "At least 3 visits in the qualifying period.",
         "To keep Garnet: at least 3 visits in the qualifying period."),
        ({}, "No minimum purchases or visits configured.", "No minimum purchases or visits to keep Garnet."),
    ],
)  # fmt: skip
def test_the_programs_retention_rule_in_words_when_no_renewal_progress_came(
    settings, criteria, rule_sentence, keep_sentence
):
    settings.ORG_CURRENCY = "INR"
    said = said_with_stored([], rule=rule(**criteria))
    assert said.keep_sentence == keep_sentence
    assert rule(**criteria).sentence == rule_sentence
    assert said.keep_note == ""  # the sentence already says the rule


def test_the_rule_is_a_note_beside_the_renewal_progress(settings):
    settings.ORG_CURRENCY = "INR"
    renewal = tiers.renewal_criteria(
        renew(renewBasedOn="VISITS", renewThreshold=10, customerRenewEntityValue=7, customerGapToRenewValue=3)
    )
    said = answers(renewal=renewal, rule=rule(minPurchases=500, minVisits=2, isDownGradeStrategy=True))
    assert said.keep_sentence == "To keep Coral after 31 Dec 2026: 3 more visits."
    assert said.keep_note == (
        "Program rule: at least ₹500.00 in purchases and 2 visits in the qualifying period; a downgrade strategy "
        "applies."
    )
    assert answers(base=True, rule=rule(minVisits=2, isDownGradeStrategy=True)).keep_note == ""


def test_criteria_without_a_tier_name_the_tier_in_general():
    said = tiers.answers(
        current_tier="", next_tier="", is_top_tier=False, is_base_tier=False, tier_expiry=None,
        upgrade=tiers.upgrade_criteria([], stored()), renewal=[],
        rule=rule(minPurchases=0, minVisits=0, isDownGradeStrategy=True), renew_confirmed=None,
    )  # fmt: skip
    assert said.next_sentence == "Needs 5,999 current points to move up to the next tier."
    assert said.keep_sentence == "The tier is kept with no minimum purchases or visits; a downgrade strategy applies."


def test_no_program_at_all_says_whether_the_customer_is_a_member():
    member = tiers.no_program("loyalty")
    assert (member.tier, member.points) == ("Not returned", "Not returned")
    assert member.next_sentence == "Capillary returned no program details, tier history or upgrade criteria."
    outsider = tiers.no_program("non-loyalty")
    assert (outsider.tier, outsider.next_sentence) == ("Not enrolled", "Not in a loyalty program.")


def test_unknown_codes_are_put_in_words_and_kept():
    criterion = tiers.upgrade_criteria([upgrade("NEW_FANCY_BASIS", 10, 4, 6)], [])[0]
    assert (criterion.words, criterion.code) == ("New fancy basis", "NEW_FANCY_BASIS")
