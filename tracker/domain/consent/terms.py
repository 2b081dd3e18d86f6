"""The terms every part of consent shares: what a provider can ask to see, how long a consent
lasts, the errors, and the head of a resident's hash chain."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from tracker.domain import about_me, chains
from tracker.domain.locks import require_lock
from tracker.models import (
    ABOUT_ME,
    AccessAction,
)

# What a provider can ask to see of an area of the plan, field by field (minimisation: free-text
# notes only if listed). Of About me it asks for its questions (tracker.domain.about_me).
FIELD_CODES = ("goal_titles", "goal_status", "step_status", "check_in_stages", "last_activity", "notes")


def fields_of(part: str) -> tuple[str, ...]:
    """What a notice for this part (an area of the plan, or About me) can ask to see."""
    if part == ABOUT_ME:
        return about_me.field_codes()
    return FIELD_CODES
DURATIONS_MONTHS = (3, 6, 12)
DEFAULT_DURATION_MONTHS = 12
RENEWAL_WINDOW = timedelta(days=30)
UNDO_WINDOW = timedelta(minutes=30)  # how long after a change its banner offers "Undo"
LIST_PURPOSE = "caseload_list"
REFERRAL_PURPOSE = "referral"  # a look at a referral the resident agreed to send: the referral is the reason
LIST_ACTIONS = {AccessAction.LISTED, AccessAction.SEARCHED, AccessAction.EXPORTED}


class NotShared(LookupError):
    """This staff member may not see this (or the resident does not exist): the same answer."""


class ConsentError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def months_later(start: datetime, months: int) -> datetime:
    # Calendar months are not what a resident means by "3 months": use 30-day months plus a day.
    return start + timedelta(days=30 * months + (months // 12) * 5)



def chain_head(db: Session, model, resident_id: str, hash_field: str) -> tuple[int, str]:
    """The last (seq, hash) of a resident's chain, remembered for the rest of the transaction
    (read under the resident's lock, so no one else can append in between)."""
    require_lock(db, resident_id)
    heads = db.info.setdefault("chain_heads", {})
    key = (model.__tablename__, resident_id)
    if key not in heads:
        row = db.exec(
            select(model.seq, getattr(model, hash_field)).where(model.resident_id == resident_id)
            .order_by(col(model.seq).desc()).limit(1)
        ).first()
        heads[key] = (row[0], row[1]) if row else (0, chains.GENESIS)
    return heads[key]


CONSENT_EVENT_UNHASHED = {"id", "event_hash"}
ACCESS_ENTRY_UNHASHED = {"id", "entry_hash"}
