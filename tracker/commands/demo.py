"""Demonstration data: three Melton providers, staff and five residents (password demo-pass-2026)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from tracker.clock import pretend_now, utcnow
from tracker.commands.demo_services import load_demo_services
from tracker.domain import accounts, plan
from tracker.domain.catalogue import sync_catalogue
from tracker.models import CatalogueGoal, PlanStep, Provider, ProviderKind, Role, SiteSetting, User

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 (the demo's published password, shown on its sign-in page)

PROVIDERS = [
    ("Melton Adult Learning", ProviderKind.ADULT_LEARNING,
     {"en": "Free courses for adults: computers, English, maths and more, at the library and the Learning Hub.",
      "pl": "Bezpłatne kursy dla dorosłych: komputery, angielski, matematyka i więcej, w bibliotece i w Learning Hub."}),
    ("Melton Jobs Support", ProviderKind.EMPLOYMENT_SUPPORT,
     {"en": "Help to find work: CVs, job search, applications and interview practice.",
      "pl": "Pomoc w znalezieniu pracy: CV, szukanie ofert, podania i ćwiczenie rozmów kwalifikacyjnych."}),
    ("Melton Money Advice", ProviderKind.MONEY_ADVICE,
     {"en": "Free, confidential help with budgeting, bills, benefits and debt.",
      "pl": "Bezpłatna, poufna pomoc z budżetem, rachunkami, zasiłkami i długami."}),
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


def load_demo(db: Session, secret_key: str) -> str:
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
    load_demo_sharing(db, secret_key)
    _registered_by_a_tutor(db, users["tutor.learning"])
    services = load_demo_services(db, providers)
    _demo_referrals(db, users, services, secret_key)
    db.add(SiteSetting(key=accounts.DEMO_DATA_KEY, value="1"))
    return (
        f"Loaded demo data: {len(PROVIDERS)} providers, {len(PEOPLE) + len(REGISTERED)} accounts (password {DEMO_PASSWORD}), "
        f"plans for {', '.join(PLANS)}; {len(services)} services in the directory."
    )


# Made by Jo at Melton Adult Learning with the resident beside her: Fatima has set hers up and not
# chosen what to share yet (Jo sees her name only, as waiting); Karol has not used his slip yet.
REGISTERED = [("fatima", "Fatima Ali", "en", True, 4), ("karol", "Karol Nowak", "pl", False, 2)]


def _registered_by_a_tutor(db: Session, tutor: User) -> None:
    from tracker.domain import setup_codes
    from tracker.models import SetupCodePurpose

    for username, name, language, set_up, days_ago in REGISTERED:
        with pretend_now(utcnow() - timedelta(days=days_ago)):
            resident = User(username=username, display_name=name, role=Role.RESIDENT, preferred_language=language,
                            password_hash=setup_codes.unusable_password_hash())
            accounts.add_new_account(db, resident)
            code = setup_codes.issue(db, resident, SetupCodePurpose.REGISTER, tutor)
            if set_up:
                setup_codes.redeem(db, username, code, DEMO_PASSWORD)


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


# --- Sharing ---------------------------------------------------------------------------------

PURPOSES = {
    "plan_support": {"en": "to help you with your plan at our sessions", "pl": "aby pomagać Ci w realizacji planu podczas naszych spotkań"},
    "progress_review": {"en": "to see how you are getting on before an appointment", "pl": "aby sprawdzić przed spotkaniem, jak Ci idzie"},
    "referral_followup": {"en": "to follow up when someone suggested us to you", "pl": "aby odezwać się, gdy ktoś nas Tobie polecił"},
}
RETENTION = {
    "en": "We do not keep copies. If we write something down in our own records, we keep it for up to 2 years, as our privacy notice says.",
    "pl": "Nie przechowujemy kopii. Jeśli coś zapiszemy we własnych dokumentach, przechowujemy to do 2 lat, zgodnie z naszą informacją o prywatności.",
}
# provider, area, modes, fields, summary
NOTICES = [
    ("Melton Adult Learning", "digital", ["view", "record_progress"], ["goal_titles", "goal_status", "step_status", "check_in_stages", "last_activity"],
     {"en": "Your tutor sees your digital goals and ticked steps, so sessions start where you left off.",
      "pl": "Twój nauczyciel widzi Twoje cele cyfrowe i zaznaczone kroki, więc zajęcia zaczynają się tam, gdzie ostatnio skończyliście."}),
    ("Melton Adult Learning", "financial", ["view", "record_progress"], ["goal_titles", "goal_status", "step_status", "check_in_stages"],
     {"en": "Your tutor sees your money goals and ticked steps, to plan budgeting sessions with you.",
      "pl": "Twój nauczyciel widzi Twoje cele finansowe i zaznaczone kroki, aby razem z Tobą zaplanować zajęcia o budżecie."}),
    ("Melton Adult Learning", "job_readiness", ["view", "record_progress"], ["goal_titles", "goal_status", "step_status"],
     {"en": "Your tutor sees your job-readiness goals, to link them with courses.",
      "pl": "Twój nauczyciel widzi Twoje cele związane z pracą, aby dobrać do nich kursy."}),
    ("Melton Jobs Support", "job_readiness", ["view", "record_progress"], ["goal_titles", "goal_status", "step_status", "check_in_stages", "last_activity", "notes"],
     {"en": "Your adviser sees your job-readiness goals, steps, check-ins and notes, so you do not have to tell your story again.",
      "pl": "Twój doradca widzi Twoje cele związane z pracą, kroki, sprawdzenia postępów i notatki, więc nie musisz opowiadać wszystkiego od nowa."}),
    ("Melton Jobs Support", "digital", ["view"], ["goal_titles", "goal_status"],
     {"en": "Your adviser sees which digital goals you are working on, to help with online job search.",
      "pl": "Twój doradca widzi, nad którymi celami cyfrowymi pracujesz, aby pomóc Ci szukać pracy przez internet."}),
    ("Melton Money Advice", "financial", ["view", "record_progress"], ["goal_titles", "goal_status", "step_status", "check_in_stages", "last_activity"],
     {"en": "Your money adviser sees your money goals, steps and check-ins, to prepare for your appointments.",
      "pl": "Twój doradca finansowy widzi Twoje cele finansowe, kroki i sprawdzenia postępów, aby przygotować się do spotkań."}),
    ("Melton Money Advice", "digital", ["view"], ["goal_titles", "goal_status"],
     {"en": "Your money adviser sees whether you are learning to use online banking and benefits accounts.",
      "pl": "Twój doradca finansowy widzi, czy uczysz się korzystać z bankowości internetowej i kont dotyczących świadczeń."}),
]


def load_demo_sharing(db: Session, secret_key: str) -> None:
    """Sharing notices, each demo resident's consents, and a few looks at their plans."""
    from tracker.domain import consent
    from tracker.models import AccessAction

    providers = {p.name: p for p in db.exec(select(Provider)).all()}
    users = {u.username: u for u in db.exec(select(User)).all()}
    now = utcnow()
    with pretend_now(now - timedelta(days=400)):
        for provider_name, area, modes, fields, summary in NOTICES:
            consent.publish_notice(
                db, providers[provider_name], area, access_modes=modes, fields_shown=fields,
                purposes=[{"code": code, "text": text} for code, text in PURPOSES.items()],
                summary=summary, retention=RETENTION, lawful_basis="Consent (UK GDPR Article 6(1)(a)) for sharing through Me and My Learning",
                dsa_reference="Melton learning partnership data sharing agreement, 2026", secret_key=secret_key,
            )
        # Adult Learning also asks for some of About me: health only to help with the plan.
        consent.publish_notice(
            db, providers["Melton Adult Learning"], "about_me", access_modes=["view", "record_progress"],
            fields_shown=["phone", "best_times", "safe_to_contact", "languages", "interpreter", "learning_barriers", "caring",
                          "health", "support_already", "what_matters"],
            purposes=[{"code": "plan_support", "text": PURPOSES["plan_support"], "special": ["health"]},
                      {"code": "progress_review", "text": PURPOSES["progress_review"]}],
            summary={"en": "Your tutor sees the answers in About me you choose, so you do not have to explain again at each course.",
                     "pl": "Twój nauczyciel widzi wybrane przez Ciebie odpowiedzi z sekcji „O mnie”, więc nie musisz wszystkiego tłumaczyć na każdym kursie."},
            retention=RETENTION, lawful_basis="Consent (UK GDPR Article 6(1)(a)); explicit consent (Article 9(2)(a)) for health",
            dsa_reference="Melton learning partnership data sharing agreement, 2026", secret_key=secret_key,
        )
    notices = {(n.provider_id, n.area): n for n in consent.current_notices(db)}

    def give(username, provider_name, area, modes, days_ago, months=12, fields=None):
        resident = users[username]
        with pretend_now(now - timedelta(days=days_ago)), \
                consent.Change(db, resident.id, consent.ConsentActor.resident(resident, "web_nojs"), secret_key) as change:
            return change.give(notices[(providers[provider_name].id, area)], modes, months, fields)

    def look(username, staff_username, area, action, purpose, days_ago):
        staff = users[staff_username]
        [decision] = consent.open_record(db, staff, users[username].id, area=area)
        with pretend_now(now - timedelta(days=days_ago)):
            consent.record_access(db, staff, db.get(Provider, staff.provider_id), [decision], action, purpose, "demo")

    give("amira", "Melton Adult Learning", "digital", ["view"], 30)
    give("amira", "Melton Jobs Support", "job_readiness", ["view", "record_progress"], 20)
    for area in ("digital", "financial", "job_readiness"):
        give("chloe", "Melton Adult Learning", area, ["view", "record_progress"], 40)
    give("chloe", "Melton Money Advice", "financial", ["view"], 25, months=6)
    withdrawn = give("dawid", "Melton Jobs Support", "job_readiness", ["view"], 30)
    with pretend_now(now - timedelta(days=10)), \
            consent.Change(db, users["dawid"].id, consent.ConsentActor.resident(users["dawid"], "web_js"), secret_key) as change:
        change.withdraw(withdrawn)
    ella = give("ella", "Melton Money Advice", "financial", ["view"], 30 * 13 + 20)
    with pretend_now(ella.valid_until + timedelta(minutes=1)):
        consent.expire_lapsed(db, secret_key, users["ella"].id)

    look("amira", "tutor.learning", "digital", AccessAction.OPENED, "plan_support", 12)
    look("amira", "staff.jobs", "job_readiness", AccessAction.OPENED, "progress_review", 5)
    look("amira", "tutor.jobs", "job_readiness", AccessAction.OPENED, "plan_support", 2)
    look("chloe", "tutor.learning", "financial", AccessAction.OPENED, "plan_support", 8)
    look("chloe", "staff.money", "financial", AccessAction.OPENED, "progress_review", 3)
    _demo_about_me(db, users, give, now)  # (after the looks above: the log is in time order)


