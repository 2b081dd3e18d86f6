"""Every way of listing residents (`caseload.resident_page` alone, in process) for one organisation
of a generated county: the dashboard's choices for a small organisation (by default "Melton Partner
04", about 1,200 residents of 50,000) or a big one ("Melton Adult Learning"). Lists are walked along
an index or worked out from the grants depending on the organisation's size (caseload.WALKED_FROM).

    .venv/bin/python bench/lists_by_provider.py sqlite:////tmp/mml-county.sqlite3 ["Melton Adult Learning"]

Prints the median of 5 of each, with the page's rows and the count shown.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from sqlmodel import Session, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.database import make_engine
from tracker.domain.consent import caseload
from tracker.models import Provider, Role, User

CHOICES = ({}, {"sort": "last_activity"}, {"sort": "goals_done"}, {"stale": "1"}, {"new": "1"}, {"area": "digital"},
           {"area": "digital", "sort": "last_activity"}, {"area": "digital", "stage": "3", "sort": "last_activity"})


def main() -> None:
    url = sys.argv[1]
    name = sys.argv[2] if len(sys.argv) > 2 else "Melton Partner 04"
    engine = make_engine(url)
    with Session(engine) as db:
        provider = db.exec(select(Provider).where(Provider.name == name)).one()
        # Not saved: a member of staff only as the list needs one.
        staff = User(id="0" * 32, username="bench.lists", display_name="Bench", role=Role.PROVIDER_STAFF,
                     provider_id=provider.id, active=True, password_hash="-")
        print(f"{engine.dialect.name}, {name}")
        for args in CHOICES:
            filters, _errors = caseload.parse_filters(args)
            times = []
            for _ in range(5):
                started = time.perf_counter()
                page = caseload.resident_page(db, staff, filters)
                times.append((time.perf_counter() - started) * 1000)
                db.rollback()
            shown = f"{page.total}{'+' if page.more_than_counted else ''}"
            print(f"  {str(args) if args else 'first page':58s} {statistics.median(times):6.1f} ms  {len(page.rows)} rows of {shown}")
    engine.dispose()


if __name__ == "__main__":
    main()
