"""Bulk lookup services against the in-process fake Capillary (and a MockTransport for shapes the fake never sends)."""

import json
import threading
import time
from datetime import timedelta

import httpx
import pytest
from django.core.management import call_command
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
    bulk_calls = upstream(fake_http, path="/v2/bulk/")
    assert len(bulk_calls) == 1
    # Found by customer ID: the bulk call asks for program details (CAPILLARY_BULK_EMBED), so tier and points show.
    assert "mlp" in str(bulk_calls[0]["query"])
    assert result["566881933"].tier == "Coral"
    assert result["566881933"].points is not None


def test_duplicates_are_looked_up_once_and_reported_on_each_line(agent, capillary, fake_http):
    fake_http.delete("/__fake__/requests")
    job = run(agent, ["566881933", "566881933", "+91 98450 00001", "919845000001", "566881933"])
    result = rows(job)
    assert [r.customer_id for r in result] == [566881933, 566881933, 900000001, 900000001, 566881933]
    assert all(r.status == "found" for r in result)
    # One bulk call for the id, one lookup for the mobile both mobile spellings read as.
    assert [c["path"] for c in upstream(fake_http)] == ["/v2/bulk/getCustomers", "/v2/customers/lookup/customerDetails"]


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
    job = run(agent, ["566881933", "aiko.tanaka@example.com"])
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


def test_identifier_lookups_run_several_at_a_time_but_bounded(agent, capillary, fake_http):
    fake_http.post("/__fake__/faults", json={"path": "/v2/customers/lookup", "delay_ms": 200, "count": None})
    emails = [f"nobody{n}@example.com" for n in range(2 * resolver.LOOKUP_WORKERS)]
    started = time.perf_counter()
    job = run(agent, emails)
    elapsed = time.perf_counter() - started
    assert job.counts == {"not_found": len(emails)}
    # 16 lookups of 200 ms: at most 8 at once means at least two waves; one at a time would take 3.2 s.
    assert 0.4 <= elapsed < 2.0


def test_bulk_answers_are_written_as_they_come_with_at_most_four_calls_in_flight_and_rows_in_order(
    agent, capillary, fake_http, monkeypatch
):
    fake_http.post("/__fake__/seed", json={"customers": 1000})
    ids = [str(100000001 + n) for n in range(1000)][::-1]
    original, lock = CapillaryClient._bulk_chunk, threading.Lock()
    in_flight, most, calls_out_while_rows = 0, 0, []
    apply = resolver.Resolver._apply_bulk

    def applied(self, entry, result):
        calls_out_while_rows.append(in_flight)
        return apply(self, entry, result)

    def counted(self, chunk, params, model):
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        time.sleep(0.05)  # long enough for the others to be sent meanwhile
        try:
            return original(self, chunk, params, model)
        finally:
            with lock:
                in_flight -= 1

    monkeypatch.setattr(CapillaryClient, "_bulk_chunk", counted)
    monkeypatch.setattr(resolver.Resolver, "_apply_bulk", applied)
    fake_http.delete("/__fake__/requests")
    job = run(agent, ids)
    assert most == 4  # the client's bulk_max_workers
    assert len(upstream(fake_http)) == 10
    assert job.counts == {"found": 1000}
    assert [r.customer_id for r in rows(job)] == [int(i) for i in ids]
    # Rows were worked on while later calls were still out (one call after another, none would be).
    assert max(calls_out_while_rows) > 0
