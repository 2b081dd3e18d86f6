"""Referrals the resident controls.

A tutor (or the resident, from a service in the directory) refers the resident to a service of
another organisation in the partnership: why, and what the referrer offers to keep doing until
the service replies. Nothing goes anywhere until the resident agrees: agreeing shares the parts
of the plan it needs with the receiving organisation through the consent module (the same
consents, receipts and access log as any other sharing); saying no, taking it back, or stopping
that sharing later recalls it.

    waiting ─agree→ sent ─accept→ accepted ─start→ in_progress ─close→ closed (an outcome)
       │              ├─decline→ declined (a reason)
       └─say no─┐     └─(no reply in REPLY_DAYS)→ expired
                withdrawn ←─withdraw / sharing stopped─ sent, accepted, in_progress

Every change takes the resident's lock, reads the referral after it, and appends a
``ReferralEvent`` in the same transaction; a move the referral is no longer in a state for (a
stale page, a double-submitted form) changes nothing: a repeat of the move just made finds it
made, anything else is ``ReferralError("stale")``. The caller commits.

Who may read what: the resident everything; the receiving organisation nothing at all while it
is waiting or after it is withdrawn, and otherwise only through the consent guard (a consent for
one of its parts of the plan); the referring organisation its state and history, and how it ended
only if the resident chose to let them see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from sqlmodel import Session, col, select

from tracker.clock import utcnow
from tracker.domain import consent, texts
from tracker.domain.locks import lock_residents
from tracker.models import (
    AccessAction,
    Area,
    DeclineReason,
    DirectoryOrganisation,
    DirectoryService,
    Intake,
    Provider,
    Referral,
    ReferralEvent,
    ReferralOutcome,
    ReferralState,
    Role,
    ServiceStatus,
    TextKind,
    User,
)

REPLY_DAYS = 14  # a service that has not replied by then has let it expire (the resident and referrer are told)
REPLY_HOPED_DAYS = 5  # after this the inbox shows it as overdue
REASON_MAX, OFFER_MAX = 1000, 500

S = ReferralState
OPEN = (S.SENT, S.ACCEPTED, S.IN_PROGRESS)  # with the service: the resident can take it back
SEEN_BY_RECEIVER = (S.SENT, S.ACCEPTED, S.DECLINED, S.IN_PROGRESS, S.CLOSED, S.EXPIRED)
ENDED = (S.DECLINED, S.CLOSED, S.WITHDRAWN, S.EXPIRED)

# move: (the states it may start from, the state it leads to, who makes it)
MOVES = {
    "agreed": ((S.WAITING,), S.SENT, "resident"),
    "said_no": ((S.WAITING,), S.WITHDRAWN, "resident"),
    "withdrawn": (OPEN, S.WITHDRAWN, "resident"),
    "sharing_stopped": (OPEN, S.WITHDRAWN, "resident"),
    "got_help": (OPEN, S.CLOSED, "resident"),
    "not_heard": ((S.SENT, S.ACCEPTED, S.IN_PROGRESS, S.EXPIRED), None, "resident"),  # None: the state stays
    "outcome_shared": (tuple(S), None, "resident"),
    "accepted": ((S.SENT,), S.ACCEPTED, "receiver"),
    "declined": ((S.SENT,), S.DECLINED, "receiver"),
    "started": ((S.ACCEPTED,), S.IN_PROGRESS, "receiver"),
    "closed": ((S.ACCEPTED, S.IN_PROGRESS), S.CLOSED, "receiver"),
    "expired": ((S.SENT,), S.EXPIRED, "system"),
}


class ReferralError(ValueError):
    """A referral that cannot be made or changed, with a code the page turns into a message:
    ``no_service`` (unknown, or not one the partnership can refer to), ``not_taking``, ``own``
    (a referral to one's own organisation), ``no_areas``, ``areas`` (a part of the plan the
    service does not ask for), ``reason`` / ``offer`` (too long), ``stale`` (not in a state for
    that any more), ``choice`` (an unknown reason or outcome)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# --- Where a referral can go ---------------------------------------------------------------------


@dataclass
class Destination:
    """A service of the partnership that takes referrals, and the parts of the plan its
    organisation asks to see (what a referral there can share)."""
    service: DirectoryService
    provider: Provider
    areas: list[str]


