"""Capillary client exceptions and the one place that maps HTTP statuses and Capillary codes onto them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

# api-notes §3.4 / get-customer-by-id.txt (docs.capillarytech.com/reference/get-customer-details-v2): the PII-deleted
# answer is only documented as this message.
PII_DELETED_MESSAGE = "customer is deleted after pii delete request"


class CapillaryError(Exception):
    """Base class: every error carries the HTTP status, Capillary codes, X-Cap-Requestid and the decoded body."""

    default_message = "Capillary request failed"

    def __init__(
        self,
        message: str | None = None,
        *,
        status_code: int | None = None,
        codes: Iterable[int] = (),
        request_id: str | None = None,
        body: Any = None,
    ) -> None:
        self.message = message or self.default_message
        self.status_code = status_code
        self.codes: tuple[int, ...] = tuple(codes)
        self.request_id = request_id
        self.body = body
        super().__init__(self.message)

    def __str__(self) -> str:
        details = []
        if self.status_code is not None:
            details.append(f"status {self.status_code}")
        if self.codes:
            details.append("codes " + ",".join(str(code) for code in self.codes))
        if self.request_id:
            details.append(f"request id {self.request_id}")
        return f"{self.message} ({'; '.join(details)})" if details else self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, status_code={self.status_code!r}, "
            f"codes={self.codes!r}, request_id={self.request_id!r})"
        )


class CapillaryNotFoundError(CapillaryError):
    """The customer (or resource) does not exist."""

    default_message = "Customer not found"


class CapillaryNoResultsError(CapillaryNotFoundError):
    """The customer exists but nothing matches: no ledger entries for these parameters, no points record."""

    default_message = "Nothing found for these parameters"


class CapillaryCustomerMergedError(CapillaryError):
    """The requested customer was merged into another account (the survivor)."""

    default_message = "Customer was merged into another account"

    def __init__(self, message: str | None = None, *, survivor_id: int | None = None, **kwargs: Any) -> None:
        self.survivor_id = survivor_id
        super().__init__(message, **kwargs)


class CapillaryCustomerDeletedError(CapillaryError):
    """The customer was deleted after a PII deletion request."""

    default_message = "Customer is deleted after PII delete request"


class CapillaryAlreadyExistsError(CapillaryError):
    """A customer with the same identifier already exists in the source."""

    default_message = "Customer already exists"


class CapillaryInvalidSourceError(CapillaryError):
    """The source (INSTORE, WECHAT, ...) is not valid."""

    default_message = "Invalid source"


class CapillaryInvalidIdentifierError(CapillaryError):
    """An identifier value is invalid; `identifier` names it (mobile, email, externalId) when the code says so."""

    default_message = "Invalid identifier"

    def __init__(self, message: str | None = None, *, identifier: str | None = None, **kwargs: Any) -> None:
        self.identifier = identifier
        super().__init__(message, **kwargs)


class CapillaryAccountIdError(CapillaryError):
    """The accountId is missing or invalid for a multi-account source."""

    default_message = "Account id missing or invalid"


class CapillaryAuthenticationError(CapillaryError):
    """Credentials were rejected or an OAuth token could not be generated."""

    default_message = "Capillary authentication failed"


class CapillaryPermissionError(CapillaryError):
    """The till or API client lacks the access group for this call."""

    default_message = "Capillary denied access"


class CapillaryRateLimitedError(CapillaryError):
    """Capillary rate-limited the call; `retry_after` is in seconds when Capillary said."""

    default_message = "Capillary rate limit reached"

    def __init__(self, message: str | None = None, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class CapillaryUnavailableError(CapillaryError):
    """Capillary is down, busy, unreachable, or answered something that is not JSON."""

    default_message = "Capillary is unavailable"

    def __init__(self, message: str | None = None, *, request_sent: bool = False, **kwargs: Any) -> None:
        self.request_sent = request_sent
        super().__init__(message, **kwargs)


class CapillaryTimeoutError(CapillaryUnavailableError):
    """No answer in time; `request_sent` says whether Capillary may have acted on the request."""

    default_message = "Capillary did not answer in time"

    def __init__(self, message: str | None = None, *, request_sent: bool, **kwargs: Any) -> None:
        super().__init__(message, request_sent=request_sent, **kwargs)


class CapillaryResponseValidationError(CapillaryUnavailableError):
    """Capillary answered JSON the client's models cannot read (vendor drift)."""

    default_message = "Capillary returned an unexpected response"

    def __init__(self, message: str | None = None, *, request_sent: bool = True, **kwargs: Any) -> None:
        # Only raised for a 2xx answer: Capillary received the request and may have acted on it (a registration).
        super().__init__(message, request_sent=request_sent, **kwargs)


