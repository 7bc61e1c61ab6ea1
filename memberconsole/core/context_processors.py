"""Template context every console page needs: navigation and version."""

import functools

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

# (label, url name, staff only). Entries whose page is not installed are left out rather than linking nowhere.
NAVIGATION = [
    ("Search", "home", False),
    ("Register", "customers:register", False),
    ("Bulk lookup", "customers:bulk", False),
    ("Admin", "admin:index", True),
]


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
    for label, name, staff_only in NAVIGATION:
        if staff_only and not (user and user.is_staff):
            continue
        url = _url(name)
        if url is None:
            continue
        items.append({"label": label, "url": url, "active": request.path == url})
    search_url = _url("customers:search") or _url("home")
    return {
        "nav_items": items,
        "search_url": search_url,
        "console_version": settings.VERSION,
        "capillary_is_fake": not settings.CAPILLARY_BASE_URL,
    }
