"""A customer's activity (bills, returns, ledger events, expiry buckets, coupons), derived at read time.

Nothing here is stored: seeding writes no activity rows. Everything comes from the customer's record (its programs'
points, the demo knobs in x.activity, coupons a registration stored) and from random.Random seeded with the customer
id, laid out backwards from the fake's UTC day, so the same record and clock give the same answer.

The ledger is built to agree with the GET: per program, credits minus debits equal loyaltyPoints, credits equal
lifetimePoints, and the debits split into redeemed, expired and returned exactly as loyaltyProgramDetails says.
Points earned by bills appear in the ledger as TransactionAdd credits; a return is its own transaction and its own
ReturnBill debit referencing the original bill; points still held expire on the schedule, soonest first.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

MILLI = 1000  # points are kept in thousandths: the ledger shows three decimals
CENTS_PER_MILLI_POINT = 2  # 5 % back: 3000.00 buys 150 points, as the docs' BILL_POINTS example does
VALIDITY_DAYS = 365  # rolling expiry of every credit
MIN_HISTORY_DAYS = 800  # enough room for redeemed, expired and still-valid credits
# Windows, in days before the fake's UTC day, where credits of each fate are placed.
AVAILABLE_WINDOW = (1, 358)  # expire 7..364 days from today
EXPIRED_WINDOW = (VALIDITY_DAYS + 2, VALIDITY_DAYS + 201)  # expired 2..201 days ago
REDEEMED_FROM = EXPIRED_WINDOW[1] + 1  # redeemed credits are older still
ITEMS = [
    ("SKU-1001", "Cold brew coffee 1l"), ("SKU-1002", "Sourdough loaf"), ("SKU-2040", "Running shoes"),
    ("SKU-3110", "Denim jacket"), ("SKU-3302", "Cotton t-shirt"), ("SKU-4150", "Wireless earbuds"),
    ("SKU-5004", "Olive oil 500ml"), ("SKU-6120", "Face serum"), ("SKU-7001", "Gift card top-up"),
    ("SKU-8088", "Backpack 24l"),
]  # fmt: skip
PAYMENT_MODES = [("CARD", 8976), ("UPI", 8977), ("CASH", 8975)]


@dataclass
class LineItem:
    """One line of a bill: money in cents, points in thousandths."""

    id: int
    serial: int
    item_code: str
    description: str
    qty: int
    amount_c: int
    points_m: int


@dataclass
class Bill:
    """A REGULAR or NOT_INTERESTED transaction."""

    id: int
    number: str
    type: str
    time: datetime
    store: dict[str, Any]
    till: dict[str, Any]
    amount_c: int
    discount_c: int
    line_items: list[LineItem]
    program_id: int | None = None
    points_m: int = 0
    outlier: str = "NORMAL"
    notes: str = ""
    payment: tuple[str, int] = PAYMENT_MODES[0]
    returned_m: int = 0
    fate: str = ""  # what became of the points still on the bill: redeemed, expired or available
    expires: date | None = None
    credit: Event | None = field(default=None, repr=False, compare=False)  # its TransactionAdd

    @property
    def loyalty_log_id(self) -> int:
        """The loyalty log entry: the bill's own id, 0 for a not-interested bill (no loyalty processing)."""
        return 0 if self.type == "NOT_INTERESTED" else self.id


@dataclass
class Return:
    """A RETURN transaction: its own id (a separate, smaller id space) and the bill it returns."""

    id: int
    bill: Bill
    return_type: str
    time: datetime
    amount_c: int
    points_m: int
    line_items: list[LineItem]

    type = "RETURN"


@dataclass
class Entry:
    """One entryDetails[] row of a ledger event."""

    kind: str  # CREDIT, DEBIT, OPENING_BALANCE
    program_id: int
    points_m: int


@dataclass
class Event:
    """One ledger event."""

    name: str
    time: datetime
    entries: list[Entry]
    bill: Bill | None = None
    ret: Return | None = None
    store: dict[str, Any] | None = None
    till: dict[str, Any] | None = None
    id: int = 0

    @property
    def net_m(self) -> int:
        """Credits minus debits."""
        return sum(
            e.points_m if e.kind == "CREDIT" else -e.points_m for e in self.entries if e.kind != "OPENING_BALANCE"
        )


