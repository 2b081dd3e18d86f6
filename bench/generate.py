"""Fill a database with a partnership at scale, for bench/dashboard.py.

    .venv/bin/python bench/generate.py sqlite:////tmp/mml-scale.sqlite3
    .venv/bin/python bench/generate.py postgresql+psycopg://…/mml_scale

10,000 residents, 20 providers (each with notices in all three areas), about 1,000,000 plan
events, 50,000 goals with 250,000 steps, 90,000 check-ins, and consents: 5,000 residents share
with "Melton Adult Learning" (the provider the benchmark measures), the rest share here and there
with the other providers, and some grants are paused, withdrawn or expired. Rows are written in
bulk (the consent events and receipts behind the grants are not: the dashboard does not read them).
"""

from __future__ import annotations

import random
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import Session, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.clock import utcnow
from tracker.commands import migrate
from tracker.database import make_engine
from tracker.domain import consent, passwords
from tracker.domain.catalogue import sync_catalogue
from tracker.models import (
    AreaProgress,
    CatalogueGoal,
    CatalogueStep,
    CheckIn,
    ConsentGrant,
    PlanEvent,
    PlanGoal,
    PlanStep,
    Provider,
    Role,
    User,
    new_id,
    new_short_id,
)

RESIDENTS, PROVIDERS, EVENTS_PER_RESIDENT, GOALS_PER_RESIDENT = 10_000, 20, 100, 5
TARGET = "Melton Adult Learning"
TARGET_SHARERS = 5_000
AREAS = ("digital", "financial", "job_readiness")
PASSWORD = "bench resident password"


def chunks(rows, size=5_000):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def bulk(db, model, rows):
    for part in chunks(rows):
        db.execute(insert(model), part)


