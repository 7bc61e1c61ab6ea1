"""The bulk lookup pages as an agent sees them, against the in-process fake Capillary."""

import csv
import io
import re
import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from memberconsole.bulk import services
from memberconsole.bulk.models import BulkJob

pytestmark = pytest.mark.django_db

BULK_URL = "/customers/bulk/"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def submit(client, entries="", **data):
    return client.post(BULK_URL, {"entries": entries, **data})


def job_page(client, response):
    assert response.status_code == 302, text(response)[:2000]
    return client.get(response["Location"])


def csv_rows(response) -> list[list[str]]:
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:])))


def grant_contact_details(user):
    user.user_permissions.add(Permission.objects.get(codename="view_contact_details"))


def upstream(fake_http):
    log = fake_http.get("/__fake__/requests").json()
    entries = log["requests"] if isinstance(log, dict) else log
    return [e for e in entries if e["path"].startswith("/v2/")]


class TestPlan:
    """Before a list starts, the page says what it will cost; the agent may say what the list is."""

    def estimate(self, client, entries="", **data):
        return client.post(BULK_URL, {"entries": entries, "action": "estimate", **data}, headers={
            "HX-Request": "true", "HX-Target": "bulk-plan",
        })  # fmt: skip

    def test_a_list_of_numbers_says_its_calls_at_least_and_at_most_as_the_agent_types(self, agent_client, capillary):
        numbers = "\n".join(str(100000001 + n) for n in range(250))
        response = self.estimate(agent_client, numbers)
        assert response.status_code == 200
        body = text(response)
        assert body.strip().startswith('<div id="bulk-plan"')  # only the partial
        assert "250 entries to look up: 3 to 9 Capillary calls, under a minute" in body
        assert "Customer IDs: 250 entries, 3 Capillary calls" in body
        assert "Mobile numbers: 250 entries, 3 Capillary calls" in body
        assert "External IDs: 250 entries, 3 Capillary calls" in body
        assert not BulkJob.objects.exists()  # nothing started

    def test_saying_the_list_is_customer_ids_costs_only_the_id_calls(self, agent_client, capillary):
        numbers = "\n".join(str(100000001 + n) for n in range(250))
        body = text(self.estimate(agent_client, numbers, kind="id"))
        assert "250 entries to look up: 3 Capillary calls, under a minute" in body

    def test_without_javascript_the_check_button_shows_the_plan_and_keeps_the_list(self, agent_client, capillary):
        response = agent_client.post(BULK_URL, {"entries": "566881933\nTTM001110000000002ZS", "action": "estimate"})
        assert response.status_code == 200
        body = text(response)
        assert "2 entries to look up: 2 to 5 Capillary calls" in body
        assert "Card numbers: 1 entry, 1 Capillary call" in body  # the card-like one, looked up on its own
        assert "External IDs: 2 entries, 2 Capillary calls" in body
        assert ">566881933\nTTM001110000000002ZS</textarea>" in response.content.decode()
        assert not BulkJob.objects.exists()

    def test_an_empty_box_says_what_to_paste_not_an_error(self, agent_client, capillary):
        body = text(self.estimate(agent_client, ""))
        assert "Paste at least one customer ID or identifier" in body

    def test_entries_that_are_not_what_the_agent_said_are_invalid_and_cost_nothing(
        self, agent_client, capillary, fake_http
    ):
        fake_http.delete("/__fake__/requests")
        page = job_page(agent_client, submit(agent_client, "+91 98450 00001\naiko.tanaka@example.com", kind="mobile"))
        body = text(page)
        assert "That is not a mobile number" in body
        job = BulkJob.objects.get()
        assert (job.kind, job.counts) == ("mobile", {"found": 1, "invalid": 1})
        calls = upstream(fake_http)
        assert [(c["path"], c["query"].get("identifierName")) for c in calls] == [("/v2/bulk/getCustomers", "mobile")]


