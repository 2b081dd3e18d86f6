"""Referrals the resident controls: a tutor refers, the resident sees exactly what would travel and
agrees or says no, the receiving service answers, and everyone sees the same story (each only
what consent allows). Nothing reaches the receiving organisation before the resident agrees."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
import time_machine
from sqlmodel import select

from tests.conftest import sign_in
from tests.sharing_helpers import SECRET, Sharing
from tracker.clock import utcnow
from tracker.domain import consent, referrals
from tracker.models import AccessLogEntry, ConsentEvent, Intake, Referral, ReferralEvent, Role, ServiceStatus


@pytest.fixture
def sharing(db, people):
    return Sharing(db, people)


@pytest.fixture
def world(db, people, sharing):
    """Amira shares digital with A (Adult Learning); B (Jobs Support) runs a CV drop-in."""
    amira = people.user("amira", display_name="Amira Hassan")
    sharing.give(amira, sharing.a, "digital")
    drop_in = sharing.service(sharing.b)
    staff_b = people.user("staff.b", role=Role.PROVIDER_STAFF, provider=sharing.b.name, display_name="Tom Walker")
    return amira, drop_in, staff_b


def _client(app, username):
    client = app.test_client()
    assert sign_in(client, username).status_code == 303
    return client


def _refer(tutor, amira, service, areas=("job_readiness",), reason="Amira is ready to write her CV.",
           offer="I will call Amira next week."):
    return tutor.post(f"/tutor/residents/{amira.id}/refer/{service.id}", data={"areas": list(areas), "reason": reason, "offer": offer})


def _one(db) -> Referral:
    db.expire_all()
    return db.exec(select(Referral)).one()


def _kinds(db, referral) -> list[str]:
    return [e.kind for e in db.exec(select(ReferralEvent).where(ReferralEvent.referral_id == referral.id).order_by(ReferralEvent.id))]


def test_the_whole_journey_with_the_resident_in_control(app, db, sharing, world):
    amira, drop_in, _staff_b = world
    tutor = _client(app, "tutor.a")
    choose = tutor.get(f"/tutor/residents/{amira.id}/refer")
    assert choose.status_code == 200 and "Melton Jobs Support: CV and job search drop-in" in choose.text
    assert tutor.get(f"/tutor/residents/{amira.id}/refer", query_string={"service": drop_in.id}).headers["Location"].endswith(drop_in.id)
    assert _refer(tutor, amira, drop_in).status_code == 303
    referral = _one(db)
    assert referral.state == "waiting" and referral.from_provider_id == sharing.a.id and referral.areas == ["job_readiness"]

    # Before the resident agrees, the receiving organisation sees nothing at all.
    receiver = _client(app, "staff.b")
    assert "Amira" not in receiver.get("/staff/referrals").text
    assert receiver.get(f"/staff/residents/{amira.id}/referrals/{referral.id}").status_code == 404

    resident = _client(app, "amira")
    home = resident.get("/me/").text
    assert "Jo at Melton Adult Learning thinks CV and job search drop-in could help you." in home
    page = resident.get(f"/me/referrals/{referral.id}").text
    assert "Exactly what Melton Jobs Support would see" in page and "Amira is ready to write her CV." in page
    assert "I will call Amira next week." in page
    sent = resident.post(f"/me/referrals/{referral.id}/agree", data={"areas": ["job_readiness"], "outcome_shared": "y"})
    assert sent.status_code == 303
    referral = _one(db)
    assert referral.state == "sent" and referral.outcome_shared
    assert consent.areas_shared(db, amira.id, sharing.b.id) == {"job_readiness"}  # through the consent module, with its receipt
    assert "receipt" in db.exec(select(ReferralEvent).where(ReferralEvent.kind == "agreed")).one().details

    inbox = receiver.get("/staff/referrals").text
    assert "Amira Hassan" in inbox and "New: waiting for your reply (1)" in inbox
    looks = db.exec(select(AccessLogEntry).where(AccessLogEntry.resident_id == amira.id, AccessLogEntry.action == "opened_referral")).all()
    assert [(look.actor_name, look.area) for look in looks] == [("Tom", "job_readiness")]
    opened = receiver.get(f"/staff/residents/{amira.id}/referrals/{referral.id}").text
    assert "Jo at Melton Adult Learning" in opened and "Accept the referral" in opened
    assert receiver.post(f"/staff/residents/{amira.id}/referrals/{referral.id}/accept").status_code == 303
    assert receiver.post(f"/staff/residents/{amira.id}/referrals/{referral.id}/start").status_code == 303
    assert receiver.post(f"/staff/residents/{amira.id}/referrals/{referral.id}/close", data={"outcome": "got_help"}).status_code == 303
    referral = _one(db)
    assert referral.state == "closed" and referral.outcome == "got_help"
    assert _kinds(db, referral) == ["made", "agreed", "accepted", "started", "closed"]

    # The same story for the resident and the referrer (who may see how it went: Amira said so).
    mine = resident.get(f"/me/referrals/{referral.id}").text
    assert "Closed" in mine and "Got help" in mine and "Accepted by the service" in mine
    assert "Got help" in tutor.get(f"/staff/residents/{amira.id}").text
    assert "looked at the referral you agreed to send them" in resident.get("/me/looked").text


def test_the_referrer_sees_how_it_went_only_if_the_resident_says_so(app, db, sharing, world):
    amira, drop_in, _staff = world
    tutor = _client(app, "tutor.a")
    _refer(tutor, amira, drop_in)
    referral = _one(db)
    resident = _client(app, "amira")
    resident.post(f"/me/referrals/{referral.id}/agree", data={"areas": ["job_readiness"]})  # the box not ticked
    receiver = _client(app, "staff.b")
    receiver.post(f"/staff/residents/{amira.id}/referrals/{referral.id}/decline", data={"reason": "no_capacity"})
    page = tutor.get(f"/staff/residents/{amira.id}").text
    assert "We have no space at the moment" not in page and "has not chosen to let you see how it went" in page
    assert "govuk-tag--orange" not in page  # not even the colour of "not accepted"
    assert "We have no space at the moment" in resident.get(f"/me/referrals/{referral.id}").text
    assert resident.post(f"/me/referrals/{referral.id}/outcome/show").status_code == 303
    assert "We have no space at the moment" in tutor.get(f"/staff/residents/{amira.id}").text


def test_saying_no_sends_nothing(app, db, sharing, world):
    amira, drop_in, _staff = world
    _refer(_client(app, "tutor.a"), amira, drop_in)
    referral = _one(db)
    resident = _client(app, "amira")
    assert resident.post(f"/me/referrals/{referral.id}/no").status_code == 303
    assert _one(db).state == "withdrawn" and consent.areas_shared(db, amira.id, sharing.b.id) == set()
    assert resident.post(f"/me/referrals/{referral.id}/agree", data={"areas": ["job_readiness"]}).status_code == 303  # a stale page
    assert _one(db).state == "withdrawn" and consent.areas_shared(db, amira.id, sharing.b.id) == set()
    assert _client(app, "staff.b").get(f"/staff/residents/{amira.id}/referrals/{referral.id}").status_code == 404


def test_withdrawing_or_stopping_sharing_recalls_it_at_once(app, db, sharing, world):
    amira, drop_in, _staff = world
    tutor = _client(app, "tutor.a")
    resident = _client(app, "amira")
    receiver = _client(app, "staff.b")
    for _ in range(2):
        _refer(tutor, amira, drop_in, reason=f"Reason {_}")
    first, second = db.exec(select(Referral).order_by(Referral.created_at, Referral.reason)).all()
    for referral in (first, second):
        resident.post(f"/me/referrals/{referral.id}/agree", data={"areas": ["job_readiness"]})
    # Taking one back stops the sharing it started, so the other, which needed it, is taken back too.
    assert resident.post(f"/me/referrals/{first.id}/withdraw").status_code == 303
    db.expire_all()
    assert consent.areas_shared(db, amira.id, sharing.b.id) == set()
    assert [db.get(Referral, r.id).state for r in (first, second)] == ["withdrawn", "withdrawn"]
    assert _kinds(db, db.get(Referral, second.id))[-1] == "sharing_stopped"
    assert receiver.get(f"/staff/residents/{amira.id}/referrals/{second.id}").status_code == 404
    assert "Amira" not in receiver.get("/staff/referrals").text


def test_stopping_the_sharing_recalls_the_referral_that_needed_it(app, db, sharing, world):
    amira, drop_in, _staff = world
    _refer(_client(app, "tutor.a"), amira, drop_in)
    referral = _one(db)
    resident = _client(app, "amira")
    resident.post(f"/me/referrals/{referral.id}/agree", data={"areas": ["job_readiness"]})
    assert resident.post(f"/me/sharing/providers/{sharing.b.id}/job_readiness/stop").status_code == 303
    assert _one(db).state == "withdrawn" and _kinds(db, referral)[-1] == "sharing_stopped"
    assert _client(app, "staff.b").get(f"/staff/residents/{amira.id}/referrals/{referral.id}").status_code == 404


def test_only_what_the_resident_chose_travels(app, db, sharing, world):
    """Asked for digital and work; Amira lets only work travel. The service sees the referral
    through work alone, and once she stops sharing work it is recalled, though digital was
    shared with them before."""
    amira, drop_in, _staff = world
    sharing.give(amira, sharing.b, "digital")
    _refer(_client(app, "tutor.a"), amira, drop_in, areas=("digital", "job_readiness"))
    referral = _one(db)
    resident = _client(app, "amira")
    assert "Exactly what Melton Jobs Support would see" in resident.get(f"/me/referrals/{referral.id}").text
    resident.post(f"/me/referrals/{referral.id}/agree", data={"areas": ["job_readiness"]})
    assert _one(db).areas == ["job_readiness"]
    made = db.exec(select(ReferralEvent).where(ReferralEvent.kind == "made")).one()
    assert made.details["areas"] == ["digital", "job_readiness"]  # what was asked for is kept
    resident.post(f"/me/sharing/providers/{sharing.b.id}/job_readiness/stop")
    assert _one(db).state == "withdrawn"
    assert _client(app, "staff.b").get(f"/staff/residents/{amira.id}/referrals/{referral.id}").status_code == 404


def test_agreeing_starts_a_paused_sharing_again_and_ends_a_lapsed_one_first(app, db, sharing, world):
    amira, drop_in, _staff = world
    grant, _receipt = sharing.give(amira, sharing.b, "job_readiness")
    sharing.act(amira, "pause", grant)
    _refer(_client(app, "tutor.a"), amira, drop_in)
    referral = _one(db)
    assert _client(app, "amira").post(f"/me/referrals/{referral.id}/agree", data={"areas": ["job_readiness"]}).status_code == 303
    assert _one(db).state == "sent" and consent.areas_shared(db, amira.id, sharing.b.id) == {"job_readiness"}
    # A consent whose time ran out (not yet recorded as ended) does not count as shared, nor crash.
    ben = sharing.people.user("ben")
    sharing.give(ben, sharing.a, "digital")
    with time_machine.travel(utcnow() - timedelta(days=100), tick=False):
        sharing.give(ben, sharing.b, "job_readiness", months=3)
    _refer(_client(app, "tutor.a"), ben, drop_in)
    theirs = db.exec(select(Referral).where(Referral.resident_id == ben.id)).one()
    assert _client(app, "ben").post(f"/me/referrals/{theirs.id}/agree", data={"areas": ["job_readiness"]}).status_code == 303
    db.expire_all()
    assert db.get(Referral, theirs.id).state == "sent" and consent.areas_shared(db, ben.id, sharing.b.id) == {"job_readiness"}


def test_a_double_submitted_decision_changes_things_once_and_a_stale_one_not_at_all(app, db, sharing, world):
    amira, drop_in, _staff = world
    _refer(_client(app, "tutor.a"), amira, drop_in)
    referral = _one(db)
    resident = _client(app, "amira")
    for _ in range(2):
        assert resident.post(f"/me/referrals/{referral.id}/agree", data={"areas": ["job_readiness"]}).status_code == 303
    receiver = _client(app, "staff.b")
    url = f"/staff/residents/{amira.id}/referrals/{referral.id}"
    for _ in range(2):
        assert receiver.post(f"{url}/accept").status_code == 303
    stale = receiver.post(f"{url}/decline", data={"reason": "not_eligible"}, follow_redirects=True)
    assert "This referral changed since you opened it" in stale.text
    referral = _one(db)
    assert referral.state == "accepted" and referral.decline_reason is None
    assert _kinds(db, referral) == ["made", "agreed", "accepted"]
    given = db.exec(select(ConsentEvent).where(ConsentEvent.resident_id == amira.id, ConsentEvent.provider_id == sharing.b.id)).all()
    assert [e.event_type for e in given] == ["given"]  # the second yes shared nothing more


def test_bad_referrals_get_a_clear_answer_and_change_nothing(app, db, sharing, world, people):
    amira, drop_in, _staff = world
    tutor = _client(app, "tutor.a")
    own = sharing.service(sharing.a, "Computer basics")
    closed = sharing.service(sharing.b, "Interview practice", intake=Intake.NOT_TAKING)
    shut = sharing.service(sharing.b, "Job club", status=ServiceStatus.TEMPORARILY_CLOSED)
    for service in (own, closed, shut):
        assert _refer(tutor, amira, service).status_code == 404
    assert tutor.get(f"/tutor/residents/{amira.id}/refer/{'0' * 32}").status_code == 404
    empty = _refer(tutor, amira, drop_in, areas=(), reason="", offer="")
    assert empty.status_code == 400 and "Choose at least one part of the plan" in empty.text and "Write why you are referring them" in empty.text
    long = _refer(tutor, amira, drop_in, reason="x" * 1001)
    assert long.status_code == 400 and "Write 1000 characters or fewer" in long.text
    forged = _refer(tutor, amira, drop_in, areas=("nonsense",))
    assert forged.status_code == 400
    html = _refer(tutor, amira, drop_in, reason="<script>alert(1)</script>")
    assert html.status_code == 303
    assert db.exec(select(Referral)).all()[0].reason == "<script>alert(1)</script>"
    page = _client(app, "amira").get(f"/me/referrals/{_one(db).id}").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    # A resident who shares nothing with the tutor's organisation: not even that they exist.
    ben = people.user("ben")
    assert tutor.get(f"/tutor/residents/{ben.id}/refer").status_code == 404
    # Someone else's referral.
    assert _client(app, "ben").get(f"/me/referrals/{_one(db).id}").status_code == 404


def test_a_resident_can_ask_a_service_themselves(app, db, sharing, world, client):
    amira, drop_in, _staff = world
    resident = _client(app, "amira")
    service_page = resident.get(f"/find-help/{drop_in.id}").text
    assert "Ask them to contact me" in service_page
    assert "Sign in to ask them" in client.get(f"/find-help/{drop_in.id}").text
    made = resident.post(f"/me/referrals/new/{drop_in.id}", data={"areas": ["job_readiness", "digital"], "reason": "Evenings are best."})
    assert made.status_code == 303
    referral = _one(db)
    assert referral.from_provider_id is None and referral.state == "waiting" and referral.areas == ["digital", "job_readiness"]
    page = resident.get(made.headers["Location"]).text
    assert "You asked for this yourself" in page and "Let them see how it went" not in page
    resident.post(f"/me/referrals/{referral.id}/agree", data={"areas": ["job_readiness"]})
    assert consent.areas_shared(db, amira.id, sharing.b.id) == {"job_readiness"}
    assert "The resident asked for this themselves" in _client(app, "staff.b").get(
        f"/staff/residents/{amira.id}/referrals/{referral.id}").text


def test_no_reply_in_fourteen_days_expires_it_and_everyone_is_told(app, db, sharing, world):
    amira, drop_in, _staff = world
    tutor = _client(app, "tutor.a")
    _refer(tutor, amira, drop_in)
    referral = _one(db)
    resident = _client(app, "amira")
    resident.post(f"/me/referrals/{referral.id}/agree", data={"areas": ["job_readiness"]})
    with time_machine.travel(utcnow() + timedelta(days=6), tick=False):
        assert "Overdue" in _client(app, "staff.b").get("/staff/referrals").text
    with time_machine.travel(utcnow() + timedelta(days=15), tick=False):
        resident, tutor = _client(app, "amira"), _client(app, "tutor.a")
        assert "did not reply to your referral within 14 days" in resident.get("/me/").text
        assert _one(db).state == "expired"
        assert "did not reply within 14 days" in tutor.get(f"/staff/residents/{amira.id}").text
        assert "You can ask another service instead." in resident.get(f"/me/referrals/{referral.id}").text
        assert referrals.expire_overdue(db) == 0  # once
    assert _kinds(db, referral)[-1] == "expired"


def test_the_resident_says_how_it_went(app, db, sharing, world):
    amira, drop_in, _staff = world
    _refer(_client(app, "tutor.a"), amira, drop_in)
    referral = _one(db)
    resident = _client(app, "amira")
    resident.post(f"/me/referrals/{referral.id}/agree", data={"areas": ["job_readiness"]})
    for _ in range(2):
        assert resident.post(f"/me/referrals/{referral.id}/not_heard").status_code == 303
    assert "the resident said they have not heard anything" in _client(app, "staff.b").get(
        f"/staff/residents/{amira.id}/referrals/{referral.id}").text.lower()
    assert resident.post(f"/me/referrals/{referral.id}/got_help").status_code == 303
    referral = _one(db)
    assert referral.state == "closed" and referral.outcome == "got_help"
    assert _kinds(db, referral) == ["made", "agreed", "not_heard", "got_help"]


def test_referrals_are_in_the_export_and_go_with_erasure(app, db, sharing, world):
    amira, drop_in, _staff = world
    _refer(_client(app, "tutor.a"), amira, drop_in)
    resident = _client(app, "amira")
    exported = resident.get("/me/export.json").get_json()
    [entry] = exported["referrals"]
    assert entry["to"] == "Melton Jobs Support" and entry["reason"] == "Amira is ready to write her CV."
    assert [h["what"] for h in entry["history"]] == ["made"]
    printable = resident.get("/me/export").text
    assert "Your referrals" in printable and "Melton Jobs Support (Jo at Melton Adult Learning)" in printable
    from tracker.domain import data_rights

    data_rights.erase(db, db.get(type(amira), amira.id))
    db.commit()
    assert db.exec(select(Referral)).all() == [] and db.exec(select(ReferralEvent)).all() == []


def test_the_gap_report_suppresses_small_numbers(app, db, sharing, world, people):
    amira, drop_in, _staff = world
    actor = consent.ConsentActor.resident(amira)
    made = []
    for n in range(13):
        resident = people.user(f"resident{n}")
        sharing.give(resident, sharing.a, "digital")
        referral = referrals.refer(db, resident.id, drop_in.id, ["job_readiness"], "", "", sharing.tutor_a, actor)
        db.flush()
        referrals.agree(db, resident.id, referral.id, ["job_readiness"], False, consent.ConsentActor.resident(resident), SECRET)
        made.append(referral)
    db.commit()
    for referral in made[:11]:
        referrals.receiver_moves(db, referral, "accepted", sharing.tutor_b, sharing.b)
    for referral in made[11:]:
        referrals.receiver_moves(db, referral, "declined", sharing.tutor_b, sharing.b, "no_capacity")
    db.commit()
    [row] = referrals.gap_report(db)
    assert row.referrals == 15 and row.accepted_share is None  # 13 rounded; 11 of 13 accepted, but 2 declines are too few
    assert row.declines["no_capacity"] is None and row.median_days_to_reply == 0.0
    admin = _client(app, "the.admin")
    page = admin.get("/admin/referrals").text
    assert "Melton Jobs Support: CV and job search drop-in" in page and "fewer than 10" in page
    rows = list(csv.reader(io.StringIO(admin.get("/admin/referrals.csv").text)))
    assert rows[1][:3] == ["Melton Jobs Support: CV and job search drop-in", "job_readiness", "15"] and rows[1][-4] == "<10"
    assert not re.search(r"resident\d+", page)  # no resident named


def test_suggestions_became_referrals(tmp_path):
    """Migration 0018 turns every suggestion into a referral (and 0017 back), nothing lost."""
    import sqlalchemy as sa

    from tracker.commands import migrate

    url = f"sqlite:///{tmp_path / 'm.db'}"
    migrate.upgrade(url, "0017")
    engine = sa.create_engine(url)
    now = "2026-11-30 10:00:00.000000"
    with engine.begin() as c:
        for pid in ("p1", "p2"):
            c.execute(sa.text("INSERT INTO provider (id, name, kind, description, active, created_at) VALUES (:id, :id, 'council', '{}', 1, :now)"),
                      {"id": pid, "now": now})
        for uid, role, provider in (("u1", "resident", None), ("t1", "tutor", "p1")):
            c.execute(sa.text("INSERT INTO user_account (id, username, display_name, role, provider_id, password_hash, active, created_at, "
                              "preferred_language) VALUES (:id, :id, 'Amira Hassan', :role, :provider, 'x', 1, :now, 'en')"),
                      {"id": uid, "role": role, "provider": provider, "now": now})
        for sid, state in (("s1", "waiting"), ("s2", "accepted"), ("s3", "dismissed")):
            c.execute(sa.text("INSERT INTO suggestion VALUES (:id, 'u1', 'p1', 'p2', 'financial', 't1', 'Jo', :state, :now, :answered)"),
                      {"id": sid, "state": state, "now": now, "answered": None if state == "waiting" else now})
    migrate.upgrade(url)
    with engine.connect() as c:
        assert dict(c.execute(sa.text("SELECT id, state FROM referral")).all()) == {"s1": "waiting", "s2": "closed", "s3": "withdrawn"}
        assert c.execute(sa.text("SELECT count(*) FROM referral WHERE sent_at IS NOT NULL")).scalar() == 0  # never sent
        assert c.execute(sa.text("SELECT areas FROM referral WHERE id = 's1'")).scalar() == '["financial"]'
        assert c.execute(sa.text("SELECT count(*) FROM referral_event")).scalar() == 5
    migrate.downgrade(url, "0017")
    with engine.connect() as c:
        assert dict(c.execute(sa.text("SELECT id, state FROM suggestion")).all()) == {"s1": "waiting", "s2": "accepted", "s3": "dismissed"}


def test_a_resident_saves_a_service_to_their_plan_and_nobody_else_sees_it(app, db, sharing, world, client, people):
    _amira, drop_in, _staff = world
    resident = _client(app, "amira")
    assert "Save to my plan" in resident.get(f"/find-help/{drop_in.id}").text
    assert "Save to my plan" not in client.get(f"/find-help/{drop_in.id}").text  # not signed in: nothing to save to
    for _ in range(2):  # a double tap saves it once
        assert resident.post(f"/me/saved-services/{drop_in.id}").status_code == 303
    assert "Saved in your plan" in resident.get(f"/find-help/{drop_in.id}").text
    plan_page = resident.get("/me/plan").text
    assert "Services you saved" in plan_page and "CV and job search drop-in" in plan_page
    assert [s["name"]["en"] for s in resident.get("/me/export.json").get_json()["saved_services"]] == ["CV and job search drop-in"]
    assert resident.post(f"/me/saved-services/{'0' * 32}").status_code == 404
    people.user("ben")
    assert "Services you saved" not in _client(app, "ben").get("/me/plan").text
    assert resident.post(f"/me/saved-services/{drop_in.id}/remove").status_code == 303
    assert "Services you saved" not in resident.get("/me/plan").text


def test_the_rules_refuse_what_cannot_be_and_find_what_was_just_done(db, sharing, world, people):
    """The domain without pages: every refusal has its reason, repeats find the first."""
    amira, drop_in, _staff = world
    ben = people.user("ben")
    tutor = sharing.tutor_a
    as_tutor = consent.ConsentActor(tutor.id, tutor.role, tutor.first_name, sharing.a.id, sharing.a.name)
    as_amira, as_ben = consent.ConsentActor.resident(amira), consent.ConsentActor.resident(ben)

    def refused(code, call, *args):
        with pytest.raises(referrals.ReferralError) as caught:
            call(*args)
        assert caught.value.code == code

    refused("reason", referrals.refer, db, amira.id, drop_in.id, ["job_readiness"], "x" * 1001, "", tutor, as_tutor)
    refused("offer", referrals.refer, db, amira.id, drop_in.id, ["job_readiness"], "", "x" * 501, tutor, as_tutor)
    refused("no_areas", referrals.refer, db, amira.id, drop_in.id, [], "", "", tutor, as_tutor)
    refused("areas", referrals.refer, db, amira.id, drop_in.id, ["nonsense"], "", "", tutor, as_tutor)
    refused("no_service", referrals.refer, db, amira.id, "0" * 32, ["job_readiness"], "", "", tutor, as_tutor)
    first = referrals.refer(db, amira.id, drop_in.id, ["job_readiness"], "Why", "Offer", tutor, as_tutor)
    assert referrals.refer(db, amira.id, drop_in.id, ["job_readiness"], "Why", "Offer", tutor, as_tutor).id == first.id
    db.commit()
    # Someone else's referral is nobody's: None, whatever the move.
    assert referrals.agree(db, ben.id, first.id, ["job_readiness"], False, as_ben, SECRET) is None
    assert referrals.say_no(db, ben.id, first.id, as_ben) is None
    assert referrals.withdraw(db, ben.id, first.id, as_ben, SECRET) is None
    assert referrals.resident_says(db, ben.id, first.id, "got_help", as_ben) is None
    assert referrals.share_outcome(db, ben.id, first.id, True, as_ben) is None
    refused("no_areas", referrals.agree, db, amira.id, first.id, [], False, as_amira, SECRET)
    refused("stale", referrals.resident_says, db, amira.id, first.id, "got_help", as_amira)  # not sent yet
    refused("choice", referrals.resident_says, db, amira.id, first.id, "nonsense", as_amira)
    referrals.agree(db, amira.id, first.id, ["job_readiness"], False, as_amira, SECRET)
    db.commit()
    b = sharing.b
    refused("choice", referrals.receiver_moves, db, first, "nonsense", sharing.tutor_b, b)
    refused("choice", referrals.receiver_moves, db, first, "declined", sharing.tutor_b, b, "nonsense")
    refused("choice", referrals.receiver_moves, db, first, "closed", sharing.tutor_b, b, "nonsense")
    referrals.receiver_moves(db, first, "declined", sharing.tutor_b, b, "no_capacity")
    assert referrals.receiver_moves(db, first, "declined", sharing.tutor_b, b, "no_capacity").decline_reason == "no_capacity"
    refused("stale", referrals.receiver_moves, db, first, "declined", sharing.tutor_b, b, "not_eligible")  # answered otherwise
    db.commit()
    # Too late to answer: the reply was due within 14 days.
    late = referrals.refer(db, amira.id, drop_in.id, ["job_readiness"], "Again", "Offer", tutor, as_tutor)
    db.flush()
    referrals.agree(db, amira.id, late.id, ["job_readiness"], False, as_amira, SECRET)
    db.commit()
    with time_machine.travel(utcnow() + timedelta(days=15), tick=False):
        refused("stale", referrals.receiver_moves, db, late, "accepted", sharing.tutor_b, b)
        rows = referrals.inbox(db, sharing.tutor_b, "request")
        assert rows["sent"] == [] and db.get(Referral, late.id).state == "expired"  # the inbox recorded it


def test_the_gap_report_gives_a_share_only_when_no_count_behind_it_is_small(db, sharing, world, people):
    _amira, drop_in, _staff = world
    made = []
    for n in range(22):
        resident = people.user(f"person{n}")
        sharing.give(resident, sharing.a, "digital")
        referral = referrals.refer(db, resident.id, drop_in.id, ["job_readiness"], "", "", sharing.tutor_a,
                                   consent.ConsentActor.resident(resident))
        db.flush()
        referrals.agree(db, resident.id, referral.id, ["job_readiness"], False, consent.ConsentActor.resident(resident), SECRET)
        made.append(referral)
    db.commit()
    for n, referral in enumerate(made):
        if n < 11:
            referrals.receiver_moves(db, referral, "accepted", sharing.tutor_b, sharing.b)
        else:
            referrals.receiver_moves(db, referral, "declined", sharing.tutor_b, sharing.b, "no_capacity")
    db.commit()
    [row] = referrals.gap_report(db)
    # 11 and 11: each rounds to 10, the 22 replies to 20: 50 %, as the rounded counts say, to 10 points.
    assert (row.referrals, row.accepted_share, row.declines["no_capacity"], row.median_days_to_reply) == (20, 50, 10, 0)
