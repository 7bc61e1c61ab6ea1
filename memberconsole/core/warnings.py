"""Capillary's warning codes in plain words: one table for every page that shows a warning."""

# api-notes §3.5 (docs.capillarytech.com/reference/status-codes-customer) and register-customer.txt
# (docs.capillarytech.com/reference/v2-add-customer).
WARNING_WORDS = {
    8050: "The identifier already belonged to a customer in another source: the new profile was added to them.",
    8062: "Loyalty points could not be loaded, so point balances may be missing.",
    8063: "Segment details could not be loaded.",
    8107: "Default customer status label not set: the customer has no status label until an administrator sets one.",
    1053: "The preferred store was not found.",
    1302: "The supplementary program's expiry is before the membership expiry.",
    91001: "Point details could not be loaded, so point balances may be missing.",
    91002: "Subscription details could not be loaded, so contact preferences may be incomplete.",
    91004: "Segment details could not be loaded.",
    91013: "Tier upgrade criteria could not be loaded from the points engine.",
    91014: "Tier renewal criteria could not be loaded from the points engine.",
    91015: "An extended field could not be saved (unknown field or value too long).",
    91016: "The WeChat profile is not available.",
    91017: "The Web Engage profile is not available.",
}


def warning_text(code: int | None, message: str | None = "") -> str:
    """A warning in plain words with its code ('... (code 8107)'); Capillary's own text for codes we do not know."""
    words = WARNING_WORDS.get(code or 0) or message or "Capillary sent a warning."
    return f"{words} (code {code})" if code else words