@dataclass
class Bucket:
    """Points that will expire on a day."""

    program_id: int
    points_m: int
    expires: date
    points_type: str
    expiry_type: str = "rolling"


@dataclass
class Expiry:
    """Points that expired (a PointsExpiry debit), with the credit they were awarded by."""

    program_id: int
    points_m: int
    on: datetime
    award: Event

    @property
    def award_type(self) -> str:
        """How the expired points had been awarded (the user-group expiredPointsSummary paType values)."""
        return "POINT_AWARDED_LINEITEM" if self.award.bill is not None else "POINT_AWARDED"


@dataclass
class Redemption:
    """One use of a coupon; reversed ones carry reversed_on."""

    id: int
    time: datetime
    transaction_number: str
    store: dict[str, Any]
    reversed_on: datetime | None = None


@dataclass
class Coupon:
    """An issued coupon; its state is derived from validity and redemptions, as the v2 list does."""

    id: int
    series: dict[str, Any]
    code: str
    created: datetime
    valid_till: date
    store: dict[str, Any]
    issued_on: Bill | None = None  # the bill it was issued on, if any
    redemptions: list[Redemption] = field(default_factory=list)

    @property
    def transaction_number(self) -> str:
        """The issuing bill's number, "0" when the coupon was not issued on a bill.

        activity-api.md §5.1 (docs.capillarytech.com/reference/get-customer-coupons-basic).
        """
        return self.issued_on.number if self.issued_on else "0"

    @property
    def used(self) -> list[Redemption]:
        """Redemptions that were not reversed."""
        return [r for r in self.redemptions if r.reversed_on is None]

    @property
    def redemptions_left(self) -> int:
        """-1 for unlimited series, else what is left of maxRedeem."""
        limit = int(self.series.get("maxRedeem", 1))
        return -1 if limit < 0 else max(0, limit - len(self.used))


@dataclass
class Activity:
    """Everything one customer did, in time order where it matters."""

    customer_id: int
    bills: list[Bill] = field(default_factory=list)
    returns: list[Return] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    buckets: list[Bucket] = field(default_factory=list)
    expiries: list[Expiry] = field(default_factory=list)
    coupons: list[Coupon] = field(default_factory=list)

    def transactions(self) -> list[Bill | Return]:
        """Bills and returns, oldest first."""
        return sorted([*self.bills, *self.returns], key=lambda t: (t.time, t.id))

    def balance_m(self, program_id: int) -> int:
        """Credits minus debits of one program."""
        return sum(
            (e.points_m if e.kind == "CREDIT" else -e.points_m)
            for ev in self.events
            for e in ev.entries
            if e.program_id == program_id and e.kind != "OPENING_BALANCE"
        )


def milli(value: Any) -> int:
    """Points as integer thousandths."""
    return round(float(value or 0) * MILLI)


def day_start(now: datetime) -> datetime:
    """Midnight UTC of the fake's current day: all derived history lies before it."""
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _created(record: dict[str, Any]) -> datetime | None:
    sources = [record.get("loyaltyInfo", {}).get("attributionV2") or {}]
    sources += [p.get("attribution") or {} for p in record.get("profiles", [])]
    for attribution in sources:
        value = attribution.get("createDate")
        if isinstance(value, str) and value:
            try:
                dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    return None


def build_activity(record: dict[str, Any], config: dict[str, Any], now: datetime) -> Activity:
    """The activity of the customer in `record` as the fake's clock reads `now`."""
    return _Builder(record, config, now).build()


