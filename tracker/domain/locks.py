"""One change at a time to each resident's record.

Everything that reads a resident's record and then writes to it — a consent change, an entry in
the access log, a tick, a note, a check-in, an erasure — first calls ``lock_residents`` in its
transaction, and reads only after it. Two requests about the same resident (two staff looking at
once, a double-tapped button) then run one after the other, and the second sees what the first
wrote: no duplicate events, no clashing chain numbers, no decision taken on a stale read.

- PostgreSQL: the residents' ``user_account`` rows are locked ``FOR NO KEY UPDATE``, always in
  id order (so two lists of residents never deadlock). This does not block rows that merely
  refer to the resident (``FOR KEY SHARE``), so plan rows can still be inserted alongside.
- SQLite has one writer at a time anyway; what matters is that the reads happen while being the
  writer. pysqlite runs SELECTs outside any transaction and begins a deferred one at the first
  write, so a read-then-write can act on a stale read (and a deferred transaction that reads
  first fails with "database is locked" when another writer got in between). So the lock is
  ``BEGIN IMMEDIATE``: from then on this connection is the only writer until it commits.

Locks last until the transaction ends (commit or rollback); ``session.info`` remembers which
residents are locked for the current transaction only.
"""

from __future__ import annotations

import fcntl
from contextlib import contextmanager

from sqlalchemy import event, text
from sqlmodel import Session, select

from tracker.domain.sql import one_of
from tracker.models import User

BATCH = 500  # ids per locking statement (a CSV export locks thousands)
_LOCKED = "locked_residents"
_IMMEDIATE = "sqlite_immediate"


class LockNotHeld(RuntimeError):
    """A change to a resident's record was attempted without ``lock_residents`` first (a bug)."""


def lock_residents(db: Session, resident_ids) -> None:
    """Serialise this transaction with every other change to these residents' records.

    Call it before reading what the change depends on. Anything the session had loaded earlier is
    expired, so it is read again, fresh, under the lock."""
    _lock(db, User, resident_ids)


# Any account's row, by its right name where it is not a resident's (a member of staff's own
# changes, one at a time): the same lock.
lock_people = lock_residents


def lock_providers(db: Session, provider_ids) -> None:
    """The same for an organisation's own records (its notices' version numbers)."""
    from tracker.models import Provider

    _lock(db, Provider, provider_ids)


def lock_key(db: Session, key: str) -> None:
    """Serialise this transaction with every other one that locks the same ``key`` (a counter that
    is read, then added to): an advisory lock on PostgreSQL, the write lock on SQLite."""
    if db.get_bind().dialect.name == "sqlite":
        _become_writer(db)
    else:
        db.exec(text("SELECT pg_advisory_xact_lock(hashtext(:key))").bindparams(key=key))


def _become_writer(db: Session) -> None:
    if not db.info.get(_IMMEDIATE):
        connection = db.connection()
        if not connection.connection.dbapi_connection.in_transaction:
            # Only reads so far (outside any transaction, as pysqlite does): become the writer
            # now, before reading what the change depends on. A transaction that has already
            # written holds the write lock since its first write.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        db.info[_IMMEDIATE] = True


def _lock(db: Session, model, ids) -> None:
    wanted = sorted({(model.__tablename__, i) for i in ids if isinstance(i, str)})
    locked: set = db.info.get(_LOCKED, set())
    missing = [key for key in wanted if key not in locked]
    if not missing:
        return
    db.flush()  # pending changes go in first: expiring below must not drop them
    if db.get_bind().dialect.name == "sqlite":
        _become_writer(db)
    else:
        missing_ids = [i for _table, i in missing]
        for start in range(0, len(missing_ids), BATCH):
            batch = missing_ids[start:start + BATCH]
            db.exec(select(model.id).where(one_of(model.id, batch)).order_by(model.id).with_for_update(key_share=True)).all()
    _expire_records(db)
    db.info[_LOCKED] = locked | set(missing)


def _expire_records(db: Session) -> None:
    """Forget what was read of residents' records before the lock (goals, steps, consents…), so it
    is read again under it. People, organisations, notices and sign-in sessions are not part of
    what a change depends on, and are kept (the page still needs them)."""
    from tracker.models import PlanStep

    for obj in list(db.identity_map.values()):
        if hasattr(type(obj), "resident_id") or isinstance(obj, PlanStep):
            db.expire(obj)


def holds_lock(db: Session, resident_id: str) -> bool:
    return (User.__tablename__, resident_id) in db.info.get(_LOCKED, ())


def require_lock(db: Session, resident_id: str) -> None:
    """For the functions that append to a resident's history: refuse to run unlocked."""
    if not holds_lock(db, resident_id):
        raise LockNotHeld(f"lock_residents() was not called for {resident_id} in this transaction")


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_locks(session) -> None:
    """Locks (and everything remembered under them) hold for one transaction only."""
    session.info.pop(_LOCKED, None)
    session.info.pop(_IMMEDIATE, None)
    session.info.pop("chain_heads", None)


@contextmanager
def one_run_at_a_time(engine, name: str):
    """For a job that must not run twice at once (``send-texts``, run every minute by cron, may
    outlast a minute): yields True for the run that holds ``name``, False for any other started
    meanwhile. Held for the whole run without holding a transaction open: a session-level
    advisory lock on its own connection on PostgreSQL (whichever machine runs the job); on
    SQLite, which lives on one machine, an exclusive lock on a file beside the database."""
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if not database or database == ":memory:":
            yield True  # (one process holds an in-memory database)
            return
        with open(f"{database}.{name}.lock", "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    with engine.connect() as connection:
        key = f"run:{name}"
        held = connection.execute(text("SELECT pg_try_advisory_lock(hashtext(:key))"), {"key": key}).scalar()
        connection.commit()
        try:
            yield bool(held)
        finally:
            if held:
                connection.execute(text("SELECT pg_advisory_unlock(hashtext(:key))"), {"key": key})
                connection.commit()
