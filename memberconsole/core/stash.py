"""Small things kept server-side in the agent's session under an opaque key, so URLs carry no personal data:
a search's query (its results page is /customers/search/<key>/), a registration prefill."""

import secrets

from django.http import HttpRequest

REGISTER_PREFILL = "register-prefill"  # the registration form's prefill from a search that found nobody
KEEP = 20  # per kind: enough for Back through a morning's searches, small enough for the session


def stash_put(request: HttpRequest, kind: str, data: dict) -> str:
    """Keep data for this session; returns the key for a URL."""
    key = secrets.token_urlsafe(12)
    stash = dict(request.session.get(f"stash:{kind}", {}))
    stash[key] = data
    while len(stash) > KEEP:
        stash.pop(next(iter(stash)))
    request.session[f"stash:{kind}"] = stash
    return key


def stash_get(request: HttpRequest, kind: str, key: str) -> dict | None:
    """What was kept under key in this session (None for another session's key, an old one, or nonsense)."""
    return request.session.get(f"stash:{kind}", {}).get(key)
