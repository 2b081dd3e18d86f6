"""Sharing: the one place that decides what staff may see of a resident, and everything about the
resident's consents (giving, pausing, withdrawing, renewing, receipts) and the access log.

Every staff page or fragment that shows resident data calls ``require`` (or ``visible_residents``
for lists) and then ``record_access`` in the same transaction, before anything is shown. Without a
valid grant the answer is ``NotShared``, which views turn into the same 404 as for a resident who
does not exist. Nothing here is cached: a lapsed or withdrawn grant stops access on the very next
request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, insert, update
from sqlmodel import Session, col, select

from tracker.domain import chains
from tracker.domain.clock import REPEAT_WINDOW, utcnow
from tracker.domain.locks import lock_providers, lock_residents, require_lock
from tracker.models import (
    LIVE_GRANT_STATES,
    STAFF_ROLES,  # tutors and provider staff; never admins
    VALID_GRANT_STATES,
    AccessAction,
    AccessLogEntry,
    AccessMode,
    Area,
    ConsentEvent,
    ConsentEventType,
    ConsentGrant,
    ConsentReceipt,
    GrantState,
    Provider,
    Role,
    SharingNotice,
    User,
)

# What a provider can ask to see, field by field (minimisation: free-text notes only if listed).
FIELD_CODES = ("goal_titles", "goal_status", "step_status", "check_in_stages", "last_activity", "notes")
DURATIONS_MONTHS = (3, 6, 12)
DEFAULT_DURATION_MONTHS = 12
RENEWAL_WINDOW = timedelta(days=30)
LIST_PURPOSE = "caseload_list"
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


# --- Notices ----------------------------------------------------------------------------------

NOTICE_CONTENT = ("provider_id", "area", "version", "access_modes", "fields_shown", "purposes", "summary", "retention",
                  "change_summary", "change_is_material", "lawful_basis", "dsa_reference")


def notice_hash(notice: SharingNotice) -> str:
    return hashlib.sha256(chains.canonical({name: getattr(notice, name) for name in NOTICE_CONTENT})).hexdigest()


def current_notice(db: Session, provider_id: str, area: str, *, to_agree_to: bool = False) -> SharingNotice | None:
    """The notice residents are offered now. ``to_agree_to``: about to say yes to it, so hold it
    (PostgreSQL ``FOR SHARE``) until the transaction ends: a new version cannot be published in
    between, and the yes is to what is current. Take it before the resident's lock (the order
    every path keeps: organisation, notice, residents)."""
    query = select(SharingNotice).where(SharingNotice.provider_id == provider_id, SharingNotice.area == area,
                                        SharingNotice.superseded_at.is_(None))
    if to_agree_to:
        query = query.with_for_update(read=True)
    return db.exec(query).first()


def current_notices(db: Session) -> list[SharingNotice]:
    """Every provider's current notice for every area, for active providers."""
    return db.exec(
        select(SharingNotice).join(Provider, Provider.id == SharingNotice.provider_id)
        .where(SharingNotice.superseded_at.is_(None), Provider.active.is_(True))
        .order_by(Provider.name, SharingNotice.area)
    ).all()


