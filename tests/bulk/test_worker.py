"""Real processes: task workers (`manage.py db_worker`) and a web server on one database. A worker killed mid-job has
its job taken over by a live worker, which carries on from the rows already resolved; a web server killed mid-job
changes nothing for the job, and a new one shows its progress. PostgreSQL when DATABASE_URL says so (the production
profile), else an SQLite file."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
# Short timings so the takeover happens in seconds here (the defaults, 5/20/30 s, move a job within a minute).
TIMINGS = {"BULK_HEARTBEAT_SECONDS": "0.5", "BULK_WATCH_SECONDS": "1", "BULK_STALE_SECONDS": "3"}


@pytest.fixture
def database_url(tmp_path):
    """A fresh, migrated database the test's processes share."""
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith("postgres"):
        import psycopg

        base, _, _ = configured.rpartition("/")
        name = f"mc_worker_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        url = f"{base}/{name}"
    else:
        url, name = f"sqlite:///{tmp_path / 'console.sqlite3'}", None
    manage(url, tmp_path, "migrate", "--noinput")
    yield url
    if name:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def env_for(url: str, tmp_path: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="memberconsole.settings",
        DEBUG="True",
        LOG_LEVEL="WARNING",
        DATABASE_URL=url,
        CACHE_URL="locmemcache://worker-test",
        CAPILLARY_BASE_URL="",
        CAPILLARY_FAKE_DB=str(tmp_path / "fake.sqlite3"),
        PYTHONPATH=str(ROOT),
        **TIMINGS,
    )
    return env


def manage(url: str, tmp_path: Path, *args: str, check: bool = True) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env_for(url, tmp_path), capture_output=True, text=True, timeout=180
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


def shell(url: str, tmp_path: Path, code: str) -> str:
    return manage(url, tmp_path, "shell", "-c", code)