class CapillaryBadRequestError(CapillaryError):
    """Capillary rejected the request (other 4xx, or an item error code we do not know)."""

    default_message = "Capillary rejected the request"


class CapillaryValidationError(CapillaryError):
    """Capillary rejected the data with a documented code that has no more specific class."""

    default_message = "Capillary rejected the data"


# --- Table 1: HTTP status -> class (api-notes §3.3, docs.capillarytech.com/reference/errors-and-warnings).
# Statuses not listed: other 4xx -> bad request, 5xx -> unavailable.
STATUS_ERRORS: dict[int, type[CapillaryError]] = {
    400: CapillaryBadRequestError,
    401: CapillaryAuthenticationError,
    403: CapillaryPermissionError,
    404: CapillaryNotFoundError,
    429: CapillaryRateLimitedError,
    461: CapillaryUnavailableError,  # search engine busy
    500: CapillaryUnavailableError,
    502: CapillaryUnavailableError,
    503: CapillaryUnavailableError,
    504: CapillaryUnavailableError,
    521: CapillaryUnavailableError,  # several actions running for the same customer
}

# Statuses that describe the transport/auth state: they win over any item code in the body.
_STATUS_FIRST = frozenset({401, 403, 429, 461, 521})

# --- Table 2: Capillary item code -> class (api-notes §3.4, §3.5,
# docs.capillarytech.com/reference/status-codes-customer). First mapped code in errors[] wins.
CODE_ERRORS: dict[int, type[CapillaryError]] = {
    # not found
    816: CapillaryNotFoundError,
    1011: CapillaryNotFoundError,
    1012: CapillaryNotFoundError,
    8015: CapillaryNotFoundError,
    8065: CapillaryNotFoundError,
    # merged
    8069: CapillaryCustomerMergedError,
    91009: CapillaryCustomerMergedError,
    # already exists
    1014: CapillaryAlreadyExistsError,
    1016: CapillaryAlreadyExistsError,
    1032: CapillaryAlreadyExistsError,
    1033: CapillaryAlreadyExistsError,
    8006: CapillaryAlreadyExistsError,
    # invalid source
    3217: CapillaryInvalidSourceError,
    8003: CapillaryInvalidSourceError,
    8012: CapillaryInvalidSourceError,
    # invalid identifier
    1001: CapillaryInvalidIdentifierError,
    1002: CapillaryInvalidIdentifierError,
    1003: CapillaryInvalidIdentifierError,
    8013: CapillaryInvalidIdentifierError,
    8014: CapillaryInvalidIdentifierError,
    # account id
    8011: CapillaryAccountIdError,
    8045: CapillaryAccountIdError,
    # permission: "You do not have sufficient permission to view the customer details."
    1044: CapillaryPermissionError,
    # other documented customer codes (api-notes §3.5, status-codes-customer): the data was rejected
    618: CapillaryValidationError,
    1004: CapillaryValidationError,
    1006: CapillaryValidationError,
    1007: CapillaryValidationError,
    1008: CapillaryValidationError,
    1013: CapillaryValidationError,
    1015: CapillaryValidationError,
    1017: CapillaryValidationError,
    1019: CapillaryValidationError,
    1020: CapillaryValidationError,
    1023: CapillaryValidationError,
    1024: CapillaryValidationError,
    1034: CapillaryValidationError,
    1039: CapillaryValidationError,
    1042: CapillaryValidationError,
    1043: CapillaryValidationError,
    1045: CapillaryValidationError,
    1046: CapillaryValidationError,
    1047: CapillaryValidationError,
    1048: CapillaryValidationError,
    1049: CapillaryValidationError,
    1059: CapillaryValidationError,
    1060: CapillaryValidationError,
    1062: CapillaryValidationError,
    1150: CapillaryValidationError,
    1212: CapillaryValidationError,
    1213: CapillaryValidationError,
    1214: CapillaryValidationError,
    1215: CapillaryValidationError,
    1216: CapillaryValidationError,
    1217: CapillaryValidationError,
    8089: CapillaryValidationError,
    10001: CapillaryValidationError,
    10002: CapillaryValidationError,
    11013: CapillaryValidationError,
    91020: CapillaryValidationError,
    91021: CapillaryValidationError,
    # --- activity APIs (activity-api.md), one block per table, each with its public page.
    # §1.2 transactions by identifier (docs.capillarytech.com/reference/get-customers-lookup-transactions): 8003, 816,
    # 1011, 1012, 1013 are above; 8130 "Identifiername and value is missing." (and, on the expiry schedule,
    # "Lookup,Invalid Params passed").
    8130: CapillaryValidationError,
    # §1.3 one transaction (Capillary/api-documentation _transaction.md "Response Codes";
    # docs.capillarytech.com/reference/get-transaction-details).
    500: CapillaryUnavailableError,  # "Unable to retrieve transaction."
    605: CapillaryValidationError,  # invalid transaction type
    607: CapillaryValidationError,  # no transaction id passed
    620: CapillaryNotFoundError,  # "Transaction id is invalid."
    625: CapillaryNotFoundError,  # "Transaction number does not exist."
    667: CapillaryNotFoundError,  # "Unable to find the transaction ID for this customer."
    680: CapillaryNoResultsError,  # "No transactions of the specific customer were found."
    1623: CapillaryValidationError,  # "Transaction type is invalid."
    1624: CapillaryValidationError,  # "Insufficient parameters passed to fetch transaction."
    # §2.1 points ledger (docs.capillarytech.com/reference/get-ledger-information); 8013 is above.
    9003: CapillaryNoResultsError,  # "No CPS entry for the given points type.": no points record for the customer
    11003: CapillaryNoResultsError,  # no ledger entries for the parameters (or a page past the last)
    11007: CapillaryValidationError,  # invalid ledgerEntryType
    11008: CapillaryValidationError,  # invalid pointCategoryType
    11012: CapillaryNotFoundError,  # "Invalid userId passed in request"
    11025: CapillaryValidationError,  # till id format
    11026: CapillaryValidationError,  # no tills for the store
    11027: CapillaryValidationError,  # invalid tillIds
    11028: CapillaryValidationError,  # more than one of tillId, tillIds, storeCode, storeId
    11029: CapillaryValidationError,  # "Limit cannot be greater than 100"
    # §3.1 points expiry schedule (docs.capillarytech.com/reference/get-points-expiry-schedule): 8015, 8003, 8130 and
    # the date codes 1214-1217 are above.
    885: CapillaryValidationError,  # "Invalid program id passed"
    # §5.1 coupons (INFERRED there from the coupon resource table, docs.capillarytech.com/reference/coupon-apis).
    701: CapillaryNotFoundError,  # "The customer could not be found. Please check mobile, email, external id passed"
}