def publish_notice(
    db: Session, provider: Provider, area: str, *, access_modes: list[str], fields_shown: list[str], purposes: list[dict],
    summary: dict, retention: dict, material: bool = False, change_summary: dict | None = None,
    lawful_basis: str = "", dsa_reference: str = "", secret_key: str = "",
) -> SharingNotice:
    """Publish a new version of a provider's notice for an area. A material change puts every live
    grant on older versions on hold (``invalidated``) until the resident reviews it and says yes
    again; a minor one leaves them as they are."""
    if area not in set(Area) or not access_modes or set(access_modes) - set(AccessMode):
        raise ConsentError("notice_invalid")
    if set(fields_shown) - set(FIELD_CODES) or not fields_shown or not purposes:
        raise ConsentError("notice_invalid")
    lock_providers(db, [provider.id])  # one publisher at a time: version numbers stay unique
    previous = current_notice(db, provider.id, area)
    if previous is not None and not material and _same_offer(previous, access_modes, fields_shown, purposes, summary, retention,
                                                             lawful_basis, dsa_reference):
        return previous  # nothing new to tell residents (or the same form sent twice): no new version
    now = utcnow()
    notice = SharingNotice(
        provider_id=provider.id, area=area, version=(previous.version + 1) if previous else 1,
        access_modes=list(access_modes), fields_shown=list(fields_shown), purposes=list(purposes),
        summary=summary, retention=retention, change_summary=change_summary, change_is_material=bool(material and previous),
        lawful_basis=lawful_basis, dsa_reference=dsa_reference, content_hash="", published_at=now,
    )
    notice.content_hash = notice_hash(notice)
    if previous is not None:
        # Waits for anyone saying yes to it right now (they hold it); after this, nobody can.
        previous.superseded_at = now
        db.add(previous)
        db.flush()
    db.add(notice)
    db.flush()
    if notice.change_is_material:
        # Everyone whose sharing goes on hold, locked in one go, in id order (now a complete list).
        lock_residents(db, db.exec(select(ConsentGrant.resident_id).where(
            ConsentGrant.provider_id == provider.id, ConsentGrant.area == area,
            col(ConsentGrant.state).in_([str(s) for s in LIVE_GRANT_STATES]))).all())
        grants = db.exec(
            select(ConsentGrant).where(ConsentGrant.provider_id == provider.id, ConsentGrant.area == area,
                                       col(ConsentGrant.state).in_([s.value for s in LIVE_GRANT_STATES if s != GrantState.INVALIDATED]))
        ).all()
        for grant in grants:
            with Change(db, grant.resident_id, SYSTEM, secret_key) as change:
                change.record(grant, ConsentEventType.INVALIDATED, GrantState.INVALIDATED, notice=db.get(SharingNotice, grant.notice_id))
    return notice


def _same_offer(notice: SharingNotice, access_modes, fields_shown, purposes, summary, retention, lawful_basis, dsa_reference) -> bool:
    return (list(notice.access_modes), list(notice.fields_shown), list(notice.purposes), dict(notice.summary),
            dict(notice.retention), notice.lawful_basis, notice.dsa_reference) == (
        list(access_modes), list(fields_shown), list(purposes), dict(summary), dict(retention), lawful_basis, dsa_reference)


def _fresh_grants(db: Session, grant_ids: list[str], states) -> list[ConsentGrant]:
    """These grants as they are now (read again under the lock), if still in one of ``states``."""
    if not grant_ids:
        return []
    return db.exec(select(ConsentGrant).where(col(ConsentGrant.id).in_(grant_ids),
                                              col(ConsentGrant.state).in_([str(s) for s in states]))
                   .order_by(ConsentGrant.resident_id, ConsentGrant.id)).all()


# --- Who makes a change -------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentActor:
    user_id: str | None
    role: str
    name: str
    provider_id: str | None = None
    provider_name: str | None = None
    method: str = "self_online"  # self_online | assisted_in_person | system
    on_behalf: bool = False
    witness: User | None = None
    channel: str | None = None

    @classmethod
    def resident(cls, user: User, channel: str | None = None) -> ConsentActor:
        return cls(user.id, user.role, user.first_name, channel=channel)

    @classmethod
    def assisting(cls, tutor: User, provider: Provider) -> ConsentActor:
        """A tutor recording a consent with the resident beside them (the tutor is the witness)."""
        return cls(tutor.id, tutor.role, tutor.first_name, provider.id, provider.name, "assisted_in_person", True, tutor)


SYSTEM = ConsentActor(None, "system", "Me and My Learning", method="system")


# --- Changing consents: every change is an event (hash-chained) plus a receipt --------------------

RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O or U


def _receipt_tag(secret_key: str, body: str) -> str:
    digest = hmac.new(secret_key.encode(), f"receipt:{body}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:3], "big")
    return "".join(RECEIPT_ALPHABET[(number >> shift) & 31] for shift in (15, 10, 5, 0))


def new_receipt_code(secret_key: str) -> str:
    """"MML-XXXX-XXXX-XXXX": eight random characters and four of a keyed check."""
    body = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))
    tag = _receipt_tag(secret_key, body)
    return f"MML-{body[:4]}-{body[4:]}-{tag}"


