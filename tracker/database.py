"""The database engine and its column types, without Flask (the web layer's one session per
request is in ``tracker.web.session``).

SQLite is the embedded default (WAL, foreign keys on, a busy timeout so several workers can write);
PostgreSQL through psycopg 3 is the scale-out database.
"""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import event
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.types import DateTime, TypeDecorator
from sqlmodel import create_engine

SQLITE_BUSY_TIMEOUT_MS = 5000


class UTCDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python, whatever the database keeps.

    SQLite has no time zones and hands back naive values; comparing those with aware ones fails.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use tracker.clock.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# PostgreSQL: a request never waits for a lock (or a query) for ever; it gives up and answers 503.
# And the planner is told that reading a row by index costs about what reading in order does, as it
# does when the tables are in memory (a county's are about 1 GB): at the default (4) it hashed a
# whole table to stop after a page (docs/benchmarks.md, "Every way of listing a county").
POSTGRES_OPTIONS = ("-c lock_timeout=5000 -c statement_timeout=60000 -c idle_in_transaction_session_timeout=120000"
                    " -c random_page_cost=1.1")


def make_engine(url: str, echo: bool = False) -> Engine:
    """An engine that heals: every pooled connection is checked before use (pre-ping), and one that
    failed in a way that may persist (the server went away; a SQLite file that was read-only or
    unreadable when it was opened) is thrown away, so the next request gets a fresh one."""
    parsed = make_url(url)
    kwargs: dict = {"echo": echo, "pool_pre_ping": True}
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
    else:
        kwargs["connect_args"] = {"options": POSTGRES_OPTIONS, "connect_timeout": 5}
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        engine.dialect.statement_compiler = _SQLiteCompilerWithIndexHints
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "handle_error", _sqlite_connection_is_broken)
    return engine


class _SQLiteCompilerWithIndexHints(SQLiteCompiler):
    """SQLite's compiler, writing a table's hint (``Select.with_hint(table, "INDEXED BY …",
    "sqlite")``) after its name, as SQLite's grammar has it; SQLAlchemy's own drops them. For the
    few walks along an index that SQLite's planner would not choose (caseload.py)."""

    def get_from_hint_text(self, table, text):
        return text


# SQLite errors after which this connection stays broken even once the file is fine again: a
# connection opened while the file was read-only stays read-only. "database is locked" is not
# among them (it passes), so those connections are kept.
_SQLITE_LASTING_ERRORS = ("readonly", "read-only", "disk i/o error", "unable to open", "malformed", "not a database")


def _sqlite_connection_is_broken(context) -> None:
    message = str(context.original_exception).lower()
    if any(marker in message for marker in _SQLITE_LASTING_ERRORS):
        context.is_disconnect = True  # SQLAlchemy then discards this connection
        context.invalidate_pool_on_disconnect = False  # the others may be fine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()
    # SQLite's own lower() changes A-Z only: searches for "Łukasz" or "Ćwiczenie" found nothing.
    # Python's, as PostgreSQL's, lowers every letter.
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(value):
    return value.lower() if isinstance(value, str) else value
