"""Accounts under hostile use: probing for usernames, mass registration, guessable passwords,
blank names, and a role change that must end the person's sessions."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from tests.conftest import PASSWORD, sign_in
from tracker.models import Role, User


def _register(client, username="newbie", password="kettle garden lamp", name="New Person"):
    return client.post("/register", data={"display_name": name, "username": username, "password": password, "language": "en"})


def _main(response, username):
    main = response.text.split("<main", 1)[1].split("</main>")[0].replace(username, "USERNAME")
    return re.sub(r'name="csrf_token" value="[^"]+"', "", main)  # a fresh token each time


def test_registration_answers_the_same_for_a_taken_username_until_the_rest_is_right(client, people):
    people.user("amira")
    taken = _register(client, "amira", password="short")
    free = _register(client, "someone.else", password="short")
    assert taken.status_code == free.status_code == 400
    assert _main(taken, "amira") == _main(free, "someone.else")  # only the password is mentioned
    assert "already taken" in _register(client, "amira").text  # now everything else is right


def test_registration_is_throttled_per_client(client, people):
    people.user("amira")
    answers = [_register(client, "amira").status_code for _ in range(21)]
    assert answers[:20] == [400] * 20 and answers[20] == 429
    elsewhere = client.application.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.9.8.7"
    assert _register(elsewhere, "fresh.start").status_code == 303


def test_a_double_tapped_create_account_signs_in_instead_of_saying_taken(app, db):
    first, second = app.test_client(), app.test_client()  # the second tap arrives without the first's cookie
    assert _register(first).status_code == 303
    again = _register(second)
    assert again.status_code == 303 and again.headers["Location"].endswith("/me/")
    assert len(db.exec(select(User).where(User.username == "newbie")).all()) == 1
    assert "already taken" in _register(app.test_client(), password="another good phrase").text  # not the same person


@pytest.mark.parametrize("password", ["123456789012", "qwertyuiopas", "abcabcabcabc", "aaaabbbbcccc", "1qaz2wsx3edc", "zyxwvutsrqpo"])
def test_sequences_repeats_and_keyboard_runs_are_refused(client, password):
    response = _register(client, password=password)
    assert response.status_code == 400 and "too easy to guess" in response.text


@pytest.mark.parametrize("path, field", [("/register", "display_name"), ("/me/details", "display_name")])
def test_a_name_of_only_spaces_is_refused_the_govuk_way(client, people, path, field):
    people.user("amira")
    if path.startswith("/me"):
        sign_in(client, "amira")
    data = {"display_name": "    ", "username": "newbie", "password": "kettle garden lamp", "language": "en", "email": ""}
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text and "Enter your name" in response.text
    assert client.application.extensions and people.db.exec(select(User).where(User.display_name == "")).all() == []


def test_a_role_change_ends_every_session_of_that_person(app, people):
    people.user("tutor.b", role=Role.TUTOR, provider="Melton Jobs Support")
    people.user("the.admin", role=Role.ADMIN)
    tutor = app.test_client()
    sign_in(tutor, "tutor.b")
    assert tutor.get("/tutor/").status_code == 200
    admin = app.test_client()
    sign_in(admin, "the.admin")
    user = people.db.exec(select(User).where(User.username == "tutor.b")).one()
    provider = people.providers["Melton Jobs Support"]
    assert admin.post(f"/admin/staff/{user.id}/role", data={"role": "provider_staff", "provider": provider.id}).status_code == 303
    assert tutor.get("/provider/").status_code == 303  # signed out: sign in again with the new role
    assert sign_in(app.test_client(), "tutor.b", PASSWORD).headers["Location"].endswith("/provider/")
