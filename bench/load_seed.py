"""The data a load run works on, prepared through the app's own Python API (bench/load.py seed).

Two providers with notices in all three areas (modes view and record_progress), a few tutors and
provider staff at each, and residents with a few catalogue goals, a first check-in and consents to
one or both providers. The first ``HOT`` residents share every area with both providers (with
record_progress), and their names sort first, so every tutor's and every member of staff's first
page is the same few people: staff and residents overlap on them on purpose.

Imports ``tracker`` from wherever ``sys.path`` finds it first (bench/load.py puts the code folder
being tested there), so the database is built by the same code the server runs.
"""

from __future__ import annotations

import random

PASSWORD = "load bench password 2026"
PREFIX = "load."
PROVIDERS = (("Load Adult Learning", "adult_learning", "a"), ("Load Jobs Support", "employment_support", "b"))
AREAS = ("digital", "financial", "job_readiness")
HOT = 8
PURPOSES = [{"code": "plan_support", "text": {"en": "to help you with your plan", "pl": "aby pomóc w planie"}},
            {"code": "progress_review", "text": {"en": "to review your progress", "pl": "aby sprawdzić postępy"}}]


def seed(url: str, *, residents: int = 40, tutors: int = 3, staff: int = 2, secret_key: str, rng_seed: int = 2026) -> dict:
    from sqlmodel import Session, select

    from tracker.commands import migrate
    from tracker.database import make_engine
    from tracker.domain import accounts, consent, passwords, plan
    from tracker.domain.catalogue import sync_catalogue
    from tracker.models import CatalogueGoal, Provider, Role, User

    passwords.HASH_METHOD = "scrypt:1024:8:1"  # cheap to seed; the server checks whatever parameters are stored
    rng = random.Random(rng_seed)
    migrate.upgrade(url)
    engine = make_engine(url)
    summary = {"residents": 0, "tutors": 0, "staff": 0, "goals": 0, "grants": 0}
    with Session(engine, expire_on_commit=False) as db:
        if db.exec(select(User).where(User.username.like(f"{PREFIX}%"))).first() is not None:
            raise SystemExit(f"{url} already has load-test users: seed a fresh database")
        sync_catalogue(db)
        db.commit()
        fields = [f for f in consent.FIELD_CODES]
        providers = []
        for name, kind, letter in PROVIDERS:
            provider = Provider(name=name, kind=kind, description={"en": f"{name} (load test).", "pl": f"{name} (test obciążenia)."})
            db.add(provider)
            db.commit()
            for area in AREAS:
                consent.publish_notice(
                    db, provider, area, access_modes=["view", "record_progress"], fields_shown=fields, purposes=PURPOSES,
                    summary={"en": f"{name} sees your {area} goals.", "pl": f"{name} widzi cele: {area}."},
                    retention={"en": "We keep no copies.", "pl": "Nie przechowujemy kopii."}, secret_key=secret_key)
            db.commit()
            providers.append((provider, letter))
            for n in range(1, tutors + 1):
                accounts.create_user(db, username=f"{PREFIX}tutor.{letter}{n}", display_name=f"Tutor{letter.upper()}{n} Load",
                                     password=PASSWORD, role=Role.TUTOR, provider=provider)
                summary["tutors"] += 1
            for n in range(1, staff + 1):
                accounts.create_user(db, username=f"{PREFIX}staff.{letter}{n}", display_name=f"Staff{letter.upper()}{n} Load",
                                     password=PASSWORD, role=Role.PROVIDER_STAFF, provider=provider)
                summary["staff"] += 1
            db.commit()
        notices = {(n.provider_id, n.area): n for n in consent.current_notices(db)}
        catalogue = {area: db.exec(select(CatalogueGoal.id).where(CatalogueGoal.area == area, CatalogueGoal.retired_at.is_(None))
                                   .order_by(CatalogueGoal.position)).all() for area in AREAS}
        for n in range(residents):
            resident = accounts.create_user(db, username=f"{PREFIX}r{n:03d}", display_name=f"Load Resident{n:03d}",
                                            password=PASSWORD, role=Role.RESIDENT)
            db.flush()
            actor = plan.Actor.of(resident)
            wanted = []
            for area in AREAS:
                wanted += rng.sample(catalogue[area][:8], k=rng.choice((1, 1, 2)))
            summary["goals"] += len(plan.add_catalogue_goals(db, resident.id, wanted, actor))
            plan.record_check_in(db, resident.id, {area: (rng.randint(1, 3), None) for area in AREAS}, actor)
            hot = n < HOT
            shares = []
            for index, (provider, _letter) in enumerate(providers):
                if hot:
                    areas = list(AREAS)
                elif index == 0 or rng.random() < 0.6:
                    areas = rng.sample(AREAS, k=rng.randint(1, 3))
                else:
                    areas = []
                for area in areas:
                    modes = ["view", "record_progress"] if hot or rng.random() < 0.6 else ["view"]
                    shares.append((notices[(provider.id, area)], modes))
            with consent.Change(db, resident.id, consent.ConsentActor.resident(resident), secret_key) as change:
                for notice, modes in shares:
                    change.give(notice, modes, 12)
            summary["grants"] += len(shares)
            summary["residents"] += 1
            db.commit()
    engine.dispose()
    migrate.analyze(url)
    return summary
