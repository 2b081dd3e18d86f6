"""Staff lists at county scale: the provider dashboard (first page, a filtered page, page 200),
the tutor's caseload and search, and the CSV export (fill the database first with bench/generate.py).

    .venv/bin/python bench/dashboard.py sqlite:////tmp/mml-county.sqlite3 [--runs 30] [--no-export]
    .venv/bin/python bench/dashboard.py postgresql+psycopg://…/mml_county

Reports median and p95 server time (the app called in-process, as the WSGI server would) and the
SQL statements per page, plus the export's time, size and peak Python memory while streaming.
Page 200 is reached as staff reach it: by following "Next page" 199 times (keyset pagination).
Targets (issue 11): every page's median < 30 ms on both databases; statements constant; the
export of 5,000 residents < 1.5 s with peak memory < 20 MB.
"""

from __future__ import annotations

import argparse
import gc
import html
import re
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker import create_app

PAGES = {
    "dashboard, first page": ("bench.staff", "GET", "/provider/"),
    "dashboard, filtered (area, stage, sorted by last activity)": ("bench.staff", "GET", "/provider/?area=digital&stage=3&sort=last_activity"),
    "dashboard, page 200 (199 x Next page)": ("bench.staff", "GET", "/provider/", 200),
    "dashboard, filtered, page 50": ("bench.staff", "GET", "/provider/?area=digital&stage=3&sort=last_activity", 50),
    # The other choices on the dashboard's form, each on its own (goals done over every area needs
    # each resident's totals, and is not yet fast at a county's size: docs/benchmarks.md).
    "dashboard, sorted by last activity (every area)": ("bench.staff", "GET", "/provider/?sort=last_activity"),
    "dashboard, sorted by last activity, page 50": ("bench.staff", "GET", "/provider/?sort=last_activity", 50),
    "dashboard, sorted by goals done (every area)": ("bench.staff", "GET", "/provider/?sort=goals_done"),
    "dashboard, no progress in 30 days": ("bench.staff", "GET", "/provider/?stale=1"),
    "dashboard, no progress in 30 days, page 50": ("bench.staff", "GET", "/provider/?stale=1", 50),
    "dashboard, started sharing this month": ("bench.staff", "GET", "/provider/?new=1"),
    "tutor's caseload, first page": ("bench.tutor", "GET", "/tutor/"),
    "tutor's caseload, page 200": ("bench.tutor", "GET", "/tutor/", 200),
    "tutor's search (\"Resident0123\", 10 found)": ("bench.tutor", "POST", "/tutor/search"),
}
PASSWORD = "bench resident password"


def _nth_page(client, path: str, n: int) -> str | None:
    """The address of page ``n``, found by following "Next page" from ``path`` (None: fewer pages)."""
    for _ in range(n - 1):
        found = re.search(r'href="([^"]+)" rel="next"', client.get(path).get_data(as_text=True))
        if not found:
            return None
        path = html.unescape(found.group(1))
    return path


def _yardstick(runs: int = 300) -> float:
    """The bare 10 KB Jinja page (bench/bare_app.py), in process like the pages: this machine's
    speed varied by up to half within minutes, so figures are worth quoting only beside it."""
    from bench.bare_app import app as bare

    client = bare.test_client()
    client.get("/")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get("/")
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-export", action="store_true")
    parser.add_argument("--export-runs", type=int, default=5)
    args = parser.parse_args()
    app = create_app({"ENV": "production", "SECRET_KEY": "bench", "DATABASE_URL": args.url, "SESSION_COOKIE_SECURE": False,
                      "RATE_LIMITS": False, "WTF_CSRF_ENABLED": False})
    gc.freeze()  # as wsgi.py does once the app is made
    engine = app.extensions["tracker_engine"]
    clients = {}
    for username in ("bench.staff", "bench.tutor"):
        clients[username] = app.test_client()
        assert clients[username].post("/login", data={"username": username, "password": PASSWORD}).status_code == 303
    print(f"{engine.dialect.name}, {args.runs} runs each; yardstick {_yardstick():.2f} ms")
    for name, (username, method, path, *nth) in PAGES.items():
        client = clients[username]
        if nth:
            path = _nth_page(client, path, nth[0])
            if path is None:
                print(f"  {name}: skipped, fewer pages than that")
                continue

        def fetch(client=client, method=method, path=path):
            return client.get(path) if method == "GET" else client.post(path, data={"name": "Resident0123"})

        fetch()  # warm up
        times, statements = [], []

        def count(*_args, statements=statements):
            statements.append(1)

        for _ in range(args.runs):
            statements.clear()
            event.listen(engine, "before_cursor_execute", count)
            started = time.perf_counter()
            response = fetch()
            times.append((time.perf_counter() - started) * 1000)
            event.remove(engine, "before_cursor_execute", count)
            assert response.status_code == 200, response.status_code
        times.sort()
        print(f"  {name}: median {statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95) - 1]:.1f} ms, "
              f"{len(statements)} SQL statements")

    print(f"  yardstick again: {_yardstick():.2f} ms")
    if args.no_export:
        engine.dispose()
        return
    client = clients["bench.staff"]

    def export() -> tuple[float, int, int]:
        started = time.perf_counter()
        response = client.get("/provider/export.csv")
        size = rows = 0
        for chunk in response.response:
            size += len(chunk)
            rows += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
        return (time.perf_counter() - started) * 1000, rows - 1, size

    def median_export(runs: int) -> float:
        return statistics.median(export()[0] for _ in range(runs))

    export()  # warm up
    _took, rows, size = export()
    tracemalloc.start()
    export()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  CSV export of every consented resident: median {median_export(args.export_runs):.0f} ms, {rows:,} rows, "
          f"{size / 1024:.0f} KB, peak Python memory while streaming {peak / 1024 / 1024:.1f} MB")
    # What the access log costs (the file is the same without it; the log is not optional, this
    # is only to weigh the trade): every entry's hash, and writing the entries at all.
    from tracker.domain import chains, consent

    link, record = chains.link, consent.record_access
    chains.link = lambda prev, content: "0" * 64
    print(f"    the same without the hash chain's SHA-256s: median {median_export(args.export_runs):.0f} ms")
    chains.link = link
    consent.record_access = lambda *_args, **_kwargs: 0
    print(f"    the same without writing the access log at all: median {median_export(args.export_runs):.0f} ms")
    consent.record_access = record
    engine.dispose()


if __name__ == "__main__":
    main()
