"""A forgotten password, with a code by text to the resident's confirmed number: through the real
Notify client and the fake Notify server. The same answer whether or not the username and number
are anyone's; 6 digits, 10 minutes, 3 tries; limited per number and per address; every session
ends; the change is in the resident's history."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from tests import fake_notify
from tests.conftest import PASSWORD, make_app, sign_in
from tracker.domain import texts
from tracker.domain.texts import Choices
from tracker.models import AccountEvent, AccountEventKind, TextKind, TextMessage

NUMBER = "+447700900111"
NEW_PASSWORD = "violet kettle harbour"


@pytest.fixture
def database_url(any_database_url):
    return any_database_url


@pytest.fixture
def app(database_url, notify):
    app = make_app(database_url, WTF_CSRF_ENABLED=False, NOTIFY_API_KEY=fake_notify.API_KEY,
                   NOTIFY_SMS_TEMPLATE_ID=fake_notify.TEMPLATE_ID, NOTIFY_BASE_URL=notify.url)
    yield app
    app.extensions["tracker_engine"].dispose()


def _with_number(db, resident, *, safe=True, codes=True, quiet=(None, None)):
    _message, code = texts.start_confirming(db, resident.id, NUMBER, "x")
    texts.confirm(db, resident.id, code, "x")
    texts.choose(db, resident.id, Choices(safe, False, [str(TextKind.RESET_CODE)] if codes else [], *quiet, None))
    db.commit()


def _code(notify) -> str:
    return re.search(r"\b(\d{6})\b", notify.bodies_to(NUMBER)[-1]).group(1)


def test_a_resident_chooses_a_new_password_with_a_code_by_text_and_is_signed_out_elsewhere(app, db, people, notify):
    resident = people.user("amira")
    _with_number(db, resident)
    elsewhere = app.test_client()
    sign_in(elsewhere, "amira")
    assert elsewhere.get("/me/").status_code == 200
    browser = app.test_client()
    assert 'href="/forgot"' in browser.get("/login").text
    asked = browser.post("/forgot", data={"username": "Amira", "mobile": "07700 900 111"})
    assert asked.status_code == 303 and asked.headers["Location"] == "/forgot/code"
    [text] = notify.bodies_to(NUMBER)
    code = _code(notify)
    assert "choose a new password" in text and code not in str(db.exec(select(TextMessage.details)).all())
    spaced = browser.post("/forgot/code", data={"code": "12 34", "password": NEW_PASSWORD})
    assert spaced.status_code == 400 and "The code is 6 numbers" in spaced.text  # (a form error, not a try)
    wrong = browser.post("/forgot/code", data={"code": f"{(int(code) + 1) % 10 ** 6:06d}", "password": NEW_PASSWORD})
    assert wrong.status_code == 400 and "govuk-error-summary" in wrong.text
    weak = browser.post("/forgot/code", data={"code": code, "password": "short"})
    assert weak.status_code == 400 and "at least 12 characters" in weak.text
    done = browser.post("/forgot/code", data={"code": code, "password": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["Location"].startswith("/me")
    assert browser.get("/me/").status_code == 200  # signed in here
    assert elsewhere.get("/me/").status_code == 303  # and nowhere else
    assert sign_in(app.test_client(), "amira", PASSWORD).status_code != 303
    assert sign_in(app.test_client(), "amira", NEW_PASSWORD).status_code == 303
    db.expire_all()
    assert [e.kind for e in db.exec(select(AccountEvent).where(AccountEvent.resident_id == resident.id)).all()][-1] == \
        AccountEventKind.PASSWORD_RESET_BY_TEXT
    again = app.test_client()
    again.post("/forgot", data={"username": "amira", "mobile": NUMBER})
    assert again.post("/forgot/code", data={"code": code, "password": NEW_PASSWORD + " two"}).status_code == 400  # used once


@pytest.mark.parametrize("username, number, settings", [
    ("nobody", "07700900111", {}), ("amira", "07700900999", {}), ("amira", "07700900111", {"safe": False}),
    ("amira", "07700900111", {"codes": False}), ("tutor.jo", "07700900111", {}),
    ("amira", "07700900111", {"quiet": (0, 23)}),  # (quiet nearly all day: nothing at 23:00 either)
])
def test_the_answer_is_the_same_whoever_asks_and_nothing_is_sent_unless_it_should_be(app, db, people, notify, username, number, settings):
    from tracker.models import Role

    resident = people.user("amira")
    people.user("tutor.jo", Role.TUTOR)
    quiet = settings.get("quiet")
    if quiet:  # quiet for the hour it is now, in the UK
        from datetime import UTC, datetime
        from zoneinfo import ZoneInfo
        hour = datetime.now(UTC).astimezone(ZoneInfo("Europe/London")).hour
        settings = {**settings, "quiet": (hour, (hour + 1) % 24)}
    _with_number(db, resident, **settings)
    browser = app.test_client()
    answer = browser.post("/forgot", data={"username": username, "mobile": number})
    assert answer.status_code == 303 and answer.headers["Location"] == "/forgot/code"
    page = browser.get("/forgot/code")
    assert "If the username and number match an account, we have sent a code" in page.text
    assert notify.sent == []
    assert browser.post("/forgot/code", data={"code": "123456", "password": NEW_PASSWORD}).status_code == 400


def test_saying_texting_is_not_safe_any_more_stops_a_code_already_sent(app, db, people, notify):
    resident = people.user("amira")
    _with_number(db, resident)
    browser = app.test_client()
    browser.post("/forgot", data={"username": "amira", "mobile": NUMBER})
    code = _code(notify)
    texts.choose(db, resident.id, Choices(False, False, [str(TextKind.RESET_CODE)], None, None, None))
    db.commit()
    assert browser.post("/forgot/code", data={"code": code, "password": NEW_PASSWORD}).status_code == 400


def test_asking_twice_at_once_sends_one_code_that_works(app, db, people, notify):
    _with_number(db, people.user("amira"))
    browser = app.test_client()
    for _ in range(2):
        assert browser.post("/forgot", data={"username": "amira", "mobile": NUMBER}).status_code == 303
    assert len(notify.bodies_to(NUMBER)) == 1
    assert browser.post("/forgot/code", data={"code": _code(notify), "password": NEW_PASSWORD}).status_code == 303


def test_three_wrong_codes_and_the_code_stops_working(app, db, people, notify):
    _with_number(db, people.user("amira"))
    browser = app.test_client()
    browser.post("/forgot", data={"username": "amira", "mobile": NUMBER})
    code = _code(notify)
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    for _ in range(3):
        assert browser.post("/forgot/code", data={"code": wrong, "password": NEW_PASSWORD}).status_code == 400
    assert browser.post("/forgot/code", data={"code": code, "password": NEW_PASSWORD}).status_code == 400
    assert sign_in(app.test_client(), "amira", PASSWORD).status_code == 303  # nothing changed


def test_asking_is_limited_per_number_and_per_address(app, db, people, notify):
    _with_number(db, people.user("amira"))
    for attempt in range(3):
        assert app.test_client().post("/forgot", data={"username": f"someone{attempt}", "mobile": NUMBER}).status_code == 303
    limited = app.test_client().post("/forgot", data={"username": "amira", "mobile": NUMBER})
    assert limited.status_code == 429 and "too many codes" in limited.text and notify.sent == []
    for n in range(6):  # 3 already from this address; 10 in all
        assert app.test_client().post("/forgot", data={"username": "x", "mobile": f"0770090020{n}"}).status_code == 303
    assert app.test_client().post("/forgot", data={"username": "x", "mobile": "07700900300"}).status_code != 429
    assert app.test_client().post("/forgot", data={"username": "x", "mobile": "07700900301"}).status_code == 429


@pytest.mark.parametrize("data", [{"username": "amira", "mobile": "01664 000101"}, {"username": "amira", "mobile": "<b>07700</b>"},
                                  {"username": "a" * 41, "mobile": NUMBER}, {"username": "", "mobile": ""},
                                  {"username": "ami\x00ra", "mobile": NUMBER}])
def test_bad_input_is_a_gov_uk_error(app, data):
    page = app.test_client().post("/forgot", data=data)
    assert page.status_code == 400 and "govuk-error-summary" in page.text and "<b>07700" not in page.text


def test_the_code_page_without_asking_first_goes_back(app):
    assert app.test_client().get("/forgot/code").headers["Location"] == "/forgot"


def test_the_limit_per_number_holds_when_requests_come_at_the_same_moment(app, db, people, notify):
    import threading

    _with_number(db, people.user("amira"))
    start, answers = threading.Barrier(6), []

    def ask(n):
        client = app.test_client()
        start.wait()
        answers.append(client.post("/forgot", data={"username": f"user{n}", "mobile": NUMBER},
                                   environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(answers) == [303, 303, 303, 429, 429, 429]


def test_the_answer_takes_as_long_whether_or_not_a_code_was_texted(database_url, db, people, notify):
    import time

    notify_app = make_app(database_url, WTF_CSRF_ENABLED=False, NOTIFY_API_KEY=fake_notify.API_KEY, FORGOT_ANSWER_SECONDS=0.8,
                          NOTIFY_SMS_TEMPLATE_ID=fake_notify.TEMPLATE_ID, NOTIFY_BASE_URL=notify.url)
    _with_number(db, people.user("amira"))
    took = {}
    for username in ("amira", "nobody"):
        started = time.monotonic()
        assert notify_app.test_client().post("/forgot", data={"username": username, "mobile": NUMBER}).status_code == 303
        took[username] = time.monotonic() - started
    assert len(notify.sent) == 1  # (a code went to Amira; nothing for nobody)
    assert all(seconds >= 0.8 for seconds in took.values()), took
    assert abs(took["amira"] - took["nobody"]) < 0.4, took  # the text's own time is inside the floor
    notify_app.extensions["tracker_engine"].dispose()
