import logging
import re

import pytest
from django.urls import reverse

from memberconsole.core.logging import RedactQueryStringFilter, redact_query_strings

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/")


def test_admin_requires_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302


def test_login_page_is_the_consoles_own_styled_page(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "css/console.css" in body
    assert '<label for="id_username">Username</label>' in body
    assert '<label for="id_password">Password</label>' in body
    assert "Django administration" not in body


def test_agent_signs_in_and_lands_on_home(client, agent):
    from tests.fixtures.agents import AGENT_PASSWORD

    response = client.post("/accounts/login/", {"username": "agent", "password": AGENT_PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/"
    body = response.content.decode()
    assert "Find a customer" in body
    assert 'role="search"' in body


def test_wrong_password_says_so_and_keeps_username(client, agent):
    response = client.post("/accounts/login/", {"username": "agent", "password": "wrong"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Please enter a correct username and password" in body
    assert 'value="agent"' in body


def test_navigation_shows_admin_only_to_staff(client, agent, staff_agent):
    client.force_login(agent)
    body = client.get("/").content.decode()
    assert "Search</a>" in body
    assert ">Admin</a>" not in body
    client.force_login(staff_agent)
    body = client.get("/").content.decode()
    assert f'href="{reverse("admin:index")}">Admin</a>' in body


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/", "Search"),
        ("/customers/search/", "Search"),
        ("/customers/register/", "Register"),
        ("/customers/bulk/", "Bulk lookup"),
    ],
)
def test_navigation_marks_the_section_of_the_page(agent_client, capillary, path, current):
    body = agent_client.get(path).content.decode()
    assert re.findall(r'aria-current="page">([^<]+)</a>', body) == [current]


def test_every_page_has_one_search_box_and_a_messages_area(agent_client):
    home = agent_client.get("/").content.decode()
    assert 'id="header-q"' not in home  # the home page's own box is the one search box there
    assert home.count('type="search"') == 1
    assert 'id="messages"' in home
    assert "Find a customer" in home
    bulk = agent_client.get("/customers/bulk/").content.decode()
    assert 'id="header-q"' in bulk
    assert bulk.count('type="search"') == 1


def test_sign_out_returns_to_login(agent_client):
    response = agent_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert agent_client.get("/").status_code == 302


def test_unknown_page_is_a_styled_404(agent_client, settings):
    settings.DEBUG = False
    response = agent_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "There is no page at this address" in response.content.decode()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            '"GET /customers/search/?q=919876543210 HTTP/1.1" 302 0',
            '"GET /customers/search/?[redacted] HTTP/1.1" 302 0',
        ),
        ("GET http://x/v2/lookup?identifierValue=a@b.com", "GET http://x/v2/lookup?[redacted]"),
        ('"GET /customers/566881933/ HTTP/1.1" 200 10', '"GET /customers/566881933/ HTTP/1.1" 200 10'),
    ],
)
def test_query_strings_never_reach_logs(line, expected):
    assert redact_query_strings(line) == expected


def test_access_log_filter_rewrites_record():
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s %s', ("GET /?q=asha@x.io HTTP/1.1", 200, 5), None
    )
    assert RedactQueryStringFilter().filter(record)
    assert "asha@x.io" not in record.getMessage()


def test_gunicorn_access_log_format_has_no_query_string():
    from pathlib import Path

    namespace = {}
    exec(Path(__file__).resolve().parents[2].joinpath("gunicorn.conf.py").read_text(), namespace)
    log_format = namespace["access_log_format"]
    assert "%(U)s" in log_format
    for leaky in ("%(r)s", "%(q)s", "%({raw_uri}e)s", "%(f)s"):
        assert leaky not in log_format
    # gunicorn's error log quotes request URIs: every handler it has strips query strings.
    handlers = namespace["logconfig_dict"]["handlers"]
    assert all("redact_query" in handler["filters"] for handler in handlers.values())