def start_worker(url: str, tmp_path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
        cwd=ROOT, env=env_for(url, tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def job_state(url: str, tmp_path: Path, job_id: str) -> tuple[str, int, int, str]:
    out = shell(
        url,
        tmp_path,
        f"from memberconsole.bulk.models import BulkJob; j = BulkJob.objects.get(pk='{job_id}'); "
        "print(j.status, j.processed, j.total, j.runner or '-')",
    )
    status, processed, total, runner = out.splitlines()[-1].split()
    return status, int(processed), int(total), runner


def wait_for(predicate, *, timeout: float, step: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out waiting")


FAULT = """
from django.conf import settings
from memberconsole.fake_capillary import create_app
create_app(db_path=settings.CAPILLARY_FAKE_DB).faults.add({"path": "%(path)s", "method": None, "status": None,
    "delay_ms": %(delay)d, "timeout": False, "malformed": False, "count": None, "when": "before", "retry_after": None,
    "body": None})
"""

SUBMIT = """
from django.contrib.auth.models import Group
from django.contrib.auth import get_user_model
from memberconsole.bulk import services
agent, _ = get_user_model().objects.get_or_create(username="worker-test")
agent.groups.add(Group.objects.get(name="Member-care agent"))
print(services.bulk_job_submit(agent=agent, entries=%(entries)r, source="Pasted list").pk)
"""

# The list: 1,000 nine-digit numbers, 3 of them customer IDs (the fake's demo customers), 997 nobody's.
NINE_DIGITS = ["566881933", "565261498", "900000001"] + [str(700000000 + n) for n in range(997)]

ROWS = """
from collections import Counter
from memberconsole.bulk.models import BulkRow
rows = BulkRow.objects.filter(job_id='%s')
positions = Counter(rows.values_list("position", flat=True))
counts = [rows.filter(status=s).count() for s in ("pending", "found", "not_found")]
print(rows.count(), max(positions.values()), *counts)
"""

UPSTREAM = """
from django.conf import settings
from memberconsole.fake_capillary import create_app
log = create_app(db_path=settings.CAPILLARY_FAKE_DB).request_log.entries()
bulk = sum(1 for e in log if e["path"] == "/v2/bulk/getCustomers")
print(bulk, sum(1 for e in log if e["path"].startswith("/v2/customers/lookup")))
"""


def add_fault(url: str, tmp_path: Path, path: str, delay_ms: int) -> None:
    shell(url, tmp_path, FAULT % {"path": path, "delay": delay_ms})


def submit(url: str, tmp_path: Path, entries: list[str]) -> str:
    return shell(url, tmp_path, SUBMIT % {"entries": entries}).splitlines()[-1]


def rows_of(url: str, tmp_path: Path, job_id: str) -> tuple[int, ...]:
    """(rows, most rows at one position, pending, found, not found)."""
    return tuple(map(int, shell(url, tmp_path, ROWS.replace("%s", job_id)).splitlines()[-1].split()))


def calls_made(url: str, tmp_path: Path, job_id: str) -> int:
    code = f"from memberconsole.bulk.models import BulkJob; print(BulkJob.objects.get(pk='{job_id}').calls_made)"
    return int(shell(url, tmp_path, code).splitlines()[-1])


def test_the_only_worker_killed_mid_job_a_new_worker_finishes_it_every_row_once_in_30_calls(
    database_url, tmp_path, report
):
    add_fault(database_url, tmp_path, "/v2/bulk/getCustomers", 1000)  # a slow Capillary: 1 s a bulk call
    job_id = submit(database_url, tmp_path, NINE_DIGITS)
    first = start_worker(database_url, tmp_path)
    try:
        _, _, total, runner = wait_for(
            lambda: calls_made(database_url, tmp_path, job_id) >= 4 and job_state(database_url, tmp_path, job_id),
            timeout=60,
        )
        first.send_signal(signal.SIGKILL)  # no chance to clean up: the task row stays "running"
        first.wait(timeout=10)
        killed_at = time.monotonic()
        made_before = calls_made(database_url, tmp_path, job_id)
        status, _, _, _ = job_state(database_url, tmp_path, job_id)
        assert status == "running"
        second = start_worker(database_url, tmp_path)
        try:
            wait_for(lambda: job_state(database_url, tmp_path, job_id)[3] != runner, timeout=60)
            taken_over_in = time.monotonic() - killed_at
            status, processed, _, new_runner = wait_for(
                lambda: (s := job_state(database_url, tmp_path, job_id))[0] == "done" and s, timeout=90
            )
            finished_in = time.monotonic() - killed_at
        finally:
            second.terminate()
            second.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    bulk_calls, lookups = map(int, shell(database_url, tmp_path, UPSTREAM).splitlines()[-1].split())
    report(
        f"the new worker took the job over {taken_over_in:.1f} s after the kill and finished it {finished_in:.1f} s "
        f"after it; {made_before} calls saved before the kill, {bulk_calls} bulk calls and {lookups} lookups in all"
    )
    assert (status, processed) == ("done", total)
    assert new_runner != runner  # a new runner finished it
    assert rows_of(database_url, tmp_path, job_id) == (total, 1, 0, 3, 997)  # every row once, none left
    assert taken_over_in < 60
    # 30 calls for the plan; the calls in flight when the worker died (at most the client's 4) are made again.
    assert lookups == 0
    assert 30 <= bulk_calls <= 34


def test_a_dead_workers_job_is_adopted_by_a_worker_busy_with_another_long_job(database_url, tmp_path, report):
    add_fault(database_url, tmp_path, "/v2/customers/lookup", 300)  # card numbers: one slow lookup each
    add_fault(database_url, tmp_path, "/v2/bulk/getCustomers", 1000)
    long_job = submit(database_url, tmp_path, [f"NOCARD{n:05d}" for n in range(2000)])
    busy = start_worker(database_url, tmp_path)
    doomed = None
    try:
        wait_for(lambda: job_state(database_url, tmp_path, long_job)[0] == "running", timeout=60)
        doomed = start_worker(database_url, tmp_path)  # the busy worker cannot take this one: the new worker does
        job_id = submit(database_url, tmp_path, NINE_DIGITS)
        _, _, total, runner = wait_for(
            lambda: calls_made(database_url, tmp_path, job_id) >= 4 and job_state(database_url, tmp_path, job_id),
            timeout=60,
        )
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
        killed_at = time.monotonic()
        wait_for(lambda: job_state(database_url, tmp_path, job_id)[3] != runner, timeout=60)
        adopted_in = time.monotonic() - killed_at
        status, processed, _, _ = wait_for(
            lambda: (s := job_state(database_url, tmp_path, job_id))[0] == "done" and s, timeout=90
        )
        assert job_state(database_url, tmp_path, long_job)[0] == "running"  # the worker was busy all along
        shell(
            database_url,
            tmp_path,
            f"from memberconsole.bulk import services; from memberconsole.bulk.models import BulkJob; "
            f"services.bulk_job_stop(job=BulkJob.objects.get(pk='{long_job}'))",
        )
    finally:
        for process in (busy, doomed):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=10)
    report(f"the busy worker adopted the dead worker's job {adopted_in:.1f} s after the kill")
    assert (status, processed) == ("done", total)
    assert rows_of(database_url, tmp_path, job_id) == (total, 1, 0, 3, 997)
    assert adopted_in < 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_web(url: str, tmp_path: Path, port: int) -> subprocess.Popen:
    web = subprocess.Popen(
        [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env_for(url, tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for(lambda: _answers(port), timeout=30)
    return web


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def sign_in(http: httpx.Client) -> None:
    page = http.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = http.post("/accounts/login/", data={"username": "web-test", "password": "web-test-pass-1",
                                                   "csrfmiddlewaretoken": token})  # fmt: skip
    assert response.status_code == 302, response.text[:500]


def test_a_job_survives_the_web_server_dying_mid_job_and_a_new_one_shows_it(database_url, tmp_path):
    shell(
        database_url,
        tmp_path,
        "from django.contrib.auth import get_user_model; from django.contrib.auth.models import Group; "
        "u = get_user_model().objects.create_user('web-test', password='web-test-pass-1'); "
        "u.groups.add(Group.objects.get(name='Member-care agent'))",
    )
    shell(
        database_url,
        tmp_path,
        "from django.conf import settings; from memberconsole.fake_capillary import create_app; "
        "create_app(db_path=settings.CAPILLARY_FAKE_DB).faults.add({'path': '/v2/bulk/getCustomers', 'method': None, "
        "'status': None, 'delay_ms': 2500, 'timeout': False, 'malformed': False, 'count': None, 'when': 'before', "
        "'retry_after': None, 'body': None})",
    )
    port = free_port()
    web = start_web(database_url, tmp_path, port)
    worker = start_worker(database_url, tmp_path)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
            sign_in(http)
            page = http.get("/customers/bulk/")
            assert page.status_code == 200, (page.status_code, page.headers, page.text[:300])
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
            entries = "\n".join(f"Nobody{n}@Example.com" for n in range(500))  # two readings each
            response = http.post("/customers/bulk/", data={"entries": entries, "csrfmiddlewaretoken": token})
            assert response.status_code == 302
            job_url = response.headers["location"]
            web.send_signal(signal.SIGKILL)  # the web server dies while the job runs
            web.wait(timeout=10)
            job_id = job_url.rstrip("/").rsplit("/", 1)[1]
            status, processed, total, _ = job_state(database_url, tmp_path, job_id)
            assert status in ("queued", "running")
            assert processed < total
            web = start_web(database_url, tmp_path, port)
            # The session lives in the database: the new web process knows the agent without a new sign-in.
            progress = http.get(job_url)
            assert progress.status_code == 200
            assert "entries" in progress.text
            wait_for(lambda: job_state(database_url, tmp_path, job_id)[0] == "done", timeout=90)
            done = http.get(job_url)
            assert "Download CSV" in done.text
            assert f"{total} Not found" in re.sub(r"<[^>]+>|\s+", " ", done.text).replace("  ", " ")
    finally:
        for process in (web, worker):
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=10)
