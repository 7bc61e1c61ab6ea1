"""Turn the client's wire models into what templates see. The only customer code that reads schema attributes."""

import dataclasses
import functools
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from memberconsole.capillary import errors as cap
from memberconsole.capillary import schemas as wire
from memberconsole.core.formatting import as_date
from memberconsole.core.identifiers import TYPE_LABELS
from memberconsole.core.masking import ContactMask
from memberconsole.core.summaries import customer_summary, display_name, registered_at
from memberconsole.core.warnings import warning_text
from memberconsole.customers import domain, tiers

CARD_TONES = {"ACTIVE": "ok", "SUSPENDED": "warn", "EXPIRED": "error", "DELETED": "error", "NOT_ISSUED": "neutral"}
PHONE_TYPES = {"mobile"}
PUSH_TYPES = {"mobilepush", "android", "ios"}
NON_LOYALTY = {"non_loyalty", "non-loyalty"}


def _cap(text: str) -> str:
    """Capitalise the first letter only (str.capitalize would lower-case "NDNC")."""
    return text[:1].upper() + text[1:]


def _text(value) -> str:
    return "" if value is None else str(value)


def _actor(actor: wire.Actor | None) -> str:
    if actor is None:
        return ""
    return actor.name or actor.code or ""


def _decimal(value) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _values(profile: wire.Profile, kind: str) -> tuple[str, ...]:
    return tuple(sorted(i.value for i in profile.identifiers if (i.type or "").lower() == kind.lower() and i.value))


def _profiles(customer: wire.Customer, mask: ContactMask) -> list[domain.Profile]:
    # A value "differs" when profiles of this customer disagree on it (e.g. another email on WeChat than in store).
    keys = {
        "name": lambda p: ((p.first_name or "").strip(), (p.last_name or "").strip()),
        "mobile": lambda p: _values(p, "mobile"),
        "email": lambda p: _values(p, "email"),
        "externalId": lambda p: _values(p, "externalId"),
    }
    differing = set()
    if len(customer.profiles) > 1:
        for key, get in keys.items():
            seen = {get(p) for p in customer.profiles if any(get(p))}
            if len(seen) > 1:
                differing.add(key)
    result = []
    for p in customer.profiles:
        attribution = p.attribution or wire.Attribution()
        result.append(
            domain.Profile(
                source=_text(p.source),
                account_id=_text(p.account_id),
                first_name=_text(p.first_name),
                last_name=_text(p.last_name),
                identifiers=[
                    domain.Identifier(type=_text(i.type), value=mask.value(_text(i.type), _text(i.value)))
                    for i in p.identifiers
                ],
                channels=[
                    domain.Channel(
                        type=_text(c.type),
                        value=mask.value(_text(c.type), _text(c.value)),
                        primary=c.primary,
                        verified=c.verified,
                        subscribed=c.subscribed,
                    )
                    for c in p.comm_channels
                ],
                custom_fields={str(k): _text(v) for k, v in p.fields.items()},
                created_at=attribution.create_date,
                created_by=_actor(attribution.created_by),
                modified_at=attribution.modified_date,
                modified_by=_actor(attribution.modified_by),
                differs=frozenset(k for k in differing if any(keys[k](p))),
            )
        )
    return result


def _subscriptions(customer: wire.Customer) -> list[wire.Subscription]:
    return list(customer.subscription_info.subscriptions) if customer.subscription_info else []


# ---------------------------------------------------------------------------------------------------- contactability
# One answer per channel, each from one small rule below: comm channels, NDNC, opt-in and subscriptions together.


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactFacts:
    """What the contactability rules read, gathered once from the customer."""

    channels: dict[str, list[wire.CommChannel]]  # by lower-case channel type: "mobile", "email", "wechat", ...
    identifier_types: frozenset[str]  # lower-case identifier types on any profile
    sources: frozenset[str]  # upper-case profile sources
    ndnc: str  # NDNC registry status, upper case ("NDNC", "DND", "NONE" or "")
    optin: str  # org-level opt-in status, upper case ("OPTED_IN", "OPTED_OUT", "NONE" or "")
    subscriptions: tuple[wire.Subscription, ...]

    def of_type(self, *types: str) -> list[wire.CommChannel]:
        return [c for t in types for c in self.channels.get(t, [])]

    def opted_out(self, *subscription_channels: str) -> tuple[bool, bool]:
        """(promotional opted out, transactional opted out) on the subscription channels given (SMS, EMAIL, ...)."""
        relevant = [
            s
            for s in self.subscriptions
            if (s.channel or "").upper() in subscription_channels and (s.type or "").upper() == "OPTOUT"
        ]
        promotional = any((s.priority or "").upper() in {"BULK", ""} for s in relevant)
        transactional = any((s.priority or "").upper() == "TRANS" for s in relevant)
        return promotional, transactional

    @property
    def opted_out_of_all(self) -> bool:
        return self.optin == "OPTED_OUT"


