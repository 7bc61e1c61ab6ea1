"""Two app servers: two gunicorn instances on different ports sharing PostgreSQL and Redis (and one db_worker).

    .venv/bin/python bench/two_servers.py

Checks, each by alternating requests between server A and server B, what an agent would notice: signed in on A is
signed in on B (and signing out on B signs out on A); the per-user search limit is one count for both (a limit of 6
searches a minute: the 7th is refused, whichever server gets it); the Capillary budget is one count for both (a
limit of 8 customer reads a minute: the 9th page is refused); a bulk lookup started on A shows its progress on B
while it runs and its table on B when done. Prints one row per check.
"""

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.stack import Stack, agent_name, machine, mobile_as_typed, seeded_id, table  # noqa: E402

SEARCH_LIMIT = 6
READ_LIMIT = 8
BULK_ENTRIES = 500  # mobiles: one lookup each, 8 in flight, 50 ms each: a few seconds of progress to watch
ENV = {
    "SEARCH_PER_MINUTE": str(SEARCH_LIMIT),
    "SEARCH_PER_HOUR": "1000",
    "VIEW_PER_MINUTE": "1000",
    "VIEW_PER_HOUR": "1000",
    "CAPILLARY_RATE_LIMITS": f"GET /v2/customers/{{id}}={READ_LIMIT},POST /v2/customers=100",
    "CAPILLARY_RATE_LIMIT_DEFAULT": "100000",
}


def _fresh_minute(margin: float = 15.0) -> None:
    """Limits count per clock minute: start a check early enough in one that it does not cross into the next."""
    left = 60 - time.time() % 60
    if left < margin:
        time.sleep(left + 0.5)


def main() -> None:
    rows = []
    with Stack(env=ENV) as stack:
        stack.start_fake(customers=2000, latency_ms=50)
        stack.prepare(agents=3)
        a = stack.start_gunicorn(workers=2)
        b = stack.start_gunicorn(workers=2)
        stack.start_worker()
        servers = {"A": a, "B": b}

        # 1. One sign-in, both servers.
        cookies = stack.login(a, agent_name(1))
        http = {name: httpx.Client(base_url=web.url, cookies=cookies, timeout=30) for name, web in servers.items()}
        home_b = http["B"].get("/")
        rows.append(["signed in on A, home page on B", "200", str(home_b.status_code), home_b.status_code == 200])
        http["B"].post("/accounts/logout/", data={"csrfmiddlewaretoken": cookies["csrftoken"]})
        home_a = http["A"].get("/")
        out = home_a.status_code == 302 and "/accounts/login/" in home_a.headers.get("Location", "")
        rows.append(["signed out on B, home page on A", "302 to sign-in", str(home_a.status_code), out])
        for client in http.values():
            client.close()

        # 2. The per-user search limit, counted once for both servers.
        cookies = stack.login(b, agent_name(2))
        http = {name: httpx.Client(base_url=web.url, cookies=cookies, timeout=30) for name, web in servers.items()}
        _fresh_minute()
        answers = []
        for n in range(SEARCH_LIMIT + 2):
            server = "AB"[n % 2]
            q = mobile_as_typed(seeded_id(n + 1), n)
            response = http[server].post(
                "/customers/search/", data={"q": q, "csrfmiddlewaretoken": cookies["csrftoken"]}
            )
            answers.append(f"{server}:{response.status_code}")
        allowed = sum(1 for answer in answers if answer.endswith(":302"))
        refused = sum(1 for answer in answers if answer.endswith(":429"))
        rows.append([
            f"searches alternating A, B with {SEARCH_LIMIT} a minute", f"{SEARCH_LIMIT} answered, then 429",
            " ".join(answers), allowed == SEARCH_LIMIT and refused == 2 and answers[SEARCH_LIMIT].endswith(":429"),
        ])  # fmt: skip

        # 3. The Capillary budget, one count for both servers.
        _fresh_minute()
        answers = []
        for n in range(READ_LIMIT + 2):
            server = "AB"[n % 2]
            response = http[server].get(f"/customers/{seeded_id(100 + n)}/")
            answers.append(f"{server}:{response.status_code}")
        shown = sum(1 for answer in answers if answer.endswith(":200"))
        rows.append([
            f"customer pages alternating A, B with a budget of {READ_LIMIT} reads a minute",
            f"{READ_LIMIT} shown, then refused", " ".join(answers),
            shown == READ_LIMIT and not answers[READ_LIMIT].endswith(":200"),
        ])  # fmt: skip
        for client in http.values():
            client.close()

        # 4. A bulk lookup started on A, watched on B.
        cookies = stack.login(a, agent_name(3))
        http = {name: httpx.Client(base_url=web.url, cookies=cookies, timeout=30) for name, web in servers.items()}
        entries = "\n".join(mobile_as_typed(seeded_id(n), n) for n in range(1, BULK_ENTRIES + 1))
        response = http["A"].post(
            "/customers/bulk/", data={"entries": entries, "csrfmiddlewaretoken": cookies["csrftoken"]}
        )
        job = response.headers.get("Location", "")
        poll = {"HX-Request": "true", "HX-Target": "bulk-progress", "X-Console-Poll": "1"}
        seen, started = [], time.perf_counter()
        while time.perf_counter() - started < 120:
            progress = http["B"].get(job, headers=poll)
            if progress.headers.get("HX-Refresh"):
                break
            marker = 'aria-valuenow="'
            text = progress.text
            if marker in text:
                seen.append(int(text.split(marker, 1)[1].split('"', 1)[0]))
            time.sleep(0.3)
        table_b = http["B"].get(job)
        found = table_b.text.count('class="status status-found"') or table_b.text.count("Found")
        partway = [p for p in seen if 0 < p < BULK_ENTRIES]
        rows.append([
            f"bulk lookup of {BULK_ENTRIES} mobiles started on A, progress polled on B",
            "entries done seen between 0 and all, then the table",
            f"entries done, seen on B: {', '.join(map(str, seen))}; then the table ({table_b.status_code})",
            bool(partway) and table_b.status_code == 200 and found > 0,
        ])  # fmt: skip
        for client in http.values():
            client.close()
    print(f"Two app servers ({machine()})\n")
    print(table(["check", "expected", "observed", "ok"], [[*row[:3], "yes" if row[3] else "NO"] for row in rows]))
    if not all(row[3] for row in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
