"""One database session per request. Views call ``get_session()`` and commit once; anything left
uncommitted when the request ends is rolled back."""

from __future__ import annotations

from collections.abc import Iterator

from flask import abort, current_app, g, stream_with_context
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.database import make_engine


def init_app(app) -> None:
    app.extensions["tracker_engine"] = make_engine(app.config["DATABASE_URL"], app.config["SQLALCHEMY_ECHO"])
    app.teardown_appcontext(_close_session)


def get_engine() -> Engine:
    return current_app.extensions["tracker_engine"]


def get_session() -> Session:
    """The request's session, opened on first use. ``expire_on_commit`` is off so a page can
    still read what it just saved while rendering."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    return g.db_session


def discard_session() -> None:
    """End the request's session now (after a database fault), so nothing later in the request
    uses it; the next use opens a fresh one."""
    _close_session(None)


def streamed(chunks: Iterator[str]) -> Iterator[str]:
    """``chunks`` sent as the answer's body, reading the request's session as they are made. The
    request's end closes its session before the first chunk is made; the chunks' reads open it
    again, so it is closed once more when the last chunk is sent (or the reader goes away).
    Otherwise each answer kept a pooled connection until the garbage collector came by."""
    session = get_session()

    def body():
        try:
            yield from chunks
        finally:
            _end(session)

    return stream_with_context(body())


def _close_session(_exc) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        _end(session)


def _end(session: Session) -> None:
    # Whatever a failed (or forgetful) view did not commit is not kept.
    try:
        session.rollback()
    except Exception:  # the connection died with the request: drop it rather than pool it
        session.invalidate()
    finally:
        session.close()


def get_or_404(model, ident):
    """The row with this primary key, or the "not found" page."""
    row = get_session().get(model, ident)
    if row is None:
        abort(404)
    return row
