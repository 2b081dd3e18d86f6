"""Text messages on the resident's terms, through the real GOV.UK Notify client talking to a fake
Notify server: numbers read as Notify reads them, a confirmation code, nothing without a confirmed
number and a yes, quiet hours, discreet words, delivery, permanent failure, back-off, refusal, and
two senders at once sending a text once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from notifications_python_client.notifications import NotificationsAPIClient
from sqlmodel import Session, select

from tests import fake_notify
from tests.conftest import make_app
from tracker.domain import data_rights, texts
from tracker.domain.texts import Choices, CodeProblem, InvalidMobile
from tracker.models import ContactSettings, Role, TextKind, TextMessage, TextState
from tracker.web.text_wording import words

NUMBER = "+447700900111"
EVERY_KIND = [str(kind) for kind in texts.CHOOSABLE]


@pytest.fixture
def database_url(any_database_url):
    return any_database_url


@pytest.fixture
def client_for(notify):
    return NotificationsAPIClient(fake_notify.API_KEY, base_url=notify.url)


def _send(app, db, client, now=None):
    with app.app_context():
        return texts.send_due(db, client, fake_notify.TEMPLATE_ID, words, now=now, commit=db.commit)


def _confirmed(db, resident, number=NUMBER, *, safe=True, kinds=EVERY_KIND, fuller=False, quiet=(None, None)) -> ContactSettings:
    """A resident whose number is confirmed (through the code, as on the page), with these choices."""
    message, code = texts.start_confirming(db, resident.id, number, "secret")
    message.state = TextState.NOT_SENT  # (not sent in this helper: the code is used straight away)
    texts.confirm(db, resident.id, code, "secret")
    settings = texts.choose(db, resident.id, Choices(safe, fuller, kinds, *quiet, None))
    db.commit()
    return settings


# --- Numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["07700 900111", "07700900111", "+44 7700 900111", "+44 (0)7700 900111", "447700900111",
                                   "0044 7700 900 111", "7700-900-111", "\u200b07700 900111\ufeff"])
def test_uk_mobile_numbers_are_read_the_way_notify_reads_them(typed):
    assert texts.uk_mobile(typed) == NUMBER
    assert texts.shown(NUMBER) == "07700 900111"


@pytest.mark.parametrize("typed, problem", [("07700 9001x1", "letters"), ("01664 000101", "not_uk_mobile"), ("+1 202 555 0100", "not_uk_mobile"),
                                            ("07700 90011", "too_short"), ("07700 9001111", "too_long"), ("", "letters"),
                                            ("<script>", "letters"), ("07700.900.111", "letters"), ("07600 900111", "not_uk_mobile"),
                                            ("0770090011\u00b3", "letters"), ("\u0660\u0667700900111", "letters")])
def test_numbers_that_are_not_uk_mobiles_say_why(typed, problem):
    with pytest.raises(InvalidMobile) as raised:
        texts.uk_mobile(typed)
    assert raised.value.code == problem


# --- Confirming a number -------------------------------------------------------------------------


def test_a_new_number_gets_a_code_by_text_and_the_right_code_confirms_it(app, db, people, notify, client_for):
    resident = people.user("amira")
    message, code = texts.start_confirming(db, resident.id, NUMBER, app.config["SECRET_KEY"])
    with app.app_context():
        texts.send_one(db, message, client_for, fake_notify.TEMPLATE_ID, words, code=code)
    db.commit()
    assert message.state == TextState.SENDING and message.details == {}  # (the code is kept nowhere but in the text)
    [body] = notify.bodies_to(NUMBER)
    assert code in body and len(code) == 6 and code.isdigit()
    assert db.get(ContactSettings, resident.id).mobile is None  # not theirs until the code comes back
    settings = texts.confirm(db, resident.id, code, app.config["SECRET_KEY"])
    assert settings.mobile == NUMBER and settings.mobile_confirmed_at is not None and settings.code_hash is None
    with pytest.raises(CodeProblem, match="none"):
        texts.confirm(db, resident.id, code, app.config["SECRET_KEY"])  # used once


def test_three_wrong_codes_or_ten_minutes_and_the_code_stops_working(db, people):
    resident = people.user("amira")
    _message, code = texts.start_confirming(db, resident.id, NUMBER, "secret")
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    for expected in ("wrong", "wrong", "too_many"):
        with pytest.raises(CodeProblem) as raised:
            texts.confirm(db, resident.id, wrong, "secret")
        assert raised.value.code == expected
    with pytest.raises(CodeProblem, match="too_many"):
        texts.confirm(db, resident.id, code, "secret")  # even the right one, now
    _message, code = texts.start_confirming(db, resident.id, NUMBER, "secret")  # a new code starts again
    with pytest.raises(CodeProblem, match="expired"):
        texts.confirm(db, resident.id, code, "secret", now=datetime.now(UTC) + texts.CODE_VALID_FOR + timedelta(seconds=1))
    assert db.get(ContactSettings, resident.id).mobile is None


# --- What is sent, and when ----------------------------------------------------------------------


def test_a_code_is_never_stored_nor_sent_later_and_a_failed_one_is_not_tried_again(app, db, people, notify, client_for):
    resident = people.user("amira")
    notify.errors_before[NUMBER] = 1
    message, code = texts.start_confirming(db, resident.id, NUMBER, "secret")
    db.commit()
    assert code not in str(db.get(TextMessage, message.id).details)
    assert _send(app, db, client_for).sent == 0  # the sender never sends a code: the page does
    with app.app_context():
        texts.send_one(db, message, client_for, fake_notify.TEMPLATE_ID, words, commit=db.commit, code=code)
    db.commit()
    assert message.state == TextState.NOT_SENT and notify.sent == []  # a server error: given up (they ask again)
    again, code = texts.start_confirming(db, resident.id, NUMBER, "secret")
    with app.app_context():
        texts.send_one(db, again, client_for, fake_notify.TEMPLATE_ID, words, code=None)
    assert again.state == TextState.NOT_SENT  # (no code, no text)


def test_a_stale_copy_of_a_sent_text_changes_nothing(app, db, people, notify, client_for):
    resident = people.user("amira")
    _confirmed(db, resident)
    message = texts.queue(db, resident.id, TextKind.REFERRAL_NEWS)
    db.commit()
    stale = TextMessage(**{**message.model_dump()})
    _send(app, db, client_for)
    with app.app_context():
        texts.send_one(db, stale, client_for, fake_notify.TEMPLATE_ID, words)
    db.expire_all()
    assert db.get(TextMessage, message.id).state == TextState.DELIVERED and len(notify.sent) == 1


def test_a_bad_key_keeps_texts_waiting_and_notify_forgetting_a_text_ends_in_not_delivered(app, db, people, notify):
    resident = people.user("amira")
    _confirmed(db, resident)
    message = texts.queue(db, resident.id, TextKind.REFERRAL_NEWS)
    db.commit()
    notify.outcome[NUMBER] = "sending"  # (Notify will not say what became of it)
    wrong = NotificationsAPIClient(f"bad-{fake_notify.SERVICE_ID}-{'0' * 36}", base_url=notify.url)
    assert _send(app, db, wrong).retrying == 1 and notify.refused_tokens == 1
    db.refresh(message)
    assert message.state == TextState.WAITING
    later = datetime.now(UTC) + timedelta(minutes=5)
    right = NotificationsAPIClient(fake_notify.API_KEY, base_url=notify.url)
    _send(app, db, right, later - timedelta(minutes=4))  # (sent: its status comes later)
    db.refresh(message)
    assert message.state == TextState.SENDING and _send(app, db, right, later).updated == 0
    assert _send(app, db, right, datetime.now(UTC) + texts.STATUS_GIVEN_UP_AFTER + timedelta(hours=1)).updated == 1
    db.refresh(message)
    assert message.state == TextState.TECHNICAL_FAILURE


def test_nothing_is_queued_without_a_confirmed_number_a_yes_that_texting_is_safe_and_that_kind(db, people):
    resident = people.user("amira")
    assert texts.queue(db, resident.id, TextKind.REFERRAL_NEWS) is None  # no number
    texts.start_confirming(db, resident.id, NUMBER, "secret")
    assert texts.queue(db, resident.id, TextKind.REFERRAL_NEWS) is None  # not confirmed yet
    _confirmed(db, resident, safe=False)
    assert texts.queue(db, resident.id, TextKind.REFERRAL_NEWS) is None  # not safe to text
    texts.choose(db, resident.id, Choices(True, False, [str(TextKind.SETUP_CODE)], None, None, None))
    assert texts.queue(db, resident.id, TextKind.REFERRAL_NEWS) is None  # not this kind
    assert texts.queue(db, resident.id, TextKind.SETUP_CODE).to == NUMBER


def test_saying_texting_is_not_safe_stops_the_texts_still_waiting(db, people):
    resident = people.user("amira")
    _confirmed(db, resident)
    waiting = texts.queue(db, resident.id, TextKind.REFERRAL_NEWS)
    texts.choose(db, resident.id, Choices(False, False, EVERY_KIND, None, None, None))
    db.commit()
    assert db.get(TextMessage, waiting.id).state == TextState.NOT_SENT


@pytest.mark.parametrize("at, quiet, expected", [
    ("2026-12-03T22:30", (21, 8), "2026-12-04T08:00"),  # over midnight, winter (UK time is UTC)
    ("2026-12-04T03:00", (21, 8), "2026-12-04T08:00"),
    ("2026-12-04T12:00", (21, 8), "2026-12-04T12:00"),  # not quiet: now
    ("2026-07-01T06:30", (0, 9), "2026-07-01T08:00"),  # summer: 07:30 in the UK, quiet until 09:00 BST = 08:00 UTC
    ("2026-12-04T13:00", (13, 14), "2026-12-04T14:00"),
])
def test_quiet_hours_are_in_uk_time_and_can_run_over_midnight(at, quiet, expected):
    settings = ContactSettings(resident_id="x", kinds=[], quiet_from=quiet[0], quiet_until=quiet[1])
    moment = datetime.fromisoformat(at).replace(tzinfo=UTC)
    assert texts.after_quiet_hours(settings, moment) == datetime.fromisoformat(expected).replace(tzinfo=UTC)


def test_a_text_is_discreet_unless_the_resident_chose_fuller_and_in_their_language(app, db, people, notify, client_for):
    english, polish = people.user("amira"), people.user("dawid", preferred_language="pl")
    _confirmed(db, english, "+447700900111")
    _confirmed(db, polish, "+447700900222", fuller=True)
    texts.queue(db, english.id, TextKind.REFERRAL_WAITING)
    texts.queue(db, polish.id, TextKind.REFERRAL_WAITING)
    db.commit()
    report = _send(app, db, client_for)
    assert report.sent == 2
    assert notify.bodies_to("+447700900111") == ["You have an update in Me and My Learning. Sign in to see it."]
    [fuller] = notify.bodies_to("+447700900222")
    assert "Me and My Learning" in fuller and "update" not in fuller.lower().split("me and my learning")[0]
    with app.app_context(), app.test_request_context():
        from flask_babel import force_locale
        from flask_babel import gettext as _
        with force_locale("pl"):
            assert _("A service would like to help you and is waiting for your answer.") in fuller


def test_delivered_and_permanent_failure_come_back_from_notify_and_the_failure_shows(app, db, people, notify, client_for):
    delivered, failing = people.user("amira"), people.user("ella")
    _confirmed(db, delivered, "+447700900111")
    _confirmed(db, failing, "+447700900333")
    notify.outcome["+447700900333"] = "permanent-failure"
    texts.queue(db, delivered.id, TextKind.SETUP_CODE)
    texts.queue(db, failing.id, TextKind.SETUP_CODE)
    db.commit()
    first = _send(app, db, client_for)
    assert first.sent == 2 and first.updated == 2  # sent, then asked about in the same run
    sent = db.exec(select(TextMessage).where(TextMessage.kind == TextKind.SETUP_CODE)).all()
    states = {m.to: m.state for m in sent}
    assert states == {"+447700900111": TextState.DELIVERED, "+447700900333": TextState.PERMANENT_FAILURE}
    assert texts.failed_recently(db, failing.id) is not None and texts.failed_recently(db, delivered.id) is None
    assert all(m.notify_id for m in sent)


def test_server_errors_are_retried_with_back_off_and_a_refusal_is_not(app, db, people, notify, client_for):
    flaky, refused = people.user("amira"), people.user("ella")
    _confirmed(db, flaky, "+447700900111")
    _confirmed(db, refused, "+447700900444")
    notify.errors_before["+447700900111"] = 2
    notify.outcome["+447700900444"] = "refuse"
    first = texts.queue(db, flaky.id, TextKind.REFERRAL_NEWS)
    second = texts.queue(db, refused.id, TextKind.REFERRAL_NEWS)
    db.commit()
    now = datetime.now(UTC)
    report = _send(app, db, client_for, now)
    assert (report.retrying, report.dropped) == (1, 1)
    db.refresh(first)
    assert first.state == TextState.WAITING and first.send_after == now + timedelta(minutes=1)
    assert db.get(TextMessage, second.id).state == TextState.NOT_SENT
    assert _send(app, db, client_for, now + timedelta(seconds=30)).sent == 0  # not before its time
    assert _send(app, db, client_for, now + timedelta(minutes=1)).retrying == 1
    db.refresh(first)
    assert first.send_after == now + timedelta(minutes=1) + timedelta(minutes=2)
    assert _send(app, db, client_for, now + timedelta(minutes=3)).sent == 1
    assert len(notify.bodies_to("+447700900111")) == 1 and notify.bodies_to("+447700900444") == []


def test_a_text_failing_again_and_again_is_given_up(app, db, people, notify, client_for):
    resident = people.user("amira")
    _confirmed(db, resident)
    notify.errors_before[NUMBER] = 100
    message = texts.queue(db, resident.id, TextKind.REFERRAL_NEWS)
    db.commit()
    at = datetime.now(UTC)
    for _ in range(texts.MAX_ATTEMPTS):
        _send(app, db, client_for, at)
        at += timedelta(hours=1)
    db.refresh(message)
    assert message.state == TextState.NOT_SENT and message.attempts == texts.MAX_ATTEMPTS


def test_a_text_queued_in_quiet_hours_waits_until_they_end(app, db, people, notify, client_for):
    resident = people.user("amira")
    _confirmed(db, resident, quiet=(21, 8))
    night = datetime(2026, 12, 3, 23, 0, tzinfo=UTC)
    message = texts.queue(db, resident.id, TextKind.CHECK_IN_REMINDER, now=night)
    db.commit()
    assert message.send_after == datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    assert _send(app, db, client_for, night + timedelta(hours=1)).sent == 0 and notify.sent == []
    assert _send(app, db, client_for, datetime(2026, 12, 4, 8, 1, tzinfo=UTC)).sent == 1


def test_two_senders_at_once_send_each_text_once(app, db, people, notify, client_for):
    residents = [people.user(f"resident{n}") for n in range(6)]
    for n, resident in enumerate(residents):
        _confirmed(db, resident, f"+4477009005{n:02d}")
        texts.queue(db, resident.id, TextKind.REFERRAL_NEWS)
    db.commit()
    start = threading.Barrier(2)
    failures = []

    def sender():
        try:
            with Session(app.extensions["tracker_engine"], expire_on_commit=False) as session:
                start.wait()
                _send(app, session, NotificationsAPIClient(fake_notify.API_KEY, base_url=notify.url))
        except Exception as error:
            failures.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert sorted(s["phone_number"] for s in notify.sent) == sorted(f"+4477009005{n:02d}" for n in range(6))


# --- Where texts come from, the command, the export --------------------------------------------------


def test_a_new_set_up_code_from_staff_is_texted_if_the_resident_said_yes(db, people):
    from tracker.domain import setup_codes
    from tracker.models import SetupCodePurpose

    resident, tutor = people.user("amira"), people.user("tutor.jo", Role.TUTOR)
    _confirmed(db, resident)
    setup_codes.issue(db, resident, SetupCodePurpose.RESET, tutor)
    db.commit()
    [message] = db.exec(select(TextMessage).where(TextMessage.kind == TextKind.SETUP_CODE)).all()
    assert message.resident_id == resident.id and message.state == TextState.WAITING


def test_the_command_sends_through_notify_when_a_key_is_set(database_url, notify, people, db):
    resident = people.user("amira")
    _confirmed(db, resident)
    texts.queue(db, resident.id, TextKind.REFERRAL_NEWS)
    db.commit()
    app = make_app(database_url, NOTIFY_API_KEY=fake_notify.API_KEY, NOTIFY_SMS_TEMPLATE_ID=fake_notify.TEMPLATE_ID,
                   NOTIFY_BASE_URL=notify.url)
    result = app.test_cli_runner().invoke(args=["send-texts"], catch_exceptions=False)
    assert "1 sent" in result.output and notify.bodies_to(NUMBER) == ["You have an update in Me and My Learning. Sign in to see it."]
    app.extensions["tracker_engine"].dispose()


def test_without_a_key_texts_stay_in_the_outbox(app, db, people, notify):
    resident = people.user("amira")
    _confirmed(db, resident)
    message = texts.queue(db, resident.id, TextKind.REFERRAL_NEWS)
    db.commit()
    result = app.test_cli_runner().invoke(args=["send-texts"], catch_exceptions=False)
    assert "1 sent" in result.output and notify.sent == []
    db.refresh(message)
    assert message.state == TextState.DELIVERED


def test_the_export_has_the_settings_and_the_texts_and_erasure_removes_them(db, people):
    resident = people.user("amira")
    _confirmed(db, resident, quiet=(21, 8))
    texts.queue(db, resident.id, TextKind.REFERRAL_NEWS)
    db.commit()
    exported = data_rights.export(db, resident)["how_we_contact_you"]
    assert exported["mobile"] == NUMBER and exported["quiet_hours"] == [21, 8] and exported["safe_to_text"] is True
    assert [t["about"] for t in exported["texts"]] == ["confirm_number", "referral_news"]
    data_rights.erase(db, resident)
    db.commit()
    assert db.exec(select(TextMessage)).all() == [] and db.exec(select(ContactSettings)).all() == []


def test_admins_see_the_outbox_in_development_only(database_url, db, people):
    from tests.conftest import sign_in

    resident = people.user("amira")
    people.user("admin.one", Role.ADMIN)
    _confirmed(db, resident)
    texts.queue(db, resident.id, TextKind.REFERRAL_NEWS)
    db.commit()
    development = make_app(database_url, ENV="development")
    development.test_cli_runner().invoke(args=["send-texts"], catch_exceptions=False)
    admin = development.test_client()
    sign_in(admin, "admin.one")
    page = admin.get("/admin/outbox")
    assert page.status_code == 200 and "07700 900111" in page.text and "You have an update in Me and My Learning" in page.text
    assert 'href="/admin/outbox"' in admin.get("/admin/").text
    development.extensions["tracker_engine"].dispose()
    live = make_app(database_url, ENV="development", NOTIFY_API_KEY=fake_notify.API_KEY)
    admin = live.test_client()
    sign_in(admin, "admin.one")
    assert admin.get("/admin/outbox").status_code == 404  # (texts really go out: nobody reads them here)
    live.extensions["tracker_engine"].dispose()
    for outside in ("amira",):
        other = make_app(database_url, ENV="development")
        browser = other.test_client()
        sign_in(browser, outside)
        assert browser.get("/admin/outbox").status_code in (403, 404)
        other.extensions["tracker_engine"].dispose()


def test_a_check_in_reminder_comes_every_few_weeks_after_the_last_check_in_or_reminder(db, people):
    from tracker.models import CheckIn

    resident, other = people.user("amira"), people.user("ella")
    _confirmed(db, resident)
    texts.choose(db, resident.id, Choices(True, False, [str(TextKind.CHECK_IN_REMINDER)], None, None, 4))
    _confirmed(db, other, "+447700900222")
    texts.choose(db, other.id, Choices(True, False, [str(TextKind.REFERRAL_NEWS)], None, None, 2))  # (a reminder but no yes to them)
    now = datetime.now(UTC)
    db.add(CheckIn(resident_id=resident.id, area="digital", stage=2, made_at=now - timedelta(weeks=3), recorded_by_id=resident.id))
    db.commit()
    assert texts.queue_reminders(db, now) == 0  # checked in 3 weeks ago
    assert texts.queue_reminders(db, now + timedelta(weeks=1, minutes=1)) == 1
    db.commit()
    assert texts.queue_reminders(db, now + timedelta(weeks=2)) == 0  # reminded a week ago
    assert texts.queue_reminders(db, now + timedelta(weeks=5, minutes=2)) == 1
    reminders = db.exec(select(TextMessage).where(TextMessage.kind == TextKind.CHECK_IN_REMINDER)).all()
    assert {m.resident_id for m in reminders} == {resident.id}


def test_sharing_ending_soon_ended_or_put_on_hold_is_texted_once_to_those_who_want_it(db, people):
    from tests.sharing_helpers import SECRET, Sharing, publish
    from tracker.domain import consent

    sharing = Sharing(db, people)
    wants, does_not = people.user("amira"), people.user("ella")
    _confirmed(db, wants)
    _confirmed(db, does_not, "+447700900222", kinds=[str(TextKind.REFERRAL_NEWS)])
    for resident in (wants, does_not):
        sharing.give(resident, sharing.a, "digital", months=3)
        sharing.give(resident, sharing.b, "financial", months=12)
    now = datetime.now(UTC)
    assert texts.queue_sharing_ending_soon(db, now + timedelta(days=60)) == 0  # a month to go
    assert texts.queue_sharing_ending_soon(db, now + timedelta(days=80)) == 1  # within 14 days now: amira only
    db.commit()
    assert texts.queue_sharing_ending_soon(db, now + timedelta(days=85)) == 0  # told already about that one
    publish(db, sharing.b, "financial", material=True, change={"en": "We now share with the council.", "pl": "Udostępniamy radzie."})
    db.commit()
    with time_machine.travel(now + timedelta(days=100), tick=False):
        consent.expire_lapsed(db, SECRET)
    db.commit()
    why = [m.details.get("why") for m in db.exec(select(TextMessage).where(TextMessage.kind == TextKind.SHARING_ENDING)
                                                  .order_by(TextMessage.created_at)).all()]
    assert sorted(why) == ["ended", "ending", "on_hold"]
    assert {m.resident_id for m in db.exec(select(TextMessage).where(TextMessage.kind == TextKind.SHARING_ENDING)).all()} == {wants.id}
