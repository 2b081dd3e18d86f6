"""Windowed counters, one mechanism over one table (``throttle_event``), so every limit holds across
all workers and instances: wrong sign-in guesses (per account and per client address), and uses
of heavy or sensitive staff pages (lists, exports, new codes) and new accounts per address.

A counter is a kind and a key (a person's id, a folded username, or a keyed hash of an address:
never an address). Callers write in their own transaction and commit it; rows older than a day are
trimmed as new ones arrive, so the table stays small without a cron job."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from tracker.clock import utcnow
from tracker.domain.locks import lock_key
from tracker.models import ThrottleEvent

KEPT_FOR = timedelta(days=1)

# Wrong sign-in guesses (and wrong setup codes); their limits are settings (SIGN_IN_*).
SIGN_IN_ACCOUNT = "sign_in_account"
SIGN_IN_CLIENT = "sign_in_client"

LIMITS = {
    # kind: (uses, window)
    "list": (120, timedelta(minutes=10)),
    "export": (10, timedelta(hours=1)),
    "code": (20, timedelta(hours=1)),
    # New accounts per client address: a class at a library registering together fits; trying
    # usernames one after another does not.
    "register": (20, timedelta(hours=1)),
    # The public directory feed, per client address: reading every service a few times over fits.
    "openreferral": (300, timedelta(minutes=10)),
    # New mobile numbers per resident (each gets a text with a code): a typo or two fits; using
    # the page to text strangers does not.
    "mobile": (3, timedelta(hours=1)),
    # Codes by text to choose a new password (/forgot): per number (a keyed hash of it) and per
    # client address, counted whether or not the number is anyone's.
    "forgot_number": (3, timedelta(hours=1)),
    "forgot_client": (10, timedelta(hours=1)),
}


def used(db: Session, kind: str, key: str, window: timedelta, now: datetime | None = None) -> int:
    """How many times ``kind`` was counted for ``key`` in the last ``window``."""
    since = (now or utcnow()) - window
    return db.exec(select(func.count()).select_from(ThrottleEvent)
                   .where(ThrottleEvent.kind == kind, ThrottleEvent.key == key, ThrottleEvent.at >= since)).one()


def count(db: Session, kind: str, key: str, now: datetime | None = None) -> None:
    now = now or utcnow()
    db.add(ThrottleEvent(kind=kind, key=key, at=now))
    db.exec(delete(ThrottleEvent).where(ThrottleEvent.at < now - KEPT_FOR))  # old counts are of no further use


def forget(db: Session, kind: str, key: str) -> None:
    """Start ``key``'s count for ``kind`` again (a right password clears the account's wrong guesses)."""
    db.exec(delete(ThrottleEvent).where(ThrottleEvent.kind == kind, ThrottleEvent.key == key))


def forget_keys(db: Session, keys: list[str]) -> None:
    """Every count kept under these keys (erasing an account)."""
    db.exec(delete(ThrottleEvent).where(col(ThrottleEvent.key).in_(keys)))


def allow(db: Session, key: str, kind: str, config, *, exact: bool = False) -> bool:
    """Count this use of ``kind`` by ``key`` and say whether it is within ``LIMITS``. A refused use
    is not counted, so a limit ends on time however often someone tries. ``exact``: the count is
    read under a lock on the key, so uses at the same moment cannot all slip under the limit (for
    limits that protect someone else, such as texts to a phone; the caller commits soon)."""
    if not config["RATE_LIMITS"]:  # switched off for benchmarks only
        return True
    if exact:
        lock_key(db, f"throttle|{kind}|{key}")
    limit, window = LIMITS[kind]
    now = utcnow()
    if used(db, kind, key, window, now) >= limit:
        return False
    count(db, kind, key, now)
    return True
