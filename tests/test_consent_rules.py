"""The consent rules as plain functions, without a request: every change that is not allowed is
refused with its reason and changes nothing; a repeat finds the first one's receipt; a tutor's
in-person consent needs the resident's own password."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from tests.conftest import PASSWORD
from tests.sharing_helpers import SECRET, Sharing, publish
from tracker.domain import chains, consent
from tracker.models import ConsentEvent, ConsentGrant, GrantState

CONFIG = {"SECRET_KEY": SECRET, "SIGN_IN_WINDOW_MINUTES": 15, "SIGN_IN_MAX_FAILURES_PER_ACCOUNT": 5,
          "SIGN_IN_MAX_FAILURES_PER_CLIENT": 20}


@pytest.fixture
def sharing(db, people):
    return Sharing(db, people)


def _me(resident):
    return consent.ConsentActor.resident(resident)


def _events(db, resident) -> list[str]:
    return [e.event_type for e in db.exec(select(ConsentEvent).where(ConsentEvent.resident_id == resident.id)
                                          .order_by(ConsentEvent.seq)).all()]


@pytest.mark.parametrize(("state", "action", "reason"), [
    ("given", "confirm", "not_pending"),
    ("given", "refuse", "not_pending"),
    ("given", "resume", "not_paused"),
    ("paused", "pause", "not_active"),
    ("paused", "renew", "not_active"),
    ("withdrawn", "withdraw", "not_live"),
])
def test_a_change_the_consent_is_not_in_a_state_for_is_refused_and_changes_nothing(db, sharing, people, state, action, reason):
    amira = people.user("amira")
    grant, _ = sharing.give(amira, sharing.a, "digital")
    if state != "given":
        sharing.act(amira, "pause" if state == "paused" else "withdraw", grant)
    before = _events(db, amira)
    with pytest.raises(consent.ConsentError) as refused, consent.Change(db, amira.id, _me(amira), SECRET) as change:
        getattr(change, action)(grant)
    db.rollback()
    assert refused.value.code == reason and _events(db, amira) == before


def test_a_yes_needs_a_real_choice_and_a_current_notice(db, sharing, people):
    amira = people.user("amira")
    notice = sharing.notice(sharing.a, "digital")
    for modes, months in ((["record_progress"], 12), (["view"], 7)):
        with pytest.raises(consent.ConsentError, match="invalid_choice"), consent.Change(db, amira.id, _me(amira), SECRET) as change:
            change.give(notice, modes, months)
        db.rollback()
    publish(db, sharing.a, "digital", fields=["goal_titles"], material=True, change={"en": "Less", "pl": "Mniej"})
    with pytest.raises(consent.ConsentError, match="notice_changed"), consent.Change(db, amira.id, _me(amira), SECRET) as change:
        change.give(notice, ["view"], 12)
    db.rollback()
    assert db.exec(select(ConsentGrant)).all() == []


def test_stop_sharing_ends_a_live_consent_refuses_a_tutors_and_is_not_found_without_a_notice(db, sharing, people):
    amira = people.user("amira")
    grant, _ = sharing.give(amira, sharing.a, "digital")
    sharing.act(amira, "pause", grant)
    stopped = consent.switches.stop_sharing(db, amira.id, sharing.a.id, "digital", _me(amira), SECRET)
    db.commit()
    assert db.get(ConsentGrant, grant.id).state == GrantState.WITHDRAWN  # paused is ended too
    again = consent.switches.stop_sharing(db, amira.id, sharing.a.id, "digital", _me(amira), SECRET)
    assert again.code == stopped.code  # a double tap: the first one's receipt
    sharing.give(amira, sharing.a, "financial", actor=consent.ConsentActor.assisting(sharing.tutor_a, sharing.a))
    consent.switches.stop_sharing(db, amira.id, sharing.a.id, "financial", _me(amira), SECRET)
    db.commit()
    assert _events(db, amira)[-2:] == ["requested", "refused"]
    with pytest.raises(consent.NotShared):
        consent.switches.stop_sharing(db, amira.id, "0" * 32, "digital", _me(amira), SECRET)


def test_resume_sharing_only_starts_a_paused_area_again(db, sharing, people):
    amira = people.user("amira")
    assert consent.switches.resume_sharing(db, amira.id, sharing.a.id, "digital", _me(amira), SECRET) is None
    grant, _ = sharing.give(amira, sharing.a, "digital")
    sharing.act(amira, "pause", grant)
    consent.switches.resume_sharing(db, amira.id, sharing.a.id, "digital", _me(amira), SECRET)
    db.commit()
    assert db.get(ConsentGrant, grant.id).state == GrantState.GIVEN


def test_undo_turns_back_pauses_and_not_what_someone_else_did(db, sharing, people):
    amira = people.user("amira")
    grant, _ = sharing.give(amira, sharing.a, "digital")
    paused = consent.switches.change_every(db, amira.id, "pause", _me(amira), SECRET)
    db.commit()
    consent.switches.undo(db, amira.id, paused, _me(amira), SECRET)
    db.commit()
    assert consent.status(db.get(ConsentGrant, grant.id)) == "active"
    _, assisted = sharing.give(amira, sharing.a, "financial", actor=consent.ConsentActor.assisting(sharing.tutor_a, sharing.a))
    with pytest.raises(consent.ConsentError, match="too_late"):
        consent.switches.undo(db, amira.id, assisted, _me(amira), SECRET)


def test_a_yes_is_only_to_the_notice_the_resident_read(db, sharing, people):
    amira = people.user("amira")
    read = sharing.notice(sharing.a, "digital")
    with pytest.raises(consent.NotShared):
        consent.switches.say_yes(db, amira.id, "0" * 32, "digital", notice_id=read.id, record=False, months=12,
                                 actor=_me(amira), secret_key=SECRET)
    with pytest.raises(consent.ConsentError, match="notice_changed"):
        consent.switches.say_yes(db, amira.id, sharing.a.id, "digital", notice_id="0" * 32, record=False, months=12,
                                 actor=_me(amira), secret_key=SECRET)
    receipt = consent.switches.say_yes(db, amira.id, sharing.a.id, "digital", notice_id=read.id, record=True, months=6,
                                       actor=_me(amira), secret_key=SECRET)
    db.commit()
    grant = consent.live_grant(db, amira.id, sharing.a.id, "digital")
    assert receipt is not None and grant.access_modes == ["view", "record_progress"] and grant.duration_months == 6


def test_stop_all_and_resume_all_have_nothing_to_do_without_consents(db, sharing, people):
    amira = people.user("amira")
    assert consent.switches.change_every(db, amira.id, "pause", _me(amira), SECRET) is None
    assert consent.switches.change_every(db, amira.id, "resume", _me(amira), SECRET) is None


def test_only_an_active_consent_is_renewed_and_only_a_waiting_one_answered(db, sharing, people):
    amira = people.user("amira")
    grant, _ = sharing.give(amira, sharing.a, "digital")
    sharing.act(amira, "pause", grant)
    with pytest.raises(consent.NotShared):
        consent.switches.renew(db, amira.id, grant.id, _me(amira), SECRET)
    db.rollback()
    with pytest.raises(consent.NotShared):
        consent.switches.answer_pending(db, amira.id, grant.id, True, _me(amira), SECRET)
    db.rollback()
    with pytest.raises(consent.NotShared):  # someone else's consent is not theirs to answer
        consent.switches.renew(db, people.user("ben").id, grant.id, _me(amira), SECRET)


def test_an_in_person_consent_needs_the_residents_own_password(db, sharing, people):
    amira = people.user("amira")
    notice = sharing.notice(sharing.b, "digital")

    def give(username, password):
        return consent.give_in_person(db, sharing.tutor_a, sharing.a, notice_id=notice.id, username=username, password=password,
                                      record=True, months=12, client="a client", config=CONFIG)

    assert give("amira", "not the password").problem == "not_the_resident"
    assert give("tutor.b", PASSWORD).problem == "not_the_resident"  # staff cannot be consented for
    done = give("amira", PASSWORD)
    assert done.problem is None and done.keep and consent.recorded_by(db, done.receipt, sharing.tutor_a.id)
    assert not consent.recorded_by(db, done.receipt, sharing.tutor_b.id)
    db.commit()
    grant = consent.live_grant(db, amira.id, sharing.b.id, "digital")
    assert grant.state == GrantState.GIVEN and grant.recorded_by_id == sharing.tutor_a.id
    again = give("amira", PASSWORD)
    assert again.problem == "already" and not again.keep
    db.rollback()
    for _ in range(5):
        give("ben", "wrong")
    db.commit()
    assert give("ben", "wrong").problem == "throttled"


def test_a_chain_with_a_row_missing_or_changed_is_reported(db, sharing, people):
    amira = people.user("amira")
    grant, _ = sharing.give(amira, sharing.a, "digital")
    sharing.act(amira, "pause", grant)
    rows = list(db.exec(select(ConsentEvent).where(ConsentEvent.resident_id == amira.id).order_by(ConsentEvent.seq)).all())
    assert chains.verify(rows, "event_hash", consent.CONSENT_EVENT_UNHASHED) == []
    problems = chains.verify(rows[1:], "event_hash", consent.CONSENT_EVENT_UNHASHED)
    assert any("missing or out of order" in p for p in problems) and any("does not follow" in p for p in problems)
    db.expunge(rows[0])
    rows[0].area = "financial"
    assert any("changed" in p or "hash" in p for p in chains.verify(rows, "event_hash", consent.CONSENT_EVENT_UNHASHED))
    with pytest.raises(TypeError):
        chains.canonical({"x": object()})


def test_looks_are_grouped_by_week_and_organisation_and_the_unusual_ones_stand_out(db, sharing, people):
    import time_machine

    from tracker.models import AccessAction

    amira = people.user("amira")
    sharing.give(amira, sharing.a, "digital")
    sharing.give(amira, sharing.b, "digital")

    def look(staff, provider, at):
        with time_machine.travel(at, tick=False):
            [decision] = consent.open_record(db, staff, amira.id, area="digital")
            consent.record_access(db, staff, provider, [decision], AccessAction.OPENED, "plan_support", "r")
            db.commit()

    monday = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # 10am in London (GMT in November)
    look(sharing.tutor_a, sharing.a, monday)
    look(sharing.tutor_a, sharing.a, monday + timedelta(days=1))
    look(sharing.staff_a, sharing.a, monday + timedelta(days=2))
    look(sharing.tutor_b, sharing.b, monday + timedelta(days=2, hours=12))  # 10pm
    now = monday + timedelta(days=7)
    groups = consent.look_groups(db, amira.id, "Europe/London", now=now)
    assert [(g.provider_name, g.looks, g.people) for g in groups] == [
        ("Melton Jobs Support", 1, ["Priya"]), ("Melton Adult Learning", 3, ["Sam", "Jo"])]  # newest first
    assert {g.week_of for g in groups} == {monday.date()}
    unusual = [(e.actor_name, reasons) for e, reasons in consent.unusual_looks(db, amira.id, "Europe/London", now=now)]
    assert unusual == [("Priya", ["new_organisation", "out_of_hours"]), ("Sam", ["new_person"]), ("Jo", ["new_organisation"])]


def test_a_big_notice_change_sent_twice_publishes_one_version(db, sharing, people):
    """"Yes, publish it" tapped twice: one new version, and each resident's sharing on hold once."""
    amira = people.user("amira")
    sharing.give(amira, sharing.a, "digital")
    change = {"en": "Notes too", "pl": "Notatki też"}
    first = publish(db, sharing.a, "digital", fields=["goal_titles", "notes"], material=True, change=change)
    second = publish(db, sharing.a, "digital", fields=["goal_titles", "notes"], material=True, change=change)
    assert second.id == first.id and first.version == 2
    assert _events(db, amira) == ["given", "invalidated"]
    third = publish(db, sharing.a, "digital", fields=["goal_titles", "notes"], material=True, change={"en": "Again", "pl": "Znowu"})
    assert third.version == 3  # a different big change is a new version
