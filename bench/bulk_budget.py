"""Bulk through the budget: 5,000 mixed entries with the Capillary budget at 1,000 calls a minute per API, while 10
agents search.

    .venv/bin/python bench/bulk_budget.py [--reserve 0.2] [--entries 5000] [--agents 10]

The production profile (bench/stack.py) with the fake Capillary holding 20,000 generated customers and 50 ms on
every /v2 call, CAPILLARY_RATE_LIMIT_DEFAULT=1000 (every API: 1,000 calls a minute) and CAPILLARY_INTERACTIVE_RESERVE
as given. A supervisor submits 5,000 entries through the bulk page (customer IDs, mobiles in mixed formats, card
numbers, and mobiles nobody has) and a db_worker runs it, while 10 agents (locust, BENCH_MIX=search) search by mobile
every 1-3 s until the job is done. The fake's request log counts the calls per clock minute and API, the bulk job's
(its lookups ask embed=mlp) apart from the agents'; locust times the agents' searches (POST to customer page).
"""

import argparse
import collections
import csv
import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.load import sign_in_all  # noqa: E402
from bench.stack import PY, Stack, machine, mobile_as_typed, seeded_id, table  # noqa: E402

CUSTOMERS = 20_000
LIMIT = 1000
LOOKUP = "/v2/customers/lookup/customerDetails"
LATENCY_MS = 50


