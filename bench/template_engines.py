"""The customer page rendered by Django's template engine and by Jinja2, side by side: what a second template engine
would take off a page (issue 11's CPU targets; docs/benchmarks.md). A measurement for a decision, not a port.

    .venv/bin/python bench/template_engines.py [--renders 300] [CUSTOMER_ID ...]

The page's Django templates (customers/detail.html, base.html and their includes) are translated to Jinja2 into a
temporary directory by a few mechanical rules (below): nothing is kept in two copies. Each demo customer is opened
once through the console (test settings, the in-process fake, an agent: contact details masked) to get the view's
context; then both engines render that context with the same request and the same context processors, and the two
pages must be the same HTML (CSRF tokens and CSP nonces aside) before anything is timed; the check covers the
branches these customers reach, not every one a port would. Thread CPU time, the engines interleaved in batches of 20
(each engine first in every other batch), median of the batches. Jinja2 is pinned in requirements-dev.txt (locust
brings it).
"""

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "memberconsole.test_settings")

TEMPLATES = [
    "base.html",
    "customers/detail.html",
    "customers/_contact_access.html",
    "customers/_activity_messages.html",
    "includes/messages.html",
]
VIEW_KEYS = [
    "customer", "masked", "revealed_until", "reveal_form", "can_read_audit", "reveal_minutes", "activity_parts",
    "activity_timeout_ms", "time_zone",
]  # fmt: skip
CUSTOMERS = [565261498, 900000005, 900000018, 900000001]  # docs example, two programs, fraud and long names, expiry
# Django template syntax -> Jinja2, in order (the `add` rule comes before the `progress` tag that uses it).
RULES = [
    (r"\{% load [^%]*%\}", ""),
    (r"(?s)\{% comment %\}.*?\{% endcomment %\}", ""),
    (r"\{% static '([^']*)' %\}", r"{{ static('\1') }}"),
    (r"\{% htmx_script %\}", "{{ htmx_script() }}"),
    (r"\{% csp_nonce_attr %\}", "{{ csp_nonce_attr() }}"),
    (r"\{% csrf_token %\}", "{{ csrf_input }}"),
    (r"\{% url '([^']*)' %\}", r"{{ url('\1') }}"),
    (r"\{% url '([^']*)' ([^%]+?) %\}", r"{{ url('\1', args=[\2]) }}"),
    (r"user\.get_username\b", "user.get_username()"),
    (r"\|default:(\"[^\"]*\"|'[^']*')", r"|default(\1, true)"),
    (r"\|add:([\w.]+)", r" ~ (\1 or '')"),
    (r"forloop\.last", "loop.last"),
    (r"\{% empty %\}", "{% else %}"),
    (r"is not None", "is not none"),
    (r"is False", "is false"),
    (r"\{% with (\w+)=", r"{% with \1 = "),
    (r"\{% contact_value ([\w.]+) ([\w.]+) %\}", r"{{ contact_value(\1, \2) }}"),
    (r"\{% progress ([\w.]+) (\d+) (.+?) %\}", r"{{ progress(\1, \2, \3) }}"),
]
LEFT_OVER = re.compile(r"\{% (?!(?:if|elif|else|endif|for|endfor|block|endblock|extends|include|with|endwith)\b)")
VOLATILE = re.compile(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]*"|nonce="[^"]*"')


def translate(source_dir: Path, target_dir: Path) -> None:
    """Write the page's templates as Jinja2; fails on any Django tag the rules do not cover."""
    for name in TEMPLATES:
        text = (source_dir / name).read_text()
        for pattern, replacement in RULES:
            text = re.sub(pattern, replacement, text)
        if match := LEFT_OVER.search(text):
            raise SystemExit(f"{name}: no rule for {text[match.start() : match.start() + 40]!r}")
        (target_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (target_dir / name).write_text(text)


def environment(**options):
    """The Jinja2 environment: the console's filters and tags as Jinja2 filters and globals."""
    from django.templatetags.static import static
    from django.urls import reverse
    from django.utils import csp
    from django.utils.text import capfirst
    from django_htmx.jinja import htmx_script
    from jinja2 import Environment, pass_context
    from markupsafe import Markup

    from memberconsole.core.templatetags import console

    env = Environment(**options)
    env.globals.update(
        static=static,
        url=lambda name, args=(): reverse(name, args=args),
        contact_value=console.contact_value,
        progress=console.progress,
        csp_nonce_attr=pass_context(lambda context: Markup(csp.nonce_attr(context, None))),
        htmx_script=pass_context(lambda context: htmx_script(nonce=context.get("csp_nonce"))),
    )
    for name in ("when", "day", "number", "money", "code_words", "yesno_word", "epoch_time"):
        env.filters[name] = getattr(console, name)
    env.filters["capfirst"] = capfirst
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=300, help="renders of each page by each engine")
    parser.add_argument("customers", nargs="*", type=int, default=CUSTOMERS)
    args = parser.parse_args()

    import django

    django.setup()
    from django.test.utils import setup_databases, setup_test_environment, teardown_test_environment

    setup_test_environment()  # the test client keeps each response's context
    setup_databases(verbosity=0, interactive=False)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.template import engines
    from django.template.backends.jinja2 import Jinja2
    from django.test import Client, override_settings

    from memberconsole.core.roles import AGENT

    agent = get_user_model().objects.create_user("bench-templates")
    agent.groups.add(Group.objects.get(name=AGENT))
    browser = Client()
    browser.force_login(agent)
    pages = []
    with override_settings(RATE_LIMITS={"search": (10**6, 10**6), "view": (10**6, 10**6)}):
        for customer_id in args.customers:
            response = browser.get(f"/customers/{customer_id}/")
            assert response.status_code == 200, (customer_id, response.status_code)
            pages.append((customer_id, response.wsgi_request, {key: response.context[key] for key in VIEW_KEYS}))
    teardown_test_environment()  # from here Django renders as in production, not instrumented for the test client

    batch_count = max(1, args.renders // 20)
    with tempfile.TemporaryDirectory(prefix="mc-jinja2-") as directory:
        translate(ROOT / "templates", Path(directory))
        django_engine = engines["django"]
        jinja2_engine = Jinja2(
            {
                "NAME": "jinja2",
                "DIRS": [directory],
                "APP_DIRS": False,
                "OPTIONS": {
                    "environment": "bench.template_engines.environment",
                    "keep_trailing_newline": True,  # as Django keeps the newline that ends an included file
                    "context_processors": settings.TEMPLATES[0]["OPTIONS"]["context_processors"],
                },
            }
        )
        engines_ = {
            "Django": django_engine.get_template("customers/detail.html"),
            "Jinja2": jinja2_engine.get_template("customers/detail.html"),
        }
        rows = []
        for customer_id, request, context in pages:
            html = {name: template.render(context, request) for name, template in engines_.items()}
            if VOLATILE.sub("", html["Django"]) != VOLATILE.sub("", html["Jinja2"]):
                raise SystemExit(f"customer {customer_id}: the two engines rendered different pages")
            batches = {name: [] for name in engines_}
            order = list(engines_.items())
            for _ in range(batch_count):
                order.reverse()  # each engine goes first in every other batch
                for name, template in order:
                    started = time.thread_time()
                    for _ in range(20):
                        template.render(context, request)
                    batches[name].append((time.thread_time() - started) / 20 * 1000)
            django_ms, jinja2_ms = (statistics.median(batches[name]) for name in engines_)
            rows.append((customer_id, len(html["Django"].encode()), django_ms, jinja2_ms))

    renders = batch_count * 20
    print(f"The customer page by two template engines, same context and HTML; CPU ms per render, {renders} each")
    print()
    print("| customer | page bytes | Django ms | Jinja2 ms | saved ms | Django / Jinja2 |")
    print("|---|---:|---:|---:|---:|---:|")
    for customer_id, size, django_ms, jinja2_ms in rows:
        print(
            f"| {customer_id} | {size:,} | {django_ms:.2f} | {jinja2_ms:.2f} | {django_ms - jinja2_ms:.2f} "
            f"| {django_ms / jinja2_ms:.1f} |"
        )


if __name__ == "__main__":
    main()
