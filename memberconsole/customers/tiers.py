"""What the next tier and keeping this one take, in plain words, from Capillary's upgrade and renewal blocks.

Capillary answers in codes (CURRENT_POINTS, TRACKER with a LINEITEM_COUNT tracker in a MOVING_WINDOW, ...). An agent
on the phone needs a sentence: "2,213 more points to reach Garnet, by 06 May 2026", "To keep Garnet after
31 Dec 2026: 4 more line items and 3 more visits". The codes stay on the page as secondary text.
Sources: get-customer-by-id-gaps.txt and api-notes §4.7 (docs.capillarytech.com/reference/get-customer-details-v2).
"""

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

from memberconsole.capillary import schemas as wire
from memberconsole.core.formatting import date_text, money_text, number_text
from memberconsole.customers import domain

# What a basis counts, in words: (noun for the criterion, unit after a number; "money" means an amount).
UPGRADE_BASES = {
    "CURRENT_POINTS": ("Points available", "points"),
    "CUMULATIVE_POINTS": ("Points earned in all", "points"),
    "LIFETIME_POINTS": ("Lifetime points", "points"),
    "CUMULATIVE_PURCHASES": ("Purchases in all", "money"),
    "PURCHASE": ("Purchases", "money"),
    "TRACKER_VALUE_BASED": ("Tracked value", "tracked value"),
    "VISITS": ("Visits", "visits"),
    "NUMBER_OF_VISITS": ("Visits", "visits"),
}
RENEW_BASES = {
    "POINTS": ("Points", "points"),
    "PURCHASE": ("Purchases", "money"),
    "PURCHASES": ("Purchases", "money"),
    "VISITS": ("Visits", "visits"),
}
TRACKER_TYPES = {
    "LINEITEM_COUNT": ("Line items", "line items"),
    "LINE_ITEM_COUNT": ("Line items", "line items"),
    "TRANSACTION_COUNT": ("Transactions", "transactions"),
    "VISITS": ("Visits", "visits"),
    "VISIT_COUNT": ("Visits", "visits"),
    "TRANSACTION_AMOUNT": ("Purchases", "money"),
    "TRANSACTION_VALUE": ("Purchases", "money"),
    "POINTS": ("Points", "points"),
}
# api-notes §4.7: the tracker modes.
TRACKER_MODES = {
    "MOVING_WINDOW": "in a moving window",
    "CYCLIC_WINDOW": "in a repeating window",
    "CALENDAR_BASED_CYCLIC_WINDOW": "per calendar period",
    "TIER_CHANGE_WINDOW": "since the last tier change",
}
PERIOD_UNITS = {"DAYS": "day", "DAY": "day", "MONTHS": "month", "MONTH": "month", "YEARS": "year", "WEEKS": "week"}


def _words(code: str | None) -> str:
    text = (code or "").replace("_", " ").strip().lower()
    return text[:1].upper() + text[1:]


def quantity(value: Decimal | None, unit: str) -> str:
    """'2,213 points', '₹15,214.00', '3 visits', '1 visit'."""
    if value is None:
        return ""
    if unit == "money":
        return money_text(value)
    if value == 1 and unit.endswith("s") and unit != "points":
        unit = unit[:-1]
    return f"{number_text(value)} {unit}"


def _more(gap: Decimal, unit: str) -> str:
    """'2,213 more points', '₹15,214.00 more in purchases', '4 more line items'."""
    if unit == "money":
        return f"{money_text(gap)} more in purchases"
    if gap == 1 and unit.endswith("s") and unit != "points":
        unit = unit[:-1]
    return f"{number_text(gap)} more {unit}"


def _percent(current: Decimal | None, threshold: Decimal | None) -> int | None:
    if threshold is None or threshold <= 0 or current is None:
        return None
    return max(0, min(100, int(current * 100 / threshold)))


def _criterion(*, words: str, code: str, unit: str, threshold, current, gap, valid_until=None) -> domain.Criterion:
    gap = _dec(gap)
    if gap is None and threshold is not None and current is not None:
        gap = max(_dec(threshold) - _dec(current), Decimal(0))
    return domain.Criterion(
        words=words,
        code=code,
        unit=unit,
        threshold=_dec(threshold),
        current=_dec(current),
        gap=gap,
        valid_until=valid_until,
        threshold_text=quantity(_dec(threshold), unit),
        current_text=quantity(_dec(current), unit),
        needed_text=("Met" if gap is not None and gap <= 0 else _more(gap, unit)) if gap is not None else "",
        progress_percent=_percent(_dec(current), _dec(threshold)),
    )


