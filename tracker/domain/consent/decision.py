"""The decision: may this staff member see (or record in) this area of this resident's plan?
Without a valid grant the answer is ``NotShared``, the same 404 as for a resident who does not
exist. Nothing here is cached: a lapsed or withdrawn grant stops access on the very next request."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import String, and_, bindparam, cast
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from tracker.clock import utcnow
from tracker.domain import about_me
from tracker.domain.consent.terms import NotShared
from tracker.domain.locks import lock_residents
from tracker.domain.sql import one_of_named
from tracker.models import (
    ABOUT_ME,
    VALID_GRANT_STATES,
    AccessMode,
    ConsentEvent,
    ConsentEventType,
    ConsentGrant,
    Provider,
    Role,
    SharingNotice,
    User,
)

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


# Who counts as staff for consent: tutors and provider staff, never admins (even one given a provider).
STAFF_ROLES = frozenset({Role.TUTOR, Role.PROVIDER_STAFF})


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
    access_modes: tuple[str, ...]
    notice_id: str
    valid_until: datetime
    fields: tuple[str, ...] | None = None  # About me: the fields the resident chose (None: all the notice lists)


@lru_cache(maxsize=64)
def json_tuple(text: str) -> tuple[str, ...]:
    """A grant's access modes (or a notice's fields) from their JSON text: a handful of different
    values among thousands of rows, so each is decoded once."""
    return tuple(json.loads(text))


def modes_column():
    """The access modes as JSON text, for ``access_modes`` (lists read thousands of grants)."""
    return cast(ConsentGrant.access_modes, String)


# Statements a list runs on every page, built once (building them took longer than running them):
# the decisions for many residents, and the notices they were given under.
_NOW = bindparam("now", type_=ConsentGrant.valid_until.type)
_GRANTS_FOR_ANY = (
    select(ConsentGrant.id, ConsentGrant.resident_id, ConsentGrant.area, modes_column(),
           ConsentGrant.notice_id, ConsentGrant.valid_until, cast(ConsentGrant.fields, String))
    .where(one_of_named(ConsentGrant.resident_id, "residents"), ConsentGrant.provider_id == bindparam("provider"),
           valid_grant_clause(_NOW))
    .order_by(ConsentGrant.resident_id, ConsentGrant.area)
)
# Without an area: the plan's areas. "About me" is decided only when asked for by name (its own
# page), so no plan page or list ever reads it.
_GRANTS_FOR = _GRANTS_FOR_ANY.where(ConsentGrant.area != ABOUT_ME)
_GRANTS_FOR_AREA = _GRANTS_FOR_ANY.where(ConsentGrant.area == bindparam("area"))
_NOTICES = select(SharingNotice).where(col(SharingNotice.id).in_(bindparam("notices", expanding=True)))


def decisions_for(db: Session, staff: User, resident_ids: list[str], mode: str = AccessMode.VIEW,
                  area: str | None = None, *, with_about_me: bool = False) -> list[Decision]:
    """The decisions for many residents at once (lists): two queries, however many residents.
    ``area`` None: every area of the plan, and About me only ``with_about_me`` (a list that flags
    changes to it; no plan page reads it)."""
    provider_id = staff_provider(staff)
    resident_ids = [r for r in resident_ids if isinstance(r, str)]
    if provider_id is None or not resident_ids:
        return []
    found = db.connection().execute(_GRANTS_FOR_AREA if area else _GRANTS_FOR_ANY if with_about_me else _GRANTS_FOR,
                                    {"residents": resident_ids, "provider": provider_id, "now": utcnow(), "area": area}).all()
    grants = [GrantRef(gid, rid, area_, json_tuple(modes), notice_id, until, None if chosen in (None, "null") else json_tuple(chosen))
              for gid, rid, area_, modes, notice_id, until, chosen in found if mode in json_tuple(modes)]  # Core rows: lists read thousands
    if not grants:
        return []
    notices = {n.id: n for n in db.exec(_NOTICES, params={"notices": sorted({g.notice_id for g in grants})}).all()}
    # A notice's purposes and fields, read once per notice rather than once per resident.
    terms = {nid: (tuple(p["code"] for p in n.purposes), tuple(n.fields_shown)) for nid, n in notices.items()}
    return [Decision(grant.resident_id, grant.area, grant, notices[grant.notice_id], tuple(grant.access_modes),
                     terms[grant.notice_id][0], allowed_fields(grant.area, terms[grant.notice_id][1], grant.fields)) for grant in grants]


def allowed_fields(part: str, offered: tuple[str, ...], chosen: tuple[str, ...] | None) -> tuple[str, ...]:
    """The fields a consent allows: what the notice lists, narrowed to what the resident chose
    (About me with no choice on record allows nothing: it fails closed)."""
    if chosen is None:
        return () if part == ABOUT_ME else offered
    return tuple(f for f in offered if f in chosen)


def special_fields_for(notice: SharingNotice, purpose: str) -> tuple[str, ...]:
    """The special-category fields a notice asks for this reason (each of its reasons names them)."""
    return tuple(next((p.get("special", []) for p in notice.purposes if p.get("code") == purpose), []))


def about_me_fields(decision: Decision, purpose: str) -> tuple[str, ...]:
    """What a look at About me may show, for this reason: the fields the resident chose, less any
    special-category field the notice does not ask for this reason."""
    if decision.area != ABOUT_ME:
        return ()
    sensitive, for_this = about_me.sensitive_codes(), set(special_fields_for(decision.notice, purpose))
    return tuple(f for f in decision.fields if f not in sensitive or f in for_this)


def areas_shared(db: Session, resident_id: str, provider_id: str) -> set[str]:
    """The parts of the plan (and About me) an organisation may see now (a valid consent)."""
    return set(db.exec(select(ConsentGrant.area).where(ConsentGrant.resident_id == resident_id, ConsentGrant.provider_id == provider_id,
                                                       valid_grant_clause(utcnow()))).all())


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
    """Whether the resident has withdrawn (or refused) any sharing with this organisation since then
    (not counting a new choice of About me answers: one consent ended and the next began, on one receipt)."""
    again = aliased(ConsentEvent)
    shared_again = select(again.id).where(again.receipt_code == ConsentEvent.receipt_code, again.area == ConsentEvent.area,
                                          again.provider_id == ConsentEvent.provider_id,
                                          again.event_type == ConsentEventType.GIVEN).exists()
    return db.exec(select(ConsentEvent.id).where(
        ConsentEvent.resident_id == resident_id, ConsentEvent.provider_id == provider_id, ConsentEvent.occurred_at >= since,
        col(ConsentEvent.event_type).in_([ConsentEventType.WITHDRAWN, ConsentEventType.REFUSED]), ~shared_again).limit(1)).first() is not None
