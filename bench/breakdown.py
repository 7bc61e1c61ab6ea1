"""Where a request's CPU goes, part by part: the console's WSGI handler in this process, with the main parts of a
request timed in thread CPU time (time.thread_time) around their functions.

    .venv/bin/python bench/breakdown.py [--kind page|search|home] [--requests 200] [--root PATH]

The production settings (DEBUG off, PostgreSQL and Redis from bench/stack.py) against the fake Capillary in its own
process, no latency injected (waiting costs no CPU). --root runs another tree's console (e.g. a `git archive` of an
older revision) with the same harness, to compare where the time went before and after. Parts nest: "capillary
call" includes "budget"; "view" excludes the template, which Django renders after the view returns.
"""

import argparse
import collections
import functools
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=["page", "search", "home"], default="page")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--root", type=Path, default=ROOT, help="the console tree to measure (default: this one)")
    args = parser.parse_args()
    root = args.root.resolve()
    sys.path[:0] = [str(root), str(ROOT)]  # the measured console first; bench.* from this tree
    from bench.profile_requests import request_action
    from bench.stack import RAISED_LIMITS, Stack, agent_name

    sys.path.insert(0, str(root))  # bench.profile_requests put this tree first: the measured console goes before it

    with Stack(env=RAISED_LIMITS, quiet=True) as stack:
        stack.start_fake(customers=1000, latency_ms=0)
        stack.prepare(agents=1)
        web = stack.start_gunicorn(workers=1, root=root)
        cookies = stack.login(web, agent_name(1))
        os.environ.update(stack.console_env(root=root))
        import django

        django.setup()
        import django.contrib.auth as auth
        import django.contrib.sessions.backends.cached_db as cached_db
        import django.contrib.sessions.middleware as session_middleware
        import django.template.response as template_response
        from django.core.wsgi import get_wsgi_application

        import memberconsole.capillary.client as client
        import memberconsole.core.budget as budget
        import memberconsole.customers.selectors as selectors
        import memberconsole.customers.views as views

        app = get_wsgi_application()
        spent = collections.Counter()

        def timed(owner, name: str, label: str) -> None:
            function = getattr(owner, name)

            @functools.wraps(function)
            def wrapper(*a, **k):
                started = time.thread_time()
                try:
                    return function(*a, **k)
                finally:
                    spent[label] += time.thread_time() - started

            setattr(owner, name, wrapper)

        timed(template_response.SimpleTemplateResponse, "render", "template rendering")
        timed(views, "customer_detail", "customer page view (without template)")
        timed(views, "customer_search", "search view")
        timed(views, "home", "home view (without template)")
        timed(client.CapillaryClient, "_call", "capillary call (send, decode, parse)")
        timed(budget.CacheBudget, "acquire", "  of which: Capillary budget")
        timed(client.CapillaryClient, "_customer", "  of which: pydantic Customer")
        timed(selectors, "to_customer", "mapping to the page's dataclasses")
        timed(selectors, "customer_search", "search selector (readings, lookup)")
        timed(views.services, "customer_view_record", "audit entry + recently viewed (view)")
        timed(views.services, "customer_search_record", "audit entry (search)")
        timed(views, "rate_limit_hit", "per-user rate limit")
        timed(selectors, "recent_customers", "recently viewed query (home)")
        timed(auth, "get_user", "user and permissions (auth)")
        timed(cached_db.SessionStore, "load", "session load")
        timed(session_middleware.SessionMiddleware, "process_response", "session save")

        action = request_action(app, cookies, args.kind)
        for _ in range(40):
            action()
        spent.clear()
        started = time.thread_time()
        for _ in range(args.requests):
            action()
        total = (time.thread_time() - started) * 1000 / args.requests
    print(f"{args.kind} ({root.name}): {total:.2f} ms of CPU per {args.kind}, {args.requests} in a row\n")
    print("| part | ms | share |\n|---|---:|---:|")
    for label, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        ms = seconds * 1000 / args.requests
        print(f"| {label} | {ms:.2f} | {ms / total:.0%} |")


if __name__ == "__main__":
    main()