class TestForm:
    def test_form_page_explains_the_input_and_is_in_the_navigation(self, agent_client, capillary):
        response = agent_client.get(BULK_URL)
        assert response.status_code == 200
        body = text(response)
        assert '<a href="/customers/bulk/" aria-current="page">Bulk lookup</a>' in body
        for label in ("Paste a list", "Or upload a CSV file", "Column header", "The first row is a header"):
            assert label in body
        assert "spaces stay inside an entry" in body
        assert "No lists yet" in body

    def test_empty_submission_says_what_to_give(self, agent_client, capillary):
        response = submit(agent_client, " \n\n  \n")
        assert response.status_code == 400
        assert "Paste at least one customer ID or identifier" in text(response)

    def test_ten_thousand_lines_are_refused_with_the_count(self, agent_client, capillary):
        response = submit(agent_client, "\n".join(str(100000001 + n) for n in range(10_000)))
        assert response.status_code == 400
        body = text(response)
        assert "You gave 10,000 entries" in body
        assert "at most 500 can be looked up" in body  # an agent's limit
        assert not BulkJob.objects.exists()

    def test_a_supervisor_may_look_up_5000_and_blank_lines_do_not_count(self, supervisor_client, capillary):
        entries = "\n\n".join(["566881933"] * 5000)
        response = submit(supervisor_client, entries)
        assert response.status_code == 302
        assert BulkJob.objects.get().total == 5000
        response = submit(supervisor_client, "\n".join(["566881933"] * 5001))
        assert "at most 5,000 can be looked up" in text(response)

    def test_paste_and_file_together_are_refused(self, agent_client, capillary):
        upload = SimpleUploadedFile("ids.csv", b"566881933\n", content_type="text/csv")
        response = submit(agent_client, "566881933", file=upload)
        assert response.status_code == 400
        assert "not both" in text(response)

    def test_binary_file_is_refused_with_a_message(self, agent_client, capillary):
        upload = SimpleUploadedFile("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", content_type="text/csv")
        response = submit(agent_client, file=upload)
        assert response.status_code == 400
        assert "not a text file" in text(response)

    def test_non_utf8_file_is_refused_not_guessed(self, agent_client, capillary):
        upload = SimpleUploadedFile("latin1.csv", "id\nJosé Ñúñez\n".encode("cp1252"), content_type="text/csv")
        response = submit(agent_client, file=upload)
        assert response.status_code == 400
        assert "not UTF-8 text" in text(response)
        assert "CSV UTF-8" in text(response)

    def test_file_over_two_megabytes_is_refused(self, agent_client, capillary):
        upload = SimpleUploadedFile("big.csv", b"566881933\n" * 220_000, content_type="text/csv")
        response = submit(agent_client, file=upload)
        assert response.status_code == 400
        assert "at most 2 MB" in text(response)

    def test_unknown_column_lists_the_columns_there_are(self, agent_client, capillary):
        upload = SimpleUploadedFile("x.csv", b"Store,Customer\nS1,566881933\n", content_type="text/csv")
        response = submit(agent_client, file=upload, column="Member")
        assert response.status_code == 400
        body = text(response)
        assert "no column named “Member”" in body
        assert "“Store”, “Customer”" in body

    def test_huge_line_becomes_an_invalid_row_and_the_rest_resolves(self, agent_client, capillary):
        response = submit(agent_client, "566881933\n" + "7" * 1_000_000 + "\n900000001")
        page = job_page(agent_client, response)
        assert page.status_code == 200
        body = text(page)
        assert "too long to be an identifier" in body
        assert BulkJob.objects.get().counts == {"found": 2, "invalid": 1}
        assert "7" * 201 not in body


