"""Fault-injection run: register N walk-in customers through the console while Capillary fails before and after it
commits, and count customers lost or duplicated.

    .venv/bin/python bench/registration_faults.py [--registrations 240]

The fake Capillary runs in its own process on a socket; the console's client has a 0.5 s read timeout. Each
registration is submitted like an agent would: one POST of the form, a double click (two POSTs in flight together)
on every seventh, and when the
console says nothing was registered the agent submits the form it got back (with its fresh token), up to 3 times.
Afterwards every person is looked up in the fake: lost = the agent was told "registered" but Capillary has no such
customer, or Capillary has the customer but the agent was left believing nothing was registered; duplicated = more
than one customer for one person.
"""

import argparse
import collections
import os
import re
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "memberconsole.test_settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

SCENARIOS = [
    ("no fault", None),
    ("503 before commit", {"status": 503, "when": "before"}),
    ("503 after commit", {"status": 503, "when": "after"}),
    ("timeout before commit", {"timeout": True, "delay_ms": 1200, "when": "before"}),
    ("timeout after commit", {"timeout": True, "delay_ms": 1200, "when": "after"}),
    ("garbled answer after commit", {"malformed": True, "when": "after"}),
    ("502 before commit", {"status": 502, "when": "before"}),
    ("500 after commit", {"status": 500, "when": "after"}),
]


