"""activity.py: a customer's activity is derived, not stored, and adds up to the points the customer GET shows."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from memberconsole.fake_capillary.activity import build_activity
from memberconsole.fake_capillary.demo import all_fixture_records
from memberconsole.fake_capillary.generate import GENERATED_BASE_ID, generated_record

CONFIG = json.loads((Path(__file__).parents[2] / "memberconsole/fake_capillary/org.json").read_text())
NOW = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)
FIXTURE_RECORDS = all_fixture_records()
GENERATED = [generated_record(GENERATED_BASE_ID + n) for n in range(1, 401)]
RECORDS = FIXTURE_RECORDS + GENERATED


def by_id(cid):
    return next(r for r in RECORDS if r["id"] == cid)


def debits(activity, pid, event_name):
    return sum(e.points_m for ev in activity.events if ev.name == event_name for e in ev.entries if e.program_id == pid)


def assert_ledger_adds_up(record):
    activity = build_activity(record, CONFIG, NOW)
    for state in record["x"].get("programs", []):
        pid = state["programId"]
        credits = sum(
            e.points_m for ev in activity.events for e in ev.entries if e.program_id == pid and e.kind == "CREDIT"
        )
        assert activity.balance_m(pid) == round(state["loyaltyPoints"] * 1000)
        assert credits == round(state["lifetimePoints"] * 1000)
        assert debits(activity, pid, "PointsRedemption") == round(state["redeemed"] * 1000)
        assert debits(activity, pid, "PointsExpiry") == round(state["expired"] * 1000)
        assert debits(activity, pid, "ReturnBill") == round(state["returned"] * 1000)
        # The schedule covers exactly the points held, all in the future.
        assert sum(b.points_m for b in activity.buckets if b.program_id == pid) == activity.balance_m(pid)


@pytest.mark.parametrize("record", FIXTURE_RECORDS, ids=lambda r: str(r["id"]))
def test_every_program_ledger_of_docs_and_demo_customers_adds_up_to_the_points_their_get_shows(record):
    assert_ledger_adds_up(record)


def test_every_program_ledger_of_400_generated_customers_adds_up_to_the_points_their_get_shows():
    returned = 0
    for record in GENERATED:
        assert_ledger_adds_up(record)
        returned += record["x"]["programs"][0]["returned"] > 0
    assert 20 < returned < 100  # about one in seven generated customers returned something


@pytest.mark.parametrize("record", RECORDS[::9], ids=lambda r: str(r["id"]))
def test_history_lies_in_the_past_and_the_balance_never_goes_below_zero(record):
    activity = build_activity(record, CONFIG, NOW)
    running: dict[int, int] = {}
    for ev in activity.events:
        assert ev.time < NOW
        for e in ev.entries:
            if e.kind != "OPENING_BALANCE":
                running[e.program_id] = running.get(e.program_id, 0) + (
                    e.points_m if e.kind == "CREDIT" else -e.points_m
                )
                assert running[e.program_id] >= 0, (ev.name, ev.time)
    assert all(b.expires > NOW.date() for b in activity.buckets)
    assert [b.expires for b in activity.buckets] == sorted(b.expires for b in activity.buckets)


@pytest.mark.parametrize("record", RECORDS[::11], ids=lambda r: str(r["id"]))
def test_each_bill_earns_what_its_lines_earn_and_the_ledger_credits_it(record):
    activity = build_activity(record, CONFIG, NOW)
    credited = {ev.bill.id: ev.entries[0].points_m for ev in activity.events if ev.name == "TransactionAdd"}
    for bill in activity.bills:
        assert sum(i.points_m for i in bill.line_items) == bill.points_m
        assert sum(i.amount_c for i in bill.line_items) == bill.amount_c
        assert credited.get(bill.id, 0) == bill.points_m


def test_returns_reference_the_bill_they_return_and_debit_its_points():
    activity = build_activity(by_id(900000003), CONFIG, NOW)

    full, line = sorted(activity.returns, key=lambda r: r.return_type)
    assert (full.return_type, line.return_type) == ("FULL", "LINE_ITEM")
    for ret in activity.returns:
        assert ret.time > ret.bill.time
        assert ret.bill in activity.bills
        (debit,) = [ev for ev in activity.events if ev.name == "ReturnBill" and ev.ret is ret]
        assert debit.bill is ret.bill
        assert debit.entries[0].points_m == ret.points_m == ret.bill.returned_m
    assert full.points_m == full.bill.points_m  # all of it came back
    assert line.points_m < line.bill.points_m
    assert line.line_items == [line.bill.line_items[-1]]
    assert len({r.id for r in activity.returns} & {b.id for b in activity.bills}) == 0


def test_demo_customers_show_their_cases():
    many = build_activity(by_id(900000005), CONFIG, NOW)
    assert len(many.transactions()) > 60
    assert {e.program_id for ev in many.events for e in ev.entries} == {983, 469}

    not_interested = build_activity(by_id(900000016), CONFIG, NOW)
    assert [b.type for b in not_interested.bills] == ["NOT_INTERESTED"] * 3
    assert not_interested.events == []
    assert not_interested.buckets == []
    no_points = build_activity(by_id(900000002), CONFIG, NOW).bills
    assert {(b.type, b.outlier) for b in no_points if b.points_m == 0} == {
        ("NOT_INTERESTED", "NORMAL"),
        ("REGULAR", "OUTLIER"),
    }

    soonest = build_activity(by_id(900000001), CONFIG, NOW).buckets[0]
    assert soonest.expires == (NOW + timedelta(days=10)).date()

    quiet = build_activity(by_id(900000010), CONFIG, NOW)
    assert (quiet.bills, quiet.returns, quiet.events, quiet.coupons) == ([], [], [], [])


def test_the_same_record_and_clock_give_the_same_activity_and_a_day_later_shifts_it_a_day():
    record = by_id(GENERATED_BASE_ID + 17)
    first, again = build_activity(record, CONFIG, NOW), build_activity(record, CONFIG, NOW + timedelta(hours=3))
    later = build_activity(record, CONFIG, NOW + timedelta(days=1))

    assert [(b.id, b.number, b.time, b.points_m) for b in first.bills] == [
        (b.id, b.number, b.time, b.points_m) for b in again.bills
    ]
    assert [b.id for b in later.bills] == [b.id for b in first.bills]
    assert [b.time - a.time for a, b in zip(first.bills, later.bills, strict=True)] == [timedelta(days=1)] * len(
        first.bills
    )


def test_seeding_stores_no_activity(app):
    app.store.seed(2_000)
    tables = {r[0] for r in app.store.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"meta", "customers", "profiles", "identifiers", "faults", "requests", "tokens", "sqlite_sequence"}
    record = app.store.get_record(GENERATED_BASE_ID + 2_000)
    assert build_activity(record, app.config, NOW).events  # derived when read
