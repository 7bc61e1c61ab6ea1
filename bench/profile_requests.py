"""Where a request's CPU goes: the console's WSGI handler in this process, profiled over many requests of one kind.

    .venv/bin/python bench/profile_requests.py [--kind page|search|home|bulk] [--requests 300] [--cprofile]

The production settings (DEBUG off, PostgreSQL and Redis from bench/stack.py) and the fake Capillary in its own
process on a socket; requests go through Django's WSGI handler as gunicorn calls it (a WSGI environ with the session
cookie), so middleware, session, context processors and templates run as in production. pyinstrument (sampling,
little overhead) prints the call tree; --cprofile prints cProfile's top functions by own time instead.
"""

import argparse
import io
import itertools
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stack import RAISED_LIMITS, Stack, agent_name, mobile_as_typed, seeded_id  # noqa: E402


def _wsgi_call(app, method: str, path: str, cookies: dict[str, str], body: bytes = b"") -> tuple[str, dict, bytes]:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if body:
        environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["HTTP_ORIGIN"] = "http://127.0.0.1"
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    result = app(environ, start_response)
    try:
        content = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return answer["status"], answer["headers"], content


def request_action(app, cookies: dict[str, str], kind: str):
    """One request of `kind` through the WSGI handler, asserting its status: "page" (a customer page), "search" (a
    mobile as typed, then the customer page it redirects to) or "home"; customers in turn from the 1,000 seeded."""
    from urllib.parse import urlencode

    ids = itertools.cycle(seeded_id(n) for n in range(1, 1000, 7))
    styles = itertools.count()

    def page() -> None:
        status, _, _ = _wsgi_call(app, "GET", f"/customers/{next(ids)}/", cookies)
        assert status.startswith("200"), status

    def search() -> None:
        cid = next(ids)
        body = urlencode({"q": mobile_as_typed(cid, next(styles)), "csrfmiddlewaretoken": cookies["csrftoken"]})
        status, headers, _ = _wsgi_call(app, "POST", "/customers/search/", cookies, body.encode())
        assert status.startswith("302"), status
        status, _, _ = _wsgi_call(app, "GET", headers["Location"], cookies)
        assert status.startswith("200"), status

    def home() -> None:
        status, _, _ = _wsgi_call(app, "GET", "/", cookies)
        assert status.startswith("200"), status

    return {"page": page, "search": search, "home": home}[kind]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=["page", "search", "home"], default="page")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--limit", type=int, default=40, help="lines of the cProfile listing")
    args = parser.parse_args()

    with Stack(env=RAISED_LIMITS) as stack:
        stack.start_fake(customers=1000, latency_ms=0)
        stack.prepare(agents=1)
        web = stack.start_gunicorn(workers=1)
        cookies = stack.login(web, agent_name(1))
        os.environ.update(stack.console_env())
        import django

        django.setup()
        from django.core.wsgi import get_wsgi_application

        app = get_wsgi_application()
        action = request_action(app, cookies, args.kind)
        for _ in range(30):
            action()
        started_cpu, started = time.process_time(), time.perf_counter()
        if args.cprofile:
            import cProfile
            import pstats

            profiler = cProfile.Profile(time.process_time)  # CPU, not waiting for PostgreSQL, Redis or the fake
            profiler.enable()
            for _ in range(args.requests):
                action()
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(args.limit)
            stats.sort_stats("cumulative").print_stats(args.limit)
        else:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.001)
            profiler.start()
            for _ in range(args.requests):
                action()
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False, time="percent_of_total"))
        cpu = (time.process_time() - started_cpu) * 1000 / args.requests
        wall = (time.perf_counter() - started) * 1000 / args.requests
        print(f"{args.kind}: {args.requests} requests, {cpu:.2f} ms CPU and {wall:.2f} ms wall each (profiled)")


if __name__ == "__main__":
    main()