# Which identifier a code blames (api-notes §3.5, docs.capillarytech.com/reference/status-codes-customer;
# register-customer.txt, docs.capillarytech.com/reference/v2-add-customer, for 8014).
IDENTIFIER_BY_CODE: dict[int, str] = {1001: "mobile", 1002: "email", 1003: "externalId", 8014: "mobile"}

_SURVIVOR_IN_MESSAGE = re.compile(r"user id\s*:?\s*(\d+)", re.IGNORECASE)


def item_codes(items: Any) -> tuple[int, ...]:
    """Codes of an errors[]/warnings[] list, skipping anything that is not a number."""
    codes = []
    for item in items if isinstance(items, list) else ():
        code = item.get("code") if isinstance(item, Mapping) else None
        try:
            codes.append(int(code))
        except (TypeError, ValueError):
            continue
    return tuple(codes)


def _item_messages(items: Any) -> list[str]:
    if not isinstance(items, list):
        return []
    return [str(item["message"]) for item in items if isinstance(item, Mapping) and item.get("message")]


def is_pii_deleted(body: Any) -> bool:
    """True when any message in the body says the customer was PII-deleted."""
    if not isinstance(body, Mapping):
        return False
    messages = [str(body.get("message") or "")]
    messages += _item_messages(body.get("errors")) + _item_messages(body.get("warnings"))
    return any(PII_DELETED_MESSAGE in message.lower() for message in messages)


