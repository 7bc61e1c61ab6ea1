"""Contact details masked for viewers who may not see them: `+91 ••••• ••007`, `r•••@example.com`.

Masking happens before anything reaches a template, a partial or a CSV, so a value the viewer may not see is never
sent to their browser. Names stay visible (agents greet customers by name).
"""

from dataclasses import dataclass

from django.conf import settings

from memberconsole.core.formatting import mobile_text

MASK = "•"
CONTACT_PERMISSION = "customers.view_contact_details"
REVEAL_PERMISSION = "customers.reveal_contact_details"
# Identifier types that are not contact details: shown unless MASK_EXTERNAL_IDS (an org may count them as personal).
NOT_CONTACT = frozenset({"externalid", "cardnumber", "cardexternalid"})
# Never masked: names (agents greet customers by name) and the customer ID, the console's own key for a customer.
NEVER_MASKED = frozenset({"name", "firstname", "lastname", "id"})
KEEP_DIGITS = 3


def mask_mobile(value: str) -> str:
    """'919845000007' -> '+91 ••••• ••007' (read as a person reads it); unknown formats keep their last 3 digits."""
    if not value:
        return ""
    digits = "".join(ch for ch in value if ch.isdigit())
    formatted = mobile_text(digits)
    if formatted == digits:  # not a number phonenumbers knows: no grouping to keep
        return (
            MASK * max(len(digits) - KEEP_DIGITS, 4) + digits[-KEEP_DIGITS:] if len(digits) > KEEP_DIGITS else MASK * 4
        )
    code, space, rest = formatted.partition(" ")  # '+91', ' ', '98450 00007'
    total = sum(ch.isdigit() for ch in rest)
    seen, out = 0, []
    for ch in rest:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > total - KEEP_DIGITS else MASK)
        else:
            out.append(ch)
    return code + space + "".join(out)


def mask_email(value: str) -> str:
    """'rahul@example.com' -> 'r•••@example.com'."""
    if not value:
        return ""
    local, at, domain = value.partition("@")
    return f"{local[:1]}{MASK * 3}{at}{domain}" if at else MASK * 4


def mask_other(value: str) -> str:
    """Any other identifier: its first two and last two characters."""
    if not value:
        return ""
    return f"{value[:2]}{MASK * 3}{value[-2:]}" if len(value) > 6 else MASK * 4


@dataclass(frozen=True, slots=True)
class ContactMask:
    """How one viewer sees contact details: in full, or masked."""

    reveal: bool = False
    mask_ids: bool = False

    def value(self, kind: str, value: str) -> str:
        """An identifier or channel value of this kind (mobile, email, wechat, externalId...) as the viewer sees it."""
        if not value:
            return ""
        kind = (kind or "").lower()
        if kind in NEVER_MASKED:
            return value
        if kind in NOT_CONTACT:
            return mask_other(value) if self.mask_ids and not self.reveal else value
        if self.reveal:
            return value
        if kind == "mobile":
            return mask_mobile(value)
        if kind == "email":
            return mask_email(value)
        return mask_other(value)

    def mobile(self, value: str) -> str:
        return self.value("mobile", value)

    def email(self, value: str) -> str:
        return self.value("email", value)


FULL = ContactMask(reveal=True)


def can_see_contact(user) -> bool:
    """Whether the viewer sees contact details in full everywhere (customers.view_contact_details)."""
    return bool(user and user.has_perm(CONTACT_PERMISSION))


def contact_mask_for(user, *, revealed: bool = False) -> ContactMask:
    """The viewer's mask: full for the contact-details permission or a live reveal of this customer, else masked."""
    return ContactMask(reveal=revealed or can_see_contact(user), mask_ids=settings.MASK_EXTERNAL_IDS)
