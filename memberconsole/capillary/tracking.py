"""Capillary request ids of the calls made for the current unit of work (a page request), for the audit trail."""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

_request_ids: ContextVar[list[str] | None] = ContextVar("capillary_request_ids", default=None)


@contextlib.contextmanager
def collect_request_ids() -> Iterator[list[str]]:
    """Collect the request ids of every call made inside the block (the console wraps each page request in one)."""
    token = _request_ids.set([])
    try:
        yield _request_ids.get()
    finally:
        _request_ids.reset(token)


def note_request_id(request_id: str | None) -> None:
    """Called by the client once per call."""
    ids = _request_ids.get()
    if ids is not None and request_id:
        ids.append(request_id)


def last_request_id() -> str | None:
    """The request id of the latest call in the current block, if any."""
    ids = _request_ids.get()
    return ids[-1] if ids else None
