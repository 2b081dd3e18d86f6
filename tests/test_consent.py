"""The consent model, without a request: giving, stopping, pausing, expiry, assisted consents,
notice changes, receipts, the access log, append-only history and its hash chains."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session, select

from tests.conftest import People, make_app
from tests.sharing_helpers import SECRET, Sharing, publish
from tracker.domain import consent
from tracker.domain.locks import LockNotHeld, lock_residents
from tracker.models import AccessAction, AccessLogEntry, ConsentEvent, ConsentGrant, SharingNotice


@pytest.fixture
def sharing(db, people):
    return Sharing(db, people)


def _events(db, resident):
    return [e.event_type for e in db.exec(select(ConsentEvent).where(ConsentEvent.resident_id == resident.id).order_by(ConsentEvent.seq))]


def test_nothing_is_shared_by_default(db, sharing, people):
    amira = people.user("amira")
    assert consent.open_record(db, sharing.tutor_a, amira.id) == []
    with pytest.raises(consent.NotShared):
        consent.require(db, sharing.tutor_a, amira.id, "digital")


def test_giving_shares_one_area_with_one_provider_and_issues_a_receipt(db, sharing, people):
    amira = people.user("amira")
    grant, receipt = sharing.give(amira, sharing.a, "digital")
    decision = consent.require(db, sharing.tutor_a, amira.id, "digital")
    assert decision.grant.id == grant.id and decision.modes == ("view",)
    for staff, area in [(sharing.tutor_a, "financial"), (sharing.tutor_b, "digital")]:
        with pytest.raises(consent.NotShared):
            consent.require(db, staff, amira.id, area)
    with pytest.raises(consent.NotShared):
        consent.require(db, sharing.tutor_a, amira.id, "digital", mode="record_progress")
    assert consent.receipt_code_is_genuine(receipt.code, SECRET)
    assert consent.find_receipt(db, receipt.code, SECRET).content["changes"][0]["event"] == "given"
    assert 360 <= (grant.valid_until - grant.given_at).days <= 370


def test_residents_choose_three_six_or_twelve_months_and_nothing_else(db, sharing, people):
    amira = people.user("amira")
    grant, _ = sharing.give(amira, sharing.a, "digital", months=3)
    assert 88 <= (grant.valid_until - grant.given_at).days <= 95
    with pytest.raises(consent.ConsentError):
        sharing.give(amira, sharing.a, "financial", months=24)


def test_withdrawal_stops_access_on_the_very_next_check(db, sharing, people):
    amira = people.user("amira")
    grant, _ = sharing.give(amira, sharing.a, "digital")
    consent.require(db, sharing.tutor_a, amira.id, "digital")
    sharing.act(amira, "withdraw", grant)
    with pytest.raises(consent.NotShared):
        consent.require(db, sharing.tutor_a, amira.id, "digital")
    # Saying yes again starts a new grant: a withdrawn one is never revived.
    again, _ = sharing.give(amira, sharing.a, "digital")
    assert again.id != grant.id
    assert _events(db, amira) == ["given", "withdrawn", "given"]


def test_pause_and_resume(db, sharing, people):
    amira = people.user("amira")
    grant, _ = sharing.give(amira, sharing.a, "digital")
    sharing.act(amira, "pause", grant)
    with pytest.raises(consent.NotShared):
        consent.require(db, sharing.tutor_a, amira.id, "digital")
    sharing.act(amira, "resume", grant)
    consent.require(db, sharing.tutor_a, amira.id, "digital")


def test_expiry_ends_access_on_the_day(db, sharing, people):
    amira = people.user("amira")
    grant, _ = sharing.give(amira, sharing.a, "digital", months=3)
    with time_machine.travel(grant.valid_until - timedelta(hours=1)):
        consent.require(db, sharing.tutor_a, amira.id, "digital")
        assert consent.status(grant) == "active"
    with time_machine.travel(grant.valid_until + timedelta(minutes=1)):
        with pytest.raises(consent.NotShared):
            consent.require(db, sharing.tutor_a, amira.id, "digital")
        assert consent.status(grant) == "expired"
        assert consent.expire_lapsed(db, SECRET) == 1
        db.commit()
    assert _events(db, amira) == ["given", "expired"]


def test_renewal_is_offered_thirty_days_before_and_extends_from_today(db, sharing, people):
    amira = people.user("amira")
    grant, _ = sharing.give(amira, sharing.a, "digital", months=3)
    assert consent.grants_needing_attention(db, amira.id)["renew"] == []
    with time_machine.travel(grant.valid_until - timedelta(days=20)):
        assert [g.id for g in consent.grants_needing_attention(db, amira.id)["renew"]] == [grant.id]
        old_end = grant.valid_until
        sharing.act(amira, "renew", grant)
        assert grant.valid_until > old_end + timedelta(days=60)


def test_a_tutor_recording_for_their_own_provider_waits_for_the_resident(db, sharing, people):
    amira = people.user("amira")
    grant, _receipt = sharing.give(amira, sharing.a, "digital", actor=consent.ConsentActor.assisting(sharing.tutor_a, sharing.a))
    assert grant.state == "pending"
    with pytest.raises(consent.NotShared):
        consent.require(db, sharing.tutor_a, amira.id, "digital")
    event = db.exec(select(ConsentEvent).where(ConsentEvent.grant_id == grant.id)).one()
    assert (event.event_type, event.method, event.witness_name, event.on_behalf, event.resident_confirmed) == (
        "requested", "assisted_in_person", "Jo", True, False)
    sharing.act(amira, "confirm", grant)
    consent.require(db, sharing.tutor_a, amira.id, "digital")
    assert _events(db, amira) == ["requested", "confirmed"]


def test_a_tutor_recording_for_another_provider_counts_at_once(db, sharing, people):
    amira = people.user("amira")
    grant, _ = sharing.give(amira, sharing.b, "job_readiness", actor=consent.ConsentActor.assisting(sharing.tutor_a, sharing.a))
    assert grant.state == "given"
    consent.require(db, sharing.tutor_b, amira.id, "job_readiness")


def test_a_material_notice_change_puts_grants_on_hold_until_the_resident_says_yes_again(db, sharing, people):
    amira, ben = people.user("amira"), people.user("ben")
    grant, _ = sharing.give(amira, sharing.a, "digital")
    _other, _ = sharing.give(ben, sharing.a, "financial")
    publish(db, sharing.a, "digital", fields=["goal_titles", "notes"], material=True, change={"en": "Notes too", "pl": "Też notatki"})
    db.refresh(grant)
    assert consent.status(grant) == "on_hold"
    with pytest.raises(consent.NotShared):
        consent.require(db, sharing.tutor_a, amira.id, "digital")
    consent.require(db, sharing.tutor_a, ben.id, "financial")  # other areas are not touched
    again, _ = sharing.give(amira, sharing.a, "digital")
    assert again.id == grant.id and db.get(SharingNotice, again.notice_id).version == 2
    assert consent.require(db, sharing.tutor_a, amira.id, "digital").fields == ("goal_titles", "notes")
    assert _events(db, amira) == ["given", "invalidated", "given"]


def test_a_minor_notice_change_leaves_grants_as_they_were(db, sharing, people):
    amira = people.user("amira")
    sharing.give(amira, sharing.a, "digital")
    publish(db, sharing.a, "digital", material=False)
    decision = consent.require(db, sharing.tutor_a, amira.id, "digital")
    assert decision.notice.version == 1


def test_inactive_staff_admins_without_a_provider_and_residents_see_nothing(db, sharing, people):
    amira = people.user("amira")
    sharing.give(amira, sharing.a, "digital")
    ben = people.user("ben")
    for who in (sharing.admin, ben):
        assert consent.open_record(db, who, amira.id) == []
    sharing.tutor_a.active = False
    assert consent.open_record(db, sharing.tutor_a, amira.id) == []


def test_the_access_log_writes_one_entry_per_resident_in_one_statement(db, sharing, people):
    residents = [people.user(f"resident{n}") for n in range(5)]
    for resident in residents:
        sharing.give(resident, sharing.a, "digital")
    with pytest.raises(LockNotHeld):  # decisions taken outside the residents' lock cannot be logged
        consent.record_access(db, sharing.staff_a, sharing.a, consent.decisions_for(db, sharing.staff_a, [residents[0].id]),
                              AccessAction.LISTED, "plan_support", "req")
    lock_residents(db, [r.id for r in residents])
    decisions = [consent.require(db, sharing.staff_a, r.id, "digital") for r in residents]
    with pytest.raises(consent.ConsentError):
        consent.record_access(db, sharing.staff_a, sharing.a, decisions, AccessAction.LISTED, "marketing", "req")
    inserts = []
    from sqlalchemy import event

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("INSERT INTO ACCESS_LOG_ENTRY"):
            inserts.append(statement)

    event.listen(db.get_bind(), "before_cursor_execute", count)
    try:
        assert consent.record_access(db, sharing.staff_a, sharing.a, decisions, AccessAction.LISTED, "plan_support", "req") == 5
        db.commit()
    finally:
        event.remove(db.get_bind(), "before_cursor_execute", count)
    assert len(inserts) == 1
    entries = db.exec(select(AccessLogEntry)).all()
    assert sorted(e.resident_id for e in entries) == sorted(r.id for r in residents)
    assert {(e.actor_name, e.actor_role, e.provider_name, e.purpose_code) for e in entries} == {("Sam", "provider_staff", sharing.a.name, "plan_support")}
    looked = {r.id: consent.last_looks(db, r.id) for r in residents}
    assert all(looked[d.resident_id].get(d.grant.id) is not None for d in decisions)  # "Last looked at" on their sharing page
    assert consent.verify_chains(db) == {}


def test_receipt_codes_are_checked_before_any_lookup(db, sharing, people):
    amira = people.user("amira")
    _, receipt = sharing.give(amira, sharing.a, "digital")
    assert consent.find_receipt(db, receipt.code.lower(), SECRET) is not None
    tampered = receipt.code[:-1] + ("0" if receipt.code[-1] != "0" else "1")
    for code in [tampered, "MML-0000-0000-0000", "nonsense", "x" * 500, consent.new_receipt_code("another key")]:
        assert consent.find_receipt(db, code, SECRET) is None


# --- History is append-only and chained -----------------------------------------------------


@pytest.mark.parametrize("table", ["consent_event", "access_log_entry", "consent_receipt", "account_event", "account_event_answer"])
def test_the_database_refuses_to_change_consent_history(any_database_url, table):
    app = make_app(any_database_url)
    engine = app.extensions["tracker_engine"]
    with Session(engine) as db:
        people = People(db)
        sharing = Sharing(db, people)
        amira = people.user("amira")
        sharing.give(amira, sharing.a, "digital")
        [decision] = consent.open_record(db, sharing.tutor_a, amira.id, area="digital")
        consent.record_access(db, sharing.tutor_a, sharing.a, [decision], AccessAction.OPENED, "plan_support", "r")
        db.commit()
        from tracker.domain import setup_codes

        setup_codes.reset_by_tutor(db, sharing.tutor_a, "amira")  # an account event (0005 rebuilt its table on SQLite)
        db.commit()
        [change] = setup_codes.changes_to_confirm(db, amira.id)
        setup_codes.answer_change(db, amira, change.id, "was_me")
        db.commit()
    column = {"consent_event": "area", "access_log_entry": "area", "consent_receipt": "code", "account_event": "kind",
              "account_event_answer": "answer"}[table]
    for statement in [f"UPDATE {table} SET {column} = 'financial'", f"DELETE FROM {table}"]:
        with engine.connect() as connection, pytest.raises(DatabaseError, match="append-only"):
            connection.execute(text(statement))
            connection.commit()
    engine.dispose()


def test_published_notices_cannot_be_changed_or_deleted(any_database_url):
    app = make_app(any_database_url)
    engine = app.extensions["tracker_engine"]
    with Session(engine) as db:
        people = People(db)
        publish(db, people.provider(), "digital")
    with engine.connect() as connection, pytest.raises(DatabaseError, match="immutable"):
        connection.execute(text("UPDATE sharing_notice SET fields_shown = '[\"notes\"]'"))
        connection.commit()
    with engine.connect() as connection, pytest.raises(DatabaseError, match="immutable"):
        connection.execute(text("DELETE FROM sharing_notice"))
        connection.commit()
    with engine.connect() as connection:  # marking it superseded is allowed
        connection.execute(text("UPDATE sharing_notice SET superseded_at = published_at"))
        connection.commit()
    engine.dispose()


def test_a_row_changed_behind_the_services_back_is_detected(database_url, app, db, sharing, people):
    amira = people.user("amira")
    grant, _ = sharing.give(amira, sharing.a, "digital")
    sharing.act(amira, "pause", grant)
    sharing.act(amira, "resume", grant)
    [decision] = consent.open_record(db, sharing.tutor_a, amira.id, area="digital")
    consent.record_access(db, sharing.tutor_a, sharing.a, [decision], AccessAction.OPENED, "plan_support", "r")
    db.commit()
    assert consent.verify_chains(db) == {}
    runner = app.test_cli_runner()
    assert runner.invoke(args=["verify-chains"]).exit_code == 0

    # Someone with database access rewrites history: the triggers must be dropped first…
    with db.get_bind().connect() as connection:
        connection.execute(text("DROP TRIGGER consent_event_no_update"))
        connection.execute(text("UPDATE consent_event SET event_type = 'withdrawn' WHERE seq = 2"))
        connection.execute(text("DROP TRIGGER access_log_entry_no_update"))
        connection.execute(text("UPDATE access_log_entry SET purpose_code = 'progress_review'"))
        connection.commit()
    db.expire_all()
    problems = consent.verify_chains(db)[amira.id]
    assert any("consent: seq 2: content does not match" in p for p in problems)
    assert any("access log: seq 1: content does not match" in p for p in problems)
    result = runner.invoke(args=["verify-chains"])
    assert result.exit_code == 1 and "seq 2" in result.output


@pytest.mark.postgres
def test_a_yes_and_a_material_notice_change_at_the_same_moment_never_leave_sharing_on_the_old_notice(postgres_url):
    """PostgreSQL, two sessions at once. Whichever comes first, nobody ends up sharing on a notice
    that has been replaced by a material change: a yes in flight is put on hold by the change, and
    a yes that comes after it is refused ("it has just changed")."""
    import threading

    from tracker.database import make_engine

    engine = make_engine(postgres_url)
    with Session(engine, expire_on_commit=False) as setup:
        people = People(setup)
        sharing = Sharing(setup, people)
        amira, ben = people.user("amira"), people.user("ben")
        provider_id = sharing.a.id

    def publish_v_next(results):
        with Session(engine, expire_on_commit=False) as admin:
            from tracker.models import Provider

            results.append(publish(admin, admin.get(Provider, provider_id), "digital", fields=["goal_titles", "notes"], material=True,
                                   change={"en": "Notes too", "pl": "Notatki"}).version)

    # 1. Amira's yes is in flight (notice held, not yet committed) when the change is published.
    with Session(engine, expire_on_commit=False) as resident:
        held = consent.current_notice(resident, provider_id, "digital", to_agree_to=True)
        with consent.Change(resident, amira.id, consent.ConsentActor.resident(amira), SECRET) as change:
            grant = change.give(held, ["view"], 12)
        results = []
        publisher = threading.Thread(target=publish_v_next, args=(results,))
        publisher.start()
        publisher.join(timeout=1)
        assert publisher.is_alive() and not results  # the change waits for the yes in flight
        resident.commit()
        publisher.join(timeout=10)
        assert results == [2]
    with Session(engine) as check:
        assert check.get(ConsentGrant, grant.id).state == "invalidated"  # then it goes on hold, like everyone's

    # 2. The change is being published when Ben says yes to the version he read.
    with Session(engine, expire_on_commit=False) as admin:
        from tracker.models import Provider

        read = consent.current_notice(admin, provider_id, "digital")
        publish_started = threading.Event()
        answers = []

        def bens_yes():
            with Session(engine, expire_on_commit=False) as resident:
                publish_started.wait()
                held = consent.current_notice(resident, provider_id, "digital", to_agree_to=True)
                answers.append(held.id if held is not None else None)

        yes = threading.Thread(target=bens_yes)
        yes.start()
        consent.publish_notice(admin, admin.get(Provider, provider_id), "digital", access_modes=["view"], fields_shown=["goal_titles"],
                               purposes=read.purposes, summary=read.summary, retention=read.retention, material=True,
                               change_summary={"en": "Less", "pl": "Mniej"}, secret_key=SECRET)
        publish_started.set()
        yes.join(timeout=1)
        assert yes.is_alive()  # Ben's yes waits for the change
        admin.commit()
        yes.join(timeout=10)
    assert answers and answers[0] != read.id  # he is not saying yes to the notice he read: it is gone
    with Session(engine) as check:
        assert check.exec(select(ConsentGrant).where(ConsentGrant.resident_id == ben.id)).all() == []
    engine.dispose()
