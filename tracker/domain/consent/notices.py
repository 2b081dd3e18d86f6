"""Sharing notices: what each organisation asks to see, why, and for how long; publishing a new
version, and putting consents on hold when what they ask for changes materially."""

from __future__ import annotations

import hashlib

from sqlalchemy import func
from sqlmodel import Session, col, select

from tracker.clock import REPEAT_WINDOW, utcnow
from tracker.domain import about_me, chains, texts
from tracker.domain.consent.changes import SYSTEM, Change
from tracker.domain.consent.terms import ConsentError, NotShared, fields_of
from tracker.domain.locks import lock_providers, lock_residents
from tracker.models import (
    ABOUT_ME,
    LIVE_GRANT_STATES,
    SHARED_PARTS,
    AccessMode,
    ConsentEventType,
    ConsentGrant,
    GrantState,
    Provider,
    SharingNotice,
    TextKind,
)

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


def hold_notices(db: Session, provider_id: str, areas: list[str]) -> list[SharingNotice]:
    """The organisation's current notices for ``areas``, held like ``current_notice(to_agree_to=True)``
    (before the resident's lock). ``NotShared`` when it does not ask for one of them now."""
    notices = [current_notice(db, provider_id, area, to_agree_to=True) for area in sorted(set(areas))]
    if any(n is None for n in notices):
        raise NotShared(provider_id)
    return notices


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
    if area not in SHARED_PARTS or not access_modes or set(access_modes) - set(AccessMode):
        raise ConsentError("notice_invalid")
    if set(fields_shown) - set(fields_of(area)) or not fields_shown or not purposes:
        raise ConsentError("notice_invalid")
    if not _special_fields_explained(area, fields_shown, purposes):
        raise ConsentError("notice_invalid")
    lock_providers(db, [provider.id])  # one publisher at a time: version numbers stay unique
    previous = current_notice(db, provider.id, area)
    now = utcnow()
    if previous is not None and _same_offer(previous, access_modes, fields_shown, purposes, summary, retention,
                                            lawful_basis, dsa_reference):
        if not material:
            return previous  # nothing new to tell residents (or the same form sent twice): no new version
        if (previous.change_is_material and previous.change_summary == change_summary
                and previous.published_at > now - REPEAT_WINDOW):
            return previous  # a big change sent twice ("Yes, publish it" tapped twice): it is out already, once

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
        for held_for in sorted({g.resident_id for g in grants}):  # one text each, if they want one
            texts.queue(db, held_for, TextKind.SHARING_ENDING, {"why": "on_hold"})
    return notice



def _special_fields_explained(area: str, fields_shown: list[str], purposes: list[dict]) -> bool:
    """About me: every special-category field asked for is named by a reason (staff see it only
    for those), and a reason names only special-category fields the notice asks for. The plan's
    areas have none."""
    named = [code for p in purposes for code in p.get("special", [])]
    if area != ABOUT_ME:
        return not named
    sensitive = about_me.sensitive_codes() & set(fields_shown)
    return set(named) <= sensitive and sensitive <= set(named)


def residents_put_on_hold(db: Session, provider_id: str, area: str) -> int:
    """How many residents' sharing a big change to this notice would put on hold (what the admin
    is told before confirming it)."""
    return db.exec(select(func.count(func.distinct(ConsentGrant.resident_id))).where(
        ConsentGrant.provider_id == provider_id, ConsentGrant.area == area,
        col(ConsentGrant.state).in_([s.value for s in LIVE_GRANT_STATES if s != GrantState.INVALIDATED]))).one()


def _same_offer(notice: SharingNotice, access_modes, fields_shown, purposes, summary, retention, lawful_basis, dsa_reference) -> bool:
    return (list(notice.access_modes), list(notice.fields_shown), list(notice.purposes), dict(notice.summary),
            dict(notice.retention), notice.lawful_basis, notice.dsa_reference) == (
        list(access_modes), list(fields_shown), list(purposes), dict(summary), dict(retention), lawful_basis, dsa_reference)

