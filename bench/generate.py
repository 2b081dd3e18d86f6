"""Fill a database with a county-sized partnership, for bench/dashboard.py.

    .venv/bin/python bench/generate.py sqlite:////tmp/mml-scale.sqlite3 [--residents 50000]
    .venv/bin/python bench/generate.py postgresql+psycopg://…/mml_scale

By default 50,000 residents, 40 providers (each with notices in all three areas), 5,000,000 plan
events (100 a resident), 250,000 goals with about 1,230,000 steps, 450,000 check-ins, and consents:
25,000 residents (half) share with "Melton Adult Learning" (the provider the benchmark measures,
staff user ``bench.staff`` and tutor ``bench.tutor``), 2,500 more once did (their grant is paused,
withdrawn or expired), and everyone shares one area with one other provider. ``--residents N``
scales it all (providers too; events and goals per resident stay the same).

Residents are made and written in batches, so memory stays flat whatever the size: plain tuples
through the raw sqlite3 connection (``executemany``, a transaction a batch, ``synchronous=OFF``),
or psycopg's COPY on PostgreSQL (with the secondary indexes and foreign keys of the tables filled
put back after the load). The consent events and receipts behind the grants are not
written: the dashboard does not read them.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.clock import utcnow
from tracker.commands import migrate
from tracker.database import make_engine
from tracker.domain import consent, passwords
from tracker.domain.catalogue import sync_catalogue
from tracker.models import CatalogueGoal, CatalogueStep, Provider, Role, User, new_id

DEFAULT_URL = "sqlite:////tmp/mml-scale.sqlite3"
RESIDENTS, PROVIDERS, EVENTS_PER_RESIDENT, GOALS_PER_RESIDENT = 50_000, 40, 100, 5
TARGET = "Melton Adult Learning"
AREAS = ("digital", "financial", "job_readiness")
PASSWORD = "bench resident password"
BATCH = 1_000  # residents made and written at a time
FIRST_NAMES = ("Amira", "Ben", "Chloe", "Dawid", "Ella", "Femi", "Grace", "Hassan", "Iwona", "Jack", "Kasia", "Liam")

# The columns written, in foreign-key order; the rest take their defaults (NULL, or the server
# default), as SQLAlchemy's insert did. plan_event.id is left to the database.
TABLES = {
    "user_account": ("id", "username", "display_name", "role", "password_hash", "active", "created_at", "plan_version"),
    "plan_goal": ("id", "resident_id", "area", "catalogue_goal_id", "status", "created_at", "updated_at", "completed_at"),
    "plan_step": ("id", "goal_id", "catalogue_step_id", "position", "done_at"),
    "check_in": ("id", "resident_id", "area", "stage", "made_at", "recorded_by_id"),
    "area_progress": ("resident_id", "area", "first_stage", "latest_stage", "goals_done", "last_activity_at"),
    "consent_grant": ("id", "resident_id", "provider_id", "area", "notice_id", "access_modes", "state", "given_at",
                      "valid_until", "duration_months", "last_confirmed_at"),
    "plan_event": ("resident_id", "occurred_at", "actor_id", "actor_role", "actor_name", "kind", "area", "goal_id",
                   "subject", "before", "after"),
}
# JSON columns go in as their text (what SQLAlchemy's JSON type writes: json.dumps).
SUBJECT, BEFORE, AFTER = (json.dumps(v) for v in ({"en": "I can do it"}, {"done": False}, {"done": True}))
ACCESS_MODES = json.dumps(["view", "record_progress"])


def short_ids(block: int = 1 << 16):
    """An endless stream of ids like ``tracker.models.new_short_id`` (``secrets.token_urlsafe(9)``:
    72 random bits from os.urandom in 12 URL-safe characters), drawn a block at a time."""
    while True:
        text = base64.urlsafe_b64encode(os.urandom(9 * block)).decode("ascii")
        yield from (text[i:i + 12] for i in range(0, 12 * block, 12))


def sqlite_time(value) -> str:
    """A UTC datetime as SQLAlchemy's SQLite DateTime stores it (naive, always with microseconds)."""
    return f"{value:%Y-%m-%d %H:%M:%S.%f}"


def pg_time(value):
    return value  # psycopg writes aware datetimes into timestamptz itself


class SqliteWriter:
    """executemany of plain tuples on the raw sqlite3 connection, one transaction a batch."""

    def __init__(self, engine):
        self.raw = engine.raw_connection()  # WAL and foreign keys on, as the app has them
        self.db = self.raw.driver_connection
        self.db.isolation_level = None  # our own BEGIN and COMMIT
        self.db.execute("PRAGMA synchronous=OFF")  # a bench build: a crash means building again
        self.db.execute("PRAGMA cache_size=-262144")  # 256 MB, so the indexes being filled stay in memory
        self.db.execute("BEGIN")

    def write(self, table, columns, rows):
        names = ", ".join(f'"{c}"' for c in columns)
        self.db.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})', rows)

    def commit(self):
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")

    def close(self):
        self.db.execute("COMMIT")
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.db.isolation_level = ""
        self.raw.close()


