"""Bulk lookup benchmark: 1,000 customer IDs through the bulk service, next to 1,000 one-at-a-time GETs, unpinned and
with the fake and the console pinned to a core each; then the Capillary calls of three 1,000-entry lists.

    .venv/bin/python bench/bulk.py [--ids 1000] [--latency-ms 50] [--rounds 3] [--write]

Serves the fake Capillary on a socket, in its own process (its CPU is not the console's), with latency injected on
every /v2 call, seeds generated customers, then times (a) memberconsole.bulk.services creating the job and
memberconsole.bulk.runner resolving it (the same code a db_worker runs: the bulk API in chunks of 100 with 4 in
flight, parsing, mapping, the row writes) and (b) client.customer_get for each ID in turn. Upstream calls are counted
from the fake's request log; the console's CPU per row is this process's CPU time (every thread) over the bulk run,
divided by the IDs. With DATABASE_URL/CACHE_URL set (make bench: PostgreSQL and Redis) the job is written there.
--write replaces the "## Bulk lookup" section of docs/benchmarks.md.
"""

import argparse
import os
import platform
import re
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "memberconsole.test_settings")
DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## Bulk lookup"


def _setup_django():
    import django

    django.setup()
    from django.test.utils import setup_databases, setup_test_environment

    setup_test_environment()
    setup_databases(verbosity=0, interactive=False)


def _upstream_calls(http, base_url: str) -> list[dict]:
    log = http.get(f"{base_url}/__fake__/requests").json()
    entries = log["requests"] if isinstance(log, dict) else log
    return [e for e in entries if e["path"].startswith("/v2/")]


def bench_bulk(*, ids: int, latency_ms: int, rounds: int, single: bool = True, pin: bool = False) -> dict:
    """pin: the fake on core 0 (taskset) and this process on core 1, so the two never share a core."""
    if not pin:
        return _bench_bulk(ids=ids, latency_ms=latency_ms, rounds=rounds, single=single, cpu=None)
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {1})
    try:
        return _bench_bulk(ids=ids, latency_ms=latency_ms, rounds=rounds, single=single, cpu=0)
    finally:
        os.sched_setaffinity(0, before)


def _bench_bulk(*, ids: int, latency_ms: int, rounds: int, single: bool, cpu: int | None) -> dict:
    import httpx
    from django.contrib.auth import get_user_model

    from bench.run import start_fake
    from memberconsole.bulk import runner, services
    from memberconsole.bulk.models import BulkJob
    from memberconsole.capillary import CapillaryBasicAuth, CapillaryClient
    from memberconsole.capillary.factory import FAKE_PASSWORD, FAKE_USERNAME, user_agent

    db = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-bulk-fake-{os.getpid()}.sqlite3"
    server, base_url = start_fake(db, customers=ids, cpu=cpu)
    http = httpx.Client(timeout=120)
    try:
        customer_ids = [str(100000001 + n) for n in range(ids)]
        # The client as the console builds it, with the fake's own till credentials.
        client = CapillaryClient.build(
            base_url=base_url,
            auth=CapillaryBasicAuth(FAKE_USERNAME, FAKE_PASSWORD),
            timeout=10.0,
            user_agent=user_agent(),
        )
        agent, _ = get_user_model().objects.get_or_create(username="bench-agent")
        client.customer_get(int(customer_ids[0]))  # warm up: connection, imports
        http.post(f"{base_url}/__fake__/faults", json={"path": "/v2/", "delay_ms": latency_ms, "count": None})

        bulk_times, bulk_calls, bulk_cpu = [], [], []
        for _ in range(rounds + 1):  # the first round warms up (imports, prepared statements) and is not counted
            http.delete(f"{base_url}/__fake__/requests")
            t0, c0 = time.perf_counter(), time.process_time()
            job = services.bulk_job_create(agent=agent, entries=customer_ids, source="Benchmark")
            runner.bulk_job_run(job_id=job.pk, client=client)
            bulk_times.append(time.perf_counter() - t0)
            bulk_cpu.append((time.process_time() - c0) * 1000 / ids)
            job.refresh_from_db()
            assert job.counts == {"found": ids}, job.counts
            bulk_calls.append(len(_upstream_calls(http, base_url)))
            BulkJob.objects.filter(pk=job.pk).delete()

        http.delete(f"{base_url}/__fake__/requests")
        t0 = time.perf_counter()
        for customer_id in customer_ids if single else ():
            client.customer_get(int(customer_id))
        single_time = time.perf_counter() - t0 if single else float("nan")
        single_calls = len(_upstream_calls(http, base_url))  # the fake keeps the last 1,000 requests
        client.close()
        bulk_times, bulk_cpu, bulk_calls = bulk_times[1:], bulk_cpu[1:], bulk_calls[1:]
        bulk_time = statistics.median(bulk_times)
        return {
            "cpu_per_row_ms": statistics.median(bulk_cpu),
            "cpu_all": bulk_cpu,
            "ids": ids,
            "latency_ms": latency_ms,
            "rounds": rounds,
            "bulk_s": bulk_time,
            "bulk_all_s": bulk_times,
            "bulk_calls": max(bulk_calls),
            "single_s": single_time,
            "single_calls": single_calls,
            "ratio": single_time / bulk_time,
        }
    finally:
        http.close()
        server.terminate()
        server.wait(timeout=10)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)


