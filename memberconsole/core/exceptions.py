"""The console's own errors, what a Capillary client error means for them, and for a search that tries readings.

Every app raises and catches these; only this module turns the client's exceptions into them. Messages are for agents:
plain words, what to do next.
"""

import enum
import math

from memberconsole.capillary import errors as cap


class MemberConsoleError(Exception):
    """Base: an agent-safe message plus Capillary's request id for escalation."""

    default_message = "Something went wrong."
    status_code = 502  # the page's status: Capillary (or what it answered) failed the console

    def __init__(self, message: str | None = None, *, request_id: str | None = None) -> None:
        self.message = message or self.default_message
        self.request_id = request_id
        super().__init__(self.message)


class CustomerNotFoundError(MemberConsoleError):
    default_message = "No customer has this customer ID."
    status_code = 404


class CustomerDeletedError(MemberConsoleError):
    default_message = "This customer was deleted after a personal-data (PII) deletion request. No data can be shown."
    status_code = 410


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

    def __init__(
        self, message: str | None = None, *, kind: str = "unavailable", retry_after: int | None = None, **kwargs
    ) -> None:
        self.kind = kind
        self.retry_after = retry_after  # seconds, when Capillary (or the console's budget) said
        super().__init__(message, **kwargs)

    @property
    def status_code(self) -> int:
        return {"timeout": 504, "bad_response": 502}.get(self.kind, 503)


class UpstreamRejectedError(MemberConsoleError):
    """Capillary refused the call for a reason the agent cannot fix (configuration, permissions)."""

    default_message = "Capillary refused the request. Tell your administrator, quoting the request id."


def translate_error(exc: cap.CapillaryError) -> MemberConsoleError:
    """Map a client exception to the console error the views present."""
    request_id = exc.request_id
    if isinstance(exc, cap.CapillaryCustomerDeletedError):
        return CustomerDeletedError(request_id=request_id)
    if isinstance(exc, cap.CapillaryCustomerMergedError):
        return CustomerMergedError(survivor_id=exc.survivor_id, request_id=request_id)
    if isinstance(exc, cap.CapillaryNotFoundError):
        return CustomerNotFoundError(request_id=request_id)
    if isinstance(exc, cap.CapillaryTimeoutError):
        return UpstreamUnavailableError(
            "Capillary, the loyalty system, did not answer in time. Nothing was changed. Try again in a moment.",
            kind="timeout",
            request_id=request_id,
        )
    if isinstance(exc, cap.CapillaryResponseValidationError):
        return UpstreamUnavailableError(
            "Capillary answered with something the console cannot read. Try again; if it persists, tell your "
            "administrator, quoting the request id.",
            kind="bad_response",
            request_id=request_id,
        )
    if isinstance(exc, cap.CapillaryRateLimitedError):
        seconds = math.ceil(exc.retry_after) if exc.retry_after else None
        when = f"try again in {seconds} s" if seconds else "wait a few seconds and try again"
        return UpstreamUnavailableError(
            f"Capillary is busy: {when}. Nothing was changed.",
            kind="busy",
            retry_after=seconds,
            request_id=request_id,
        )
    if isinstance(exc, cap.CapillaryUnavailableError):
        return UpstreamUnavailableError(request_id=request_id)
    if isinstance(exc, cap.CapillaryAuthenticationError | cap.CapillaryPermissionError):
        return UpstreamRejectedError(
            "The console's Capillary credentials were refused. Tell your administrator, quoting the request id.",
            request_id=request_id,
        )
    return UpstreamRejectedError(request_id=request_id)


class LookupMiss(enum.StrEnum):
    """What a failed lookup of one reading of the agent's input means (see lookup_miss)."""

    NOBODY = "nobody"  # nobody has it read this way: try the next reading
    MERGED = "merged"  # it belonged to an account merged into the survivor Capillary named (exc.survivor_id)
    DELETED = "deleted"  # its customer was deleted after a personal-data (PII) request


def lookup_miss(exc: cap.CapillaryError) -> LookupMiss | None:
    """The one rule for reading a lookup error: which client errors are an answer about the identifier (a miss, a
    merge, a deletion) rather than a failure; None means Capillary failed (show translate_error(exc))."""
    if isinstance(exc, cap.CapillaryCustomerMergedError):
        # A merge victim whose survivor Capillary did not name tells the agent nothing: read on.
        return LookupMiss.MERGED if exc.survivor_id else LookupMiss.NOBODY
    if isinstance(exc, cap.CapillaryCustomerDeletedError):
        return LookupMiss.DELETED
    if isinstance(exc, cap.CapillaryNotFoundError | cap.CapillaryInvalidIdentifierError | cap.CapillaryBadRequestError):
        # Not found, or not a valid value of that identifier type (the reading was wrong, not Capillary).
        return LookupMiss.NOBODY
    return None
