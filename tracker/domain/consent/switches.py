"""The resident's own changes to their consents: saying yes to a notice, stopping or resuming one
area, undoing a change just made, stopping or resuming everything, renewing, and answering a
consent a tutor recorded.

Each runs in the caller's transaction under the resident's lock (``Change`` takes it), reads the
consents after taking it, and returns the change's receipt; a repeat of a change just made (a
double tap) finds the first one's receipt instead of making another. The caller commits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from tracker.clock import utcnow
from tracker.domain.consent.changes import Change, ConsentActor, expire_lapsed, live_grant, repeat_receipt, resident_grant, status
from tracker.domain.consent.choices import sharing_choices
from tracker.domain.consent.notices import current_notice
from tracker.domain.consent.terms import DEFAULT_DURATION_MONTHS, UNDO_WINDOW, ConsentError, NotShared
from tracker.models import (
    ABOUT_ME,
    AccessFlag,
    AccessLogEntry,
    ConsentEvent,
    ConsentGrant,
    ConsentReceipt,
    GrantState,
    Provider,
    SharingNotice,
)


def _area_choice(db: Session, resident_id: str, provider_id: str, area: str):
    found = sharing_choices(db, resident_id, provider_id)
    choice = next((c for c in found[0].areas if c.area == area), None) if found else None
    if choice is None:
        raise NotShared(provider_id)
    return choice


def stop_sharing(db: Session, resident_id: str, provider_id: str, area: str, actor: ConsentActor,
                 secret_key: str) -> ConsentReceipt | None:
    """"Stop sharing" one area with one organisation: it can no longer see it, from now (a paused
    or on-hold consent ends too; a tutor's consent waiting for the resident is refused). None when
    nothing was being shared; ``NotShared`` for an organisation that asks nothing for that area."""
    with Change(db, resident_id, actor, secret_key) as change:
        choice = _area_choice(db, resident_id, provider_id, area)
        if choice.status in ("active", "paused", "on_hold"):
            change.withdraw(choice.grant)
        elif choice.status == "pending":
            change.refuse(choice.grant)
    return change.receipt or repeat_receipt(db, resident_id, actor.user_id, ("withdrawn", "refused"),
                                            provider_id=provider_id, area=area)


def resume_sharing(db: Session, resident_id: str, provider_id: str, area: str, actor: ConsentActor,
                   secret_key: str) -> ConsentReceipt | None:
    """Start sharing a paused area again (until its consent's end, as before). None when it was not
    paused, or its time ran out while paused (it has ended: sharing again starts from its notice)."""
    with Change(db, resident_id, actor, secret_key) as change:
        choice = _area_choice(db, resident_id, provider_id, area)
        if choice.status == "paused" and choice.grant.valid_until > utcnow():
            change.resume(choice.grant)
    return change.receipt or repeat_receipt(db, resident_id, actor.user_id, ("resumed",), provider_id=provider_id, area=area)


# What "Undo" does to each kind of change on a receipt. Undo is itself a new change with its own
# receipt: history is never rewritten.
UNDO = {"given": "withdrawn", "confirmed": "withdrawn", "withdrawn": "given", "paused": "resumed", "resumed": "paused"}


def receipt_changes(db: Session, receipt: ConsentReceipt) -> list[ConsentEvent]:
    """The consent events on a receipt, in order."""
    return list(db.exec(select(ConsentEvent).where(ConsentEvent.receipt_code == receipt.code).order_by(ConsentEvent.seq)).all())


def undoable(db: Session, receipt: ConsentReceipt, resident_id: str, events: list[ConsentEvent] | None = None) -> list[ConsentEvent]:
    """The changes on this receipt (``events``, if already read) if "Undo" may be offered for them
    (the resident made them themselves, lately, and each kind can be turned back), else []."""
    if receipt.resident_id != resident_id or receipt.issued_at < utcnow() - UNDO_WINDOW:
        return []
    events = receipt_changes(db, receipt) if events is None else events
    if not events or any(e.event_type not in UNDO or e.actor_user_id != resident_id for e in events):
        return []
    if len({(e.provider_id, e.area) for e in events}) < len(events):
        return []  # a new choice of About me fields (one ended, one started): "Change" again instead
    # A stop that ended a paused or on-hold consent is not turned back: sharing again would let
    # them see more than they could just before (that takes the notice and "Share this").
    for event in events:
        if event.event_type == "withdrawn":
            before = db.exec(select(ConsentEvent.event_type).where(ConsentEvent.grant_id == event.grant_id, ConsentEvent.seq < event.seq)
                             .order_by(col(ConsentEvent.seq).desc()).limit(1)).first()
            if before in ("paused", "invalidated"):
                return []
    return events


def undo(db: Session, resident_id: str, receipt: ConsentReceipt, actor: ConsentActor, secret_key: str) -> ConsentReceipt | None:
    """Turn back the changes on a receipt, as a new change: a yes becomes "stop sharing", a stop
    becomes a yes again (same notice, same choices, for the same length from today), a pause a
    resume and the other way round. A grant that has moved on since is left as it is. None when
    nothing was left to turn back; ``ConsentError("too_late")`` when Undo is not offered for this
    receipt; ``ConsentError("notice_changed")`` when a yes would be to a notice that has changed."""
    events = undoable(db, receipt, resident_id)
    if not events:
        raise ConsentError("too_late")
    # Hold the notices a yes again would agree to before the resident's lock (the order every path keeps).
    notices = {}
    for event in events:
        if event.event_type == "withdrawn":
            held = current_notice(db, event.provider_id, event.area, to_agree_to=True)
            if held is None or held.id != event.notice_id:
                raise ConsentError("notice_changed")
            if not db.get(Provider, event.provider_id).active:
                raise ConsentError("too_late")  # the organisation has closed since
            notices[event.id] = held
    with Change(db, resident_id, actor, secret_key) as change:
        for event in events:
            grant = db.get(ConsentGrant, event.grant_id)
            db.refresh(grant)  # as it is now, under the lock
            now_status = status(grant)
            if event.event_type in ("given", "confirmed") and now_status in ("active", "paused"):
                change.withdraw(grant)
            elif event.event_type == "paused" and now_status == "paused":
                change.resume(grant)
            elif event.event_type == "resumed" and now_status == "active":
                change.pause(grant)
            elif (event.event_type == "withdrawn" and now_status == "withdrawn"
                  and live_grant(db, resident_id, event.provider_id, event.area) is None):
                change.give(notices[event.id], list(grant.access_modes), grant.duration_months, grant.fields)
    grants = {e.grant_id for e in events}
    return change.receipt or repeat_receipt(db, resident_id, actor.user_id, {UNDO[e.event_type] for e in events},
                                            grant_id=grants.pop() if len(grants) == 1 else None)


@dataclass
class Offer:
    notice: SharingNotice
    provider: Provider
    grant: ConsentGrant | None
    state: str


def offer(db: Session, resident_id: str, provider_id: str, area: str) -> Offer:
    """An organisation's current notice for an area, and the resident's live consent to it.
    ``NotShared`` when there is no such notice or the organisation is not active."""
    notice = current_notice(db, provider_id, area)
    provider = db.get(Provider, provider_id) if notice else None
    if notice is None or not provider.active:
        raise NotShared(provider_id)
    grant = live_grant(db, resident_id, provider_id, area)
    return Offer(notice, provider, grant, status(grant))


def _hold_the_notice_read(db: Session, provider_id: str, area: str, notice_id: str | None) -> SharingNotice:
    """The current notice, held (FOR SHARE) before the resident's lock, if it is the one they read
    (``notice_id``, sent with their form): ``ConsentError("notice_changed")`` if a newer one came
    out, ``NotShared`` if there is none."""
    held = current_notice(db, provider_id, area, to_agree_to=True)
    if held is None:
        raise NotShared(provider_id)
    if held.id != notice_id:
        raise ConsentError("notice_changed")
    return held


def say_yes(db: Session, resident_id: str, provider_id: str, area: str, *, notice_id: str | None, record: bool, months: int,
            actor: ConsentActor, secret_key: str, fields: list[str] | None = None) -> ConsentReceipt | None:
    """Share an area, under the notice the resident read (``notice_id``, sent with their form). The
    notice is held (FOR SHARE) before the resident's lock, so no new version can come out
    meanwhile (organisation, notice, residents: the order every path keeps). ``ConsentError
    ("notice_changed")`` when what they read is no longer current; ``NotShared`` when there is
    nothing to agree to. An area already shared (a second tap) keeps its consent; the receipt is
    then the first tap's, if it was just now."""
    _hold_the_notice_read(db, provider_id, area, notice_id)
    with Change(db, resident_id, actor, secret_key) as change:
        found = offer(db, resident_id, provider_id, area)
        if found.state not in ("active", "paused", "pending"):
            modes = ["view"] + (["record_progress"] if record and "record_progress" in found.notice.access_modes else [])
            change.give(found.notice, modes, months, fields)
    return change.receipt or repeat_receipt(db, resident_id, resident_id, ("given",), provider_id=provider_id, area=area)


def choose_fields(db: Session, resident_id: str, provider_id: str, *, notice_id: str | None, fields: list[str],
                  actor: ConsentActor, secret_key: str) -> ConsentReceipt | None:
    """About me, already shared: share a different choice of fields from now on. The consent that
    allowed the old choice ends and a new one starts, with the same end date, on one receipt (the
    history keeps both). None when the choice is what is shared already (a second tap)."""
    held = _hold_the_notice_read(db, provider_id, ABOUT_ME, notice_id)
    with Change(db, resident_id, actor, secret_key) as change:
        found = offer(db, resident_id, provider_id, ABOUT_ME)
        if found.state != "active":
            raise NotShared(provider_id)
        # (A consent under an earlier version, after a small change, moves to the one they just read.)
        if found.grant.notice_id == held.id and list(found.grant.fields or []) == [f for f in held.fields_shown if f in set(fields)]:
            return None
        modes, months, until = list(found.grant.access_modes), found.grant.duration_months, found.grant.valid_until
        change.withdraw(found.grant)
        change.give(held, modes, months, fields, until=until)
    return change.receipt


def share_for_referral(db: Session, resident_id: str, notices: list[SharingNotice], actor: ConsentActor,
                       secret_key: str) -> tuple[ConsentReceipt | None, list[str]]:
    """The resident agreed to a referral: share each notice's area with its organisation, with
    one receipt. ``notices`` were held with ``hold_notices``. An area already shared keeps its
    consent; a paused one starts again, and one a tutor recorded for that organisation is
    confirmed (the resident's yes here is the same yes); otherwise a new consent, view only, for
    the default time. Returns the receipt (None if nothing changed) and the areas newly shared.
    ``NotShared`` if any area would still not be shared (nothing is then kept: the caller rolls back)."""
    shared = []
    expire_lapsed(db, secret_key, resident_id)  # a consent whose time ran out is ended first, not "already shared"
    with Change(db, resident_id, actor, secret_key) as change:
        for notice in notices:
            grant = live_grant(db, resident_id, notice.provider_id, notice.area)
            state = status(grant)
            if state == "paused":
                change.resume(grant)
            elif state == "pending":
                change.confirm(grant)
            elif state != "active":
                change.give(notice, ["view"], DEFAULT_DURATION_MONTHS)
                shared.append(notice.area)
        for notice in notices:
            if status(live_grant(db, resident_id, notice.provider_id, notice.area)) != "active":
                raise NotShared(notice.provider_id)
    return change.receipt, shared


def stop_for_referral(db: Session, resident_id: str, provider_id: str, areas: list[str], actor: ConsentActor,
                      secret_key: str) -> ConsentReceipt | None:
    """The resident took back a referral: stop the sharing agreeing to it started (one receipt)."""
    with Change(db, resident_id, actor, secret_key) as change:
        for area in areas:
            grant = live_grant(db, resident_id, provider_id, area)
            if status(grant) in ("active", "paused", "on_hold"):
                change.withdraw(grant)
    return change.receipt


CHANGE_EVERY = {"pause": ("active", "paused"), "resume": ("paused", "resumed")}


def change_every(db: Session, resident_id: str, action: str, actor: ConsentActor, secret_key: str) -> ConsentReceipt | None:
    """Pause every active consent ("stop all sharing now") or resume every paused one, with one
    receipt for them all; None when there was nothing to do."""
    from_status, event = CHANGE_EVERY[action]
    with Change(db, resident_id, actor, secret_key) as change:
        for grant in db.exec(select(ConsentGrant).where(ConsentGrant.resident_id == resident_id)).all():
            if status(grant) == from_status:
                getattr(change, action)(grant)
    return change.receipt or repeat_receipt(db, resident_id, resident_id, (event,))


def renew(db: Session, resident_id: str, grant_id: str, actor: ConsentActor, secret_key: str) -> ConsentReceipt:
    """Renew an active consent for its length again. ``NotShared`` for anything else."""
    with Change(db, resident_id, actor, secret_key) as change:
        grant = resident_grant(db, resident_id, grant_id)
        repeat = repeat_receipt(db, resident_id, resident_id, ("renewed",), grant_id=grant.id)
        if repeat is None:
            if status(grant) != "active":
                raise NotShared(grant_id)
            change.renew(grant)
    return change.receipt or repeat


def answer_pending(db: Session, resident_id: str, grant_id: str, confirm: bool, actor: ConsentActor, secret_key: str) -> ConsentReceipt:
    """Confirm or refuse a consent a tutor recorded with the resident. ``NotShared`` if it is not waiting."""
    with Change(db, resident_id, actor, secret_key) as change:
        grant = resident_grant(db, resident_id, grant_id)
        repeat = repeat_receipt(db, resident_id, resident_id, ("confirmed", "refused"), grant_id=grant.id)
        if repeat is None:
            if grant.state != GrantState.PENDING:
                raise NotShared(grant_id)
            change.confirm(grant) if confirm else change.refuse(grant)
    return change.receipt or repeat


# --- What the resident reads about their consents --------------------------------------------


def pending(db: Session, grants: list[ConsentGrant]) -> list[tuple]:
    """For each consent waiting for the resident: the organisation, the notice, and the event that recorded it."""
    return [(g, db.get(Provider, g.provider_id), db.get(SharingNotice, g.notice_id),
             db.exec(select(ConsentEvent).where(ConsentEvent.grant_id == g.id).order_by(col(ConsentEvent.seq).desc())).first())
            for g in grants]


def receipt_events(db: Session, receipt: ConsentReceipt, resident_id: str) -> tuple[list[ConsentEvent], dict]:
    """The changes on a receipt, and for a withdrawal or pause what the organisation had already
    seen (how often, when last, and how long it keeps it), so the resident knows where things stand."""
    events = receipt_changes(db, receipt)
    seen = {}
    for event in events:
        if event.event_type in ("withdrawn", "paused"):
            count, last = db.exec(
                select(func.count(), func.max(AccessLogEntry.occurred_at))
                .where(AccessLogEntry.resident_id == resident_id, AccessLogEntry.grant_id == event.grant_id)
            ).one()
            seen[event.id] = (count, last, db.get(SharingNotice, event.notice_id).retention)
    return events, seen


def history(db: Session, resident_id: str, page: int, per_page: int) -> tuple[list[ConsentEvent], bool]:
    """One page of the resident's consent history, newest first, and whether there is an older page."""
    events = db.exec(select(ConsentEvent).where(ConsentEvent.resident_id == resident_id)
                     .order_by(col(ConsentEvent.seq).desc()).offset((page - 1) * per_page).limit(per_page + 1)).all()
    return list(events[:per_page]), len(events) > per_page


def looks(db: Session, resident_id: str, page: int, per_page: int) -> tuple[list[tuple], bool]:
    """One page of "who looked": each access-log entry with the purposes of the notice it was
    under and whether the resident questioned it, newest first; and whether there is an older page."""
    rows = db.exec(
        select(AccessLogEntry, SharingNotice.purposes, AccessFlag.id)
        .join(ConsentGrant, ConsentGrant.id == AccessLogEntry.grant_id, isouter=True)
        .join(SharingNotice, SharingNotice.id == ConsentGrant.notice_id, isouter=True)
        .join(AccessFlag, AccessFlag.entry_id == AccessLogEntry.id, isouter=True)
        .where(AccessLogEntry.resident_id == resident_id)
        .order_by(col(AccessLogEntry.seq).desc()).offset((page - 1) * per_page).limit(per_page + 1)
    ).all()
    return list(rows[:per_page]), len(rows) > per_page
