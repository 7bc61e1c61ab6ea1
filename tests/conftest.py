"""Shared fixtures: an agent login, a fresh fake Capillary per test, and the console's client reset around it."""

import pytest

pytest_plugins = ["tests.fixtures.fake", "tests.fixtures.agents"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache: rate-limit counts, the Capillary budget and hand-offs are per test."""
    from django.core.cache import cache

    cache.clear()
