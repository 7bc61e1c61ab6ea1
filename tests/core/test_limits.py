"""Limits and session safety: per-user rate limits, login lockout, session time limits, headers, deploy checks."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache

from memberconsole.core.logging import EscapeControlCharactersFilter, escape_control_characters
from memberconsole.core.middleware import SESSION_SEEN, SESSION_STARTED
from memberconsole.core.models import AuditEntry
from tests.fixtures.agents import AGENT_PASSWORD

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


class TestRateLimits:
    def test_over_the_search_limit_is_a_friendly_429_that_says_when(self, agent_client, capillary, settings):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": (3, 100)}
        for _ in range(3):
            assert agent_client.post("/customers/search/", {"q": "566881933"}).status_code == 302
        response = agent_client.post("/customers/search/", {"q": "566881933"})
        assert response.status_code == 429
        retry_after = int(response["Retry-After"])
        assert 1 <= retry_after <= 60
        body = response.content.decode()
        assert "3 searches per minute" in body
        assert f"Try again in {retry_after} second" in body
        entry = AuditEntry.objects.get(action="rate_limited")
        assert (entry.outcome, entry.details["retry_after"]) == ("search", retry_after)

    def test_customer_views_have_their_own_limit_per_hour_too(self, agent_client, capillary, settings):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "view": (100, 2)}
        assert agent_client.get("/customers/566881933/").status_code == 200
        assert agent_client.get("/customers/565261498/").status_code == 200
        response = agent_client.get("/customers/900000001/")
        assert response.status_code == 429
        assert "2 customer pages per hour" in response.content.decode()
        assert AuditEntry.objects.get(action="rate_limited").customer_id == 900000001

    def test_limits_are_per_user(self, client, agent, supervisor, capillary, settings):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "view": (1, 100)}
        client.force_login(agent)
        assert client.get("/customers/566881933/").status_code == 200
        assert client.get("/customers/566881933/").status_code == 429
        client.force_login(supervisor)
        assert client.get("/customers/566881933/").status_code == 200

    def test_the_count_lives_in_the_shared_cache(self, agent, settings):
        from memberconsole.core.ratelimits import RateLimited, rate_limit_hit

        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": (2, 100)}
        now = 1_700_000_010.0
        rate_limit_hit(user=agent, action="search", now=now)
        rate_limit_hit(user=agent, action="search", now=now)
        assert cache.get(f"ratelimit:search:{agent.pk}:minute:{int(now // 60)}") == 2
        with pytest.raises(RateLimited) as caught:
            rate_limit_hit(user=agent, action="search", now=now)
        assert caught.value.retry_after == 30  # the minute bucket ends at ...040
        rate_limit_hit(user=agent, action="search", now=now + 60)  # the next minute starts afresh


class TestBulkLimits:
    def test_at_most_two_lookups_running_at_once(self, agent_client, agent, capillary):
        from memberconsole.bulk.models import BulkJob

        for _ in range(2):
            BulkJob.objects.create(agent=agent, total=1, status=BulkJob.Status.RUNNING)
        response = agent_client.post("/customers/bulk/", {"entries": "566881933"})
        assert response.status_code == 429
        assert "2 lookups running" in response.content.decode()
        assert AuditEntry.objects.get(action="bulk_run").outcome == "refused"

    def test_a_daily_quota_of_entries_per_role(self, agent_client, agent, capillary, settings):
        from memberconsole.bulk.models import BulkJob

        settings.BULK_DAILY_ENTRIES = {"agent": 10, "large": 100}
        BulkJob.objects.create(agent=agent, total=8, status=BulkJob.Status.DONE)
        response = agent_client.post("/customers/bulk/", {"entries": "566881933\n565261498\n900000001"})
        assert response.status_code == 429
        assert "10 entries in 24 hours and has 2 left" in response.content.decode()
        assert agent_client.post("/customers/bulk/", {"entries": "566881933\n565261498"}).status_code == 302


class TestLockout:
    def test_five_wrong_passwords_lock_the_username_from_that_ip_with_a_clear_message(self, client, agent):
        for _ in range(4):
            response = client.post("/accounts/login/", {"username": "agent", "password": "wrong"})
            assert response.status_code == 200
        response = client.post("/accounts/login/", {"username": "agent", "password": "wrong"})
        assert response.status_code == 429
        body = response.content.decode()
        assert "Sign-in locked" in body
        assert "15 minutes" in body
        # Even the right password is refused while locked, and the lockout is in the audit trail.
        assert client.post("/accounts/login/", {"username": "agent", "password": AGENT_PASSWORD}).status_code == 429
        assert AuditEntry.objects.filter(action="locked_out", username="agent").exists()

    def test_another_ip_is_not_locked_and_an_administrator_unlocks(self, client, agent, staff_agent):
        from axes.models import AccessAttempt

        for _ in range(5):
            client.post("/accounts/login/", {"username": "agent", "password": "wrong"})
        other_ip = client.post(
            "/accounts/login/", {"username": "agent", "password": AGENT_PASSWORD}, REMOTE_ADDR="10.9.9.9"
        )
        assert other_ip.status_code == 302
        client.logout()
        AccessAttempt.objects.all().delete()  # what "delete" in Django admin's Access attempts does
        assert client.post("/accounts/login/", {"username": "agent", "password": AGENT_PASSWORD}).status_code == 302

    def test_behind_a_trusted_proxy_the_lockout_is_per_agent_address_as_in_the_audit_trail(
        self, client, agent, settings
    ):
        settings.AUDIT_TRUSTED_PROXIES = ["10.0.0.1"]
        via_proxy = {"REMOTE_ADDR": "10.0.0.1"}
        for _ in range(5):
            client.post(
                "/accounts/login/", {"username": "agent", "password": "wrong"},
                HTTP_X_FORWARDED_FOR="203.0.113.7", **via_proxy,
            )  # fmt: skip
        assert AuditEntry.objects.filter(action="locked_out", ip_address="203.0.113.7").exists()
        other_desk = client.post(
            "/accounts/login/", {"username": "agent", "password": AGENT_PASSWORD},
            HTTP_X_FORWARDED_FOR="203.0.113.8", **via_proxy,
        )  # fmt: skip
        assert other_desk.status_code == 302


class TestSessions:
    def test_an_idle_session_ends_after_thirty_minutes(self, agent_client, settings):
        session = agent_client.session
        session[SESSION_SEEN] = time.time() - settings.SESSION_IDLE_MINUTES * 60 - 5
        session.save()
        response = agent_client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        page = agent_client.get(response["Location"])
        assert "without activity" in page.content.decode()
        assert AuditEntry.objects.get(action="logout").outcome == "idle"

    def test_activity_keeps_it_and_polls_do_not(self, agent_client, settings):
        start = time.time() - 25 * 60
        session = agent_client.session
        session[SESSION_SEEN] = start
        session.save()
        agent_client.get("/customers/bulk/", headers={"X-Console-Poll": "1"})
        assert agent_client.session[SESSION_SEEN] == start
        agent_client.get("/customers/bulk/")
        assert agent_client.session[SESSION_SEEN] > start

    def test_every_session_ends_after_ten_hours(self, agent_client, settings):
        session = agent_client.session
        session[SESSION_STARTED] = time.time() - settings.SESSION_COOKIE_AGE - 5
        session.save()
        assert agent_client.get("/").status_code == 302
        assert AuditEntry.objects.get(action="logout").outcome == "time limit"

    def test_the_session_cookie_ends_with_the_browser(self, client, agent):
        response = client.post("/accounts/login/", {"username": "agent", "password": AGENT_PASSWORD})
        cookie = response.cookies["sessionid"]
        assert not cookie["expires"]
        assert not cookie["max-age"]
        assert cookie["httponly"]
        assert cookie["samesite"] == "Lax"


class TestHeaders:
    def test_every_page_has_a_strict_csp_and_a_permissions_policy(self, agent_client, capillary):
        response = agent_client.get("/customers/566881933/")
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert "camera=()" in response["Permissions-Policy"]
        assert response["X-Frame-Options"] == "DENY"

    @pytest.mark.parametrize(
        "url", ["/", "/customers/566881933/", "/customers/register/check/?field=mobile&mobile=919845000001"]
    )
    def test_pages_with_customer_data_are_not_stored(self, agent_client, capillary, url):
        assert "no-store" in agent_client.get(url)["Cache-Control"]

    def test_no_page_has_an_inline_script_or_style(self, agent_client, capillary):
        for url in ("/", "/customers/search/", "/customers/566881933/", "/customers/register/", "/customers/bulk/"):
            body = agent_client.get(url).content.decode()
            assert "<script>" not in body, url
            assert "style=" not in body, url
            for tag in body.split("<script")[1:]:
                assert " src=" in tag.split(">")[0], url


class TestLogs:
    def test_control_characters_cannot_forge_a_log_line(self):
        import logging

        record = logging.LogRecord("x", logging.INFO, __file__, 1, "GET %s", ("/x\r\n2026 INFO forged\x1b[31m",), None)
        EscapeControlCharactersFilter().filter(record)
        assert record.getMessage() == "GET /x\\x0d\\x0a2026 INFO forged\\x1b[31m"
        assert escape_control_characters("line\u2028break") == "line\\u2028break"


def test_check_deploy_is_clean_with_https_on():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "memberconsole.settings",
        "DEBUG": "False",
        "HTTPS": "True",
        "SECRET_KEY": "deploy-check-" + "x" * 60 + "-not-for-production",
        "ALLOWED_HOSTS": "console.example.com",
    }
    env.pop("CAPILLARY_BASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' conftest, never in a deployment
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
