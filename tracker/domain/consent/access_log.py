"""The access log: every staff look at a resident's data, hash-chained per resident, and what the
resident sees of it."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from tracker.clock import utcnow
from tracker.domain import chains
from tracker.domain.consent.decision import Decision
from tracker.domain.consent.terms import (
    ACCESS_ENTRY_UNHASHED,
    CONSENT_EVENT_UNHASHED,
    LIST_ACTIONS,
    LIST_PURPOSE,
    REFERRAL_PURPOSE,
    ConsentError,
)
from tracker.domain.locks import lock_residents, require_lock
from tracker.domain.sql import one_of_named
from tracker.models import (
    ABOUT_ME,
    AccessAction,
    AccessFlag,
    AccessLogEntry,
    ConsentEvent,
    Provider,
    User,
)

# --- The access log -------------------------------------------------------------------------



def record_access(db: Session, staff: User, provider: Provider, decisions: list[Decision], action: AccessAction,
                  purpose: str, request_id: str, fields: tuple[str, ...] | None = None) -> int:
    """Write one access-log entry per resident shown, in the caller's transaction, as one batched
    INSERT. The caller commits before showing anything."""
    if not decisions:
        return 0
    # Lists (caseload, dashboard, search, export) show a resident among others: the reason is the
    # list itself, which sharing always allows; opening or recording needs a reason from the notice.
    system = (action in LIST_ACTIONS and purpose == LIST_PURPOSE) or (action == AccessAction.OPENED_REFERRAL and purpose == REFERRAL_PURPOSE)
    if not system and any(purpose not in d.purposes for d in decisions):
        raise ConsentError("purpose_not_in_notice")
    return _append(db, staff, provider, [(d.resident_id, d.area, list(fields if fields is not None else d.fields), d.grant.id,
                                          d.consent_event_id) for d in decisions], action, purpose, request_id)


def last_looks(db: Session, resident_id: str) -> dict[str, datetime]:
    """When each of the resident's consents was last used to look at their plan (grant id: time),
    read from the log itself. (Each grant used to keep its own copy, updated with every look: an
    export's 10,000 updates were a fifth of its time on PostgreSQL, for a date the log already has.)"""
    return dict(db.exec(
        select(AccessLogEntry.grant_id, func.max(AccessLogEntry.occurred_at))
        .where(AccessLogEntry.resident_id == resident_id, col(AccessLogEntry.grant_id).is_not(None))
        .group_by(AccessLogEntry.grant_id)
    ).all())


def about_me_seen(db: Session, provider_id: str, resident_ids: list[str]) -> dict[str, dict[str, datetime]]:
    """When the organisation last saw each answer of each resident's About me (resident id: answer:
    time), from the log: the looks that opened it (or wrote an answer with them), each with exactly
    the answers it showed. "Changed since you last looked" counts from these, answer by answer. One
    query."""
    if not resident_ids:
        return {}
    seen: dict[str, dict[str, datetime]] = {}
    for resident_id, at, shown in db.exec(
        select(AccessLogEntry.resident_id, AccessLogEntry.occurred_at, AccessLogEntry.fields_disclosed)
        .where(col(AccessLogEntry.resident_id).in_(resident_ids), AccessLogEntry.provider_id == provider_id,
               AccessLogEntry.area == ABOUT_ME, col(AccessLogEntry.action).in_([AccessAction.OPENED, AccessAction.RECORDED]))
    ).all():
        answers = seen.setdefault(resident_id, {})
        for code in shown or []:
            if code not in answers or at > answers[code]:
                answers[code] = at
    return seen


def record_waiting_listed(db: Session, staff: User, provider: Provider, resident_ids: list[str], request_id: str) -> int:
    """Log a tutor seeing these residents' names in the list of people their organisation
    registered who have not chosen what to share yet: no consent behind it (so no grant), and
    nothing disclosed but the name. The caller has locked them and commits before showing it."""
    return _append(db, staff, provider, [(rid, None, ["name"], None, None) for rid in resident_ids],
                   AccessAction.LISTED_WAITING, LIST_PURPOSE, request_id)


def _append(db: Session, staff: User, provider: Provider, looks: list[tuple], action: AccessAction, purpose: str,
            request_id: str) -> int:
    """One chained entry per (resident, area, fields, grant id, consent event id), as one INSERT."""
    if not looks:
        return 0
    resident_ids = sorted({look[0] for look in looks})
    for resident_id in resident_ids:
        # The decisions must have been taken under the lock: otherwise a withdrawal could slip in
        # between, and the chain numbers could clash with another look at the same moment.
        require_lock(db, resident_id)
    now = utcnow()
    heads = _chain_heads_for(db, resident_ids)
    # Read once: ``staff`` is often Flask-Login's current_user proxy, and an export writes thousands of rows.
    who = {"actor_user_id": staff.id, "actor_name": staff.first_name, "actor_role": staff.role,
           "provider_id": provider.id, "provider_name": provider.name, "action": str(action)}
    connection = db.connection()
    stored = _StoredAs(connection.dialect)
    now_text = now.isoformat()
    rows = []
    for resident_id, area, fields, grant_id, consent_event_id in looks:
        seq, prev = heads[resident_id]
        content = {
            "resident_id": resident_id, "seq": seq + 1, "occurred_at": now_text, **who, "area": area, "fields_disclosed": fields,
            "purpose_code": purpose, "grant_id": grant_id, "consent_event_id": consent_event_id, "request_id": request_id,
            "prev_hash": prev,
        }
        content["entry_hash"] = chains.link(prev, content)
        content["occurred_at"] = now  # hashed as the text canonical JSON makes of it (quicker), stored as the time
        heads[resident_id] = (seq + 1, content["entry_hash"])
        rows.append(stored.row(content))
    # The driver's own executemany with values already as stored: an export writes thousands of
    # rows, and SQLAlchemy's per-row parameter processing was a third of its time.
    stored.write(connection, rows)
    for resident_id in resident_ids:
        db.info.setdefault("chain_heads", {})[(AccessLogEntry.__tablename__, resident_id)] = heads[resident_id]
    return len(rows)


class _StoredAs:
    """An access-log row as the database driver takes it: columns in a fixed order, each value put
    through its column type's own conversion (done once for values every row shares)."""

    def __init__(self, dialect):
        table = AccessLogEntry.__table__
        self.columns = [c for c in table.columns if c.name != "id"]
        quote = dialect.identifier_preparer.quote
        names = ", ".join(quote(c.name) for c in self.columns)
        # PostgreSQL takes every batch by COPY (psycopg 3's), the quickest way in at any size: an
        # export's 10,000 rows as INSERTs of 500 took 90 ms each, and a dashboard page's 50 rows as
        # one INSERT of 850 parameters cost it 6 ms more than COPY. SQLite is in-process:
        # executemany is as quick as it gets.
        self.by_copy = dialect.name == "postgresql"
        if (self.by_copy and dialect.driver != "psycopg") or (not self.by_copy and dialect.driver != "pysqlite"):
            raise NotImplementedError(f"access-log rows through {dialect.name}+{dialect.driver}")
        self.insert = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({', '.join(['?'] * len(self.columns))})"  # noqa: S608
        self.copy = f"COPY {quote(table.name)} ({names}) FROM STDIN"
        self._pick = operator.itemgetter(*(c.name for c in self.columns))
        converts = [c.type._cached_bind_processor(dialect) for c in self.columns]
        self._converted = [(n, convert) for n, convert in enumerate(converts) if convert is not None]
        self._cache: dict = {}

    def write(self, connection, rows: list[tuple]) -> None:
        if self.by_copy:
            with connection.connection.dbapi_connection.cursor() as cursor, cursor.copy(self.copy) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            connection.exec_driver_sql(self.insert, rows)

    def row(self, content: dict) -> tuple:
        values = self._pick(content)
        if not self._converted:
            return values
        values = list(values)
        for n, convert in self._converted:
            value = values[n]
            if value is not None:
                key = (n, tuple(value) if isinstance(value, list) else value)
                if key not in self._cache:  # the time, the fields: shared by most rows
                    self._cache[key] = convert(value)
                values[n] = self._cache[key]
        return tuple(values)


def _newest(later, column):
    return select(column).where(later.resident_id == User.id).order_by(later.seq.desc()).limit(1).correlate(User).scalar_subquery()


# The newest entry of each resident, each found with one step down the (resident, seq) index.
# Joined to the log instead, PostgreSQL hashed the whole log for every chunk of an export (120 ms
# at 90,000 entries, and growing with every look). Built once: the alias alone took a list 1 ms.
_LATER = aliased(AccessLogEntry)
_CHAIN_HEADS = select(User.id, _newest(_LATER, _LATER.seq), _newest(_LATER, _LATER.entry_hash)).where(one_of_named(User.id, "residents"))


def _chain_heads_for(db: Session, resident_ids: list[str]) -> dict[str, tuple[int, str]]:
    """The access-log chain head of each resident, in one query."""
    known = db.info.setdefault("chain_heads", {})
    heads = {r: known[(AccessLogEntry.__tablename__, r)] for r in resident_ids if (AccessLogEntry.__tablename__, r) in known}
    missing = [r for r in resident_ids if r not in heads]
    if missing:
        found = db.connection().execute(_CHAIN_HEADS, {"residents": missing}).all()
        heads.update({r: (s, h) for r, s, h in found if s is not None})
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


def flag_look(db: Session, resident_id: str, entry_id: int) -> AccessLogEntry | None:
    """The resident says a look "doesn't look right": flagged once for the admins (a second tap
    finds the first flag). None if the entry is not the resident's."""
    lock_residents(db, [resident_id])
    entry = db.get(AccessLogEntry, entry_id)
    if entry is None or entry.resident_id != resident_id:
        return None
    if db.exec(select(AccessFlag.id).where(AccessFlag.entry_id == entry.id)).first() is None:
        db.add(AccessFlag(entry_id=entry.id, resident_id=resident_id, provider_id=entry.provider_id))
    return entry


# --- "Who has looked": the looks grouped, and the ones worth a second look ---------------------

GROUP_WEEKS = 8
OPENING_HOURS = (8, 18)  # looks outside 8am-6pm (or at a weekend) are shown as worth a look


@dataclass
class LookGroup:
    """One organisation's looks in one week (weeks start on Monday, in the service's time zone)."""

    week_of: date
    provider_name: str
    looks: int
    people: list[str]
    purposes: set[str]


def look_groups(db: Session, resident_id: str, zone: str, now: datetime | None = None) -> list[LookGroup]:
    """The last GROUP_WEEKS weeks of looks, by week and organisation, newest first."""
    now = now or utcnow()
    tz = ZoneInfo(zone)
    since = now - timedelta(weeks=GROUP_WEEKS)
    entries = db.exec(select(AccessLogEntry).where(AccessLogEntry.resident_id == resident_id, AccessLogEntry.occurred_at >= since)
                      .order_by(col(AccessLogEntry.seq).desc())).all()
    groups: dict[tuple, LookGroup] = {}
    for entry in entries:
        day = entry.occurred_at.astimezone(tz).date()
        key = (day - timedelta(days=day.weekday()), entry.provider_id)
        group = groups.setdefault(key, LookGroup(key[0], entry.provider_name, 0, [], set()))
        group.looks += 1
        if entry.actor_name not in group.people:
            group.people.append(entry.actor_name)
        group.purposes.add(entry.purpose_code)
    return sorted(groups.values(), key=lambda g: (g.week_of, g.provider_name), reverse=True)


def unusual_looks(db: Session, resident_id: str, zone: str, now: datetime | None = None) -> list[tuple[AccessLogEntry, list[str]]]:
    """Looks in the last 30 days worth a second look, with why: by a person or an organisation that
    had not looked before, or outside opening hours."""
    now = now or utcnow()
    tz = ZoneInfo(zone)
    entries = db.exec(select(AccessLogEntry).where(AccessLogEntry.resident_id == resident_id)
                      .order_by(AccessLogEntry.seq)).all()
    seen_people, seen_providers, found = set(), set(), []
    for entry in entries:
        reasons = []
        if entry.occurred_at >= now - timedelta(days=30):
            local = entry.occurred_at.astimezone(tz)
            if entry.provider_id not in seen_providers:
                reasons.append("new_organisation")
            elif entry.actor_user_id not in seen_people:
                reasons.append("new_person")
            if local.weekday() >= 5 or not OPENING_HOURS[0] <= local.hour < OPENING_HOURS[1]:
                reasons.append("out_of_hours")
        seen_people.add(entry.actor_user_id)
        seen_providers.add(entry.provider_id)
        if reasons:
            found.append((entry, reasons))
    return list(reversed(found))