class PostgresWriter:
    """COPY on the raw psycopg connection, one transaction a batch."""

    def __init__(self, engine):
        self.raw = engine.raw_connection()
        self.db = self.raw.driver_connection
        self.db.execute("SET statement_timeout = 0")  # the app's 60 s limit is for requests
        self.db.execute("SET synchronous_commit = off")
        # As pg_restore does: the rows first, then each secondary index built and each foreign key
        # checked once, in one pass, rather than row by row (twice as fast). They come back as the
        # migrations made them: same names, same definitions. (A build that fails is thrown away.)
        tables = list(TABLES)
        self.indexes = self.db.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary AND NOT indisunique", [tables]).fetchall()
        self.foreign_keys = self.db.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])", [tables]).fetchall()
        for table, name, _ in self.foreign_keys:
            self.db.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in self.indexes:
            self.db.execute(f"DROP INDEX {name}")
        self.db.commit()

    def write(self, table, columns, rows):
        names = ", ".join(f'"{c}"' for c in columns)
        with self.db.cursor() as cursor, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            write_row = copy.write_row
            for row in rows:
                write_row(row)

    def commit(self):
        self.db.commit()

    def close(self):
        self.db.commit()
        started = time.perf_counter()
        self.db.execute("SET maintenance_work_mem = '256MB'")
        for _, definition in self.indexes:
            self.db.execute(definition)
        for table, name, definition in self.foreign_keys:
            self.db.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        self.db.commit()
        print(f"  {len(self.indexes)} indexes built, {len(self.foreign_keys)} foreign keys checked "
              f"({time.perf_counter() - started:.0f} s)", flush=True)
        self.db.execute("RESET maintenance_work_mem")
        self.db.execute("RESET statement_timeout")
        self.db.execute("RESET synchronous_commit")
        self.db.commit()
        self.raw.close()


def set_up(engine, providers_count):
    """The catalogue, the providers and their notices, and the benchmark's staff and tutor (through
    the app's own code: a few hundred rows)."""
    with Session(engine) as db:
        sync_catalogue(db)
        db.commit()
        catalogue = {area: [(goal.id, []) for goal in db.exec(select(CatalogueGoal).where(CatalogueGoal.area == area)
                                                                .order_by(CatalogueGoal.id)).all()]
                     for area in AREAS}
        steps_of = {goal_id: steps for goals in catalogue.values() for goal_id, steps in goals}
        for step in db.exec(select(CatalogueStep).order_by(CatalogueStep.position)).all():
            steps_of[step.goal_id].append(step.id)
        names = [TARGET] + [f"Melton Partner {n:02d}" for n in range(1, providers_count)]
        providers = [Provider(name=name, kind="other", description={"en": f"{name} helps residents.", "pl": f"{name} pomaga mieszkańcom."})
                     for name in names]
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
        staff_hash = passwords.hash_password(PASSWORD)
        db.add_all([User(username="bench.staff", display_name="Bench Staff", role=Role.PROVIDER_STAFF,
                         provider_id=providers[0].id, password_hash=staff_hash),
                    User(username="bench.tutor", display_name="Bench Tutor", role=Role.TUTOR,
                         provider_id=providers[0].id, password_hash=staff_hash)])
        db.commit()
        provider_ids = [provider.id for provider in providers]
    catalogue = {area: [(goal_id, tuple(steps_of[goal_id][:5])) for goal_id, _ in goals] for area, goals in catalogue.items()}
    return catalogue, provider_ids, notices


