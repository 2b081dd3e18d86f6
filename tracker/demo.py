"""Demonstration data: three Melton providers, staff and five residents (password demo-pass-2026)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from . import accounts, plan
from .catalogue import sync_catalogue
from .clock import pretend_now, utcnow
from .models import CatalogueGoal, PlanStep, Provider, ProviderKind, Role, SiteSetting, User

DEMO_PASSWORD = "demo-pass-2026"

PROVIDERS = [
    ("Melton Adult Learning", ProviderKind.ADULT_LEARNING, "Free courses for adults: computers, English, maths and more, at the library and the Learning Hub."),
    ("Melton Jobs Support", ProviderKind.EMPLOYMENT_SUPPORT, "Help to find work: CVs, job search, applications and interview practice."),
    ("Melton Money Advice", ProviderKind.MONEY_ADVICE, "Free, confidential help with budgeting, bills, benefits and debt."),
]

# username, display name, role, provider name, preferred language
PEOPLE = [
    ("admin", "Sam Patel", Role.ADMIN, None, "en"),
    ("tutor.learning", "Jo Bennett", Role.TUTOR, "Melton Adult Learning", "en"),
    ("tutor.jobs", "Priya Shah", Role.TUTOR, "Melton Jobs Support", "en"),
    ("staff.jobs", "Tom Walker", Role.PROVIDER_STAFF, "Melton Jobs Support", "en"),
    ("staff.money", "Grace Okafor", Role.PROVIDER_STAFF, "Melton Money Advice", "en"),
    ("amira", "Amira Hassan", Role.RESIDENT, None, "en"),
    ("ben", "Ben Carter", Role.RESIDENT, None, "en"),
    ("chloe", "Chloe Evans", Role.RESIDENT, None, "en"),
    ("dawid", "Dawid Kowalski", Role.RESIDENT, None, "pl"),
    ("ella", "Ella Thompson", Role.RESIDENT, None, "en"),
]


class DatabaseNotEmpty(RuntimeError):
    pass


def load_demo(db: Session) -> str:
    """Add the demo data (not committed). Refuses a database that already has people or providers."""
    if db.exec(select(func.count()).select_from(User)).one() or db.exec(select(func.count()).select_from(Provider)).one():
        raise DatabaseNotEmpty()
    providers = {}
    for name, kind, description in PROVIDERS:
        providers[name] = Provider(name=name, kind=str(kind), description=description)
        db.add(providers[name])
    db.flush()
    for username, display_name, role, provider_name, language in PEOPLE:
        accounts.create_user(
            db,
            username=username,
            display_name=display_name,
            password=DEMO_PASSWORD,
            role=role,
            provider=providers.get(provider_name),
            preferred_language=language,
        )
    sync_catalogue(db)
    db.flush()
    users = {u.username: u for u in db.exec(select(User)).all()}
    for username, story in PLANS.items():
        _build_plan(db, users[username], story)
    db.add(SiteSetting(key=accounts.DEMO_DATA_KEY, value="1"))
    return (
        f"Loaded demo data: {len(PROVIDERS)} providers, {len(PEOPLE)} accounts (password {DEMO_PASSWORD}), "
        f"plans for {', '.join(PLANS)}."
    )


# Each resident's story: check-ins weeks apart, goals chosen, steps ticked, notes, one own goal.
# (stages are digital, financial, job_readiness; goals are catalogue codes and how many steps done)
PLANS = {
    "amira": {
        "check_ins": [(42, (2, 3, 1), "I can use WhatsApp but not much else."), (7, (3, 3, 3), None)],
        "goals": [("digital.get-online", 3), ("digital.messages", 2), ("financial.make-a-budget", 1),
                  ("job_readiness.write-a-cv", 4), ("job_readiness.search-for-jobs", 1)],
        "done": ["job_readiness.write-a-cv"],
        "own": ("digital", "Video call my sister in Leicester", ["I can open the video app", "I can call my sister"], 1),
        "note": ("job_readiness.write-a-cv", "My CV is saved on my email now. Jo helped me print it."),
    },
    "chloe": {
        "check_ins": [(56, (1, 2, 2), "I am nervous about computers."), (28, (2, 2, 3), None), (5, (3, 4, 3), "Much better with the budget.")],
        "goals": [("digital.get-started", 4), ("digital.spot-scams", 2), ("financial.bank-account", 3),
                  ("financial.make-a-budget", 4), ("job_readiness.job-goals", 2)],
        "done": ["digital.get-started", "financial.make-a-budget"],
        "own": ("financial", "Save £5 a week for Christmas", ["I can put £5 in a jar each Friday", "I can count it every month"], 1),
        "note": ("financial.make-a-budget", "I wrote my budget on paper first, then in the app."),
    },
    "dawid": {
        "check_ins": [(35, (3, 2, 2), "Chcę znaleźć pracę w magazynie."), (3, (4, 3, 3), None)],
        "goals": [("job_readiness.search-for-jobs", 3), ("job_readiness.interviews", 1), ("job_readiness.work-documents", 2),
                  ("financial.universal-credit-money", 2), ("digital.online-services", 2)],
        "done": [],
        "own": ("job_readiness", "Zdobyć prawo jazdy na wózek widłowy", ["Umiem znaleźć kurs w Melton", "Mam zapisany termin kursu"], 1),
        "note": ("job_readiness.search-for-jobs", "Wysłałem dwa CV do firm w Melton."),
    },
    "ella": {
        "check_ins": [(70, (2, 1, 2), None), (14, (2, 3, 2), "The money advice helped a lot.")],
        "goals": [("financial.know-my-money", 4), ("financial.debt-advice", 3), ("digital.protect-accounts", 1),
                  ("job_readiness.english-and-maths", 1)],
        "done": ["financial.know-my-money"],
        "own": ("digital", "Order my prescription online", ["I can sign in to the NHS App", "I can order my repeat prescription"], 0),
        "note": ("financial.debt-advice", "First appointment with the adviser on Tuesday."),
    },
}


def _build_plan(db: Session, resident: User, story: dict) -> None:
    actor = plan.Actor.of(resident)
    now = utcnow()
    first_days = story["check_ins"][0][0]
    areas = ("digital", "financial", "job_readiness")
    codes = [code for code, _ in story["goals"]]
    by_code = {g.code: g for g in db.exec(select(CatalogueGoal).where(CatalogueGoal.code.in_(codes))).all()}

    for days, stages, note in story["check_ins"][:1]:
        with pretend_now(now - timedelta(days=days)):
            plan.record_check_in(db, resident.id, {a: (s, note if a == "digital" else None) for a, s in zip(areas, stages, strict=True)}, actor)
    with pretend_now(now - timedelta(days=first_days - 1)):
        goals = plan.add_catalogue_goals(db, resident.id, [by_code[c].id for c in codes], actor)
        area, title, steps, own_done = story["own"]
        own = plan.add_own_goal(db, resident.id, area, title, steps, actor, target_date=(now + timedelta(days=60)).date())
    db.flush()
    code_of = {catalogue_goal.id: code for code, catalogue_goal in by_code.items()}
    goal_by_code = {code_of[goal.catalogue_goal_id]: goal for goal in goals}
    # Tick steps over the weeks in between, a few days apart.
    tick_day = first_days - 3
    for code, how_many in story["goals"]:
        goal = goal_by_code[code]
        step_ids = [s.id for s in db.exec(select(PlanStep).where(PlanStep.goal_id == goal.id).order_by(PlanStep.position)).all()]
        with pretend_now(now - timedelta(days=max(tick_day, 1))):
            plan.set_steps_done(db, goal, set(step_ids[:how_many]), actor)
            if code in story["done"]:
                plan.set_status(db, goal, "done", actor)
        tick_day -= 4
    own_steps = [s.id for s in db.exec(select(PlanStep).where(PlanStep.goal_id == own.id).order_by(PlanStep.position)).all()]
    with pretend_now(now - timedelta(days=max(tick_day, 1))):
        plan.set_steps_done(db, own, set(own_steps[:own_done]), actor)
        note_code, note_text = story["note"]
        plan.add_note(db, goal_by_code[note_code], actor, note_text)
    for days, stages, note in story["check_ins"][1:]:
        with pretend_now(now - timedelta(days=days)):
            plan.record_check_in(db, resident.id, {a: (s, note if a == "financial" else None) for a, s in zip(areas, stages, strict=True)}, actor)