def _dec(value) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def upgrade_criteria(
    strategies: list[wire.UpgradeStrategy], criteria: list[wire.TierUpgradeCriteria]
) -> list[domain.Criterion]:
    """One criterion per upgrade rule: the live strategies (with progress), and the stored criteria only for a
    basis no strategy already covers (never the same gap twice)."""
    result = []
    for s in strategies:
        code = s.upgrade_based_on or ""
        words, unit = UPGRADE_BASES.get(code.upper(), (_words(code) or "Upgrade value", "value"))
        values = s.customer_upgrade_entity_values or wire.CustomerUpgradeEntityValues()
        result.append(
            _criterion(
                words=words,
                code=code,
                unit=unit,
                threshold=s.upgrade_threshold,
                current=values.current_value,
                gap=values.gap_to_upgrade,
                valid_until=values.value_valid_upto,
            )
        )
    covered = {c.code.upper() for c in result}
    for c in criteria:
        code = c.purchase_type or ""
        if code.upper() in covered or c.purchase_value is None:
            continue
        words, unit = UPGRADE_BASES.get(code.upper(), (_words(code) or "Upgrade value", "value"))
        required = _dec(c.purchase_value)
        result.append(
            dataclasses.replace(
                _criterion(words=words, code=code, unit=unit, threshold=None, current=None, gap=None),
                required=required,
                required_text=_required_text(required, code, unit),
            )
        )
    return result


# tierUpgradeCriteria.purchaseValue per purchaseType, in words. get-customer-by-id.txt
# (docs.capillarytech.com/reference/get-customer-details-v2) describes it as "purchase required for slab upgradation
# based on current points" and "Minimum purchase value or points required to upgrade to the next tier. If already
# eligible, this may be 0", without saying whether it is the next tier's threshold or what is left to it. So the
# console says it as given ("Needs 5,999 current points to move up") and does no arithmetic on it; the fake sends
# what is left (0 when eligible), which that wording also fits.
REQUIRED_WORDS = {
    "CURRENT_POINTS": "current points",
    "CUMULATIVE_POINTS": "cumulative points",
    "LIFETIME_POINTS": "lifetime points",
    "CUMULATIVE_PURCHASES": "in cumulative purchases",
    "PURCHASE": "in purchases",
    "TRACKER_VALUE_BASED": "in tracked value",
    "VISITS": "visits",
    "NUMBER_OF_VISITS": "visits",
}


def _required_text(value: Decimal, code: str, unit: str) -> str:
    """'5,999 current points', '₹25,000.00 in cumulative purchases', '1 visit', '10 (new basis)'."""
    amount = money_text(value) if unit == "money" else number_text(value)
    words = REQUIRED_WORDS.get(code.upper())
    if words is None:
        return f"{amount} ({(_words(code) or 'upgrade value').lower()})"
    if words == "visits" and value == 1:
        words = "visit"
    return f"{amount} {words}"


def _tracker_words(tracker: wire.TrackerEntityIdentifier) -> tuple[str, str]:
    words, unit = TRACKER_TYPES.get((tracker.tracker_type or "").upper(), (_words(tracker.tracker_type), "tracked"))
    mode = TRACKER_MODES.get((tracker.tracker_mode or "").upper(), "")
    if mode:
        words = f"{words} {mode}"
        period = PERIOD_UNITS.get((tracker.tracker_case_period_type or "").upper())
        if period and tracker.tracker_case_period_value:
            n = tracker.tracker_case_period_value
            words += f" of {n} {period}{'s' if n != 1 else ''}"
    return words, unit


def renewal_criteria(summary: wire.GapToRenewSummary | None) -> list[domain.Criterion]:
    """One criterion per renewal rule with the customer's live gap (gapToRenewSummary.renewStrategies)."""
    if summary is None:
        return []
    result = []
    for s in summary.renew_strategies:
        basis = (s.renew_based_on or "").upper()
        tracker = s.tracker_entity_identifiers[0] if s.tracker_entity_identifiers else None
        if basis == "TRACKER" and tracker is not None:
            words, unit = _tracker_words(tracker)
            code = " · ".join(
                v for v in (s.renew_based_on, tracker.tracker_name, tracker.tracker_type, tracker.tracker_mode) if v
            )
        else:
            words, unit = RENEW_BASES.get(basis, (_words(basis) or "Renewal value", "value"))
            code = s.renew_based_on or ""
        result.append(
            _criterion(
                words=words,
                code=code,
                unit=unit,
                threshold=s.renew_threshold,
                current=s.customer_renew_entity_value,
                gap=s.customer_gap_to_renew_value,
            )
        )
    return result


def retention_rule(criteria: wire.MembershipRetentionCriteria | None) -> domain.RetentionRule | None:
    """The program's configured minimums to keep a tier (membershipRetentionCriteria), in one sentence."""
    if criteria is None:
        return None
    parts = []
    if criteria.min_purchases:
        parts.append(f"{money_text(criteria.min_purchases)} in purchases")
    if criteria.min_visits:
        visits = int(criteria.min_visits)
        parts.append(f"{visits} visit{'s' if visits != 1 else ''}")
    minimums = "at least " + " and ".join(parts) + " in the qualifying period" if parts else ""
    downgrades = criteria.is_downgrade_strategy
    if minimums:
        tail = {
            True: "; a downgrade strategy applies.",
            False: ", but the program has no downgrade strategy, so the tier does not drop.",
            None: ".",
        }[downgrades]
        sentence = _cap(minimums) + tail
    else:
        sentence = {
            True: "No minimum purchases or visits; a downgrade strategy applies.",
            False: "No minimum purchases or visits and no downgrade strategy: the tier does not drop.",
            None: "No minimum purchases or visits configured.",
        }[downgrades]
    return domain.RetentionRule(sentence=sentence, downgrades=downgrades, minimums=minimums)


