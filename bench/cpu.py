"""Console CPU per request, read from the gunicorn worker's CPU time over a sequential run.

    .venv/bin/python bench/cpu.py [--requests 100] [--rounds 5]

The production profile (bench/stack.py: gunicorn with gunicorn.conf.py and one worker, PostgreSQL, Redis, DEBUG off)
against the fake Capillary in socket mode. One agent, signed in once, makes requests one after another, in rounds
that interleave the kinds so that drift on the machine hits each alike: `customer page` (GET /customers/ID/), `search
to page` (POST /customers/search/ with a mobile as typed, then the customer page it redirects to: both requests'
CPU), and `home` (GET /). The worker's user + system CPU time (/proc/PID/stat) before and after each batch, divided by
the batch's count, is the CPU per request; the fake's CPU is in its own process and not counted. No latency is
injected: waiting costs no CPU, and the run is shorter. Per-user limits and the Capillary budget are raised so that
one agent's hundreds of requests are not refused.
"""

import argparse
import itertools
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.stack import (  # noqa: E402
    RAISED_LIMITS,
    Stack,
    agent_name,
    cpu_seconds,
    machine,
    median,
    mobile_as_typed,
    percentile,
    seeded_id,
    table,
)

KINDS = ("customer page", "search to page", "home")
TARGETS = {"customer page": 8.0, "search to page": 12.0, "home": 3.0}
BEFORE = {"customer page": 16.0, "search to page": 25.0, "home": 12.0}  # the "previously about"
CUSTOMERS = 1000


def _actions(http: httpx.Client, csrf: str):
    ids = itertools.cycle(seeded_id(n) for n in range(1, CUSTOMERS + 1, 7))
    styles = itertools.count()

    def customer_page() -> None:
        response = http.get(f"/customers/{next(ids)}/")
        assert response.status_code == 200, response.status_code

    def search_to_page() -> None:
        customer_id = next(ids)
        q = mobile_as_typed(customer_id, next(styles))
        response = http.post("/customers/search/", data={"q": q, "csrfmiddlewaretoken": csrf})
        assert response.status_code == 302, response.status_code
        assert response.headers["Location"] == f"/customers/{customer_id}/", response.headers["Location"]
        response = http.get(response.headers["Location"])
        assert response.status_code == 200, response.status_code

    def home() -> None:
        response = http.get("/")
        assert response.status_code == 200, response.status_code

    return dict(zip(KINDS, (customer_page, search_to_page, home), strict=True))


def measure(*, requests: int, rounds: int, against: tuple[str, ...] = (), quiet: bool = False) -> dict:
    """CPU ms per request of each kind (median over rounds, and every round's), and wall times; for each revision in
    `against`, the same for that git revision's console in another gunicorn on the same database, fake and Redis,
    round by round beside this one."""
    with Stack(env=RAISED_LIMITS, quiet=quiet) as stack:
        stack.start_fake(customers=CUSTOMERS, latency_ms=0)
        stack.prepare(agents=1)
        sides = {"this tree": stack.start_gunicorn(workers=1)}
        for revision in against:
            sides[revision] = stack.start_gunicorn(workers=1, root=stack.checkout(revision))
        # A session each: revisions may name a different authentication backend in it.
        cookies = {side: stack.login(web, agent_name(1)) for side, web in sides.items()}
        clients = {
            side: httpx.Client(base_url=web.url, cookies=cookies[side], timeout=30) for side, web in sides.items()
        }
        actions = {side: _actions(http, cookies[side]["csrftoken"]) for side, http in clients.items()}
        workers = {side: web.workers()[0] for side, web in sides.items()}
        for side in sides:
            for _ in range(30):  # warm up: imports, templates, connections, the client's pool
                for action in actions[side].values():
                    action()
        cpu = {side: {kind: [] for kind in KINDS} for side in sides}
        wall = {side: {kind: [] for kind in KINDS} for side in sides}
        for _ in range(rounds):
            for kind in KINDS:
                for side in sides:
                    before = cpu_seconds(workers[side])
                    for _ in range(requests):
                        t0 = time.perf_counter()
                        actions[side][kind]()
                        wall[side][kind].append((time.perf_counter() - t0) * 1000)
                    cpu[side][kind].append((cpu_seconds(workers[side]) - before) * 1000 / requests)
        for http in clients.values():
            http.close()
    return {
        side: {
            kind: {
                "cpu_ms": median(cpu[side][kind]),
                "cpu_rounds": cpu[side][kind],
                "wall_p50": median(wall[side][kind]),
                "wall_p95": percentile(wall[side][kind], 95),
            }
            for kind in KINDS
        }
        for side in cpu
    }


def report(results: dict, *, requests: int, rounds: int) -> str:
    result = results["this tree"]
    rows = []
    for kind, r in result.items():
        met = "met" if r["cpu_ms"] <= TARGETS[kind] else "NOT met"
        spread = f"{min(r['cpu_rounds']):.1f}–{max(r['cpu_rounds']):.1f}"
        rows.append([
            kind, f"{r['cpu_ms']:.2f}", spread, f"{r['wall_p50']:.1f}", f"{r['wall_p95']:.1f}",
            f"≤ {TARGETS[kind]:g}", met, f"{BEFORE[kind]:g}",
        ])  # fmt: skip
    headers = [
        "request", "CPU ms/request (median)", "rounds' range", "wall p50 ms", "wall p95 ms", "target", "",
        "issue's before",
    ]  # fmt: skip
    text = (
        f"Console CPU per request: {rounds} rounds × {requests} requests of each kind, one gunicorn worker "
        f"({machine()})\n\n" + table(headers, rows)
    )
    for side, other in results.items():
        if side == "this tree":
            continue
        compare = [
            [kind, f"{other[kind]['cpu_ms']:.2f}", f"{result[kind]['cpu_ms']:.2f}",
             f"{result[kind]['cpu_ms'] / other[kind]['cpu_ms']:.2f}"]
            for kind in KINDS
        ]  # fmt: skip
        text += f"\n\nSide by side, same run: {side} against this tree\n\n" + table(
            ["request", f"{side} CPU ms", "this tree CPU ms", "ratio"], compare
        )
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100, help="requests of each kind per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--against", action="append", default=[], help="a git revision to measure side by side (e.g. HEAD~1); repeat"
    )
    args = parser.parse_args()
    results = measure(requests=args.requests, rounds=args.rounds, against=tuple(args.against))
    print(report(results, requests=args.requests, rounds=args.rounds))


if __name__ == "__main__":
    main()