def destinations(db: Session, from_provider_id: str | None) -> list[Destination]:
    """Every service a referral can go to from ``from_provider_id`` (None: the resident's own):
    active services of active member organisations that are taking referrals or have a waiting
    list, other than the referrer's own, whose organisation publishes a sharing notice."""
    notices: dict[str, list[str]] = {}
    for notice in consent.current_notices(db):
        if notice.area in PLAN_AREAS:  # a referral shares parts of the plan (About me is shared on its own)
            notices.setdefault(notice.provider_id, []).append(notice.area)
    rows = db.exec(
        select(DirectoryService, Provider)
        .join(DirectoryOrganisation, DirectoryOrganisation.id == DirectoryService.organisation_id)
        .join(Provider, Provider.id == DirectoryOrganisation.provider_id)
        .where(Provider.active, DirectoryService.status == ServiceStatus.ACTIVE,
               col(DirectoryService.intake).in_([Intake.TAKING_REFERRALS, Intake.WAITING_LIST]))
        .order_by(Provider.name, DirectoryService.id)
    ).all()
    return [Destination(service, provider, sorted(notices[provider.id], key=_area_order))
            for service, provider in rows if provider.id != from_provider_id and provider.id in notices]


PLAN_AREAS = frozenset(a.value for a in Area)


def _area_order(area: str) -> int:
    return [a.value for a in Area].index(area)


def destination(db: Session, service_id: str, from_provider_id: str | None) -> Destination:
    """The destination for ``service_id``, or ``ReferralError`` saying why a referral cannot go there."""
    service = db.get(DirectoryService, service_id) if isinstance(service_id, str) else None
    organisation = db.get(DirectoryOrganisation, service.organisation_id) if service else None
    if organisation is None or organisation.provider_id is None:
        raise ReferralError("no_service")
    if organisation.provider_id == from_provider_id:
        raise ReferralError("own")
    found = next((d for d in destinations(db, from_provider_id) if d.service.id == service_id), None)
    if found is None:
        raise ReferralError("not_taking" if service.status == ServiceStatus.ACTIVE else "no_service")
    return found


# --- Making one --------------------------------------------------------------------------------


def _text(value: str | None, most: int, code: str) -> str:
    value = (value or "").strip()
    if len(value) > most:
        raise ReferralError(code)
    return value


def refer(db: Session, resident_id: str, service_id: str, areas: list[str], reason: str | None, offer: str | None,
          by: User, actor: consent.ConsentActor) -> Referral:
    """A referral waiting for the resident. ``by`` is the member of staff (from their organisation)
    or the resident themselves. A second tap of the same form finds the first, still waiting."""
    from_provider_id = by.provider_id if by.role != Role.RESIDENT else None
    found = destination(db, service_id, from_provider_id)
    reason, offer = _text(reason, REASON_MAX, "reason"), _text(offer, OFFER_MAX, "offer")
    chosen = sorted(set(areas or []), key=lambda a: _area_order(a) if a in Area._value2member_map_ else -1)
    if not chosen:
        raise ReferralError("no_areas")
    if not set(chosen) <= set(found.areas):
        raise ReferralError("areas")
    lock_residents(db, [resident_id])
    waiting = db.exec(select(Referral).where(
        Referral.resident_id == resident_id, Referral.service_id == service_id, Referral.referred_by_id == by.id,
        Referral.state == S.WAITING)).first()
    if waiting is not None and waiting.areas == chosen and waiting.reason == reason and waiting.offer == offer:
        return waiting
    now = utcnow()
    referral = Referral(resident_id=resident_id, service_id=service_id, to_provider_id=found.provider.id,
                        from_provider_id=from_provider_id, referred_by_id=by.id, referred_by_name=by.first_name, areas=chosen,
                        reason=reason, offer=offer, created_at=now, changed_at=now)
    db.add(referral)
    db.flush()
    _event(db, referral, "made", actor, {"areas": chosen, "service": found.service.name.get("en", "")})
    if by.role != Role.RESIDENT:  # (the resident who asked knows already)
        texts.queue(db, resident_id, TextKind.REFERRAL_WAITING)
    return referral


def _event(db: Session, referral: Referral, kind: str, actor: consent.ConsentActor, details: dict | None = None) -> ReferralEvent:
    event = ReferralEvent(referral_id=referral.id, resident_id=referral.resident_id, kind=kind, state=referral.state,
                          actor_user_id=actor.user_id, actor_role=actor.role, actor_name=actor.name,
                          actor_provider=actor.provider_name, details=details or {}, occurred_at=utcnow())
    db.add(event)
    return event