def no_program(loyalty_type: str) -> domain.NoProgram:
    """What the summary band says when the response has no program at all: not a member, or Capillary did not say."""
    if loyalty_type == "non-loyalty":
        return domain.NoProgram(
            tier="Not enrolled",
            points="Not a member",
            next_sentence="Not in a loyalty program.",
            keep_sentence="Not in a loyalty program: no tier to keep.",
        )
    return domain.NoProgram(
        tier="Not returned",
        points="Not returned",
        next_sentence="Capillary returned no program details, tier history or upgrade criteria.",
        keep_sentence="Capillary returned no program details or retention criteria.",
    )


@dataclass(frozen=True, slots=True)
class Answers:
    next_sentence: str
    keep_sentence: str
    keep_note: str = ""  # the program's retention rule, when keep_sentence does not already say it


def answers(
    *,
    current_tier: str,
    next_tier: str,
    is_top_tier: bool,
    is_base_tier: bool,
    tier_expiry,
    upgrade: list[domain.Criterion],
    renewal: list[domain.Criterion],
    rule: domain.RetentionRule | None,
    renew_confirmed: bool | None,
) -> Answers:
    """The two sentences the summary band shows for a program, and the retention rule beside the second."""
    keep, said_rule = _keep_sentence(current_tier, is_base_tier, tier_expiry, renewal, rule, renew_confirmed)
    note = ""
    if rule is not None and not said_rule and not is_base_tier and (current_tier or renewal):
        note = "Program rule: " + rule.sentence[:1].lower() + rule.sentence[1:]
    return Answers(next_sentence=_next_sentence(next_tier, is_top_tier, upgrade), keep_sentence=keep, keep_note=note)


def _next_sentence(next_tier: str, is_top_tier: bool, upgrade: list[domain.Criterion]) -> str:
    if is_top_tier:
        return "Top tier: there is no tier above."
    target = next_tier or "the next tier"
    live = [c for c in upgrade if c.required is None]
    stored = [c for c in upgrade if c.required is not None]
    open_gaps = [c for c in live if c.gap is not None and c.gap > 0]
    if open_gaps:
        first = open_gaps[0]
        sentence = f"{_more(first.gap, first.unit)} to reach {target}"
        if first.valid_until:
            sentence += f", by {date_text(first.valid_until)}"
        return sentence[:1].upper() + sentence[1:] + "."
    needs = [c for c in stored if c.required > 0]
    if needs:  # as Capillary gives it, never as "more" (REQUIRED_WORDS says why)
        return f"Needs {_and([c.required_text for c in needs])} to move up to {target}."
    met = [c for c in live if c.gap is not None and c.gap <= 0] + stored
    if upgrade and len(met) == len(upgrade):
        if stored and not next_tier:  # 0 "if already eligible", but no next tier came to say there is one
            criterion = stored[0].required_text
            return f"Meets Capillary's upgrade criterion ({criterion}): the upgrade is due, if there is a tier above."
        return f"Meets what {target} needs: the upgrade is due."
    return f"Next tier: {target}." if next_tier else "Capillary returned no next tier or upgrade criteria."


def _keep_sentence(
    tier: str,
    is_base_tier: bool,
    tier_expiry,
    renewal: list[domain.Criterion],
    rule: domain.RetentionRule | None,
    renew_confirmed: bool | None,
) -> tuple[str, bool]:
    """The sentence, and whether it already says the program's retention rule."""
    if not tier and rule is None and not renewal:
        return "No tier.", False
    if is_base_tier:
        return "Base tier: nothing to keep.", False
    name = tier or "the tier"  # the criteria came, but no tier to name
    if rule is not None and rule.downgrades is False:
        return f"{_cap(name)} cannot drop: the program has no downgrade rule.", True
    after = f" after {date_text(tier_expiry)}" if tier_expiry else ""
    if renew_confirmed:
        return f"{_cap(name)} renewal is confirmed: nothing more needed to keep it{after}.", False
    needed = [_more(c.gap, c.unit) for c in renewal if c.gap is not None and c.gap > 0]
    if needed:
        return f"To keep {name}{after}: " + _and(needed) + ".", False
    if renewal:
        return f"{_cap(name)} is kept{after}: every renewal condition is met.", False
    if rule is not None:
        return _rule_sentence(name, after, rule), True
    if after:
        return f"{tier} expires {date_text(tier_expiry)}; Capillary returned no renewal conditions.", False
    return f"Capillary returned no renewal conditions for {tier}.", False


def _rule_sentence(name: str, after: str, rule: domain.RetentionRule) -> str:
    """Keeping the tier from the program's rule alone (no live renewal progress came)."""
    applies = "; a downgrade strategy applies." if rule.downgrades else "."
    if rule.minimums:
        return f"To keep {name}{after}: {rule.minimums}{applies}"
    if rule.downgrades:
        return f"{_cap(name)} is kept with no minimum purchases or visits{applies}"
    return f"No minimum purchases or visits to keep {name}{after}."


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
