"""CapillaryClient: the one place that knows Capillary's URLs, parameters, bodies and error conventions."""

from __future__ import annotations

import copy
import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Self

import httpx
import pydantic

from .activity_schemas import (
    CouponPage,
    ExpirySchedule,
    LedgerBalancePage,
    LedgerPage,
    Transaction,
    TransactionLookupPage,
    TransactionPage,
)
from .budget import Budget, Unlimited, api_key
from .errors import (
    CapillaryCustomerMergedError,
    CapillaryError,
    CapillaryNotFoundError,
    CapillaryResponseValidationError,
    CapillaryTimeoutError,
    CapillaryUnavailableError,
    build_error,
    is_pii_deleted,
    item_codes,
)
from .retry import RetryPolicy, parse_retry_after
from .schemas import (
    ApiMessage,
    BulkCustomerResult,
    BulkLookupResult,
    Customer,
    CustomerBrief,
    CustomerCreateRequest,
    CustomerCreateResponse,
    CustomerSearchPage,
    ExtendedFieldDefinition,
    LoyaltyProgram,
    UserContext,
)
from .tracking import note_request_id

logger = logging.getLogger("memberconsole.capillary")

REQUEST_ID_HEADER = "X-Cap-Requestid"
# "Retrieved survivor account for the requested merge victim." (api-notes §3.5,
# docs.capillarytech.com/reference/status-codes-customer)
MERGE_SURVIVOR_WARNING = 91009

# Failures that happen before a single byte of the request left: Capillary cannot have acted on it.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol, httpx.ProxyError)


@dataclass(slots=True)
class _CallState:
    api: str = ""  # the budget's name for the call: "GET /v2/customers/{id}"
    retries: int = 0
    status: int | None = None
    request_id: str | None = None


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def _params(**values: Any) -> dict[str, str]:
    """Query parameters that are set: None and False are left out, True is sent as "true"."""
    return {name: _param(value) for name, value in values.items() if value is not None and value is not False}


def _csv(values: Sequence[Any]) -> str | None:
    """A comma-separated parameter, or None when empty."""
    return ",".join(str(v) for v in values) or None


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value


def _transactions_time(value: datetime | date | str | None) -> str | None:
    """startDate/endDate of the transaction lists: a date as YYYY-MM-DD, a moment as ISO UTC (activity-api.md §1.1,
    docs.capillarytech.com/reference/v2api-get-customer-transactions: examples use both)."""
    if isinstance(value, datetime):
        return _utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat() if isinstance(value, date) else value


def _ledger_time(value: datetime | date | str | None, *, end: bool = False) -> str | None:
    """startDate/endDate of the ledger: YYYY-MM-DDThh:mm:ss (activity-api.md §2.1,
    docs.capillarytech.com/reference/get-ledger-information); a date means its first (or, for an end, last) second."""
    if isinstance(value, datetime):
        return _utc(value).strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, date):
        return f"{value.isoformat()}T{'23:59:59' if end else '00:00:00'}"
    return value


def _day(value: datetime | date | str | None) -> str | None:
    """A yyyy-MM-dd date, the only format the expiry schedule accepts (activity-api.md §3.1,
    docs.capillarytech.com/reference/get-points-expiry-schedule: error 1216 otherwise)."""
    if isinstance(value, datetime):
        return _utc(value).date().isoformat()
    return value.isoformat() if isinstance(value, date) else value


def _identifier_values(entity: Any, identifier_name: str) -> list[str]:
    """The values (casefolded) an entity's profiles hold as this identifier type."""
    if not isinstance(entity, dict):
        return []
    wanted = identifier_name.casefold()
    values = []
    for profile in entity.get("profiles") or []:
        if not isinstance(profile, dict):
            continue
        for identifier in (profile.get("identifiers") or []) + (profile.get("identifiersAll") or []):
            if isinstance(identifier, dict) and str(identifier.get("type", "")).casefold() == wanted:
                values.append(str(identifier.get("value", "")).casefold())
    return values


def _transport_error(exc: httpx.TransportError, *, sent_request: httpx.Request) -> CapillaryUnavailableError:
    try:
        failed_request: httpx.Request | None = exc.request
    except RuntimeError:
        failed_request = None
    # A failure on the OAuth token request means the call itself never left.
    request_sent = failed_request in (None, sent_request) and not isinstance(exc, _NOT_SENT)
    if isinstance(exc, httpx.TimeoutException):
        return CapillaryTimeoutError("Capillary did not answer in time", request_sent=request_sent)
    if request_sent:
        return CapillaryTimeoutError(
            "The connection to Capillary dropped after the request was sent", request_sent=True
        )
    return CapillaryUnavailableError("Could not connect to Capillary", request_sent=False)


def _validation_error(exc: pydantic.ValidationError, state: _CallState) -> CapillaryResponseValidationError:
    # Locations only: pydantic's own message quotes input values, which may be customer data.
    where = ", ".join(".".join(str(part) for part in error["loc"]) for error in exc.errors()[:5])
    return CapillaryResponseValidationError(
        f"Capillary returned an unexpected response ({exc.error_count()} problems at {where})",
        status_code=state.status,
        request_id=state.request_id,
    )