def _move(db: Session, referral: Referral, move: str, actor: consent.ConsentActor, details: dict | None = None) -> bool:
    """Make ``move`` (already under the resident's lock). False when it was just made (a repeat:
    nothing changes); ``ReferralError("stale")`` when the referral is not in a state for it."""
    starts, leads_to, _who = MOVES[move]
    if referral.state not in starts:
        last = db.exec(select(ReferralEvent.kind).where(ReferralEvent.referral_id == referral.id)
                       .order_by(col(ReferralEvent.id).desc()).limit(1)).first()
        if last == move and (leads_to is None or referral.state == leads_to):
            return False
        raise ReferralError("stale")
    now = utcnow()
    if leads_to is not None:
        referral.state = leads_to
    referral.changed_at = now
    if move == "agreed":
        referral.sent_at = now
    elif move in ("accepted", "declined"):
        referral.replied_at = now
    db.add(referral)
    _event(db, referral, move, actor, details)
    if move in ("accepted", "declined", "expired"):
        texts.queue(db, referral.resident_id, TextKind.REFERRAL_NEWS)
    return True


def _residents_referral(db: Session, resident_id: str, referral_id: str) -> Referral | None:
    lock_residents(db, [resident_id])
    referral = db.get(Referral, referral_id) if isinstance(referral_id, str) else None
    return referral if referral is not None and referral.resident_id == resident_id else None


# --- The resident's answers ------------------------------------------------------------------


def agree(db: Session, resident_id: str, referral_id: str, areas: list[str], outcome_shared: bool,
          actor: consent.ConsentActor, secret_key: str) -> Referral | None:
    """The resident agrees: ``areas`` (those of the referral they chose to let travel) are shared
    with the receiving organisation, view only, through its current notices (one receipt), and
    the referral is sent. None if it is not theirs. ``ReferralError("no_areas")`` when they chose
    none; ``consent.NotShared`` when the organisation no longer asks for one of them."""
    referral = db.get(Referral, referral_id) if isinstance(referral_id, str) else None
    if referral is None or referral.resident_id != resident_id:
        return None
    chosen = [a for a in referral.areas if a in set(areas or [])]
    if not chosen and referral.state == S.WAITING:
        raise ReferralError("no_areas")
    # The notices are held before the resident's lock (the order every consent path keeps).
    notices = consent.hold_notices(db, referral.to_provider_id, chosen)
    referral = _residents_referral(db, resident_id, referral_id)
    if referral.state != S.WAITING:
        _move(db, referral, "agreed", actor)  # a repeat (nothing to do) or stale (an error)
        return referral
    receipt, newly_shared = consent.switches.share_for_referral(db, resident_id, notices, actor, secret_key)
    referral.areas = chosen  # what travels (what was asked for stays in the "made" event)
    referral.outcome_shared = bool(outcome_shared) and referral.from_provider_id is not None
    _move(db, referral, "agreed", actor, {"areas": chosen, "newly_shared": newly_shared,
                                          "receipt": receipt.code if receipt else None, "outcome_shared": referral.outcome_shared})
    return referral


def say_no(db: Session, resident_id: str, referral_id: str, actor: consent.ConsentActor) -> Referral | None:
    """The resident says no: nothing was shared, and nothing is."""
    referral = _residents_referral(db, resident_id, referral_id)
    if referral is not None:
        _move(db, referral, "said_no", actor)
    return referral


def withdraw(db: Session, resident_id: str, referral_id: str, actor: consent.ConsentActor, secret_key: str) -> Referral | None:
    """The resident takes back a referral they sent: it is recalled, and what agreeing to it
    started sharing stops (sharing they had given before stays: they can stop it on its own page)."""
    referral = _residents_referral(db, resident_id, referral_id)
    if referral is None:
        return None
    if _move(db, referral, "withdrawn", actor):
        started = _newly_shared(db, referral)
        if started:
            consent.switches.stop_for_referral(db, resident_id, referral.to_provider_id, started, actor, secret_key)
            recall_unshared(db, resident_id, actor)  # others that needed that sharing go too, said so, rather than expire
    return referral


def _newly_shared(db: Session, referral: Referral) -> list[str]:
    details = db.exec(select(ReferralEvent.details).where(ReferralEvent.referral_id == referral.id, ReferralEvent.kind == "agreed")).first()
    return list((details or {}).get("newly_shared", []))