class TestCsvIn:
    def test_first_column_of_a_semicolon_csv_with_bom(self, agent_client, capillary):
        data = "\ufeff566881933;Store 1\n+91 98450 00001;Store 2\n".encode()
        response = submit(agent_client, file=SimpleUploadedFile("l.csv", data, content_type="text/csv"))
        page = job_page(agent_client, response)
        body = text(page)
        assert "File l.csv" in body
        job = BulkJob.objects.get()
        assert [r.input for r in job.rows.order_by("position")] == ["566881933", "+91 98450 00001"]
        assert job.counts == {"found": 2}

    def test_column_chosen_by_header(self, agent_client, capillary):
        data = b'Store,"Customer ID",Note\nS1,566881933,"a, b"\nS2,,empty\nS3,900000001,x\n'
        response = submit(agent_client, file=SimpleUploadedFile("w.csv", data), column="customer id")
        job_page(agent_client, response)
        job = BulkJob.objects.get()
        assert job.source == "File w.csv, column “customer id”"
        assert [r.customer_id for r in job.rows.order_by("position")] == [566881933, 900000001]

    def test_header_row_skipped_when_asked(self, agent_client, capillary):
        data = b"customer_id\n566881933\n"
        response = submit(agent_client, file=SimpleUploadedFile("h.csv", data), has_header="on")
        job_page(agent_client, response)
        assert [r.input for r in BulkJob.objects.get().rows.all()] == ["566881933"]


class TestResults:
    def test_pasted_list_gives_one_row_per_line_with_counts_and_links(self, agent_client, capillary):
        response = submit(agent_client, "566881933, 900000013\n\n98450 00001\nAsha Rao\n566881933\n999999999")
        page = job_page(agent_client, response)
        body = text(page)
        assert "Bulk lookup of 6 entries" in body
        assert 'class="bulk-count-n">6</span> All' in body
        assert 'class="bulk-count-n">3</span> Found' in body
        assert 'class="bulk-count-n">1</span> Merged' in body
        assert 'class="bulk-count-n">1</span> Invalid input' in body
        assert 'class="bulk-count-n">1</span> Not found' in body
        assert '<a class="mono" href="/customers/566881933/">566881933</a>' in body
        assert '<a class="mono" href="/customers/900000014/">900000014</a>' in body  # the merge survivor
        assert "Merged into customer 900000014." in body
        assert "Names cannot be looked up in bulk" in body
        assert body.index(">98450 00001<") < body.index(">Asha Rao<")
        assert "Download CSV" in body

    def test_status_filter_shows_only_those_rows(self, agent_client, capillary):
        page = job_page(agent_client, submit(agent_client, "566881933\nAsha Rao"))
        filtered = agent_client.get(page.wsgi_request.path, {"status": "invalid"})
        body = text(filtered)
        assert "Asha Rao" in body
        assert 'href="/customers/566881933/"' not in body

    def test_mobile_and_email_are_masked_without_the_permission(self, agent_client, capillary):
        body = text(job_page(agent_client, submit(agent_client, "900000001")))
        assert "aiko.tanaka@example.com" not in body
        assert "a•••@example.com" in body
        assert "+91 ••••• ••001" in body
        assert "919845000001" not in body
        assert "partly hidden" in body

    def test_mobile_and_email_are_shown_with_the_permission(self, agent_client, agent, capillary):
        grant_contact_details(agent)
        body = text(job_page(agent_client, submit(agent_client, "aiko.tanaka@example.com")))
        assert "919845000001" in body
        assert ">aiko.tanaka@example.com</td>" in body
        assert "partly hidden" not in body

    def test_someone_elses_job_is_not_found(self, agent_client, capillary, client):
        page = job_page(agent_client, submit(agent_client, "566881933"))
        other = get_user_model().objects.create_user(username="other", password="x-password-123")
        other.groups.add(Group.objects.get(name="Member-care agent"))
        client.force_login(other)
        assert client.get(page.wsgi_request.path).status_code == 404
        assert client.get(page.wsgi_request.path + "result.csv").status_code == 404
        assert "No lists yet" in text(client.get(BULK_URL))

    def test_jobs_are_listed_for_a_day_then_gone(self, agent_client, capillary):
        page = job_page(agent_client, submit(agent_client, "566881933"))
        listing = text(agent_client.get(BULK_URL))
        assert "Pasted list" in listing
        assert page.wsgi_request.path in listing
        BulkJob.objects.update(created_at=timezone.now() - timedelta(hours=24, minutes=1))
        assert agent_client.get(page.wsgi_request.path).status_code == 404
        assert "No lists yet" in text(agent_client.get(BULK_URL))
        assert BulkJob.objects.exists()  # a page view changes nothing: purge_bulk_jobs deletes it
        call_command("purge_bulk_jobs")
        assert not BulkJob.objects.exists()


