"""Tutors and provider staff: caseloads, search, dashboard, figures, export, recording progress,
accounts made in person. Whatever the page, only residents with an active consent
for the staff member's provider appear, and each one shown is in the access log."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
import time_machine
from sqlmodel import select

from tests.conftest import PASSWORD, sign_in, statements_during
from tests.sharing_helpers import Sharing
from tracker.clock import utcnow
from tracker.domain import consent, plan
from tracker.domain.consent import caseload
from tracker.models import AccessLogEntry, CatalogueGoal, ConsentGrant, PlanEvent, SetupCode, User

SITUATIONS = ["consented", "record", "other_area", "other_provider", "none", "pending", "paused", "withdrawn", "expired", "on_hold"]


@pytest.fixture
def sharing(db, people):
    return Sharing(db, people)


@pytest.fixture
def everyone(sharing):
    """One resident per situation (for provider A); returns {situation: resident}."""
    return {s: sharing.resident_in(s, f"res.{s.replace('_', '')}", "job_readiness" if s == "on_hold" else "digital") for s in SITUATIONS}


def expected_for(db, provider):
    """Straight from the consent table: residents with a valid grant to the provider, now."""
    now = utcnow()
    grants = db.exec(select(ConsentGrant).where(ConsentGrant.provider_id == provider.id)).all()
    return {g.resident_id for g in grants if g.state in ("given", "renewed") and g.valid_until > now}


def _names(html: str) -> set[str]:
    return set(re.findall(r'href="/staff/residents/([0-9a-f]{32})"', html))


def _staff(app, username):
    client = app.test_client()
    assert sign_in(client, username).status_code == 303
    return client


def test_the_caseload_lists_exactly_the_consented_residents_and_logs_each(app, db, sharing, everyone, way):
    expected = expected_for(db, sharing.a)
    assert {everyone[s].id for s in ("consented", "record", "other_area")} == expected
    page = _staff(app, "tutor.a").get("/tutor/")
    assert page.status_code == 200 and _names(page.text) == expected
    for name in ("Res.None", "Res.Pending", "Res.Paused", "Res.Withdrawn", "Res.Expired", "Res.Onhold", "Res.Otherprovider"):
        assert name not in page.text
    logged = db.exec(select(AccessLogEntry).where(AccessLogEntry.action == "listed_in_dashboard")).all()
    assert {e.resident_id for e in logged} == expected and {e.purpose_code for e in logged} == {"caseload_list"}
    assert "3 residents share with you" in page.text


@pytest.mark.parametrize(("username", "search"), [("tutor.a", "/tutor/search"), ("staff.a", "/provider/search")])
def test_search_is_a_post_and_finds_only_consented_residents(app, db, sharing, everyone, username, search, way):
    staff = _staff(app, username)
    assert staff.get(search).status_code == 405
    found = staff.post(search, data={"name": "res."})
    assert _names(found.text) == expected_for(db, sharing.a)
    nobody = staff.post(search, data={"name": "Res.Withdrawn"})
    assert _names(nobody.text) == set() and "0 residents found" in nobody.text
    assert staff.post(search, data={"name": ""}).status_code == 400
    entries = db.exec(select(AccessLogEntry).where(AccessLogEntry.action == "appeared_in_search")).all()
    assert {e.resident_id for e in entries} == expected_for(db, sharing.a)


def test_the_dashboard_shows_exactly_the_consented_residents(app, db, sharing, everyone, way):
    staff = _staff(app, "staff.a")
    page = staff.get("/provider/")
    assert _names(page.text) == expected_for(db, sharing.a)
    assert len(db.exec(select(AccessLogEntry).where(AccessLogEntry.actor_user_id == sharing.staff_a.id)).all()) == 3
    # Every sort and filter lists the same people (nobody has done anything yet, so nobody has
    # progress in the last 30 days), and in the digital area those who share it.
    digital = {everyone[s].id for s in ("consented", "record")}
    for path, expected in [("/provider/?sort=last_activity", expected_for(db, sharing.a)),
                           ("/provider/?sort=goals_done", expected_for(db, sharing.a)),
                           ("/provider/?stale=1", expected_for(db, sharing.a)),
                           ("/provider/?area=digital&sort=last_activity", digital),
                           ("/provider/?area=digital&stale=1", digital)]:
        assert _names(staff.get(path).text) == expected, path


def test_each_row_says_what_is_shared_as_text_and_in_the_readers_language(app, db, sharing, people):
    """The dashboard's and the caseload's rows (written in Python, tracker/web/staff_tables.py):
    a name holding markup is shown as text, and the names of areas and stages follow the reader's
    language."""
    odd = people.user("odd", display_name='<b>Bold</b> & "Co"')
    sharing.give(odd, sharing.a, "digital", modes=("view", "record_progress"))
    sharing.give(odd, sharing.a, "financial")
    plan.record_check_in(db, odd.id, {"digital": (2, None)}, plan.Actor.of(odd))
    plan.record_check_in(db, odd.id, {"digital": (4, None)}, plan.Actor.of(odd))
    db.commit()
    escaped = "&lt;b&gt;Bold&lt;/b&gt; &amp; &#34;Co&#34;"
    for language, words in [("en", ("2 Getting help → 4 Mostly on my own", "Digital (can record), Money")),
                            ("pl", ("2 Z pomocą innych → 4 Przeważnie samodzielnie", "Cyfrowe (możesz zapisywać), Pieniądze"))]:
        for member in (sharing.staff_a, sharing.tutor_a):
            db.get(User, member.id).preferred_language = language
        db.commit()
        dashboard = _staff(app, "staff.a").get("/provider/").text
        assert "<b>Bold</b>" not in dashboard
        assert f'rowspan="2"><a class="govuk-link" href="/staff/residents/{odd.id}">{escaped}</a>' in dashboard
        assert re.findall(r'class="govuk-table__cell">([^<]*→[^<]*)</td>', dashboard) == [words[0]]  # money: no stage yet
        caseload = _staff(app, "tutor.a").get("/tutor/").text
        assert "<b>Bold</b>" not in caseload and f">{escaped}</a></td>" in caseload
        assert f'<td class="govuk-table__cell">{words[1]}</td>' in caseload


def test_dashboard_filters_and_their_errors(app, db, sharing, people):
    amira, ben = people.user("amira"), people.user("ben")
    sharing.give(amira, sharing.a, "digital")
    sharing.give(ben, sharing.a, "financial")
    plan.record_check_in(db, amira.id, {"digital": (4, None)}, plan.Actor.of(amira))
    db.commit()
    staff = _staff(app, "staff.a")
    assert _names(staff.get("/provider/?area=digital").text) == {amira.id}
    assert _names(staff.get("/provider/?stage=4").text) == {amira.id}
    assert _names(staff.get("/provider/?stage=4&sort=last_activity").text) == {amira.id}
    assert _names(staff.get("/provider/?area=digital&stage=4&sort=goals_done&stale=1").text) == set()
    assert _names(staff.get("/provider/?stale=1").text) == {ben.id}  # nothing done in 30 days
    assert _names(staff.get("/provider/?new=1&sort=last_activity").text) == {amira.id, ben.id}
    for bad, message in [("area=space", "Choose a part of the plan from the list"), ("stage=9", "Choose a stage from the list"),
                         ("sort=password", "Choose how to sort from the list")]:
        response = staff.get(f"/provider/?{bad}")
        assert response.status_code == 400 and message in response.text
    beyond = staff.get(f"/provider/?after={ben.id}")  # after the last resident: a page past the end
    assert beyond.status_code == 200 and _names(beyond.text) == set()
    assert _names(staff.get("/provider/?after=abc").text) == {amira.id, ben.id}  # not a page: the first
    with time_machine.travel(utcnow() - timedelta(days=40)):  # shared since before this month began
        sharing.give(people.user("cara"), sharing.a, "digital")
        db.commit()
    assert len(_names(staff.get("/provider/").text)) == 3
    assert _names(staff.get("/provider/?new=1").text) == _names(staff.get("/provider/?new=1&sort=goals_done").text) == {amira.id, ben.id}


def test_a_stage_is_never_used_unless_the_notice_shares_it(app, db, sharing, people):
    from tests.sharing_helpers import publish

    publish(db, sharing.b, "digital", fields=["goal_titles"], material=True, change={"en": "x", "pl": "x"})
    amira = people.user("amira")
    sharing.give(amira, sharing.b, "digital")
    plan.record_check_in(db, amira.id, {"digital": (4, None)}, plan.Actor.of(amira))
    db.commit()
    staff_b = people.user("staff.b", role="provider_staff", provider=sharing.b.name)
    client = _staff(app, staff_b.username)
    assert _names(client.get("/provider/").text) == {amira.id}
    assert _names(client.get("/provider/?stage=4").text) == set()  # filtering would reveal the stage


@pytest.mark.parametrize("path", ["/provider/", "/tutor/"])
def test_statements_per_page_do_not_grow_with_the_number_of_residents(app, db, sharing, people, path, monkeypatch):
    # 10 residents are listed from their grants, 500 by walking the names (caseload.WALKED_FROM):
    # both ways cost the same number of statements.
    monkeypatch.setattr(caseload, "WALKED_FROM", 100)

    def count_for(how_many: int, prefix: str) -> int:
        for n in range(how_many):
            resident = people.user(f"{prefix}{n}")
            sharing.give(resident, sharing.a, "digital")
        staff = _staff(app, "staff.a" if path == "/provider/" else "tutor.a")
        staff.get(path)
        response, statements = statements_during(db.get_bind(), lambda: staff.get(path))
        assert response.status_code == 200
        return len(statements)

    few = count_for(10, "few")
    many = count_for(490, "many")  # 500 in all
    assert few == many, (few, many)
    # The tutor page also lists, in one query each, the accounts made there and not set up yet,
    # and those set up but not chosen yet. (Both read which notices show which fields first.)
    assert many <= {"/provider/": 16, "/tutor/": 18}[path]


def test_figures_count_only_consented_residents_and_suppress_small_numbers(app, db, sharing, everyone, people):
    staff = _staff(app, "staff.a")
    page = staff.get("/provider/figures").text
    assert "Residents sharing with you: <strong>fewer than 5</strong>" in page
    for n in range(6):
        sharing.give(people.user(f"more{n}"), sharing.a, "digital")
    page = staff.get("/provider/figures").text
    assert "Residents sharing with you: <strong>9</strong>" in page
    from tracker.domain.consent.caseload import suppress

    assert [suppress(n) for n in (0, 1, 4, 5)] == [0, "fewer_than_5", "fewer_than_5", 5]


def test_the_export_has_only_consented_residents_and_fields_and_is_safe_in_a_spreadsheet(app, db, sharing, everyone, people):
    evil = people.user("evil", display_name="=HYPERLINK(\"http://x\")")
    sharing.give(evil, sharing.a, "digital")
    with _staff(app, "staff.a").get("/provider/export.csv", buffered=False) as response:
        assert response.is_streamed and response.mimetype == "text/csv"
        text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # so Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["resident", "area", "stage_first", "stage_first_name", "stage_now", "stage_now_name", "goals_done",
                       "steps_done_last_30_days", "last_activity"]
    names = {row[0] for row in rows[1:]}
    assert "'=HYPERLINK(\"http://x\")" in names
    assert names == {"Res.Consented Example", "Res.Record Example", "Res.Otherarea Example", "'=HYPERLINK(\"http://x\")"}
    exported = db.exec(select(AccessLogEntry).where(AccessLogEntry.action == "exported_summary")).all()
    assert {e.resident_id for e in exported} == expected_for(db, sharing.a)


def test_exports_are_rate_limited_per_person(app, sharing):
    staff = _staff(app, "staff.a")
    for _ in range(10):
        assert staff.get("/provider/export.csv").status_code == 200
    assert staff.get("/provider/export.csv").status_code == 429
    assert _staff(app, "tutor.a").get("/tutor/").status_code == 200


# --- Recording progress -----------------------------------------------------------------------


@pytest.fixture
def amira_with_goal(db, people):
    amira = people.user("amira", display_name="Amira Hassan")
    goal_id = db.exec(select(CatalogueGoal.id).where(CatalogueGoal.code == "digital.get-online")).one()
    goal = plan.add_catalogue_goals(db, amira.id, [goal_id], plan.Actor.of(amira))[0]
    db.commit()
    return amira, goal


def test_a_tutor_records_progress_with_the_resident_who_sees_it_in_their_history(app, db, sharing, amira_with_goal):
    amira, goal = amira_with_goal
    sharing.give(amira, sharing.a, "digital", modes=("view", "record_progress"))
    tutor = _staff(app, "tutor.a")
    base = f"/staff/residents/{amira.id}/digital"
    assert "Save ticks with the resident" in tutor.get(base + "?purpose=plan_support").text
    assert tutor.post(f"{base}/goals/{goal.id}", data={"purpose": "plan_support", goal.id: ["1", "2"]}).status_code == 303
    tutor.post(f"{base}/check-in", data={"purpose": "plan_support", "digital": "3"})
    tutor.post(f"{base}/goals/{goal.id}/notes", data={"purpose": "plan_support", "text": "Practised at the library."})
    assert tutor.post(f"{base}/check-in", data={"purpose": "plan_support", "digital": "9"}).status_code == 400
    resident = app.test_client()
    sign_in(resident, "amira")
    history = resident.get("/me/timeline").text
    assert "Jo, Melton Adult Learning" in history and "Ticked the step" in history and "Checked in" in history
    assert "Practised at the library." in resident.get(f"/me/plan/goals/{goal.id}").text
    recorded = db.exec(select(AccessLogEntry).where(AccessLogEntry.action == "recorded_progress")).all()
    assert len(recorded) == 3


@pytest.mark.parametrize("who", ["view_only", "other_provider"])
def test_recording_without_permission_is_a_404_and_writes_nothing(app, db, sharing, amira_with_goal, who):
    amira, goal = amira_with_goal
    if who == "view_only":
        sharing.give(amira, sharing.a, "digital", modes=("view",))
        username = "tutor.a"
    else:
        sharing.give(amira, sharing.a, "digital", modes=("view", "record_progress"))
        username = "tutor.b"
    before = len(db.exec(select(PlanEvent)).all())
    tutor = _staff(app, username)
    base = f"/staff/residents/{amira.id}/digital"
    missing = f"/staff/residents/{'0' * 32}/digital"
    for suffix, data in [(f"/goals/{goal.id}", {"purpose": "plan_support", goal.id: "1"}),
                         ("/check-in", {"purpose": "plan_support", "digital": "3"}),
                         (f"/goals/{goal.id}/notes", {"purpose": "plan_support", "text": "x"})]:
        response, nobody = tutor.post(base + suffix, data=data), tutor.post(missing + suffix, data=data)
        assert response.status_code == nobody.status_code == 404
    assert len(db.exec(select(PlanEvent)).all()) == before


# --- Accounts made in person ----------------------------------------------------------------


def _slip_code(html: str) -> str:
    return re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", html).group(0)


def test_assisted_registration_prints_a_slip_and_the_resident_chooses_their_password(app, db, sharing):
    tutor = _staff(app, "tutor.a")
    slip = tutor.post("/tutor/residents/new", data={"display_name": "Dorota Nowak", "username": "dorota", "language": "en"})
    assert slip.status_code == 200 and "dorota" in slip.text
    code = _slip_code(slip.text)
    assert db.exec(select(SetupCode)).one().code_hash != code  # only a hash is kept
    resident = app.test_client()
    assert resident.post("/setup", data={"username": "dorota", "code": code.lower(), "password": "password1234"}).status_code == 400
    response = resident.post("/setup", data={"username": "dorota", "code": code.lower(), "password": "kettle garden lamp"})
    assert response.headers["Location"] == "/me/"
    assert "created your account with you" in resident.get("/me/data").text
    again = app.test_client().post("/setup", data={"username": "dorota", "code": code, "password": "other words here"})
    assert again.status_code == 400 and "not right, or the code has expired" in again.text
    assert _names(tutor.get("/tutor/").text) == set()  # creating an account shares nothing
    again = tutor.post("/tutor/residents/new", data={"display_name": "D", "username": "Dorota", "language": "en"})
    assert again.status_code == 400 and "You made this account a moment ago" in again.text  # a double tap: the slip may be lost
    taken = _staff(app, "tutor.b").post("/tutor/residents/new", data={"display_name": "D", "username": "Dorota", "language": "en"})
    assert taken.status_code == 400 and "already taken" in taken.text


def test_a_setup_code_expires_after_seven_days(app, db, sharing):
    tutor = _staff(app, "tutor.a")
    code = _slip_code(tutor.post("/tutor/residents/new", data={"display_name": "Eve", "username": "eve.r", "language": "en"}).text)
    with time_machine.travel(utcnow() + timedelta(days=8)):
        response = app.test_client().post("/setup", data={"username": "eve.r", "code": code, "password": "kettle garden lamp"})
        assert response.status_code == 400


def test_a_new_code_for_a_forgotten_password_ends_every_session(app, db, sharing, people):
    amira = people.user("amira")
    sharing.give(amira, sharing.a, "digital")  # she shares with the tutor's organisation
    phone = app.test_client()
    sign_in(phone, "amira")
    tutor = _staff(app, "tutor.a")
    slip = tutor.post("/tutor/password-reset", data={"username": "amira"})
    code = _slip_code(slip.text)
    assert phone.get("/me/").status_code == 303  # signed out everywhere
    assert len(db.exec(select(SetupCode)).all()) == 1
    fresh = app.test_client()
    assert fresh.post("/setup", data={"username": "amira", "code": code, "password": "kettle garden lamp"}).status_code == 303
    page = fresh.get("/me/data").text
    assert "Jo at Melton Adult Learning gave you a new set-up code" in page
    assert "A new password was chosen with the set-up code from Jo at Melton Adult Learning." in page


def test_passwords_are_never_seen_by_the_tutor(app, sharing):
    slip = _staff(app, "tutor.a").post("/tutor/residents/new", data={"display_name": "Fay", "username": "fay.l", "language": "en"})
    assert PASSWORD not in slip.text and "Nobody else will know it" in slip.text


def test_figures_count_goals_completed_this_month_over_consented_residents_only(app, db, sharing, people):
    goal_id = db.exec(select(CatalogueGoal.id).where(CatalogueGoal.code == "digital.get-online")).one()
    for n in range(6):
        resident = people.user(f"done{n}")
        if n < 5:  # the sixth does not share: not counted
            sharing.give(resident, sharing.a, "digital")
        goal = plan.add_catalogue_goals(db, resident.id, [goal_id], plan.Actor.of(resident))[0]
        plan.set_status(db, goal, "done", plan.Actor.of(resident))
    db.commit()
    from tracker.domain.consent.caseload import figures

    counted = figures(db, sharing.staff_a)
    this_month = utcnow().strftime("%Y-%m")
    assert counted.months[-1] == this_month and len(set(counted.months)) == 12
    assert counted.completed_by_month["digital"][this_month] == 5
    assert counted.completed_by_month["financial"][this_month] == 0


def test_the_export_names_the_stages_and_keeps_polish_names_for_excel(app, db, sharing, people):
    from tracker.domain import plan

    lucja = people.user("lucja", display_name="Łucja Żółkiewska")
    sharing.give(lucja, sharing.a, "digital")
    plan.record_check_in(db, lucja.id, {"digital": (3, None)}, plan.Actor.of(lucja))
    db.commit()
    body = _staff(app, "staff.a").get("/provider/export.csv").get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    row = next(r for r in rows if r[0] == "Łucja Żółkiewska")
    assert row[1:6] == ["digital", "3", "Trying", "3", "Trying"]


def test_a_tutor_sees_the_accounts_made_here_not_set_up_yet_and_can_print_a_new_slip(app, db, sharing):
    tutor = _staff(app, "tutor.a")
    first = _slip_code(tutor.post("/tutor/residents/new", data={"display_name": "Fatima Ali", "username": "fatima", "language": "en"}).text)
    home = tutor.get("/tutor/").text
    assert "Accounts not set up yet" in home and "Fatima Ali" in home and "Print a new slip" in home
    assert "Fatima Ali" not in _staff(app, "tutor.b").get("/tutor/").text  # another organisation's account
    second = _slip_code(tutor.post("/tutor/password-reset", data={"username": "fatima"}).text)
    assert second != first
    resident = app.test_client()
    refused = resident.post("/setup", data={"username": "fatima", "code": first, "password": "kettle garden lamp"})
    assert refused.status_code == 400  # the lost slip's code no longer works
    assert resident.post("/setup", data={"username": "fatima", "code": second, "password": "kettle garden lamp"}).status_code == 303
    home = tutor.get("/tutor/").text
    assert "Accounts not set up yet" not in home


def _waiting_list(html: str) -> str:
    return html.split('id="choosing"', 1)[1].split("<h2", 1)[0] if 'id="choosing"' in html else ""


def test_a_resident_registered_here_is_listed_by_name_only_until_they_choose_and_it_is_logged(app, db, sharing):
    tutor = _staff(app, "tutor.a")
    code = _slip_code(tutor.post("/tutor/residents/new", data={"display_name": "Fatima Ali", "username": "fatima", "language": "en"}).text)
    resident = app.test_client()
    assert resident.post("/setup", data={"username": "fatima", "code": code, "password": "kettle garden lamp"}).status_code == 303
    fatima = db.exec(select(User).where(User.username == "fatima")).one()
    waiting = _waiting_list(tutor.get("/tutor/").text)
    assert "Fatima Ali" in waiting and "/staff/residents/" not in waiting  # a name, nothing to open
    assert tutor.get(f"/staff/residents/{fatima.id}").status_code == 404  # nothing else: no consent
    assert "Fatima Ali" not in _staff(app, "tutor.b").get("/tutor/").text  # another organisation
    [entry] = db.exec(select(AccessLogEntry).where(AccessLogEntry.resident_id == fatima.id)).all()
    assert entry.action == "listed_as_waiting" and entry.fields_disclosed == ["name"] and entry.grant_id is None
    assert consent.verify_chains(db) == {}
    assert "in their list of people they helped make an account" in resident.get("/me/looked").text
    assert "Melton Adult Learning helped you make your account" in resident.get("/me/sharing").text
    sharing.give(fatima, sharing.a, "digital")
    home = tutor.get("/tutor/").text
    assert _waiting_list(home) == "" and "Fatima Ali" in home  # she chose: now in the list of those who share
    assert "helped you make your account" not in resident.get("/me/sharing").text
    consent.live_grant(db, fatima.id, sharing.a.id, "digital")
    sharing.act(fatima, "withdraw", consent.live_grant(db, fatima.id, sharing.a.id, "digital"))
    assert "Fatima Ali" not in tutor.get("/tutor/").text  # stopping was a choice too


def test_the_waiting_list_ends_after_ninety_days(app, db, sharing):
    tutor = _staff(app, "tutor.a")
    code = _slip_code(tutor.post("/tutor/residents/new", data={"display_name": "Fatima Ali", "username": "fatima", "language": "en"}).text)
    resident = app.test_client()
    resident.post("/setup", data={"username": "fatima", "code": code, "password": "kettle garden lamp"})
    with time_machine.travel(utcnow() + timedelta(days=91)):
        assert "Fatima Ali" not in _staff(app, "tutor.a").get("/tutor/").text
