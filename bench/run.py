"""Benchmarks, run side by side in one process so a noisy shared machine affects both sides alike.

    .venv/bin/python bench/run.py [--rounds 30] [--latency-ms 50]

customer_page: GET /customers/ID/ through the whole console (Django test client, real client over a socket) against
the fake Capillary with injected latency, next to a bare client call for the same customer; reports medians and ratio.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "memberconsole.test_settings")


def _setup_django():
    import django

    django.setup()
    # No setup_test_environment(): its instrumented template rendering would slow the page side only.
    from django.db import connection
    from django.test.utils import setup_databases

    setup_databases(verbosity=0, interactive=False)
    return connection


def start_fake(db: Path, *, customers: int = 0, cpu: int | None = None) -> tuple[subprocess.Popen, str]:
    """The fake Capillary in its own process, as Capillary is remote: its CPU does not compete with the console
    (cpu: pinned to that core with taskset, so it never shares one with the console either)."""
    args = [sys.executable, "-m", "memberconsole.fake_capillary", "--port", "0", "--db", str(db)]
    if cpu is not None:
        args = ["taskset", "-c", str(cpu), *args]
    if customers:
        args += ["--customers", str(customers)]
    process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in process.stdout:
        if "listening on" in line:
            return process, line.rsplit(" ", 1)[-1].strip()
    raise RuntimeError("the fake Capillary did not start")


def bench_customer_page(*, rounds: int, latency_ms: int, customer_id: int = 565261498) -> dict:
    import httpx
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client, override_settings

    from memberconsole.capillary.factory import (
        FAKE_PASSWORD,
        FAKE_USERNAME,
        build_capillary_client,
        set_capillary_client,
    )
    from memberconsole.core.roles import AGENT
    from memberconsole.customers.selectors import DETAIL_PARAMS

    db = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-fake-{os.getpid()}.sqlite3"
    server, base_url = start_fake(db)
    # One agent opens the page far more often than the 60 a minute an agent may: the limit is raised (its cache round
    # trips still happen on every page).
    limits = override_settings(
        RATE_LIMITS={"search": (10**6, 10**6), "view": (10**6, 10**6), "activity": (10**6, 10**6)}
    )
    try:
        httpx.post(f"{base_url}/__fake__/faults", json={"path": "/v2/", "delay_ms": latency_ms, "count": None})
        with override_settings(CAPILLARY_USERNAME=FAKE_USERNAME, CAPILLARY_PASSWORD=FAKE_PASSWORD):
            client = build_capillary_client(base_url=base_url)
        set_capillary_client(client)
        limits.enable()
        agent, _ = get_user_model().objects.get_or_create(username="bench-agent")
        agent.groups.add(Group.objects.get(name=AGENT))  # the role that may search, open customers and register
        browser = Client()
        browser.force_login(agent)
        for _ in range(3):  # warm up both paths: connections, templates, imports
            client.customer_get(customer_id, **DETAIL_PARAMS)
            browser.get(f"/customers/{customer_id}/")
        bare, page = [], []
        for _ in range(rounds):  # interleaved, so drift on the machine hits both alike
            t0 = time.perf_counter()
            client.customer_get(customer_id, **DETAIL_PARAMS)
            bare.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            response = browser.get(f"/customers/{customer_id}/")
            page.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.status_code
        bare_ms, page_ms = statistics.median(bare) * 1000, statistics.median(page) * 1000
        return {
            "bare_ms": bare_ms, "page_ms": page_ms, "ratio": page_ms / bare_ms, "rounds": rounds,
            "calls": upstream_per_view(browser, base_url, customer_id),
        }  # fmt: skip
    finally:
        limits.disable()
        set_capillary_client(None)
        server.terminate()
        server.wait(timeout=10)
        db.unlink(missing_ok=True)


def _calls(base_url: str, action) -> list[str]:
    import httpx

    httpx.delete(f"{base_url}/__fake__/requests")
    action()
    log = httpx.get(f"{base_url}/__fake__/requests").json()
    entries = log["requests"] if isinstance(log, dict) else log
    return [f"{e['method']} {e['path']}" for e in entries if e["path"].startswith("/v2/")]


def upstream_per_view(browser, base_url: str, customer_id: int) -> dict[str, list[str]]:
    """Capillary calls per customer page view, per search that lands on a page (by customer ID and by mobile), and
    for opening one activity part (issue 16: the page costs one call until the agent opens activity)."""
    from django.core.cache import cache

    def search(q: str):
        return lambda: browser.post("/customers/search/", {"q": q}, follow=True)

    cache.clear()  # no kept activity answers, no handed-over search hits
    return {
        "customer page": _calls(base_url, lambda: browser.get(f"/customers/{customer_id}/")),
        "search by customer ID to page": _calls(base_url, search(str(customer_id))),
        "search by mobile to page": _calls(base_url, search("+91 98450 00001")),
        "an activity part opened": _calls(
            base_url, lambda: browser.get(f"/customers/{customer_id}/activity/ledger/", HTTP_HX_REQUEST="true")
        ),
        "the same part opened again": _calls(
            base_url, lambda: browser.get(f"/customers/{customer_id}/activity/ledger/", HTTP_HX_REQUEST="true")
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--latency-ms", type=int, default=50)
    args = parser.parse_args()
    _setup_django()
    result = bench_customer_page(rounds=args.rounds, latency_ms=args.latency_ms)
    print(
        f"customer_page: {args.latency_ms} ms injected latency, {result['rounds']} interleaved rounds, medians: "
        f"bare client call {result['bare_ms']:.1f} ms, whole page {result['page_ms']:.1f} ms, "
        f"ratio {result['ratio']:.3f} (target <= 1.15)\n\n| Capillary calls | count | calls |\n|---|---:|---|"
    )
    for what, calls in result["calls"].items():
        print(f"| {what} | {len(calls)} | {', '.join(calls) or '—'} |")


if __name__ == "__main__":
    main()