def receipt_code_is_genuine(code: str, secret_key: str) -> bool:
    parts = code.upper().split("-") if isinstance(code, str) and len(code) <= 20 else []
    if len(parts) != 4 or parts[0] != "MML" or any(len(p) != 4 for p in parts[1:]):
        return False
    return hmac.compare_digest(_receipt_tag(secret_key, parts[1] + parts[2]), parts[3])


def receipt_mac(secret_key: str, code: str, content: dict) -> str:
    return hmac.new(secret_key.encode(), code.encode() + chains.canonical(content), hashlib.sha256).hexdigest()


def _chain_head(db: Session, model, resident_id: str, hash_field: str) -> tuple[int, str]:
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


class Change:
    """One change made by one person, in one transaction: any number of consent events, and one
    receipt for them all.

        with Change(db, resident_id, actor, secret_key) as change:
            change.give(notice, modes, months)
    """

    def __init__(self, db: Session, resident_id: str, actor: ConsentActor, secret_key: str):
        self.db, self.resident_id, self.actor, self.secret_key = db, resident_id, actor, secret_key
        self.code = new_receipt_code(secret_key)
        self.events: list[ConsentEvent] = []
        self.receipt: ConsentReceipt | None = None

    def __enter__(self) -> Change:
        # Read the resident's consents only after this: a double-tapped button then finds its
        # change already made, instead of making it twice.
        lock_residents(self.db, [self.resident_id])
        return self

    def __exit__(self, exc_type, *_):
        if exc_type is None and self.events:
            self.receipt = _write_receipt(self.db, self)
        return False

    # The actions -----------------------------------------------------------------------------

    def give(self, notice: SharingNotice, modes: list[str], months: int = DEFAULT_DURATION_MONTHS) -> ConsentGrant:
        """Say yes to a notice (a first yes, or yes again after the notice changed). A tutor recording
        it for their own provider makes it pending until the resident confirms."""
        modes = [m for m in notice.access_modes if m in set(modes)]
        if AccessMode.VIEW not in modes or months not in DURATIONS_MONTHS:
            raise ConsentError("invalid_choice")
        if self.db.exec(select(SharingNotice.superseded_at).where(SharingNotice.id == notice.id)).one() is not None:
            raise ConsentError("notice_changed")  # a new version came out while they were reading this one
        now = utcnow()
        grant = live_grant(self.db, self.resident_id, notice.provider_id, notice.area)
        if grant is not None and grant.state != GrantState.INVALIDATED:
            raise ConsentError("already_sharing")
        pending = self.actor.method == "assisted_in_person" and self.actor.provider_id == notice.provider_id
        if grant is None:
            grant = ConsentGrant(resident_id=self.resident_id, provider_id=notice.provider_id, area=notice.area,
                                 notice_id=notice.id, access_modes=modes, state=GrantState.GIVEN, given_at=now,
                                 valid_until=months_later(now, months), duration_months=months)
        grant.notice_id, grant.access_modes, grant.duration_months = notice.id, modes, months
        grant.given_at, grant.valid_until = now, months_later(now, months)
        grant.recorded_by_id = self.actor.user_id if self.actor.on_behalf else None
        if pending:
            self.record(grant, ConsentEventType.REQUESTED, GrantState.PENDING, notice=notice)
        else:
            grant.last_confirmed_at = now
            self.record(grant, ConsentEventType.GIVEN, GrantState.GIVEN, notice=notice)
        return grant

    def confirm(self, grant: ConsentGrant) -> None:
        """The resident confirms a consent a tutor recorded for the tutor's own provider."""
        if grant.state != GrantState.PENDING:
            raise ConsentError("not_pending")
        now = utcnow()
        grant.given_at, grant.valid_until, grant.last_confirmed_at = now, months_later(now, grant.duration_months), now
        self.record(grant, ConsentEventType.CONFIRMED, GrantState.GIVEN, resident_confirmed=True)

    def refuse(self, grant: ConsentGrant) -> None:
        if grant.state != GrantState.PENDING:
            raise ConsentError("not_pending")
        self.record(grant, ConsentEventType.REFUSED, GrantState.REFUSED, ended=True)

    def withdraw(self, grant: ConsentGrant) -> None:
        if grant.state not in LIVE_GRANT_STATES:
            raise ConsentError("not_live")
        self.record(grant, ConsentEventType.WITHDRAWN, GrantState.WITHDRAWN, ended=True)

    def pause(self, grant: ConsentGrant) -> None:
        if grant.state not in VALID_GRANT_STATES:
            raise ConsentError("not_active")
        self.record(grant, ConsentEventType.PAUSED, GrantState.PAUSED)

    def resume(self, grant: ConsentGrant) -> None:
        if grant.state != GrantState.PAUSED or grant.valid_until <= utcnow():
            raise ConsentError("not_paused")
        self.record(grant, ConsentEventType.RESUMED, GrantState.GIVEN)

    def renew(self, grant: ConsentGrant) -> None:
        """Keep sharing for another period of the same length, from today."""
        if grant.state not in VALID_GRANT_STATES or grant.valid_until <= utcnow():
            raise ConsentError("not_active")
        now = utcnow()
        grant.valid_until, grant.last_confirmed_at = months_later(now, grant.duration_months), now
        self.record(grant, ConsentEventType.RENEWED, GrantState.RENEWED)

    def expire(self, grant: ConsentGrant) -> None:
        self.record(grant, ConsentEventType.EXPIRED, GrantState.EXPIRED, ended=True)

    # Writing ----------------------------------------------------------------------------------

    def record(self, grant: ConsentGrant, event_type: ConsentEventType, state: GrantState, *, notice: SharingNotice | None = None,
               ended: bool = False, resident_confirmed: bool | None = None) -> ConsentEvent:
        db = self.db
        notice = notice or db.get(SharingNotice, grant.notice_id)
        provider = db.get(Provider, grant.provider_id)
        now = utcnow()
        grant.state = state
        if ended:
            grant.ended_at = now
        db.add(grant)
        db.flush()
        seq, prev = _chain_head(db, ConsentEvent, self.resident_id, "event_hash")
        actor = self.actor
        event = ConsentEvent(
            resident_id=self.resident_id, seq=seq + 1, grant_id=grant.id, provider_id=provider.id, provider_name=provider.name,
            area=grant.area, event_type=str(event_type), notice_id=notice.id, notice_version=notice.version,
            notice_hash=notice.content_hash, access_modes=list(grant.access_modes), valid_from=grant.given_at,
            valid_until=grant.valid_until, actor_user_id=actor.user_id, actor_role=actor.role, actor_name=actor.name,
            actor_provider=actor.provider_name, on_behalf=actor.on_behalf, method=actor.method,
            witness_user_id=actor.witness.id if actor.witness else None,
            witness_name=actor.witness.first_name if actor.witness else None,
            resident_confirmed=bool(resident_confirmed if resident_confirmed is not None else actor.user_id == self.resident_id),
            channel=actor.channel, receipt_code=self.code, occurred_at=now, prev_hash=prev, event_hash="",
        )
        event.event_hash = chains.link(prev, chains.row_content(event, CONSENT_EVENT_UNHASHED))
        db.add(event)
        db.flush()
        db.info["chain_heads"][(ConsentEvent.__tablename__, self.resident_id)] = (event.seq, event.event_hash)
        self.events.append(event)
        return event


