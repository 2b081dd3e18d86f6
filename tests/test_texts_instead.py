"""When a text cannot be delivered (Notify's permanent failure: the number does not work), the
resident hears another way, on their terms: an email if they have an address and said they prefer
it, else a letter if About me has their address and says writing to them is safe; nothing if
neither. The real Notify client talks to the fake Notify server for all three."""

from __future__ import annotations

import pytest
from notifications_python_client.notifications import NotificationsAPIClient
from sqlmodel import select

from tests import fake_notify
from tracker.domain import about_me, texts
from tracker.domain.texts import Choices
from tracker.models import TextChannel, TextKind, TextMessage, TextState
from tracker.web.text_wording import words

NUMBER = "+447700900333"
EVERY_KIND = [str(kind) for kind in texts.CHOOSABLE]
TEMPLATES = {TextChannel.LETTER: fake_notify.LETTER_TEMPLATE_ID, TextChannel.EMAIL: fake_notify.EMAIL_TEMPLATE_ID}


@pytest.fixture
def database_url(any_database_url):
    return any_database_url


@pytest.fixture
def client_for(notify):
    return NotificationsAPIClient(fake_notify.API_KEY, base_url=notify.url)


def _send(app, db, client, templates=TEMPLATES):
    with app.app_context():
        report = texts.send_due(db, client, fake_notify.TEMPLATE_ID, words, commit=db.commit, templates=templates)
    db.commit()
    return report


def _failing_number(db, notify, resident, *, email_fallback=False):
    message, code = texts.start_confirming(db, resident.id, NUMBER, "secret")
    message.state = TextState.NOT_SENT
    texts.confirm(db, resident.id, code, "secret")
    texts.choose(db, resident.id, Choices(True, False, EVERY_KIND, None, None, None, email_fallback))
    db.commit()
    notify.outcome[NUMBER] = "permanent-failure"


def _about(db, resident, *, address=True, letters=True):
    me = about_me.Entrant.resident(resident)
    if address:
        about_me.save(db, resident.id, "address", {"lines": ["4 Sherrard Street", "Melton Mowbray", "LE13 1XJ"]}, entrant=me)
    about_me.save(db, resident.id, "safe_to_contact", {"choices": ["letters"] if letters else ["texts"]}, entrant=me)
    db.commit()


def _messages(db, resident):
    return {m.channel: m for m in db.exec(select(TextMessage).where(TextMessage.resident_id == resident.id)
                                           .where(TextMessage.kind == TextKind.REFERRAL_NEWS)).all()}


def test_a_text_that_cannot_be_delivered_becomes_a_letter_when_writing_is_safe(app, db, people, notify, client_for):
    amira = people.user("amira", display_name="Amira Hassan")
    _failing_number(db, notify, amira)
    _about(db, amira)
    texts.queue(db, amira.id, TextKind.REFERRAL_NEWS)
    db.commit()
    first = _send(app, db, client_for)
    assert first.sent == 1 and first.instead == 1  # sent, found undeliverable, a letter queued
    second = _send(app, db, client_for)
    assert second.sent == 1
    [letter] = [s for s in notify.sent if s["channel"] == "letter"]
    lines = [v for k, v in sorted(letter["personalisation"].items()) if k.startswith("address_line_")]
    assert lines == ["Amira Hassan", "4 Sherrard Street", "Melton Mowbray", "LE13 1XJ"]
    body = letter["personalisation"]["message"]
    assert body == "You have an update in Me and My Learning. Sign in to see it."  # (nothing about a phone: post is opened by others)
    messages = _messages(db, amira)
    assert messages[TextChannel.SMS].state == TextState.PERMANENT_FAILURE
    assert messages[TextChannel.LETTER].state == TextState.DELIVERED and messages[TextChannel.LETTER].to == "LE13 1XJ"
    assert messages[TextChannel.LETTER].details["instead_of"] == messages[TextChannel.SMS].id


@pytest.mark.parametrize(("address", "letters"), [(True, False), (False, True)], ids=["writing-not-safe", "no-address"])
def test_no_letter_without_an_address_and_a_yes_that_writing_is_safe(app, db, people, notify, client_for, address, letters):
    amira = people.user("amira")
    _failing_number(db, notify, amira)
    _about(db, amira, address=address, letters=letters)
    texts.queue(db, amira.id, TextKind.REFERRAL_NEWS)
    db.commit()
    assert _send(app, db, client_for).instead == 0
    _send(app, db, client_for)
    assert [s["channel"] for s in notify.sent] == ["sms"]
    assert set(_messages(db, amira)) == {TextChannel.SMS}