class TestCsvOut:
    def test_csv_has_the_table_masked_with_bom_and_a_dated_name(self, agent_client, capillary):
        page = job_page(
            agent_client, submit(agent_client, "566881933\n+91 98450 00001\n=HYPERLINK(1)\nnobody@example.com")
        )
        response = agent_client.get(page.wsgi_request.path + "result.csv")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        day = timezone.localdate().isoformat()
        assert response["Content-Disposition"] == f'attachment; filename="bulk-lookup-{day}.csv"'
        header, *lines = csv_rows(response)
        assert header == [
            "Line", "Input", "Taken as", "Status", "Reason", "Request ID", "Customer ID", "Name", "Tier", "Points",
            "Mobile", "Email",
        ]  # fmt: skip
        assert [line[0] for line in lines] == ["1", "2", "3", "4"]
        first, mobile, formula, nobody = lines
        assert first[3:4] + first[6:8] == ["Found", "566881933", "Bubalus bubalis"]
        assert first[10] == "•••••••345"
        assert mobile[1] == "'+91 98450 00001"  # formula-injection safe
        assert mobile[11] == "a•••@example.com"
        assert formula[1] == "'=HYPERLINK(1)"
        assert formula[3] == "Invalid input"
        assert nobody[3] == "Not found"

    def test_csv_shows_contact_details_with_the_permission(self, agent_client, agent, capillary):
        grant_contact_details(agent)
        page = job_page(agent_client, submit(agent_client, "aiko.tanaka@example.com"))
        _, line = csv_rows(agent_client.get(page.wsgi_request.path + "result.csv"))
        assert line[10:12] == ["919845000001", "aiko.tanaka@example.com"]


