"""Changing consents: who makes a change, every change an event (hash-chained) plus one receipt,
reading a resident's consents, and what the resident's "Who can see my plan" page shows."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from tracker.clock import REPEAT_WINDOW, utcnow
from tracker.domain import chains, texts
from tracker.domain.consent.terms import (
    CONSENT_EVENT_UNHASHED,
    DEFAULT_DURATION_MONTHS,
    DURATIONS_MONTHS,
    ConsentError,
    NotShared,
    chain_head,
    months_later,
)
from tracker.domain.locks import lock_residents
from tracker.models import (
    ABOUT_ME,
    LIVE_GRANT_STATES,
    VALID_GRANT_STATES,
    AccessFlag,
    AccessLogEntry,
    AccessMode,
    ConsentEvent,
    ConsentEventType,
    ConsentGrant,
    ConsentReceipt,
    GrantState,
    Provider,
    SharingNotice,
    TextKind,
    User,
)

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

    def give(self, notice: SharingNotice, modes: list[str], months: int = DEFAULT_DURATION_MONTHS,
             fields: list[str] | None = None, until: datetime | None = None) -> ConsentGrant:
        """Say yes to a notice (a first yes, or yes again after the notice changed). A tutor recording
        it for their own provider makes it pending until the resident confirms. About me: ``fields``
        are the ones the resident chose of those the notice asks for (at least one; a
        special-category one only with its own yes, which the page asks for). ``until``: keep an
        end date already chosen (a new choice of answers does not make sharing last longer)."""
        modes = [m for m in notice.access_modes if m in set(modes)]
        if AccessMode.VIEW not in modes or months not in DURATIONS_MONTHS:
            raise ConsentError("invalid_choice")
        if notice.area == ABOUT_ME:
            if not fields or set(fields) - set(notice.fields_shown):
                raise ConsentError("invalid_choice")
            fields = [f for f in notice.fields_shown if f in set(fields)]
        elif fields is not None:
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
        grant.notice_id, grant.access_modes, grant.duration_months, grant.fields = notice.id, modes, months, fields
        grant.given_at, grant.valid_until = now, until if until is not None and until > now else months_later(now, months)
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
        seq, prev = chain_head(db, ConsentEvent, self.resident_id, "event_hash")
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
            channel=actor.channel, receipt_code=self.code, occurred_at=now, fields=list(grant.fields) if grant.fields is not None else None,
            prev_hash=prev, event_hash="",
        )
        event.event_hash = chains.link(prev, chains.row_content(event, CONSENT_EVENT_UNHASHED))
        db.add(event)
        db.flush()
        db.info["chain_heads"][(ConsentEvent.__tablename__, self.resident_id)] = (event.seq, event.event_hash)
        self.events.append(event)
        return event




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
             "notice_version": e.notice_version, "notice_hash": e.notice_hash, "grant_id": e.grant_id,
             **({"fields": e.fields} if e.fields is not None else {})}
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
    grants = [g for g in fresh_grants(db, [g.id for g in found], (*VALID_GRANT_STATES, GrantState.PAUSED)) if g.valid_until <= utcnow()]
    for grant in grants:
        with Change(db, grant.resident_id, SYSTEM, secret_key) as change:
            change.expire(grant)
    for ended_for in sorted({g.resident_id for g in grants}):  # one text each, if they want one
        texts.queue(db, ended_for, TextKind.SHARING_ENDING, {"why": "ended"})
    return len(grants)


def grants_ending_within(db: Session, within, now: datetime | None = None) -> list[tuple[str, str]]:
    """(resident id, consent id) of live consents whose time is up within ``within`` from now: for
    the resident's own "your sharing ends soon" text."""
    now = now or utcnow()
    return list(db.exec(select(ConsentGrant.resident_id, ConsentGrant.id)
                        .where(col(ConsentGrant.state).in_([s.value for s in VALID_GRANT_STATES]),
                               ConsentGrant.valid_until > now, ConsentGrant.valid_until <= now + within)
                        .order_by(ConsentGrant.resident_id, ConsentGrant.id)).all())

def fresh_grants(db: Session, grant_ids: list[str], states) -> list[ConsentGrant]:
    """These grants as they are now (read again under the lock), if still in one of ``states``."""
    if not grant_ids:
        return []
    return db.exec(select(ConsentGrant).where(col(ConsentGrant.id).in_(grant_ids),
                                              col(ConsentGrant.state).in_([str(s) for s in states]))
                   .order_by(ConsentGrant.resident_id, ConsentGrant.id)).all()


# --- For the resident's export and erasure, and the public receipt check -----------------------


def resident_grants(db: Session, resident_id: str) -> list[tuple[ConsentGrant, str, int]]:
    """Every consent the resident has given, oldest first, with the organisation's name and the
    version of the notice it was given under."""
    return list(db.exec(select(ConsentGrant, Provider.name, SharingNotice.version)
                        .join(Provider, Provider.id == ConsentGrant.provider_id)
                        .join(SharingNotice, SharingNotice.id == ConsentGrant.notice_id)
                        .where(ConsentGrant.resident_id == resident_id).order_by(ConsentGrant.given_at)).all())


def grant_states(db: Session, grant_ids: set[str]) -> dict[str, str]:
    """Where each of these consents stands now ("none" for one that no longer exists)."""
    grants = {g.id: g for g in db.exec(select(ConsentGrant).where(col(ConsentGrant.id).in_(grant_ids))).all()}
    return {grant_id: status(grants.get(grant_id)) for grant_id in grant_ids}


def erase_consents(db: Session, resident_id: str) -> None:
    """Delete the resident's consents with their history, receipts and access log (erasure: the
    caller holds the resident's lock and the erasure permit the append-only triggers ask for)."""
    for model in (AccessFlag, AccessLogEntry, ConsentReceipt, ConsentEvent, ConsentGrant):
        db.exec(delete(model).where(model.resident_id == resident_id))