class _Builder:
    def __init__(self, record: dict[str, Any], config: dict[str, Any], now: datetime) -> None:
        self.cid = int(record["id"])
        self.x = record.get("x", {})
        self.knobs: dict[str, Any] = self.x.get("activity") or {}
        self.config = config
        programs = {p["programId"] for p in config["programs"]}
        self.states = [s for s in self.x.get("programs", []) if s["programId"] in programs]
        # Random extras (coupons, a bill without points) only for customers with a past; a customer registered
        # through the API has its enrolment and its welcome coupon, nothing else.
        self.has_past = any("enrolledOn" not in s for s in self.states)
        self.stores = [s for s in config["stores"] if s.get("type", "STORE") == "STORE"]
        self.day0 = day_start(now)
        created = _created(record) or self.day0 - timedelta(days=MIN_HISTORY_DAYS)
        self.start = min(created, self.day0 - timedelta(days=MIN_HISTORY_DAYS))
        self.span = max((self.day0 - self.start).days, MIN_HISTORY_DAYS)
        self.rng = random.Random(f"activity:{self.cid}")
        self.out = Activity(customer_id=self.cid)
        self.pending_bills: list[Bill] = []

    # -- helpers ---------------------------------------------------------------------------------------------
    def at(self, days_ago: int) -> datetime:
        """A moment `days_ago` days before today, at a store-hours time (09:00-21:00 UTC) drawn from the rng."""
        seconds = self.rng.randrange(9 * 3600, 21 * 3600)
        return self.day0 - timedelta(days=days_ago) + timedelta(seconds=seconds)

    def split(self, total_m: int, parts: int) -> list[int]:
        """total_m split into `parts` positive amounts (whole points when there are enough)."""
        if parts <= 0 or total_m <= 0:
            return []
        unit = MILLI if total_m >= MILLI * parts else 1
        parts = min(parts, total_m // unit)
        units, rest = divmod(total_m, unit)
        weights = [self.rng.uniform(0.5, 1.5) for _ in range(parts)]
        spare = units - parts
        shares = [1 + int(spare * w / sum(weights)) for w in weights]
        shares[-1] += units - sum(shares)
        out = [s * unit for s in shares]
        out[-1] += rest
        return out

    def store(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """A store and its till."""
        s = self.stores[self.rng.randrange(len(self.stores))]
        return s, s["tills"][0]

    def new_bill(self, when: datetime, points_m: int, program_id: int | None, *, kind: str = "REGULAR") -> Bill:
        """A bill worth points_m (at 5 %), with one to three line items; id and number are set in number()."""
        store, till = self.store()
        count = self.rng.randint(1, 3)
        if points_m > 0:
            item_points = self.split(points_m, count)
            amounts = [p * CENTS_PER_MILLI_POINT for p in item_points]
        else:
            amounts = [self.rng.randrange(20, 400) * 100 for _ in range(count)]
            item_points = [0] * count
        items = []
        for serial, (amount_c, item_m) in enumerate(zip(amounts, item_points, strict=True), start=1):
            code, description = ITEMS[self.rng.randrange(len(ITEMS))]
            items.append(LineItem(0, serial, code, description, self.rng.randint(1, 3), amount_c, item_m))
        amount_c = sum(amounts)
        discount_c = amount_c // 20 if self.rng.random() < 0.3 else 0
        bill = Bill(
            id=0, number="", type=kind, time=when, store=store, till=till, amount_c=amount_c, discount_c=discount_c,
            line_items=items, program_id=program_id if points_m > 0 else None, points_m=points_m,
            payment=PAYMENT_MODES[self.rng.randrange(len(PAYMENT_MODES))],
        )  # fmt: skip
        self.pending_bills.append(bill)
        return bill

    def credit(self, pid: int, points_m: int, when: datetime, main: bool) -> tuple[Event, Bill | None]:
        """A credit: a bill (TransactionAdd) in the main program, a partner allocation (GenericEvent) elsewhere."""
        if main:
            bill = self.new_bill(when, points_m, pid)
            bill.credit = Event("TransactionAdd", when, [Entry("CREDIT", pid, points_m)], bill=bill, store=bill.store,
                                till=bill.till)  # fmt: skip
            return self.add(bill.credit), bill
        return self.add(Event("GenericEvent", when, [Entry("CREDIT", pid, points_m)])), None

    def add(self, ev: Event) -> Event:
        self.out.events.append(ev)
        return ev

    # -- the parts -----------------------------------------------------------------------------------------
    def build(self) -> Activity:
        history = [s for s in self.states if "enrolledOn" not in s]
        if history:
            when = self.start.replace(hour=9, minute=0, second=0)
            self.add(
                Event("CustomerRegistration", when, [Entry("OPENING_BALANCE", s["programId"], 0) for s in history])
            )
        for n, s in enumerate(self.states):
            if "enrolledOn" in s:
                self.enrolment(s)
            else:
                self.history(s, main=n == 0)
        self.no_points_bills()
        self.coupons()
        self.number()
        return self.out

    def enrolment(self, s: dict[str, Any]) -> None:
        """A program joined through POST /v2/customers: its enrolment points, one credit, expiring as asked."""
        pid, points_m = s["programId"], milli(s["loyaltyPoints"])
        when = datetime.fromisoformat(s["enrolledOn"].replace("Z", "+00:00"))
        entries = [Entry("OPENING_BALANCE", pid, 0)] + ([Entry("CREDIT", pid, points_m)] if points_m else [])
        self.add(Event("CustomerRegistration", when, entries))
        if points_m:
            fixed = s.get("pointsExpiryDate")
            expires = datetime.fromisoformat(fixed.replace("Z", "+00:00")).date() if fixed else None
            expires = expires or (when + timedelta(days=VALIDITY_DAYS)).date()
            kind = "fixed" if fixed else "rolling"
            self.out.buckets.append(Bucket(pid, points_m, expires, "customer_promotions", kind))

    def history(self, s: dict[str, Any], *, main: bool) -> None:
        """Credits that add up to lifetimePoints; redemptions, expiries and returns that add up to theirs."""
        pid = s["programId"]
        available, redeemed, expired = milli(s["loyaltyPoints"]), milli(s["redeemed"]), milli(s["expired"])
        returned = milli(s.get("returned")) if main else 0
        totals = [max(0, redeemed), max(0, expired), max(0, available)]
        wanted = int(self.knobs.get("bills") or self.rng.randint(4, 24)) if main else self.rng.randint(3, 8)
        wanted = min(wanted, max(3, sum(totals) // (20 * MILLI)))  # a customer with 10 points made a few small bills
        counts = _counts(wanted, totals)
        parts = [self.split(t, c) for t, c in zip(totals, counts, strict=True)]
        redeemed_parts, expired_parts, available_parts = parts
        # Redeemed: the oldest credits, each group used up by one redemption within weeks, long before it expires.
        days = sorted((self.rng.randint(REDEEMED_FROM, self.span - 1) for _ in redeemed_parts), reverse=True)
        group: list[tuple[datetime, int]] = []
        for n, (d, points_m) in enumerate(zip(days, redeemed_parts, strict=True)):
            when = self.at(d)
            _, bill = self.credit(pid, points_m, when, main)
            if bill:
                bill.fate, bill.expires = "redeemed", (when + timedelta(days=VALIDITY_DAYS)).date()
            if group and (when - group[0][0]).days > 200:
                self.redeem(pid, group)
                group = []
            group.append((when, points_m))
            if len(group) >= self.rng.randint(1, 4) or n == len(days) - 1:
                self.redeem(pid, group)
                group = []
        # Expired: credits a year and a bit old whose points nobody used; each expires the day after its last day.
        days = sorted((self.rng.randint(*EXPIRED_WINDOW) for _ in expired_parts), reverse=True)
        for d, points_m in zip(days, expired_parts, strict=True):
            when = self.at(d)
            ev, bill = self.credit(pid, points_m, when, main)
            expires = (when + timedelta(days=VALIDITY_DAYS)).date()
            if bill:
                bill.fate, bill.expires = "expired", expires
            on = datetime.combine(expires + timedelta(days=1), time(0, 30), tzinfo=UTC)
            self.add(Event("PointsExpiry", on, [Entry("DEBIT", pid, points_m)]))
            self.out.expiries.append(Expiry(pid, points_m, on, ev))
        # Available: the last year's credits, each expiring a year after it was earned.
        days = sorted((self.rng.randint(*AVAILABLE_WINDOW) for _ in available_parts), reverse=True)
        soon = self.knobs.get("expiringSoonDays") if main else None
        if soon is not None and days:
            days[0] = VALIDITY_DAYS - int(soon)
        available_bills = []
        for d, points_m in zip(days, available_parts, strict=True):
            when = self.at(d)
            _, bill = self.credit(pid, points_m, when, main)
            expires = (when + timedelta(days=VALIDITY_DAYS)).date()
            kind = "line_item_regular" if bill else "customer_promotions"
            self.out.buckets.append(Bucket(pid, points_m, expires, kind))
            if bill:
                bill.fate, bill.expires = "available", expires
                if d >= 25:
                    available_bills.append(bill)
        if returned > 0:
            self.returns(pid, returned, available_bills)

    def redeem(self, pid: int, group: list[tuple[datetime, int]]) -> None:
        last = group[-1][0]
        latest = min(group[0][0] + timedelta(days=VALIDITY_DAYS - 1), self.day0 - timedelta(days=1))
        when = min(last + timedelta(days=self.rng.randint(2, 40), seconds=self.rng.randrange(3600)), latest)
        store, till = self.store()
        total = sum(points for _, points in group)
        self.add(Event("PointsRedemption", when, [Entry("DEBIT", pid, total)], store=store, till=till))

    def returns(self, pid: int, returned_m: int, candidates: list[Bill]) -> None:
        """Returns reversing `returned_m` points: a whole bill, or one line of a bill still holding points."""
        kinds = list(self.knobs.get("returns") or [self.rng.choice(["FULL", "LINE_ITEM"])])
        shares = self.split(returned_m, len(kinds))
        for kind, share in zip(kinds, shares, strict=False):
            return_type = "LINE_ITEM" if kind == "LINE_ITEM" and candidates else "FULL"
            if return_type == "LINE_ITEM":
                # One more line on a bill that still holds points: it earned `share` more, and that line comes back.
                bill = candidates.pop(self.rng.randrange(len(candidates)))
                code, description = ITEMS[self.rng.randrange(len(ITEMS))]
                item = LineItem(0, len(bill.line_items) + 1, code, description, 1, share * CENTS_PER_MILLI_POINT, share)
                bill.line_items.append(item)
                bill.amount_c += item.amount_c
                bill.points_m += share
                assert bill.credit is not None
                bill.credit.entries[0].points_m += share
                items = [item]
            else:
                _, bill = self.credit(pid, share, self.at(self.rng.randint(25, AVAILABLE_WINDOW[1])), True)
                assert bill is not None
                bill.fate, bill.expires = "available", (bill.time + timedelta(days=VALIDITY_DAYS)).date()
                items = list(bill.line_items)
            bill.returned_m += share
            when = bill.time + timedelta(days=self.rng.randint(2, 20), seconds=self.rng.randrange(3600))
            when = min(when, self.day0 - timedelta(seconds=1))
            ret = Return(0, bill, return_type, when, sum(i.amount_c for i in items), share, items)
            self.out.returns.append(ret)
            self.add(Event("ReturnBill", when, [Entry("DEBIT", pid, share)], bill=bill, ret=ret, store=bill.store,
                           till=bill.till))  # fmt: skip

    def no_points_bills(self) -> None:
        """Bills that earned nothing, and why: NOT_INTERESTED (no loyalty) or an outlier status."""
        reasons = self.knobs.get("noPointsBills")
        if reasons is None:
            reasons = ["OUTLIER"] if self.has_past and self.rng.random() < 0.1 else []
        for reason in reasons:
            when = self.at(self.rng.randint(*AVAILABLE_WINDOW))
            if reason == "NOT_INTERESTED":
                bill = self.new_bill(when, 0, None, kind="NOT_INTERESTED")
                bill.notes = "Customer not interested in loyalty at the till"
            else:
                bill = self.new_bill(when, 0, None)
                bill.outlier = reason
                bill.notes = f"Bill marked {reason}: no points awarded"

    def coupons(self) -> None:
        """Issued coupons: a set in every state, a few random ones, and any a registration stored."""
        plan = self.knobs.get("coupons")
        series = self.config["coupon_series"]
        stored = self.x.get("coupons") or []
        if plan is None:
            plan = self.rng.randint(0, 3) if self.has_past else 0
        base = self.cid * 100
        if plan == "every_status":
            self.out.coupons.extend(_every_status(self, base, series))
        else:
            for n in range(int(plan)):
                created = self.at(self.rng.randint(5, 400))
                s = series[self.rng.randrange(len(series))]
                valid = (created + timedelta(days=int(s.get("validDays", 90)))).date()
                coupon = Coupon(base + n + 1, s, _code(self.cid, n), created, valid, self.store()[0])
                earlier = [bill for bill in self.pending_bills if bill.time <= created and bill.type == "REGULAR"]
                if earlier and self.rng.random() < 0.3:
                    coupon.issued_on = earlier[-1]  # issued on the bill before it
                if self.rng.random() < 0.4:
                    used = min(created + timedelta(days=self.rng.randint(1, 30)), self.day0 - timedelta(hours=1))
                    coupon.redemptions.append(Redemption(coupon.id * 10 + 1, used, "", self.store()[0]))
                self.out.coupons.append(coupon)
        for c in stored:
            created = datetime.fromisoformat(c["created"].replace("Z", "+00:00"))
            coupon = Coupon(int(c["id"]), {**series[0], **c["series"]}, c["code"], created,
                            date.fromisoformat(c["validTill"][:10]), self.stores[0])  # fmt: skip
            self.out.coupons.append(coupon)

    def number(self) -> None:
        """Ids and numbers in time order: bills cid*1000+k, returns cid*10+j, events cid*1000+e."""
        for k, bill in enumerate(sorted(self.pending_bills, key=lambda b: b.time), start=1):
            bill.id = self.cid * 1000 + k
            bill.number = f"B{self.cid}-{k:03d}"
            for item in bill.line_items:
                item.id = bill.id * 10 + item.serial
        self.out.bills = sorted(self.pending_bills, key=lambda b: (b.time, b.id))
        for j, ret in enumerate(sorted(self.out.returns, key=lambda r: r.time), start=1):
            ret.id = self.cid * 10 + j
        self.out.returns.sort(key=lambda r: r.time)
        self.out.events.sort(key=lambda e: (e.time, e.name))
        for n, ev in enumerate(self.out.events, start=1):
            ev.id = self.cid * 1000 + n
        self.out.buckets.sort(key=lambda b: (b.expires, b.program_id, b.points_type))
        bills = [b for b in self.out.bills if b.type == "REGULAR"]
        for coupon in self.out.coupons:
            for r in coupon.redemptions:
                if not r.transaction_number:  # the customer's last bill before the redemption, if any
                    before = [b for b in bills if b.time <= r.time]
                    r.transaction_number = before[-1].number if before else f"POS-{r.id}"


def _counts(wanted: int, totals: list[int]) -> list[int]:
    """How many credits each non-zero total gets, about in proportion, at least one each."""
    counts = [1 if t > 0 else 0 for t in totals]
    total = sum(totals)
    if total == 0:
        return counts
    spare = max(0, wanted - sum(counts))
    counts = [c + (spare * t // total) for c, t in zip(counts, totals, strict=True)]
    counts[totals.index(max(totals))] += max(0, wanted - sum(counts))
    return counts


def _code(cid: int, n: int) -> str:
    digest = hashlib.sha1(f"coupon:{cid}:{n}".encode()).hexdigest()
    return str(int(digest[:13], 16))[:16].rjust(16, "0")


def _every_status(b: _Builder, base: int, series: list[dict[str, Any]]) -> list[Coupon]:
    """One coupon per state a console must show: active, redeemed (with where), expired, both, multi-use, reversed."""
    single, multi = series[0], next((s for s in series if int(s.get("maxRedeem", 1)) < 0), series[0])
    stores = b.stores

    def ago(days: int, hour: int = 11) -> datetime:
        return b.day0 - timedelta(days=days) + timedelta(hours=hour)

    def valid(days_from_today: int) -> date:
        return (b.day0 + timedelta(days=days_from_today)).date()

    issued_on = b.pending_bills[0] if b.pending_bills else None
    return [
        Coupon(base + 1, single, "ActiveWelcome01", ago(20), valid(40), stores[0]),
        Coupon(base + 2, single, "RedeemedSpring02", ago(60), valid(30), stores[1],
               redemptions=[Redemption((base + 2) * 10 + 1, ago(10, 15), "", stores[2])]),
        Coupon(base + 3, single, "ExpiredUnused03", ago(120), valid(-30), stores[0]),
        Coupon(base + 4, single, "ExpiredUsed04", ago(200), valid(-100), stores[1], issued_on=issued_on,
               redemptions=[Redemption((base + 4) * 10 + 1, ago(150, 17), "", stores[1])]),
        Coupon(base + 5, multi, "CoffeeClub05", ago(25), valid(5), stores[2],
               redemptions=[Redemption((base + 5) * 10 + r, ago(20 - 5 * r, 9), "", stores[2]) for r in (1, 2)]),
        Coupon(base + 6, single, "ReversedGift06", ago(45), valid(45), stores[0],
               redemptions=[Redemption((base + 6) * 10 + 1, ago(30, 12), "", stores[1], reversed_on=ago(29, 10))]),
    ]  # fmt: skip