def _demo_about_me(db: Session, users: dict, give, now) -> None:
    """Amira wrote some of About me and shares part of it (not her health) with Adult Learning,
    whose tutor last looked yesterday; since then she changed what makes learning hard."""
    from tracker.domain import about_me, consent
    from tracker.models import AccessAction

    amira = users["amira"]
    me = about_me.Entrant.resident(amira)
    answers = [
        ("phone", {"text": "07700 900 123"}, 30), ("languages", {"text": "Arabic, some English"}, 30),
        ("interpreter", {"choices": ["sometimes"]}, 30), ("safe_to_contact", {"choices": ["texts"]}, 30),
        ("health", {"text": "I need to sit near the front: my eyesight is poor."}, 30),
        ("what_matters", {"text": "Getting a job so my children see me working."}, 30),
        ("learning_barriers", {"choices": ["childcare"]}, 20), ("learning_barriers", {"choices": ["childcare", "no_data"]}, 0.1),
    ]
    for code, value, days_ago in answers:
        with pretend_now(now - timedelta(days=days_ago)):
            about_me.save(db, amira.id, code, value, entrant=me)
    give("amira", "Melton Adult Learning", "about_me", ["view"], 15,
         fields=["phone", "languages", "interpreter", "learning_barriers", "what_matters"])
    tutor = users["tutor.learning"]
    [decision] = consent.open_record(db, tutor, amira.id, area="about_me")
    with pretend_now(now - timedelta(days=1)):
        consent.record_access(db, tutor, db.get(Provider, tutor.provider_id), [decision], AccessAction.OPENED, "plan_support", "demo",
                              fields=consent.about_me_fields(decision, "plan_support"))


