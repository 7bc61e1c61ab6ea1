"""Transactions: the customer's list (by id and by identifier) and one transaction with its line items.

Shapes and parameters: activity-api.md §1.1 (docs.capillarytech.com/reference/v2api-get-customer-transactions),
§1.2 (docs.capillarytech.com/reference/get-customers-lookup-transactions) and §1.3
(docs.capillarytech.com/reference/get-transaction-details; the SL example, Capillary/api-documentation _transaction.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .activity import Activity, Bill, LineItem, Return
from .errors import FakeError
from .formats import as_bool, as_int, csv, date_param, iso, money, points

LIST_EMBEDS = {
    "BILL_CF", "BILL_EF", "ATTRIBUTION", "PAYMENT_MODES", "CREDIT_NOTES", "BILL_STORE_DETAILS", "BILL_POINTS",
    "TRANSACTION_IDENTIFIER",
}  # fmt: skip
LIST_TYPES = {"ALL": None, "REGULAR": {"REGULAR", "NOT_INTERESTED"}, "RETURN": {"RETURN"}}
GET_TYPES = {"REGULAR", "RETURN", "NOT_INTERESTED", "NOT_INTERESTED_RETURN"}
ENTITY_TYPES = ("STORE", "ZONE", "CONCEPT", "TILL")
BASE_CURRENCY = {"id": 95, "name": "Indian Rupee", "symbol": "₹", "isoCode": "INR", "refId": 95, "ratio": 1.0}

Transaction = Bill | Return


@dataclass
class ListQuery:
    """The documented list parameters, parsed once."""

    start: datetime | None
    end: datetime | None
    sort_order: str
    limit: int
    offset: int
    types: set[str] | None
    ids: set[int]
    start_id: int | None
    end_id: int | None
    numbers: set[str]
    entity: tuple[str, str] | None
    local_currency: bool
    embed: set[str]


def parse_list_query(q: dict[str, str], behaviour: dict[str, Any]) -> ListQuery:
    """The query of GET /v2/customers/{id}/transactions and its lookup variant; 400 or 1623 when invalid."""
    sort_order = (q.get("sortOrder") or "DESC").strip().upper()
    if sort_order not in ("ASC", "DESC"):
        raise FakeError(400, 400, "Invalid sortOrder: use ASC or DESC")
    limit = as_int(q, "limit", 20) or 0
    offset = as_int(q, "offset", 0) or 0
    if limit < 1 or offset < 0:
        raise FakeError(400, 400, "limit must be at least 1 and offset not negative")
    top = int(behaviour["transactions_max_limit"])
    if limit > top:
        if behaviour["transactions_limit_over_max"] == "error":
            raise FakeError(400, 400, f"limit cannot be greater than {top}")
        limit = top
    kind = (q.get("transactionType") or "ALL").strip().upper()
    if kind not in LIST_TYPES:
        raise FakeError(int(behaviour["item_error_status"]), 1623)
    entity = None
    if q.get("entityType"):
        if q["entityType"] not in ENTITY_TYPES or not q.get("entityCode"):
            raise FakeError(400, 400, "entityType must be STORE, ZONE, CONCEPT or TILL, with an entityCode")
        entity = (q["entityType"], q["entityCode"])
    try:
        ids = {int(i) for i in csv(q, "transactionId")}
    except ValueError:
        raise FakeError(400, 400, "transactionId must be a number or a comma-separated list of numbers") from None
    return ListQuery(
        start=date_param(q, "startDate"),
        end=date_param(q, "endDate", end_of_day=True),
        sort_order=sort_order,
        limit=limit,
        offset=offset,
        types=LIST_TYPES[kind],
        ids=ids,
        start_id=as_int(q, "startId"),
        end_id=as_int(q, "endId"),
        numbers={n for n in [q.get("number", "").strip(), *csv(q, "transNos")] if n},
        entity=entity,
        local_currency=as_bool(q, "localCurrency"),
        embed={e.strip().upper() for e in csv(q, "embed")} & LIST_EMBEDS,
    )


def select(activity: Activity, query: ListQuery) -> list[Transaction]:
    """The transactions the filters keep, in the requested billing-time order."""
    out = []
    for t in activity.transactions():
        bill = t.bill if isinstance(t, Return) else t
        if query.types is not None and t.type not in query.types:
            continue
        if (query.start and t.time < query.start) or (query.end and t.time > query.end):
            continue
        if query.ids and t.id not in query.ids:
            continue
        if (query.start_id is not None and t.id < query.start_id) or (query.end_id is not None and t.id > query.end_id):
            continue
        if query.numbers and bill.number not in query.numbers:
            continue
        if query.entity and not _in_entity(bill, *query.entity):
            continue
        out.append(t)
    if query.sort_order == "DESC":
        out.reverse()
    return out


def _in_entity(bill: Bill, kind: str, code: str) -> bool:
    if kind == "TILL":
        return bill.till["code"] == code
    store = bill.store
    return {"STORE": store["code"], "ZONE": store.get("zone"), "CONCEPT": store.get("concept")}[kind] == code


def list_body(
    rows: list[Transaction], total: int, query: ListQuery, *, offset_echo: int, customer_id: int,
    config: dict[str, Any], warnings: list[dict[str, Any]],
) -> dict[str, Any]:  # fmt: skip
    """{pagination, data, warnings, errors}; offset_echo is what the request's offset meant (record or page)."""
    pagination = {"limit": query.limit, "offset": offset_echo, "sortBy": "BILLING_TIME", "sortOrder": query.sort_order,
                  "total": total}  # fmt: skip
    data = [list_item(t, query, customer_id=customer_id, config=config) for t in rows]
    return {"pagination": pagination, "data": data, "warnings": warnings, "errors": []}