def main(url: str) -> None:
    random.seed(2026)
    started = time.perf_counter()
    migrate.upgrade(url)
    engine = make_engine(url)
    now = utcnow()
    with Session(engine) as db:
        sync_catalogue(db)
        db.commit()
        catalogue = {area: db.exec(select(CatalogueGoal).where(CatalogueGoal.area == area)).all() for area in AREAS}
        steps_of = {}
        for step in db.exec(select(CatalogueStep).order_by(CatalogueStep.position)).all():
            steps_of.setdefault(step.goal_id, []).append(step.id)

        names = [TARGET] + [f"Melton Partner {n:02d}" for n in range(1, PROVIDERS)]
        providers = [Provider(name=name, kind="other", description={"en": f"{name} helps residents.", "pl": f"{name} pomaga mieszkańcom."}) for name in names]
        db.add_all(providers)
        db.commit()
        purposes = [{"code": "plan_support", "text": {"en": "to help with your plan", "pl": "aby pomóc w planie"}}]
        for provider in providers:
            for area in AREAS:
                consent.publish_notice(db, provider, area, access_modes=["view", "record_progress"],
                                       fields_shown=list(consent.FIELD_CODES), purposes=purposes,
                                       summary={"en": "Your goals.", "pl": "Twoje cele."},
                                       retention={"en": "No copies.", "pl": "Bez kopii."}, secret_key="bench")
        db.commit()
        notices = {(n.provider_id, n.area): n.id for n in consent.current_notices(db)}
        staff = User(username="bench.staff", display_name="Bench Staff", role=Role.PROVIDER_STAFF, provider_id=providers[0].id,
                     password_hash=passwords.hash_password(PASSWORD))
        db.add(staff)
        db.commit()

        shared_hash = passwords.hash_password(PASSWORD)
        first_names = ["Amira", "Ben", "Chloe", "Dawid", "Ella", "Femi", "Grace", "Hassan", "Iwona", "Jack", "Kasia", "Liam"]
        users, goals, steps, events, check_ins, progress, grants = [], [], [], [], [], [], []
        for n in range(RESIDENTS):
            rid = new_id()
            joined = now - timedelta(days=random.randint(30, 700))
            users.append({"id": rid, "username": f"resident{n:05d}", "display_name": f"{random.choice(first_names)} Resident{n:05d}",
                          "role": "resident", "password_hash": shared_hash, "active": True, "created_at": joined})
            for area in AREAS:
                stages = sorted(random.randint(1, 5) for _ in range(3))
                for i, stage in enumerate(stages):
                    check_ins.append({"id": new_short_id(), "resident_id": rid, "area": area, "stage": stage,
                                      "made_at": joined + timedelta(days=30 * i), "recorded_by_id": rid})
                progress.append({"resident_id": rid, "area": area, "first_stage": stages[0], "latest_stage": stages[-1],
                                 "goals_done": 0, "last_activity_at": now - timedelta(days=random.randint(0, 120))})
            for g in range(GOALS_PER_RESIDENT):
                area = AREAS[g % 3]
                cat = random.choice(catalogue[area])
                gid = new_short_id()
                done = random.random() < 0.3
                goals.append({"id": gid, "resident_id": rid, "area": area, "catalogue_goal_id": cat.id,
                              "status": "done" if done else "in_progress", "created_at": joined, "updated_at": joined,
                              "completed_at": now - timedelta(days=random.randint(0, 300)) if done else None})
                if done:
                    progress[-3 + AREAS.index(area)]["goals_done"] += 1
                for p, step_id in enumerate(steps_of[cat.id][:5], start=1):
                    steps.append({"id": new_short_id(), "goal_id": gid, "catalogue_step_id": step_id, "position": p,
                                  "done_at": now - timedelta(days=random.randint(0, 90)) if random.random() < 0.5 else None})
                for e in range(EVENTS_PER_RESIDENT // GOALS_PER_RESIDENT):
                    events.append({"resident_id": rid, "occurred_at": joined + timedelta(hours=e * 7), "actor_id": rid,
                                   "actor_role": "resident", "actor_name": "R", "kind": "step_done", "area": area, "goal_id": gid,
                                   "subject": {"en": "I can do it"}, "before": {"done": False}, "after": {"done": True}})
            # Consents: the first 5,000 share with the target; everyone shares somewhere else too.
            sharing = []
            if n < TARGET_SHARERS:
                sharing += [(providers[0], area) for area in random.sample(AREAS, random.randint(1, 3))]
            elif n < TARGET_SHARERS + 500:  # once shared with the target, no longer valid
                sharing += [(providers[0], "digital", random.choice(["paused", "withdrawn", "expired"]))]
            sharing += [(random.choice(providers[1:]), random.choice(AREAS))]
            seen = set()
            for item in sharing:
                provider, area, *state = item
                if (provider.id, area) in seen:
                    continue
                seen.add((provider.id, area))
                state = state[0] if state else "given"
                given = now - timedelta(days=random.randint(1, 300))
                valid_until = given + timedelta(days=365) if state != "expired" else now - timedelta(days=3)
                grants.append({"id": new_id(), "resident_id": rid, "provider_id": provider.id, "area": area,
                               "notice_id": notices[(provider.id, area)], "access_modes": ["view", "record_progress"],
                               "state": state, "given_at": given, "valid_until": valid_until, "duration_months": 12,
                               "last_confirmed_at": given})
        for model, rows in ((User, users), (PlanGoal, goals), (PlanStep, steps), (CheckIn, check_ins),
                            (AreaProgress, progress), (ConsentGrant, grants), (PlanEvent, events)):
            bulk(db, model, rows)
            db.commit()
            print(f"{model.__tablename__}: {len(rows):,} rows ({time.perf_counter() - started:.0f} s)", flush=True)
    with engine.connect() as connection:  # give the query planner statistics, as `flask db upgrade` does
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
    engine.dispose()
    print(f"done in {time.perf_counter() - started:.0f} s; sign in as bench.staff / {PASSWORD!r}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "sqlite:////tmp/mml-scale.sqlite3")
