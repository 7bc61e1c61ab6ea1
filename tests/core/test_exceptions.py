"""Client errors as the console's own, and the one rule for reading a failed lookup."""

import pytest

from memberconsole.capillary import errors as cap
from memberconsole.core.exceptions import (
    CustomerDeletedError,
    CustomerMergedError,
    CustomerNotFoundError,
    LookupMiss,
    UpstreamRejectedError,
    UpstreamUnavailableError,
    lookup_miss,
    translate_error,
)


@pytest.mark.parametrize(
    ("error", "miss"),
    [
        (cap.CapillaryNotFoundError(), LookupMiss.NOBODY),
        (cap.CapillaryInvalidIdentifierError(), LookupMiss.NOBODY),
        (cap.CapillaryBadRequestError(), LookupMiss.NOBODY),
        (cap.CapillaryCustomerMergedError(survivor_id=None), LookupMiss.NOBODY),
        (cap.CapillaryCustomerMergedError(survivor_id=900000014), LookupMiss.MERGED),
        (cap.CapillaryCustomerDeletedError(), LookupMiss.DELETED),
        (cap.CapillaryUnavailableError(), None),
        (cap.CapillaryTimeoutError(request_sent=True), None),
        (cap.CapillaryRateLimitedError(), None),
        (cap.CapillaryAuthenticationError(), None),
        (cap.CapillaryPermissionError(), None),
        (cap.CapillaryInvalidSourceError(), None),
        (cap.CapillaryAccountIdError(), None),
    ],
)
def test_lookup_miss(error, miss):
    assert lookup_miss(error) == miss


@pytest.mark.parametrize(
    ("error", "console_error", "status"),
    [
        (cap.CapillaryNotFoundError(), CustomerNotFoundError, None),
        (cap.CapillaryCustomerDeletedError(), CustomerDeletedError, None),
        (cap.CapillaryCustomerMergedError(survivor_id=5), CustomerMergedError, None),
        (cap.CapillaryTimeoutError(request_sent=False), UpstreamUnavailableError, 504),
        (cap.CapillaryResponseValidationError(), UpstreamUnavailableError, 502),
        (cap.CapillaryRateLimitedError(), UpstreamUnavailableError, 503),
        (cap.CapillaryUnavailableError(), UpstreamUnavailableError, 503),
        (cap.CapillaryAuthenticationError(), UpstreamRejectedError, None),
        (cap.CapillaryValidationError(), UpstreamRejectedError, None),
    ],
)
def test_translate_error(error, console_error, status):
    error.request_id = "req-9"
    translated = translate_error(error)
    assert type(translated) is console_error
    assert translated.request_id == "req-9"
    if status is not None:
        assert translated.status_code == status


def test_a_merge_keeps_the_survivor():
    assert translate_error(cap.CapillaryCustomerMergedError(survivor_id=900000014)).survivor_id == 900000014


def test_the_credentials_refusal_says_to_tell_an_administrator():
    assert "credentials were refused" in translate_error(cap.CapillaryAuthenticationError()).message
