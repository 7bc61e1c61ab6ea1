"""Template context every console page needs: navigation and version."""

import functools

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

# (label, url name, staff only, the views it stands for). Entries whose page is not installed are left out rather
# than linking nowhere. An entry is marked current on every view it stands for: "Search" on a result or customer page.
NAVIGATION = [
    ("Search", "home", False, {"home", "customers:search", "customers:detail"}),
    ("Register", "customers:register", False, {"customers:register", "customers:registered"}),
    ("Bulk lookup", "customers:bulk", False, {"customers:bulk", "customers:bulk_job"}),
    ("Admin", "admin:index", True, {"admin"}),
]


def _current_views(request: HttpRequest) -> set[str]:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return set()
    return {match.view_name, *match.namespaces}


@functools.cache
def _url(name: str) -> str | None:
    # URL patterns do not change while the process runs: reverse each name once.
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def console(request: HttpRequest) -> dict:
    """Navigation entries the current agent may use, and the console version."""
    user = getattr(request, "user", None)
    items = []
    current = _current_views(request)
    for label, name, staff_only, views in NAVIGATION:
        if staff_only and not (user and user.is_staff):
            continue
        url = _url(name)
        if url is None:
            continue
        items.append({"label": label, "url": url, "active": bool(current & views)})
    search_url = _url("customers:search") or _url("home")
    return {
        "nav_items": items,
        "search_url": search_url,
        "console_version": settings.VERSION,
        "capillary_is_fake": not settings.CAPILLARY_BASE_URL,
    }