def resident_says(db: Session, resident_id: str, referral_id: str, what: str, actor: consent.ConsentActor) -> Referral | None:
    """"I got help" (closes it, with that outcome) or "I didn't hear anything" (kept in its
    history, shown to the service and the referrer)."""
    referral = _residents_referral(db, resident_id, referral_id)
    if referral is None:
        return None
    if what == "got_help":
        if _move(db, referral, "got_help", actor, {"outcome": ReferralOutcome.GOT_HELP.value}):
            referral.outcome = ReferralOutcome.GOT_HELP
    elif what == "not_heard":
        if referral.not_heard_at is not None and referral.state in MOVES["not_heard"][0]:
            return referral  # said already
        if _move(db, referral, "not_heard", actor):
            referral.not_heard_at = utcnow()
    else:
        raise ReferralError("choice")
    db.add(referral)
    return referral


def share_outcome(db: Session, resident_id: str, referral_id: str, shared: bool, actor: consent.ConsentActor) -> Referral | None:
    """"Let the referrer see how this went", or not any more."""
    referral = _residents_referral(db, resident_id, referral_id)
    if referral is None or referral.from_provider_id is None:
        return None
    if referral.outcome_shared != bool(shared):
        referral.outcome_shared = bool(shared)
        _move(db, referral, "outcome_shared", actor, {"shared": bool(shared)})
    return referral


def recall_unshared(db: Session, resident_id: str, actor: consent.ConsentActor) -> list[Referral]:
    """After the resident stopped sharing: every referral with a service that can no longer see
    any part of the plan it needed is recalled (it was hidden from the service at once anyway:
    every look at it goes through the consent guard)."""
    lock_residents(db, [resident_id])
    recalled = []
    for referral in db.exec(select(Referral).where(Referral.resident_id == resident_id, col(Referral.state).in_(OPEN))).all():
        if not set(referral.areas) & consent.areas_shared(db, resident_id, referral.to_provider_id):
            _move(db, referral, "sharing_stopped", actor)
            recalled.append(referral)
    return recalled


# --- The receiving organisation's answers ------------------------------------------------------------


def receiver_moves(db: Session, referral: Referral, move: str, staff: User, provider: Provider,
                   code: str | None = None) -> Referral:
    """Accept, decline (with a ``DeclineReason``), start, or close (with a ``ReferralOutcome``).
    The caller has passed the consent guard for the resident (which took their lock) and checked
    the referral is its organisation's."""
    if move not in ("accepted", "declined", "started", "closed"):
        raise ReferralError("choice")
    details = {}
    if move == "declined":
        if code not in DeclineReason._value2member_map_:
            raise ReferralError("choice")
        details = {"reason": code}
    if move == "closed":
        if code not in ReferralOutcome._value2member_map_:
            raise ReferralError("choice")
        details = {"outcome": code}
    db.flush()  # (anything pending is kept: refresh would drop it)
    db.refresh(referral)
    if referral.state == S.SENT and referral.sent_at < utcnow() - timedelta(days=REPLY_DAYS):
        raise ReferralError("stale")  # too late: it has expired (``expire_overdue`` records it when the page is shown)
    actor = consent.ConsentActor(staff.id, staff.role, staff.first_name, provider.id, provider.name)
    if _move(db, referral, move, actor, details):
        if move == "declined":
            referral.decline_reason = code
        elif move == "closed":
            referral.outcome = code
        db.add(referral)
    elif code is not None and code != (referral.decline_reason if move == "declined" else referral.outcome):
        raise ReferralError("stale")  # answered already, another way: say so rather than "saved"
    return referral


def expire_overdue(db: Session, now: datetime | None = None, *, resident_id: str | None = None) -> int:
    """Referrals sent more than REPLY_DAYS ago without a reply expire (the service's silence, in
    their history as the system's doing). For everyone (``flask expire-referrals``), or before a
    page shows one resident's referrals (an inbox does it under its own lock)."""
    cutoff = (now or utcnow()) - timedelta(days=REPLY_DAYS)
    query = select(Referral.id, Referral.resident_id).where(Referral.state == S.SENT, col(Referral.sent_at) < cutoff)
    if resident_id is not None:
        query = query.where(Referral.resident_id == resident_id)
    due = db.exec(query).all()
    if not due:
        return 0
    lock_residents(db, sorted({rid for _id, rid in due}))
    expired = 0
    for referral in db.exec(select(Referral).where(col(Referral.id).in_([i for i, _r in due]))).all():
        if referral.state == S.SENT and referral.sent_at < cutoff:
            _move(db, referral, "expired", consent.SYSTEM, {"days": REPLY_DAYS})
            expired += 1
    return expired