def contact_facts(customer: wire.Customer) -> ContactFacts:
    channels: dict[str, list[wire.CommChannel]] = {}
    for profile in customer.profiles:
        for channel in profile.comm_channels:
            channels.setdefault((channel.type or "").lower(), []).append(channel)
    return ContactFacts(
        channels=channels,
        identifier_types=frozenset((i.type or "").lower() for p in customer.profiles for i in p.identifiers),
        sources=frozenset((p.source or "").upper() for p in customer.profiles),
        ndnc=(customer.ndnc_status or "").upper(),
        optin=(customer.optin_status or "").upper(),
        subscriptions=tuple(_subscriptions(customer)),
    )


def _verified(channels: list[wire.CommChannel]) -> str:
    return "verified" if any(c.verified for c in channels) else "not verified"


def _answer(channel: str, verdict: str, reason: str) -> domain.Contactability:
    return domain.Contactability(channel=channel, verdict=verdict, reason=reason)


def sms_contactability(facts: ContactFacts) -> domain.Contactability:
    """SMS and calls: the mobile, the NDNC (Do Not Disturb / Do Not Call) registry, opt-in, SMS subscriptions."""
    mobiles = facts.of_type(*PHONE_TYPES)
    if not mobiles and "mobile" not in facts.identifier_types:
        return _answer("SMS", "no", "No mobile number on file.")
    state = f"mobile {_verified(mobiles)}" if mobiles else "mobile on file but not a communication channel"
    promotional_out, transactional_out = facts.opted_out("SMS")
    if facts.ndnc in {"NDNC", "DND"}:
        return _answer("SMS", "no", f"{_cap(state)}, NDNC: {facts.ndnc}, so do not call or send promotions.")
    if facts.opted_out_of_all or (promotional_out and transactional_out):
        return _answer("SMS", "no", f"{_cap(state)}, but the customer opted out of messages.")
    if promotional_out:
        return _answer(
            "SMS", "limited", f"{_cap(state)}; opted out of promotional SMS, so transactional messages only."
        )
    said = [state]
    if facts.ndnc:
        said.append(f"NDNC: {facts.ndnc}")
    if facts.optin:
        said.append(f"opt-in: {facts.optin.replace('_', ' ').lower()}")
    return _answer("SMS", "yes" if mobiles else "limited", _cap(", ".join(said)) + ".")


def email_contactability(facts: ContactFacts) -> domain.Contactability:
    """Email: the address, opt-in and email subscriptions (NDNC is about phones)."""
    emails = facts.of_type("email")
    if not emails and "email" not in facts.identifier_types:
        return _answer("Email", "no", "No email address on file.")
    state = f"email {_verified(emails)}" if emails else "email on file but not a communication channel"
    promotional_out, transactional_out = facts.opted_out("EMAIL")
    if facts.opted_out_of_all or (promotional_out and transactional_out):
        return _answer("Email", "no", f"{_cap(state)}, but the customer opted out of messages.")
    if promotional_out:
        return _answer(
            "Email", "limited", f"{_cap(state)}; opted out of promotional email, so transactional email only."
        )
    return _answer("Email", "yes" if emails else "limited", _cap(state) + ".")


def messenger_contactability(facts: ContactFacts, *, label: str, kind: str, source: str) -> domain.Contactability:
    """A messenger (WeChat, LINE): its channel, or a profile in its source without one, and opt-in."""
    channels = facts.of_type(kind)
    if channels:
        if facts.opted_out_of_all:
            return _answer(
                label, "no", f"{label} channel {_verified(channels)}, but the customer opted out of messages."
            )
        return _answer(label, "yes", f"{label} channel {_verified(channels)}.")
    if source in facts.sources:
        return _answer(label, "unknown", f"Has a {label} profile but no {label} channel to message.")
    return _answer(label, "no", f"No {label} profile.")