class CapillaryClient:
    """Typed, retrying, logging client for Capillary's v2 customer APIs over one pooled httpx.Client."""

    def __init__(
        self,
        *,
        http_client: httpx.Client,
        auth: httpx.Auth | None,
        max_retries: int = 2,
        backoff_base: float = 0.5,
        backoff_max: float = 4.0,
        retry_after_cap: float = 5.0,
        bulk_chunk_size: int = 100,
        bulk_max_workers: int = 4,
        budget: Budget | None = None,
    ) -> None:
        if not 1 <= bulk_chunk_size <= 100:
            raise ValueError("bulk_chunk_size must be between 1 and 100")
        self._budget: Budget = budget or Unlimited()
        self._background = False
        self._http = http_client
        self._auth = auth
        self._retry = RetryPolicy(
            max_retries=max_retries, backoff_base=backoff_base, backoff_max=backoff_max, retry_after_cap=retry_after_cap
        )
        self._bulk_chunk_size = bulk_chunk_size
        self._bulk_max_workers = max(1, bulk_max_workers)

    @classmethod
    def build(
        cls,
        *,
        base_url: str,
        auth: httpx.Auth | None,
        timeout: float,
        user_agent: str,
        transport: httpx.BaseTransport | None = None,
        **options: Any,
    ) -> Self:
        """A client with its own pooled httpx.Client: explicit timeouts, JSON headers, the given User-Agent."""
        http_client = httpx.Client(
            base_url=base_url,
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=3.0, pool=3.0),
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10, keepalive_expiry=30.0),
            headers={"Accept": "application/json", "Content-Type": "application/json", "User-Agent": user_agent},
        )
        return cls(http_client=http_client, auth=auth, **options)

    def background(self) -> Self:
        """The same client (same connection pool) for background work: its calls use only the budget agents leave,
        and wait for room rather than fail."""
        other = copy.copy(self)
        other._background = True
        return other

    def close(self) -> None:
        """Close the pooled connections."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _sleep(self, seconds: float) -> None:
        """Wait between retries (tests replace this)."""
        time.sleep(seconds)

    # ------------------------------------------------------------------ calls

    def customer_get(
        self,
        customer_id: int,
        *,
        source: str = "ALL",
        account_id: str | None = None,
        embed: Sequence[str] = (),
        gap_to_upgrade: int | None = None,
        gap_to_renew: int | None = None,
        ndnc_status: bool = False,
        optin_status: bool = False,
        slab_history: bool = False,
        tier_upgrade_criteria: bool = False,
        membership_retention_criteria: bool = False,
        included_only_current_profile: bool = False,
        included_all_user_group2: bool = False,
        user_group2_id: int | None = None,
        included_user_group2_loyalty_details: bool = False,
        included_fraud_details: bool = False,
        ug2_joined_start_date: datetime | date | str | None = None,
        ug2_joined_end_date: datetime | date | str | None = None,
        ug2_offset: int | None = None,
        ug2_limit: int | None = None,
        ug2_sort_by: str | None = None,
        ug2_sort_order: str | None = None,
        ug2_pagination_details: bool | None = None,
    ) -> Customer:
        """GET /v2/customers/{id}; raises CapillaryCustomerMergedError when Capillary answers with a survivor."""
        for name, days in (("gap_to_upgrade", gap_to_upgrade), ("gap_to_renew", gap_to_renew)):
            if days is not None and days < 0:
                raise ValueError(f"{name} must be 0 or more days (get-customer-by-id: negatives not supported)")
        params = _params(
            source=source,
            accountId=account_id,
            embed=",".join(embed) or None,
            gapToUpgrade=gap_to_upgrade,
            gapToRenew=gap_to_renew,
            ndncStatus=ndnc_status,
            optinStatus=optin_status,
            slabHistory=slab_history,
            tierUpgradeCriteria=tier_upgrade_criteria,
            membershipRetentionCriteria=membership_retention_criteria,
            includedOnlyCurrentProfile=included_only_current_profile,
            includedAllUserGroup2=included_all_user_group2,
            userGroup2Id=user_group2_id,
            includedUserGroup2LoyaltyDetails=included_user_group2_loyalty_details,
            includedFraudDetails=included_fraud_details,
            ug2JoinedStartDate=ug2_joined_start_date,
            ug2JoinedEndDate=ug2_joined_end_date,
            ug2Offset=ug2_offset,
            ug2Limit=ug2_limit,
            ug2SortBy=ug2_sort_by,
            ug2SortOrder=ug2_sort_order,
        )
        if ug2_pagination_details is not None:  # tri-state: an explicit False is sent too
            params["ug2PaginationDetails"] = _param(ug2_pagination_details)

        def parse(body: Any, response: httpx.Response) -> Customer:
            customer = self._customer(body, response)
            if customer.id != customer_id or MERGE_SURVIVOR_WARNING in customer.warning_codes:
                # The docs only say a victim read "returns 8069 / 91009" (api-notes §4.6,
                # docs.capillarytech.com/reference/get-customer-details-v2); a 200 carrying the survivor's record is the
                # same answer in another form, and the caller must not show it as `id`.
                raise CapillaryCustomerMergedError(
                    "Customer was merged into another account",
                    survivor_id=customer.id if customer.id != customer_id else None,
                    status_code=response.status_code,
                    codes=customer.warning_codes,
                    request_id=response.headers.get(REQUEST_ID_HEADER),
                    body=body,
                )
            return customer

        return self._call("GET", "/v2/customers/{id}", f"/v2/customers/{int(customer_id)}", params=params, parse=parse)

    def customer_lookup(
        self,
        *,
        identifier_name: str,
        identifier_value: str,
        source: str = "ALL",
        account_id: str | None = None,
        embed: Sequence[str] = (),
    ) -> Customer:
        """GET /v2/customers/lookup/customerDetails: the customer holding an identifier (mobile, email, ...)."""
        params = _params(
            source=source,
            accountId=account_id,
            identifierName=identifier_name,
            identifierValue=identifier_value,
            embed=",".join(embed) or None,
        )
        return self._call(
            "GET", "/v2/customers/lookup/customerDetails", "/v2/customers/lookup/customerDetails",
            params=params, parse=self._customer,
        )  # fmt: skip

    def customer_search(self, *, q: str, limit: int = 20, offset: int = 0) -> CustomerSearchPage:
        """GET /v2/customers/search: prefix search on names and identifiers across sources."""

        def parse(body: Any, response: httpx.Response) -> CustomerSearchPage:
            self._check(body, response, entity_keys=("data", "pagination"))
            return CustomerSearchPage.model_validate(body)

        params = _params(q=q, limit=limit, offset=offset)
        return self._call("GET", "/v2/customers/search", "/v2/customers/search", params=params, parse=parse)

    def customers_bulk_get(
        self,
        customer_ids: Sequence[int],
        *,
        source: str | None = None,
        account_id: str | None = None,
        embed: Sequence[str] = (),
        brief: bool = False,
    ) -> list[BulkCustomerResult]:
        """POST /v2/bulk/getCustomers in chunks, concurrently; one result per input id, in input order. brief: each
        customer is a CustomerBrief (what a one-line summary reads), not a whole Customer."""
        wanted = [int(customer_id) for customer_id in customer_ids]
        chunks = self.customers_bulk_get_chunks(wanted, source=source, account_id=account_id, embed=embed, brief=brief)
        by_id = {result.customer_id: result for results in chunks for result in results}
        return [by_id[customer_id] for customer_id in wanted]

    def customers_bulk_get_chunks(
        self,
        customer_ids: Sequence[int],
        *,
        source: str | None = None,
        account_id: str | None = None,
        embed: Sequence[str] = (),
        brief: bool = False,
    ) -> Iterator[list[BulkCustomerResult]]:
        """As customers_bulk_get (duplicates sent once), one chunk's results at a time, in order, while the next chunks
        are on their way (at most bulk_max_workers calls in flight): a caller works on each answer as it comes."""
        unique = list(dict.fromkeys(int(customer_id) for customer_id in customer_ids))
        # bulk-get-customers.txt (docs.capillarytech.com/reference/get-customers-bulk) documents no embed; sent only
        # when asked (CAPILLARY_BULK_EMBED), as on the reads.
        params = _params(format="json", source=source, accountId=account_id, embed=",".join(embed) or None)
        model = CustomerBrief if brief else Customer

        def chunk_results(chunk: list[int]) -> list[BulkCustomerResult]:
            try:
                return self._bulk_post(
                    chunk, params, lambda body, response: self._bulk_items(chunk, body, response, model)
                )
            except CapillaryError as exc:
                # The whole chunk failed (after retries): its rows carry the error, the other chunks are kept.
                return [BulkCustomerResult(customer_id=customer_id, success=False, error=exc) for customer_id in chunk]

        return self._bulk_chunks(unique, chunk_results)

    def customers_bulk_lookup_chunks(
        self,
        identifier_name: str,
        values: Sequence[str],
        *,
        source: str = "ALL",
        account_id: str | None = None,
        embed: Sequence[str] = (),
        brief: bool = False,
    ) -> Iterator[list[BulkLookupResult]]:
        """POST /v2/bulk/getCustomers?identifierName=NAME with identifier values (mobile, email, externalId) in the
        body, in chunks as for ids: one result per value, in order, a chunk at a time (duplicates sent once).

        The page documents identifierName (mobile, email, externalId) and identifierValue beside a body of ids and
        does not say how they combine (bulk-get-customers.txt, api-notes §4.4;
        docs.capillarytech.com/reference/get-customers-bulk). The console reads it as a bulk lookup by that
        identifier, the values in the body; CAPILLARY_BULK_IDENTIFIERS names the kinds a cluster takes this way.
        A chunk Capillary refuses comes back with the error on every value: the caller decides what to do next."""
        unique = list(dict.fromkeys(str(value) for value in values))
        params = _params(
            format="json",
            identifierName=identifier_name,
            source=source,
            accountId=account_id,
            embed=",".join(embed) or None,
        )
        model = CustomerBrief if brief else Customer

        def chunk_results(chunk: list[str]) -> list[BulkLookupResult]:
            try:
                return self._bulk_post(
                    chunk,
                    params,
                    lambda body, response: self._bulk_lookup_items(identifier_name, chunk, body, response, model),
                )
            except CapillaryError as exc:
                return [BulkLookupResult(value=value, success=False, error=exc, chunk_failed=True) for value in chunk]

        return self._bulk_chunks(unique, chunk_results)

    def customer_create(self, request: CustomerCreateRequest, *, user_context: UserContext) -> CustomerCreateResponse:
        """POST /v2/customers. Never retried: Capillary has no idempotency key, a replay could register twice."""
        headers = {
            "USER-CONTEXT-ENTITY-TYPE": user_context.entity_type,
            "USER-CONTEXT-ENTITY-ID": str(user_context.entity_id),
            "USER-CONTEXT-ENTITY-SOURCE": user_context.source,
        }
        if user_context.source_id is not None:
            headers["USER-CONTEXT-ENTITY-SOURCE-ID"] = str(user_context.source_id)

        def parse(body: Any, response: httpx.Response) -> CustomerCreateResponse:
            self._check(body, response, entity_keys=("createdId",))
            created = CustomerCreateResponse.model_validate(body)
            if created.created_id is None:
                raise CapillaryResponseValidationError(
                    "Capillary answered the registration without a createdId",
                    status_code=response.status_code,
                    request_id=response.headers.get(REQUEST_ID_HEADER),
                )
            return created

        return self._call(
            "POST", "/v2/customers", "/v2/customers",
            json_body=request.to_body(), headers=headers, retry=False, parse=parse,
        )  # fmt: skip

    def extended_fields_list(self) -> list[ExtendedFieldDefinition]:
        """GET /v2/extendedFields, flattened; entity_type is upper-cased from the group key when missing."""

        def parse(body: Any, response: httpx.Response) -> list[ExtendedFieldDefinition]:
            self._check(body, response, entity_keys=("entity",))
            entity = body.get("entity")
            # RD groups by upper-case keys and repeats entityType; SL (older) uses lower-case keys only (api-notes §5.2,
            # docs.capillarytech.com/reference/get-org-extended-fields).
            groups = entity.items() if isinstance(entity, dict) else [(None, entity or [])]
            fields = []
            for key, items in groups:
                for item in items or []:
                    if not isinstance(item, dict):
                        continue
                    if not item.get("entityType") and key:
                        item = {**item, "entityType": str(key).upper()}
                    fields.append(ExtendedFieldDefinition.model_validate(item))
            return fields

        return self._call("GET", "/v2/extendedFields", "/v2/extendedFields", parse=parse)

    def programs_list(self) -> list[LoyaltyProgram]:
        """GET /v2/organization/programs."""

        def parse(body: Any, response: httpx.Response) -> list[LoyaltyProgram]:
            self._check(body, response, entity_keys=("data",))
            return [LoyaltyProgram.model_validate(item) for item in body.get("data") or []]

        return self._call("GET", "/v2/organization/programs", "/v2/organization/programs", parse=parse)

    # ------------------------------------------------------------------ activity: transactions

    def customer_transactions(
        self,
        *,
        customer_id: int,
        limit: int | None = None,
        offset: int | None = None,
        sort_order: str | None = None,
        start_date: datetime | date | str | None = None,
        end_date: datetime | date | str | None = None,
        transaction_type: str | None = None,
        transaction_ids: Sequence[int] = (),
        start_id: int | None = None,
        end_id: int | None = None,
        number: str | None = None,
        trans_nos: Sequence[str] = (),
        entity_type: str | None = None,
        entity_code: str | None = None,
        local_currency: bool = False,
        embed: Sequence[str] = (),
    ) -> TransactionPage:
        """GET /v2/customers/{id}/transactions: bills and returns; `offset` counts records.

        activity-api.md §1.1 (docs.capillarytech.com/reference/v2api-get-customer-transactions).
        """
        params = _params(
            limit=limit, offset=offset, sortOrder=sort_order,
            **self._transaction_filters(
                start_date=start_date, end_date=end_date, transaction_type=transaction_type,
                transaction_ids=transaction_ids, start_id=start_id, end_id=end_id, number=number, trans_nos=trans_nos,
                entity_type=entity_type, entity_code=entity_code, local_currency=local_currency, embed=embed,
            ),
        )  # fmt: skip

        def parse(body: Any, response: httpx.Response) -> TransactionPage:
            self._check(body, response, entity_keys=("data", "pagination"))
            return TransactionPage.model_validate(body)

        path = f"/v2/customers/{int(customer_id)}/transactions"
        return self._call("GET", "/v2/customers/{id}/transactions", path, params=params, parse=parse)

    def customer_transactions_lookup(
        self,
        *,
        identifier_name: str,
        identifier_value: str,
        source: str,
        account_id: str | None = None,
        limit: int | None = None,
        page: int | None = None,
        sort_order: str | None = None,
        start_date: datetime | date | str | None = None,
        end_date: datetime | date | str | None = None,
        transaction_type: str | None = None,
        transaction_ids: Sequence[int] = (),
        start_id: int | None = None,
        end_id: int | None = None,
        number: str | None = None,
        entity_type: str | None = None,
        entity_code: str | None = None,
        local_currency: bool = False,
        embed: Sequence[str] = (),
    ) -> TransactionLookupPage:
        """GET /v2/customers/lookup/transactions: the same list by identifier; `page` is sent as `offset`, which this
        endpoint documents as a page number from 0 (activity-api.md §1.2,
        docs.capillarytech.com/reference/get-customers-lookup-transactions)."""
        params = _params(
            source=source, accountId=account_id, identifierName=identifier_name, identifierValue=identifier_value,
            limit=limit, offset=page, sortOrder=sort_order,
            **self._transaction_filters(
                start_date=start_date, end_date=end_date, transaction_type=transaction_type,
                transaction_ids=transaction_ids, start_id=start_id, end_id=end_id, number=number, trans_nos=(),
                entity_type=entity_type, entity_code=entity_code, local_currency=local_currency, embed=embed,
            ),
        )  # fmt: skip

        def parse(body: Any, response: httpx.Response) -> TransactionLookupPage:
            self._check(body, response, entity_keys=("data", "pagination"))
            return TransactionLookupPage.model_validate(body)

        template = "/v2/customers/lookup/transactions"
        return self._call("GET", template, template, params=params, parse=parse)

    @staticmethod
    def _transaction_filters(
        *,
        start_date: datetime | date | str | None,
        end_date: datetime | date | str | None,
        transaction_type: str | None,
        transaction_ids: Sequence[int],
        start_id: int | None,
        end_id: int | None,
        number: str | None,
        trans_nos: Sequence[str],
        entity_type: str | None,
        entity_code: str | None,
        local_currency: bool,
        embed: Sequence[str],
    ) -> dict[str, Any]:
        return {
            "startDate": _transactions_time(start_date), "endDate": _transactions_time(end_date),
            "transactionType": transaction_type, "transactionId": _csv(transaction_ids), "startId": start_id,
            "endId": end_id, "number": number, "transNos": _csv(trans_nos), "entityType": entity_type,
            "entityCode": entity_code, "localCurrency": local_currency, "embed": _csv(embed),
        }  # fmt: skip

    def transaction_get(
        self,
        *,
        transaction_id: int,
        transaction_type: str | None = None,
        tenders: bool = False,
        credit_notes: bool = False,
        with_points: bool = False,
    ) -> Transaction:
        """GET /v2/transactions/{id}: one bill with its line items. Ids are type-specific: a return needs
        transaction_type="RETURN". with_points sends mlp=true&points_breakup=true, the pair that fills
        loyaltiesPointDetails (activity-api.md §1.3, docs.capillarytech.com/reference/get-transaction-details)."""
        params = _params(type=transaction_type, tenders=tenders, credit_notes=credit_notes, mlp=with_points,
                         points_breakup=with_points)  # fmt: skip

        def parse(body: Any, response: httpx.Response) -> Transaction:
            self._check(body, response, entity_keys=("id",))
            return Transaction.model_validate(body)

        path = f"/v2/transactions/{int(transaction_id)}"
        return self._call("GET", "/v2/transactions/{id}", path, params=params, parse=parse)

    # ------------------------------------------------------------------ activity: points

    def points_ledger(
        self,
        *,
        identifier_name: str,
        identifier_value: str,
        source: str,
        account_id: str | None = None,
        program_id: int | None = None,
        start_date: datetime | date | str | None = None,
        end_date: datetime | date | str | None = None,
        include_last_one_year_data: bool = False,
        is_filter_based_on_date: bool | None = None,
        ledger_entry_type: str | None = None,
        point_category_type: str | None = None,
        order: str | None = None,
        page: int | None = None,
        limit: int | None = None,
        till_id: int | None = None,
        till_ids: Sequence[int] = (),
        store_id: int | None = None,
        store_code: str | None = None,
        include_till_concept_events: bool = False,
        include_concept_details: bool = False,
    ) -> LedgerPage:
        """GET /v2/pointsLedger/getCustomerLedgerInfo: one page of ledger events. `page` is sent as `offset`, a page
        number; limit at most 100; dates at most 90 days apart, a year with include_last_one_year_data
        (activity-api.md §2.1, docs.capillarytech.com/reference/get-ledger-information)."""
        params = _params(
            identifierName=identifier_name, identifierValue=identifier_value, source=source, accountId=account_id,
            type="CUSTOMER", programId=program_id, startDate=_ledger_time(start_date),
            endDate=_ledger_time(end_date, end=True), includeLastOneYearData=include_last_one_year_data,
            ledgerEntryType=ledger_entry_type, pointCategoryType=point_category_type, order=order, offset=page,
            limit=limit, tillId=till_id, tillIds=_csv(till_ids), storeId=store_id, storeCode=store_code,
            includeTillConceptEvents=include_till_concept_events, includeConceptDetails=include_concept_details,
        )  # fmt: skip
        if is_filter_based_on_date is not None:  # tri-state: an explicit False is sent too
            params["isFilterBasedOnDate"] = _param(is_filter_based_on_date)

        def parse(body: Any, response: httpx.Response) -> LedgerPage:
            self._check(body, response, entity_keys=("ledgerEntries", "ledgerDetails"))
            return LedgerPage.model_validate(body)

        template = "/v2/pointsLedger/getCustomerLedgerInfo"
        return self._call("GET", template, template, params=params, parse=parse)

    def points_ledger_balance(
        self,
        *,
        identifier_name: str,
        identifier_value: str,
        source: str,
        account_id: str | None = None,
        end_date: datetime | date | str | None = None,
        page: int | None = None,
        limit: int | None = None,
        till_id: int | None = None,
        ledger_entry_type: str | None = None,
        point_category_type: str | None = None,
    ) -> LedgerBalancePage:
        """GET /v2/pointsLedger/getCustomerLedgerBalance: closing balance per program and points category as of
        end_date (activity-api.md §2.2, docs.capillarytech.com/reference/get-customer-ledger-balance; limit at most
        10 per its OpenAPI block)."""
        params = _params(
            identifierName=identifier_name, identifierValue=identifier_value, source=source, accountId=account_id,
            endDate=_ledger_time(end_date, end=True), offset=page, limit=limit, tillId=till_id,
            ledgerEntryType=ledger_entry_type, pointCategoryType=point_category_type,
        )  # fmt: skip

        def parse(body: Any, response: httpx.Response) -> LedgerBalancePage:
            self._check(body, response, entity_keys=("ledgerDetails",))
            return LedgerBalancePage.model_validate(body)

        template = "/v2/pointsLedger/getCustomerLedgerBalance"
        return self._call("GET", template, template, params=params, parse=parse)

    def points_expiry_schedule(
        self,
        *,
        customer_id: int,
        program_id: int | None = None,
        fetch_data_for_all_programs: bool = False,
        fetch_earliest_expiry_only: bool = False,
        start_date: datetime | date | str | None = None,
        end_date: datetime | date | str | None = None,
    ) -> ExpirySchedule:
        """GET /v2/customers/{userId}/pointsExpirySchedule: points still held, by expiry date, soonest first.
        A start_date must be after today (error 1215) (activity-api.md §3.1,
        docs.capillarytech.com/reference/get-points-expiry-schedule)."""
        params = self._expiry_params(program_id, fetch_data_for_all_programs, fetch_earliest_expiry_only, start_date,
                                     end_date)  # fmt: skip
        path = f"/v2/customers/{int(customer_id)}/pointsExpirySchedule"
        return self._call(
            "GET", "/v2/customers/{userId}/pointsExpirySchedule", path, params=params, parse=self._expiry_schedule
        )

    def points_expiry_schedule_lookup(
        self,
        *,
        identifier_name: str,
        identifier_value: str,
        source: str,
        account_id: str | None = None,
        program_id: int | None = None,
        fetch_data_for_all_programs: bool = False,
        fetch_earliest_expiry_only: bool = False,
        start_date: datetime | date | str | None = None,
        end_date: datetime | date | str | None = None,
    ) -> ExpirySchedule:
        """GET /v2/customers/lookup/pointsExpirySchedule: the same schedule by identifier.

        activity-api.md §3.1 (docs.capillarytech.com/reference/get-points-expiry-schedule).
        """
        params = _params(source=source, identifierName=identifier_name, identifierValue=identifier_value,
                         accountId=account_id)  # fmt: skip
        params |= self._expiry_params(program_id, fetch_data_for_all_programs, fetch_earliest_expiry_only, start_date,
                                      end_date)  # fmt: skip
        template = "/v2/customers/lookup/pointsExpirySchedule"
        return self._call("GET", template, template, params=params, parse=self._expiry_schedule)

    @staticmethod
    def _expiry_params(
        program_id: int | None,
        all_programs: bool,
        earliest_only: bool,
        start_date: datetime | date | str | None,
        end_date: datetime | date | str | None,
    ) -> dict[str, str]:
        return _params(
            programId=program_id, fetchDataForAllPrograms=all_programs, fetchEarliestExpiryOnly=earliest_only,
            startDate=_day(start_date), endDate=_day(end_date),
        )  # fmt: skip

    def _expiry_schedule(self, body: Any, response: httpx.Response) -> ExpirySchedule:
        self._check(body, response, entity_keys=("id", "expirySchedules"))
        return ExpirySchedule.model_validate(body)

    # ------------------------------------------------------------------ activity: coupons

    def customer_coupons(
        self,
        *,
        customer_id: int | None = None,
        mobile: str | None = None,
        email: str | None = None,
        external_id: str | None = None,
        status: str | None = None,
        coupon_code_case: str | None = None,
        sort_order: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
        transaction_numbers: Sequence[str] = (),
        include_reversed_redemptions: bool = False,
    ) -> CouponPage:
        """GET /v2/customers/coupons: the customer's coupons, by exactly one of customer_id, mobile, email,
        external_id; `offset` counts records (activity-api.md §5.1,
        docs.capillarytech.com/reference/get-customer-coupons-basic)."""
        identifiers = {"id": customer_id, "mobile": mobile, "email": email, "external_id": external_id}
        given = {name: value for name, value in identifiers.items() if value is not None}
        if len(given) != 1:
            raise ValueError("customer_coupons needs exactly one of customer_id, mobile, email, external_id")
        params = _params(
            **given, status=status, coupon_code_case=coupon_code_case, sort_order=sort_order, limit=limit,
            offset=offset, transaction_numbers=_csv(transaction_numbers),
            include_reversed_redemptions=include_reversed_redemptions,
        )  # fmt: skip

        def parse(body: Any, response: httpx.Response) -> CouponPage:
            self._check(body, response, entity_keys=("entity",))
            entity = body.get("entity")
            if not isinstance(entity, dict):
                raise CapillaryResponseValidationError(
                    "Capillary answered the coupon list without an entity",
                    status_code=response.status_code,
                    request_id=response.headers.get(REQUEST_ID_HEADER),
                )
            return CouponPage.model_validate({**entity, "warnings": body.get("warnings") or []})

        template = "/v2/customers/coupons"
        return self._call("GET", template, template, params=params, parse=parse)

    # ------------------------------------------------------------------ bulk helpers

    def _bulk_chunks[K, R](self, keys: list[K], chunk_results: Callable[[list[K]], R]) -> Iterator[R]:
        """The keys in chunks of bulk_chunk_size, each chunk's results yielded in order while the next chunks are on
        their way (at most bulk_max_workers calls in flight)."""
        if not keys:
            return
        size = self._bulk_chunk_size
        chunks = [keys[start : start + size] for start in range(0, len(keys), size)]
        workers = min(self._bulk_max_workers, len(chunks))
        if workers == 1:
            for chunk in chunks:
                yield chunk_results(chunk)
            return
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="capillary-bulk")
        try:
            futures = [pool.submit(chunk_results, chunk) for chunk in chunks]
            for future in futures:
                yield future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)  # a caller that stops early sends no more chunks

    def _bulk_post[T](self, chunk: list, params: dict[str, str], parse: Callable[[Any, httpx.Response], T]) -> T:
        template = "/v2/bulk/getCustomers"
        return self._call("POST", template, template, params=params, json_body=chunk, parse=parse)

    def _bulk_data(self, body: Any, response: httpx.Response) -> list:
        """A bulk answer's data list, or the mapped error."""
        self._check(body, response, entity_keys=("data",))
        data = body.get("data")
        if not isinstance(data, list):
            raise CapillaryResponseValidationError(
                "Bulk answer without a data list",
                status_code=response.status_code,
                request_id=response.headers.get(REQUEST_ID_HEADER),
            )
        return data

    def _bulk_items(
        self,
        chunk: list[int],
        body: Any,
        response: httpx.Response,
        model: type[Customer | CustomerBrief] = Customer,
    ) -> list[BulkCustomerResult]:
        data = self._bulk_data(body, response)
        requested = set(chunk)
        # The docs promise one item per requested id (bulk-get-customers.txt,
        # docs.capillarytech.com/reference/get-customers-bulk) but not how failures are keyed: match by entity id when
        # it is one we asked for, else by position when the counts agree. A merge victim is answered with its
        # survivor (91009): when we asked for the survivor too, its id must not take the survivor's own row.
        positional = len(data) == len(chunk)
        results: dict[int, BulkCustomerResult] = {}
        for position, item in enumerate(data):
            if not isinstance(item, dict):
                continue
            entity = item.get("entity")
            entity_id = entity.get("id") if isinstance(entity, dict) else None
            survivor_answer = MERGE_SURVIVOR_WARNING in item_codes(item.get("warnings")) + item_codes(
                entity.get("warnings") if isinstance(entity, dict) else None
            )
            if positional and (survivor_answer or entity_id not in requested):
                customer_id = chunk[position]
            elif entity_id in requested:
                customer_id = entity_id
            else:
                continue
            results.setdefault(customer_id, self._bulk_item(customer_id, item, response, model))
        request_id = response.headers.get(REQUEST_ID_HEADER)
        for customer_id in chunk:
            if customer_id not in results:
                error = CapillaryNotFoundError(
                    "Capillary returned no result for this customer id",
                    status_code=response.status_code,
                    request_id=request_id,
                )
                results[customer_id] = BulkCustomerResult(customer_id=customer_id, success=False, error=error)
        return [results[customer_id] for customer_id in chunk]

    def _bulk_item(
        self,
        customer_id: int,
        item: dict[str, Any],
        response: httpx.Response,
        model: type[Customer | CustomerBrief] = Customer,
    ) -> BulkCustomerResult:
        customer, error, warnings, codes = self._bulk_entity(item, response, model)
        if customer is not None and (customer.id != customer_id or MERGE_SURVIVOR_WARNING in codes):
            error = CapillaryCustomerMergedError(
                "Customer was merged into another account",
                survivor_id=customer.id if customer.id != customer_id else None,
                status_code=response.status_code,
                codes=codes,
                request_id=response.headers.get(REQUEST_ID_HEADER),
                body=item,
            )
            customer = None
        if customer is None:
            return BulkCustomerResult(customer_id=customer_id, success=False, error=error, warnings=warnings)
        return BulkCustomerResult(customer_id=customer_id, success=True, customer=customer, warnings=warnings)

    def _bulk_entity(
        self, item: dict[str, Any], response: httpx.Response, model: type[Customer | CustomerBrief]
    ) -> tuple[Customer | CustomerBrief | None, CapillaryError | None, list[ApiMessage], tuple[int, ...]]:
        """One bulk item read: (customer, None, warnings, warning codes) or (None, its error, warnings, [])."""
        request_id = response.headers.get(REQUEST_ID_HEADER)
        raw_warnings = item.get("warnings") if isinstance(item.get("warnings"), list) else []
        warnings = [ApiMessage.model_validate(w) for w in raw_warnings if isinstance(w, dict)]
        entity = item.get("entity")
        deleted_body = next((part for part in (item, entity) if is_pii_deleted(part)), None)
        if item.get("success") is False or not isinstance(entity, dict) or deleted_body is not None:
            if item.get("errors") or deleted_body is not None:
                error = build_error(
                    status_code=response.status_code,
                    body=deleted_body if deleted_body is not None else item,
                    errors=item.get("errors"),
                    request_id=request_id,
                )
            else:
                error = CapillaryNotFoundError(
                    "Capillary returned no customer for this entry", status_code=response.status_code,
                    request_id=request_id,
                )  # fmt: skip
            return None, error, warnings, ()
        try:
            customer = model.model_validate(entity)
        except pydantic.ValidationError as exc:
            state = _CallState(status=response.status_code, request_id=request_id)
            return None, _validation_error(exc, state), warnings, ()
        return customer, None, warnings, item_codes(raw_warnings) + tuple(customer.warning_codes)

    def _bulk_lookup_items(
        self,
        identifier_name: str,
        chunk: list[str],
        body: Any,
        response: httpx.Response,
        model: type[Customer | CustomerBrief] = Customer,
    ) -> list[BulkLookupResult]:
        data = self._bulk_data(body, response)
        # One item per value in request order when the counts agree (as for ids); otherwise an item belongs to the
        # value its customer holds as that identifier, and a value no item claims was not found.
        positional = len(data) == len(chunk)
        wanted = {value.casefold(): value for value in chunk}
        results: dict[str, BulkLookupResult] = {}
        for position, item in enumerate(data):
            if not isinstance(item, dict):
                continue
            if positional:
                value = chunk[position]
            else:
                value = next(
                    (wanted[v] for v in _identifier_values(item.get("entity"), identifier_name) if v in wanted), None
                )
                if value is None:
                    continue
            customer, error, warnings, codes = self._bulk_entity(item, response, model)
            results.setdefault(
                value,
                BulkLookupResult(
                    value=value,
                    success=customer is not None,
                    customer=customer,
                    error=error,
                    warnings=warnings,
                    survivor=MERGE_SURVIVOR_WARNING in codes,
                ),
            )
        for value in chunk:
            if value not in results:
                error = CapillaryNotFoundError(
                    "Capillary returned no result for this identifier",
                    status_code=response.status_code,
                    request_id=response.headers.get(REQUEST_ID_HEADER),
                )
                results[value] = BulkLookupResult(value=value, success=False, error=error)
        return [results[value] for value in chunk]

    # ------------------------------------------------------------------ plumbing

    def _customer(self, body: Any, response: httpx.Response) -> Customer:
        self._check(body, response, entity_keys=("id",))
        customer = Customer.model_validate(body)
        if customer.id is None:
            raise CapillaryResponseValidationError(
                "Capillary answered without a customer id",
                status_code=response.status_code,
                request_id=response.headers.get(REQUEST_ID_HEADER),
            )
        return customer

    def _check(self, body: Any, response: httpx.Response, *, entity_keys: tuple[str, ...]) -> None:
        """Raise the mapped error for a failed response, including a 2xx errors[] body without an entity."""
        request_id = response.headers.get(REQUEST_ID_HEADER)
        if not response.is_success:
            raise build_error(
                status_code=response.status_code,
                body=body,
                request_id=request_id,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        if not isinstance(body, dict):
            raise CapillaryUnavailableError(
                "Capillary answered with a body that is not a JSON object",
                request_sent=True,  # a 2xx answer: Capillary got the request and may have acted on it
                status_code=response.status_code,
                request_id=request_id,
                body=body if body is not None else response.text[:500],
            )
        if is_pii_deleted(body):
            raise build_error(status_code=response.status_code, body=body, request_id=request_id)
        # The docs never tie item errors to an HTTP status (api-notes §3.3 and open question §9.1;
        # docs.capillarytech.com/reference/errors-and-warnings): errors[] without an entity is
        # an error whether it comes with 200 or 4xx.
        if body.get("errors") and not any(body.get(key) for key in entity_keys):
            raise build_error(status_code=response.status_code, body=body, request_id=request_id)

    def _call[T](
        self,
        method: str,
        path_template: str,
        path: str,
        *,
        parse: Callable[[Any, httpx.Response], T],
        params: dict[str, str] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        retry: bool = True,
    ) -> T:
        """Send with the retry policy, decode, parse, and write the one log line for the call."""
        state = _CallState(api=api_key(method, path_template))
        started = time.perf_counter()
        try:
            response = self._send(
                method, path, params=params, json_body=json_body, headers=headers, retry=retry, state=state
            )
            try:
                body = json.loads(response.content, parse_float=Decimal) if response.content.strip() else None
            except ValueError:
                body = None
            try:
                result = parse(body, response)
            except pydantic.ValidationError as exc:
                raise _validation_error(exc, state) from None
        except CapillaryError as exc:
            self._log(method, path_template, state, started, exc)
            raise
        self._log(method, path_template, state, started, None)
        return result

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None,
        json_body: Any,
        headers: dict[str, str] | None,
        retry: bool,
        state: _CallState,
    ) -> httpx.Response:
        auth_kwargs: dict[str, Any] = {"auth": self._auth} if self._auth is not None else {}
        while True:
            self._budget.acquire(state.api, background=self._background)  # every attempt is a call Capillary counts
            request = self._http.build_request(method, path, params=params, json=json_body, headers=headers)
            can_retry = retry and state.retries < self._retry.max_retries
            try:
                response = self._http.send(request, **auth_kwargs)
            except httpx.TransportError as exc:
                if can_retry:
                    self._wait(state, self._retry.backoff(state.retries))
                    continue
                raise _transport_error(exc, sent_request=request) from exc
            state.status = response.status_code
            state.request_id = response.headers.get(REQUEST_ID_HEADER)
            retry_after = (
                parse_retry_after(response.headers.get("Retry-After")) if response.status_code >= 400 else None
            )
            if response.status_code == 429:
                self._budget.penalise(state.api, retry_after if retry_after is not None else 60.0)
            if can_retry and self._retry.retryable_status(response.status_code):
                delay = self._retry.delay(state.retries, retry_after)
                if delay is not None:  # None: Retry-After beyond the cap, give up now with the mapped error
                    response.close()
                    self._wait(state, delay)
                    continue
            return response

    def _wait(self, state: _CallState, seconds: float) -> None:
        state.retries += 1
        self._sleep(seconds)

    def _log(
        self, method: str, path_template: str, state: _CallState, started: float, error: CapillaryError | None
    ) -> None:
        # Path template only: real URLs carry customer ids and, for lookups, mobiles and emails in the query.
        elapsed_ms = round((time.perf_counter() - started) * 1000)
        request_id = state.request_id or (error.request_id if error else None)
        note_request_id(request_id)
        status = state.status if state.status is not None else (error.status_code if error else None)
        extra = {
            "capillary_method": method,
            "capillary_path": path_template,
            "capillary_status": status,
            "capillary_ms": elapsed_ms,
            "capillary_retries": state.retries,
            "capillary_request_id": request_id,
        }
        if error is None:
            logger.info(
                "capillary %s %s status=%s ms=%d retries=%d request_id=%s",
                method, path_template, status, elapsed_ms, state.retries, request_id or "-", extra=extra,
            )  # fmt: skip
            return
        codes = ",".join(str(code) for code in error.codes) or "-"
        logger.warning(
            "capillary %s %s status=%s ms=%d retries=%d request_id=%s error=%s codes=%s",
            method, path_template, status, elapsed_ms, state.retries, request_id or "-", type(error).__name__, codes,
            extra={**extra, "capillary_error": type(error).__name__, "capillary_codes": error.codes},
        )  # fmt: skip
