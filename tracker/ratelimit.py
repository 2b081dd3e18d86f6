"""Per-person limits on heavy staff pages (dashboards, exports), counted in the database so they
hold across every worker."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func
from sqlmodel import Session, select

from tracker.domain.clock import utcnow
from tracker.models import RateEvent

LIMITS = {
    # kind: (requests, window)
    "list": (120, timedelta(minutes=10)),
    "export": (10, timedelta(hours=1)),
    "code": (20, timedelta(hours=1)),
    # New accounts per client address (a keyed hash, never the address): a class at a library
    # registering together fits; trying usernames one after another does not.
    "register": (20, timedelta(hours=1)),
}


def allow(db: Session, user_id: str, kind: str) -> bool:
    """Count this use by ``user_id`` (a person's id, or a client key) and say whether it is within
    the limit (written in the caller's transaction, and committed by it)."""
    if not current_app.config["RATE_LIMITS"]:  # switched off for benchmarks only
        return True
    limit, window = LIMITS[kind]
    now = utcnow()
    used = db.exec(select(func.count()).select_from(RateEvent)
                   .where(RateEvent.user_id == user_id, RateEvent.kind == kind, RateEvent.at >= now - window)).one()
    if used >= limit:
        return False
    db.add(RateEvent(user_id=user_id, kind=kind, at=now))
    if used == 0:  # now and then, forget old uses
        db.exec(delete(RateEvent).where(RateEvent.user_id == user_id, RateEvent.at < now - timedelta(days=1)))
    return True