def push_contactability(facts: ContactFacts) -> domain.Contactability:
    """App push: a push token on file, opt-in and the app subscriptions."""
    if not facts.of_type(*PUSH_TYPES):
        return _answer("Push", "no", "No app or push token on file.")
    promotional_out, _ = facts.opted_out("ANDROID", "IOS")
    if facts.opted_out_of_all or promotional_out:
        return _answer("Push", "no", "Push token on file, but the customer opted out.")
    return _answer("Push", "yes", "Push token on file.")


CHANNEL_RULES = (
    sms_contactability,
    email_contactability,
    functools.partial(messenger_contactability, label="WeChat", kind="wechat", source="WECHAT"),
    functools.partial(messenger_contactability, label="LINE", kind="line", source="LINE"),
    push_contactability,
)


def contactability(customer: wire.Customer) -> list[domain.Contactability]:
    """One answer per channel, with the reason."""
    facts = contact_facts(customer)
    return [rule(facts) for rule in CHANNEL_RULES]


# ---------------------------------------------------------------------------------------------------- the rest


def _for_program(items, program_id, *, main: bool) -> list:
    """The items (with a program_id, or none when they come at top level) that belong to this program."""
    return [i for i in items if i.program_id == program_id or (i.program_id is None and main)]


@dataclass(frozen=True, slots=True, kw_only=True)
class _Standing:
    """Where the customer stands in one program: from its details or points summary, or, when neither came, from the
    newest change in the tier history."""

    current: str
    next: str = ""
    next_serial: int | None = None
    serial: int | None = None
    expiry: date | datetime | str | None = None
    lifetime: Decimal | None = None
    redeemed: Decimal | None = None
    expired: Decimal | None = None
    cumulative: Decimal | None = None
    from_history: bool = False
    since: date | datetime | str | None = None

    @classmethod
    def of(cls, detail: wire.LoyaltyProgramDetail | wire.PointsSummary) -> "_Standing":
        return cls(
            current=_text(detail.current_slab),
            next=_text(detail.next_slab),
            next_serial=detail.next_slab_serial_number,
            serial=detail.slab_sno,
            expiry=detail.slab_expiry_date,
            lifetime=_decimal(detail.lifetime_points),
            redeemed=_decimal(detail.redeemed),
            expired=_decimal(detail.expired),
            cumulative=_decimal(detail.cumulative_purchases),
        )

    @classmethod
    def since_change(cls, change: wire.SlabChange | None) -> "_Standing":
        if change is None:
            return cls(current="", from_history=True)
        return cls(
            current=_text(change.to_tier),
            expiry=change.to_tier_expiry_date,
            from_history=True,
            since=change.changed_on,
        )


def _program(
    customer: wire.Customer,
    *,
    program_id: int | None,
    title: str,
    standing: _Standing,
    main: bool,
    available,
    upgrade_strategies: list[wire.UpgradeStrategy],
    gap_to_renew: wire.GapToRenewSummary | None,
) -> domain.Program:
    if main and gap_to_renew is None:
        gap_to_renew = customer.gap_to_renew_summary  # the RD table's top-level placement (api-notes §4.7)
    strategies = list(upgrade_strategies) + (_for_program(customer.upgrade_strategies, program_id, main=main))
    upgrade = tiers.upgrade_criteria(strategies, _for_program(customer.tier_upgrade_criteria, program_id, main=main))
    # No next tier is the top tier only when Capillary says so (-1), or program details came without a next tier and
    # nothing says more is needed; the tier history alone cannot tell.
    wants_more = any((c.gap or 0) > 0 or (c.required or 0) > 0 for c in upgrade)
    is_top = standing.next_serial == -1 or (
        not standing.from_history and not standing.next and bool(standing.current) and not wants_more
    )
    renewal = tiers.renewal_criteria(gap_to_renew)
    criteria = _for_program(customer.membership_retention_criteria, program_id, main=main)
    rule = tiers.retention_rule(criteria[0] if criteria else None)
    renew_confirmed = gap_to_renew.renew_confirmed if gap_to_renew else None
    said = tiers.answers(
        current_tier=standing.current,
        next_tier=standing.next,
        is_top_tier=is_top,
        is_base_tier=standing.serial == 1,
        tier_expiry=standing.expiry or (gap_to_renew.tier_expiry_date if gap_to_renew else None),
        upgrade=upgrade,
        renewal=renewal,
        rule=rule,
        renew_confirmed=renew_confirmed,
    )
    expiring, expiring_on = _soonest_expiry(customer, program_id, main=main)
    return domain.Program(
        program_id=program_id,
        title=title,
        current_tier=standing.current,
        next_tier=standing.next,
        tier_expiry=standing.expiry,
        available_points=_decimal(available),
        lifetime_points=standing.lifetime,
        redeemed_points=standing.redeemed,
        expired_points=standing.expired,
        cumulative_purchases=standing.cumulative,
        is_top_tier=is_top,
        tier_number=standing.serial,
        upgrade=upgrade,
        renewal=renewal,
        rule=rule,
        renew_confirmed=renew_confirmed,
        renewal_expiry=gap_to_renew.tier_expiry_date if gap_to_renew else None,
        next_sentence=said.next_sentence,
        keep_sentence=said.keep_sentence,
        keep_note=said.keep_note,
        expiring_points=expiring,
        expiring_on=expiring_on,
        from_history=standing.from_history,
        tier_since=standing.since,
    )


