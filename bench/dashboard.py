"""Provider dashboard at scale: first page, a filtered page and the CSV export, for a provider
with 5,000 consented residents among 10,000 (fill the database first with bench/generate.py).

    .venv/bin/python bench/dashboard.py sqlite:////tmp/mml-scale.sqlite3 [--runs 30]
    .venv/bin/python bench/dashboard.py postgresql+psycopg://…/mml_scale

Reports median and p95 server time (the app called in-process, as the WSGI server would) and the
SQL statements per page, plus the export's time, size and peak Python memory while streaming.
Targets (issue 5): first page median < 50 ms on SQLite; statements constant; export memory flat.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker import create_app

PAGES = {
    "dashboard, first page": "/provider/",
    "dashboard, filtered (area, stage, sorted by last activity)": "/provider/?area=digital&stage=3&sort=last_activity",
    "dashboard, page 100": "/provider/?page=100",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    app = create_app({"ENV": "production", "SECRET_KEY": "bench", "DATABASE_URL": args.url, "SESSION_COOKIE_SECURE": False,
                      "RATE_LIMITS": False, "WTF_CSRF_ENABLED": False})
    engine = app.extensions["tracker_engine"]
    client = app.test_client()
    assert client.post("/login", data={"username": "bench.staff", "password": "bench resident password"}).status_code == 303
    print(f"{engine.dialect.name}, {args.runs} runs each")
    for name, path in PAGES.items():
        client.get(path)  # warm up
        times, statements = [], []

        def count(*_args, statements=statements):
            statements.append(1)

        for _ in range(args.runs):
            statements.clear()
            event.listen(engine, "before_cursor_execute", count)
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            event.remove(engine, "before_cursor_execute", count)
            assert response.status_code == 200, response.status_code
        times.sort()
        print(f"  {name}: median {statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95) - 1]:.1f} ms, "
              f"{len(statements)} SQL statements")

    tracemalloc.start()
    started = time.perf_counter()
    response = client.get("/provider/export.csv")
    size = rows = 0
    for chunk in response.response:
        size += len(chunk)
        rows += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  CSV export of every consented resident: {elapsed * 1000:.0f} ms, {rows - 1:,} rows, {size / 1024:.0f} KB, "
          f"peak Python memory while streaming {peak / 1024 / 1024:.1f} MB")
    engine.dispose()


if __name__ == "__main__":
    main()
