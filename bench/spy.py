"""Where the gunicorn worker's CPU goes on one kind of request: py-spy samples the real worker (idle threads left out,
so the samples are CPU) while one agent makes that request again and again.

    .venv/bin/python bench/spy.py [--kind "customer page"] [--seconds 30] [--top 30] [--against REV]

Prints the share of samples in the console's own functions and in the main parts of a request (inclusive), and
writes the collapsed stacks to var/bench/spy-KIND.txt (flamegraph.pl or speedscope read them).
"""

import argparse
import collections
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.cpu import CUSTOMERS, KINDS, _actions  # noqa: E402
from bench.stack import PY, RAISED_LIMITS, Stack, agent_name  # noqa: E402

# Parts of a request, by a frame that marks them (inclusive shares; they may nest).
PARTS = {
    "template rendering": "render (django/template/response.py",
    "Capillary call (httpx, parse)": "_call (memberconsole/capillary/client.py",
    "  of which: budget": "acquire (memberconsole/core/budget.py",
    "  of which: pydantic validation": "model_validate (pydantic",
    "mapping to the page's dataclasses": "to_customer (memberconsole/customers/mapping.py",
    "audit + recently viewed": "customer_view_record (memberconsole/customers/services.py",
    "search audit": "customer_search_record (memberconsole/customers/services.py",
    "rate limits": "rate_limit_hit (memberconsole/core/ratelimits.py",
    "permission checks": "has_perm (django/contrib/auth/models.py",
    "user from session (auth middleware)": "get_user (django/contrib/auth/__init__.py",
    "session load": "_get_session (django/contrib/sessions/backends/base.py",
    "session save": "process_response (django/contrib/sessions/middleware.py",
    "recently viewed (home)": "recent_customers (memberconsole/customers/selectors.py",
    "CSRF": "process_view (django/middleware/csrf.py",
    "messages": "process_response (django/contrib/messages/middleware.py",
    "gunicorn (parse, write)": "handle_request (gunicorn/workers/gthread.py",
    "PostgreSQL (psycopg)": "execute (psycopg/cursor.py",
    "Redis (redis-py)": "execute_command (redis/client.py",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=KINDS, default="customer page")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--against", default="", help="profile this git revision's console instead")
    args = parser.parse_args()
    out = ROOT / "var" / "bench" / f"spy-{args.kind.replace(' ', '-')}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    with Stack(env=RAISED_LIMITS) as stack:
        stack.start_fake(customers=CUSTOMERS, latency_ms=0)
        stack.prepare(agents=1)
        root = stack.checkout(args.against) if args.against else ROOT
        web = stack.start_gunicorn(workers=1, root=root)
        cookies = stack.login(web, agent_name(1))
        stop = threading.Event()
        done = collections.Counter()

        def load() -> None:
            with httpx.Client(base_url=web.url, cookies=cookies, timeout=30) as http:
                action = _actions(http, cookies["csrftoken"])[args.kind]
                while not stop.is_set():
                    action()
                    done["requests"] += 1

        for _ in range(30):
            with httpx.Client(base_url=web.url, cookies=cookies, timeout=30) as http:
                _actions(http, cookies["csrftoken"])[args.kind]()
        thread = threading.Thread(target=load)
        thread.start()
        try:
            spy = str(Path(PY).parent / "py-spy")
            subprocess.run(
                [spy, "record", "-p", str(web.workers()[0]), "-d", str(args.seconds), "-r", "250", "-f", "raw",
                 "-o", str(out), "--nonblocking"],
                check=True, capture_output=True,
            )  # fmt: skip
        finally:
            stop.set()
            thread.join()
    stacks = []
    for line in out.read_text().splitlines():
        frames, _, count = line.rpartition(" ")
        stacks.append((frames.split(";"), int(count)))
    total = sum(count for _, count in stacks)
    print(f"{args.kind}: {total} CPU samples at 250 Hz over {done['requests']} requests ({out.relative_to(ROOT)})\n")
    print("Parts of a request (inclusive share of CPU samples):")
    for name, marker in PARTS.items():
        share = sum(count for frames, count in stacks if any(marker in frame for frame in frames))
        if share:
            print(f"  {name:40} {share * 100 / total:5.1f} %")
    own = collections.Counter()
    for frames, count in stacks:
        own[frames[-1]] += count
    print(f"\nTop {args.top} functions by own samples:")
    for frame, count in own.most_common(args.top):
        print(f"  {count * 100 / total:5.1f} %  {frame.replace(str(ROOT) + '/', '')[:150]}")
    console = collections.Counter()
    for frames, count in stacks:
        for frame in reversed(frames):
            if "memberconsole/" in frame:
                console[frame.split(" (")[0] + " (" + frame.split("memberconsole/")[-1].split(":")[0]] += count
                break
    print("\nInnermost console function on the stack:")
    for frame, count in console.most_common(15):
        print(f"  {count * 100 / total:5.1f} %  {frame}")


if __name__ == "__main__":
    main()