def _soonest_expiry(customer: wire.Customer, program_id: int | None, *, main: bool):
    """The program's soonest future expiry from embed=expirySchedules (activity-api.md §3.2,
    docs.capillarytech.com/reference/get-customer-details-v2): (points, date), or (None, None)."""
    today = timezone.localdate()
    soonest = None
    for bucket in _for_program(customer.expiry_schedules, program_id, main=main):
        when = bucket.expiry_date_iso or bucket.expiry_date
        day = as_date(when)
        if not bucket.points or day is None or day < today:
            continue
        if soonest is None or day < soonest[2]:
            soonest = (_decimal(bucket.points), when, day)
    return (soonest[0], soonest[1]) if soonest else (None, None)


def _programs(customer: wire.Customer) -> list[domain.Program]:
    """One per loyalty program, the main one first; from the points summary when no program details came, and from
    the tier history and the upgrade and retention criteria when neither did."""
    programs = [
        _program(
            customer,
            program_id=p.program_id,
            title=_title(p.program_title, p.program_id),
            standing=_Standing.of(p),
            main=index == 0,
            available=p.total_available_points if p.total_available_points is not None else p.loyalty_points,
            upgrade_strategies=list(p.upgrade_strategies),
            gap_to_renew=p.gap_to_renew_summary,
        )
        for index, p in enumerate(customer.loyalty_program_details)
    ]
    summary = customer.points_summary
    if not programs and summary and (summary.current_slab or summary.loyalty_points is not None):
        programs.append(
            _program(
                customer,
                program_id=summary.program_id,
                title="Loyalty program",
                standing=_Standing.of(summary),
                main=True,
                available=summary.loyalty_points,
                upgrade_strategies=[],
                gap_to_renew=None,
            )
        )
    return programs or _programs_from_history(customer)


def _title(title: str | None, program_id: int | None) -> str:
    return title or (f"Program {program_id}" if program_id is not None else "Loyalty program")


def _programs_from_history(customer: wire.Customer) -> list[domain.Program]:
    """Programs when no program details came but the tier history or the upgrade and retention criteria did, as in
    the docs' own example of customer 565261498 (get-customer-by-id.txt, docs.capillarytech.com/reference/
    get-customer-details-v2): one per program they name, the main one (the newest tier change's) first, its tier
    that change's `to`. Points are not known. None when loyaltyInfo says the customer is not a loyalty member: an old
    tier history is not a program."""
    loyalty = customer.loyalty_info or wire.LoyaltyInfo()
    if (loyalty.loyalty_type or "").lower() in NON_LOYALTY:
        return []
    changes = sorted(customer.slab_history, key=lambda s: _sort_key(s.changed_on), reverse=True)
    blocks = [*changes, *customer.tier_upgrade_criteria, *customer.membership_retention_criteria]
    if not blocks:
        return []
    program_ids = list(dict.fromkeys(b.program_id for b in blocks if b.program_id is not None)) or [None]
    programs = []
    for index, program_id in enumerate(program_ids):
        newest = next(iter(_for_program(changes, program_id, main=index == 0)), None)
        programs.append(
            _program(
                customer,
                program_id=program_id,
                title=_title(None, program_id),
                standing=_Standing.since_change(newest),
                main=index == 0,
                available=None,
                upgrade_strategies=[],
                gap_to_renew=None,
            )
        )
    return programs


