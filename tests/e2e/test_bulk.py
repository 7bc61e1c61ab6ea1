"""Bulk lookup in a real browser: paste a list, read the table, download the CSV; progress polling ends in the table."""

import csv
import io
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from memberconsole.bulk import runner, services
from memberconsole.bulk.models import BulkJob
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

LIST = """566881933
+91 98450 00001, bubalus.bubalis@example.com

900000013
Asha Rao
999999999
566881933"""


def test_agent_pastes_a_list_and_downloads_the_csv(page, live_server, agent, capillary, screenshot, tmp_path):
    sign_in(page, live_server.url)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Bulk lookup").click()
    expect(page.get_by_role("heading", name="Bulk lookup", level=1)).to_be_visible()
    screenshot("bulk-form")
    page.get_by_label("Paste a list").fill(LIST)
    page.get_by_role("button", name="Look up").click()

    expect(page).to_have_url(re.compile(r"/customers/bulk/[0-9a-f-]{36}/$"))
    table = page.locator("table.bulk-table")
    expect(table.locator("tbody tr")).to_have_count(7)
    rows = table.locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("Found")
    expect(rows.nth(0)).to_contain_text("Bubalus bubalis")
    expect(rows.nth(1)).to_contain_text("mobile 919845000001")
    expect(rows.nth(1)).to_contain_text("Aiko Tanaka")
    expect(rows.nth(3)).to_contain_text("Merged into customer 900000014.")
    expect(rows.nth(4)).to_contain_text("Names cannot be looked up in bulk")
    expect(rows.nth(5)).to_contain_text("Not found")
    counts = page.get_by_role("list", name="Entries per status")
    expect(counts).to_contain_text("4 Found")
    expect(counts).to_contain_text("1 Merged")
    expect(counts).to_contain_text("1 Not found")
    expect(counts).to_contain_text("1 Invalid input")
    expect(rows.nth(1)).to_contain_text("a•••@example.com")  # no permission for contact details: masked
    screenshot("bulk-result")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert re.fullmatch(r"bulk-lookup-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert lines[0][:4] == ["Line", "Input", "Taken as", "Status"]
    assert [line[3] for line in lines[1:]] == [
        "Found", "Found", "Found", "Merged", "Invalid input", "Not found", "Found",
    ]  # fmt: skip
    assert lines[2][1] == "'+91 98450 00001"
    assert lines[2][11] == "a•••@example.com"

    page.get_by_role("link", name="← Bulk lookup").click()
    expect(page.get_by_role("table")).to_contain_text("Pasted list")
    screenshot("bulk-list")


def test_progress_polls_and_turns_into_the_table(page, live_server, agent, capillary, screenshot):
    job = services.bulk_job_create(agent=agent, entries=["566881933", "900000001", "900000002"], source="Pasted list")
    runner.bulk_job_run(job_id=job.pk)
    BulkJob.objects.filter(pk=job.pk).update(status="running", processed=2, updated_at=timezone.now())
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/customers/bulk/{job.pk}/")
    expect(page.get_by_role("status")).to_contain_text("Looking up… 2 of 3 entries")
    expect(page.get_by_role("progressbar")).to_be_visible()
    screenshot("bulk-progress")
    BulkJob.objects.filter(pk=job.pk).update(status="done", updated_at=timezone.now())
    expect(page.locator("table.bulk-table tbody tr")).to_have_count(3, timeout=10_000)
    expect(page.get_by_role("link", name="Download CSV")).to_be_visible()


def test_the_form_says_what_a_list_will_cost_as_the_agent_pastes_it_and_what_it_is(
    page, live_server, agent, capillary, screenshot
):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/customers/bulk/")
    plan = page.locator("#bulk-plan")
    expect(plan).to_contain_text("the calls it needs and how long it takes show here")
    numbers = "\n".join(str(700000000 + n) for n in range(250))
    page.get_by_label("Paste a list").fill(numbers)
    expect(plan).to_contain_text("250 entries to look up: 3 to 9 Capillary calls")
    page.get_by_label("Customer IDs").check()  # saying what the list is
    expect(plan).to_contain_text("250 entries to look up: 3 Capillary calls")
    screenshot("bulk-plan")
    assert not BulkJob.objects.exists()  # nothing started while the agent was deciding
    page.get_by_role("button", name="Look up").click()
    expect(page).to_have_url(re.compile(r"/customers/bulk/[0-9a-f-]{36}/$"))
    expect(page.locator("table.bulk-table tbody tr")).to_have_count(250)
    job = BulkJob.objects.get()
    assert (job.kind, job.calls_made) == ("id", 3)