CONSENT_EVENT_UNHASHED = {"id", "event_hash"}
ACCESS_ENTRY_UNHASHED = {"id", "entry_hash"}


def _write_receipt(db: Session, change: Change) -> ConsentReceipt:
    content = {
        "schema": "me-and-my-learning/consent-receipt/1",
        "code": change.code,
        "issued_at": change.events[-1].occurred_at.isoformat(),
        "recorded_by": {"name": change.actor.name, "role": change.actor.role, "provider": change.actor.provider_name,
                        "method": change.actor.method,
                        "witness": change.actor.witness.first_name if change.actor.witness else None},
        "changes": [
            {"provider": e.provider_name, "area": e.area, "event": e.event_type, "modes": e.access_modes,
             "valid_from": e.valid_from.isoformat() if e.valid_from else None,
             "valid_until": e.valid_until.isoformat() if e.valid_until else None,
             "notice_version": e.notice_version, "notice_hash": e.notice_hash, "grant_id": e.grant_id}
            for e in change.events
        ],
    }
    receipt = ConsentReceipt(code=change.code, resident_id=change.resident_id, issued_at=change.events[-1].occurred_at,
                             content=content, mac=receipt_mac(change.secret_key, change.code, content))
    db.add(receipt)
    db.flush()
    return receipt


