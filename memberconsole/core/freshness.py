"""When the console itself changes a customer, what it kept of them is stale: one version number per customer in the
shared cache, which every app's cached reads of that customer carry in their keys (customers' activity answers today;
the write actions next). customer_changed bumps it, so those reads ask Capillary again."""

from django.core.cache import cache


def _key(customer_id: int) -> str:
    return f"core:customer-version:{customer_id}"


def customer_version(*, customer_id: int) -> int:
    """The customer's current version (0 until the console first changes them)."""
    return int(cache.get(_key(customer_id)) or 0)


def customer_changed(*, customer_id: int) -> None:
    """The console changed this customer (registered them, a profile added, an action sent): drop what was kept."""
    try:
        cache.incr(_key(customer_id))
    except ValueError:  # no version yet: start one, kept as long as the cache keeps anything
        cache.set(_key(customer_id), 1, None)