# --- Reading them --------------------------------------------------------------------------------


@dataclass
class ReferralView:
    referral: Referral
    service_name: dict  # {"en": …, "pl": …}; empty for a referral to an organisation (from a suggestion)
    to_provider: str
    from_provider: str | None
    events: list[ReferralEvent] = field(default_factory=list)

    @property
    def reply_by(self) -> datetime | None:
        sent = self.referral.sent_at
        return sent + timedelta(days=REPLY_DAYS) if sent and self.referral.state == S.SENT else None

    @property
    def overdue_to_expire(self) -> bool:
        """Sent more than REPLY_DAYS ago with no reply (``expire_overdue`` will record it)."""
        sent = self.referral.sent_at
        return bool(sent and self.referral.state == S.SENT and utcnow() - sent > timedelta(days=REPLY_DAYS))

    @property
    def overdue(self) -> bool:
        sent = self.referral.sent_at
        return bool(sent and self.referral.state == S.SENT and utcnow() - sent > timedelta(days=REPLY_HOPED_DAYS))


def _views(db: Session, referrals: list[Referral], with_events: bool = False) -> list[ReferralView]:
    if not referrals:
        return []
    providers = dict(db.exec(select(Provider.id, Provider.name).where(col(Provider.id).in_(
        {r.to_provider_id for r in referrals} | {r.from_provider_id for r in referrals if r.from_provider_id}))).all())
    service_ids = {r.service_id for r in referrals if r.service_id}
    services = dict(db.exec(select(DirectoryService.id, DirectoryService.name).where(col(DirectoryService.id).in_(service_ids))).all()) \
        if service_ids else {}
    events: dict[str, list[ReferralEvent]] = {}
    if with_events:
        for event in db.exec(select(ReferralEvent).where(col(ReferralEvent.referral_id).in_([r.id for r in referrals]))
                             .order_by(ReferralEvent.id)).all():
            events.setdefault(event.referral_id, []).append(event)
    return [ReferralView(r, services.get(r.service_id, {}), providers.get(r.to_provider_id, ""), providers.get(r.from_provider_id),
                         events.get(r.id, [])) for r in referrals]


def for_resident(db: Session, resident_id: str) -> list[ReferralView]:
    """All the resident's referrals, those waiting for them first, then newest first."""
    found = db.exec(select(Referral).where(Referral.resident_id == resident_id).order_by(col(Referral.created_at).desc())).all()
    return sorted(_views(db, list(found)), key=lambda v: v.referral.state != S.WAITING)


def one_for_resident(db: Session, resident_id: str, referral_id: str) -> ReferralView | None:
    referral = db.get(Referral, referral_id) if isinstance(referral_id, str) else None
    if referral is None or referral.resident_id != resident_id:
        return None
    return _views(db, [referral], with_events=True)[0]


def made_by(db: Session, resident_id: str, provider_id: str) -> list[ReferralView]:
    """The referrals an organisation made for a resident, newest first, with their history
    (the page shows how each ended only if the resident let them see)."""
    found = db.exec(select(Referral).where(Referral.resident_id == resident_id, Referral.from_provider_id == provider_id)
                    .order_by(col(Referral.created_at).desc())).all()
    return _views(db, list(found), with_events=True)


def received(db: Session, referral_id: str, resident_id: str, provider_id: str, shared_areas: set[str]) -> ReferralView | None:
    """One referral as the receiving organisation may see it: sent to it, not waiting or
    withdrawn, and needing a part of the plan the resident shares with it now (``shared_areas``,
    from the consent guard's decisions). None otherwise: the same as no referral at all."""
    referral = db.get(Referral, referral_id) if isinstance(referral_id, str) else None
    if (referral is None or referral.resident_id != resident_id or referral.to_provider_id != provider_id
            or referral.sent_at is None or referral.state not in SEEN_BY_RECEIVER or not set(referral.areas) & shared_areas):
        return None
    return _views(db, [referral], with_events=True)[0]


@dataclass
class InboxRow:
    view: ReferralView
    resident_name: str