def repeat_receipt(db: Session, resident_id: str, actor_user_id: str | None, event_types, *, provider_id: str | None = None,
                   area: str | None = None, grant_id: str | None = None) -> ConsentReceipt | None:
    """The receipt of the change this request repeats, if any: the resident's latest change, made by
    the same person within the last minute, of one of ``event_types`` (for this provider or
    grant). A double-tapped button then gets the same answer as the first tap — the same receipt —
    instead of a second change. Read under the resident's lock."""
    latest = db.exec(select(ConsentEvent).where(ConsentEvent.resident_id == resident_id)
                     .order_by(col(ConsentEvent.seq).desc()).limit(1)).first()
    if latest is None or latest.actor_user_id != actor_user_id or latest.occurred_at < utcnow() - REPEAT_WINDOW:
        return None
    events = db.exec(select(ConsentEvent).where(ConsentEvent.resident_id == resident_id,
                                                ConsentEvent.receipt_code == latest.receipt_code)).all()
    if not any(e.event_type in {str(t) for t in event_types} and (provider_id is None or e.provider_id == provider_id)
               and (area is None or e.area == area) and (grant_id is None or e.grant_id == grant_id) for e in events):
        return None
    return db.get(ConsentReceipt, latest.receipt_code)


def find_receipt(db: Session, code: str, secret_key: str) -> ConsentReceipt | None:
    """A receipt, if the code is genuine and its content is as issued; otherwise None (404)."""
    if not receipt_code_is_genuine(code, secret_key):
        return None
    receipt = db.get(ConsentReceipt, code.upper())
    if receipt is None or not hmac.compare_digest(receipt.mac, receipt_mac(secret_key, receipt.code, receipt.content)):
        return None
    return receipt


# --- Reading a resident's consents ------------------------------------------------------------


def live_grant(db: Session, resident_id: str, provider_id: str, area: str) -> ConsentGrant | None:
    return db.exec(
        select(ConsentGrant).where(ConsentGrant.resident_id == resident_id, ConsentGrant.provider_id == provider_id,
                                   ConsentGrant.area == area, col(ConsentGrant.state).in_([s.value for s in LIVE_GRANT_STATES]))
    ).first()


def resident_grant(db: Session, resident_id: str, grant_id: str) -> ConsentGrant:
    grant = db.get(ConsentGrant, grant_id)
    if grant is None or grant.resident_id != resident_id:
        raise NotShared(grant_id)
    return grant


def status(grant: ConsentGrant | None, now: datetime | None = None) -> str:
    """What the resident sees: active, pending, paused, on_hold, withdrawn, expired, refused, none."""
    if grant is None:
        return "none"
    now = now or utcnow()
    state = grant.state
    if state in VALID_GRANT_STATES:
        return "active" if grant.valid_until > now else "expired"
    return {GrantState.PENDING: "pending", GrantState.PAUSED: "paused", GrantState.INVALIDATED: "on_hold",
            GrantState.WITHDRAWN: "withdrawn", GrantState.EXPIRED: "expired", GrantState.REFUSED: "refused"}[GrantState(state)]


def expire_lapsed(db: Session, secret_key: str, resident_id: str | None = None) -> int:
    """Write ``expired`` events for grants whose time is up (the decision already treats them as
    ended; this makes the record say so). Returns how many."""
    query = select(ConsentGrant).where(col(ConsentGrant.state).in_([s.value for s in (*VALID_GRANT_STATES, GrantState.PAUSED)]),
                                       ConsentGrant.valid_until <= utcnow())
    if resident_id:
        query = query.where(ConsentGrant.resident_id == resident_id)
    found = db.exec(query).all()
    if not found:
        return 0
    lock_residents(db, [g.resident_id for g in found])
    grants = [g for g in _fresh_grants(db, [g.id for g in found], (*VALID_GRANT_STATES, GrantState.PAUSED)) if g.valid_until <= utcnow()]
    for grant in grants:
        with Change(db, grant.resident_id, SYSTEM, secret_key) as change:
            change.expire(grant)
    return len(grants)