def bench_lists(*, entries: int, latency_ms: int) -> list[dict]:
    """Calls and time for three lists of `entries`: every entry a customer ID that exists, none found (nine-digit
    numbers nobody has), and a third each of IDs, mobiles and numbers nobody has; each said to be nothing ("work it
    out"), as an agent pasting it would."""
    import httpx
    from django.contrib.auth import get_user_model

    from bench.run import start_fake
    from memberconsole.bulk import runner, services
    from memberconsole.capillary import CapillaryBasicAuth, CapillaryClient
    from memberconsole.capillary.factory import FAKE_PASSWORD, FAKE_USERNAME, user_agent
    from memberconsole.fake_capillary.generate import generated_mobile

    db = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-lists-fake-{os.getpid()}.sqlite3"
    server, base_url = start_fake(db, customers=entries)
    http = httpx.Client(timeout=120)
    third = entries // 3
    ids = [str(100000001 + n) for n in range(entries)]
    misses = [str(700000000 + n) for n in range(entries)]
    mobiles = ["+" + generated_mobile(100000001 + n) for n in range(entries)]
    lists = [
        ("all found as customer IDs", ids, {"found": entries}),
        ("none found (nine-digit numbers)", misses, {"not_found": entries}),
        ("a third IDs, a third mobiles, a third nobody's", ids[:third] + mobiles[third : 2 * third] +
         misses[: entries - 2 * third], {"found": 2 * third, "not_found": entries - 2 * third}),
    ]  # fmt: skip
    try:
        client = CapillaryClient.build(
            base_url=base_url, auth=CapillaryBasicAuth(FAKE_USERNAME, FAKE_PASSWORD), timeout=10.0,
            user_agent=user_agent(),
        )  # fmt: skip
        agent, _ = get_user_model().objects.get_or_create(username="bench-agent")
        http.post(f"{base_url}/__fake__/faults", json={"path": "/v2/", "delay_ms": latency_ms, "count": None})
        results = []
        for name, values, expected in lists:
            http.delete(f"{base_url}/__fake__/requests")
            t0 = time.perf_counter()
            job = services.bulk_job_create(agent=agent, entries=values, source="Benchmark")
            runner.bulk_job_run(job_id=job.pk, client=client)
            elapsed = time.perf_counter() - t0
            job.refresh_from_db()
            assert job.counts == expected, (name, job.counts)
            calls: dict[str, int] = {}
            for call in _upstream_calls(http, base_url):
                kind = call["query"].get("identifierName", "ids") if "bulk" in call["path"] else "one-by-one"
                calls[kind] = calls.get(kind, 0) + 1
            results.append({"name": name, "seconds": elapsed, "calls": sum(calls.values()), "by_kind": calls,
                            "planned": (job.calls_least, job.calls_most)})  # fmt: skip
        client.close()
        return results
    finally:
        http.close()
        server.terminate()
        server.wait(timeout=10)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)


def lists_table(results: list[dict]) -> str:
    rows = [
        "| list of 1,000 | time | Capillary calls | by kind | planned (least to most) |",
        "|---|---:|---:|---|---:|",
    ]
    for r in results:
        kinds = ", ".join(f"{kind} {n}" for kind, n in r["by_kind"].items())
        rows.append(
            f"| {r['name']} | {r['seconds']:.2f} s | {r['calls']} | {kinds} | {r['planned'][0]} to {r['planned'][1]} |"
        )
    return "\n".join(rows)


