"""New set-up codes given by staff. Before: any tutor could issue a code for any username, use it
at /setup and read the whole plan, with nothing in the resident's "who looked", nothing in the
audit, and "My data" saying the resident chose the new password."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from tests.conftest import PASSWORD, sign_in
from tests.sharing_helpers import Sharing
from tracker.models import AccountEvent, AdminAction, PasswordResetRequest, SetupCode

NEW_PASSWORD = "kettle garden lamp"


@pytest.fixture
def sharing(db, people):
    return Sharing(db, people)


def _client(app, username, password=PASSWORD):
    client = app.test_client()
    assert sign_in(client, username, password).status_code == 303, username
    return client


def _code(html: str) -> str | None:
    found = re.search(r'class="app-receipt-code">([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})<', html)
    return found.group(1) if found else None


def _main(html: str, username: str) -> str:
    return html.split("<main", 1)[1].split("</main>")[0].replace(username, "USERNAME")


def test_a_tutor_cannot_take_over_a_resident_who_shares_nothing_with_them(app, db, sharing, people):
    ben = people.user("ben")
    phone = _client(app, "ben")
    tutor = _client(app, "tutor.a")
    asked = tutor.post("/tutor/password-reset", data={"username": "ben"})
    assert asked.status_code == 200 and _code(asked.text) is None
    assert "An administrator will give the new code" in asked.text
    unknown = tutor.post("/tutor/password-reset", data={"username": "nobody.here"})
    assert _main(unknown.text, "nobody.here") == _main(asked.text, "ben")  # the same answer: no probing for accounts
    assert db.exec(select(SetupCode).where(SetupCode.user_id == ben.id)).all() == []
    assert phone.get("/me/").status_code == 200  # Ben is still signed in: nothing happened to his account
    requests = db.exec(select(PasswordResetRequest).order_by(PasswordResetRequest.requested_at)).all()
    assert [(r.username, r.resident_id, r.requested_by_name, r.provider_name) for r in requests] == [
        ("ben", ben.id, "Jo", "Melton Adult Learning"), ("nobody.here", None, "Jo", "Melton Adult Learning")]
    # Ben is told who asked, in his history and on "who looked".
    for page in ("/me/timeline", "/me/looked", "/me/data"):
        assert "Jo at Melton Adult Learning asked an administrator to give you a new set-up code." in phone.get(page).text, page


def test_a_tutor_may_reset_for_residents_who_share_or_whose_account_they_made(app, db, sharing, people):
    amira = people.user("amira")
    sharing.give(amira, sharing.a, "financial")
    tutor = _client(app, "tutor.a")
    assert _code(tutor.post("/tutor/password-reset", data={"username": "amira"}).text)
    made = tutor.post("/tutor/residents/new", data={"display_name": "Dorota Nowak", "username": "dorota", "language": "en"})
    assert _code(made.text)
    assert _code(tutor.post("/tutor/password-reset", data={"username": "dorota"}).text)  # made here, shares nothing yet
    other = _client(app, "tutor.b")  # another organisation: neither shares with it
    assert _code(other.post("/tutor/password-reset", data={"username": "amira"}).text) is None
    assert _code(other.post("/tutor/password-reset", data={"username": "dorota"}).text) is None


def test_an_admin_answers_the_request_and_the_resident_is_told_and_asked(app, db, sharing, people):
    ben = people.user("ben")
    tutor = _client(app, "tutor.a")
    tutor.post("/tutor/password-reset", data={"username": "ben"})
    admin = _client(app, "the.admin")
    assert "1 waiting" in admin.get("/admin/").text
    page = admin.get("/admin/reset-requests").text
    assert "Username: ben" in page and "Jo, Melton Adult Learning" in page and "Ben Example" not in page  # a code, not a name
    request = db.exec(select(PasswordResetRequest)).one()
    slip = admin.post(f"/admin/reset-requests/{request.id}/give")
    code = _code(slip.text)
    assert code
    again = admin.post(f"/admin/reset-requests/{request.id}/give")  # a second tap
    assert again.status_code == 303 and len(db.exec(select(SetupCode).where(SetupCode.user_id == ben.id)).all()) == 1
    assert [a.action for a in db.exec(select(AdminAction)).all()] == ["reset_code_given"]
    audit = admin.get("/admin/audit?kind=account").text
    assert "New set-up code given" in audit and "New set-up code asked for" in audit

    # Ben signs in with his old password (the code is unused): he is asked about both changes first.
    phone = app.test_client()
    answer = sign_in(phone, "ben")
    assert answer.headers["Location"].endswith("/me/")
    home = phone.get("/me/").text
    assert "Was this you?" in home and "Ada (an administrator) gave you a new set-up code." in home
    assert "Jo at Melton Adult Learning asked an administrator to give you a new set-up code." in home
    event = db.exec(select(AccountEvent).where(AccountEvent.resident_id == ben.id, AccountEvent.kind == "setup_code_issued")).one()
    assert phone.post(f"/me/account/changes/{event.id}/not_me").status_code == 303
    assert phone.post(f"/me/account/changes/{event.id}/not_me").status_code == 303  # a second tap changes nothing
    assert "Ada (an administrator) gave you a new set-up code." not in phone.get("/me/").text
    # "This wasn't me" stops the code at once, and the administrators see it.
    thief = app.test_client()
    refused = thief.post("/setup", data={"username": "ben", "code": code, "password": NEW_PASSWORD})
    assert refused.status_code == 400
    assert "said a change to their account was not them" in admin.get("/admin/").text
    assert "Account changes that residents said were not them" in admin.get("/admin/audit").text
    data = phone.get("/me/export.json").json
    answers = [e["your_answer"]["answer"] for e in data["account_events"] if e["your_answer"]]
    assert answers == ["not_me"]
    assert data["password_reset_requests"][0]["state"] == "code_given"


def test_my_data_says_who_gave_the_code_a_password_was_chosen_with(app, db, sharing, people):
    amira = people.user("amira")
    sharing.give(amira, sharing.a, "digital")
    code = _code(_client(app, "tutor.a").post("/tutor/password-reset", data={"username": "amira"}).text)
    someone = app.test_client()
    assert someone.post("/setup", data={"username": "amira", "code": code, "password": NEW_PASSWORD}).status_code == 303
    home = someone.get("/me/").text
    assert "Was this you?" in home  # whoever typed the new password sees who gave the code
    data = someone.get("/me/data").text
    assert "A new password was chosen with the set-up code from Jo at Melton Adult Learning." in data
    assert "You chose your password" not in data
    _client(app, "amira", NEW_PASSWORD).post("/account/password", data={"current_password": NEW_PASSWORD,
                                                                         "new_password": "another good phrase"})
    assert "You changed your password." in _client(app, "amira", "another good phrase").get("/me/data").text


def test_codes_given_by_a_tutor_are_rate_limited(app, db, sharing, people):
    tutor = _client(app, "tutor.a")
    answers = [tutor.post("/tutor/password-reset", data={"username": f"someone{n}"}).status_code for n in range(21)]
    assert answers[:20] == [200] * 20 and answers[20] == 429


def test_the_right_to_reset_stays_with_the_organisation_that_made_the_account(app, db, sharing, people):
    """A tutor who made an account and then moved to another organisation cannot reset it from
    there; their old organisation still can (until the resident stops sharing with it)."""
    tutor = _client(app, "tutor.a")
    assert _code(tutor.post("/tutor/residents/new", data={"display_name": "Dorota Nowak", "username": "dorota", "language": "en"}).text)
    jo = sharing.tutor_a
    jo.provider_id = sharing.b.id  # Jo moves to Melton Jobs Support
    db.add(jo)
    db.commit()
    moved = _client(app, "tutor.a")
    assert _code(moved.post("/tutor/password-reset", data={"username": "dorota"}).text) is None
    people.user("kim.tutor", role="tutor", provider=sharing.a.name)
    assert _code(_client(app, "kim.tutor").post("/tutor/password-reset", data={"username": "dorota"}).text)
    dorota = db.exec(select(AccountEvent.resident_id).where(AccountEvent.kind == "created_by_tutor")).first()
    from tracker.models import User

    resident = db.get(User, dorota)
    grant, _ = sharing.give(resident, sharing.a, "digital")
    sharing.act(resident, "withdraw", grant)  # she stops sharing with them
    assert _code(_client(app, "kim.tutor").post("/tutor/password-reset", data={"username": "dorota"}).text) is None


def test_this_was_not_me_signs_out_every_other_browser(app, db, sharing, people):
    people.user("ben")
    other = _client(app, "ben")
    here = _client(app, "ben")
    _client(app, "tutor.a").post("/tutor/password-reset", data={"username": "ben"})
    asked = db.exec(select(AccountEvent).where(AccountEvent.kind == "reset_requested")).one()
    assert here.post(f"/me/account/changes/{asked.id}/not_me").status_code == 303
    assert here.get("/me/").status_code == 200
    assert other.get("/me/").status_code == 303  # (someone else's browser, if it was someone else)


def test_a_new_residents_first_password_is_not_questioned(app, db, sharing, people):
    code = _code(_client(app, "tutor.a").post("/tutor/residents/new",
                                              data={"display_name": "Dorota Nowak", "username": "dorota", "language": "en"}).text)
    resident = app.test_client()
    assert resident.post("/setup", data={"username": "dorota", "code": code, "password": NEW_PASSWORD}).status_code == 303
    assert "Was this you?" not in resident.get("/me/").text
    assert "Your first password was chosen with the set-up code from Jo at Melton Adult Learning." in resident.get("/me/data").text


def test_the_admin_audit_keeps_no_username(app, db, sharing, people):
    people.user("dorota.nowak")
    _client(app, "tutor.a").post("/tutor/password-reset", data={"username": "dorota.nowak"})
    admin = _client(app, "the.admin")
    request = db.exec(select(PasswordResetRequest)).one()
    assert _code(admin.post(f"/admin/reset-requests/{request.id}/give").text)
    [action] = db.exec(select(AdminAction)).all()
    assert "dorota" not in action.target and "Resident " in action.target
