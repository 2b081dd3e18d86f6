"""A consent recorded by a tutor with the resident beside them. The resident proves they are there
by typing their own password (throttled like signing in); for the tutor's own organisation the
consent then waits for the resident to confirm it at their next sign-in."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from tracker.domain import accounts
from tracker.domain.consent.changes import Change, ConsentActor
from tracker.domain.consent.terms import ConsentError
from tracker.models import ABOUT_ME, ConsentEvent, ConsentReceipt, Provider, Role, SharingNotice, User


@dataclass
class InPerson:
    """What happened. ``problem`` is None (``receipt`` is the new consent's), "throttled",
    "not_the_resident" (wrong username or password), "notice_changed" or "already". After
    "throttled" and "not_the_resident" the caller commits (the failed try counts towards the
    throttle); after the others it rolls back."""

    problem: str | None = None
    receipt: ConsentReceipt | None = None

    @property
    def keep(self) -> bool:
        return self.problem in (None, "throttled", "not_the_resident")


def give_in_person(db: Session, tutor: User, tutor_provider: Provider, *, notice_id: str, username: str, password: str,
                   record: bool, months: int, client: str, config) -> InPerson:
    # Held first, before anything touches the resident's row (signing in does): organisation,
    # notice, residents is the order every path keeps, so none waits for another in a circle.
    notice = db.exec(select(SharingNotice).where(SharingNotice.id == notice_id).with_for_update(read=True)).one()
    if notice.area == ABOUT_ME:
        return InPerson("already")  # chosen answer by answer, by the resident (the form never offers it)
    result = accounts.authenticate(db, username, password, client=client, config=config)
    if result.throttled:
        return InPerson("throttled")
    resident = result.user
    if resident is None or resident.role != Role.RESIDENT:
        return InPerson("not_the_resident")
    modes = ["view"] + (["record_progress"] if record and "record_progress" in notice.access_modes else [])
    try:
        with Change(db, resident.id, ConsentActor.assisting(tutor, tutor_provider), config["SECRET_KEY"]) as change:
            change.give(notice, modes, months)
    except ConsentError as error:
        return InPerson("notice_changed" if error.code == "notice_changed" else "already")
    return InPerson(receipt=change.receipt)


def recorded_by(db: Session, receipt: ConsentReceipt, user_id: str) -> bool:
    """Whether this person recorded (one of) the changes on this receipt."""
    return db.exec(select(ConsentEvent.id).where(ConsentEvent.receipt_code == receipt.code,
                                                 ConsentEvent.actor_user_id == user_id)).first() is not None