# --- The decision ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """Yes, this staff member may use this area of this resident, now, on these terms."""

    resident_id: str
    area: str
    grant: GrantRef
    notice: SharingNotice
    modes: tuple[str, ...]
    purposes: tuple[str, ...]
    fields: tuple[str, ...]
    consent_event_id: int | None = None

    def allows(self, mode: str) -> bool:
        return mode in self.modes


def valid_grant_clause(now: datetime):
    """True in SQL for a grant that allows a staff member of its provider to use it now: the grant is
    given or renewed and not past its date, the resident is an active resident, and the provider is
    active. The one definition, shared by single decisions and by every list, count and export
    (they add the staff member's provider). It names ``user_account`` and ``provider`` by their
    ids, so a query that does not join them gets them as plain FROM entries."""
    return and_(
        col(ConsentGrant.state).in_([s.value for s in VALID_GRANT_STATES]), ConsentGrant.valid_until > now,
        User.id == ConsentGrant.resident_id, User.active.is_(True), User.role == Role.RESIDENT,
        Provider.id == ConsentGrant.provider_id, Provider.active.is_(True),
    )


def staff_provider(staff: User | None) -> str | None:
    """The provider an active tutor or member of provider staff acts for; None for anyone else
    (admins included: they never see residents' plans through sharing)."""
    if staff is None or not getattr(staff, "is_authenticated", True) or staff.role not in STAFF_ROLES or not staff.active:
        return None
    return staff.provider_id


@dataclass(frozen=True)
class GrantRef:
    """The parts of a grant a staff page needs (lists read thousands: no full ORM objects)."""

    id: str
    resident_id: str
    area: str
    access_modes: list
    notice_id: str
    valid_until: datetime


def decisions_for(db: Session, staff: User, resident_ids: list[str], mode: str = AccessMode.VIEW,
                  area: str | None = None) -> list[Decision]:
    """The decisions for many residents at once (lists): two queries, however many residents."""
    provider_id = staff_provider(staff)
    resident_ids = [r for r in resident_ids if isinstance(r, str)]
    if provider_id is None or not resident_ids:
        return []
    query = (
        select(ConsentGrant.id, ConsentGrant.resident_id, ConsentGrant.area, ConsentGrant.access_modes,
               ConsentGrant.notice_id, ConsentGrant.valid_until)
        .where(col(ConsentGrant.resident_id).in_(resident_ids), ConsentGrant.provider_id == provider_id,
               valid_grant_clause(utcnow()))
        .order_by(ConsentGrant.resident_id, ConsentGrant.area)
    )
    if area:
        query = query.where(ConsentGrant.area == area)
    grants = [GrantRef(*row) for row in db.exec(query).all() if mode in row[3]]
    if not grants:
        return []
    notices = {n.id: n for n in db.exec(select(SharingNotice).where(col(SharingNotice.id).in_({g.notice_id for g in grants}))).all()}
    decisions = []
    for grant in grants:
        notice = notices[grant.notice_id]
        decisions.append(Decision(grant.resident_id, grant.area, grant, notice, tuple(grant.access_modes),
                                  tuple(p["code"] for p in notice.purposes), tuple(notice.fields_shown)))
    return decisions


def open_record(db: Session, staff: User, resident_id: str, mode: str = AccessMode.VIEW, area: str | None = None) -> list[Decision]:
    """The start of every staff use of one resident's record: lock it, then decide (fresh, under the
    lock). An empty list means "not shared" (or no such resident). Whatever is then shown or
    changed is logged with ``record_access`` in the same transaction."""
    lock_residents(db, [resident_id])
    return decisions_for(db, staff, [resident_id], mode, area=area)


def require(db: Session, staff: User, resident_id: str, area: str, mode: str = AccessMode.VIEW) -> Decision:
    """``open_record`` for one area: the decision, or NotShared (shown as the same 404 as "no such
    resident")."""
    found = open_record(db, staff, resident_id, mode, area=area)
    if not found:
        raise NotShared(resident_id)
    return found[0]


