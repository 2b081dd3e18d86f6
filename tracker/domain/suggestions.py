"""Suggestions: a tutor's organisation suggests that another could help with one part of a plan.
The resident decides; nothing is shared by a suggestion."""

from __future__ import annotations

from sqlmodel import Session, col, select

from tracker.clock import utcnow
from tracker.domain.locks import lock_residents
from tracker.models import SharingNotice, Suggestion, SuggestionState, User


def made_by(db: Session, resident_id: str, provider_id: str) -> list[Suggestion]:
    """The suggestions an organisation has made to a resident, newest first."""
    return list(db.exec(select(Suggestion).where(Suggestion.resident_id == resident_id, Suggestion.from_provider_id == provider_id)
                        .order_by(col(Suggestion.created_at).desc())).all())


def suggest(db: Session, resident_id: str, staff: User, notice: SharingNotice) -> Suggestion:
    """Suggest ``notice``'s organisation and area to the resident, from ``staff``'s organisation
    (a second tap of the same button finds the first)."""
    waiting = db.exec(select(Suggestion).where(
        Suggestion.resident_id == resident_id, Suggestion.from_provider_id == staff.provider_id,
        Suggestion.to_provider_id == notice.provider_id, Suggestion.area == notice.area,
        Suggestion.state == SuggestionState.WAITING)).first()
    if waiting is not None:
        return waiting
    suggestion = Suggestion(resident_id=resident_id, from_provider_id=staff.provider_id, to_provider_id=notice.provider_id,
                            area=notice.area, suggested_by_id=staff.id, suggested_by_name=staff.first_name)
    db.add(suggestion)
    return suggestion


def answer(db: Session, resident_id: str, suggestion_id: str, accept: bool) -> Suggestion | None:
    """The resident accepts (then goes on to the normal sharing page: nothing is shared by this)
    or dismisses a suggestion. A repeat of the same answer finds it answered; None if it is not
    the resident's, or was answered the other way already."""
    lock_residents(db, [resident_id])
    suggestion = db.get(Suggestion, suggestion_id)
    if suggestion is None or suggestion.resident_id != resident_id:
        return None
    new_state = SuggestionState.ACCEPTED if accept else SuggestionState.DISMISSED
    if suggestion.state == SuggestionState.WAITING:
        suggestion.state, suggestion.answered_at = new_state, utcnow()
        db.add(suggestion)
    elif suggestion.state != new_state:
        return None
    return suggestion