def _survivor_id(body: Any, messages: list[str]) -> int | None:
    if isinstance(body, Mapping):
        for key in ("id", "entity"):
            value = body.get(key)
            if isinstance(value, Mapping):
                value = value.get("id")
            if isinstance(value, int) and not isinstance(value, bool):
                return value
    for message in messages:
        match = _SURVIVOR_IN_MESSAGE.search(message)
        if match:
            return int(match.group(1))
    return None


def _class_for_status(status_code: int | None) -> type[CapillaryError]:
    if status_code is None or 200 <= status_code < 300:
        return CapillaryBadRequestError  # a 2xx errors[] body without an entity: an item error we do not know
    if status_code in STATUS_ERRORS:
        return STATUS_ERRORS[status_code]
    if status_code >= 500:
        return CapillaryUnavailableError
    return CapillaryBadRequestError


def build_error(
    *,
    status_code: int | None,
    body: Any,
    errors: Any = None,
    request_id: str | None = None,
    retry_after: float | None = None,
    message: str | None = None,
) -> CapillaryError:
    """Map a failed response (or one failed bulk item) to its exception. `errors` defaults to body['errors']."""
    if errors is None and isinstance(body, Mapping):
        errors = body.get("errors")
    codes = item_codes(errors)
    messages = _item_messages(errors)
    if isinstance(body, Mapping) and body.get("message"):
        messages.append(str(body["message"]))
    text = message or (messages[0] if messages else None)
    common: dict[str, Any] = {"status_code": status_code, "codes": codes, "request_id": request_id, "body": body}

    if is_pii_deleted(body) or any(PII_DELETED_MESSAGE in m.lower() for m in messages):
        return CapillaryCustomerDeletedError(text, **common)

    cls: type[CapillaryError] | None = None
    if status_code is not None and (status_code in _STATUS_FIRST or status_code >= 500):
        cls = _class_for_status(status_code)
    else:
        cls = next((CODE_ERRORS[code] for code in codes if code in CODE_ERRORS), None) or _class_for_status(status_code)

    if cls is CapillaryCustomerMergedError:
        return CapillaryCustomerMergedError(text, survivor_id=_survivor_id(body, messages), **common)
    if cls is CapillaryInvalidIdentifierError:
        identifier = next((IDENTIFIER_BY_CODE[code] for code in codes if code in IDENTIFIER_BY_CODE), None)
        return CapillaryInvalidIdentifierError(text, identifier=identifier, **common)
    if cls is CapillaryRateLimitedError:
        return CapillaryRateLimitedError(text, retry_after=retry_after, **common)
    return cls(text, **common)
