"""Bulk lookup services against the in-process fake Capillary (and a MockTransport for shapes the fake never sends)."""

import json
import threading
import time
from datetime import timedelta

import httpx
import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from memberconsole.bulk import resolver, runner, services, tasks
from memberconsole.bulk.models import BulkJob, BulkRow
from memberconsole.capillary import CapillaryBasicAuth, CapillaryClient
from memberconsole.capillary.factory import FAKE_BASE_URL, FAKE_PASSWORD, FAKE_USERNAME, build_capillary_client

pytestmark = pytest.mark.django_db


def upstream(fake_http, *, path="/v2/"):
    log = fake_http.get("/__fake__/requests").json()
    entries = log["requests"] if isinstance(log, dict) else log
    return [e for e in entries if e["path"].startswith(path)]


def run(agent, entries, *, client=None) -> BulkJob:
    if client is None:
        job = services.bulk_job_submit(agent=agent, entries=entries, source="Pasted list")  # runs: immediate backend
    else:
        job = services.bulk_job_create(agent=agent, entries=entries, source="Pasted list")
        runner.bulk_job_run(job_id=job.pk, client=client)
    job.refresh_from_db()
    return job


def rows(job) -> list[BulkRow]:
    return list(job.rows.order_by("position"))


def calls_by_kind(calls) -> dict[str, int]:
    """Upstream calls per kind: "bulk ids", "bulk mobile", ..., "lookup cardnumber"."""
    counts: dict[str, int] = {}
    for call in calls:
        if call["path"] == "/v2/bulk/getCustomers":
            kind = "bulk " + call["query"].get("identifierName", "ids")
        else:
            kind = "lookup " + call["query"].get("identifierName", "?")
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def test_250_ids_are_fetched_in_three_bulk_calls_in_input_order(agent, capillary, fake_http):
    fake_http.post("/__fake__/seed", json={"customers": 300})
    ids = [str(100000001 + n) for n in range(250)][::-1]  # reversed: the table keeps the input's order
    fake_http.delete("/__fake__/requests")
    job = run(agent, ids)
    calls = upstream(fake_http)
    assert [(c["method"], c["path"]) for c in calls] == [("POST", "/v2/bulk/getCustomers")] * 3
    assert job.status == BulkJob.Status.DONE
    assert job.processed == job.total == 250
    assert job.counts == {"found": 250}
    result = rows(job)
    assert [r.input for r in result] == ids
    assert [r.customer_id for r in result] == [int(i) for i in ids]
    assert all(r.name and r.taken_as == f"customer ID {r.input}" for r in result)


def test_mixed_ids_and_identifiers_resolve_like_the_search_box(agent, capillary, fake_http):
    fake_http.delete("/__fake__/requests")
    job = run(
        agent,
        ["566881933", "+91 98450 00001", "aiko.tanaka@example.com", "mtest00000000067003", "1234512345", "XSS-0004"],
    )
    result = {r.input: r for r in rows(job)}
    assert {k: (r.status, r.customer_id) for k, r in result.items()} == {
        "566881933": ("found", 566881933),
        "+91 98450 00001": ("found", 900000001),
        "aiko.tanaka@example.com": ("found", 900000001),
        "mtest00000000067003": ("found", 566881933),
        "1234512345": ("found", 566881933),
        "XSS-0004": ("found", 900000004),
    }
    assert result["+91 98450 00001"].taken_as == "mobile 919845000001"
    assert result["1234512345"].taken_as == "mobile 1234512345 (as typed)"
    assert result["mtest00000000067003"].taken_as == "card number mtest00000000067003"
    # Found by identifier: the lookup carries the main program's tier and points; contact details are stored.
    aiko = result["aiko.tanaka@example.com"]
    assert aiko.name == "Aiko Tanaka"
    assert aiko.tier
    assert aiko.points is not None
    assert (aiko.mobile, aiko.email) == ("919845000001", "aiko.tanaka@example.com")
    # Ids, mobiles, emails and external IDs in bulk calls (one per kind and round: the number missed as its first
    # mobile reading is tried as typed next); the two card-like entries one lookup each.
    assert calls_by_kind(upstream(fake_http)) == {
        "bulk ids": 1, "bulk mobile": 2, "bulk email": 1, "bulk externalId": 1, "lookup cardnumber": 2,
    }  # fmt: skip
    # The bulk calls ask for program details (CAPILLARY_BULK_EMBED), so tier and points show.
    assert all(c["query"].get("embed") == "mlp" for c in upstream(fake_http, path="/v2/bulk/"))
    assert result["566881933"].tier == "Coral"
    assert result["566881933"].points is not None