def stopped_sharing_since(db: Session, resident_id: str, provider_id: str, since: datetime) -> bool:
    """Whether the resident has withdrawn (or refused) any sharing with this organisation since then."""
    return db.exec(select(ConsentEvent.id).where(
        ConsentEvent.resident_id == resident_id, ConsentEvent.provider_id == provider_id, ConsentEvent.occurred_at >= since,
        col(ConsentEvent.event_type).in_([ConsentEventType.WITHDRAWN, ConsentEventType.REFUSED])).limit(1)).first() is not None


# --- The access log -------------------------------------------------------------------------



def record_access(db: Session, staff: User, provider: Provider, decisions: list[Decision], action: AccessAction,
                  purpose: str, request_id: str, fields: tuple[str, ...] | None = None) -> int:
    """Write one access-log entry per resident shown, in the caller's transaction, as one batched
    INSERT; and note the last look on each grant. The caller commits before showing anything."""
    if not decisions:
        return 0
    # Lists (caseload, dashboard, search, export) show a resident among others: the reason is the
    # list itself, which sharing always allows; opening or recording needs a reason from the notice.
    system = action in LIST_ACTIONS and purpose == LIST_PURPOSE
    if not system and any(purpose not in d.purposes for d in decisions):
        raise ConsentError("purpose_not_in_notice")
    resident_ids = sorted({d.resident_id for d in decisions})
    for resident_id in resident_ids:
        # The decisions must have been taken under the lock: otherwise a withdrawal could slip in
        # between, and the chain numbers could clash with another look at the same moment.
        require_lock(db, resident_id)
    now = utcnow()
    rows = []
    heads = _chain_heads_for(db, resident_ids)
    for decision in decisions:
        seq, prev = heads[decision.resident_id]
        content = {
            "resident_id": decision.resident_id, "seq": seq + 1, "occurred_at": now, "actor_user_id": staff.id,
            "actor_name": staff.first_name, "actor_role": staff.role, "provider_id": provider.id,
            "provider_name": provider.name, "action": str(action), "area": decision.area,
            "fields_disclosed": list(fields if fields is not None else decision.fields), "purpose_code": purpose,
            "grant_id": decision.grant.id, "consent_event_id": decision.consent_event_id, "request_id": request_id,
            "prev_hash": prev,
        }
        content["entry_hash"] = chains.link(prev, content)
        heads[decision.resident_id] = (seq + 1, content["entry_hash"])
        rows.append(content)
    db.execute(insert(AccessLogEntry), rows)
    db.execute(
        update(ConsentGrant).where(col(ConsentGrant.id).in_([d.grant.id for d in decisions])).values(last_accessed_at=now)
        .execution_options(synchronize_session=False)  # thousands of rows for a list: no need to touch loaded objects
    )
    for resident_id in resident_ids:
        db.info.setdefault("chain_heads", {})[(AccessLogEntry.__tablename__, resident_id)] = heads[resident_id]
    return len(rows)


def _chain_heads_for(db: Session, resident_ids: list[str]) -> dict[str, tuple[int, str]]:
    """The access-log chain head of each resident, in one query."""
    known = db.info.setdefault("chain_heads", {})
    heads = {r: known[(AccessLogEntry.__tablename__, r)] for r in resident_ids if (AccessLogEntry.__tablename__, r) in known}
    missing = [r for r in resident_ids if r not in heads]
    if missing:
        latest = (
            select(AccessLogEntry.resident_id, func.max(AccessLogEntry.seq).label("seq"))
            .where(col(AccessLogEntry.resident_id).in_(missing)).group_by(AccessLogEntry.resident_id).subquery()
        )
        found = db.exec(
            select(AccessLogEntry.resident_id, AccessLogEntry.seq, AccessLogEntry.entry_hash)
            .join(latest, and_(latest.c.resident_id == AccessLogEntry.resident_id, latest.c.seq == AccessLogEntry.seq))
        ).all()
        heads.update({r: (s, h) for r, s, h in found})
        heads.update({r: (0, chains.GENESIS) for r in missing if r not in heads})
    return heads