def test_a_letter_is_not_sent_if_writing_stopped_being_safe_before_it_went(app, db, people, notify, client_for):
    amira = people.user("amira")
    _failing_number(db, notify, amira)
    _about(db, amira)
    texts.queue(db, amira.id, TextKind.REFERRAL_NEWS)
    db.commit()
    _send(app, db, client_for)  # the text fails; a letter is queued
    about_me.save(db, amira.id, "safe_to_contact", None, rather_not_say=True, entrant=about_me.Entrant.resident(amira))
    db.commit()
    assert _send(app, db, client_for).dropped == 1
    assert _messages(db, amira)[TextChannel.LETTER].state == TextState.NOT_SENT
    assert [s["channel"] for s in notify.sent] == ["sms"]


def test_a_resident_who_prefers_email_gets_an_email_instead(app, db, people, notify, client_for):
    amira = people.user("amira", email="amira@example.org")
    _failing_number(db, notify, amira, email_fallback=True)
    _about(db, amira)  # (a letter would be possible too: email comes first when they prefer it)
    texts.queue(db, amira.id, TextKind.REFERRAL_NEWS)
    db.commit()
    _send(app, db, client_for)
    _send(app, db, client_for)
    assert [s["channel"] for s in notify.sent] == ["sms", "email"]
    assert notify.sent[1]["email_address"] == "amira@example.org"
    assert _messages(db, amira)[TextChannel.EMAIL].state == TextState.DELIVERED


def test_email_is_never_chosen_without_an_email_address(db, people, notify):
    ella = people.user("ella")  # no email address
    _failing_number(db, notify, ella, email_fallback=True)
    assert texts.settings_of(db, ella.id).email_fallback is False


def test_codes_never_come_by_letter_and_nothing_goes_without_a_template(app, db, people, notify, client_for):
    amira = people.user("amira")
    _failing_number(db, notify, amira)
    _about(db, amira)
    texts.queue(db, amira.id, TextKind.REFERRAL_NEWS)
    db.commit()
    _send(app, db, client_for, templates={})  # the text fails; there is no letter template, so no letter is queued
    _send(app, db, client_for, templates={})
    assert [s["channel"] for s in notify.sent] == ["sms"] and set(_messages(db, amira)) == {TextChannel.SMS}
    # A code to choose a new password, texted to the failing number: no letter follows it.
    message, code = texts.start_reset(db, "amira", NUMBER, "secret")
    with app.app_context():
        texts.send_one(db, message, client_for, fake_notify.TEMPLATE_ID, words, commit=db.commit, code=code)
    db.commit()
    assert _send(app, db, client_for).instead == 0
    assert db.exec(select(TextMessage).where(TextMessage.kind == TextKind.RESET_CODE)).one().state == TextState.PERMANENT_FAILURE
    assert [s["channel"] for s in notify.sent] == ["sms", "sms"]


def test_the_contact_page_offers_email_only_to_residents_with_an_address(app, db, people):
    from tests.conftest import sign_in

    people.user("amira", email="amira@example.org")
    people.user("ella")
    client = app.test_client()
    sign_in(client, "amira")
    page = client.get("/me/contact").text
    assert "If a text does not reach my phone, email me instead" in page and "amira@example.org" in page
    assert "We only write to you if you give your address in About me" in page
    other = app.test_client()
    sign_in(other, "ella")
    assert "email me instead" not in other.get("/me/contact").text


def test_their_tutor_is_told_we_could_not_text_them_and_the_telling_is_logged(app, db, people, notify, client_for):
    from tests.conftest import sign_in
    from tests.sharing_helpers import Sharing
    from tracker.models import AccessLogEntry

    sharing = Sharing(db, people)
    amira = people.user("amira", display_name="Amira Hassan")
    sharing.give(amira, sharing.a, "digital")
    _failing_number(db, notify, amira)
    texts.queue(db, amira.id, TextKind.REFERRAL_NEWS)
    db.commit()
    _send(app, db, client_for)
    tutor, other = app.test_client(), app.test_client()
    response = sign_in(tutor, "tutor.a")
    assert response.status_code == 303, response.text[:300]
    page = tutor.get(f"/staff/residents/{amira.id}").text
    assert "We could not text Amira" in page and "07700" not in page  # (never the number)
    logged = db.exec(select(AccessLogEntry).where(AccessLogEntry.resident_id == amira.id)).all()
    assert any(e.fields_disclosed == ["texts_failed"] for e in logged)
    sign_in(other, "tutor.b")  # not shared with B: the same 404 as for nobody
    assert other.get(f"/staff/residents/{amira.id}").status_code == 404
    staff = app.test_client()
    sign_in(staff, "staff.a")  # provider staff at A: her page, but this is for her tutors, who can ask her about it
    page = staff.get(f"/staff/residents/{amira.id}")
    assert page.status_code == 200 and "We could not text" not in page.text


