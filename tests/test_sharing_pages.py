"""The resident's sharing pages, their data, and erasure."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from babel.dates import format_date as babel_format_date
from sqlalchemy import inspect, text
from sqlmodel import select

from tests.conftest import PASSWORD, sign_in
from tests.sharing_helpers import Sharing, publish
from tracker.clock import utcnow
from tracker.domain import consent, plan
from tracker.models import (
    AccessAction,
    AccessFlag,
    AccessLogEntry,
    CatalogueGoal,
    ConsentEvent,
    ConsentGrant,
    ErasureTombstone,
    Provider,
)


@pytest.fixture
def sharing(db, people):
    return Sharing(db, people)


@pytest.fixture
def amira(people, db):
    amira = people.user("amira", display_name="Amira Hassan")
    goal_id = db.exec(select(CatalogueGoal.id).where(CatalogueGoal.code == "digital.get-online")).one()
    plan.add_catalogue_goals(db, amira.id, [goal_id], plan.Actor.of(amira))
    plan.record_check_in(db, amira.id, {"digital": (2, None)}, plan.Actor.of(amira))
    db.commit()
    return amira


@pytest.fixture
def client(app, amira):
    client = app.test_client()
    sign_in(client, "amira")
    return client


def test_the_summary_shows_nothing_shared_until_the_resident_says_yes(client, sharing):
    page = client.get("/me/sharing").text
    assert "Melton Adult Learning" in page and "Melton Jobs Support" in page
    assert page.count('class="govuk-summary-card"') == 2
    assert page.count(">Not sharing<") == 6 and "govuk-tag--green" not in page
    assert f'href="/me/sharing/providers/{sharing.a.id}/digital">Change' in page
    assert "will not affect your benefits, your tenancy or any help you get" in page


def _banner(page: str) -> str:
    return page.split('id="changed"', 1)[1].split('<h1', 1)[0] if 'id="changed"' in page else ""


def test_change_shows_what_they_would_see_then_share_this_gives_with_a_banner_and_receipt(client, sharing, db, amira):
    page = client.get(f"/me/sharing/providers/{sharing.a.id}/digital").text
    assert db.exec(select(ConsentGrant)).first() is None  # looking at it shares nothing
    assert "Exactly what Melton Adult Learning would see" in page
    assert "Get online and use websites" in page  # the preview is made from her own plan
    assert "the names of your goals" in page and "to help you with your plan" in page and "We keep no copies." in page
    assert ">Share this<" in page
    response = client.post(f"/me/sharing/providers/{sharing.a.id}/digital",
                           data={"months": "6", "record": "y", "notice": sharing.notice(sharing.a, "digital").id})
    code = re.match(r"/me/sharing\?changed=(MML-[A-Z0-9-]+)$", response.headers["Location"]).group(1)
    banner = _banner(client.get(response.headers["Location"]).text)
    assert "You allowed Melton Adult Learning to see and record progress on your digital goals until" in banner
    assert f"Your receipt code is {code}." in banner and f'href="/me/receipts/{code}"' in banner
    assert f'action="/me/sharing/receipts/{code}/undo"' in banner
    grant = db.exec(select(ConsentGrant)).one()
    assert grant.access_modes == ["view", "record_progress"] and grant.duration_months == 6
    assert "You allowed Melton Adult Learning" in client.get(f"/me/receipts/{code}").text
    data = client.get(f"/me/receipts/{code}.json").json
    assert data["code"] == code and data["changes"][0]["provider"] == "Melton Adult Learning" and data["mac"]


def test_anyone_can_check_a_receipt_without_seeing_who_it_is_for(app, client, sharing, amira):
    _, receipt = sharing.give(amira, sharing.a, "digital")
    public = app.test_client()
    page = public.get(f"/receipt/{receipt.code}").text
    assert "This receipt is genuine" in page and "Melton Adult Learning" in page and "Sharing" in page
    assert "Amira" not in page and "amira" not in page and "Get online" not in page
    changed = receipt.code[:-1] + ("X" if receipt.code[-1] != "X" else "Y")  # one in 32 codes ends in X
    assert public.get(f"/receipt/{changed}").status_code == 404
    assert public.get("/receipt/MML-AAAA-BBBB-CCCC").status_code == 404
    sharing.act(amira, "withdraw", consent.live_grant(sharing.db, amira.id, sharing.a.id, "digital"))
    assert "Not sharing" in public.get(f"/receipt/{receipt.code}").text


def test_stop_sharing_is_one_page_and_one_button_and_says_what_they_saw(client, sharing, db, amira):
    _grant, _ = sharing.give(amira, sharing.a, "digital")
    [decision] = consent.open_record(db, sharing.tutor_a, amira.id, area="digital")
    consent.record_access(db, sharing.tutor_a, sharing.a, [decision], AccessAction.OPENED, "plan_support", "r")
    db.commit()
    page = client.get(f"/me/sharing/providers/{sharing.a.id}/digital").text  # "Change", from the summary
    assert "Sharing your digital goals with Melton Adult Learning" in page and "Exactly what Melton Adult Learning can see" in page
    stop = f"/me/sharing/providers/{sharing.a.id}/digital/stop"
    assert page.count(f'action="{stop}"') == 1 and ">Stop sharing<" in page
    response = client.post(stop)
    assert response.headers["Location"].startswith("/me/sharing?changed=MML-")
    with pytest.raises(consent.NotShared):
        consent.require(db, sharing.tutor_a, amira.id, "digital")
    db.rollback()
    summary = client.get(response.headers["Location"]).text
    assert "You stopped sharing your digital goals with Melton Adult Learning." in _banner(summary)
    receipt = client.get("/me/receipts/" + response.headers["Location"].split("=")[1]).text
    assert "From now, Melton Adult Learning cannot see your digital goals." in receipt
    assert "Before that, they looked 1 time" in receipt
    assert client.post(stop).headers["Location"] == response.headers["Location"]  # a double tap: once, same receipt
    assert [e.event_type for e in db.exec(select(ConsentEvent)).all()] == ["given", "withdrawn"]


def test_undo_turns_a_change_back_as_a_new_recorded_change(client, sharing, db, amira):
    given = client.post(f"/me/sharing/providers/{sharing.a.id}/digital",
                        data={"months": "6", "record": "y", "notice": sharing.notice(sharing.a, "digital").id})
    first = given.headers["Location"].split("=")[1]
    stopped = client.post(f"/me/sharing/receipts/{first}/undo")  # undo the yes: stop sharing
    assert consent.live_grant(db, amira.id, sharing.a.id, "digital") is None
    second = stopped.headers["Location"].split("=")[1]
    assert second != first and "You stopped sharing your digital goals" in _banner(client.get(stopped.headers["Location"]).text)
    assert client.post(f"/me/sharing/receipts/{first}/undo").headers["Location"] == stopped.headers["Location"]  # double tap
    again = client.post(f"/me/sharing/receipts/{second}/undo")  # undo the stop: shared again, as chosen before
    grant = consent.live_grant(db, amira.id, sharing.a.id, "digital")
    assert grant.access_modes == ["view", "record_progress"] and grant.duration_months == 6
    assert "You allowed Melton Adult Learning to see and record progress" in _banner(client.get(again.headers["Location"]).text)
    history = [e.event_type for e in db.exec(select(ConsentEvent).order_by(ConsentEvent.seq)).all()]
    assert history == ["given", "withdrawn", "given"]  # nothing rewritten: three changes, three receipts


def test_undo_is_only_offered_for_a_while_and_not_for_someone_elses_or_a_changed_notice(app, client, sharing, db, amira, people):
    stop_all = client.post("/me/sharing/stop")  # nothing to pause: no receipt, no banner
    assert stop_all.headers["Location"] == "/me/sharing"
    _, receipt = sharing.give(amira, sharing.a, "digital")
    with time_machine.travel(utcnow() + consent.UNDO_WINDOW + timedelta(minutes=1)):
        sign_in(client, "amira")
        assert "/undo" not in client.get(f"/me/sharing?changed={receipt.code}").text
        client.post(f"/me/sharing/receipts/{receipt.code}/undo")
        assert consent.live_grant(db, amira.id, sharing.a.id, "digital") is not None  # not undone
    sign_in(client, "amira")  # (back in the present)
    ben = people.user("ben")
    _, bens = sharing.give(ben, sharing.a, "digital")
    assert client.post(f"/me/sharing/receipts/{bens.code}/undo").status_code == 404
    assert 'id="changed"' not in client.get(f"/me/sharing?changed={bens.code}").text
    stopped = client.post(f"/me/sharing/providers/{sharing.a.id}/digital/stop").headers["Location"].split("=")[1]
    publish(db, sharing.a, "digital", fields=["goal_titles", "notes"], material=True, change={"en": "Notes too", "pl": "Notatki"})
    client.post(f"/me/sharing/receipts/{stopped}/undo")
    assert consent.live_grant(db, amira.id, sharing.a.id, "digital") is None  # not to a notice she has not read
    assert "has changed what it asks to see since then" in client.get("/me/sharing").text


def test_a_paused_area_can_be_started_again_or_stopped_from_its_change_page(client, sharing, db, amira):
    grant, _ = sharing.give(amira, sharing.a, "digital")
    sharing.act(amira, "pause", grant)
    page = client.get(f"/me/sharing/providers/{sharing.a.id}/digital").text
    assert ">Paused<" in page and ">Start sharing again<" in page and ">Stop sharing<" in page
    client.post(f"/me/sharing/providers/{sharing.a.id}/digital/resume")
    db.refresh(grant)
    assert consent.status(grant) == "active"
    assert client.post(f"/me/sharing/providers/{sharing.a.id}/nowhere/stop").status_code == 404
    assert client.post(f"/me/sharing/providers/{'0' * 32}/digital/stop").status_code == 404


def test_stop_all_sharing_pauses_everything_and_it_can_resume(client, sharing, db, amira):
    sharing.give(amira, sharing.a, "digital")
    sharing.give(amira, sharing.b, "job_readiness")
    assert client.post("/me/sharing/stop").headers["Location"].startswith("/me/sharing?changed=MML-")
    def shared(staff):
        areas = {d.area for d in consent.open_record(db, staff, amira.id)}
        db.rollback()  # (let go of the lock: the app's requests are next)
        return areas

    assert shared(sharing.tutor_a) == set() and shared(sharing.tutor_b) == set()
    client.post("/me/sharing/resume")
    assert shared(sharing.tutor_a) == {"digital"} and shared(sharing.tutor_b) == {"job_readiness"}


def test_home_asks_keep_sharing_thirty_days_before_and_one_click_renews(app, sharing, db, amira):
    grant, _ = sharing.give(amira, sharing.a, "digital", months=3)
    with time_machine.travel(grant.valid_until - timedelta(days=10)):
        client = app.test_client()
        sign_in(client, "amira")
        page = client.get("/me/").text
        assert "Keep sharing?" in page
        client.post(f"/me/sharing/grants/{grant.id}/renew")
        db.refresh(grant)
        assert grant.valid_until > utcnow() + timedelta(days=80)
        assert "Keep sharing?" not in client.get("/me/").text


def test_a_consent_a_tutor_recorded_is_confirmed_at_the_next_sign_in(app, sharing, db, amira):
    grant, _ = sharing.give(amira, sharing.a, "digital", actor=consent.ConsentActor.assisting(sharing.tutor_a, sharing.a))
    client = app.test_client()
    response = sign_in(client, "amira")
    assert response.headers["Location"] == "/me/sharing/pending"
    page = client.get("/me/sharing/pending").text
    assert "Jo recorded this with you" in page
    client.post(f"/me/sharing/grants/{grant.id}/confirm")
    consent.require(db, sharing.tutor_a, amira.id, "digital")
    history = client.get("/me/sharing/history").text
    assert "Recorded by Jo, Melton Adult Learning, with you present." in history


def test_a_notice_change_shows_what_changed_before_saying_yes_again(client, sharing, db, amira):
    from tests.sharing_helpers import publish

    sharing.give(amira, sharing.a, "digital")
    publish(db, sharing.a, "digital", fields=["goal_titles", "notes"], material=True,
            change={"en": "We would like to read your notes too.", "pl": "Chcemy też czytać notatki."})
    home = client.get("/me/").text
    assert "Melton Adult Learning has changed what they want to see" in home
    page = client.get(f"/me/sharing/providers/{sharing.a.id}/digital").text
    assert "We would like to read your notes too." in page
    assert "They now also ask to see:" in page and "your notes and links on these goals" in page


def test_who_has_looked_and_this_does_not_look_right(client, sharing, db, amira):
    grant, _receipt = sharing.give(amira, sharing.a, "digital")
    assert "Not looked at yet." in client.get("/me/sharing").text
    with time_machine.travel(utcnow() - timedelta(days=3)):  # the last look is the newest, not the first
        [decision] = consent.open_record(db, sharing.tutor_a, amira.id, area="digital")
        consent.record_access(db, sharing.tutor_a, sharing.a, [decision], AccessAction.OPENED, "plan_support", "r")
        db.commit()
    [decision] = consent.open_record(db, sharing.tutor_a, amira.id, area="digital")
    consent.record_access(db, sharing.tutor_a, sharing.a, [decision], AccessAction.OPENED, "plan_support", "r")
    db.commit()
    [latest] = db.exec(select(AccessLogEntry).where(AccessLogEntry.seq == 2)).all()
    today = babel_format_date(latest.occurred_at.astimezone(ZoneInfo("Europe/London")).date(), "d MMMM yyyy", locale="en")
    assert f"Last looked at: {today}." in client.get("/me/sharing").text
    shared = client.get(f"/me/sharing/providers/{sharing.a.id}/digital").text
    assert re.search(rf"Last looked at</dt><dd[^>]*>{today} ", shared)
    [exported] = client.get("/me/export.json").json["consents"]
    assert exported["last_accessed_at"] == latest.occurred_at.isoformat() and grant.id == latest.grant_id
    assert "1 person from 1 organisation looked at your plan in the last 30 days." in client.get("/me/").text
    page = client.get("/me/looked").text
    assert "Jo" in page and "tutor, Melton Adult Learning" in page and "opened your digital goals" in page
    assert "Why: to help you with your plan." in page
    entry_id = re.search(r'action="/me/looked/(\d+)/flag"', page).group(1)
    client.post(f"/me/looked/{entry_id}/flag")
    client.post(f"/me/looked/{entry_id}/flag")
    flags = db.exec(select(AccessFlag)).all()
    assert len(flags) == 1 and flags[0].provider_id == sharing.a.id
    assert "You told us this does not look right" in client.get("/me/looked").text


def test_someone_elses_receipt_grant_or_log_entry_is_not_found(app, sharing, db, amira, people):
    ben = people.user("ben")
    grant, receipt = sharing.give(ben, sharing.a, "digital")
    [decision] = consent.open_record(db, sharing.tutor_a, ben.id, area="digital")
    consent.record_access(db, sharing.tutor_a, sharing.a, [decision], AccessAction.OPENED, "plan_support", "r")
    db.commit()
    client = app.test_client()
    sign_in(client, "amira")
    entry = db.exec(select(ConsentEvent)).first()
    assert client.get(f"/me/receipts/{receipt.code}").status_code == 404
    assert client.post(f"/me/sharing/grants/{grant.id}/renew").status_code == 404
    assert client.post("/me/looked/1/flag").status_code == 404
    assert entry.resident_id == ben.id


# --- My data -------------------------------------------------------------------------------


def test_the_export_holds_everything_in_the_documented_shape(client, sharing, db, amira):
    sharing.give(amira, sharing.a, "digital", modes=("view", "record_progress"))
    [decision] = consent.open_record(db, sharing.tutor_a, amira.id, area="digital")
    consent.record_access(db, sharing.tutor_a, sharing.a, [decision], AccessAction.OPENED, "plan_support", "r")
    db.commit()
    response = client.get("/me/export.json")
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.json
    assert data["schema"] == "me-and-my-learning/export/1"
    assert data["resident"] == {**data["resident"], "username": "amira", "display_name": "Amira Hassan", "email": None, "language": "en"}
    [goal] = data["plan"]["goals"]
    assert goal["area"] == "digital" and goal["title"] == "Get online and use websites" and goal["custom"] is False
    assert {"text", "done"} <= set(goal["steps"][0])
    assert data["plan"]["check_ins"][0]["stage"] == 2 and data["plan"]["events"]
    [shared] = data["consents"]
    assert (shared["provider"], shared["area"], shared["modes"], shared["state"], shared["notice_version"]) == (
        "Melton Adult Learning", "digital", ["view", "record_progress"], "active", 1)
    assert data["consent_events"][0]["event_type"] == "given" and data["receipts"][0]["code"].startswith("MML-")
    assert data["access_log"][0]["who"] == "Jo" and data["access_log"][0]["purpose"] == "plan_support"
    assert data["hash_chains"]["consent_events"]["head"] == data["consent_events"][-1]["event_hash"]
    assert "Amira Hassan" in client.get("/me/export").text


def test_correcting_details(client, db, amira):
    response = client.post("/me/details", data={"display_name": "Amira H", "email": "amira@example.org", "language": "pl"})
    assert response.status_code == 303
    db.refresh(amira)
    assert (amira.display_name, amira.email, amira.preferred_language) == ("Amira H", "amira@example.org", "pl")
    assert client.post("/me/details", data={"display_name": "", "email": "nope", "language": "xx"}).status_code == 400


def test_deleting_the_account_leaves_only_an_unlinkable_tombstone(app, client, sharing, db, amira):
    sharing.give(amira, sharing.a, "digital")
    [decision] = consent.open_record(db, sharing.tutor_a, amira.id, area="digital")
    consent.record_access(db, sharing.tutor_a, sharing.a, [decision], AccessAction.OPENED, "plan_support", "r")
    db.commit()
    # A flag on that look, a reset request by a tutor she shares nothing with, and her answer to it.
    entry = db.exec(select(AccessLogEntry).where(AccessLogEntry.resident_id == amira.id)).one()
    assert client.post(f"/me/looked/{entry.id}/flag").status_code == 303
    other_tutor = app.test_client()
    sign_in(other_tutor, "tutor.b")
    assert "An administrator will give the new code" in other_tutor.post("/tutor/password-reset", data={"username": "amira"}).text
    from tracker.models import AccountEvent

    asked = db.exec(select(AccountEvent).where(AccountEvent.resident_id == amira.id)).one()
    assert client.post(f"/me/account/changes/{asked.id}/was_me").status_code == 303
    exported = client.get("/me/export.json").json
    assert exported["access_log"][0]["flagged"] is not None and exported["password_reset_requests"]
    assert "you told us this does not look right" in client.get("/me/export").text
    heads = exported["hash_chains"]
    page = client.get("/me/delete").text
    assert "Download everything as a file" in page  # offered before anything is deleted
    assert client.post("/me/delete", data={}).status_code == 400  # the box must be ticked
    response = client.post("/me/delete", data={"understood": "y"})
    assert response.headers["Location"] == "/account-deleted"
    assert client.get("/me/").status_code == 303

    engine = db.get_bind()
    leftovers = []
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            rows = connection.execute(text(f"SELECT * FROM {table}")).fetchall()
            for row in rows:
                if any(isinstance(v, str) and (amira.id in v or "amira" in v.lower() or "Amira" in v) for v in row):
                    leftovers.append((table, row))
    assert leftovers == []
    [tombstone] = db.exec(select(ErasureTombstone)).all()
    assert tombstone.consent_chain_head == heads["consent_events"]["head"]
    assert tombstone.access_chain_head == heads["access_log"]["head"]
    assert tombstone.counts["consent_events"] == 1 and tombstone.counts["access_log_entries"] == 1
    assert sign_in(app.test_client(), "amira", PASSWORD).status_code == 200  # no such account any more


def test_a_staff_session_loses_access_the_moment_consent_ends(app, sharing, db, amira):
    _grant, _ = sharing.give(amira, sharing.a, "digital", months=3)
    staff = app.test_client()
    sign_in(staff, "staff.a")
    url = f"/staff/residents/{amira.id}/digital?purpose=plan_support"
    assert staff.get(url).status_code == 200
    entries = db.exec(select(AccessLogEntry).where(AccessLogEntry.resident_id == amira.id)).all()
    assert len(entries) == 1 and entries[0].action == "opened_plan_area" and entries[0].purpose_code == "plan_support"
    assert entries[0].fields_disclosed == ["goal_titles", "goal_status", "step_status", "check_in_stages", "last_activity"]

    resident = app.test_client()
    sign_in(resident, "amira")
    resident.post(f"/me/sharing/providers/{sharing.a.id}/digital/stop")  # withdraws between two staff requests
    assert staff.get(url).status_code == 404

    again, _ = sharing.give(amira, sharing.a, "digital", months=3)
    assert staff.get(url).status_code == 200
    with time_machine.travel(again.valid_until + timedelta(minutes=1)):
        sign_in(staff, "staff.a")  # months later: a new working day, a new sign-in
        assert staff.get(url).status_code == 404
    assert len(db.exec(select(AccessLogEntry).where(AccessLogEntry.resident_id == amira.id)).all()) == 2


def test_a_repeated_yes_gets_its_own_areas_receipt(client, sharing, db, amira):
    """A second "yes" to an area already shared answers with that area's receipt, never with the
    receipt of another area said yes to a moment ago."""
    def yes(area):
        return client.post(f"/me/sharing/providers/{sharing.a.id}/{area}", data={"months": "12", "notice": sharing.notice(sharing.a, area).id})

    yes("financial")
    digital = yes("digital")
    again = yes("financial")
    assert again.headers["Location"] != digital.headers["Location"]
    assert again.headers["Location"].startswith("/me/sharing")  # (the summary, where financial shows as shared)
    assert [e.event_type for e in db.exec(select(ConsentEvent).where(ConsentEvent.area == "financial")).all()] == ["given"]


def test_a_yes_to_a_notice_that_has_just_changed_is_not_taken(client, sharing, db, amira):
    """The resident read version 1; version 2 came out before they pressed the button: nothing is
    shared, and they are shown the new version to read."""
    read = sharing.notice(sharing.a, "digital")
    publish(db, sharing.a, "digital", fields=["goal_titles", "notes"], material=True, change={"en": "Notes too", "pl": "Notatki"})
    answer = client.post(f"/me/sharing/providers/{sharing.a.id}/digital", data={"months": "12", "notice": read.id})
    assert answer.status_code == 303 and answer.headers["Location"] == f"/me/sharing/providers/{sharing.a.id}/digital"
    assert db.exec(select(ConsentGrant)).all() == []
    assert "just changed what it asks to see" in client.get(answer.headers["Location"]).text


def test_sharing_that_ran_out_is_on_the_home_page_with_one_button_to_share_again(app, db):
    """Ella shared money with Money Advice until it ended last month; Dawid stopped sharing himself."""
    from tracker.commands.demo import DEMO_PASSWORD, load_demo

    load_demo(db, app.config["SECRET_KEY"])
    db.commit()
    ella, dawid = app.test_client(), app.test_client()
    sign_in(ella, "ella", DEMO_PASSWORD)
    home = ella.get("/me/").text
    money = db.exec(select(Provider).where(Provider.name == "Melton Money Advice")).one()
    assert "Sharing ended" in home and "Melton Money Advice could see your money goals until" in home
    assert f'href="/me/sharing/providers/{money.id}/financial"' in home and "Share again" in home
    sign_in(dawid, "dawid", DEMO_PASSWORD)
    assert "Udostępnianie zakończone" not in dawid.get("/me/").text and "Sharing ended" not in dawid.get("/me/").text


def test_undo_never_shares_more_than_before_and_an_ended_pause_cannot_start_again(client, sharing, db, amira):
    """Stopping a paused consent, then Undo, would let them see it again: Undo is not offered.
    A paused consent whose time ran out has ended: its page says so, and "start again" is refused
    without an error. Undo to an organisation that has closed since is refused too."""
    grant, _ = sharing.give(amira, sharing.a, "digital")
    sharing.act(amira, "pause", grant)
    stopped = client.post(f"/me/sharing/providers/{sharing.a.id}/digital/stop").headers["Location"].split("=")[1]
    assert "/undo" not in client.get(f"/me/sharing?changed={stopped}").text
    client.post(f"/me/sharing/receipts/{stopped}/undo")
    assert consent.live_grant(db, amira.id, sharing.a.id, "digital") is None

    paused, _ = sharing.give(amira, sharing.a, "financial", months=3)
    sharing.act(amira, "pause", paused)
    with time_machine.travel(paused.valid_until + timedelta(days=1)):
        sign_in(client, "amira")
        assert client.post(f"/me/sharing/providers/{sharing.a.id}/financial/resume").status_code == 303
        page = client.get(f"/me/sharing/providers/{sharing.a.id}/financial").text
        assert ">Share this<" in page and "Start sharing again" not in page  # ended, not paused
    sign_in(client, "amira")

    sharing.give(amira, sharing.b, "job_readiness")
    stop = client.post(f"/me/sharing/providers/{sharing.b.id}/job_readiness/stop").headers["Location"].split("=")[1]
    sharing.b.active = False
    db.add(sharing.b)
    db.commit()
    client.post(f"/me/sharing/receipts/{stop}/undo")
    assert consent.live_grant(db, amira.id, sharing.b.id, "job_readiness") is None
