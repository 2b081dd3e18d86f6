"""When the database is in trouble (locked, restarting, down, a connection that went read-only, a
clash it refused), people get a styled 503 that needs no database, nothing they saved is lost or
half-written, and the service heals by itself as soon as the database is back."""

from __future__ import annotations

import re
import sqlite3

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from tests.conftest import PASSWORD, make_app, sign_in
from tracker import database as tracker_db
from tracker.domain import plan
from tracker.models import CatalogueGoal, CheckIn, PlanEvent, PlanStep

UNAVAILABLE = "Sorry, the service is not working right now"


def _resident_with_goal(db, people):
    amira = people.user("amira")
    goal_id = db.exec(select(CatalogueGoal.id).where(CatalogueGoal.code == "digital.get-online")).one()
    goal = plan.add_catalogue_goals(db, amira.id, [goal_id], plan.Actor.of(amira))[0]
    db.commit()
    return amira, goal


def _assert_unavailable_page(response):
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    page = response.text
    assert UNAVAILABLE in page and "Nothing you saved has been lost. Try again in a few minutes." in page
    assert 'class="govuk-template"' in page and re.search(r"/static/vendor/app\.[0-9a-f]{12}\.css", page)  # the service's own styled page
    assert "Internal Server Error" not in page


@pytest.fixture
def quick_sqlite(monkeypatch, sqlite_url):
    """The app on SQLite, waiting only 0.2 s for a lock (5 s in production) to keep tests quick."""
    monkeypatch.setattr(tracker_db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    app = make_app(sqlite_url)
    yield app, sqlite_url.removeprefix("sqlite:///")
    app.extensions["tracker_engine"].dispose()


def test_a_locked_database_gives_a_styled_503_then_heals_and_nothing_is_half_written(quick_sqlite, people):
    app, path = quick_sqlite
    with Session(app.extensions["tracker_engine"], expire_on_commit=False) as db:
        people.db = db
        amira, goal = _resident_with_goal(db, people)
    client = app.test_client()
    sign_in(client, "amira")
    blocker = sqlite3.connect(path, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")  # another process holds the database (a backup, a long write)
    try:
        tick = {goal.id: ["1"]}
        _assert_unavailable_page(client.post(f"/me/plan/goals/{goal.id}", data=tick))
        htmx = client.post(f"/me/plan/goals/{goal.id}", data=tick, headers={"HX-Request": "true"})
        assert htmx.status_code == 503 and UNAVAILABLE in htmx.text and htmx.headers["HX-Retarget"] == "body"
        assert client.get("/healthz").status_code == 503  # a read alone would have said "ok"
    finally:
        blocker.rollback()
        blocker.close()
    assert client.get("/healthz").status_code == 200
    assert client.post(f"/me/plan/goals/{goal.id}", data=tick).status_code == 303
    with Session(app.extensions["tracker_engine"]) as db:
        events = db.exec(select(PlanEvent.kind).where(PlanEvent.resident_id == amira.id, PlanEvent.kind == "step_done")).all()
        assert events == ["step_done"]  # the failed tries left nothing behind; the one that worked, once
        assert len([s for s in db.exec(select(PlanStep).where(PlanStep.goal_id == goal.id)).all() if s.done_at]) == 1


def test_a_connection_that_opened_read_only_is_replaced_once_the_database_is_writable(quick_sqlite, people):
    """A SQLite connection opened while the file was read-only stays read-only: after one failed
    write it must be thrown away, or that worker keeps failing long after the file is fixed."""
    app, _path = quick_sqlite
    engine = app.extensions["tracker_engine"]
    with Session(engine, expire_on_commit=False) as db:
        people.db = db
        _resident_with_goal(db, people)
    engine.dispose()
    read_only = {"now": True}

    @event.listens_for(engine, "connect")
    def _opened_read_only(dbapi_connection, _record):
        if read_only["now"]:
            dbapi_connection.execute("PRAGMA query_only = ON")  # what SQLite does with a read-only file

    client = app.test_client()
    assert client.get("/healthz").json == {"status": "error", "database": "not_writable"}
    read_only["now"] = False  # the file is writable again
    assert client.get("/healthz").status_code == 200
    sign_in(client, "amira")
    for _ in range(5):  # every pooled connection works now, not just the next one
        assert client.post("/me/check-in", data={"digital": "3", "financial": "2", "job_readiness": "1"}).status_code == 303


def test_a_database_that_is_down_gives_the_503_page_without_touching_it(app, client, people):
    people.user("amira")
    sign_in(client, "amira")
    working = app.extensions["tracker_engine"]
    down = tracker_db.make_engine("postgresql+psycopg://nobody@127.0.0.1:9/none")  # nothing listens there
    app.extensions["tracker_engine"] = down
    try:
        for path in ("/me/", "/me/plan", "/login"):
            page = client.get(path)
            _assert_unavailable_page(page)
            assert f'href="{path}">Try this page again' in page.text
        assert client.get("/healthz").status_code == 503
    finally:
        app.extensions["tracker_engine"] = working
        down.dispose()
    assert client.get("/me/").status_code == 200  # the same sign-in still works: nothing was lost


def test_a_clash_the_database_refuses_is_a_503_and_keeps_nothing(app, client, people, monkeypatch, db):
    people.user("amira")
    sign_in(client, "amira")
    original = plan.record_check_in

    def clash(*args, **kwargs):
        original(*args, **kwargs)  # half the work is done…
        raise IntegrityError("INSERT …", {}, Exception("UNIQUE constraint failed"))  # …then the database refuses

    monkeypatch.setattr(plan, "record_check_in", clash)
    _assert_unavailable_page(client.post("/me/check-in", data={"digital": "3", "financial": "2", "job_readiness": "1"}))
    assert db.exec(select(CheckIn)).all() == [] and db.exec(select(PlanEvent)).all() == []
    monkeypatch.setattr(plan, "record_check_in", original)
    assert client.post("/me/check-in", data={"digital": "3", "financial": "2", "job_readiness": "1"}).status_code == 303


@pytest.mark.postgres
def test_postgresql_connections_killed_by_a_restart_are_replaced(postgres_url, people):
    from tracker.database import make_engine

    app = make_app(postgres_url)
    engine = app.extensions["tracker_engine"]
    with Session(engine, expire_on_commit=False) as db:
        people.db = db
        people.user("amira")
    client = app.test_client()
    sign_in(client, "amira", PASSWORD)
    assert client.get("/me/").status_code == 200  # the pool now holds a connection
    admin = make_engine(postgres_url)
    with admin.connect() as connection:
        killed = connection.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                         "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one()
    admin.dispose()
    assert killed >= 1
    assert client.get("/me/").status_code == 200  # checked before use (pre-ping) and replaced
    assert client.get("/healthz").status_code == 200
    engine.dispose()