def test_duplicates_are_looked_up_once_and_reported_on_each_line(agent, capillary, fake_http):
    fake_http.delete("/__fake__/requests")
    job = run(agent, ["566881933", "566881933", "+91 98450 00001", "919845000001", "566881933"])
    result = rows(job)
    assert [r.customer_id for r in result] == [566881933, 566881933, 900000001, 900000001, 566881933]
    assert all(r.status == "found" for r in result)
    # One bulk call for the id, one for the mobile both mobile spellings read as.
    assert calls_by_kind(upstream(fake_http)) == {"bulk ids": 1, "bulk mobile": 1}


def test_item_failures_inside_a_successful_bulk_answer_are_reported_per_row(agent, capillary, fake_http):
    job = run(agent, ["900000012", "900000013", "566881933", "999999999"])
    result = {r.input: r for r in rows(job)}
    assert result["566881933"].status == "found"
    deleted = result["900000012"]
    assert deleted.status == "deleted"
    assert "PII" in deleted.reason
    assert deleted.request_id
    merged = result["900000013"]
    assert (merged.status, merged.customer_id) == ("merged", 900000014)
    assert merged.reason == "Merged into customer 900000014."
    missing = result["999999999"]
    assert missing.status == "not_found"
    assert missing.customer_id is None
    assert missing.taken_as == "customer ID 999999999"
    assert "also tried" in missing.reason


def test_emails_are_looked_up_lower_cased_then_as_typed(agent, capillary):
    job = run(agent, ["PRIYA.IYER@EXAMPLE.COM", "Noor.Capital@Example.com", "noor.capital@example.com"])
    upper, mixed, lower = rows(job)
    # Typed in capitals, stored in lower case: the lower-cased reading finds it.
    assert (upper.status, upper.customer_id, upper.taken_as) == ("found", 900000005, "email priya.iyer@example.com")
    # Stored with capitals: the lower-cased reading misses, the spelling as typed finds it.
    assert (mixed.status, mixed.customer_id) == ("found", 900000023)
    assert mixed.taken_as == "email Noor.Capital@Example.com (as typed)"
    assert mixed.email == "Noor.Capital@Example.com"
    # Typed in lower case, stored with capitals: exact lookups cannot find it.
    assert (lower.status, lower.reason) == ("not_found", "No customer found.")


@pytest.mark.parametrize(
    ("typed", "taken_as", "customer_id"),
    [
        ("900000012", "customer ID 900000012", 900000012),
        ("DELETED-900000012", "external ID DELETED-900000012", None),
    ],
)
def test_a_deleted_customer_by_id_or_identifier_is_reported_deleted_after_every_reading(
    agent, capillary, fake_http, typed, taken_as, customer_id
):
    fake_http.delete("/__fake__/requests")
    (row,) = rows(run(agent, [typed]))
    assert (row.status, row.taken_as, row.customer_id) == ("deleted", taken_as, customer_id)
    assert row.reason == "Deleted after a personal-data (PII) deletion request: no data can be shown."
    assert row.request_id
    assert len(upstream(fake_http)) > 1  # the other readings were tried too