# --- Verifying the chains -------------------------------------------------------------------


def verify_chains(db: Session) -> dict[str, list[str]]:
    """Every resident whose consent or access-log chain is broken, with what is wrong."""
    problems: dict[str, list[str]] = {}
    for model, hash_field, unhashed, label in (
        (ConsentEvent, "event_hash", CONSENT_EVENT_UNHASHED, "consent"),
        (AccessLogEntry, "entry_hash", ACCESS_ENTRY_UNHASHED, "access log"),
    ):
        rows = db.exec(select(model).order_by(model.resident_id, model.seq)).all()
        by_resident: dict[str, list] = {}
        for row in rows:
            by_resident.setdefault(row.resident_id, []).append(row)
        for resident_id, chain in by_resident.items():
            for problem in chains.verify(chain, hash_field, unhashed):
                problems.setdefault(resident_id, []).append(f"{label}: {problem}")
    return problems



# --- What the resident's "Who can see my plan" page shows -------------------------------------


@dataclass
class AreaChoice:
    area: str
    notice: SharingNotice
    grant: ConsentGrant | None
    status: str

    @property
    def checked(self) -> bool:
        return self.status == "active"

    @property
    def renewal_due(self) -> bool:
        return self.status == "active" and self.grant.valid_until - utcnow() <= RENEWAL_WINDOW


@dataclass
class ProviderChoices:
    provider: Provider
    areas: list[AreaChoice]


def sharing_choices(db: Session, resident_id: str, provider_id: str | None = None) -> list[ProviderChoices]:
    """Each active provider with a notice, and for each of its areas the resident's current choice
    (the live grant, else the latest one) — three queries."""
    notices = [n for n in current_notices(db) if provider_id is None or n.provider_id == provider_id]
    providers = {p.id: p for p in db.exec(select(Provider).where(col(Provider.id).in_({n.provider_id for n in notices}))).all()} if notices else {}
    grants: dict[tuple[str, str], ConsentGrant] = {}
    for grant in db.exec(select(ConsentGrant).where(ConsentGrant.resident_id == resident_id).order_by(ConsentGrant.given_at)).all():
        key = (grant.provider_id, grant.area)
        current = grants.get(key)
        if current is None or current.state not in LIVE_GRANT_STATES or grant.state in LIVE_GRANT_STATES:
            grants[key] = grant
    now = utcnow()
    by_provider: dict[str, ProviderChoices] = {}
    for notice in notices:
        grant = grants.get((notice.provider_id, notice.area))
        choices = by_provider.setdefault(notice.provider_id, ProviderChoices(providers[notice.provider_id], []))
        choices.areas.append(AreaChoice(notice.area, notice, grant, status(grant, now)))
    order = {area.value: i for i, area in enumerate(Area)}
    for choices in by_provider.values():
        choices.areas.sort(key=lambda c: order[c.area])
    return sorted(by_provider.values(), key=lambda c: c.provider.name)


def grants_needing_attention(db: Session, resident_id: str) -> dict[str, list[ConsentGrant]]:
    """For the home page: consents to confirm, to review after a change, and to renew soon."""
    now = utcnow()
    live = db.exec(select(ConsentGrant).where(ConsentGrant.resident_id == resident_id,
                                              col(ConsentGrant.state).in_([s.value for s in LIVE_GRANT_STATES]))).all()
    return {
        "pending": [g for g in live if g.state == GrantState.PENDING],
        "on_hold": [g for g in live if g.state == GrantState.INVALIDATED],
        "renew": [g for g in live if g.state in VALID_GRANT_STATES and now < g.valid_until <= now + RENEWAL_WINDOW],
    }


@dataclass
class LookSummary:
    people: int
    organisations: int


def looks_in_last_30_days(db: Session, resident_id: str) -> LookSummary:
    since = utcnow() - timedelta(days=30)
    people, organisations = db.exec(
        select(func.count(func.distinct(AccessLogEntry.actor_user_id)), func.count(func.distinct(AccessLogEntry.provider_id)))
        .where(AccessLogEntry.resident_id == resident_id, AccessLogEntry.occurred_at >= since)
    ).one()
    return LookSummary(people, organisations)