def inbox(db: Session, staff: User, request_id: str) -> dict[str, list[InboxRow]]:
    """The referrals a service has to act on, oldest first: new (sent, waiting for a reply),
    accepted (not started yet) and in progress. Only residents who share a part of the plan the
    referral needs with the organisation now, each look logged (through the consent module)."""
    provider_id = staff.provider_id
    found = list(db.exec(select(Referral).where(Referral.to_provider_id == provider_id,
                                                col(Referral.state).in_([S.SENT, S.ACCEPTED, S.IN_PROGRESS]))
                         .order_by(Referral.sent_at, Referral.id)).all())
    # One lock for them all (in id order: two inboxes never deadlock); decide, expire and log under it.
    lock_residents(db, {r.resident_id for r in found})
    cutoff = utcnow() - timedelta(days=REPLY_DAYS)
    for referral in found:
        if referral.state == S.SENT and referral.sent_at < cutoff:
            _move(db, referral, "expired", consent.SYSTEM, {"days": REPLY_DAYS})
    found = [r for r in found if r.state in (S.SENT, S.ACCEPTED, S.IN_PROGRESS)]  # read again, fresh, under them
    decisions = consent.decisions_for(db, staff, sorted({r.resident_id for r in found}))
    shared = {}
    for d in decisions:
        shared.setdefault(d.resident_id, {})[d.area] = d
    shown = [r for r in found if set(r.areas) & set(shared.get(r.resident_id, {}))]
    looked = [d for r in shown for area, d in shared[r.resident_id].items() if area in r.areas]
    unique = list({(d.resident_id, d.area): d for d in looked}.values())
    consent.record_access(db, staff, db.get(Provider, provider_id), unique, AccessAction.OPENED_REFERRAL,
                          consent.REFERRAL_PURPOSE, request_id, fields=())
    names = dict(db.exec(select(User.id, User.display_name).where(col(User.id).in_({r.resident_id for r in shown}))).all()) \
        if shown else {}
    rows = {"sent": [], "accepted": [], "in_progress": []}
    for view in _views(db, shown):
        rows[view.referral.state].append(InboxRow(view, names.get(view.referral.resident_id, "")))
    return rows


# --- The partnership's gap report -------------------------------------------------------------------


SMALL = 10  # ONS "10-5": fewer than this is not shown; other counts are rounded to the nearest 5


def ons_10_5(count: int) -> int | None:
    """None for a count under 10 (shown as "fewer than 10"), else rounded to the nearest 5."""
    if count < SMALL:
        return None
    return int(5 * round(count / 5))


@dataclass
class GapRow:
    service: str
    area: str
    referrals: int | None
    accepted_share: int | None  # per cent, of those replied to; None when the counts behind it are suppressed
    median_days_to_reply: int | None  # whole days
    declines: dict[str, int | None]


def gap_report(db: Session) -> list[GapRow]:
    """Referrals sent, by service and part of the plan: how many, the share accepted, the median
    days to a reply, declines by reason. Every count goes through ``ons_10_5``, and a share or a
    median is only given where the counts behind it are 10 or more, so no row can point to a
    resident. Referrals still waiting for the resident, or that they said no to, never went
    anywhere and are not counted."""
    query = select(Referral, Provider.name).join(Provider, Provider.id == Referral.to_provider_id).where(Referral.sent_at.is_not(None))
    services = dict(db.exec(select(DirectoryService.id, DirectoryService.name)).all())
    groups: dict[tuple[str, str], list[Referral]] = {}
    for referral, provider_name in db.exec(query).all():
        name = services.get(referral.service_id, {}).get("en") if referral.service_id else None
        label = f"{provider_name}: {name}" if name else provider_name
        for area in referral.areas:
            groups.setdefault((label, area), []).append(referral)
    rows = []
    for (label, area), referrals in sorted(groups.items(), key=lambda item: (item[0][0], _area_order(item[0][1]))):
        replied = [r for r in referrals if r.replied_at is not None]
        accepted = [r for r in replied if r.decline_reason is None]
        declined = len(replied) - len(accepted)
        # A share would give away a small count behind it (11 of 13 accepted: 2 declined), so only where neither
        # is small; and it is worked out from the rounded counts and rounded to 10 points, so that it says no
        # more than they do (an exact share beside a rounded count can be solved back to the counts).
        share = None
        if len(replied) >= SMALL and all(n == 0 or n >= SMALL for n in (len(accepted), declined)):
            share = int(10 * round(10 * (ons_10_5(len(accepted)) or 0) / ons_10_5(len(replied))))
        days = [(r.replied_at - r.sent_at).total_seconds() / 86400 for r in replied]
        rows.append(GapRow(label, area, ons_10_5(len(referrals)), share,
                           round(median(days)) if len(days) >= SMALL else None,
                           {reason.value: ons_10_5(sum(1 for r in replied if r.decline_reason == reason)) for reason in DeclineReason}))
    return rows