def entries(total: int) -> list[str]:
    """The list a supervisor pastes: 70 % customer IDs, 24 % mobiles as typed, 4 % card numbers, 2 % unknown mobiles."""
    from memberconsole.fake_capillary.generate import _core

    ids = total * 70 // 100
    mobiles = total * 24 // 100
    cards_wanted = total * 4 // 100
    unknown = total - ids - mobiles - cards_wanted
    out = [str(seeded_id(n)) for n in range(1, ids + 1)]
    out += [mobile_as_typed(seeded_id(ids + n), n) for n in range(1, mobiles + 1)]
    n = ids + mobiles
    cards = []
    while len(cards) < cards_wanted:
        n += 1
        card = _core(seeded_id(n))["card"]
        if card:
            cards.append(card)
    out += cards
    out += [f"+91 59{n:08d}" for n in range(unknown)]  # no generated mobile starts with 5
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--agents", type=int, default=10)
    parser.add_argument("--reserve", type=float, default=0.2, help="CAPILLARY_INTERACTIVE_RESERVE")
    args = parser.parse_args()
    env = {
        "CAPILLARY_RATE_LIMIT_DEFAULT": str(LIMIT),
        "CAPILLARY_RATE_LIMITS": "POST /v2/customers=100",
        "CAPILLARY_INTERACTIVE_RESERVE": str(args.reserve),
        "SEARCH_PER_MINUTE": "1000",
        "VIEW_PER_MINUTE": "1000",
        "LOG_LEVEL": "WARNING",
    }
    with Stack(env=env) as stack:
        stack.start_fake(customers=CUSTOMERS, latency_ms=LATENCY_MS, log_size=200_000)
        stack.prepare(agents=args.agents, supervisors=1)
        web = stack.start_gunicorn()
        stack.start_worker()
        sessions = stack.run_dir / "sessions.json"
        sessions.write_text(json.dumps(sign_in_all(stack, web, args.agents)))
        supervisor = stack.login(web, "supervisor001")
        fake = stack.fake()
        # The agents search from now until the job is done.
        prefix = stack.run_dir / "agents"
        locust = subprocess.Popen(
            [str(Path(PY).parent / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
             "--host", web.url, "-u", str(args.agents), "-r", str(args.agents), "--run-time", "1200s",
             "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
            cwd=ROOT, env={**stack.console_env(), "BENCH_SESSIONS": str(sessions), "BENCH_MIX": "search",
                           "BENCH_CUSTOMERS": str(CUSTOMERS)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(5)  # the agents at work before the job starts
        fake.delete("/__fake__/requests")
        listed = entries(args.entries)
        with httpx.Client(base_url=web.url, cookies=supervisor, timeout=120) as http:
            started = time.time()
            response = http.post(
                "/customers/bulk/", data={"entries": "\n".join(listed), "csrfmiddlewaretoken": supervisor["csrftoken"]}
            )
            job = response.headers.get("Location", "")
            if response.status_code != 302 or not job:
                raise RuntimeError(f"the bulk lookup was not accepted: {response.status_code}")
            poll = {"HX-Request": "true", "HX-Target": "bulk-progress", "X-Console-Poll": "1"}
            while True:
                time.sleep(1)  # as the page polls
                try:
                    if http.get(job, headers=poll).headers.get("HX-Refresh"):
                        break
                except httpx.RemoteProtocolError:
                    continue  # gunicorn closed the idle kept-alive connection as this poll reused it: poll again
            elapsed = time.time() - started
            counts = http.get(job).text
        locust.send_signal(signal.SIGINT)
        locust.wait(timeout=60)
        log = fake.get("/__fake__/requests").json()["requests"]
        with open(f"{prefix}_stats.csv") as f:
            stats = {row["Name"]: row for row in csv.DictReader(f)}
    per_minute = collections.defaultdict(collections.Counter)
    for entry in log:
        # The fake logs a call when it answers, after the injected 50 ms; the budget counted it when it was sent.
        sent = datetime.fromisoformat(entry["time"]) - timedelta(milliseconds=LATENCY_MS)
        minute = sent.isoformat()[:16]
        path = entry["path"]
        if path == LOOKUP:
            who = "bulk" if entry["query"].get("embed") == "mlp" else "agents"
            per_minute[minute][f"lookup {who}"] += 1
        elif path == "/v2/bulk/getCustomers":
            per_minute[minute]["bulk getCustomers"] += 1
        elif path.startswith("/v2/customers/") and path.rsplit("/", 1)[-1].isdigit():
            per_minute[minute]["agents customer read"] += 1
    rows = []
    for minute in sorted(per_minute):
        c = per_minute[minute]
        lookups = c["lookup bulk"] + c["lookup agents"]
        rows.append([
            minute[11:] + " UTC", c["lookup bulk"], c["lookup agents"], lookups, c["bulk getCustomers"],
            c["agents customer read"], "yes" if lookups <= LIMIT and c["lookup bulk"] <= LIMIT else "NO",
        ])  # fmt: skip
    print(
        f"Bulk through the budget: {args.entries:,} entries, budget {LIMIT:,} calls a minute per API, reserve "
        f"{args.reserve:.0%} for agents, {args.agents} agents searching ({machine()})\n"
    )
    print(
        f"The job took {elapsed:.0f} s (submit to done). Calls counted by the fake Capillary per clock minute (by when "
        f"they were sent: the fake's log time less the {LATENCY_MS} ms it waits before answering):\n"
    )
    print(table(
        ["minute", "lookups: bulk", "lookups: agents", "lookups: all", "bulk getCustomers", "agents' customer reads",
         f"≤ {LIMIT:,}"], rows,
    ))  # fmt: skip
    s = stats.get("search to page", {})
    p95 = float(s.get("95%", "nan"))
    print(f"\nAgents' searches while the job ran (POST to customer page), {args.agents} agents:\n")
    print(table(
        ["searches", "errors", "p50 ms", "p95 ms", "p99 ms", "target p95", ""],
        [[int(s.get("Request Count", 0)), int(s.get("Failure Count", 0)), s.get("50%"), s.get("95%"), s.get("99%"),
          "< 400", "met" if p95 < 400 and int(s.get("Failure Count", 0)) == 0 else "NOT met"]],
    ))  # fmt: skip
    summary = [line for line in counts.splitlines() if "status-" in line][:8]
    if os.environ.get("BENCH_VERBOSE"):
        print("\n".join(summary))


if __name__ == "__main__":
    main()
