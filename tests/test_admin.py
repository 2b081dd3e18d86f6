"""The administration: organisations and their sharing notices, staff accounts and invitations,
the goal catalogue, and the audit page. Every change is recorded; residents appear to admins only
as a pseudonym; bad input never becomes a 500."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from tests.conftest import sign_in
from tests.sharing_helpers import Sharing
from tracker.clock import utcnow
from tracker.domain import consent, partnership, plan
from tracker.models import (
    AccessAction,
    AccessFlag,
    AccessLogEntry,
    AdminAction,
    CatalogueGoal,
    CatalogueStep,
    ConsentGrant,
    GrantState,
    Provider,
    Role,
    SharingNotice,
    User,
)

CODE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")


@pytest.fixture
def sharing(db, people):
    """Providers A and B with notices, a tutor and staff at A, a tutor at B, and an admin."""
    return Sharing(db, people)


@pytest.fixture
def admin(client, sharing):
    assert sign_in(client, "the.admin").status_code == 303
    return client


def _client(app, username):
    client = app.test_client()
    assert sign_in(client, username).status_code == 303
    return client


def _actions(db, action=None) -> list[AdminAction]:
    query = select(AdminAction).order_by(AdminAction.id)
    if action:
        query = query.where(AdminAction.action == action)
    return db.exec(query).all()


def _goal(db, code) -> CatalogueGoal:
    return db.exec(select(CatalogueGoal).where(CatalogueGoal.code == code)).one()


def _resident_with_goal(db, people, username="amira", code="digital.get-online"):
    resident = people.user(username, display_name="Amira Hassan")
    plan.add_catalogue_goals(db, resident.id, [_goal(db, code).id], plan.Actor.of(resident))
    db.commit()
    return resident


# --- Home ---------------------------------------------------------------------------------------


def test_the_home_page_leads_to_the_four_sections(admin):
    page = admin.get("/admin/").text
    for href in ("/admin/providers", "/admin/staff", "/admin/catalogue", "/admin/audit"):
        assert f'href="{href}"' in page
    assert "Ada Admin" in page and "the.admin" in page


# --- Organisations ------------------------------------------------------------------------------


def test_adding_an_organisation_lists_it_and_records_who_did_it(admin, db):
    response = admin.post("/admin/providers/new", data={"name": "Melton Library", "kind": "library",
                                                        "description_en": "Free computers and help.",
                                                        "description_pl": "Bezpłatne komputery i pomoc."})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/providers"
    page = admin.get("/admin/providers").text
    assert "Melton Library is added" in page and "Melton Library" in page and "Library" in page
    provider = db.exec(select(Provider).where(Provider.name == "Melton Library")).one()
    assert provider.kind == "library" and provider.active
    assert provider.description == {"en": "Free computers and help.", "pl": "Bezpłatne komputery i pomoc."}
    action = _actions(db, "provider_created")[0]
    assert action.actor_name == "Ada Admin" and action.provider_id == provider.id


def test_organisation_names_are_unique_and_answers_are_checked(admin, db):
    response = admin.post("/admin/providers/new", data={"name": "melton adult learning", "kind": "library"})
    assert response.status_code == 400 and "An organisation with this name already exists" in response.text
    response = admin.post("/admin/providers/new", data={"name": "x" * 121, "kind": "spaceship", "description_en": "y" * 501})
    assert response.status_code == 400
    for message in ("The name must be 120 characters or fewer", "Choose what kind of organisation it is",
                    "The description must be 500 characters or fewer"):
        assert message in response.text
    assert "govuk-error-summary" in response.text
    english_only = admin.post("/admin/providers/new", data={"name": "Melton Library", "kind": "library", "description_en": "Books."})
    assert english_only.status_code == 400 and "in both English and Polish" in english_only.text
    assert len(db.exec(select(Provider)).all()) == 2


def test_editing_an_organisation(admin, db, sharing):
    assert admin.get(f"/admin/providers/{sharing.a.id}/edit").status_code == 200
    response = admin.post(f"/admin/providers/{sharing.a.id}/edit", data={"name": "Melton College", "kind": "adult_learning",
                                                                         "description_en": "Courses for adults.",
                                                                         "description_pl": "Kursy dla dorosłych."})
    assert response.status_code == 303
    db.refresh(sharing.a)
    assert sharing.a.name == "Melton College" and sharing.a.description == {"en": "Courses for adults.", "pl": "Kursy dla dorosłych."}
    assert _actions(db, "provider_edited")[0].details["name"] == {"before": "Melton Adult Learning", "after": "Melton College"}
    taken = admin.post(f"/admin/providers/{sharing.a.id}/edit", data={"name": "Melton Jobs Support", "kind": "adult_learning"})
    assert taken.status_code == 400 and "already exists" in taken.text


def test_deactivating_an_organisation_hides_every_resident_from_its_staff(app, admin, db, people, sharing):
    resident = _resident_with_goal(db, people)
    sharing.give(resident, sharing.a, "digital")
    staff = _client(app, "staff.a")
    url = f"/staff/residents/{resident.id}/digital?purpose=plan_support"
    assert staff.get(url).status_code == 200
    response = admin.post(f"/admin/providers/{sharing.a.id}/active", data={"active": "no"})
    assert response.status_code == 303
    assert "Deactivated" in admin.get("/admin/providers").text
    assert staff.get(url).status_code == 404
    assert admin.post(f"/admin/providers/{sharing.a.id}/active", data={"active": "yes"}).status_code == 303
    assert staff.get(url).status_code == 200
    assert [a.action for a in _actions(db)][-2:] == ["provider_deactivated", "provider_reactivated"]
    assert admin.post(f"/admin/providers/{sharing.a.id}/active", data={"active": "maybe"}).status_code == 400


def test_html_in_a_name_is_shown_as_text(admin):
    admin.post("/admin/providers/new", data={"name": "<script>alert(1)</script>", "kind": "other"})
    page = admin.get("/admin/providers").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- Sharing notices ----------------------------------------------------------------------------

NOTICE = {
    "area": "financial", "shown": ["goal_titles", "goal_status"], "purposes": ["plan_support", "caseload_list"],
    "summary_en": "We see your money goals.", "summary_pl": "Widzimy Twoje cele finansowe.",
    "retention_en": "We keep no copies.", "retention_pl": "Nie przechowujemy kopii.",
}


def test_publishing_a_first_notice(admin, db):
    admin.post("/admin/providers/new", data={"name": "Melton Money Advice", "kind": "money_advice"})
    provider = db.exec(select(Provider).where(Provider.name == "Melton Money Advice")).one()
    page = admin.get(f"/admin/providers/{provider.id}/notices/new").text
    assert "Is this a big change?" in page and "to list you among the people they help" in page
    response = admin.post(f"/admin/providers/{provider.id}/notices/new", data={**NOTICE, "record": "y"})
    assert response.status_code == 303
    notice = consent.current_notice(db, provider.id, "financial")
    assert notice.version == 1 and notice.access_modes == ["view", "record_progress"]
    assert notice.fields_shown == ["goal_titles", "goal_status"]
    assert [p["code"] for p in notice.purposes] == ["plan_support", "caseload_list"]
    assert notice.purposes[1]["text"] == partnership.STANDARD_PURPOSES["caseload_list"]
    assert notice.summary == {"en": "We see your money goals.", "pl": "Widzimy Twoje cele finansowe."}
    assert "version 1" in admin.get("/admin/providers").text
    assert _actions(db, "notice_published")[0].details["version"] == 1


def test_publishing_the_same_notice_again_makes_no_new_version(admin, db):
    admin.post("/admin/providers/new", data={"name": "Melton Money Advice", "kind": "money_advice"})
    provider = db.exec(select(Provider).where(Provider.name == "Melton Money Advice")).one()
    url = f"/admin/providers/{provider.id}/notices/new"
    assert admin.post(url, data=NOTICE).status_code == 303
    again = admin.post(url, data={**NOTICE, "material": "no"})  # a double-submitted form, or nothing edited
    assert again.status_code == 303
    assert "Nothing was changed" in admin.get("/admin/providers").text
    assert consent.current_notice(db, provider.id, "financial").version == 1
    assert len(_actions(db, "notice_published")) == 1


def test_a_notice_needs_what_residents_read(admin, sharing, db):
    response = admin.post(f"/admin/providers/{sharing.a.id}/notices/new", data={
        "area": "moon", "shown": ["passwords"], "purposes": [], "summary_en": "x" * 301, "retention_pl": "",
    })
    assert response.status_code == 400
    for message in ("Choose which part of a plan this notice is for", "Choose at least one thing they will see",
                    "Choose at least one reason from the list", "The summary must be 300 characters or fewer",
                    "Write what they will see, in Polish", "Write how long they keep copies, in Polish"):
        assert message in response.text
    assert "passwords" not in response.text


def test_a_big_change_puts_current_sharing_on_hold_until_the_resident_says_yes_again(app, admin, db, people, sharing):
    resident = _resident_with_goal(db, people)
    grant, _ = sharing.give(resident, sharing.a, "financial")
    url = f"/admin/providers/{sharing.a.id}/notices/new"
    prefilled = admin.get(f"{url}?area=financial").text
    assert "sees your financial goals" in prefilled  # starts from the current notice

    response = admin.post(url, data={**NOTICE, "material": "yes"})
    assert response.status_code == 400 and "Write what changed, in English" in response.text
    response = admin.post(url, data={**NOTICE})
    assert response.status_code == 400 and "Choose whether this is a big change" in response.text

    response = admin.post(url, data={**NOTICE, "material": "no"})
    assert response.status_code == 303
    db.refresh(grant)
    assert grant.state == GrantState.GIVEN  # a small change leaves sharing as it is

    big = {**NOTICE, "material": "yes", "change_en": "We now see your notes.", "change_pl": "Teraz widzimy Twoje notatki.",
           "shown": ["goal_titles", "notes"]}
    asked = admin.post(url, data=big)  # first: how many residents it affects, and a second yes
    assert asked.status_code == 200 and "This big change puts 1 resident's sharing on hold" in asked.text
    assert 'name="confirmed" value="yes"' in asked.text and "Yes, publish it" in asked.text
    db.refresh(grant)
    assert grant.state == GrantState.GIVEN and consent.current_notice(db, sharing.a.id, "financial").version == 2
    response = admin.post(url, data={**big, "confirmed": "yes"})
    assert response.status_code == 303
    assert "on hold" in admin.get("/admin/providers").text
    db.refresh(grant)
    assert grant.state == GrantState.INVALIDATED
    notice = consent.current_notice(db, sharing.a.id, "financial")
    assert notice.version == 3 and notice.change_is_material and notice.change_summary["en"] == "We now see your notes."
    resident_page = _client(app, "amira").get("/me/sharing").text
    assert "On hold" in resident_page


# --- Staff accounts -----------------------------------------------------------------------------


def test_an_invitation_shows_a_code_once_which_signs_the_new_tutor_in_once(app, admin, db, sharing):
    response = admin.post("/admin/staff/new", data={"username": "New.Tutor", "display_name": "Nia Tutor",
                                                    "role": "tutor", "provider": sharing.a.id})
    assert response.status_code == 200
    slip = response.text
    code = CODE.search(slip.split('id="setup-code"')[1]).group(0)
    assert "new.tutor" in slip and "http://localhost/setup" in slip and "7 days" in slip
    assert "data-print" in slip and "app-js-only" in slip
    user = db.exec(select(User).where(User.username == "new.tutor")).one()
    assert user.role == Role.TUTOR and user.provider_id == sharing.a.id
    assert code not in admin.get(f"/admin/staff/{user.id}").text  # shown once, on the slip only
    assert _actions(db, "staff_invited")[0].details["user_id"] == user.id

    newcomer = app.test_client()
    assert sign_in(newcomer, "new.tutor", "anything at all").status_code == 200  # no password until they choose one
    response = newcomer.post("/setup", data={"username": "new.tutor", "code": code, "password": "a long fresh password 2026"})
    assert response.status_code == 303 and response.headers["Location"] == "/tutor/"
    assert newcomer.get("/tutor/").status_code == 200

    again = app.test_client()
    response = again.post("/setup", data={"username": "new.tutor", "code": code, "password": "another long password 2026"})
    assert response.status_code == 400
    assert sign_in(again, "new.tutor", "a long fresh password 2026").status_code == 303


def test_invitation_answers_are_checked(admin, db, sharing):
    response = admin.post("/admin/staff/new", data={"username": "x", "display_name": "", "role": "resident",
                                                    "provider": "nowhere"})
    assert response.status_code == 400
    for message in ("Use 3 to 40 letters or numbers", "Enter their full name", "Choose a role from the list",
                    "Choose an organisation from the list"):
        assert message in response.text
    response = admin.post("/admin/staff/new", data={"username": "jo.new", "display_name": "Jo New", "role": "provider_staff"})
    assert response.status_code == 400 and "Choose the organisation they work for" in response.text
    response = admin.post("/admin/staff/new", data={"username": "TUTOR.A", "display_name": "Jo", "role": "admin"})
    assert response.status_code == 400 and "That username is already taken" in response.text
    response = admin.post("/admin/staff/new", data={"username": "second.admin", "display_name": "Sam Second", "role": "admin",
                                                    "provider": ""})
    assert response.status_code == 200 and CODE.search(response.text)
    assert db.exec(select(User).where(User.username == "second.admin")).one().provider_id is None


def test_the_staff_list_has_no_residents(admin, people, sharing):
    resident = people.user("amira", display_name="Amira Hassan")
    page = admin.get("/admin/staff").text
    assert "Jo Bennett" in page and "Priya Shah" in page and "Ada Admin" in page
    assert "Amira" not in page
    assert admin.get(f"/admin/staff/{resident.id}").status_code == 404
    assert admin.post(f"/admin/staff/{resident.id}/active", data={"active": "no"}).status_code == 404


def test_deactivating_staff_signs_them_out_on_their_next_request(app, admin, db, sharing):
    tutor = _client(app, "tutor.a")
    assert tutor.get("/tutor/").status_code == 200
    response = admin.post(f"/admin/staff/{sharing.tutor_a.id}/active", data={"active": "no"})
    assert response.status_code == 303
    assert "is deactivated and signed out everywhere" in admin.get(response.headers["Location"]).text
    assert tutor.get("/tutor/").status_code == 303
    assert sign_in(app.test_client(), "tutor.a").status_code == 200  # cannot sign in either
    admin.post(f"/admin/staff/{sharing.tutor_a.id}/active", data={"active": "yes"})
    assert sign_in(app.test_client(), "tutor.a").status_code == 303
    assert [a.action for a in _actions(db)] == ["staff_deactivated", "staff_reactivated"]


def test_changing_a_role_follows_the_same_rules(admin, db, sharing):
    url = f"/admin/staff/{sharing.tutor_a.id}/role"
    response = admin.post(url, data={"role": "provider_staff", "provider": ""})
    assert response.status_code == 400 and "Choose the organisation they work for" in response.text
    assert admin.post(url, data={"role": "provider_staff", "provider": sharing.b.id}).status_code == 303
    db.refresh(sharing.tutor_a)
    assert (sharing.tutor_a.role, sharing.tutor_a.provider_id) == ("provider_staff", sharing.b.id)
    assert _actions(db, "staff_role_changed")[0].details["before"] == {"role": "tutor", "provider_id": sharing.a.id}
    assert admin.post(url, data={"role": "resident", "provider": sharing.b.id}).status_code == 400


def test_an_admin_cannot_change_or_deactivate_their_own_account(admin, db, sharing):
    me = sharing.admin
    page = admin.get(f"/admin/staff/{me.id}").text
    assert "This is your own account" in page and "Deactivate" not in page
    for url, data in ((f"/admin/staff/{me.id}/active", {"active": "no"}), (f"/admin/staff/{me.id}/role", {"role": "tutor", "provider": sharing.a.id}),
                      (f"/admin/staff/{me.id}/code", {})):
        response = admin.post(url, data=data)
        assert response.status_code == 400 and "You cannot change your own account" in response.text
    db.refresh(me)
    assert me.active and me.role == Role.ADMIN
    assert admin.get("/admin/").status_code == 200
    assert _actions(db) == []


def test_a_new_code_replaces_the_old_one(app, admin, db, sharing):
    first = CODE.search(admin.post(f"/admin/staff/{sharing.staff_a.id}/code").text).group(0)
    second = CODE.search(admin.post(f"/admin/staff/{sharing.staff_a.id}/code").text).group(0)
    client = app.test_client()
    assert client.post("/setup", data={"username": "staff.a", "code": first, "password": "a long fresh password 2026"}).status_code == 400
    response = client.post("/setup", data={"username": "staff.a", "code": second, "password": "a long fresh password 2026"})
    assert response.status_code == 303 and response.headers["Location"] == "/provider/"
    assert len(_actions(db, "staff_code_issued")) == 2


# --- The goal catalogue -------------------------------------------------------------------------

NEW_GOAL = {
    "area": "digital", "framework_area": "communicating", "title_en": "Video call your family",
    "title_pl": "Rozmowa wideo z rodziną", "summary_en": "Helps you see and talk to people far away.",
    "summary_pl": "Pomaga widzieć i rozmawiać z bliskimi daleko.",
    "steps_en": "I can open a video app.\nI can call someone.\n\nI can end the call.",
    "steps_pl": "Umiem otworzyć aplikację wideo.\nUmiem do kogoś zadzwonić.\nUmiem zakończyć rozmowę.",
}


def test_adding_a_goal_offers_it_to_residents(app, admin, db, people):
    response = admin.post("/admin/catalogue/new", data=NEW_GOAL)
    assert response.status_code == 303 and response.headers["Location"] == "/admin/catalogue?area=digital"
    goal = _goal(db, "digital.video-call-your-family")
    assert goal.version == 1 and goal.framework == "eds" and goal.title["pl"] == "Rozmowa wideo z rodziną"
    steps = db.exec(select(CatalogueStep).where(CatalogueStep.goal_id == goal.id).order_by(CatalogueStep.position)).all()
    assert [s.text["en"] for s in steps] == ["I can open a video app.", "I can call someone.", "I can end the call."]
    assert "Video call your family" in admin.get("/admin/catalogue?area=digital").text
    people.user("ben")
    assert "Video call your family" in _client(app, "ben").get("/me/plan/choose?area=digital").text
    twice = admin.post("/admin/catalogue/new", data=NEW_GOAL)  # the same form again (a double tap): added once
    assert twice.status_code == 400 and "already offered in this part of the plan" in twice.text
    assert admin.post(f"/admin/catalogue/{goal.id}/retire").status_code == 303
    admin.post("/admin/catalogue/new", data=NEW_GOAL)
    assert _goal(db, "digital.video-call-your-family-2").id != goal.id  # codes are never reused
    assert len(_actions(db, "goal_created")) == 2


def test_goal_steps_must_match_in_both_languages(admin, db):
    count = len(db.exec(select(CatalogueGoal)).all())
    response = admin.post("/admin/catalogue/new", data={**NEW_GOAL, "steps_pl": "Umiem jedno.\nUmiem drugie.\nUmiem trzecie.\nUmiem czwarte."})
    assert response.status_code == 400 and "Write the same number of steps in English and Polish" in response.text
    response = admin.post("/admin/catalogue/new", data={**NEW_GOAL, "steps_en": "One\nTwo", "steps_pl": "Jeden\nDwa",
                                                        "title_en": "t" * 121, "framework_area": "Not A Code"})
    assert response.status_code == 400
    for message in ("Write 3 to 6 steps, one on each line", "The title must be 120 characters or fewer",
                    "Choose a framework area from the list"):
        assert message in response.text
    assert len(db.exec(select(CatalogueGoal)).all()) == count


def test_editing_a_goal_makes_a_new_version_residents_see_at_once(app, admin, db, people):
    _resident_with_goal(db, people)
    resident = _client(app, "amira")
    assert "Get online and use websites" in resident.get("/me/plan").text  # (now in the page cache)
    goal = _goal(db, "digital.get-online")
    steps = db.exec(select(CatalogueStep).where(CatalogueStep.goal_id == goal.id).order_by(CatalogueStep.position)).all()
    page = admin.get(f"/admin/catalogue/{goal.id}/edit").text
    assert steps[0].text["pl"] in page
    data = {"framework_area": goal.framework_area, "title_en": "Go online and use websites", "title_pl": goal.title["pl"],
            "summary_en": goal.summary["en"], "summary_pl": goal.summary["pl"]}
    for step in steps:
        data[f"step_{step.id}_en"], data[f"step_{step.id}_pl"] = step.text["en"], step.text["pl"]
    data[f"step_{steps[0].id}_en"] = "I can join a wifi network with its password."
    response = admin.post(f"/admin/catalogue/{goal.id}/edit", data=data)
    assert response.status_code == 303
    assert "This is now version 2" in admin.get(response.headers["Location"]).text
    db.refresh(goal)
    assert goal.version == 2
    page = resident.get("/me/plan").text
    assert "Go online and use websites" in page and "I can join a wifi network with its password." in page

    offered = sum(s.retired_at is None for s in steps)
    response = admin.post(f"/admin/catalogue/{goal.id}/edit", data={**data, "new_step_en": "I can bookmark a website.",
                                                                      "new_step_pl": "Umiem dodać stronę do zakładek."})
    if offered < 6:
        assert response.status_code == 303
        db.refresh(goal)
        assert goal.version == 3 and len(partnership.goal_steps(db, goal.id)) == len(steps) + 1
    else:
        assert response.status_code == 400 and "at most 6 steps" in response.text
    assert admin.post(f"/admin/catalogue/{goal.id}/edit", data={**data, "new_step_en": "Only English"}).status_code == 400
    assert admin.post(f"/admin/catalogue/{goal.id}/edit", data={**data, "title_pl": ""}).status_code == 400
    assert [a.action for a in _actions(db)].count("goal_edited") == (2 if offered < 6 else 1)


def test_a_retired_goal_is_not_offered_but_stays_in_plans_that_have_it(app, admin, db, people):
    _resident_with_goal(db, people)
    people.user("ben")
    goal = _goal(db, "digital.get-online")
    assert admin.post(f"/admin/catalogue/{goal.id}/retire").status_code == 303
    assert "Retired" in admin.get("/admin/catalogue?area=digital").text
    assert "Get online and use websites" not in _client(app, "ben").get("/me/plan/choose").text
    assert "Get online and use websites" in _client(app, "amira").get("/me/plan").text
    assert admin.post(f"/admin/catalogue/{goal.id}/restore").status_code == 303
    assert "Get online and use websites" in _client(app, "ben").get("/me/plan/choose").text
    assert [a.action for a in _actions(db)] == ["goal_retired", "goal_restored"]


def test_retiring_steps_keeps_at_least_three(admin, db):
    goal = _goal(db, "digital.get-online")
    steps = partnership.goal_steps(db, goal.id)
    for step in steps[: len(steps) - 3]:
        assert admin.post(f"/admin/catalogue/steps/{step.id}/retire").status_code == 303
    response = admin.post(f"/admin/catalogue/steps/{steps[-1].id}/retire")
    assert response.status_code == 400 and "A goal must offer at least 3 steps" in response.text
    assert partnership.offered_step_count(db, goal.id) == 3
    if len(steps) > 3:
        assert admin.post(f"/admin/catalogue/steps/{steps[0].id}/restore").status_code == 303
        assert partnership.offered_step_count(db, goal.id) == 4


def test_unknown_ids_are_not_found(admin, sharing):
    for url in ("/admin/providers/nope/edit", f"/admin/providers/{'x' * 40}/notices/new", "/admin/staff/nope",
                "/admin/catalogue/999999/edit", "/admin/catalogue/99999999999999999999/edit", "/admin/catalogue/abc/edit"):
        assert admin.get(url).status_code == 404, url
    for url in ("/admin/providers/nope/active", "/admin/staff/nope/role", "/admin/catalogue/999999/retire",
                "/admin/catalogue/steps/999999/retire", "/admin/catalogue/steps/99999999999999999999/restore"):
        assert admin.post(url, data={"active": "no"}).status_code == 404, url


# --- Audit ----------------------------------------------------------------------------------------


@pytest.fixture
def looked(db, people, sharing):
    """Amira shares digital with A; tutor A opened it; staff at B have nothing."""
    resident = _resident_with_goal(db, people)
    sharing.give(resident, sharing.a, "digital")
    [decision] = consent.open_record(db, sharing.tutor_a, resident.id, area="digital")
    consent.record_access(db, sharing.tutor_a, sharing.a, [decision], AccessAction.OPENED, "plan_support", "request-1")
    db.commit()
    return resident


def test_the_audit_shows_residents_only_as_a_pseudonym(app, admin, db, looked):
    with app.test_request_context():
        tag = partnership.pseudonym(looked.id, app.config["SECRET_KEY"])
    assert re.fullmatch(r"Resident [0-9A-F]{10}", tag) and looked.id.upper()[:10] not in tag
    entry = db.exec(select(AccessLogEntry)).one()
    db.add(AccessFlag(entry_id=entry.id, resident_id=looked.id, provider_id=entry.provider_id))
    db.commit()
    for kind in ("access", "consent", "admin"):
        page = admin.get(f"/admin/audit?kind={kind}").text
        assert "Amira" not in page and "amira" not in page and "Hassan" not in page, kind
        assert "Get online" not in page, kind
        assert tag in page  # at least in the questioned look
    page = admin.get("/admin/audit?kind=access").text
    assert "Looks that residents questioned" in page and "Jo" in page and "Opened part of a plan" in page
    consent_page = admin.get("/admin/audit?kind=consent").text
    assert "By the resident." in consent_page and "Said yes" in consent_page
    assert "Looks that residents questioned" not in admin.get("/admin/").text  # moved to the audit page


def test_audit_filters(app, admin, db, looked, sharing):
    admin.post("/admin/providers/new", data={"name": "Melton Library", "kind": "library"})
    access = admin.get(f"/admin/audit?kind=access&provider={sharing.a.id}&staff={sharing.tutor_a.id}&action=opened_plan_area")
    with app.test_request_context():
        tag = partnership.pseudonym(looked.id, app.config["SECRET_KEY"])
    assert access.status_code == 200 and tag in access.text and "Nothing matches" not in access.text
    assert "Nothing matches" in admin.get(f"/admin/audit?kind=access&provider={sharing.b.id}").text
    assert "Nothing matches" in admin.get(f"/admin/audit?kind=access&staff={sharing.tutor_b.id}").text
    assert "Nothing matches" in admin.get("/admin/audit?kind=access&action=recorded_progress").text
    today = utcnow().date()
    assert "Nothing matches" not in admin.get(f"/admin/audit?kind=access&date_from={today}&date_to={today}").text
    yesterday = today - timedelta(days=1)
    assert "Nothing matches" in admin.get(f"/admin/audit?kind=access&date_to={yesterday}").text
    admin_page = admin.get(f"/admin/audit?kind=admin&staff={sharing.admin.id}&action=provider_created").text
    assert "Added an organisation" in admin_page and "Melton Library" in admin_page
    assert "Nothing matches" in admin.get("/admin/audit?kind=consent&action=withdrawn").text


@pytest.mark.parametrize("query, message", [
    ("kind=everything", "Choose what to look at from the list"),
    ("provider=nowhere", "Choose a provider from the list"),
    ("staff=nobody", "Choose a member of staff from the list"),
    ("kind=consent&action=opened_plan_area", "Choose what happened from the list"),
    ("date_from=31/03/2026", "Enter a date like 2026-03-31"),
    ("date_from=2026-02-30", "Enter a real date"),
    ("date_from=2026-03-02&date_to=2026-03-01", "The end date must be the same as or after the start date"),
    ("date_to=" + "9" * 200, "Enter a date like 2026-03-31"),
])
def test_audit_filters_outside_the_offered_values_are_refused(admin, query, message):
    response = admin.get(f"/admin/audit?{query}")
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text and message in response.text


def test_a_resident_is_not_a_member_of_staff_to_filter_by(admin, looked):
    assert admin.get(f"/admin/audit?staff={looked.id}").status_code == 400


def test_the_audit_is_paged_and_odd_pages_are_harmless(admin, db, sharing):
    for number in range(51):
        partnership.record_action(db, sharing.admin, "provider_edited", target=f"Edit number {number}")
    db.commit()
    first = admin.get("/admin/audit?kind=admin").text
    assert "Edit number 50" in first and "Edit number 0<" not in first and 'rel="next"' in first
    second = admin.get("/admin/audit?kind=admin&page=2")
    assert second.status_code == 200 and "Edit number 0" in second.text and "Edit number 50" not in second.text
    for page in ("abc", "-1", "0", "1.5", "99", "99999999999999999999999"):
        assert admin.get(f"/admin/audit?kind=admin&page={page}").status_code == 200, page
    assert "Nothing matches" in admin.get("/admin/audit?kind=admin&page=99").text
    assert "Edit number 50" in admin.get("/admin/audit?kind=admin&page=abc").text


def _looks(db, staff, provider, count, at):
    """``count`` different residents in the access log of ``staff``, all at ``at``."""
    residents = [User(username=f"r{uuid.uuid4().hex[:10]}", display_name="Someone", role=Role.RESIDENT,
                      password_hash="x") for _ in range(count)]
    db.add_all(residents)
    db.flush()
    for resident in residents:
        db.add(AccessLogEntry(resident_id=resident.id, seq=1, occurred_at=at, actor_user_id=staff.id, actor_name=staff.first_name,
                              actor_role=staff.role, provider_id=provider.id, provider_name=provider.name,
                              action=AccessAction.OPENED, area="digital", fields_disclosed=[], purpose_code="plan_support",
                              grant_id="g", request_id="r", prev_hash="0" * 64, entry_hash="1" * 64))
    db.commit()


def test_a_member_of_staff_looking_at_many_residents_in_an_hour_is_shown(admin, db, sharing):
    hour = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    _looks(db, sharing.staff_a, sharing.a, 50, hour + timedelta(minutes=5))
    assert "Sam Staff" not in admin.get("/admin/audit").text.split('id="bulk"')[1].split('id="kind"')[0]
    _looks(db, sharing.staff_a, sharing.a, 1, hour + timedelta(minutes=55))
    _looks(db, sharing.tutor_a, sharing.a, 60, hour - timedelta(days=31))  # too long ago
    _looks(db, sharing.tutor_b, sharing.b, 30, hour + timedelta(minutes=10))
    _looks(db, sharing.tutor_b, sharing.b, 30, hour + timedelta(minutes=70))  # 60 in all, but over two hours
    section = admin.get("/admin/audit").text.split('id="bulk"')[1].split('id="kind"')[0]
    assert "Sam Staff" in section and "51 residents" in section
    assert "Jo Bennett" not in section and "Priya Shah" not in section
    found = partnership.bulk_reads(db)
    assert [(b.user_id, b.residents, b.hour) for b in found] == [(sharing.staff_a.id, 51, hour)]


# --- Only admins ------------------------------------------------------------------------------------


def _routes(sharing, db):
    goal = _goal(db, "digital.get-online")
    step = partnership.goal_steps(db, goal.id)[0]
    return [
        ("GET", "/admin/"), ("GET", "/admin/providers"), ("GET", "/admin/providers/new"), ("POST", "/admin/providers/new"),
        ("GET", f"/admin/providers/{sharing.a.id}/edit"), ("POST", f"/admin/providers/{sharing.a.id}/edit"),
        ("POST", f"/admin/providers/{sharing.a.id}/active"), ("GET", f"/admin/providers/{sharing.a.id}/notices/new"),
        ("POST", f"/admin/providers/{sharing.a.id}/notices/new"), ("GET", "/admin/staff"), ("GET", "/admin/staff/new"),
        ("POST", "/admin/staff/new"), ("GET", f"/admin/staff/{sharing.tutor_b.id}"), ("POST", f"/admin/staff/{sharing.tutor_b.id}/role"),
        ("POST", f"/admin/staff/{sharing.tutor_b.id}/active"), ("POST", f"/admin/staff/{sharing.tutor_b.id}/code"),
        ("GET", "/admin/catalogue"), ("GET", "/admin/catalogue/new"), ("POST", "/admin/catalogue/new"),
        ("GET", f"/admin/catalogue/{goal.id}/edit"), ("POST", f"/admin/catalogue/{goal.id}/edit"),
        ("POST", f"/admin/catalogue/{goal.id}/retire"), ("POST", f"/admin/catalogue/{goal.id}/restore"),
        ("POST", f"/admin/catalogue/steps/{step.id}/retire"), ("POST", f"/admin/catalogue/steps/{step.id}/restore"),
        ("GET", "/admin/audit"), ("GET", "/admin/reset-requests"), ("POST", "/admin/reset-requests/000000000000/give"),
        ("GET", "/admin/referrals"), ("GET", "/admin/referrals.csv"),
        ("GET", "/admin/services"), ("GET", "/admin/services/new"), ("POST", "/admin/services/new"),
        ("GET", f"/admin/services/{'0' * 32}"), ("POST", f"/admin/services/{'0' * 32}"), ("POST", f"/admin/services/{'0' * 32}/checked"),
        ("GET", "/admin/outbox"),
    ]


@pytest.mark.parametrize("username", ["tutor.a", "staff.a", "amira", None])
def test_every_admin_page_and_action_needs_the_admin_role(app, db, people, sharing, username):
    people.user("amira")
    client = _client(app, username) if username else app.test_client()
    for method, url in _routes(sharing, db):
        response = client.open(url, method=method, data={"active": "no", "name": "Taken over", "kind": "other"})
        assert response.status_code == (403 if username else 303), f"{method} {url}"
    assert _actions(db) == []
    assert db.get(Provider, sharing.a.id).active and db.get(User, sharing.tutor_b.id).active


def test_every_admin_route_is_covered_here(app, db, sharing):
    covered = {url for _method, url in _routes(sharing, db)}
    rules = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")}
    assert len(rules) == len({re.sub(r"/[0-9a-f]{32}|/\d+|/0{12}/give", "/<id>", url) for url in covered})


def test_empty_posts_from_an_admin_never_crash(admin, db, sharing):
    """What the access-matrix test sends: every admin POST with no data."""
    goal = _goal(db, "digital.get-online")
    step = partnership.goal_steps(db, goal.id)[0]
    expected = {
        "/admin/providers/new": 400, f"/admin/providers/{sharing.a.id}/edit": 400, f"/admin/providers/{sharing.a.id}/active": 400,
        f"/admin/providers/{sharing.a.id}/notices/new": 400, "/admin/staff/new": 400,
        f"/admin/staff/{sharing.tutor_b.id}/role": 400, f"/admin/staff/{sharing.tutor_b.id}/active": 400,
        f"/admin/staff/{sharing.tutor_b.id}/code": 200, "/admin/catalogue/new": 400, f"/admin/catalogue/{goal.id}/edit": 400,
        f"/admin/catalogue/{goal.id}/retire": 303, f"/admin/catalogue/{goal.id}/restore": 303,
        f"/admin/catalogue/steps/{step.id}/retire": 303, f"/admin/catalogue/steps/{step.id}/restore": 303,
    }
    for url, status in expected.items():
        assert admin.post(url, data={}).status_code == status, url
    assert db.exec(select(SharingNotice).where(SharingNotice.provider_id == sharing.a.id)).all()
    assert db.exec(select(ConsentGrant)).all() == []


# --- In a real browser ------------------------------------------------------------------------------


@pytest.mark.browser
def test_every_admin_page_passes_an_accessibility_audit_on_a_phone(browser, live_app, live_server, artefacts):
    from sqlmodel import Session

    from tests.browser import Auditor
    from tests.browser import sign_in as browser_sign_in
    from tests.conftest import PASSWORD, People

    with Session(live_app.extensions["tracker_engine"], expire_on_commit=False) as db:
        people = People(db)
        sharing = Sharing(db, people)
        resident = _resident_with_goal(db, people)
        sharing.give(resident, sharing.a, "digital")
        [decision] = consent.open_record(db, sharing.tutor_a, resident.id, area="digital")
        consent.record_access(db, sharing.tutor_a, sharing.a, [decision], AccessAction.OPENED, "plan_support", "r")
        db.commit()
        entry = db.exec(select(AccessLogEntry)).one()
        db.add(AccessFlag(entry_id=entry.id, resident_id=resident.id, provider_id=entry.provider_id))
        db.commit()
        _looks(db, sharing.staff_a, sharing.a, 51, utcnow() - timedelta(minutes=5))
        goal_id = _goal(db, "digital.get-online").id
        provider_id, tutor_id = sharing.a.id, sharing.tutor_a.id

    context = browser.new_context(viewport={"width": 360, "height": 640})
    page = context.new_page()
    audit = Auditor(page, artefacts / "admin-pages")
    base = live_server.url
    browser_sign_in(page, base, "the.admin", PASSWORD, "**/admin/")
    audit.check("admin home")
    for name, path in [("organisations", "/admin/providers"), ("change an organisation", f"/admin/providers/{provider_id}/edit"),
                       ("sharing notice", f"/admin/providers/{provider_id}/notices/new?area=digital"),
                       ("staff", "/admin/staff"), ("staff member", f"/admin/staff/{tutor_id}"),
                       ("catalogue", "/admin/catalogue"), ("edit a goal", f"/admin/catalogue/{goal_id}/edit"),
                       ("audit", "/admin/audit"), ("audit of sharing", "/admin/audit?kind=consent"),
                       ("audit with a bad date", "/admin/audit?date_from=yesterday")]:
        page.goto(base + path)
        audit.check(name)
    for name, path, button in [("organisation errors", "/admin/providers/new", "Add this organisation"),
                               ("notice errors", f"/admin/providers/{provider_id}/notices/new", "Publish this notice"),
                               ("invitation errors", "/admin/staff/new", "Create the account and show the slip"),
                               ("goal errors", "/admin/catalogue/new", "Add this goal")]:
        page.goto(base + path)
        page.get_by_role("button", name=button).click()
        page.wait_for_load_state("load")
        assert page.locator(".govuk-error-summary").count() == 1
        audit.check(name)
    page.goto(base + "/admin/staff/new")
    page.get_by_label("Username").fill("nia.tutor")
    page.get_by_label("Full name").fill("Nia Tutor")
    page.get_by_label("Tutor").check()
    page.get_by_label("Melton Adult Learning").check()
    page.get_by_role("button", name="Create the account and show the slip").click()
    page.wait_for_load_state("load")
    assert CODE.search(page.locator("#setup-code").inner_text())
    audit.check("invitation slip")
    context.close()