def _demo_referrals(db: Session, users: dict[str, User], services: list, secret_key: str) -> None:
    """Jo at Adult Learning refers Amira to Money Advice's budgeting service (she has not answered
    yet); Chloe agreed six days ago to Jo's referral to the Jobs Support CV drop-in (overdue in
    its inbox)."""
    from tracker.domain import consent, referrals

    jo = users["tutor.learning"]
    by_name = {s.name["en"]: s for s in services}
    jo_actor = consent.ConsentActor(jo.id, jo.role, jo.first_name, jo.provider_id, "Melton Adult Learning")
    now = utcnow()
    with pretend_now(now - timedelta(days=1)):
        referrals.refer(db, users["amira"].id, by_name["Budgeting and benefits advice"].id, ["financial"],
                        "Amira would like help to make a budget and check which benefits she can get.",
                        "I will ask Amira at our class on Tuesday whether they have been in touch.", jo, jo_actor)
    with pretend_now(now - timedelta(days=7)):
        chloe = referrals.refer(db, users["chloe"].id, by_name["CV and job search drop-in"].id, ["job_readiness"],
                                "Chloe has finished her computer course and is ready to write her first CV.",
                                "I will keep seeing Chloe on Thursdays until she has been to the drop-in.", jo, jo_actor)
    with pretend_now(now - timedelta(days=6)):
        referrals.agree(db, users["chloe"].id, chloe.id, ["job_readiness"], True,
                        consent.ConsentActor.resident(users["chloe"], "web_nojs"), secret_key)