def test_an_active_customer_found_by_another_reading_wins_over_a_deleted_id(agent, capillary, register_in_fake):
    new_id = register_in_fake(("mobile", "919811100012"), ("externalId", "900000012"))
    (row,) = rows(run(agent, ["900000012"]))
    assert (row.status, row.customer_id, row.taken_as) == ("found", new_id, "external ID 900000012")


def test_an_unknown_item_error_in_a_bulk_answer_says_so_with_the_request_id(agent):
    def handler(request: httpx.Request) -> httpx.Response:
        ids = json.loads(request.content)
        data = [
            {"entity": None, "warnings": [], "success": False,
             "errors": [{"status": False, "code": 1044, "message": "You do not have sufficient permission"}]}
            if customer_id == 111111111
            else {"entity": {"id": customer_id, "profiles": [{"firstName": "Ana", "source": "INSTORE"}]},
                  "warnings": [], "errors": [], "success": True}
            for customer_id in ids
        ]  # fmt: skip
        body = {"data": data, "warnings": [], "errors": []}
        return httpx.Response(200, json=body, headers={"X-Cap-Requestid": "req-bulk-1"})

    client = build_capillary_client(base_url=FAKE_BASE_URL, transport=httpx.MockTransport(handler))
    job = run(agent, ["111111111", "222222222"], client=client)
    failed, ok = rows(job)
    assert (ok.status, ok.name) == ("found", "Ana")
    assert failed.status == "error"
    assert failed.request_id == "req-bulk-1"
    assert "code 1044" in failed.reason
    assert job.counts == {"error": 1, "found": 1}


def test_a_failed_bulk_call_marks_its_rows_and_the_rest_still_resolve(agent, capillary, fake_app, fake_http):
    fake_http.post("/__fake__/seed", json={"customers": 200})
    # One chunk in flight and no retries, so exactly the first chunk meets the fault.
    client = CapillaryClient.build(
        base_url=FAKE_BASE_URL,
        auth=CapillaryBasicAuth(FAKE_USERNAME, FAKE_PASSWORD),
        timeout=5.0,
        user_agent="tests",
        transport=httpx.WSGITransport(app=fake_app),
        bulk_max_workers=1,
        max_retries=0,
    )
    fake_http.post("/__fake__/faults", json={"path": "/v2/bulk/getCustomers", "status": 503, "count": 1})
    ids = [str(100000001 + n) for n in range(150)]
    job = run(agent, [*ids, "aiko.tanaka@example.com"], client=client)
    result = rows(job)
    failed, resolved = result[:100], result[100:]
    assert {r.status for r in failed} == {"error"}
    assert all("not answering" in r.reason and r.request_id for r in failed)
    assert {r.status for r in resolved} == {"found"}
    assert job.counts == {"error": 100, "found": 51}
    assert job.status == BulkJob.Status.DONE


def test_rows_with_errors_can_be_retried(agent, capillary, fake_http):
    fake_http.post("/__fake__/faults", json={"path": "/v2/customers/lookup", "status": 503, "count": None})
    job = run(agent, ["566881933", "mtest00000000067003"])  # the card number is looked up on its own
    assert job.counts == {"error": 1, "found": 1}
    assert rows(job)[1].request_id
    fake_http.delete("/__fake__/faults")
    services.bulk_job_retry_errors(job=job)
    job.refresh_from_db()
    assert job.counts == {"found": 2}
    assert job.processed == 2


def test_names_long_lines_and_junk_are_invalid_per_row_without_upstream_calls(agent, capillary, fake_http):
    fake_http.delete("/__fake__/requests")
    job = run(agent, ["Asha Rao", "x" * 300, "a\x00b", "bob@", "<b>x</b>"])
    reasons = [r.reason for r in rows(job)]
    assert reasons[0] == "Names cannot be looked up in bulk: use the search box."
    assert "too long" in reasons[1]
    assert "control characters" in reasons[2]
    assert reasons[3] == "Not a valid email address."
    assert "characters that no identifier" in reasons[4]
    assert {r.status for r in rows(job)} == {"invalid"}
    assert rows(job)[1].input == "x" * 200 + "…"
    assert upstream(fake_http) == []
    assert job.status == BulkJob.Status.DONE