def test_a_phone_off_for_days_gets_the_text_again_later_twice_then_no_more(app, db, people, notify, client_for):
    from datetime import timedelta

    import time_machine

    from tracker.clock import utcnow

    amira = people.user("amira")
    _failing_number(db, notify, amira)
    notify.outcome[NUMBER] = "temporary-failure"
    texts.queue(db, amira.id, TextKind.REFERRAL_NEWS)
    db.commit()
    start = utcnow()
    first = _send(app, db, client_for)
    assert first.sent == 1 and first.tried_later == 1 and first.instead == 0  # not undeliverable: tried again, not a letter
    assert _send(app, db, client_for).sent == 0  # not before the back-off
    for hours, expected_retry in ((7, 1), (7 + 25, 0)):
        with time_machine.travel(start + timedelta(hours=hours), tick=False):
            report = _send(app, db, client_for)
        assert report.sent == 1 and report.tried_later == expected_retry
    messages = db.exec(select(TextMessage).where(TextMessage.resident_id == amira.id, TextMessage.kind == TextKind.REFERRAL_NEWS)
                       .order_by(TextMessage.created_at)).all()
    assert [m.state for m in messages] == [TextState.TEMPORARY_FAILURE] * 3
    assert [m.details.get("temporary_failures") for m in messages] == [None, 1, 2]
    assert messages[2].details["retry_of"] == messages[1].id
    assert len([s for s in notify.sent if s["channel"] == "sms"]) == 3


def test_a_second_send_texts_started_while_one_runs_does_nothing(database_url, notify, people, db):
    from tests.conftest import make_app
    from tracker.domain.locks import one_run_at_a_time

    amira = people.user("amira")
    _failing_number(db, notify, amira)
    notify.outcome[NUMBER] = "delivered"
    texts.queue(db, amira.id, TextKind.REFERRAL_NEWS)
    db.commit()
    app = make_app(database_url, NOTIFY_API_KEY=fake_notify.API_KEY, NOTIFY_SMS_TEMPLATE_ID=fake_notify.TEMPLATE_ID,
                   NOTIFY_BASE_URL=notify.url)
    engine = app.extensions["tracker_engine"]
    with one_run_at_a_time(engine, "send-texts") as first:  # (a run still going, in this process or another)
        assert first
        with one_run_at_a_time(engine, "send-texts") as second:
            assert not second
        result = app.test_cli_runner().invoke(args=["send-texts"], catch_exceptions=False)
        assert "Another send-texts is still running" in result.output and notify.sent == []
    result = app.test_cli_runner().invoke(args=["send-texts"], catch_exceptions=False)
    assert "1 sent" in result.output and len(notify.sent) == 1
    engine.dispose()


def _undeliverable_then(app, db, notify, client_for, resident, **about):
    _failing_number(db, notify, resident)
    _about(db, resident, **about)
    texts.queue(db, resident.id, TextKind.REFERRAL_NEWS)
    db.commit()
    return _send(app, db, client_for)


def test_no_other_way_once_they_say_texts_are_not_safe(app, db, people, notify, client_for):
    amira = people.user("amira")
    _failing_number(db, notify, amira)
    _about(db, amira)
    texts.queue(db, amira.id, TextKind.REFERRAL_NEWS)
    db.commit()
    with app.app_context():  # sent, but not yet known to have failed
        texts.send_one(db, db.exec(select(TextMessage).where(TextMessage.kind == TextKind.REFERRAL_NEWS)).one(), client_for,
                       fake_notify.TEMPLATE_ID, words, commit=db.commit)
    db.commit()
    texts.choose(db, amira.id, Choices(False, False, EVERY_KIND, None, None, None))  # "it is not safe to text me" now
    db.commit()
    assert _send(app, db, client_for).instead == 0
    assert [s["channel"] for s in notify.sent] == ["sms"]


def test_once_the_number_has_failed_later_messages_go_the_other_way_straight_away(app, db, people, notify, client_for):
    amira = people.user("amira")
    _undeliverable_then(app, db, notify, client_for, amira)
    _send(app, db, client_for)  # the letter for the first message
    second = texts.queue(db, amira.id, TextKind.SETUP_CODE)
    db.commit()
    assert second.channel == TextChannel.LETTER and second.details["number_failed"]
    _send(app, db, client_for)
    assert [s["channel"] for s in notify.sent] == ["sms", "letter", "letter"]  # not another text to the dead number