def list_item(t: Transaction, query: ListQuery, *, customer_id: int, config: dict[str, Any]) -> dict[str, Any]:
    """One data[] item of the list, key order as the docs' example, plus what each embed adds."""
    bill = t.bill if isinstance(t, Return) else t
    item: dict[str, Any] = {
        "id": t.id, "customerId": customer_id, "loyaltyLogId": bill.loyalty_log_id, "billingTime": iso(t.time),
        "billNumber": bill.number, "type": t.type,
    }  # fmt: skip
    if isinstance(t, Return):
        # activity-api.md §1.1 (docs.capillarytech.com/reference/v2api-get-customer-transactions, SAMPLE RESPONSE): a
        # return's grossAmount and discount are 0.0, its billNumber the original bill's.
        item |= {"returnType": t.return_type, "notes": "Returned at the store", "amount": money(t.amount_c),
                 "grossAmount": 0.0, "discount": 0.0, "outlierStatus": "NORMAL"}  # fmt: skip
    else:
        item |= {"notes": t.notes, "amount": money(t.amount_c), "grossAmount": money(t.amount_c + t.discount_c),
                 "discount": money(t.discount_c), "outlierStatus": t.outlier}  # fmt: skip
    embed = query.embed
    if "BILL_CF" in embed:
        item["customFields"] = {}
    if "BILL_EF" in embed:
        item["extendedFields"] = {}
        item["billingTimeInputOffset"] = "+05:30"  # the till's input offset; the docs' example shows this string
    if "BILL_STORE_DETAILS" in embed:
        item["billingStore"] = store_object(bill.store)
    if "ATTRIBUTION" in embed:
        item["attribution"] = attribution(t)
    if "PAYMENT_MODES" in embed:
        item["paymentModes"] = [] if isinstance(t, Return) else [payment_mode(bill)]
    if "CREDIT_NOTES" in embed:
        item["creditNotes"] = [credit_note(t)] if isinstance(t, Return) else []
    if "BILL_POINTS" in embed:
        item["billPoints"] = bill_points(t, config)
    if "TRANSACTION_IDENTIFIER" in embed:
        # The identifier the bill was added with; a not-interested bill was added without one.
        item["txnIdentifiers"] = [] if bill.type == "NOT_INTERESTED" else [{"type": "id", "value": str(customer_id)}]
    if query.local_currency:
        item["currencyLogDto"] = currency_log(t, bill, config)
    return item


def store_object(store: dict[str, Any]) -> dict[str, Any]:
    """billingStore as the docs show it.

    activity-api.md §1.1's embed list (docs.capillarytech.com/reference/v2api-get-customer-transactions) and §1.3's SL
    example plus RD's referenceId and default (docs.capillarytech.com/reference/get-transaction-details).
    """
    return {
        "id": store["id"], "code": store["code"], "description": store.get("description", ""), "name": store["name"],
        "type": "STORE", "referenceId": -1, "adminType": "GENERAL", "isActive": True, "isOuEnabled": False,
        "timeZoneId": 191, "currencyId": 216, "languageId": 1, "default": False,
    }  # fmt: skip


def till_object(till: dict[str, Any]) -> dict[str, Any]:
    """attribution.createdBy: the till that added the bill."""
    return {
        "id": till["id"], "code": till["code"], "description": "", "name": till["code"], "type": "TILL",
        "referenceId": -1, "adminType": "GENERAL", "isActive": True, "isOuEnabled": False, "timeZoneId": 191,
        "currencyId": 216, "languageId": 1, "default": False,
    }  # fmt: skip


