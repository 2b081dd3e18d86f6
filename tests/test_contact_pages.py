"""How we contact you: the resident's choices about texts, their number confirmed with a code we
text them, the texts we sent, and removing the number."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from tests.conftest import sign_in
from tracker.domain import texts
from tracker.models import ContactSettings, TextKind, TextMessage, TextState

GOOD = {"texts_safe": "yes", "kinds": ["referral_waiting", "check_in_reminder"], "fuller": "fuller",
        "quiet_from": "21", "quiet_until": "8", "reminder": "4"}


class Sent:
    """The texts handed to the stand-in for Notify, and what they said."""

    def __init__(self):
        self.texts: list[dict] = []

    def code(self) -> str:
        return re.search(r"\b(\d{6})\b", self.texts[-1]["personalisation"]["message"]).group(1)


@pytest.fixture
def sent(monkeypatch):
    import tracker.web.text_wording as wording

    captured = Sent()
    outbox = texts.Outbox()

    class Recording:
        def send_sms_notification(self, **kwargs):
            captured.texts.append(kwargs)
            return outbox.send_sms_notification(**kwargs)

        def get_notification_by_id(self, notification_id):
            return outbox.get_notification_by_id(notification_id)

    monkeypatch.setattr(wording, "notifier", lambda: (Recording(), "template-id"))
    return captured


@pytest.fixture
def amira(people):
    return people.user("amira", display_name="Amira Hassan")


@pytest.fixture
def client(app, amira):
    client = app.test_client()
    sign_in(client, "amira")
    return client


def _settings(db, resident) -> ContactSettings | None:
    db.expire_all()
    return db.get(ContactSettings, resident.id)


def test_the_page_starts_with_nothing_chosen_and_no_number(client):
    page = client.get("/me/contact").text
    assert "How we contact you" in page and "Is it safe for us to text you?" in page
    assert re.search(r'value="no"\s+checked', page) and not re.search(r'value="yes"\s+checked', page)
    assert re.search(r'value="discreet"\s+checked', page)
    assert "Only that there is an update. Sign in to see it." in page
    for words in ("A service asks to help you and waits for your answer", "News about a referral: accepted, turned down or no answer",
                  "Your sharing is ending or was paused", "A member of staff gave you a new set-up code", "A reminder to check in on your plan"):
        assert words in page
    assert "No quiet hours" in page and "23:00" in page and "Every 8 weeks" in page
    assert 'href="/me/contact/number">Add a number' in page and "Remove my number" not in page
    assert "We have not sent you any texts." in page


def test_my_data_and_home_lead_to_it(client):
    assert 'href="/me/contact"' in client.get("/me/data").text
    assert 'href="/me/contact"' in client.get("/me/").text


def test_saving_the_choices(client, db, amira):
    response = client.post("/me/contact", data=GOOD)
    assert response.status_code == 303 and response.location.endswith("/me/contact")
    settings = _settings(db, amira)
    assert settings.texts_safe and settings.fuller_texts
    assert settings.kinds == ["referral_waiting", "check_in_reminder"]
    assert (settings.quiet_from, settings.quiet_until, settings.reminder_weeks) == (21, 8, 4)
    page = client.get("/me/contact").text
    assert "Your choices about texts are saved." in page and "govuk-notification-banner--success" in page
    assert re.search(r'value="yes"\s+checked', page) and re.search(r'value="check_in_reminder"\s+checked', page)
    assert re.search(r'<option value="21"\s+selected', page)

    client.post("/me/contact", data={"texts_safe": "no", "fuller": "discreet", "quiet_from": "", "quiet_until": "", "reminder": "none"})
    settings = _settings(db, amira)
    assert not settings.texts_safe and settings.kinds == [] and settings.quiet_from is None and settings.reminder_weeks is None


@pytest.mark.parametrize(("change", "message"), [
    ({"texts_safe": "x" * 3000}, "Choose whether it is safe for us to text you"),
    ({"texts_safe": "<script>alert(1)</script>"}, "Choose whether it is safe for us to text you"),
    ({"kinds": ["referral_waiting", "confirm_number"]}, "Choose the messages you want from the list"),
    ({"kinds": ["<b>news</b>"]}, "Choose the messages you want from the list"),
    ({"quiet_from": "25"}, "Choose a time from the list"),
    ({"quiet_until": "-1"}, "Choose a time from the list"),
    ({"quiet_until": ""}, "Choose both times, or No quiet hours for both"),
    ({"quiet_until": "21"}, "Quiet hours must start and end at different times"),
    ({"reminder": "3"}, "Choose how often to remind you"),
    ({"fuller": None}, "Choose how much a text should say"),
])
def test_a_bad_answer_is_a_gov_uk_error_and_nothing_is_saved(client, db, amira, change, message):
    data = {**GOOD, **change}
    response = client.post("/me/contact", data={k: v for k, v in data.items() if v is not None})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text and message in response.text and "<title>Error:" in response.text
    assert "<script>alert(1)</script>" not in response.text
    assert _settings(db, amira) is None


def test_a_number_gets_a_code_and_the_right_code_confirms_it(client, db, amira, sent):
    response = client.post("/me/contact/number", data={"mobile": "07700 900 982"})
    assert response.status_code == 303 and response.location.endswith("/me/contact/confirm")
    assert len(sent.texts) == 1 and sent.texts[0]["phone_number"] == "+447700900982"
    code = sent.code()
    message = db.exec(select(TextMessage).where(TextMessage.resident_id == amira.id)).one()
    assert message.kind == TextKind.CONFIRM_NUMBER and message.state == TextState.SENDING and message.details == {}  # the code is not kept
    assert "We sent a code to 07700 900982." in client.get("/me/contact").text
    page = client.get("/me/contact/confirm").text
    assert "Enter the 6-digit code we sent to 07700 900982" in page
    assert 'inputmode="numeric"' in page and 'autocomplete="one-time-code"' in page
    assert _settings(db, amira).mobile is None  # not until it is confirmed

    response = client.post("/me/contact/confirm", data={"code": f" {code[:3]} {code[3:]} "})
    assert response.status_code == 303 and response.location.endswith("/me/contact")
    assert _settings(db, amira).mobile == "+447700900982"
    page = client.get("/me/contact").text
    assert "Your number is confirmed." in page and "07700 900982" in page and "Remove my number" in page
    assert "The code to confirm your number" in page and ">Sent<" in page  # Texts we sent you


def test_three_wrong_codes_and_it_stops_working(client, db, amira, sent):
    client.post("/me/contact/number", data={"mobile": "+44 7700 900982"})
    right = sent.code()
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(2):
        response = client.post("/me/contact/confirm", data={"code": wrong})
        assert response.status_code == 400 and "The code is not right. Check the text and try again" in response.text
        assert "govuk-error-summary" in response.text
    response = client.post("/me/contact/confirm", data={"code": wrong})
    assert response.status_code == 400 and "This code no longer works. Ask for a new one." in response.text
    assert 'href="/me/contact/number"' in response.text
    response = client.post("/me/contact/confirm", data={"code": right})
    assert "This code no longer works" in response.text
    assert _settings(db, amira).mobile is None
    assert "This code no longer works" in client.get("/me/contact/confirm").text
    assert "Enter the code to confirm the number" not in client.get("/me/contact").text  # (it would only say so again)


def test_confirming_with_nothing_waiting_goes_back_to_the_page(client):
    assert client.get("/me/contact/confirm").location.endswith("/me/contact")
    assert client.post("/me/contact/confirm", data={"code": "123456"}).location.endswith("/me/contact")


@pytest.mark.parametrize(("number", "message"), [
    ("", "Enter a UK mobile number, like 07700 900 982"),
    ("07700 90098a", "A mobile number must not contain letters or symbols"),
    ("<script>", "A mobile number must not contain letters or symbols"),
    ("0116 496 0000", "This is not a UK mobile number"),
    ("07700 9009", "The number is too short"),
    ("07700 900 98222", "The number is too long"),
    ("0" * 3000, "The number is too long"),
])
def test_a_number_that_is_not_a_uk_mobile_is_refused_in_plain_words(client, db, amira, sent, number, message):
    response = client.post("/me/contact/number", data={"mobile": number})
    assert response.status_code == 400 and message in response.text and "govuk-error-summary" in response.text
    assert sent.texts == [] and _settings(db, amira) is None


def test_the_number_page_asks_for_a_phone_number(client):
    page = client.get("/me/contact/number").text
    assert 'type="tel"' in page and 'autocomplete="tel"' in page


def test_at_most_three_numbers_an_hour(client, db, amira, sent):
    for last in range(3):
        assert client.post("/me/contact/number", data={"mobile": f"0770090098{last}"}).status_code == 303
    response = client.post("/me/contact/number", data={"mobile": "07700900989"})
    assert response.status_code == 400 and "You have tried 3 numbers in the last hour" in response.text
    assert len(sent.texts) == 3 and _settings(db, amira).pending_mobile == "+447700900982"


def test_a_text_that_cannot_be_sent_leaves_no_number_waiting(client, db, amira, monkeypatch):
    import tracker.web.text_wording as wording

    class Broken:
        def send_sms_notification(self, **kwargs):
            raise ConnectionError("no network")

    monkeypatch.setattr(wording, "notifier", lambda: (Broken(), "template-id"))
    response = client.post("/me/contact/number", data={"mobile": "07700900982"})
    assert response.status_code == 400 and "We could not send a text just now. Try again in a few minutes" in response.text
    settings = _settings(db, amira)
    assert settings.pending_mobile is None and settings.code_hash is None and settings.mobile is None
    assert [m.state for m in db.exec(select(TextMessage)).all()] == [TextState.NOT_SENT]  # (on their page: we tried)


def test_removing_the_number(client, db, amira, sent):
    client.post("/me/contact/number", data={"mobile": "07700900982"})
    client.post("/me/contact/confirm", data={"code": sent.code()})
    response = client.post("/me/contact/remove-number")
    assert response.status_code == 303
    assert _settings(db, amira).mobile is None
    page = client.get("/me/contact").text
    assert "Your number is removed. We will not text you." in page and "Add a number" in page


def test_a_failed_text_is_shown_as_a_warning(client, db, amira, sent):
    client.post("/me/contact/number", data={"mobile": "07700900982"})
    client.post("/me/contact/confirm", data={"code": sent.code()})
    message = db.exec(select(TextMessage).where(TextMessage.resident_id == amira.id)).one()
    message.state = TextState.PERMANENT_FAILURE
    db.add(message)
    db.commit()
    page = client.get("/me/contact").text
    assert "We could not text your number on" in page and "Check the number is right." in page
    assert "Could not be delivered" in page


def test_a_resident_sees_and_changes_only_their_own(app, client, db, people, amira, sent):
    client.post("/me/contact", data=GOOD)
    client.post("/me/contact/number", data={"mobile": "07700900982"})
    client.post("/me/contact/confirm", data={"code": sent.code()})
    other = people.user("ben")
    theirs = app.test_client()
    sign_in(theirs, "ben")
    page = theirs.get("/me/contact").text
    assert "07700 900982" not in page and "We have not sent you any texts." in page
    assert not re.search(r'value="yes"\s+checked', page)
    theirs.post("/me/contact/remove-number")
    assert _settings(db, amira).mobile == "+447700900982" and _settings(db, other) is None


def test_the_pages_are_in_polish(client):
    client.get("/language/pl")
    page = client.get("/me/contact").text
    assert "Is it safe for us to text you?" not in page and "Czy możemy bezpiecznie wysyłać Ci SMS-y?" in page
    assert "Co 2 tygodnie" in page and "Co 8 tygodni" in page


def test_the_number_sent_twice_sends_one_code_and_it_works(client, db, amira, sent):
    for _ in range(2):  # (a double tap, or the form sent again on a slow connection)
        response = client.post("/me/contact/number", data={"mobile": "07700900982"})
        assert response.status_code == 303 and response.headers["Location"].endswith("/me/contact/confirm")
    assert len(sent.texts) == 1
    client.post("/me/contact/confirm", data={"code": sent.code()})
    assert _settings(db, amira).mobile == "+447700900982"
