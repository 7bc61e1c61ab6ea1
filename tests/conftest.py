"""Shared fixtures: an agent login, a fresh fake Capillary per test, and the console's client reset around it."""

pytest_plugins = ["tests.fixtures.fake", "tests.fixtures.agents"]