def _section(result: dict) -> str:
    ok_calls = "met" if result["bulk_calls"] <= 10 else "MISSED"
    ok_ratio = "met" if result["ratio"] >= 100 else "MISSED"
    ok_cpu = "met" if result["cpu_per_row_ms"] <= 0.4 else "MISSED"
    runs = ", ".join(f"{t:.2f}" for t in result["bulk_all_s"])
    machine = f"{date.today().isoformat()}, Python {platform.python_version()}, {os.cpu_count()} CPUs"
    return f"""{HEADING}

`.venv/bin/python bench/bulk.py` ({machine}): {result["ids"]:,} generated customer IDs against the fake Capillary
over a socket, {result["latency_ms"]} ms injected on every `/v2` call. Bulk = `memberconsole.bulk.services`
creating and running a stored job (validation, `POST /v2/bulk/getCustomers` in chunks of 100 with 4 in flight,
mapping, database writes); one at a time = `customer_get` per ID, in turn.

| | time | upstream calls |
|---|---:|---:|
| bulk lookup (median of {result["rounds"]}: {runs} s) | {result["bulk_s"]:.2f} s | {result["bulk_calls"]} |
| one GET at a time | {result["single_s"]:.2f} s | {result["single_calls"]:,} |

Ratio: bulk is **{result["ratio"]:.0f}×** faster (target ≥ 100×: {ok_ratio}); {result["bulk_calls"]} upstream calls
(target ≤ 10: {ok_calls}); the console's CPU {result["cpu_per_row_ms"]:.3f} ms per row (target ≤ 0.4: {ok_cpu}).
"""


def write_doc(result: dict) -> None:
    """Replace (or add) the "## Bulk lookup" section of docs/benchmarks.md, keeping every other section."""
    DOC.parent.mkdir(exist_ok=True)
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    section = _section(result)
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text.rstrip("\n") + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ids", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="write the figures into docs/benchmarks.md")
    parser.add_argument("--bulk-only", action="store_true", help="skip the one-at-a-time run (CPU per row only)")
    args = parser.parse_args()
    _setup_django()
    result = bench_bulk(ids=args.ids, latency_ms=args.latency_ms, rounds=args.rounds, single=not args.bulk_only)
    pinned = None
    if os.cpu_count() and os.cpu_count() >= 2 and hasattr(os, "sched_setaffinity"):
        pinned = bench_bulk(
            ids=args.ids, latency_ms=args.latency_ms, rounds=args.rounds, single=not args.bulk_only, pin=True
        )
    lists = bench_lists(entries=args.ids, latency_ms=args.latency_ms)
    runs = ", ".join(f"{t:.2f}" for t in result["bulk_all_s"])
    cpus = ", ".join(f"{c:.3f}" for c in result["cpu_all"])
    print(
        f"Bulk lookup: {result['ids']:,} customer IDs, {result['latency_ms']} ms injected on every call "
        f"({platform.python_version()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f})\n\n"
        f"| | time | upstream calls | console CPU per row | target |\n|---|---:|---:|---:|---|\n"
        f"| bulk lookup (median of {result['rounds']}: {runs} s; CPU {cpus} ms/row) | {result['bulk_s']:.2f} s | "
        f"{result['bulk_calls']} | {result['cpu_per_row_ms']:.3f} ms | ≤ 10 calls, ≤ 0.4 ms/row |\n"
        f"| one GET at a time | {result['single_s']:.2f} s | {result['single_calls']:,} | | |\n"
        f"| ratio | **{result['ratio']:.0f}×** | | | ≥ 100× |"
    )
    if pinned:
        print(
            f"\npinned (fake on core 0, console on core 1): bulk {pinned['bulk_s']:.2f} s, one at a time "
            f"{pinned['single_s']:.2f} s, ratio **{pinned['ratio']:.0f}×**, CPU {pinned['cpu_per_row_ms']:.3f} ms/row; "
            f"unpinned above: {result['ratio']:.0f}×"
        )
    print(f"\nCapillary calls per list ({args.latency_ms} ms injected, work it out):\n\n{lists_table(lists)}")
    if args.write:
        write_doc(result)
        print(f"written to {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
