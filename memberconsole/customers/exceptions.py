"""Domain errors the customer views decide how to show. Messages are for agents: plain words, what to do next."""


class MemberConsoleError(Exception):
    """Base: an agent-safe message plus Capillary's request id for escalation."""

    default_message = "Something went wrong."

    def __init__(self, message: str | None = None, *, request_id: str | None = None) -> None:
        self.message = message or self.default_message
        self.request_id = request_id
        super().__init__(self.message)


class CustomerNotFoundError(MemberConsoleError):
    default_message = "No customer has this customer ID."


class CustomerDeletedError(MemberConsoleError):
    default_message = "This customer was deleted after a personal-data (PII) deletion request. No data can be shown."


class CustomerMergedError(MemberConsoleError):
    default_message = "This customer account was merged into another account."

    def __init__(self, message: str | None = None, *, survivor_id: int | None = None, **kwargs) -> None:
        self.survivor_id = survivor_id
        super().__init__(message, **kwargs)


class UpstreamUnavailableError(MemberConsoleError):
    """Capillary is down, slow or answered nonsense; `kind` picks the page status (timeout 504, bad answer 502, 503)."""

    default_message = (
        "Capillary, the loyalty system, is not answering right now. Nothing was changed. Try again in a moment."
    )

    def __init__(self, message: str | None = None, *, kind: str = "unavailable", **kwargs) -> None:
        self.kind = kind
        super().__init__(message, **kwargs)

    @property
    def status_code(self) -> int:
        return {"timeout": 504, "bad_response": 502}.get(self.kind, 503)


class UpstreamRejectedError(MemberConsoleError):
    """Capillary refused the call for a reason the agent cannot fix (configuration, permissions)."""

    default_message = "Capillary refused the request. Tell your administrator, quoting the request id."