def test_without_an_email_template_a_letter_goes_instead_of_an_email(app, db, people, notify, client_for):
    amira = people.user("amira", email="amira@example.org")
    _failing_number(db, notify, amira, email_fallback=True)
    _about(db, amira)
    texts.queue(db, amira.id, TextKind.REFERRAL_NEWS)
    db.commit()
    only_letters = {TextChannel.LETTER: fake_notify.LETTER_TEMPLATE_ID}
    _send(app, db, client_for, templates=only_letters)
    _send(app, db, client_for, templates=only_letters)
    assert [s["channel"] for s in notify.sent] == ["sms", "letter"]


def test_an_email_waits_for_the_end_of_quiet_hours_and_a_letter_does_not(app, db, people, notify, client_for):
    from datetime import UTC, datetime

    import time_machine

    amira = people.user("amira", email="amira@example.org")
    _failing_number(db, notify, amira, email_fallback=True)
    texts.choose(db, amira.id, Choices(True, False, EVERY_KIND, 22, 7, None, True))
    db.commit()
    with time_machine.travel(datetime(2026, 12, 3, 12, 0, tzinfo=UTC), tick=False):
        texts.queue(db, amira.id, TextKind.REFERRAL_NEWS)
        db.commit()
        _send(app, db, client_for)  # the text goes at noon and fails
    with time_machine.travel(datetime(2026, 12, 3, 23, 0, tzinfo=UTC), tick=False):
        _send(app, db, client_for)  # the email was queued in daytime; at 23:00 it is quiet hours
    assert [s["channel"] for s in notify.sent] == ["sms"]
    with time_machine.travel(datetime(2026, 12, 4, 8, 0, tzinfo=UTC), tick=False):
        _send(app, db, client_for)
    assert [s["channel"] for s in notify.sent] == ["sms", "email"]


def test_an_old_seven_line_address_still_ends_with_its_postcode(app, db, people, notify, client_for):
    amira = people.user("amira", display_name="Amira Hassan")
    _failing_number(db, notify, amira)
    me = about_me.Entrant.resident(amira)
    seven = ["Flat 2", "The Old Mill", "4 Sherrard Street", "Town Centre", "Melton Mowbray", "Leicestershire", "LE13 1XJ"]
    about_me.save(db, amira.id, "address", {"lines": seven}, entrant=me)  # (kept when addresses could have 7 lines)
    about_me.save(db, amira.id, "safe_to_contact", {"choices": ["letters"]}, entrant=me)
    db.commit()
    texts.queue(db, amira.id, TextKind.REFERRAL_NEWS)
    db.commit()
    _send(app, db, client_for)
    _send(app, db, client_for)
    [letter] = [s for s in notify.sent if s["channel"] == "letter"]
    lines = [v for k, v in sorted(letter["personalisation"].items()) if k.startswith("address_line_")]
    assert len(lines) == 7 and lines[0] == "Amira Hassan" and lines[-1] == "LE13 1XJ"


def test_a_letter_with_no_answer_from_notify_is_not_posted_twice(app, db, people, notify, client_for):
    amira = people.user("amira")
    _undeliverable_then(app, db, notify, client_for, amira)

    class NoAnswer:  # Notify took the letter, perhaps, but the answer never came
        def send_letter_notification(self, **_):
            raise ConnectionError("timed out")

        def get_notification_by_id(self, _):
            return {}

    report = _send(app, db, NoAnswer())
    assert report.dropped == 1 and report.retrying == 0
    assert _messages(db, amira)[TextChannel.LETTER].state == TextState.NOT_SENT


def test_the_resident_sees_the_letter_among_the_texts_sent_and_in_the_download(app, db, people, notify, client_for):
    from tests.conftest import sign_in
    from tracker.domain import data_rights

    amira = people.user("amira")
    _undeliverable_then(app, db, notify, client_for, amira)
    _send(app, db, client_for)
    client = app.test_client()
    sign_in(client, "amira")
    assert "A letter to LE13 1XJ" in client.get("/me/contact").text
    exported = data_rights.export(db, amira)["how_we_contact_you"]
    news = [t["by"] for t in exported["texts"] if t["about"] == TextKind.REFERRAL_NEWS]
    assert news == ["sms", "letter"] and exported["email_instead_of_texts_that_fail"] is False
