"""python -m memberconsole.fake_capillary --port 8765 [--host H] [--db PATH] [--customers N] [--no-serve]."""

from __future__ import annotations

import argparse
import sys
import time

from .app import create_app
from .server import make_fake_server


def main(argv: list[str] | None = None) -> int:
    """Seed if asked, then serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m memberconsole.fake_capillary", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--db", default=None, help="SQLite file (default: a temp file)")
    parser.add_argument("--config", default=None, help="org configuration JSON (default: the bundled org.json)")
    parser.add_argument("--customers", type=int, default=0, help="top generated customers up to N")
    parser.add_argument("--no-serve", action="store_true", help="seed and exit")
    args = parser.parse_args(argv)
    app = create_app(db_path=args.db, config_path=args.config)
    if args.customers:
        started = time.perf_counter()

        def progress(n: int) -> None:
            print(f"  seeded {n:,} customers ({time.perf_counter() - started:.1f} s)", file=sys.stderr, flush=True)

        added = app.store.seed(args.customers, progress=progress)
        print(
            f"Seeded {added:,} customers in {time.perf_counter() - started:.1f} s (db {app.store.db_path})", flush=True
        )
    if args.no_serve:
        return 0
    server = make_fake_server(app, args.host, args.port)
    host, port = server.server_address[:2]
    print(f"Fake Capillary listening on http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
