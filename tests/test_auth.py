"""Registration, sign-in, throttling, sign-out, time-outs and keeping each role on its own pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlmodel import Session, select

from tests.conftest import PASSWORD, make_app, sign_in
from tracker.clock import utcnow
from tracker.models import Role, SignInSession, User


def register(client, **fields):
    data = {
        "display_name": "Amira Hassan",
        "username": "amira",
        "email": "",
        "password": "apple river chair",
        "language": "en",
    }
    data.update(fields)
    return client.post("/register", data=data)


# --- Registration -------------------------------------------------------------------------------


def test_a_resident_registers_without_an_email_and_lands_on_their_home_page(any_database_url):
    app = make_app(any_database_url)
    client = app.test_client()
    response = register(client, username="  Amira.H ")
    assert response.status_code == 303
    assert response.headers["Location"] == "/me/"
    home = client.get("/me/")
    assert "Hello, Amira" in home.text
    with Session(app.extensions["tracker_engine"]) as db:
        user = db.exec(select(User)).one()
    assert (user.username, user.role, user.email, user.provider_id) == ("amira.h", "resident", None, None)
    assert user.password_hash.startswith("scrypt:") and "apple" not in user.password_hash
    app.extensions["tracker_engine"].dispose()


def test_usernames_are_unique_whatever_their_case(client, people):
    people.user("amira")
    response = register(client, username="AMIRA")
    assert response.status_code == 400
    assert "That username is already taken" in response.text
    assert 'class="govuk-error-summary' in response.text


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short one", "at least 12 characters"),
        ("password1234", "too easy to guess"),
        ("qwertyuiop123", "too easy to guess"),
        ("aaaaaaaaaaaaaaaa", "too easy to guess"),
        ("x" * 201, "200 characters or fewer"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(client, password, message):
    response = register(client, password=password)
    assert response.status_code == 400
    assert message in response.text


def test_bad_registration_input_gets_clear_errors_not_a_crash(client, db):
    response = register(
        client,
        display_name="<script>alert(1)</script>" + "x" * 80,
        username="no spaces allowed",
        email="not-an-email",
        language="klingon",
    )
    assert response.status_code == 400
    text = response.text
    assert "Your name must be 80 characters or fewer" in text
    assert "Enter an email address in the correct format" in text
    assert "Not a valid choice" in text or "Choose a language" in text
    assert "<script>alert(1)</script>" not in text
    assert db.exec(select(User)).first() is None


def test_registration_ignores_a_role_slipped_into_the_form(client, db):
    register(client, role="admin", provider_id="anything")
    user = db.exec(select(User)).one()
    assert user.role == "resident" and user.provider_id is None


# --- Sign-in ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "home", "heading"),
    [(Role.RESIDENT, "/me/", "Hello, Someone"), (Role.TUTOR, "/tutor/", "My residents"),
     (Role.PROVIDER_STAFF, "/provider/", "Residents who share with you"), (Role.ADMIN, "/admin/", "Hello, Someone")],
)
def test_each_role_lands_on_its_own_home_page(client, people, role, home, heading):
    people.user("someone", role=role)
    response = sign_in(client, "SomeOne")
    assert response.status_code == 303 and response.headers["Location"] == home
    assert heading in client.get(home).text


def test_a_wrong_password_and_an_unknown_user_get_the_same_message(client, people):
    people.user("amira")
    wrong = sign_in(client, "amira", "not the password")
    unknown = sign_in(client, "nobody", "not the password")
    for response in (wrong, unknown):
        assert "The username or password is not right" in response.text
    assert client.get("/me/").status_code == 303


def test_sign_in_fields_have_the_names_and_autocomplete_browsers_expect(client):
    page = client.get("/login").text
    assert 'name="username"' in page and 'autocomplete="username"' in page
    assert 'name="password"' in page and 'autocomplete="current-password"' in page
    assert "remember" not in page.lower()


def test_a_successful_sign_in_sets_no_remember_me_cookie(client, people):
    people.user("amira")
    response = sign_in(client, "amira")
    cookies = response.headers.getlist("Set-Cookie")
    assert not any(c.startswith("remember_token") for c in cookies)
    session_cookie = next(c for c in cookies if c.startswith("mml_session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie


def test_only_local_paths_are_followed_after_sign_in(client, people):
    people.user("amira")
    response = client.post("/login?next=https://evil.example/", data={"username": "amira", "password": PASSWORD})
    assert response.headers["Location"] == "/me/"
    client.post("/sign-out")
    response = client.post("/login?next=/account/password", data={"username": "amira", "password": PASSWORD})
    assert response.headers["Location"] == "/account/password"


# --- Throttling ---------------------------------------------------------------------------------


def test_five_failures_lock_the_account_for_fifteen_minutes_even_with_the_right_password(client, people):
    people.user("amira")
    for _ in range(5):
        assert sign_in(client, "amira", "wrong password!").status_code == 200
    throttled = sign_in(client, "amira")
    assert throttled.status_code == 429
    assert "tried to sign in too many times" in throttled.text
    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        assert sign_in(client, "amira").status_code == 303


def test_throttling_holds_across_workers(database_url, people):
    people.user("amira")
    worker_a, worker_b = make_app(database_url), make_app(database_url)
    for i in range(5):
        worker = worker_a if i % 2 else worker_b
        sign_in(worker.test_client(), "amira", "wrong password!")
    assert sign_in(worker_a.test_client(), "amira").status_code == 429
    assert sign_in(worker_b.test_client(), "amira").status_code == 429


def test_one_client_trying_many_accounts_is_throttled_but_never_locks_out_the_right_password(client, people):
    """A library's public PCs share one address: someone guessing there gets "too many tries", but
    everyone else at the library still signs in with their own password."""
    people.user("amira")
    for i in range(20):
        sign_in(client, f"guess{i}", "wrong password!")
    refused = sign_in(client, "guess99", "wrong password!")
    assert refused.status_code == 429 and "tried to sign in too many times" in refused.text
    assert sign_in(client, "amira", "wrong password!").status_code == 429
    assert sign_in(client, "amira").status_code == 303  # (amira has one failure: her account is not throttled)


def test_a_successful_sign_in_clears_earlier_failures(client, people):
    people.user("amira")
    for _ in range(4):
        sign_in(client, "amira", "wrong password!")
    assert sign_in(client, "amira").status_code == 303
    client.post("/sign-out")
    for _ in range(4):
        sign_in(client, "amira", "wrong password!")
    assert sign_in(client, "amira").status_code == 303


# --- Sessions end on the server -----------------------------------------------------------------


def _cookie(client) -> str:
    return client.get_cookie("mml_session").value


def test_signing_out_ends_the_session_so_a_copied_cookie_no_longer_works(app, people):
    people.user("amira")
    client = app.test_client()
    sign_in(client, "amira")
    stolen = _cookie(client)
    response = client.post("/sign-out")
    assert response.headers["Location"] == "/signed-out"
    assert "You have signed out" in client.get("/signed-out").text

    replay = app.test_client()
    replay.set_cookie("mml_session", stolen)
    response = replay.get("/me/")
    assert response.status_code == 303 and response.headers["Location"].startswith("/login")


def test_sign_out_only_works_as_a_post(client, people):
    people.user("amira")
    sign_in(client, "amira")
    assert client.get("/sign-out").status_code == 405
    assert client.get("/me/").status_code == 200


def test_changing_the_password_signs_out_every_other_browser(app, people, db):
    people.user("amira")
    library_pc, phone = app.test_client(), app.test_client()
    sign_in(library_pc, "amira")
    sign_in(phone, "amira")
    response = phone.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": "purple kettle mountain"}
    )
    assert "Password changed" in response.text
    assert phone.get("/me/").status_code == 200
    assert library_pc.get("/me/").status_code == 303
    assert sign_in(app.test_client(), "amira", "purple kettle mountain").status_code == 303
    assert sign_in(app.test_client(), "amira", PASSWORD).status_code == 200


def test_a_wrong_current_password_changes_nothing(client, people):
    people.user("amira")
    sign_in(client, "amira")
    response = client.post("/account/password", data={"current_password": "nope nope nope", "new_password": "purple kettle mountain"})
    assert response.status_code == 400 and "Your current password is not right" in response.text
    client.post("/sign-out")
    assert sign_in(client, "amira").status_code == 303


def test_a_resident_idle_for_fifteen_minutes_is_signed_out(client, people, db):
    people.user("amira")
    sign_in(client, "amira")
    with time_machine.travel(utcnow() + timedelta(minutes=14)):
        assert client.get("/me/").status_code == 200  # activity moves the deadline on
    with time_machine.travel(utcnow() + timedelta(minutes=28)):
        assert client.get("/me/").status_code == 200
    with time_machine.travel(utcnow() + timedelta(minutes=44)):
        response = client.get("/me/")
        assert response.headers["Location"] == "/signed-out?reason=idle"
        page = client.get(response.headers["Location"])
        assert "You were signed out" in page.text and "15 minutes" in page.text
        assert client.get("/me/").headers["Location"].startswith("/login")
    ended = db.exec(select(SignInSession)).one()
    assert ended.end_reason == "idle"


def test_the_time_out_warning_is_set_up_for_javascript(client, people):
    people.user("amira")
    sign_in(client, "amira")
    page = client.get("/me/").text
    assert 'data-idle-limit="900"' in page and 'id="idle-warning"' in page
    assert "Stay signed in" in page


def test_staff_are_not_timed_out_after_fifteen_minutes(client, people):
    people.user("jo.tutor", role=Role.TUTOR)
    sign_in(client, "jo.tutor")
    with time_machine.travel(utcnow() + timedelta(minutes=30)):
        assert client.get("/tutor/").status_code == 200


def test_the_stay_signed_in_button_extends_the_session(client, people):
    people.user("amira")
    sign_in(client, "amira")
    with time_machine.travel(utcnow() + timedelta(minutes=13)):
        response = client.post("/session/keep-alive")
        assert 890 <= response.json["seconds_left"] <= 900
    with time_machine.travel(utcnow() + timedelta(minutes=27)):
        assert client.get("/me/").status_code == 200


def test_a_deactivated_user_is_signed_out_on_their_next_request(client, people, db):
    user = people.user("jo.tutor", role=Role.TUTOR)
    sign_in(client, "jo.tutor")
    user.active = False
    db.add(user)
    db.commit()
    assert client.get("/tutor/").status_code == 303
    assert sign_in(client, "jo.tutor").status_code == 200  # and cannot sign in again


# --- Roles stay on their own pages -------------------------------------------------------------

HOMES = {Role.RESIDENT: "/me/", Role.TUTOR: "/tutor/", Role.PROVIDER_STAFF: "/provider/", Role.ADMIN: "/admin/"}


@pytest.mark.parametrize("role", list(HOMES))
def test_a_role_reaching_another_roles_pages_gets_403(app, people, role):
    people.user("someone", role=role)
    client = app.test_client()
    sign_in(client, "someone")
    for other, home in HOMES.items():
        response = client.get(home)
        if other == role:
            assert response.status_code == 200
        else:
            assert response.status_code == 403
            assert "You cannot see this page" in response.text
            assert "Someone Example" not in response.text.split("</header>")[1]


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for home in HOMES.values():
        response = client.get(home)
        assert response.status_code == 303 and response.headers["Location"].startswith("/login?next=")
