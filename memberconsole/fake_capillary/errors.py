"""Capillary's error and warning codes with their exact messages, and the envelopes they travel in."""

from __future__ import annotations

from typing import Any

# Messages copied from the docs:
# - api-notes.md 3.4, whose rows cite docs.capillarytech.com/reference/v2-add-customer, .../get-customer-details
#   and .../update-customer-status;
# - api-notes.md 3.5 (docs.capillarytech.com/reference/status-codes-customer);
# - register-customer.txt (docs.capillarytech.com/reference/v2-add-customer);
# - get-customer-by-id.txt (docs.capillarytech.com/reference/get-customer-details-v2).
MESSAGES: dict[int, str] = {
    401: "Unauthorized: authentication failed, check the credentials or OAuth token",
    1002: "Unable to register. Invalid email id.",
    1006: "Unable to register. Mobile number is required.",
    1007: "Unable to register customer. No valid primary identifier mobile number, email ID, or external ID passed.",
    1039: "Unable to register. Email ID is required.",
    1043: "Unable to register. Customer's external id is required.",
    1060: "Batch limit exceeded.",
    1302: "supplementary program expiry is before membership expiry",
    3009: "Card number exists.",
    1213: "Invalid programId passed in request.",
    3217: "Source is invalid.",
    8003: "Invalid source",
    8006: "Customer already exists for same source",
    8011: "Invalid source account passed.",
    8012: "Invalid source passed.",
    8013: "Customer identifier is invalid. Also check if the parameter identifierName is passed correctly.",
    8014: "Error in customer registration",
    8015: "Customer not found for the given identifiers",
    8045: "Account id is not passed.",
    8050: "Same Customer found in other sources,Combining",
    8065: "No customer found in the given source with the given identifier.",
    8069: "Merged customer found",
    8107: "Default customer status label not set",
    11013: "identifierName, identifierValue, source can not be empty",
    91009: "Retrieved survivor account for the requested merge victim.",
    91015: "Failed to update extended fields",
}

# Activity codes with their exact messages, from activity-api.md. Each table there names its page:
# §1.2 docs.capillarytech.com/reference/get-customers-lookup-transactions; §1.3 Capillary/api-documentation
# _transaction.md "Response Codes" and docs.capillarytech.com/reference/get-transaction-details; §2.1
# docs.capillarytech.com/reference/get-ledger-information; §3.1
# docs.capillarytech.com/reference/get-points-expiry-schedule; §5.1 docs.capillarytech.com/reference/coupon-apis
# (701, from the coupon resource's table).
MESSAGES |= {
    605: "Invalid transaction type passed. Only regular, return, not_interested, and not_interested_return are "
    "supported.",
    620: "Transaction id is invalid.",
    701: "The customer could not be found. Please check mobile, email, external id passed",
    816: "Customer not found for organization",
    885: "Invalid program id passed",
    1011: "Cannot find customer for provided identifier",
    1012: "Cannot find customer with the provided mobile/external ID/email ID",
    1013: "Customer is not registered for the loyalty program",
    1623: "Transaction type is invalid.",
    8130: "Identifiername and value is missing.",
    9003: "No CPS entry for the given points type.",
    11003: "There are no ledger entries present for the given parameters. Try removing parameters to widen the search",
    11007: "Invalid ledgerEntryType passed in request",
    11008: "Invalid pointCategoryType passed in request",
    11012: "Invalid userId passed in request",
    11028: (
        "Multiple input parameters set. Please provide only one of the following: tillId, tillIds, storeCode or storeId"
    ),
}

# get-customer-by-id.txt (docs.capillarytech.com/reference/get-customer-details-v2) gives only the message for a
# PII-deleted customer; the code is ours (org.json, README).
PII_DELETED_MESSAGE = "Customer is deleted after PII delete request"

# Request-level statuses (api-notes 3.3, docs.capillarytech.com/reference/errors-and-warnings) used by injected faults
# and generic failures.
STATUS_MESSAGES: dict[int, str] = {
    400: "Input is invalid. Please check request parameters or input xml/json",
    401: MESSAGES[401],
    403: "Access denied",
    404: "Resource not found",
    405: "Operation not supported for the resource",
    415: "Unsupported media type",
    429: "Rate limit exceeded",
    461: "Search engine busy or unable to respond; retry later",
    500: "All requests failed due to errors.",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
    521: "Multiple actions running for the same customer; retry later",
}


def item(code: int, message: str | None = None) -> dict[str, Any]:
    """One errors[]/warnings[] item in Capillary's shape (api-notes 3.2: status is always false)."""
    # api-notes 3.2 takes the shape from docs.capillarytech.com/reference/get-promotion-data and update-customer-status.
    return {"status": False, "code": code, "message": message if message is not None else MESSAGES.get(code, "")}


def envelope(errors: list[dict[str, Any]], warnings: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The request-level error envelope: {"warnings": [...], "errors": [...]}."""
    return {"warnings": warnings or [], "errors": errors}


class FakeError(Exception):
    """A request that fails with an HTTP status and one errors[] item."""

    def __init__(self, status: int, code: int, message: str | None = None) -> None:
        self.status = status
        self.code = code
        self.message = message if message is not None else MESSAGES.get(code) or STATUS_MESSAGES.get(code, "")
        super().__init__(f"{status} {code}")

    def body(self) -> dict[str, Any]:
        """The error envelope for this failure."""
        return envelope([item(self.code, self.message)])