def make_batch(first, last, *, rng, now, ts, sharers, lapsed, catalogue, provider_ids, notices, shared_hash, width,
               next_id):
    """Rows of every table for residents number ``first`` to ``last - 1``, as tuples in TABLES order."""
    rows = {table: [] for table in TABLES}
    users, goals, steps, check_ins = rows["user_account"], rows["plan_goal"], rows["plan_step"], rows["check_in"]
    progress, grants, events = rows["area_progress"], rows["consent_grant"], rows["plan_event"]
    randint, random_, choice, sample = rng.randint, rng.random, rng.choice, rng.sample
    target, others = provider_ids[0], provider_ids[1:]
    event_gaps = [timedelta(hours=7 * e) for e in range(EVENTS_PER_RESIDENT // GOALS_PER_RESIDENT)]
    for n in range(first, last):
        rid = new_id()
        joined = now - timedelta(days=randint(30, 700))
        users.append((rid, f"resident{n:0{width}d}", f"{choice(FIRST_NAMES)} Resident{n:0{width}d}", "resident", shared_hash,
                      True, ts(joined), 0))
        done_in = [0, 0, 0]
        for area in AREAS:
            stages = sorted(randint(1, 5) for _ in range(3))
            for i, stage in enumerate(stages):
                check_ins.append((next_id(), rid, area, stage, ts(joined + timedelta(days=30 * i)), rid))
            # to the second, as real activity is: whole days gave a county 1,200 residents active at
            # the very same instant, which no list walked newest first ever meets
            progress.append([rid, area, stages[0], stages[-1], 0, ts(now - timedelta(seconds=randint(0, 120 * 86400)))])
        created = ts(joined)
        times = [ts(joined + gap) for gap in event_gaps]
        for g in range(GOALS_PER_RESIDENT):
            a = g % 3
            area = AREAS[a]
            cat_id, cat_steps = choice(catalogue[area])
            gid = next_id()
            done = random_() < 0.3
            goals.append((gid, rid, area, cat_id, "done" if done else "in_progress", created, created,
                          ts(now - timedelta(days=randint(0, 300))) if done else None))
            done_in[a] += done
            for p, step_id in enumerate(cat_steps, start=1):
                steps.append((next_id(), gid, step_id, p, ts(now - timedelta(days=randint(0, 90))) if random_() < 0.5 else None))
            events.extend([(rid, t, rid, "resident", "R", "step_done", area, gid, SUBJECT, BEFORE, AFTER) for t in times])
        for a in range(3):
            progress[a - 3][4] = done_in[a]
        # Consents: the first half share with the target, the next tenth once did; everyone shares somewhere else.
        sharing = []
        if n < sharers:
            sharing += [(target, area, "given") for area in sample(AREAS, randint(1, 3))]
        elif n < sharers + lapsed:
            sharing.append((target, "digital", choice(["paused", "withdrawn", "expired"])))
        sharing.append((choice(others), choice(AREAS), "given"))
        for provider_id, area, state in sharing:
            given = now - timedelta(days=randint(1, 300))
            valid_until = given + timedelta(days=365) if state != "expired" else now - timedelta(days=3)
            grants.append((new_id(), rid, provider_id, area, notices[(provider_id, area)], ACCESS_MODES, state, ts(given),
                           ts(valid_until), 12, ts(given)))
    rows["area_progress"] = [tuple(row) for row in progress]
    return rows


def main(url: str = DEFAULT_URL, residents: int = RESIDENTS) -> None:
    started = time.perf_counter()
    rng = random.Random(2026)
    scale = residents / RESIDENTS
    providers_count = max(2, round(PROVIDERS * scale))
    sharers, lapsed = residents // 2, residents // 20
    print(f"{residents:,} residents, {residents * EVENTS_PER_RESIDENT:,} plan events, {providers_count} providers; "
          f"{sharers:,} share with {TARGET}", flush=True)
    migrate.upgrade(url)
    engine = make_engine(url)
    catalogue, provider_ids, notices = set_up(engine, providers_count)
    postgres = engine.dialect.name == "postgresql"
    writer = PostgresWriter(engine) if postgres else SqliteWriter(engine)
    now = utcnow()
    common = {"rng": rng, "now": now, "ts": pg_time if postgres else sqlite_time, "sharers": sharers, "lapsed": lapsed,
              "catalogue": catalogue, "provider_ids": provider_ids, "notices": notices,
              "shared_hash": passwords.hash_password(PASSWORD), "width": max(5, len(str(residents - 1))),
              "next_id": short_ids().__next__}
    report_every = max(BATCH, residents // 10 // BATCH * BATCH)
    for first in range(0, residents, BATCH):
        last = min(first + BATCH, residents)
        rows = make_batch(first, last, **common)
        for table, columns in TABLES.items():
            writer.write(table, columns, rows[table])
        writer.commit()
        if last % report_every == 0 or last == residents:
            print(f"  {last:,} residents ({time.perf_counter() - started:.0f} s)", flush=True)
    writer.close()
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        # Give the query planner statistics, as `flask db upgrade` does. On PostgreSQL, VACUUM too,
        # so the visibility map is set now rather than by autovacuum in the middle of a benchmark.
        if postgres:
            connection.exec_driver_sql("SET statement_timeout = 0")
        connection.exec_driver_sql("VACUUM (ANALYZE)" if postgres else "ANALYZE")
        print(f"  {'VACUUM (ANALYZE)' if postgres else 'ANALYZE'} done ({time.perf_counter() - started:.0f} s)", flush=True)
        for table in ("provider", "sharing_notice", *TABLES):
            count = connection.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar()
            print(f"  {table}: {count:,} rows")
    engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"done in {time.perf_counter() - started:.0f} s (peak memory {peak:.0f} MB); "
          f"sign in as bench.staff or bench.tutor / {PASSWORD!r}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", default=DEFAULT_URL)
    parser.add_argument("--residents", type=int, default=RESIDENTS, help=f"how many residents (default {RESIDENTS:,})")
    arguments = parser.parse_args()
    main(arguments.url, arguments.residents)