def _cards(customer: wire.Customer, mask: ContactMask) -> list[domain.Card]:
    cards = []
    for c in customer.card_details:
        info = c.status_info
        status = (info.label or info.status) if info else ""
        cards.append(
            domain.Card(
                number=mask.value("cardnumber", _text(c.card_number)),
                series=_text(c.series_name or c.series_code),
                type=_text(c.type),
                status=status or "Status not returned",
                status_tone=CARD_TONES.get(((info.status or info.label) if info else "") or "", "neutral"),
                issued_at=c.issued_date or c.created_date_time_iso or c.created_date,
                expires_at=c.expiry_date,
                active=info.is_active if info else None,
                digital=c.active_and_digital
                if c.active_and_digital is not None
                else (c.type or "").upper() == "DIGITAL" or None,
                external_id=mask.value("cardExternalId", _text(c.card_external_id)),
            )
        )
    return cards


def _sort_key(value) -> tuple[int, str]:
    if isinstance(value, datetime | date):
        return (1, value.isoformat())
    return (0, _text(value))


def _tier_history(customer: wire.Customer) -> list[domain.TierChange]:
    changes = [
        domain.TierChange(
            from_tier=_text(s.from_tier),
            to_tier=_text(s.to_tier),
            kind=(s.type or "CHANGE").upper(),
            changed_at=s.changed_on,
            store=" · ".join(part for part in ((s.store.name, s.store.code) if s.store else ()) if part),
            notes=_text(s.notes),
            program_id=s.program_id,
        )
        for s in customer.slab_history
    ]
    return sorted(changes, key=lambda c: _sort_key(c.changed_at), reverse=True)


def _segments(customer: wire.Customer) -> list[tuple[str, str]]:
    result = []
    for segment, partition in customer.segments.items():
        if isinstance(partition, list | tuple):
            partition = ", ".join(_text(p) for p in partition)
        elif isinstance(partition, dict):
            partition = ", ".join(f"{k}: {v}" for k, v in partition.items())
        result.append((str(segment), _text(partition)))
    return result


def _warnings(customer: wire.Customer) -> list[str]:
    return [warning_text(w.code, w.message) for w in customer.warnings if w.code or w.message]


def to_customer(customer: wire.Customer, *, mask: ContactMask) -> domain.Customer:
    """The whole customer page's data from one GET /v2/customers/{id} response, contact details masked for the
    viewer (the mask is applied here, so a value the viewer may not see never reaches a template)."""
    loyalty = customer.loyalty_info or wire.LoyaltyInfo()
    attribution = loyalty.attribution_v2 or wire.Attribution()
    first_profile_attr = next((p.attribution for p in customer.profiles if p.attribution), None)
    programs = _programs(customer)
    profiles = _profiles(customer, mask)
    main = programs[0] if programs else None
    fraud = customer.fraud_details.status if customer.fraud_details and customer.fraud_details.status else ""
    loyalty_type = _text(loyalty.loyalty_type).replace("_", "-")
    return domain.Customer(
        id=int(customer.id or 0),
        name=display_name(customer.profiles),
        loyalty_type=loyalty_type,
        status=fraud.replace("_", " ").title() if fraud else "",
        current_tier=main.current_tier if main else "",
        points=main.available_points if main else None,
        registered_at=registered_at(customer),
        registered_by=_actor(attribution.created_by)
        or (_actor(first_profile_attr.created_by) if first_profile_attr else ""),
        registered_from=_text(attribution.created_from_source).upper(),
        associated_with=_text(customer.associated_with),
        lifetime_purchases=_decimal(loyalty.lifetime_purchases),
        profiles=profiles,
        contactability=contactability(customer),
        programs=programs,
        cards=_cards(customer, mask),
        tier_history=_tier_history(customer),
        extended_fields=[
            (str(k).replace("_", " ").capitalize(), _text(v)) for k, v in customer.extended_fields.items()
        ],
        custom_fields=[(p.source, k, v) for p in profiles for k, v in p.custom_fields.items()],
        segments=_segments(customer),
        warnings=_warnings(customer),
        ndnc_status=_text(customer.ndnc_status),
        optin_status=_text(customer.optin_status),
        subscriptions=[(_text(s.channel), _text(s.priority), _text(s.type)) for s in _subscriptions(customer)],
        alerts=_alerts(fraud, loyalty_type),
        fraud_status=fraud,
        no_program=None if programs else tiers.no_program(loyalty_type),
    )