class TestProgress:
    def make_running_job(self, agent, **changes):
        job = services.bulk_job_create(
            agent=agent, entries=["566881933", "900000001", "900000002"], source="Pasted list"
        )
        BulkJob.objects.filter(pk=job.pk).update(status="running", processed=1, updated_at=timezone.now(), **changes)
        return job

    def test_running_job_shows_progress_that_polls_and_works_without_js(self, agent_client, agent, capillary):
        job = self.make_running_job(agent)
        body = text(agent_client.get(f"{BULK_URL}{job.pk}/"))
        assert "Looking up… 1 of 3 entries" in body
        assert 'hx-trigger="every 1s"' in body
        assert f'hx-get="/customers/bulk/{job.pk}/"' in body
        assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in body
        assert f'<a href="/customers/bulk/{job.pk}/">Refresh</a>' in body
        assert "Download CSV" not in body

    def test_poll_returns_only_the_progress_partial(self, agent_client, agent, capillary):
        job = self.make_running_job(agent)
        response = agent_client.get(
            f"{BULK_URL}{job.pk}/", headers={"HX-Request": "true", "HX-Target": "bulk-progress"}
        )
        body = text(response)
        assert body.strip().startswith('<div id="bulk-progress"')
        assert "<html" not in body

    def test_poll_after_the_end_reloads_the_page(self, agent_client, agent, capillary):
        job = self.make_running_job(agent)
        BulkJob.objects.filter(pk=job.pk).update(status="done")
        response = agent_client.get(
            f"{BULK_URL}{job.pk}/", headers={"HX-Request": "true", "HX-Target": "bulk-progress"}
        )
        assert response["HX-Refresh"] == "true"

    def test_csv_of_a_running_job_waits(self, agent_client, agent, capillary):
        job = self.make_running_job(agent)
        response = agent_client.get(f"{BULK_URL}{job.pk}/result.csv", follow=True)
        assert "still being looked up" in text(response)

    def test_a_job_no_worker_has_touched_for_minutes_says_so_and_keeps_polling(self, agent_client, agent, capillary):
        job = self.make_running_job(agent)
        BulkJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
        body = text(agent_client.get(f"{BULK_URL}{job.pk}/"))
        assert "No worker has worked on this lookup for a few minutes" in body
        assert "hx-trigger" in body  # it carries on when a worker takes it over: keep showing progress
        assert ">Waiting</span>" in text(agent_client.get(BULK_URL))
        response = agent_client.post(f"{BULK_URL}{job.pk}/", {"action": "resume"})
        assert response.status_code == 302
        job.refresh_from_db()
        assert (job.status, job.counts) == ("done", {"found": 3})

    def test_the_page_says_how_many_calls_a_running_job_made_and_how_long_the_rest_takes(
        self, agent_client, agent, capillary
    ):
        assert "bulk lookups get 800 calls a minute of the org" in text(agent_client.get(BULK_URL))
        job = self.make_running_job(agent, calls_made=1, step="mobile numbers (2 entries)")
        body = text(agent_client.get(f"{BULK_URL}{job.pk}/"))
        assert "now trying mobile numbers (2 entries)" in body
        assert f"1 Capillary call made of at most {job.calls_most}; under a minute left at 800 a minute" in body

    def test_a_running_job_can_be_stopped_keeping_what_was_answered_and_the_rest_looked_up_later(
        self, agent_client, agent, capillary
    ):
        job = self.make_running_job(agent)
        job.rows.filter(position=1).update(status="found", customer_id=566881933, name="Tom Sawyer")
        response = agent_client.post(f"{BULK_URL}{job.pk}/", {"action": "stop"})
        assert response.status_code == 302
        body = text(agent_client.get(f"{BULK_URL}{job.pk}/"))
        assert "Lookup stopped. The rows already looked up are kept" in body
        assert "Stopped with 1 of 3 entries answered." in body
        assert "The other 2 show as “Not looked up yet”" in body
        assert "Download CSV" in body
        job.refresh_from_db()
        assert (job.status, job.counts) == ("stopped", {"found": 1, "pending": 2})
        agent_client.post(f"{BULK_URL}{job.pk}/", {"action": "resume"})
        job.refresh_from_db()
        assert (job.status, job.counts) == ("done", {"found": 3})
        assert job.rows.get(position=1).name == "Tom Sawyer"  # kept, not looked up again

    def test_retry_button_looks_up_rows_with_errors_again(self, agent_client, capillary, fake_http):
        fake_http.post("/__fake__/faults", json={"path": "/v2/bulk/", "status": 503, "count": None})
        page = job_page(agent_client, submit(agent_client, "566881933"))
        assert "Retry the 1 row with errors" in text(page)
        assert "not answering" in text(page)
        fake_http.delete("/__fake__/faults")
        agent_client.post(page.wsgi_request.path, {"action": "retry_errors"})
        assert BulkJob.objects.get().counts == {"found": 1}


@pytest.mark.django_db(transaction=True)
def test_submitting_runs_the_list_in_a_background_thread(agent_client, capillary, settings):
    settings.BULK_RUN_INLINE = False
    response = submit(agent_client, "566881933\n900000001")
    assert response.status_code == 302
    # Wait for the job's thread before touching the database: SQLite's shared in-memory test database locks whole
    # tables, so a read here while the thread writes would fail the thread, not the test.
    job_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    thread = next((t for t in threading.enumerate() if t.name == f"bulk-job-{job_id}"), None)
    if thread is not None:
        thread.join(timeout=30)
    job = BulkJob.objects.get()
    assert (job.status, job.counts) == ("done", {"found": 2})
    assert "Bubalus bubalis" in text(agent_client.get(response["Location"]))
