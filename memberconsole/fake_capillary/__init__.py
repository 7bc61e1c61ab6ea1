"""A stand-in for Capillary's v2 customer APIs (stdlib only; imports nothing from the console)."""

from .app import FakeCapillary, create_app

__all__ = ["FakeCapillary", "create_app"]