def attribution(t: Transaction) -> dict[str, Any]:
    """Who added the transaction, and when (modifiedBy {} as in the SL example)."""
    bill = t.bill if isinstance(t, Return) else t
    return {"createDate": iso(t.time), "createdBy": till_object(bill.till), "modifiedBy": {},
            "modifiedDate": iso(t.time)}  # fmt: skip


def payment_mode(bill: Bill) -> dict[str, Any]:
    """The one tender that paid the bill."""
    mode, org_mode_id = bill.payment
    return {"amount": money(bill.amount_c), "id": bill.id % 100_000_000, "mode": mode, "notes": "",
            "orgPaymentModeId": org_mode_id}  # fmt: skip


def credit_note(ret: Return) -> dict[str, Any]:
    """The credit note a return was refunded with."""
    return {"number": f"CN-{ret.id}", "amount": money(ret.amount_c), "notes": "Refund for a return",
            "referenceId": str(ret.bill.id)}  # fmt: skip


def bill_points(t: Transaction, config: dict[str, Any]) -> dict[str, Any]:
    """billPoints: per line item (POINT_AWARDED_LINEITEM) and aggregated, for the program the bill earned in.

    A return row and a bill that earned nothing get empty arrays (activity-api.md §1.1, §8.6, §8.7,
    docs.capillarytech.com/reference/v2api-get-customer-transactions).
    """
    out: dict[str, Any] = {"pointsBreakup": [], "aggregatedBillPoints": []}
    if isinstance(t, Bill) and t.points_m > 0 and t.program_id is not None:
        name = program_name(config, t.program_id)
        regular = [{"points": points(i.points_m), "pointsAwardedType": "POINT_AWARDED_LINEITEM"} for i in t.line_items]
        out["pointsBreakup"] = [{"programName": name, "programId": t.program_id, "regularPoints": regular,
                                 "promisePoints": [], "promoPoints": []}]  # fmt: skip
        out["aggregatedBillPoints"] = [{"programName": name, "programId": t.program_id,
                                        "regularPoints": {"points": points(t.points_m)}, "promisePoints": {"points": 0},
                                        "promoPoints": {"points": 0}}]  # fmt: skip
    if config["behaviour"]["alternate_currency_arrays"] == "empty":
        out["alternateCurrenciesBreakup"] = []
        out["aggregatedBillAlternateCurrencies"] = []
    return out


def currency_log(t: Transaction, bill: Bill, config: dict[str, Any]) -> dict[str, Any]:
    """currencyLogDto (localCurrency=true): the fake org bills in its base currency, so local equals base."""
    amount = money(t.amount_c)
    discount = 0.0 if isinstance(t, Return) else money(bill.discount_c)
    gross = 0.0 if isinstance(t, Return) else money(bill.amount_c + bill.discount_c)
    return {
        "addedBy": bill.till["id"], "addedOn": iso(t.time), "autoUpdateTimestamp": iso(t.time),
        "baseCurrencyId": BASE_CURRENCY["id"], "baseCurrency": dict(BASE_CURRENCY), "id": t.id % 100_000_000,
        "orgId": config["org"]["orgId"], "ratio": 1.0, "refId": t.id, "refType": "TRANSACTION",
        "transactionCurrencyId": BASE_CURRENCY["id"], "transactionCurrency": dict(BASE_CURRENCY), "value": amount,
        "localValue": amount, "localDiscount": discount, "localGrossAmount": gross,
    }  # fmt: skip


def program_name(config: dict[str, Any], program_id: int) -> str:
    """The org program's name."""
    return next((p["programName"] for p in config["programs"] if p["programId"] == program_id), "")


# -- GET /v2/transactions/{id} -----------------------------------------------------------------------------------
def find(activity: Activity, transaction_id: int, kind: str) -> Transaction | None:
    """The customer's transaction with this type-specific id (returns live in their own id space)."""
    if kind == "RETURN":
        return next((r for r in activity.returns if r.id == transaction_id), None)
    return next((b for b in activity.bills if b.id == transaction_id and b.type == kind), None)  # no NI returns