def run(registrations: int) -> dict:
    import django

    # A real SQLite file (not the shared in-memory test database) so that concurrent requests behave as in production.
    console_db = Path(os.environ.get("TMPDIR", "/tmp")) / f"faults-console-{os.getpid()}.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{console_db}"
    django.setup()
    import httpx
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client, override_settings

    from bench.run import start_fake
    from memberconsole.capillary.factory import (
        FAKE_PASSWORD,
        FAKE_USERNAME,
        build_capillary_client,
        set_capillary_client,
    )
    from memberconsole.core.roles import AGENT

    call_command("migrate", verbosity=0)
    db = Path(os.environ.get("TMPDIR", "/tmp")) / f"faults-fake-{os.getpid()}.sqlite3"
    process, base_url = start_fake(db)
    fake = httpx.Client(base_url=base_url, timeout=10)
    # Keep every request in the fake's log (1,000 by default): the POSTs are counted from it at the end.
    fake.post("/__fake__/config", json={"behaviour": {"request_log_size": 100_000}}).raise_for_status()
    try:
        # The org's limit of 100 registrations a minute (CAPILLARY_RATE_LIMITS) is raised: the run sends several
        # hundred in well under a minute, and measures what faults do, not the budget.
        with override_settings(
            CAPILLARY_USERNAME=FAKE_USERNAME,
            CAPILLARY_PASSWORD=FAKE_PASSWORD,
            CAPILLARY_TIMEOUT=0.5,
            CAPILLARY_RATE_LIMITS={"POST /v2/customers": 10**6},
            CAPILLARY_RATE_LIMIT_DEFAULT=10**6,
        ):
            client = build_capillary_client(base_url=base_url)
        client._sleep = lambda seconds: None
        set_capillary_client(client)
        agent, _ = get_user_model().objects.get_or_create(username="fault-agent")
        agent.groups.add(Group.objects.get(name=AGENT))  # the role that may search, open customers and register
        browser = Client()
        browser.force_login(agent)
        second_hand = Client()  # the double click: a second request of the same browser session, at the same time
        second_hand.cookies = browser.cookies

        def post_at_once(data: dict) -> list:
            """Both clicks of a double click, in flight together; the browser keeps the answer to the last one."""
            answers = [None, None]

            def click(index: int, who: Client) -> None:
                try:
                    answers[index] = who.post("/customers/register/", data)
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=click, args=(i, who)) for i, who in enumerate((browser, second_hand))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            return answers

        told = {}
        outcomes = collections.Counter()
        started = time.perf_counter()
        for i in range(registrations):
            name, spec = SCENARIOS[i % len(SCENARIOS)]
            mobile = f"+91 97{i:08d}"
            if spec:
                fake.post("/__fake__/faults", json={"path": "/v2/customers", "method": "POST", "count": 1, **spec})
            data = {"token": str(uuid.uuid4()), "source": "INSTORE", "first_name": f"Fault{i:04d}", "mobile": mobile}
            customer_id = None
            for attempt in range(3):
                if i % 7 == 0 and attempt == 0:
                    first, response = post_at_once(data)
                    # Whichever click won, the browser shows the last answer: registered (302), being sent, or the form.
                    if response.status_code != 302 and first.status_code == 302:
                        response = first
                else:
                    response = browser.post("/customers/register/", data)
                if response.status_code == 200 and b"already being sent" in response.content:
                    # The agent waits on the "being sent" page, which refreshes to the result.
                    time.sleep(0.6)
                    response = browser.get(f"/customers/register/{data['token']}/")
                    if b"Customer registered" in response.content or b"Profile added" in response.content:
                        response.status_code, response["Location"] = 302, f"/customers/register/{data['token']}/"
                if response.status_code == 302:
                    result = browser.get(response["Location"]).content.decode()
                    customer_id = int(re.search(r'href="/customers/(\d+)/"', result).group(1))
                    outcomes[
                        f"{name}: registered" + (" (confirmed by lookup)" if "a check found" in result else "")
                    ] += 1
                    break
                body = response.content.decode()
                match = re.search(r'name="token" value="([^"]+)"', body)
                outcomes[f"{name}: agent told not registered, resubmits"] += 1
                if match:
                    data["token"] = match.group(1)
                # else: "did not go through, go back to the form": Back brings the same form, sent again as it was.
            told[i] = (mobile, customer_id)
        elapsed = time.perf_counter() - started
        lost = duplicated = 0
        for i, (_mobile, customer_id) in told.items():
            page = client.customer_search(q=f"Fault{i:04d}", limit=10)
            ids = {hit.user_id for hit in page.hits}
            if len(ids) > 1:
                duplicated += 1
            if (customer_id is None and ids) or (customer_id is not None and customer_id not in ids):
                lost += 1
        # The fake logs a request when it answers: a POST the console gave up on (a timeout fault holds it 1.2 s) is
        # logged up to 0.7 s after the agent saw the outcome. Wait for the last ones, or the count is short by them
        # (the 329 of 330 in an earlier run: the last timeout's POST, logged after the count).
        time.sleep(max(spec.get("delay_ms", 0) for _, spec in SCENARIOS if spec) / 1000 + 0.5)
        log = fake.get("/__fake__/requests", params={"method": "POST"}).json()
        entries = log["requests"] if isinstance(log, dict) else log
        posts = sum(1 for e in entries if e["method"] == "POST" and e["path"] == "/v2/customers")
        resubmits = sum(count for outcome, count in outcomes.items() if "resubmits" in outcome)
        return {
            "registrations": registrations,
            "lost": lost,
            "duplicated": duplicated,
            "seconds": elapsed,
            "outcomes": dict(sorted(outcomes.items())),
            "posts": posts,
            "posts_expected": registrations + resubmits,
        }
    finally:
        set_capillary_client(None)
        process.terminate()
        process.wait(timeout=10)
        db.unlink(missing_ok=True)
        connections.close_all()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{console_db}{suffix}").unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registrations", type=int, default=240)
    args = parser.parse_args()
    result = run(args.registrations)
    print(
        f"registration fault injection: {result['registrations']} registrations in {result['seconds']:.1f} s, "
        f"lost {result['lost']}, duplicated {result['duplicated']}; POST /v2/customers sent {result['posts']} times "
        f"(one per registration plus one per resubmit after a failure before commit: {result['posts_expected']})"
    )
    for outcome, count in result["outcomes"].items():
        print(f"  {count:4d}  {outcome}")


if __name__ == "__main__":
    main()