def test_capillary_never_sees_names_or_inputs_in_logs(agent, capillary, caplog):
    caplog.set_level("DEBUG")
    run(agent, ["aiko.tanaka@example.com", "+91 98450 00001", "Asha Rao"])
    text = caplog.text
    for secret in ("aiko", "98450", "Asha", "Tanaka"):
        assert secret not in text


@pytest.mark.django_db(transaction=True)
def test_a_submitted_job_and_its_watch_are_queued_together_and_a_worker_runs_it(agent, capillary, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = services.bulk_job_submit(agent=agent, entries=["566881933", "900000001"], source="Pasted list")
    assert job.status == BulkJob.Status.QUEUED
    queued = sorted(t.task_path.rsplit(".", 1)[1] for t in DBTaskResult.objects.all())
    assert queued == ["run_bulk_job", "watch_bulk_job"]
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0")
    job.refresh_from_db()
    assert job.status == BulkJob.Status.DONE
    assert job.counts == {"found": 2}


def test_the_watch_takes_over_a_job_whose_worker_died_and_it_carries_on_from_the_resolved_rows(
    agent, capillary, fake_http
):
    job = services.bulk_job_create(agent=agent, entries=["566881933", "900000001", "565261498"], source="Pasted list")
    first = job.rows.get(position=1)
    BulkRow.objects.filter(pk=first.pk).update(status="found", customer_id=566881933, name="Done before")
    BulkJob.objects.filter(pk=job.pk).update(
        status="running", runner="dead-worker", processed=1, updated_at=timezone.now() - timedelta(seconds=40)
    )
    fake_http.delete("/__fake__/requests")
    assert tasks.watch_bulk_job.call(str(job.pk)) == "watching"  # took it over: the (immediate) worker ran it
    job.refresh_from_db()
    assert (job.status, job.counts) == ("done", {"found": 3})
    assert job.rows.get(position=1).name == "Done before"  # not looked up again
    assert len(upstream(fake_http)) == 1  # the two rows left, in one bulk call
    assert job.rows.count() == 3  # every row once


def test_the_watch_leaves_a_live_job_alone_and_stops_when_it_is_done(agent, capillary, fake_http):
    job = services.bulk_job_create(agent=agent, entries=["566881933"], source="Pasted list")
    BulkJob.objects.filter(pk=job.pk).update(status="running", runner="alive", updated_at=timezone.now())
    fake_http.delete("/__fake__/requests")
    assert tasks.watch_bulk_job.call(str(job.pk)) == "watching"
    assert BulkJob.objects.get(pk=job.pk).runner == "alive"
    assert upstream(fake_http) == []
    BulkJob.objects.filter(pk=job.pk).update(status="done")
    assert tasks.watch_bulk_job.call(str(job.pk)) == "finished"


def test_a_runner_that_was_taken_over_stops_writing(agent, capillary):
    job = services.bulk_job_create(agent=agent, entries=["566881933"], source="Pasted list")
    token = runner.claim(job.pk)
    BulkJob.objects.filter(pk=job.pk).update(runner="the-new-runner")
    heartbeat = runner._Heartbeat(job.pk, token)
    writer = runner._ProgressWriter(job=job, runner=token, processed=0, heartbeat=heartbeat)
    writer.add(list(job.rows.all()))
    with pytest.raises(runner.Superseded):
        writer.flush(force=True)
    assert not runner._beat(job.pk, token)


def test_a_failed_job_can_resume(agent, capillary):
    job = services.bulk_job_create(agent=agent, entries=["566881933", "900000001"], source="Pasted list")
    BulkJob.objects.filter(pk=job.pk).update(status="failed")
    services.bulk_job_resume(job=job)
    job.refresh_from_db()
    assert (job.status, job.counts) == ("done", {"found": 2})


def test_a_live_running_job_is_not_started_twice(agent, capillary, fake_http):
    job = services.bulk_job_create(agent=agent, entries=["566881933"], source="Pasted list")
    BulkJob.objects.filter(pk=job.pk).update(status="running", updated_at=timezone.now())
    fake_http.delete("/__fake__/requests")
    runner.bulk_job_run(job_id=job.pk)
    assert upstream(fake_http) == []


def test_jobs_older_than_a_day_are_purged_by_the_command(agent, capillary):
    old = services.bulk_job_create(agent=agent, entries=["566881933"], source="Pasted list")
    fresh = services.bulk_job_create(agent=agent, entries=["566881933"], source="Pasted list")
    BulkJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    call_command("purge_bulk_jobs")
    assert list(BulkJob.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not BulkRow.objects.filter(job_id=old.pk).exists()


class CountingTransport(httpx.BaseTransport):
    """The in-process fake, counting how many one-by-one lookups are in flight at once (each held a moment)."""

    def __init__(self, app) -> None:
        self.inner = httpx.WSGITransport(app=app)
        self.lock = threading.Lock()
        self.in_flight = self.most = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        lookup = request.url.path.startswith("/v2/customers/lookup")
        if lookup:
            with self.lock:
                self.in_flight += 1
                self.most = max(self.most, self.in_flight)
            time.sleep(0.05)  # long enough for the others to be sent meanwhile
        try:
            return self.inner.handle_request(request)
        finally:
            if lookup:
                with self.lock:
                    self.in_flight -= 1


def test_one_by_one_lookups_run_several_at_a_time_but_bounded(agent, capillary, fake_app):
    transport = CountingTransport(fake_app)
    client = CapillaryClient.build(
        base_url=FAKE_BASE_URL,
        auth=CapillaryBasicAuth(FAKE_USERNAME, FAKE_PASSWORD),
        timeout=5.0,
        user_agent="tests",
        transport=transport,
    )
    cards = [f"NOCARD{n:04d}" for n in range(3 * resolver.LOOKUP_WORKERS)]  # card numbers: no bulk API takes them
    job = run(agent, cards, client=client)
    assert job.counts == {"not_found": len(cards)}
    assert transport.most == resolver.LOOKUP_WORKERS


def test_bulk_answers_are_written_as_they_come_with_at_most_four_calls_in_flight_and_rows_in_order(
    agent, capillary, fake_http, monkeypatch
):
    fake_http.post("/__fake__/seed", json={"customers": 1000})
    ids = [str(100000001 + n) for n in range(1000)][::-1]
    original, lock = CapillaryClient._bulk_post, threading.Lock()
    in_flight, most, calls_out_while_rows = 0, 0, []
    apply = resolver.Resolver._apply_bulk

    def applied(self, entry, result):
        calls_out_while_rows.append(in_flight)
        return apply(self, entry, result)

    def counted(self, chunk, params, parse):
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        time.sleep(0.05)  # long enough for the others to be sent meanwhile
        try:
            return original(self, chunk, params, parse)
        finally:
            with lock:
                in_flight -= 1

    monkeypatch.setattr(CapillaryClient, "_bulk_post", counted)
    monkeypatch.setattr(resolver.Resolver, "_apply_bulk", applied)
    fake_http.delete("/__fake__/requests")
    job = run(agent, ids)
    assert most == 4  # the client's bulk_max_workers
    assert len(upstream(fake_http)) == 10
    assert job.counts == {"found": 1000}
    assert [r.customer_id for r in rows(job)] == [int(i) for i in ids]
    # Rows were worked on while later calls were still out (one call after another, none would be).
    assert max(calls_out_while_rows) > 0


# ---------------------------------------------------------------------------------------------------- the budget


def nine_digit_list(hits: int = 3, total: int = 1000) -> list[str]:
    """The issue's list: 9-digit numbers, `hits` of them demo customer IDs, the rest nobody's."""
    known = ["566881933", "565261498", "900000001"][:hits]
    return known + [str(700000000 + n) for n in range(total - len(known))]


def test_1000_numbers_that_miss_as_ids_cost_30_calls_not_thousands(agent, capillary, fake_http):
    fake_http.delete("/__fake__/requests")
    job = run(agent, nine_digit_list())
    assert job.counts == {"found": 3, "not_found": 997}
    # The 997 misses are tried as mobiles and external IDs in bulk, 100 to a call; as card numbers not at all (nine
    # digits do not look like one, BULK_CARD_PATTERN).
    assert calls_by_kind(upstream(fake_http)) == {"bulk ids": 10, "bulk mobile": 10, "bulk externalId": 10}
    assert (job.calls_made, job.calls_least, job.calls_most) == (30, 10, 30)
    missed = job.rows.get(position=4)
    assert missed.reason == "No customer found; also tried as mobile, external ID."


def test_the_plan_counts_calls_before_anything_is_sent():
    plan = resolver.plan_calls(nine_digit_list())
    assert (plan.least, plan.most, plan.entries) == (10, 30, 1000)
    assert [(kind, n) for kind, n, _ in plan.steps] == [("id", 1000), ("mobile", 1000), ("externalId", 1000)]
    assert resolver.plan_calls(nine_digit_list(), kind="id").most == 10
    # Card-like entries cost a call each; duplicates and invalid lines cost nothing.
    cards = resolver.plan_calls(["TTM001110000000002ZS", "TTM001110000000002ZS", "Asha Rao", "bob@"])
    assert (cards.least, cards.most, cards.entries) == (1, 2, 1)


@pytest.mark.parametrize(
    ("kind", "entries", "expected"),
    [
        ("mobile", ["+91 98450 00001", "98450 00001", "aiko.tanaka@example.com"], ["found", "found", "invalid"]),
        ("email", ["AIKO.TANAKA@example.com", "919845000001"], ["found", "invalid"]),
        ("id", ["566881933", "919845000001x"], ["found", "invalid"]),
        ("externalId", ["XSS-0004"], ["found"]),
        ("cardnumber", ["mtest00000000067003"], ["found"]),
    ],
)
def test_a_list_said_to_be_one_kind_is_looked_up_only_that_way(agent, capillary, fake_http, kind, entries, expected):
    fake_http.delete("/__fake__/requests")
    job = services.bulk_job_submit(agent=agent, entries=entries, source="Pasted list", kind=kind)
    assert [r.status for r in rows(job)] == expected
    kinds = set(calls_by_kind(upstream(fake_http)))
    assert kinds == {{"id": "bulk ids", "cardnumber": "lookup cardnumber"}.get(kind, f"bulk {kind}")}


def test_a_cluster_that_refuses_identifiers_in_bulk_gets_them_one_by_one_and_the_operator_is_told(
    agent, capillary, fake_http, caplog
):
    fake_http.post("/__fake__/config", json={"behaviour": {"bulk_identifier_names": []}})
    fake_http.delete("/__fake__/requests")
    job = run(agent, ["+91 98450 00001", "aiko.tanaka@example.com", "nobody@example.com"])
    assert [r.status for r in rows(job)] == ["found", "found", "not_found"]
    assert calls_by_kind(upstream(fake_http)) == {
        "bulk mobile": 1, "lookup mobile": 1, "bulk email": 1, "lookup email": 2,
    }  # fmt: skip
    assert "bulk lookup by mobile refused by Capillary" in caplog.text
    assert "CAPILLARY_BULK_IDENTIFIERS" in caplog.text


def test_with_no_bulk_identifiers_configured_identifiers_are_looked_up_one_by_one(
    agent, capillary, fake_http, settings
):
    settings.CAPILLARY_BULK_IDENTIFIERS = []
    fake_http.delete("/__fake__/requests")
    job = run(agent, ["+91 98450 00001", "aiko.tanaka@example.com"])
    assert job.counts == {"found": 2}
    assert calls_by_kind(upstream(fake_http)) == {"lookup mobile": 1, "lookup email": 1}


class Dies(BaseException):
    """The worker's process dies mid-job (here: the transport raises after a number of calls; a BaseException, so no
    handler runs, as under SIGKILL)."""


class RecordingTransport(httpx.BaseTransport):
    """The in-process fake, recording every (kind, value) sent; raises Dies on call number `die_at`."""

    def __init__(self, app, *, die_at: int | None = None) -> None:
        self.inner = httpx.WSGITransport(app=app)
        self.die_at = die_at
        self.calls = 0
        self.sent: list[tuple[str, str]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.calls == self.die_at:
            raise Dies
        query = dict(request.url.params)
        if request.url.path == "/v2/bulk/getCustomers":
            request.read()
            kind = query.get("identifierName", "id")
            self.sent += [(kind, str(value)) for value in json.loads(request.content)]
        elif "identifierValue" in query:
            self.sent.append((query["identifierName"], query["identifierValue"]))
        return self.inner.handle_request(request)


def client_over(transport) -> CapillaryClient:
    return CapillaryClient.build(
        base_url=FAKE_BASE_URL,
        auth=CapillaryBasicAuth(FAKE_USERNAME, FAKE_PASSWORD),
        timeout=5.0,
        user_agent="tests",
        transport=transport,
        bulk_max_workers=1,
        max_retries=0,
    )


def test_progress_is_saved_after_every_call_so_a_job_taken_over_tries_nothing_twice(agent, capillary, fake_app):
    entries = nine_digit_list(total=400)
    job = services.bulk_job_create(agent=agent, entries=entries, source="Pasted list")
    first = RecordingTransport(fake_app, die_at=7)  # 4 id calls answered, then 2 mobile calls, then it dies
    with pytest.raises(Dies):
        runner.bulk_job_run(job_id=job.pk, client=client_over(first))
    job.refresh_from_db()
    assert job.calls_made == 6
    # What the dead worker learnt is on the rows: 3 found, 200 past their mobile reading, 197 past their ID reading.
    tries = dict(job.rows.filter(status="pending").values_list("tries").annotate(n=Count("pk")).order_by())
    assert (job.processed, tries) == (3, {1: 197, 2: 200})
    BulkJob.objects.filter(pk=job.pk).update(status="running", updated_at=timezone.now() - timedelta(minutes=5))
    second = RecordingTransport(fake_app)
    runner.bulk_job_run(job_id=job.pk, client=client_over(second))
    job.refresh_from_db()
    assert (job.status, job.counts) == ("done", {"found": 3, "not_found": 397})
    assert not set(first.sent) & set(second.sent)  # nothing asked twice
    assert second.calls == 2 + 4  # the mobiles left (197 in 2 calls), then every external ID (4 calls)


def test_a_busy_worker_adopts_a_job_whose_runner_died_but_never_a_queued_one(agent, capillary):
    queued = services.bulk_job_create(agent=agent, entries=["566881933"], source="Pasted list")
    assert runner.claim(queued.pk, stale_only=True) is None
    BulkJob.objects.filter(pk=queued.pk).update(status="running", updated_at=timezone.now() - timedelta(minutes=1))
    assert runner.claim(queued.pk, stale_only=True)


def test_a_stopped_job_stops_its_runner_at_its_next_save(agent, capillary):
    job = services.bulk_job_create(agent=agent, entries=["566881933", "900000001"], source="Pasted list")
    token = runner.claim(job.pk)
    assert services.bulk_job_stop(job=job)
    heartbeat = runner._Heartbeat(job.pk, token)
    writer = runner._ProgressWriter(job=job, runner=token, processed=0, heartbeat=heartbeat)
    writer.add(list(job.rows.all()))
    with pytest.raises(runner.Superseded):
        writer.flush(force=True)
    job.refresh_from_db()
    assert (job.status, job.counts, job.processed) == ("stopped", {"pending": 2}, 0)
    assert not services.bulk_job_stop(job=job)  # stopped once