def transaction_body(t: Transaction, q: dict[str, str], *, customer_id: int, config: dict[str, Any]) -> dict[str, Any]:
    """One transaction: SL's keys in SL's order, then RD's additions.

    activity-api.md §1.3 (docs.capillarytech.com/reference/get-transaction-details).
    """
    bill = t.bill if isinstance(t, Return) else t
    items = t.line_items
    is_return = isinstance(t, Return)
    amount = money(t.amount_c)
    details = {
        "amount": amount, "billingStore": store_object(bill.store), "billNumber": bill.number,
        "billingTime": iso(t.time), "discount": 0.0 if is_return else money(bill.discount_c),
        "grossAmount": 0.0 if is_return else money(bill.amount_c + bill.discount_c),
        "note": "Returned at the store" if is_return else bill.notes, "returnDetails": {"canceled": False},
        "niReturnDetails": {}, "invalidBill": False,
    }  # fmt: skip
    body: dict[str, Any] = {"useDefaultFleetGroup": False, "attribution": attribution(t), "billDetails": details}
    if as_bool(q, "credit_notes"):
        body["creditNote"] = (
            {"amount": amount, "notes": "Refund for a return", "number": f"CN-{t.id}",
             "validity": (t.time + timedelta(days=365)).date().isoformat(), "updateAmount": False}
            if is_return else {}
        )  # fmt: skip
    body |= {
        "customFields": {}, "addWithLocalCurrency": False, "async": False, "useV2": False, "customerId": customer_id,
        "id": t.id, "lineItems": [line_item(i, bill) for i in items], "outlierStatus": bill.outlier,
    }  # fmt: skip
    if as_bool(q, "tenders"):
        body["paymentModes"] = [] if is_return else [payment_mode(bill) | {"attributes": []}]
    body |= {
        "type": t.type, "lifeTimePurchases": 0, "ignorePoints": False, "extendedFields": {},
        "autoUpdateTime": iso(t.time), "niReturnDetails": {}, "basketSize": float(sum(i.qty for i in items)),
        "returnDetails": {"canceled": False},
        "loyaltiesPointDetails": loyalty_points(t, q, config), "billPointsBreakup": [], "source": "instore",
        "simulation": False, "retroTxn": False, "warnings": [],
    }  # fmt: skip
    return body


def line_item(item: LineItem, bill: Bill) -> dict[str, Any]:
    """One lineItems[] entry (SL example keys)."""
    amount = money(item.amount_c)
    details = {
        "amount": amount, "description": item.description, "discount": 0.0, "itemCode": item.item_code,
        "qty": float(item.qty), "rate": round(amount / item.qty, 2), "serial": item.serial, "value": amount,
        "returnable": True, "returnableDays": -1, "attributes": {}, "extendedFields": {}, "attributesSet": [],
    }  # fmt: skip
    return {"id": item.id, "customerId": 0, "details": details, "outlierStatus": bill.outlier, "returnDetails": {},
            "valid": True, "returnLineItemsDtos": [], "niReturnLineItemsDtos": [], "addonDetails": [],
            "splitItemsDetails": [], "niReturn": False}  # fmt: skip


def loyalty_points(t: Transaction, q: dict[str, str], config: dict[str, Any]) -> list[dict[str, Any]]:
    """loyaltiesPointDetails: filled only with mlp=true&points_breakup=true (activity-api.md §1.3 and §8.15).

    What the docs show (docs.capillarytech.com/reference/get-transaction-details, newer example) up to where the
    copy is cut; inside regularPointsBreakup, expired and available are the fake's own.
    """
    if not (as_bool(q, "mlp") and as_bool(q, "points_breakup")):
        return []
    if config["behaviour"]["transaction_points"] != "filled" or not isinstance(t, Bill) or t.program_id is None:
        return []
    held = t.points_m - t.returned_m
    split = {"redeemed": 0, "expired": 0, "available": 0}
    split[t.fate or "available"] = held
    expiry = f"{t.expires.isoformat()}T23:59:59Z" if t.expires else None
    breakup = {"programId": t.program_id, "issued": points(t.points_m), "returned": points(t.returned_m),
               "redeemed": points(split["redeemed"]), "expired": points(split["expired"]),
               "available": points(split["available"])}  # fmt: skip
    return [{
        "issuedPoints": points(t.points_m), "returnedPoints": points(t.returned_m),
        "redeemedPoints": points(split["redeemed"]), "expiredPoints": points(split["expired"]),
        "availablePoints": points(split["available"]), "expiryDate": expiry, "programId": t.program_id,
        "delayedPoints": 0.0, "delayedPointsReturned": 0.0, "redeemableFrom": iso(t.time),
        "pointsBreakup": {"currentPoints": {"regularPointsBreakup": [breakup]}},
    }]  # fmt: skip
