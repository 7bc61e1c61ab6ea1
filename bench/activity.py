"""The customer page's activity area next to the page itself, side by side in one run.

    .venv/bin/python bench/activity.py [--rounds 30] [--latency-ms 50] [--customer 900000005]

Against the fake Capillary in its own process with latency injected on every /v2 call, interleaved round by round:
the customer page (one upstream call), each activity part as the page's htmx request asks for it (one upstream call
each), and the whole activity area as the browser loads it: the four parts at once, each on its own connection, timed
until the last one is in. Reports medians and p95 and each one's ratio to the page in the same run.
"""

import argparse
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "memberconsole.test_settings")

from bench.run import _setup_django, start_fake  # noqa: E402

PARTS = ("transactions", "ledger", "expiry", "coupons")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def bench_activity(*, rounds: int, latency_ms: int, customer_id: int) -> dict[str, list[float]]:
    import httpx
    from django.conf import settings
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

    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, (0, 0))  # 0: no limit; the bench is one agent
    db = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-activity-{os.getpid()}.sqlite3"
    server, base_url = start_fake(db)
    try:
        httpx.post(f"{base_url}/__fake__/faults", json={"path": "/v2/", "delay_ms": latency_ms, "count": None})
        with override_settings(CAPILLARY_USERNAME=FAKE_USERNAME, CAPILLARY_PASSWORD=FAKE_PASSWORD):
            client = build_capillary_client(base_url=base_url)
        set_capillary_client(client)
        agent, _ = get_user_model().objects.get_or_create(username="bench-agent")
        agent.groups.add(Group.objects.get(name=AGENT))
        browsers = [Client() for _ in PARTS]  # one per part, as a browser opens parallel connections
        for browser in browsers:
            browser.force_login(agent)
        page_url = f"/customers/{customer_id}/"

        def part(index: int, name: str) -> float:
            t0 = time.perf_counter()
            response = browsers[index].get(f"{page_url}activity/{name}/", headers={"HX-Request": "true"})
            assert response.status_code == 200, (name, response.status_code)
            assert b'role="alert"' not in response.content, name  # a failed part would not be a fair time
            return time.perf_counter() - t0

        times: dict[str, list[float]] = {"page": [], **{name: [] for name in PARTS}, "area": []}
        with ThreadPoolExecutor(max_workers=len(PARTS)) as pool:
            for round_ in range(rounds + 3):  # the first three warm up connections, templates and imports
                t0 = time.perf_counter()
                response = browsers[0].get(page_url)
                page = time.perf_counter() - t0
                assert response.status_code == 200, response.status_code
                singles = {name: part(i, name) for i, name in enumerate(PARTS)}
                t0 = time.perf_counter()
                list(pool.map(part, range(len(PARTS)), PARTS))
                area = time.perf_counter() - t0
                if round_ >= 3:
                    times["page"].append(page)
                    for name, seconds in singles.items():
                        times[name].append(seconds)
                    times["area"].append(area)
        return times
    finally:
        set_capillary_client(None)
        server.terminate()
        server.wait(timeout=10)
        db.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--customer", type=int, default=900000005)
    args = parser.parse_args()
    _setup_django()
    times = bench_activity(rounds=args.rounds, latency_ms=args.latency_ms, customer_id=args.customer)
    page = statistics.median(times["page"])
    print(f"activity: customer {args.customer}, {args.latency_ms} ms injected on every call, {args.rounds} rounds")
    print(f"{'request':<34}{'median':>10}{'p95':>10}{'median / page':>16}")
    labels = {"page": "customer page (1 call)", "area": "activity area, 4 parts at once"}
    for key in ("page", *PARTS, "area"):
        label = labels.get(key, f"{key} part (1 call)")
        median = statistics.median(times[key])
        print(f"{label:<34}{median * 1000:>8.1f}ms{p95(times[key]) * 1000:>8.1f}ms{median / page:>16.2f}")


if __name__ == "__main__":
    main()