# Fraud statuses that need no warning (fraudDetails.status; activity-api.md §6.3,
# docs.capillarytech.com/reference/get-customer-details-v2).
NOT_FRAUD = {"", "NOT_FRAUD", "NONE", "NOT_MARKED"}


def _alerts(fraud: str, loyalty_type: str) -> list[domain.Alert]:
    """What the agent must notice first, in words: fraud marking, non-loyalty."""
    alerts = []
    if fraud.upper() not in NOT_FRAUD:
        alerts.append(
            domain.Alert(
                words=f"Fraud: {fraud.replace('_', ' ').lower()}",
                tone="error",
                detail="Capillary marks this account for fraud. Check with your supervisor before giving points, "
                "rewards or changes.",
            )
        )
    if loyalty_type and loyalty_type != "loyalty":
        alerts.append(
            domain.Alert(words="Non-loyalty customer", tone="warn", detail="Not a loyalty member: earns no points.")
        )
    return alerts


# Search's matchedIdentifiers[].idType in words (names, then the identifier types the lookup API knows, in any case).
MATCH_LABELS = {
    "firstname": "first name",
    "lastname": "last name",
    **{kind.lower(): label for kind, label in TYPE_LABELS.items()},
    "cardexternalid": "card external ID",
    "line": "LINE id",
}


def matched_in_words(matched: list[wire.MatchedIdentifier], *, mask: ContactMask) -> str:
    """What a search hit matched on, e.g. "first name, mobile +91 ••••• ••001", masked for the viewer; once each."""
    said: list[str] = []
    for m in matched:
        kind = _text(m.id_type)
        label = MATCH_LABELS.get(kind.lower(), kind)
        if not label:
            continue
        if kind.lower() in {"firstname", "lastname"}:
            words = label  # the name is in its own column
        elif m.id_value:
            words = f"{label} {mask.value(kind, _text(m.id_value))}"
        else:
            words = label
        if words not in said:
            said.append(words)
    return ", ".join(said)


def to_search_hits(page: wire.CustomerSearchPage, *, mask: ContactMask, source: str = "ALL") -> list[domain.SearchHit]:
    """Rows of a name search (names and what matched), limited to one source when the agent chose one."""
    hits = []
    for hit in page.hits:
        sources = sorted({p.source for p in hit.profiles if p.source})
        if source != "ALL" and source not in sources:
            continue
        if hit.user_id is not None:
            hits.append(
                domain.SearchHit(
                    customer_id=hit.user_id,
                    name=display_name(hit.profiles),
                    sources=sources,
                    matched=matched_in_words(hit.matched_identifiers, mask=mask),
                )
            )
    return hits


def with_details(
    hits: list[domain.SearchHit], details: list[wire.BulkCustomerResult], *, mask: ContactMask
) -> list[domain.SearchHit]:
    """The rows with each customer's mobile and email (masked for the viewer), city, tier and registration date, from
    one bulk read; a row Capillary answered with an error says why it has none."""
    by_id = {result.customer_id: result for result in details}
    rows = []
    for hit in hits:
        result = by_id.get(hit.customer_id)
        if result is not None and result.success and result.customer is not None:
            summary = customer_summary(result.customer)
            rows.append(
                dataclasses.replace(
                    hit,
                    name=hit.name or summary.name,
                    sources=summary.sources or hit.sources,
                    mobile=mask.mobile(summary.mobile),
                    email=mask.email(summary.email),
                    city=summary.city,
                    tier=summary.tier,
                    registered_at=summary.registered_at,
                )
            )
            continue
        error = result.error if result is not None else None
        if isinstance(error, cap.CapillaryCustomerMergedError):
            survivor = error.survivor_id
            rows.append(
                dataclasses.replace(hit, merged_into=survivor, note="" if survivor else "Merged into another account.")
            )
        elif isinstance(error, cap.CapillaryCustomerDeletedError):
            rows.append(dataclasses.replace(hit, note="Deleted after a personal-data (PII) request."))
        else:
            rows.append(dataclasses.replace(hit, note="Capillary returned no details for this customer."))
    return rows
