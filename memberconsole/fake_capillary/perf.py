"""Seed N generated customers into a temp DB, then time 1,000 random lookups (mobile, email, card, id) and, since
activity is derived when read, 200 reads each of transactions, ledger and coupons.

Run: .venv/bin/python -m memberconsole.fake_capillary.perf [N]
"""

from __future__ import annotations

import base64
import hashlib
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from .app import create_app
from .generate import GENERATED_BASE_ID, compact_rows


def main(argv: list[str] | None = None) -> int:
    """Print seed time and median/p99 lookup latency per identifier kind."""
    args = argv if argv is not None else sys.argv[1:]
    n = int(args[0]) if args else 1_000_000
    db = Path(tempfile.mkdtemp(prefix="fake-capillary-perf-")) / "perf.sqlite3"
    app = create_app(db_path=db)
    started = time.perf_counter()
    app.store.seed(n)
    seed_s = time.perf_counter() - started
    size_mb = sum(p.stat().st_size for p in db.parent.iterdir()) / 1e6
    print(f"seeded {n:,} customers in {seed_s:.1f} s ({size_mb:,.0f} MB)")
    token = base64.b64encode(b"memberconsole.till:" + hashlib.md5(b"fake-capillary-demo").hexdigest().encode())
    client = httpx.Client(
        transport=httpx.WSGITransport(app=app),
        base_url="http://fake",
        headers={"Authorization": f"Basic {token.decode()}"},
    )
    rng = random.Random(7)
    kinds: dict[str, list[float]] = {
        "mobile": [], "email": [], "cardnumber": [], "id": [], "search": [], "transactions": [], "ledger": [],
        "coupons": [],
    }  # fmt: skip
    for i in range(1000):
        cid = GENERATED_BASE_ID + rng.randrange(1, n + 1)
        _, irows = compact_rows(cid)
        kind = ("mobile", "email", "cardnumber", "id")[i % 4]
        match = [r for r in irows if r[3] == kind]
        if kind == "id" or not match:
            url, params = f"/v2/customers/{cid}", {"source": "ALL"}
            kind = "id"
        else:
            url = "/v2/customers/lookup/customerDetails"
            params = {"source": "ALL", "identifierName": kind, "identifierValue": match[0][4]}
        t0 = time.perf_counter()
        r = client.get(url, params=params)
        kinds[kind].append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (r.status_code, r.text[:200])
    for q in ("ravi", "sharma", "9160", "emma.w", "tan", "jos"):
        t0 = time.perf_counter()
        r = client.get("/v2/customers/search", params={"q": q, "limit": 20})
        kinds["search"].append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200
    for _ in range(200):
        cid = GENERATED_BASE_ID + rng.randrange(1, n + 1)
        for kind, url, params in (
            ("transactions", f"/v2/customers/{cid}/transactions", {"embed": "BILL_POINTS"}),
            ("ledger", "/v2/pointsLedger/getCustomerLedgerInfo",
             {"source": "ALL", "identifierName": "id", "identifierValue": str(cid)}),
            ("coupons", "/v2/customers/coupons", {"id": str(cid)}),
        ):  # fmt: skip
            t0 = time.perf_counter()
            r = client.get(url, params=params)
            kinds[kind].append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200 or r.json()["errors"][0]["code"] == 11003, (r.status_code, r.text[:200])
    app.store.close()
    shutil.rmtree(db.parent, ignore_errors=True)
    for kind, values in kinds.items():
        if values:
            values.sort()
            p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
            print(f"{kind:>12}: n={len(values):4d} median {statistics.median(values):6.2f} ms  p99 {p99:6.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
