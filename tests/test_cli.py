"""The command-line tasks: migrations, the first admin, and the demo data."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from tests.conftest import make_app, sign_in
from tracker.commands.demo import DEMO_PASSWORD, PEOPLE, REGISTERED
from tracker.models import Provider, User


@pytest.fixture
def empty_app(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/new.sqlite3")
    yield app
    app.extensions["tracker_engine"].dispose()


def _count(app, model) -> int:
    with Session(app.extensions["tracker_engine"]) as db:
        return db.exec(select(func.count()).select_from(model)).one()


def test_db_upgrade_builds_a_new_database(empty_app):
    result = empty_app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert _count(empty_app, User) == 0


def test_create_admin_makes_an_administrator_who_can_sign_in(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--username", "Sam", "--display-name", "Sam Patel"],
        input="lantern biscuit harbour\nlantern biscuit harbour\n",
    )
    assert result.exit_code == 0, result.output
    client = app.test_client()
    assert sign_in(client, "sam", "lantern biscuit harbour").headers["Location"] == "/admin/"


def test_create_admin_refuses_a_common_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--username", "sam", "--display-name", "Sam", "--password", "password1234"]
    )
    assert result.exit_code != 0 and "too common" in result.output
    assert _count(app, User) == 0


def test_demo_data_loads_once_and_every_demo_account_signs_in(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with Session(app.extensions["tracker_engine"]) as db:
        assert set(db.exec(select(Provider.name)).all()) == {
            "Melton Adult Learning", "Melton Jobs Support", "Melton Money Advice"
        }
        names = db.exec(select(User.display_name)).all()
        dawid = db.exec(select(User).where(User.username == "dawid")).one()
    assert len(set(names)) == len(PEOPLE) + len(REGISTERED), "demo people need distinct display names"
    assert dawid.preferred_language == "pl"

    homes = {"resident": "/me/", "tutor": "/tutor/", "provider_staff": "/provider/", "admin": "/admin/"}
    for username, _name, role, _provider, _language in PEOPLE:
        client = app.test_client()
        response = sign_in(client, username, DEMO_PASSWORD)
        assert response.headers.get("Location") == homes[role], username

    again = runner.invoke(args=["demo"])
    assert again.exit_code != 0 and "already has data" in again.output
    assert runner.invoke(args=["demo", "--if-empty"]).exit_code == 0
    assert _count(app, User) == len(PEOPLE) + len(REGISTERED)


def test_the_demo_password_shows_on_the_sign_in_page_only_with_demo_data(app):
    client = app.test_client()
    assert DEMO_PASSWORD not in client.get("/login").text
    app.test_cli_runner().invoke(args=["demo"])
    assert DEMO_PASSWORD in client.get("/login").text
