"""Shared fixtures: an agent login, a fresh fake Capillary per test, and the console's client reset around it."""

import pytest

pytest_plugins = ["tests.fixtures.fake", "tests.fixtures.agents"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache: rate-limit counts, the Capillary budget and hand-offs are per test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _rate_limit_clock(monkeypatch):
    """Rate limits count in fixed windows: a test making three searches must not see its count reset because the wall
    clock crossed into a new minute between them. Every test runs 30 s into a minute and 1,830 s into an hour; a test
    that needs the windows to roll passes `now` itself."""
    monkeypatch.setattr("memberconsole.core.ratelimits.clock", lambda: 1_800_001_830.0)


@pytest.fixture
def report(request):
    """Writes a line to the terminal whatever pytest captures: figures a test measures that the run should show
    (a takeover time, calls made)."""
    terminal = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")

    def write(line: str) -> None:
        if terminal is None or capture is None:
            return
        with capture.global_and_fixture_disabled():
            terminal.write_line(f"\n{request.node.name}: {line}")

    return write
