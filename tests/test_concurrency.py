"""Many people at once, against a real server (gunicorn, four sync workers), on SQLite and on
PostgreSQL: staff opening the same residents' records at the same moment, a tutor recording
progress while they look, and residents double-tapping "Share this", "Stop sharing" and "Undo". Nobody
gets a 500, nothing is recorded twice, and the hash chains hold.

Before the residents' lock (tracker/locks.py), two looks at one resident clashed on the access
log's chain number (a 500, and the tutor's tick rolled back), and two "stop sharing" taps wrote
``given, withdrawn, withdrawn`` with two receipts.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections import Counter

import pytest
from sqlmodel import Session, col, select

from tests.conftest import PASSWORD, People
from tests.live import Browser, Gunicorn
from tests.sharing_helpers import Sharing
from tracker.database import make_engine
from tracker.domain import consent, plan
from tracker.models import AccessLogEntry, CatalogueGoal, ConsentEvent, ConsentReceipt, PlanEvent, PlanGoal, PlanStep

SECONDS = 4
ROUNDS = 3  # at least, each, however slow the machine


@pytest.fixture
def partnership(any_database_url):
    engine = make_engine(any_database_url)
    with Session(engine, expire_on_commit=False) as db:
        people = People(db)
        sharing = Sharing(db, people)
        people.user("tutor.a2", role="tutor", provider=sharing.a.name, display_name="Kim Tutor")
        people.user("staff.a2", role="provider_staff", provider=sharing.a.name, display_name="Lee Staff")
        goal_id = db.exec(select(CatalogueGoal.id).where(CatalogueGoal.code == "digital.get-online")).one()
        looked_at, tappers = [], []
        for n in range(3):
            resident = people.user(f"shared{n}")
            plan.add_catalogue_goals(db, resident.id, [goal_id], plan.Actor.of(resident))
            db.commit()
            sharing.give(resident, sharing.a, "digital", ("view", "record_progress"))
            looked_at.append(resident)
        for n in range(3):
            tappers.append(people.user(f"tapper{n}"))
        yield any_database_url, sharing, looked_at, tappers, engine
    engine.dispose()


def test_many_staff_and_double_taps_at_once(partnership):
    url, sharing, looked_at, tappers, engine = partnership
    answers: list[tuple[str, int]] = []
    crashed: list[BaseException] = []
    stop = 0.0
    lock = threading.Lock()

    def person(target, *args):
        def run():
            try:
                target(*args)
            except BaseException as error:
                crashed.append(error)
        return threading.Thread(target=run)

    def note(path, answer):
        with lock:
            answers.append((path, answer.status))

    def staff_member(username):
        browser = Browser(server.url)
        browser.sign_in(username, PASSWORD)
        n = 0
        while time.monotonic() < stop or n < ROUNDS:
            resident = looked_at[n % len(looked_at)]
            for path in (f"/staff/residents/{resident.id}/digital?purpose=plan_support",
                         f"/staff/residents/{resident.id}", f"{prefix(username)}/"):
                note(path, browser.get(path))
            n += 1

    def tutor_recording():
        browser = Browser(server.url)
        browser.sign_in("tutor.a", PASSWORD)
        n = 0
        while time.monotonic() < stop or n < ROUNDS:
            resident = looked_at[n % len(looked_at)]
            area = f"/staff/residents/{resident.id}/digital"
            page = browser.get(area + "?purpose=plan_support")
            goal = page.text.split(f"/staff/residents/{resident.id}/digital/goals/")[1][:12]
            answer = browser.post(f"{area}/goals/{goal}", {"purpose": "plan_support", goal: ["1"] if n % 2 else []},
                                  token_from=area + "?purpose=plan_support")
            note("record ticks", answer)
            n += 1

    def double_tapper(resident):
        browser = Browser(server.url)
        browser.sign_in(resident.username, PASSWORD)
        share = f"/me/sharing/providers/{sharing.a.id}/financial"
        n = 0

        def tap_twice(path, form):
            got = []
            both = [threading.Thread(target=lambda: got.append(browser.open(path, form))) for _ in range(2)]
            for tap in both:
                tap.start()
            for tap in both:
                tap.join()
            for answer in got:
                note(path, answer)
            return got

        while time.monotonic() < stop or n < ROUNDS:
            n += 1
            # Share this, Stop sharing, then Undo in the banner (sharing again): each tapped twice.
            tap_twice(share, {"months": "12", "notice": financial_notice, "csrf_token": browser.token(share)})
            stopped = tap_twice(f"{share}/stop", {"csrf_token": browser.token(share)})
            code = (stopped[0].location or "").partition("changed=")[2]
            assert code and all(answer.location == stopped[0].location for answer in stopped), [a.location for a in stopped]
            tap_twice(f"/me/sharing/receipts/{code}/undo", {"csrf_token": browser.token("/me/sharing")})
            tap_twice(f"{share}/stop", {"csrf_token": browser.token(share)})

    def prefix(username):
        return "/tutor" if username.startswith("tutor") else "/provider"

    financial_notice = sharing.notice(sharing.a, "financial").id  # what the share page shows them
    with Gunicorn(url, workers=4) as server:
        stop = time.monotonic() + SECONDS
        people = [person(staff_member, name) for name in ("tutor.a", "tutor.a2", "staff.a", "staff.a2")]
        people.append(person(tutor_recording))
        people += [person(double_tapper, r) for r in tappers]
        for thread in people:
            thread.start()
        for thread in people:
            thread.join()

    statuses = Counter(status for _path, status in answers)
    failures = [(path, status) for path, status in answers if status >= 500]
    assert not failures, (failures[:10], statuses)
    assert not crashed, crashed
    # 8 people, so 11 requests at once whenever the three residents double-tap together.
    assert len(people) == 8 and len(answers) >= 4 * 3 * ROUNDS + ROUNDS + 3 * 4 * ROUNDS, statuses
    assert statuses[200] > 0 and statuses[303] > 0
    staff_refused = [(path, status) for path, status in answers if path.startswith("/staff/") and status >= 400]
    assert not staff_refused, staff_refused[:5]  # they share with these organisations: every look is a page

    with Session(engine) as db:
        assert consent.verify_chains(db) == {}
        for resident in tappers:
            events = db.exec(select(ConsentEvent).where(ConsentEvent.resident_id == resident.id).order_by(ConsentEvent.seq)).all()
            kinds = [e.event_type for e in events]
            assert kinds, "the double taps did nothing"
            # Each tap pair is one change: the history alternates, one receipt per change.
            assert all(a != b for a, b in itertools.pairwise(kinds)), kinds
            assert kinds[0] == "given" and set(kinds) == {"given", "withdrawn"}, kinds
            receipts = db.exec(select(ConsentReceipt.code).where(ConsentReceipt.resident_id == resident.id)).all()
            assert sorted(receipts) == sorted(e.receipt_code for e in events)
        for resident in looked_at:
            seqs = db.exec(select(AccessLogEntry.seq).where(AccessLogEntry.resident_id == resident.id)
                           .order_by(AccessLogEntry.seq)).all()
            assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) > 3
            # Every tick the tutor saved is in the plan's history once: step events alternate.
            kinds = db.exec(select(PlanEvent.kind).where(PlanEvent.resident_id == resident.id,
                                                         col(PlanEvent.kind).in_(["step_done", "step_undone"]))
                            .order_by(PlanEvent.id)).all()
            assert all(a != b for a, b in itertools.pairwise(kinds)), kinds
            first_step_done = db.exec(select(PlanStep.done_at).join(PlanGoal, PlanGoal.id == PlanStep.goal_id)
                                      .where(PlanGoal.resident_id == resident.id).order_by(PlanStep.position)).first()
            assert (first_step_done is not None) == (bool(kinds) and kinds[-1] == "step_done")


def test_double_tapped_ticks_on_the_plan_page_change_the_plan_once_each(any_database_url):
    """Three residents tick and untick a box on their plan page, each tick sent twice at the same
    moment (htmx sends the area's form as the box changes; a slow phone sends it again), against
    4 workers: every answer is the area again, and each pair of taps is one change in the plan's
    history (step events alternate, one per pair)."""
    engine = make_engine(any_database_url)
    with Session(engine, expire_on_commit=False) as db:
        people = People(db)
        goal_id = db.exec(select(CatalogueGoal.id).where(CatalogueGoal.code == "digital.get-online")).one()
        tickers = [people.user(f"ticker{n}") for n in range(3)]
        for resident in tickers:
            plan.add_catalogue_goals(db, resident.id, [goal_id], plan.Actor.of(resident))
        db.commit()
    answers: list[tuple[int, bool]] = []
    crashed: list[BaseException] = []

    def resident_ticking(resident):
        try:
            browser = Browser(server.url)
            browser.sign_in(resident.username, PASSWORD)
            page = browser.get("/me/plan").text
            goal = re.search(r'name="([^"]+)" type="checkbox" value="1"', page).group(1)
            token = browser.token("/me/plan")
            for n in range(2 * ROUNDS):
                form = {goal: ["1"], "csrf_token": token} if n % 2 == 0 else {"csrf_token": token}  # tick, then untick
                got = []
                taps = [threading.Thread(target=lambda got=got, form=form: got.append(browser.open(
                    "/me/plan/areas/digital", form, headers={"HX-Request": "true"}))) for _ in range(2)]
                for tap in taps:
                    tap.start()
                for tap in taps:
                    tap.join()
                answers.extend((answer.status, 'id="area-digital"' in answer.text) for answer in got)
        except BaseException as error:
            crashed.append(error)

    try:
        with Gunicorn(any_database_url, workers=4) as server:
            people_ticking = [threading.Thread(target=resident_ticking, args=(r,)) for r in tickers]
            for thread in people_ticking:
                thread.start()
            for thread in people_ticking:
                thread.join()
        assert not crashed, crashed
        assert answers and all(answer == (200, True) for answer in answers), Counter(answers)
        assert len(answers) == 3 * 2 * 2 * ROUNDS
        with Session(engine) as db:
            for resident in tickers:
                kinds = db.exec(select(PlanEvent.kind).where(PlanEvent.resident_id == resident.id,
                                                             col(PlanEvent.kind).in_(["step_done", "step_undone"]))
                                .order_by(PlanEvent.id)).all()
                assert kinds == ["step_done", "step_undone"] * ROUNDS, kinds
                done = db.exec(select(PlanStep.done_at).join(PlanGoal, PlanGoal.id == PlanStep.goal_id)
                               .where(PlanGoal.resident_id == resident.id).order_by(PlanStep.position)).first()
                assert done is None  # untick came last
    finally:
        engine.dispose()


def test_a_double_tapped_create_account_makes_one_account_and_signs_in_both_times(any_database_url):
    """Two identical 'Create account' posts at the same moment (a slow phone, a double tap): one
    account, and both taps answer 'signed in' rather than one of them 'taken' or a 500."""
    engine = make_engine(any_database_url)
    with Gunicorn(any_database_url, workers=4) as server:
        for n in range(5):
            browser = Browser(server.url)
            form = {"display_name": "Double Tap", "username": f"double.tap{n}", "password": "kettle garden lamp",
                    "language": "en", "csrf_token": browser.token("/register")}
            answers = []
            taps = [threading.Thread(target=lambda b=browser, f=form, out=answers: out.append(b.open("/register", f)))
                    for _ in range(2)]
            for tap in taps:
                tap.start()
            for tap in taps:
                tap.join()
            assert sorted(a.status for a in answers) == [303, 303], [(a.status, a.text[:200]) for a in answers]
            assert all(a.location.endswith("/me/") for a in answers)
    with Session(engine) as db:
        from tracker.models import User

        assert len(db.exec(select(User).where(col(User.username).startswith("double.tap"))).all()) == 5
    engine.dispose()


def test_about_me_answered_and_shared_with_double_taps_changes_things_once(any_database_url):
    """A resident on a slow phone taps "Save" on an answer, then "Share this" for About me, twice
    each at the same moment: one answer kept, one consent with one receipt, and both taps answered
    without an error."""
    from tracker.models import ABOUT_ME, AboutMeEntry, ConsentGrant

    engine = make_engine(any_database_url)
    with Session(engine, expire_on_commit=False) as db:
        people = People(db)
        sharing = Sharing(db, people)
        notice = consent.publish_notice(
            db, sharing.a, ABOUT_ME, access_modes=["view"], fields_shown=["phone", "languages"],
            purposes=[{"code": "plan_support", "text": {"en": "to help you with your plan", "pl": "aby pomóc w planie"}}],
            summary={"en": "They see what you choose.", "pl": "Widzą to, co wybierzesz."},
            retention={"en": "No copies.", "pl": "Bez kopii."}, secret_key="x")
        db.commit()
        residents = [people.user(f"teller{n}") for n in range(3)]
    with Gunicorn(any_database_url, workers=4) as server:
        for resident in residents:
            browser = Browser(server.url)
            browser.sign_in(resident.username, PASSWORD)

            def twice(path, form, browser=browser):
                answers = []
                taps = [threading.Thread(target=lambda: answers.append(browser.open(path, form))) for _ in range(2)]
                for tap in taps:
                    tap.start()
                for tap in taps:
                    tap.join()
                return sorted(a.status for a in answers)

            answer = {"answer": "Arabic, some English", "action": "save", "csrf_token": browser.token("/me/about/languages")}
            assert twice("/me/about/languages", answer) == [303, 303]
            share = f"/me/sharing/providers/{sharing.a.id}/about_me"
            form = {"notice": notice.id, "fields": ["languages"], "months": "12", "csrf_token": browser.token(share)}
            assert twice(share, form) == [303, 303]
    with Session(engine) as db:
        for resident in residents:
            entries = db.exec(select(AboutMeEntry).where(AboutMeEntry.resident_id == resident.id)).all()
            assert [e.value for e in entries] == [{"text": "Arabic, some English"}]
            grants = db.exec(select(ConsentGrant).where(ConsentGrant.resident_id == resident.id,
                                                        ConsentGrant.area == ABOUT_ME)).all()
            assert len(grants) == 1 and grants[0].fields == ["languages"]
            events = db.exec(select(ConsentEvent).where(ConsentEvent.resident_id == resident.id, ConsentEvent.area == ABOUT_ME)).all()
            assert [e.event_type for e in events] == ["given"] and len({e.receipt_code for e in events}) == 1
        assert consent.verify_chains(db) == {}
    engine.dispose()
