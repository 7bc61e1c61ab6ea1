"""Fixtures for the fake Capillary's own tests: a fresh app per test, driven through httpx's WSGI transport."""

import base64
import hashlib

import httpx
import pytest

from memberconsole.fake_capillary import create_app

TILL = "memberconsole.till"
PASSWORD = "fake-capillary-demo"


def make_basic_auth(user: str = TILL, password: str = PASSWORD) -> str:
    """Capillary's Basic header: base64(user + ":" + md5hex(password))."""
    raw = f"{user}:{hashlib.md5(password.encode()).hexdigest()}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def make_new_customer(mobile="919900000001", email="new.person@example.com", source="INSTORE", **extra):
    """A minimal valid registration body with one profile."""
    profile = {
        "firstName": "New",
        "lastName": "Person",
        "identifiers": [{"type": "mobile", "value": mobile}, {"type": "email", "value": email}],
        "source": source,
    }
    profile |= extra
    return {"profiles": [profile]}


@pytest.fixture
def basic_auth():
    """Builds Basic headers (test modules cannot import conftest under --import-mode=importlib)."""
    return make_basic_auth


@pytest.fixture
def new_customer():
    """Builds registration bodies."""
    return make_new_customer


@pytest.fixture
def app(tmp_path):
    """A fresh fake with only its docs and demo customers."""
    application = create_app(db_path=tmp_path / "fake.sqlite3")
    application.slept = []
    application.sleep = application.slept.append  # latency faults are recorded, not slept (socket tests really sleep)
    yield application
    application.store.close()


@pytest.fixture
def raw(app):
    """An unauthenticated client for the app (control plane, auth tests)."""
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://fake") as client:
        yield client


@pytest.fixture
def api(app):
    """A client sending the demo till's Basic credentials."""
    headers = {"Authorization": make_basic_auth()}
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://fake", headers=headers) as client:
        yield client
