"""Member-care agents at work, for locust (bench/load.py and bench/bulk_budget.py start it headless).

Each simulated agent takes a session signed in beforehand through the login form (BENCH_SESSIONS, a JSON list of
cookie dicts: one login per agent, as in a shift), then acts every 1-3 s: 40 % search by mobile typed in one of five
formats (the POST and the customer page it redirects to, timed together as "search to page"), 40 % a customer page,
10 % a registration (the form, then the POST and the result page it redirects to), 10 % a bulk lookup of 50 customer
IDs (submit, then poll the progress partial every second as htmx does, then the result table; "bulk lookup, submit
to table" is the whole of it). BENCH_MIX=search makes every action a search (bench/bulk_budget.py),
BENCH_MIX=register a registration; BENCH_FAILURES=DIR keeps each failed registration's page there.
"""

import http.cookiejar
import itertools
import json
import os
import random
import re
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from locust import between, events
from locust.contrib.fasthttp import FastHttpUser

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stack import mobile_as_typed, seeded_id

SESSIONS = json.loads(Path(os.environ["BENCH_SESSIONS"]).read_text()) if os.environ.get("BENCH_SESSIONS") else []
CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "100000"))
MIX = os.environ.get("BENCH_MIX", "agent")
_next_session = itertools.count()
_registrations = itertools.count()
RUN = uuid.uuid4().int % 10_000  # mobiles registered by this run do not collide with an earlier run's


def _alert(html: str) -> str:
    """The first alert's words on a page (what the console told the agent), for the failure's message."""
    match = re.search(r'role="alert"[^>]*>(.*?)</div>', html or "", re.DOTALL)
    if match:
        return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).strip()[:160]
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", html or "", re.DOTALL)
    return "no alert on the page; its heading: " + (
        re.sub(r"<[^>]+>|\s+", " ", heading.group(1)).strip()[:100] if heading else "none"
    )


class Agent(FastHttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        cookies = SESSIONS[next(_next_session) % len(SESSIONS)]
        self.csrf = cookies["csrftoken"]
        # In the client's cookie jar, not a Cookie header: the client drops that header when it follows a redirect
        # (a registration's POST to its result page), and only the jar's cookies go along.
        host = urlsplit(self.host).hostname
        for name, value in cookies.items():
            self.client.cookiejar.set_cookie(http.cookiejar.Cookie(
                version=0, name=name, value=value, port=None, port_specified=False, domain=host,
                domain_specified=False, domain_initial_dot=False, path="/", path_specified=True, secure=False,
                expires=None, discard=True, comment=None, comment_url=None, rest={},
            ))  # fmt: skip
        self.rng = random.Random()

    def _form(self, data: dict) -> tuple[str, dict[str, str]]:
        body = urlencode({**data, "csrfmiddlewaretoken": self.csrf})
        return body, {"Content-Type": "application/x-www-form-urlencoded"}

    def _customer(self) -> int:
        return seeded_id(self.rng.randint(1, CUSTOMERS))

    def search(self) -> None:
        customer_id = self._customer()
        body, headers = self._form({"q": mobile_as_typed(customer_id, self.rng.randrange(5))})
        with self.client.post(
            "/customers/search/", data=body, headers=headers, name="search to page", catch_response=True
        ) as response:
            if response.status_code != 200 or f'data-testid="customer-id">{customer_id}<' not in response.text:
                response.failure(f"search did not open customer {customer_id}: {response.status_code}")

    def customer_page(self) -> None:
        customer_id = self._customer()
        with self.client.get(f"/customers/{customer_id}/", name="customer page", catch_response=True) as response:
            if response.status_code != 200 or f'data-testid="customer-id">{customer_id}<' not in response.text:
                response.failure(f"customer page {response.status_code}")

    def registration(self) -> None:
        with self.client.get("/customers/register/", name="registration form", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"registration form {response.status_code}")
                return
        n = next(_registrations)
        body, headers = self._form({
            "token": str(uuid.uuid4()), "source": "INSTORE", "first_name": "Load", "last_name": f"Agent{n}",
            "mobile": f"+91 7{RUN:04d}{n:05d}",
        })  # fmt: skip
        with self.client.post(
            "/customers/register/", data=body, headers=headers, name="registration", catch_response=True
        ) as response:
            if response.status_code != 200 or 'id="done-title"' not in response.text:
                response.failure(f"registration {response.status_code}: {_alert(response.text)}")
                if os.environ.get("BENCH_FAILURES"):  # keep the page the agent saw, to read after the run
                    page = Path(os.environ["BENCH_FAILURES"]) / f"registration-{RUN}-{n}.html"
                    page.parent.mkdir(parents=True, exist_ok=True)
                    page.write_text(f"<!-- {response.status_code} {response.url} -->\n{response.text}")

    def bulk(self) -> None:
        started = time.perf_counter()
        ids = "\n".join(str(self._customer()) for _ in range(50))
        body, headers = self._form({"entries": ids})
        with self.client.post(
            "/customers/bulk/", data=body, headers=headers, name="bulk submit", allow_redirects=False,
            catch_response=True,
        ) as response:  # fmt: skip
            location = response.headers.get("Location", "")
            if response.status_code != 302 or "/customers/bulk/" not in location:
                response.failure(f"bulk submit {response.status_code}")
                return
        poll = {"HX-Request": "true", "HX-Target": "bulk-progress", "X-Console-Poll": "1"}
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            time.sleep(1)  # hx-trigger="every 1s"
            with self.client.get(location, headers=poll, name="bulk progress poll", catch_response=True) as response:
                if response.status_code != 200:
                    response.failure(f"bulk poll {response.status_code}")
                    return
                if response.headers.get("HX-Refresh"):
                    break
        else:
            events.request.fire(
                request_type="BULK", name="bulk lookup, submit to table", response_time=120_000, response_length=0,
                exception=TimeoutError("not done in 120 s"), context={},
            )  # fmt: skip
            return
        with self.client.get(location, name="bulk result", catch_response=True) as response:
            if response.status_code != 200 or "Download CSV" not in response.text:
                response.failure(f"bulk result {response.status_code}")
                return
        events.request.fire(
            request_type="BULK", name="bulk lookup, submit to table",
            response_time=(time.perf_counter() - started) * 1000, response_length=0, exception=None, context={},
        )  # fmt: skip


# The mix: every action an agent takes (the default), or one kind only.
MIXES = {
    "agent": {Agent.search: 4, Agent.customer_page: 4, Agent.registration: 1, Agent.bulk: 1},
    "search": {Agent.search: 1},
    "register": {Agent.registration: 1},
}
Agent.tasks = [action for action, weight in MIXES[MIX].items() for _ in range(weight)]  # locust's weighted list
