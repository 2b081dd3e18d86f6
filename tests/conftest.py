"""Shared fixtures: a migrated database per test (SQLite, and PostgreSQL when TEST_DATABASE_URL is
set), the app, a client that signs in, and a live server with the system Chromium."""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from tracker import create_app
from tracker.commands import migrate
from tracker.database import make_engine
from tracker.domain import accounts, passwords
from tracker.domain.catalogue import sync_catalogue
from tracker.models import Provider, ProviderKind, Role

ROOT = Path(__file__).resolve().parent.parent
ARTEFACTS = ROOT / "test-artefacts"

# Real scrypt, but cheap: thousands of test users would otherwise take minutes.
passwords.HASH_METHOD = "scrypt:1024:8:1"

PASSWORD = "correct horse battery"


def require_or_skip(env_flag: str, reason: str):
    if os.environ.get(env_flag) == "1":
        pytest.fail(f"{reason} ({env_flag}=1, so this must not skip)")
    pytest.skip(reason)


# --- Databases ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One SQLite file migrated to head; each test gets a copy (much faster than migrating)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    migrate.upgrade(f"sqlite:///{path}")
    _load_catalogue(f"sqlite:///{path}")
    return path


def _load_catalogue(url: str) -> None:
    engine = make_engine(url)
    with Session(engine) as db:
        sync_catalogue(db)
        db.commit()
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        require_or_skip("REQUIRE_POSTGRES", "TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
    return url


def _admin_engine(server_url: str):
    return create_engine(make_url(server_url).set(database="postgres"), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def postgres_template(postgres_server_url) -> str:
    """A PostgreSQL database migrated to head, used as the template for each test's database."""
    name = f"mml_template_{uuid.uuid4().hex[:8]}"
    admin = _admin_engine(postgres_server_url)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    _load_catalogue(url)
    yield name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def postgres_url(postgres_server_url, postgres_template) -> str:
    name = f"mml_test_{uuid.uuid4().hex[:10]}"
    admin = _admin_engine(postgres_server_url)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"'))
    yield make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def postgres_empty_url(postgres_server_url) -> str:
    """An empty PostgreSQL database (not migrated), for migration tests."""
    name = f"mml_empty_{uuid.uuid4().hex[:10]}"
    admin = _admin_engine(postgres_server_url)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_empty_database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/empty.sqlite3"
    return request.getfixturevalue("postgres_empty_url")


@pytest.fixture
def sqlite_url(sqlite_template, tmp_path) -> str:
    path = tmp_path / "tracker.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_database_url(request) -> str:
    """Runs the test once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")


@pytest.fixture
def database_url(sqlite_url) -> str:
    return sqlite_url


# --- The app -----------------------------------------------------------------------------------


def statements_during(engine, action):
    """What ``action()`` returns, and the SQL statements it sent to ``engine``."""
    statements: list[str] = []

    def listener(*args):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", listener)
    try:
        result = action()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return result, statements


class ClosingClient(FlaskClient):
    """Flask's test client, reading each answer whole and closing it, as a WSGI server does. A
    test that means to watch a stream (the CSV export) passes buffered=False and closes it.

    A connection left checked out is given back by the garbage collector at a random later moment,
    once after its test's database was dropped; Python 3.11's traceback of that failure, printed
    in the middle of another ast.parse, left "AST constructor recursion depth mismatch" errors in
    later tests. The ``app`` fixture now fails the test that leaves one (the export did)."""

    def open(self, *args, buffered: bool = True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


def make_app(database_url: str, **overrides):
    config = {
        "ENV": "testing",
        "SECRET_KEY": "test secret key, not for production",
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "FORGOT_ANSWER_SECONDS": 0,  # (tests/test_forgot_by_text.py checks it with a floor of its own)
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = ClosingClient
    return app


@pytest.fixture
def app(database_url):
    app = make_app(database_url)
    yield app
    engine = app.extensions["tracker_engine"]
    # Every request gives its connection back when it ends. One kept (a streamed answer's, once)
    # waits for the garbage collector, which may come after this test's database is dropped.
    assert engine.pool.checkedout() == 0, "a request kept its database connection"
    engine.dispose()


@pytest.fixture
def notify():
    """A fake GOV.UK Notify for the real client to talk to (tests/fake_notify.py)."""
    from tests import fake_notify

    fake, server = fake_notify.start()
    yield fake
    server.shutdown()


@pytest.fixture
def db(app):
    with Session(app.extensions["tracker_engine"], expire_on_commit=False) as session:
        yield session


@pytest.fixture
def client(app):
    return app.test_client()


class People:
    """Makes providers and users straight in the database."""

    def __init__(self, db: Session):
        self.db = db
        self.providers: dict[str, Provider] = {}

    def provider(self, name="Melton Adult Learning", kind=ProviderKind.ADULT_LEARNING) -> Provider:
        if name not in self.providers:
            provider = Provider(name=name, kind=str(kind), description={"en": f"{name} helps residents.", "pl": f"{name} pomaga mieszkańcom."})
            self.db.add(provider)
            self.db.commit()
            self.providers[name] = provider
        return self.providers[name]

    def user(self, username: str, role: Role = Role.RESIDENT, provider: str | None = None, **kwargs):
        if role in (Role.TUTOR, Role.PROVIDER_STAFF) and provider is None:
            provider = "Melton Adult Learning"
        user = accounts.create_user(
            self.db,
            username=username,
            display_name=kwargs.pop("display_name", f"{username.title()} Example"),
            password=kwargs.pop("password", PASSWORD),
            role=role,
            provider=self.provider(provider) if provider else None,
            **kwargs,
        )
        self.db.commit()
        return user


@pytest.fixture
def people(db) -> People:
    return People(db)


def sign_in(client, username: str, password: str = PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


# --- Browser -----------------------------------------------------------------------------------


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not path:
        require_or_skip("REQUIRE_BROWSER", "no Chromium found (set CHROMIUM_PATH or install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class LiveServer:
    def __init__(self, app):
        from werkzeug.serving import make_server

        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_app(sqlite_url):
    """An app with CSRF switched on, as in production, for browser tests."""
    app = make_app(sqlite_url, WTF_CSRF_ENABLED=True)
    yield app
    app.extensions["tracker_engine"].dispose()


@pytest.fixture
def live_server(live_app):
    with LiveServer(live_app) as server:
        yield server


@pytest.fixture(scope="session")
def artefacts() -> Path:
    ARTEFACTS.mkdir(exist_ok=True)
    return ARTEFACTS


# The page walk takes about four minutes, far longer than any other test: started first, it runs
# beside the rest on one core instead of after them (make test runs the suite on every core).
RUN_FIRST = ("tests/test_browser_walk.py::",)


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: not item.nodeid.startswith(RUN_FIRST))  # a stable sort: the order is otherwise kept


@pytest.fixture(params=["walked", "grouped"])
def way(request, monkeypatch):
    """Lists are walked along an index when an organisation has many grants, and worked out from
    its grants when it has few: tests of who is listed, and in what order, run both ways."""
    from tracker.domain.consent import caseload

    monkeypatch.setattr(caseload, "WALKED_FROM", 0 if request.param == "walked" else 10**6)
    return request.param
