"""What the resident's "Who can see my plan" page shows: each organisation's current notices,
with the resident's consent to each, and the consents that need the resident's attention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from tracker.clock import utcnow
from tracker.domain.consent.access_log import last_looks
from tracker.domain.consent.changes import status
from tracker.domain.consent.decision import allowed_fields, valid_grant_clause
from tracker.domain.consent.notices import current_notices
from tracker.domain.consent.terms import RENEWAL_WINDOW
from tracker.models import (
    ABOUT_ME,
    LIVE_GRANT_STATES,
    SHARED_PARTS,
    VALID_GRANT_STATES,
    ConsentGrant,
    GrantState,
    Provider,
    SharingNotice,
)

# --- What the resident's "Who can see my plan" page shows -------------------------------------


@dataclass
class AreaChoice:
    area: str
    notice: SharingNotice
    grant: ConsentGrant | None
    status: str
    last_looked_at: datetime | None = None

    @property
    def checked(self) -> bool:
        return self.status == "active"


@dataclass
class ProviderChoices:
    provider: Provider
    areas: list[AreaChoice]


def sharing_choices(db: Session, resident_id: str, provider_id: str | None = None) -> list[ProviderChoices]:
    """Each active provider with a notice, and for each of its areas the resident's current choice
    (the live grant, else the latest one) and when it was last used to look — four queries."""
    notices = [n for n in current_notices(db) if provider_id is None or n.provider_id == provider_id]
    providers = {p.id: p for p in db.exec(select(Provider).where(col(Provider.id).in_({n.provider_id for n in notices}))).all()} if notices else {}
    grants: dict[tuple[str, str], ConsentGrant] = {}
    for grant in db.exec(select(ConsentGrant).where(ConsentGrant.resident_id == resident_id).order_by(ConsentGrant.given_at)).all():
        key = (grant.provider_id, grant.area)
        current = grants.get(key)
        if current is None or current.state not in LIVE_GRANT_STATES or grant.state in LIVE_GRANT_STATES:
            grants[key] = grant
    now = utcnow()
    looked = last_looks(db, resident_id) if grants else {}
    by_provider: dict[str, ProviderChoices] = {}
    for notice in notices:
        grant = grants.get((notice.provider_id, notice.area))
        choices = by_provider.setdefault(notice.provider_id, ProviderChoices(providers[notice.provider_id], []))
        choices.areas.append(AreaChoice(notice.area, notice, grant, status(grant, now), looked.get(grant.id) if grant else None))
    order = {part: i for i, part in enumerate(SHARED_PARTS)}  # the plan's areas, then About me
    for choices in by_provider.values():
        choices.areas.sort(key=lambda c: order[c.area])
    return sorted(by_provider.values(), key=lambda c: c.provider.name)


ENDED_SHOWN_FOR = timedelta(days=60)


def grants_needing_attention(db: Session, resident_id: str) -> dict[str, list[ConsentGrant]]:
    """For the home page: consents to confirm, to review after a change, to renew soon, and sharing
    that ran out lately (so it never ends silently)."""
    now = utcnow()
    ran_out_states = [*(s.value for s in VALID_GRANT_STATES), GrantState.PAUSED.value, GrantState.EXPIRED.value]
    # One query: the live consents, and those that ran out in the last ENDED_SHOWN_FOR.
    grants = db.exec(select(ConsentGrant).where(
        ConsentGrant.resident_id == resident_id,
        or_(col(ConsentGrant.state).in_([s.value for s in LIVE_GRANT_STATES]),
            and_(col(ConsentGrant.state).in_(ran_out_states), ConsentGrant.valid_until > now - ENDED_SHOWN_FOR)),
    ).order_by(col(ConsentGrant.valid_until).desc())).all()
    live = [g for g in grants if g.state in LIVE_GRANT_STATES]
    shared_now = {(g.provider_id, g.area) for g in live if g.state in VALID_GRANT_STATES and g.valid_until > now}
    # Sharing that ran out (not what the resident stopped themselves), unless they have shared
    # that area with that organisation again since.
    ended, seen = [], set()
    for grant in grants:
        ran_out = grant.state in ran_out_states and grant.valid_until <= now
        if ran_out and (grant.provider_id, grant.area) not in shared_now | seen:
            seen.add((grant.provider_id, grant.area))
            ended.append(grant)
    return {
        "pending": [g for g in live if g.state == GrantState.PENDING],
        "on_hold": [g for g in live if g.state == GrantState.INVALIDATED],
        "renew": [g for g in live if g.state in VALID_GRANT_STATES and now < g.valid_until <= now + RENEWAL_WINDOW],
        "ended": ended,
    }


def about_me_shared_with(db: Session, resident_id: str) -> dict[str, list[str]]:
    """For the resident's About me page: each field, and the organisations that may see it now
    (a valid consent to About me naming that field). One query."""
    rows = db.exec(
        select(Provider.name, SharingNotice.fields_shown, ConsentGrant.fields)
        .join(SharingNotice, SharingNotice.id == ConsentGrant.notice_id)
        .where(ConsentGrant.resident_id == resident_id, ConsentGrant.area == ABOUT_ME, valid_grant_clause(utcnow()))
        .order_by(Provider.name)
    ).all()
    seen_by: dict[str, list[str]] = {}
    for provider_name, offered, chosen in rows:
        for code in allowed_fields(ABOUT_ME, tuple(offered), None if chosen is None else tuple(chosen)):
            seen_by.setdefault(code, []).append(provider_name)
    return seen_by
