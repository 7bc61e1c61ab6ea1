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


SLOW_JOB = """
from django.contrib.auth.models import Group
from django.contrib.auth import get_user_model
from memberconsole.bulk import services
from memberconsole.fake_capillary import create_app
from django.conf import settings
store = create_app(db_path=settings.CAPILLARY_FAKE_DB)
store.faults.add({"path": "/v2/customers/lookup", "method": None, "status": None, "delay_ms": 150, "timeout": False,
                  "malformed": False, "count": None, "when": "before", "retry_after": None, "body": None})
agent, _ = get_user_model().objects.get_or_create(username="worker-test")
agent.groups.add(Group.objects.get(name="Member-care agent"))
entries = [f"nobody{n}@example.com" for n in range(300)]
print(services.bulk_job_submit(agent=agent, entries=entries, source="Pasted list").pk)
"""

ROWS = """
from collections import Counter
from memberconsole.bulk.models import BulkRow
rows = BulkRow.objects.filter(job_id='%s')
positions = Counter(rows.values_list("position", flat=True))
pending, not_found = rows.filter(status="pending").count(), rows.filter(status="not_found").count()
print(rows.count(), max(positions.values()), pending, not_found)
"""


def test_a_job_whose_worker_is_killed_mid_job_is_finished_by_another_worker(database_url, tmp_path):
    job_id = shell(database_url, tmp_path, SLOW_JOB).splitlines()[-1]
    first = start_worker(database_url, tmp_path)
    try:
        _, _, total, runner = wait_for(
            lambda: (s := job_state(database_url, tmp_path, job_id))[1] >= 40 and s, timeout=60
        )
        first.send_signal(signal.SIGKILL)  # no chance to clean up: the task row stays "running"
        first.wait(timeout=10)
        killed_at = time.monotonic()
        status, processed_at_kill, _, _ = job_state(database_url, tmp_path, job_id)
        assert status == "running"
        assert 0 < processed_at_kill < total
        second = start_worker(database_url, tmp_path)
        try:
            status, processed, _, new_runner = wait_for(
                lambda: (s := job_state(database_url, tmp_path, job_id))[0] == "done" and s, timeout=90
            )
            taken_over_in = time.monotonic() - killed_at
        finally:
            second.terminate()
            second.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    assert (status, processed) == ("done", total)
    assert new_runner != runner  # a new runner finished it
    out = shell(database_url, tmp_path, ROWS.replace("%s", job_id)).splitlines()[-1]
    count, most, pending, not_found = map(int, out.split())
    assert (count, most, pending, not_found) == (total, 1, 0, total)  # every row once, none left
    assert taken_over_in < 60


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
        "create_app(db_path=settings.CAPILLARY_FAKE_DB).faults.add({'path': '/v2/customers/lookup', 'method': None, "
        "'status': None, 'delay_ms': 60, 'timeout': False, 'malformed': False, 'count': None, 'when': 'before', "
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
            entries = "\n".join(f"nobody{n}@example.com" for n in range(200))
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
