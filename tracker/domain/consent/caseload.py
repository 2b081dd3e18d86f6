"""Lists of residents for staff: the tutor's caseload, the provider dashboard, its figures and the
CSV export. Only residents with a valid grant to the staff member's provider are ever listed,
counted or found, and only the fields each resident's notice allows are used — for display,
filtering and sorting alike (a filter on a hidden field would reveal it). Every page reads a fixed
number of SQL statements whatever the number of residents, and every resident shown is written to
the access log in one batched insert.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache, wraps

from sqlalchemy import String, and_, bindparam, case, cast, column, false, func, or_, table, true, tuple_
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.util import ClauseAdapter
from sqlmodel import Session, col, select

from tracker.clock import utcnow
from tracker.domain import about_me, consent, setup_codes
from tracker.domain.locks import lock_residents
from tracker.domain.sql import PerDatabase, one_of_named
from tracker.models import (
    ABOUT_ME,
    VALID_GRANT_STATES,
    AccessAction,
    Area,
    AreaProgress,
    ConsentGrant,
    PlanGoal,
    PlanStep,
    Provider,
    Role,
    SetupCode,
    SetupCodePurpose,
    SharingNotice,
    User,
)

PER_PAGE = 25
SEARCH_SHOWS = 50  # residents found by a name search (no pages: type more of the name)
SORTS = ("name", "last_activity", "goals_done")
# Lists count their residents only this far: counting a county's 25,000 on every page would cost
# more than the page (the exact number is on the Figures page). 100, not 500: counting to 500 was
# a third of a filtered county page on PostgreSQL (9.7 of 31.7 ms), and "more than 100" tells staff
# as much (docs/benchmarks.md, "A county, 3 December").
COUNTED_UP_TO = 100
# A grouped list (a small organisation's, "started sharing this month") is counted with the LIMIT
# it is planned well for: under LIMIT 101 PostgreSQL walked the grants in resident order to stop
# early (13 ms) instead of reading the month's grants by their index (3 ms). What is shown is still
# capped at COUNTED_UP_TO.
GROUPED_COUNT_LIMIT = 500
SUPPRESS_BELOW = 5  # counts from 1 to 4 are shown as "fewer than 5"


def _field_allowed_sql(code: str):
    """True in SQL when the grant's notice lists this field (a small subquery over the notices)."""
    notices = select(SharingNotice.id).where(cast(SharingNotice.fields_shown, String).like(f'%"{code}"%'))
    return ConsentGrant.notice_id.in_(notices.scalar_subquery())


NoticeFields = dict[str, list[str]]  # field code -> ids of the provider's notices that show it


def _notices_showing(db: Session, provider_id: str | None) -> NoticeFields:
    """Which of the provider's notices (every version) show each field: read once per list, so
    queries name the notices instead of searching their JSON. (As a subquery, PostgreSQL guessed
    it found one notice, and planned a filtered page at 2.8 s instead of milliseconds.)"""
    showing: NoticeFields = defaultdict(list)
    if provider_id is not None:
        for notice_id, fields in db.connection().execute(
                select(SharingNotice.id, cast(SharingNotice.fields_shown, String)).where(SharingNotice.provider_id == provider_id)):
            for code in consent.json_tuple(fields):
                showing[code].append(notice_id)
    return showing


def _valid_grants(provider_id, now):
    """The consent module's one valid-grant clause, for this provider. ``provider_id`` None (an
    admin, a deactivated member of staff) matches nothing. Either may be a bindparam (the lists'
    statements, built once, name their values)."""
    if provider_id is None:
        return false()
    # Lists are of the plan: About me is seen on its own page (consent.about_me_fields).
    return and_(ConsentGrant.provider_id == provider_id, consent.valid_grant_clause(now), ConsentGrant.area != ABOUT_ME)


# --- Statements built once -----------------------------------------------------------------------
#
# A list's statements name their values (bindparams) instead of holding them, and are built once
# per shape — which filters are on, which fields some notice of the organisation shows, which way
# a page goes and from what kind of cursor — then kept for the life of the process. Building the
# walks of a county's filtered page took 2.8 ms, and SQLAlchemy worked out each new statement's
# cache key again on every run (docs/benchmarks.md, "Statements built once"). The values travel
# with each execution (``_values``), so one statement serves every organisation, filter value,
# time and page. A name search's statements hold the text searched for, and are built per search.

_PROVIDER = bindparam("provider")
_NOW = bindparam("now", type_=ConsentGrant.valid_until.type)
_AREA = bindparam("area")
_STAGE = bindparam("stage")
_MONTH_START = bindparam("month_start", type_=ConsentGrant.given_at.type)
_STALE_SINCE = bindparam("stale_since", type_=AreaProgress.last_activity_at.type)
_CURSOR_RESIDENT = bindparam("cursor_resident")
_PAGE_ROWS = bindparam("page_rows")  # rows a page reads (one more than it shows)


@dataclass(frozen=True)
class _Shape:
    """What a list's statements are made of: which filters are on (not their values), and which
    fields some notice of the organisation shows (the notices' ids are values)."""
    area: bool = False
    stage: bool = False
    stale: bool = False
    new: bool = False
    shown: frozenset[str] = frozenset()


# The fields a list filters or sorts by: whether a notice shows them changes a list's statements.
_LISTED_FIELDS = ("check_in_stages", "goal_status", "last_activity")


def _shape(filters: Filters, notices: NoticeFields) -> _Shape:
    return _Shape(bool(filters.area), bool(filters.stage), filters.stale, filters.new,
                  frozenset(code for code in _LISTED_FIELDS if notices.get(code)))


def _values(provider_id: str, filters: Filters, now: datetime, notices: NoticeFields) -> dict:
    """What the statements of ``_shape(filters, notices)`` are asked with."""
    values = {"provider": provider_id, "now": now, "area": filters.area, "stage": filters.stage,
              "month_start": now.replace(day=1, hour=0, minute=0, second=0, microsecond=0),
              "stale_since": now - timedelta(days=30)}
    # Only fields some notice shows: a statement built for a shape that names another's notices
    # asks for a value this leaves out, and fails (closed) rather than use the wrong notices.
    values.update({f"shows_{code}": notices[code] for code in _LISTED_FIELDS if notices.get(code)})
    return values


def _field_allowed(code: str, shape: _Shape):
    """True in SQL when the grant's notice lists this field (the notices that do are a value)."""
    return ConsentGrant.notice_id.in_(bindparam(f"shows_{code}", expanding=True)) if code in shape.shown else false()


def _kept(build):
    """``build`` made once per arguments (all of them structure: a shape, a direction, a kind of
    cursor) and kept; built afresh when a name is searched for, as the text is in the statement.
    (A few dozen shapes are in use at once; the bound is there so that none can grow for ever.)"""
    kept = lru_cache(maxsize=1024)(build)

    @wraps(build)
    def statement(*args, name: str | None = None):
        return build(*args, name=name) if name else kept(*args)

    statement.cache_info, statement.cache_clear = kept.cache_info, kept.cache_clear
    return statement


# --- Filters -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: next to a resident (after them, or before them going back). Pages are
    found by seeking to that resident's sort key (keyset pagination), so page 200 costs what page 1
    costs and a resident added meanwhile never shifts anyone onto two pages. The address holds
    the resident's id only (ids are in staff addresses already); their sort key (name, last
    activity, goals done) is looked up again on the server, among the residents who share, so
    no name or date sits in an address, a browser's history or a log."""
    resident_id: str
    forward: bool = True
    key: tuple | None = None  # the sort key: (value, name, id) or (name, id); None until looked up

    def token(self) -> str:
        return self.resident_id


def parse_cursor(token, forward: bool) -> Cursor | None:
    """A cursor from the address, or None (the first page) for anything that is not a resident id:
    an old or edited link shows the first page rather than an error."""
    if isinstance(token, str) and re.fullmatch(r"[0-9a-f]{32}", token):
        return Cursor(token, forward)
    return None


@dataclass(frozen=True)
class Filters:
    area: str | None = None
    stage: int | None = None
    stale: bool = False  # no progress in 30 days
    new: bool = False  # started sharing this month
    sort: str = "name"
    cursor: Cursor | None = None  # None: the first page

    def query_args(self, **changes) -> dict:
        """The filters for an address (without the page: links add their own cursor)."""
        values = {"area": self.area, "stage": self.stage, "stale": "1" if self.stale else None, "new": "1" if self.new else None,
                  "sort": self.sort if self.sort != "name" else None}
        values.update(changes)
        return {k: v for k, v in values.items() if v is not None}


def parse_filters(args) -> tuple[Filters, dict[str, str]]:
    """Filters from the query string; values outside the offered ones are errors (codes)."""
    errors = {}
    area = args.get("area") or None
    if area is not None and area not in set(Area):
        errors["area"], area = "area", None
    stage_raw = args.get("stage") or None
    stage = None
    if stage_raw is not None:
        if stage_raw in {"1", "2", "3", "4", "5"}:
            stage = int(stage_raw)
        else:
            errors["stage"] = "stage"
    sort = args.get("sort") or "name"
    if sort not in SORTS:
        errors["sort"], sort = "sort", "name"
    cursor = parse_cursor(args.get("after"), True) or parse_cursor(args.get("before"), False)
    return Filters(area, stage, args.get("stale") == "1", args.get("new") == "1", sort, cursor), errors


# --- The page of residents ----------------------------------------------------------------------


@dataclass
class AreaRow:
    area: str
    modes: tuple[str, ...]
    fields: tuple[str, ...]
    first_stage: int | None = None
    latest_stage: int | None = None
    goals_done: int | None = None
    steps_recently: int | None = None
    last_activity: datetime | None = None


@dataclass
class ResidentRow:
    id: str
    name: str
    areas: list[AreaRow] = field(default_factory=list)
    about_me_changed_at: datetime | None = None  # About me changed since the organisation last opened it


@dataclass
class ResidentPage:
    rows: list[ResidentRow]
    total: int  # counted up to COUNTED_UP_TO
    more_than_counted: bool = False  # there are more than COUNTED_UP_TO
    next_page: Cursor | None = None
    previous_page: Cursor | None = None


_NAME_INDEX = table("user_account_name", column("user_id"), column("display_name"))


def name_matches(name: str) -> ColumnElement:
    """"The resident's name contains this text" (any case), written per database so that it uses
    the trigram index made by migration 0011 and a search of a county's residents does not read
    every name. PostgreSQL's index is on lower(display_name), which the plain condition is; SQLite's
    is an FTS5 table, asked with LIKE (answered from the index, ignoring case) unless the text has
    LIKE's own wildcards in it, which that table cannot escape."""
    plain = func.lower(User.display_name).contains(name.lower(), autoescape=True)
    # The FTS5 table's LIKE ignores case for A-Z only ("łucja" would not find "Łucja" there): it is
    # asked for the longest run of the text without other letters ("ucja"), and the plain
    # condition keeps the names that hold the whole text. Under 3 such characters it cannot help.
    asked = max(re.findall(r"[\x00-\x7f]+", name), key=len, default="")
    if any(c in name for c in "%_\\") or len(asked.strip()) < 3:
        return plain
    found = select(_NAME_INDEX.c.user_id).where(_NAME_INDEX.c.display_name.like(f"%{asked.lower()}%")).scalar_subquery()
    return PerDatabase(plain, "sqlite", and_(col(User.id).in_(found), plain))


def _listing(shape: _Shape, name: str | None = None):
    """The residents a provider may list, filtered: (id, name, sort keys), grouped per resident."""
    activity_allowed = _field_allowed("last_activity", shape)
    goals_allowed = _field_allowed("goal_status", shape)
    last_activity = func.max(case((activity_allowed, AreaProgress.last_activity_at), else_=None))
    goals_done = func.sum(case((goals_allowed, func.coalesce(AreaProgress.goals_done, 0)), else_=0))
    query = (
        select(User.id, User.display_name, last_activity.label("last_activity"), goals_done.label("goals_done"))
        .select_from(ConsentGrant)
        .join(User, User.id == ConsentGrant.resident_id)
        .join(AreaProgress, and_(AreaProgress.resident_id == ConsentGrant.resident_id, AreaProgress.area == ConsentGrant.area), isouter=True)
        .where(_grant_filter(shape))
        .group_by(User.id, User.display_name)
    )
    if name:
        query = query.where(name_matches(name))
    if shape.stale:
        query = query.having(or_(last_activity.is_(None), last_activity < _STALE_SINCE))
    return query


def _listing_in_area(shape: _Shape, name: str | None = None):
    """``_listing`` for one area: a resident has at most one valid grant per provider and area, so
    there is nothing to group, and a page (and the count, which stops at COUNTED_UP_TO) need not
    work out every resident first."""
    activity_allowed = _field_allowed("last_activity", shape)
    last_activity = case((activity_allowed, AreaProgress.last_activity_at), else_=None)
    goals_done = case((_field_allowed("goal_status", shape), func.coalesce(AreaProgress.goals_done, 0)), else_=0)
    query = (
        select(User.id, User.display_name, last_activity.label("last_activity"), goals_done.label("goals_done"))
        .select_from(ConsentGrant)
        .join(User, User.id == ConsentGrant.resident_id)
        .join(AreaProgress, and_(AreaProgress.resident_id == ConsentGrant.resident_id, AreaProgress.area == ConsentGrant.area), isouter=True)
        .where(_grant_filter(shape, stage_on=AreaProgress))
    )
    if name:
        query = query.where(name_matches(name))
    if shape.stale:
        query = query.where(or_(last_activity.is_(None), last_activity < _STALE_SINCE))
    return query


def _grant_filter(shape: _Shape, stage_on=None):
    """Conditions on one grant (and its area's progress) for the filters that do not need totals."""
    conditions = [_valid_grants(_PROVIDER, _NOW)]
    if shape.area:
        conditions.append(ConsentGrant.area == _AREA)
    if shape.new:
        conditions.append(ConsentGrant.given_at >= _MONTH_START)
    if shape.stage:
        conditions.append(_field_allowed("check_in_stages", shape))
        if stage_on is not None:  # the query joins this grant's area's progress already
            conditions.append(stage_on.latest_stage == _STAGE)
        else:
            stage = aliased(AreaProgress)  # the grouped listing joins AreaProgress too: do not correlate with it
            conditions.append(select(stage.resident_id).where(
                stage.resident_id == ConsentGrant.resident_id, stage.area == ConsentGrant.area,
                stage.latest_stage == _STAGE).exists())
    return and_(*conditions)


def _cursor_shape(cursor: Cursor | None) -> tuple[bool, bool] | None:
    """What a page's statement needs to know of its cursor: the way it goes, and whether its first
    key is missing (no date: among the residents listed last)."""
    return None if cursor is None else (cursor.forward, cursor.key[0] is None)


def _seek_values(cursor: Cursor | None) -> dict:
    return {} if cursor is None else {f"seek_{n}": value for n, value in enumerate(cursor.key)}


def _seek(keys: list, descending: list[bool], cursor_shape: tuple[bool, bool], nullable: bool = True):
    """SQL for "comes after the cursor" in the order of ``keys`` (or before it, going back), the
    cursor's key named seek_0, seek_1…. Only a descending first key may be NULL (last activity:
    residents without any come last), unless ``nullable`` is False; then the first key is also
    bounded on its own, so an index can seek."""
    forward, first_is_none = cursor_shape
    marks = [bindparam(f"seek_{n}", type_=key.type) for n, key in enumerate(keys)]
    if not any(descending):  # the name order: one row comparison, which an index can seek
        return tuple_(*keys) > tuple_(*marks) if forward else tuple_(*keys) < tuple_(*marks)
    first, rest = keys[0], keys[1:]
    value, rest_values = marks[0], marks[1:]
    tie = tuple_(*rest) > tuple_(*rest_values) if forward else tuple_(*rest) < tuple_(*rest_values)
    if first_is_none:  # among the NULLs, which come last
        return and_(first.is_(None), tie) if forward else or_(first.is_not(None), and_(first.is_(None), tie))
    step_on = or_(first < value if forward else first > value, and_(first == value, tie))
    if not nullable:
        return and_(first <= value if forward else first >= value, step_on)
    return or_(step_on, first.is_(None)) if forward else step_on


def _in_order(keys: list, descending: list[bool], forward: bool, nullable: bool = True) -> list:
    """ORDER BY for ``keys`` (reversed when going back). NULLS LAST only on the descending first
    key: saying it on the others would stop PostgreSQL from reading the name index in order."""
    order = []
    for n, (key, desc) in enumerate(zip(keys, descending, strict=True)):
        clause = key.desc() if desc == forward else key.asc()
        if n == 0 and desc and nullable:
            clause = clause.nulls_last() if forward else clause.nulls_first()
        order.append(clause)
    return order


def _paged(query, keys, descending, cursor_shape, forward: bool, nullable: bool = True):
    """``query`` from a cursor of this shape (or the start), in the order of ``keys``, page_rows rows."""
    if cursor_shape is not None:
        query = query.where(_seek(keys, descending, cursor_shape, nullable))
    return query.order_by(*_in_order(keys, descending, forward, nullable)).limit(_PAGE_ROWS)


def _count_of(query, limit: int | None = None):
    """How many rows ``query`` has, counted no further than COUNTED_UP_TO (read with ``limit``, if
    larger: see GROUPED_COUNT_LIMIT)."""
    return select(func.count()).select_from(query.limit(max(limit or 0, COUNTED_UP_TO) + 1).subquery())


def _at(key: tuple, forward: bool) -> Cursor:
    """The cursor next to the resident with this sort key (the id is always the key's last part)."""
    return Cursor(key[-1], forward, tuple(key))


def _looked_up(db: Session, cursor: Cursor | None, lookup, values: dict, key_of) -> Cursor | None:
    """The cursor with its resident's sort key, read with ``lookup`` (the list's statement for the
    resident named cursor_resident: so from an address, never a name or date, and among the
    residents the list has now); None (the first page) if they are not among them."""
    if cursor is None or cursor.key is not None:
        return cursor
    row = db.exec(lookup, params={**values, "cursor_resident": cursor.resident_id}).first()
    return _at(key_of(row), cursor.forward) if row is not None else None


def _one_page(db: Session, page_statement, cursor: Cursor | None, per_page: int, key_of, values: dict):
    """A page in the order ``page_statement(cursor shape, forward)`` reads, from the cursor, with
    the cursors of the pages either side (one row more than a page is read, to know whether there
    is another)."""
    forward = cursor is None or cursor.forward
    statement = page_statement(_cursor_shape(cursor), forward)
    found = list(db.exec(statement, params={**values, **_seek_values(cursor), "page_rows": per_page + 1}).all())
    more = len(found) > per_page
    found = found[:per_page]
    if not forward:
        found.reverse()
    next_page = previous_page = None
    if found:
        if more or not forward:  # going back, the page we came from is next
            next_page = _at(key_of(found[-1]), True)
        if cursor is not None and (forward or more):
            previous_page = _at(key_of(found[0]), False)
    return found, next_page, previous_page


def _counted(db: Session, statement, values: dict) -> tuple[int, bool]:
    """A count statement's answer (made by ``_count_of``), shown no further than COUNTED_UP_TO."""
    total = db.exec(statement, params=values).one()
    return min(total, COUNTED_UP_TO), total > COUNTED_UP_TO


def _grant_for(progress, shape: _Shape):
    """SQL for "``ConsentGrant`` is the grant, passing the filters, for the resident and area of
    ``progress``" (an AreaProgress, or an alias of it), as the walks and counts below ask it."""
    return and_(ConsentGrant.resident_id == progress.resident_id, ConsentGrant.area == progress.area,
                _grant_filter(shape, stage_on=progress))


def _dated_share(shape: _Shape, lately: bool = False):
    """True in SQL (correlated with the resident in ``User``) when one of the resident's grants
    that pass the filters is for an area with activity shown to the provider (in the last 30
    days, if ``lately``)."""
    if "last_activity" not in shape.shown:  # no notice shows activity: nobody has a date shown
        return false()
    progress = aliased(AreaProgress)
    conditions = [ConsentGrant.resident_id == User.id, _grant_for(progress, shape),
                  col(progress.last_activity_at).is_not(None), _field_allowed("last_activity", shape)]
    if lately:
        conditions.append(progress.last_activity_at >= _STALE_SINCE)
    return select(ConsentGrant.id).join(progress, true()).where(*conditions).exists()


def _sharing_residents(shape: _Shape, name: str | None = None):
    """The residents the filters list, as residents (id, name): those with a grant that passes
    them ("no progress in 30 days": and no activity shown in that time)."""
    shares = select(ConsentGrant.id).where(ConsentGrant.resident_id == User.id, _grant_filter(shape)).exists()
    query = select(User.id, User.display_name).where(User.role == "resident", User.active.is_(True), shares)
    if shape.stale:
        query = query.where(~_dated_share(shape, lately=True))
    if name:
        query = query.where(name_matches(name))
    return query


@_kept
def _listed_count(shape: _Shape, *, name: str | None = None):
    """How many residents the filters list, counted no further than COUNTED_UP_TO: walking names,
    or, for one stage of one area, walking that stage's progress (few residents are at one stage:
    walking names to find 500 of them read most of a county, 24 ms, when lists counted to 500)."""
    if not (shape.area and shape.stage) or name:
        return _count_of(_sharing_residents(shape, name))
    passing = [_grant_for(AreaProgress, shape)]
    if shape.stale:
        passing.append(or_(~_field_allowed("last_activity", shape), col(AreaProgress.last_activity_at).is_(None),
                           AreaProgress.last_activity_at < _STALE_SINCE))
    # Asked row by row as a subquery with its own LIMIT, which PostgreSQL cannot turn into a join:
    # as EXISTS it joined all the organisation's grants in the area first (30 ms on a county).
    shared = select(ConsentGrant.id).where(*passing).limit(1).scalar_subquery()
    return _count_of(select(AreaProgress.resident_id).where(
        AreaProgress.area == _AREA, AreaProgress.latest_stage == _STAGE, shared.is_not(None)))


# --- Sorted by name: walk names ---

_BY_NAME = ((User.display_name, User.id), (False, False))


@_kept
def _by_name_page(shape: _Shape, cursor_shape, forward: bool, *, name: str | None = None):
    return _paged(_sharing_residents(shape, name), *_BY_NAME, cursor_shape, forward)


@_kept
def _by_name_lookup(shape: _Shape, *, name: str | None = None):
    return _sharing_residents(shape, name).where(User.id == _CURSOR_RESIDENT)


def _page_by_name(db: Session, shape: _Shape, values: dict, cursor: Cursor | None, name: str | None, per_page: int):
    """Sorted by name: walk residents in name order from the cursor and keep those the filters
    list, stopping after one page — fast however many there are."""

    def key_of(row):
        return row[1], row[0]

    cursor = _looked_up(db, cursor, _by_name_lookup(shape, name=name), values, key_of)
    found, next_page, previous_page = _one_page(
        db, lambda cursor_shape, forward: _by_name_page(shape, cursor_shape, forward, name=name),
        cursor, per_page, key_of, values)
    return found, _counted(db, _listed_count(shape, name=name), values), next_page, previous_page


# --- Sorted by last activity: walk dates ---

_OTHER_GRANT = ConsentGrant.__table__.alias("other_grant")
_OTHER_PROGRESS = AreaProgress.__table__.alias("other_progress")


def _newest_area(shape: _Shape, allowed):
    """True in SQL when the area in ``AreaProgress`` is the resident's newest among those the list
    would use for their last activity (shown to the provider, passing the filters; the later area
    code breaks a tie): every area at once, each resident is met once, at their newest activity.
    The same conditions as the page's own, said of another of the resident's grants and areas."""
    theirs = and_(_grant_for(AreaProgress, shape), col(AreaProgress.last_activity_at).is_not(None), allowed)
    grant, progress = _OTHER_GRANT.c, _OTHER_PROGRESS.c
    theirs = ClauseAdapter(_OTHER_GRANT).chain(ClauseAdapter(_OTHER_PROGRESS)).traverse(theirs)
    newer = or_(progress.last_activity_at > AreaProgress.last_activity_at,
                and_(progress.last_activity_at == AreaProgress.last_activity_at, progress.area > AreaProgress.area))
    return ~select(grant.id).select_from(_OTHER_PROGRESS).join(_OTHER_GRANT, true()).where(
        progress.resident_id == AreaProgress.resident_id, theirs, newer).exists()


@_kept
def _dated(shape: _Shape, *, name: str | None = None):
    """The residents with activity shown to the provider, as (id, name, date), and the keys they
    are walked by (newest first, then name).

    The dates are walked along area_progress's indexes, and everything else is asked of each row
    in a subquery: joined, SQLite would start from the provider's grants and sort them all, or
    first read the whole of user_account and consent_grant into Bloom filters (10 ms each on a
    county) to stop after a page."""
    allowed = _field_allowed("last_activity", shape)
    resident_name = select(User.display_name).where(User.id == AreaProgress.resident_id).scalar_subquery()
    keys = (AreaProgress.last_activity_at, resident_name, AreaProgress.resident_id)
    if "last_activity" not in shape.shown:  # no notice shows activity: nobody is listed by a date
        return select(AreaProgress.resident_id, resident_name, AreaProgress.last_activity_at).where(false()), keys
    shared_here = select(ConsentGrant.id).where(_grant_for(AreaProgress, shape), allowed).exists()
    dated = (select(AreaProgress.resident_id, resident_name, AreaProgress.last_activity_at)
             .where(col(AreaProgress.last_activity_at).is_not(None), shared_here))
    # One area: its dates. Every area: each resident at their newest area only.
    dated = dated.where(AreaProgress.area == _AREA if shape.area else _newest_area(shape, allowed))
    if name:
        dated = dated.where(select(User.id).where(User.id == AreaProgress.resident_id, name_matches(name)).exists())
    if shape.stale:
        dated = dated.where(AreaProgress.last_activity_at < _STALE_SINCE)
    return dated, keys


@_kept
def _undated(shape: _Shape, *, name: str | None = None):
    """The rest of the list: the residents with no activity shown to the provider, by name. (No
    shown date at all is stale already: they need not be asked about the last 30 days.)"""
    return _sharing_residents(replace(shape, stale=False), name).where(~_dated_share(shape))


@_kept
def _dated_part(shape: _Shape, cursor_shape, forward: bool, *, name: str | None = None):
    dated, keys = _dated(shape, name=name)
    if not shape.area:
        # For every area at once SQLite is told which index to walk: it would rather sort every
        # resident by name (0.35 s on a county). Not when a page link's resident is looked up
        # (_dated_lookup): with the hint, SQLite walked every date to find them (0.2-0.3 s a "Next").
        dated = dated.with_hint(AreaProgress, "INDEXED BY ix_area_progress_activity", "sqlite")
    return _paged(dated, keys, (True, False, False), cursor_shape, forward, nullable=False)


@_kept
def _undated_part(shape: _Shape, cursor_shape, forward: bool, *, name: str | None = None):
    return _paged(_undated(shape, name=name), *_BY_NAME, cursor_shape, forward, nullable=False)


@_kept
def _dated_lookup(shape: _Shape, *, name: str | None = None):
    return _dated(shape, name=name)[0].where(AreaProgress.resident_id == _CURSOR_RESIDENT)


@_kept
def _undated_lookup(shape: _Shape, *, name: str | None = None):
    return _undated(shape, name=name).where(User.id == _CURSOR_RESIDENT)


def _page_by_activity(db: Session, shape: _Shape, values: dict, cursor: Cursor | None, name: str | None, per_page: int):
    """Newest activity first (in one area, or in any): in two parts, so that neither has to sort
    every resident. First those with activity shown to this provider, walked newest first along
    an index on the activity dates and kept if they share (every area at once: at their newest
    area only); then the rest (no activity, or notices that do not show it), in name order, as the
    "no date" end of the list. A cursor from the first part has a date; one from the second has none."""

    def part(kind, cursor, forward, limit):
        statement = (_dated_part if kind == "dated" else _undated_part)(shape, _cursor_shape(cursor), forward, name=name)
        rows = db.exec(statement, params={**values, **_seek_values(cursor), "page_rows": limit}).all()
        return [(row[0], row[1], row[2] if len(row) > 2 else None) for row in rows]

    asked = cursor
    cursor = _looked_up(db, asked, _dated_lookup(shape, name=name), values, lambda row: (row[2], row[1], row[0]))
    if cursor is None and asked is not None:  # not among those with a date: among the rest?
        cursor = _looked_up(db, asked, _undated_lookup(shape, name=name), values, lambda row: (None, row[1], row[0]))
    forward = cursor is None or cursor.forward
    want = per_page + 1
    if forward:
        if cursor is None or cursor.key[0] is not None:
            found = part("dated", cursor, True, want)
            if len(found) < want:
                found += part("undated", None, True, want - len(found))
        else:
            found = part("undated", _at(cursor.key[1:], True), True, want)
    else:
        if cursor.key[0] is None:
            found = part("undated", _at(cursor.key[1:], False), False, want)
            if len(found) < want:
                found += part("dated", None, False, want - len(found))
        else:
            found = part("dated", cursor, False, want)
    more = len(found) > per_page
    found = found[:per_page]
    if not forward:
        found.reverse()
    next_page = previous_page = None
    if found:
        if more or not forward:
            next_page = _at((found[-1][2], found[-1][1], found[-1][0]), True)
        if cursor is not None and (forward or more):
            previous_page = _at((found[0][2], found[0][1], found[0][0]), False)
    # Those with a date and the rest are, together, the residents the filters list: counted as such
    # (walking names), which is cheaper than counting the two parts along the dates.
    total = _counted(db, _listed_count(shape, name=name), values)
    return [(rid, name_) for rid, name_, _date in found], total, next_page, previous_page


# --- Few grants, or sorted by goals done: the grouped listing ---

# The grouped listing's columns are (id, name, last activity, goals done); each sort's keys, by place.
_GROUPED_KEYS = {"name": (1, 0), "last_activity": (2, 1, 0), "goals_done": (3, 1, 0)}


@_kept
def _grouped(shape: _Shape, sort: str, *, name: str | None = None):
    """The grouped listing (per resident, from the organisation's grants), as (id, name, last
    activity, goals done), with the keys of ``sort`` and which of them run from high to low."""
    listing = (_listing_in_area if shape.area else _listing)(shape, name).subquery()
    columns = (listing.c.id, listing.c.display_name, listing.c.last_activity, listing.c.goals_done)
    keys = tuple(columns[place] for place in _GROUPED_KEYS[sort])
    return select(*columns), keys, (sort != "name", False, False)[:len(keys)]


@_kept
def _grouped_page(shape: _Shape, sort: str, cursor_shape, forward: bool, *, name: str | None = None):
    return _paged(*_grouped(shape, sort, name=name), cursor_shape, forward)


@_kept
def _grouped_lookup(shape: _Shape, sort: str, *, name: str | None = None):
    query, _keys, _descending = _grouped(shape, sort, name=name)
    return query.where(query.selected_columns[0] == _CURSOR_RESIDENT)


@_kept
def _grouped_count(shape: _Shape, *, name: str | None = None):
    query, _keys, _descending = _grouped(shape, "name", name=name)  # (the same residents in any order)
    return _count_of(select(query.selected_columns[0]), GROUPED_COUNT_LIMIT)


# Lists of an organisation with more grants than this (in the area asked about) are walked along an
# index; smaller ones are listed from their grants (docs/benchmarks.md, "Which way to list").
WALKED_FROM = 2000
_GRANTS = select(ConsentGrant.id).where(ConsentGrant.provider_id == bindparam("provider"),
                                         col(ConsentGrant.state).in_([s.value for s in VALID_GRANT_STATES]))


def _counted_up_to(grants):
    return select(func.count()).select_from(grants.limit(bindparam("limit")).subquery())


_GRANTS_UP_TO = _counted_up_to(_GRANTS)
_GRANTS_IN_AREA_UP_TO = _counted_up_to(_GRANTS.where(ConsentGrant.area == bindparam("area")))


def _grants_more_than(db: Session, provider_id: str | None, area: str | None, how_many: int) -> bool:
    """Whether the organisation has more than ``how_many`` given or renewed grants (in ``area``),
    counted along its index no further than that: only to choose how to list, never who is listed."""
    if provider_id is None:
        return False
    statement = _GRANTS_IN_AREA_UP_TO if area else _GRANTS_UP_TO
    return db.connection().execute(statement, {"provider": provider_id, "area": area, "limit": how_many + 1}).scalar() > how_many


def resident_page(db: Session, staff: User, filters: Filters, name: str | None = None, per_page: int | None = None) -> ResidentPage:
    """One page of the residents who share with ``staff``'s provider, with what each shares (a
    fixed number of queries, whatever the numbers)."""
    per_page = per_page or PER_PAGE
    provider_id = consent.staff_provider(staff)
    if provider_id is None:  # an admin, a deactivated member of staff: nobody
        return ResidentPage([], 0)
    now = utcnow()
    notices = _notices_showing(db, provider_id)
    shape, values = _shape(filters, notices), _values(provider_id, filters, now, notices)
    # Walked along an index (names, or dates), a page stops after a page of residents who share:
    # fast when many share, slow when few do (an organisation sharing with a thirtieth of a county
    # read most of it for a page). Few grants to list ("started sharing this month", a small
    # organisation) are quicker to list from the grants themselves, as the grouped listing does.
    many = not filters.new and _grants_more_than(db, provider_id, filters.area, WALKED_FROM)
    walk = many and filters.sort != "goals_done"  # a sum over areas cannot be walked along an index
    if walk and filters.sort == "name":
        found, (total, more), next_page, previous_page = _page_by_name(db, shape, values, filters.cursor, name, per_page)
    elif walk:
        found, (total, more), next_page, previous_page = _page_by_activity(db, shape, values, filters.cursor, name, per_page)
    else:
        sort, places = filters.sort, _GROUPED_KEYS[filters.sort]

        def key_of(row):
            return tuple(row[place] for place in places)

        cursor = filters.cursor
        if cursor is not None and cursor.key is not None and len(cursor.key) != len(places):
            cursor = None
        cursor = _looked_up(db, cursor, _grouped_lookup(shape, sort, name=name), values, key_of)
        found, next_page, previous_page = _one_page(
            db, lambda cursor_shape, forward: _grouped_page(shape, sort, cursor_shape, forward, name=name),
            cursor, per_page, key_of, values)
        found = [(row[0], row[1]) for row in found]
        # Many grants: counted by walking names, not by working the totals out a second time.
        total, more = _counted(db, _listed_count(shape, name=name) if many else _grouped_count(shape, name=name), values)
    rows = {rid: ResidentRow(rid, name_) for rid, name_ in found}
    if rows:
        _fill_areas(db, provider_id, rows, now, filters.area)
    return ResidentPage(list(rows.values()), total, more, next_page, previous_page)


# What each listed resident shares, and their steps done lately: built once, run with each page's
# residents (building these two took a dashboard page longer than running them).
_AREAS_SHARED = (
    select(ConsentGrant.resident_id, ConsentGrant.area, consent.modes_column(), cast(SharingNotice.fields_shown, String),
           AreaProgress.resident_id.label("progress"), AreaProgress.first_stage, AreaProgress.latest_stage,
           AreaProgress.goals_done, AreaProgress.last_activity_at)
    .join(User, User.id == ConsentGrant.resident_id)
    .join(SharingNotice, SharingNotice.id == ConsentGrant.notice_id)
    .join(AreaProgress, and_(AreaProgress.resident_id == ConsentGrant.resident_id, AreaProgress.area == ConsentGrant.area), isouter=True)
    .where(_valid_grants(bindparam("provider"), bindparam("now", type_=ConsentGrant.valid_until.type)),
           one_of_named(ConsentGrant.resident_id, "residents"))
    .order_by(ConsentGrant.resident_id, ConsentGrant.area)
)
_AREA_SHARED = _AREAS_SHARED.where(ConsentGrant.area == bindparam("area"))
_STEPS_DONE_SINCE = (
    select(PlanGoal.resident_id, PlanGoal.area, func.count())
    .join(PlanStep, PlanStep.goal_id == PlanGoal.id)
    .where(one_of_named(PlanGoal.resident_id, "residents"), PlanStep.done_at >= bindparam("since", type_=PlanStep.done_at.type))
    .group_by(PlanGoal.resident_id, PlanGoal.area)
)


def _fill_areas(db: Session, provider_id: str, rows: dict[str, ResidentRow], now: datetime, only_area: str | None) -> None:
    # Core rows, not ORM results, and JSON decoded once per distinct value: an export reads thousands.
    ids = list(rows)
    if provider_id is None:
        return
    connection = db.connection()
    recent = dict.fromkeys(((r, a) for r in ids for a in Area), 0)
    # all at once: psycopg's fetchone per row costs more than the row
    for resident_id, area, count in connection.execute(_STEPS_DONE_SINCE, {"residents": ids, "since": now - timedelta(days=30)}).all():
        recent[(resident_id, area)] = count
    shared = connection.execute(_AREA_SHARED if only_area else _AREAS_SHARED,
                                {"residents": ids, "provider": provider_id, "now": now, "area": only_area}).all()
    for resident_id, area, modes, fields, progress, first_stage, latest_stage, goals_done, last_activity in shared:
        fields = consent.json_tuple(fields)  # a notice's fields, decoded once per notice like the modes
        row = AreaRow(area, consent.json_tuple(modes), fields)
        if progress is not None:
            if "check_in_stages" in fields:
                row.first_stage, row.latest_stage = first_stage, latest_stage
            if "goal_status" in fields:
                row.goals_done = goals_done
            if "last_activity" in fields:
                row.last_activity = last_activity
        if "step_status" in fields:
            row.steps_recently = recent[(resident_id, area)]
        rows[resident_id].areas.append(row)


def log_listed(db: Session, staff: User, page: ResidentPage, action: AccessAction, request_id: str) -> int:
    """Put every resident on the page in the access log (one entry per area shown, one insert), and
    drop from the page anyone whose sharing ended since the page was read: the decisions are taken
    again under the residents' locks, so what is shown and what is logged are the same."""
    if not page.rows:
        return 0
    lock_residents(db, [row.id for row in page.rows])
    decided = {(d.resident_id, d.area): d for d in consent.decisions_for(db, staff, [row.id for row in page.rows], with_about_me=True)}
    for row in page.rows:
        row.areas = [area for area in row.areas if (row.id, area.area) in decided]
    page.rows = [row for row in page.rows if row.areas]
    decisions = [decided[(row.id, area.area)] for row in page.rows for area in row.areas]
    provider = _provider_of(db, staff)
    logged = consent.record_access(db, staff, provider, decisions, action, consent.LIST_PURPOSE, request_id)
    about = {rid: d for (rid, area), d in decided.items() if area == ABOUT_ME}
    return logged + _mark_about_me_changes(db, staff, provider, page, about, action, request_id)


ABOUT_ME_CHANGED = "about_me_changed"  # the field code logged for "About me changed since you last looked"


def about_me_changes(db: Session, staff: User, resident_ids: list[str],
                     decisions: dict[str, consent.Decision] | None = None) -> tuple[dict[str, consent.Decision], dict[str, list]]:
    """For residents sharing About me with the staff member's organisation: their decisions
    (``decisions``, if taken already), and the changes to the answers it may see (not sensitive
    ones) since it last saw each (all of them, if it never has). At most four queries, whatever the
    page's size; none more if nobody on it shares About me. The caller holds the residents' locks."""
    if decisions is None:
        decisions = {d.resident_id: d for d in consent.decisions_for(db, staff, resident_ids, area=ABOUT_ME)}
    if not decisions:
        return {}, {}
    seen = consent.about_me_seen(db, staff.provider_id, sorted(decisions))
    # A list is not a reason a notice names for sensitive answers: it is not told they changed.
    sensitive = about_me.sensitive_codes()
    flagged = {rid: tuple(f for f in d.fields if f not in sensitive) for rid, d in decisions.items()}
    return decisions, about_me.changed_since(db, sorted(decisions), flagged, seen)


def _mark_about_me_changes(db: Session, staff: User, provider: Provider, page: ResidentPage, decisions: dict,
                           action: AccessAction, request_id: str) -> int:
    """"About me changed since you last looked" on a list: set on each row it is true for, and
    logged as what it is (that something changed, not what)."""
    decisions, changed = about_me_changes(db, staff, [row.id for row in page.rows], decisions)
    for row in page.rows:
        latest = changed.get(row.id)
        row.about_me_changed_at = latest[-1].entered_at if latest else None
    flagged = [decisions[row.id] for row in page.rows if row.about_me_changed_at is not None]
    return consent.record_access(db, staff, provider, flagged, action, consent.LIST_PURPOSE, request_id, fields=(ABOUT_ME_CHANGED,))


WAITING_SHOWN_FOR = timedelta(days=90)
WAITING_SHOWN_AT_MOST = 50


@dataclass
class WaitingResident:
    id: str
    name: str
    registered_at: datetime


def _waiting(db: Session, provider_id: str, among: list[str] | None = None):
    """Residents this organisation registered in person (a set-up code it gave for a new account),
    who have set up their account since, registered less than WAITING_SHOWN_FOR ago, and have no
    consent for this organisation in any state (not even one they ended: that was a choice)."""
    made_here = setup_codes.registered_by(provider_id)
    chose = select(ConsentGrant.resident_id).where(ConsentGrant.provider_id == provider_id)
    set_up = select(SetupCode.user_id).where(col(SetupCode.used_at).is_not(None))
    query = (select(User.id, User.display_name, User.created_at)
             .where(col(User.id).in_(made_here), User.role == Role.RESIDENT, User.active.is_(True),
                    or_(col(User.last_sign_in_at).is_not(None), col(User.id).in_(set_up)),
                    User.created_at > utcnow() - WAITING_SHOWN_FOR,
                    col(User.id).not_in(chose)))
    if among is not None:
        query = query.where(col(User.id).in_(among))
    return db.exec(query.order_by(col(User.created_at).desc()).limit(WAITING_SHOWN_AT_MOST)).all()


def waiting_to_choose(db: Session, tutor: User, request_id: str, candidates: list[str] | None = None) -> list[WaitingResident]:
    """"Waiting for the resident to choose what to share": the names, and nothing else, of people
    the tutor's organisation helped make an account, until they choose (or for WAITING_SHOWN_FOR).
    The tutor typed those names in; the resident is told on their sharing page, and each time the
    list shows them it is in their access log. Read again under the residents' locks, then logged.
    ``candidates``: their ids, already found and locked by the caller (``log_tutor_home``)."""
    provider_id = consent.staff_provider(tutor)
    if candidates is None:
        candidates = [row[0] for row in _waiting(db, provider_id)]
        if candidates:
            lock_residents(db, candidates)
    if not candidates:
        return []
    found = _waiting(db, provider_id, candidates)
    consent.record_waiting_listed(db, tutor, _provider_of(db, tutor), [row[0] for row in found], request_id)
    return [WaitingResident(*row) for row in found]


def log_tutor_home(db: Session, tutor: User, page: ResidentPage, request_id: str) -> list[WaitingResident]:
    """The tutor's home lists two sets of residents (those who share, those waiting to choose):
    both are locked in one go, in id order, before either is logged. Locking them one set after
    the other could deadlock with another tutor doing the same the other way round."""
    candidates = [row[0] for row in _waiting(db, consent.staff_provider(tutor))]
    everyone = {row.id for row in page.rows} | set(candidates)
    if everyone:
        lock_residents(db, sorted(everyone))
    log_listed(db, tutor, page, AccessAction.LISTED, request_id)
    return waiting_to_choose(db, tutor, request_id, candidates)


def registered_by(db: Session, resident_id: str) -> list[tuple[Provider, datetime]]:
    """For the resident: the organisations whose tutors see their name in that waiting list now,
    and until when (none at all once the account is older than WAITING_SHOWN_FOR: no query)."""
    resident = db.get(User, resident_id)
    if resident.created_at <= utcnow() - WAITING_SHOWN_FOR:
        return []
    providers = db.exec(select(Provider).where(col(Provider.id).in_(
        select(SetupCode.provider_id).where(SetupCode.user_id == resident_id, SetupCode.purpose == SetupCodePurpose.REGISTER)))).all()
    shown = []
    for provider in providers:
        if _waiting(db, provider.id, [resident_id]):
            shown.append((provider, resident.created_at + WAITING_SHOWN_FOR))
    return shown


def _provider_of(db: Session, staff: User) -> Provider:
    return db.get(Provider, consent.staff_provider(staff))


# --- Figures ---------------------------------------------------------------------------------


def suppress(count: int) -> int | str:
    """Small numbers could identify people: 1 to 4 is reported as "fewer than 5"."""
    return "fewer_than_5" if 0 < count < SUPPRESS_BELOW else count


@dataclass
class Figures:
    residents: int | str
    per_area: dict[str, int | str]
    completed_by_month: dict[str, dict[str, int | str]]  # area → "2026-11" → count
    movement: dict[str, dict[str, int | str]]  # area → up / same / down
    months: list[str]


def figures(db: Session, staff: User) -> Figures:
    """Counts for reports to funders, over consented residents and shared areas only."""
    now = utcnow()
    valid = _valid_grants(consent.staff_provider(staff), now)
    residents = db.exec(select(func.count(func.distinct(ConsentGrant.resident_id))).where(valid)).one()
    per_area = dict(db.exec(select(ConsentGrant.area, func.count()).where(valid).group_by(ConsentGrant.area)).all())
    months = [f"{(now.year * 12 + now.month - 1 - back) // 12:04d}-{(now.month - 1 - back) % 12 + 1:02d}" for back in range(11, -1, -1)]
    since = datetime.strptime(months[0], "%Y-%m").replace(tzinfo=now.tzinfo)
    completed = defaultdict(lambda: defaultdict(int))
    for area, completed_at in db.exec(
        select(PlanGoal.area, PlanGoal.completed_at)
        .join(ConsentGrant, and_(ConsentGrant.resident_id == PlanGoal.resident_id, ConsentGrant.area == PlanGoal.area))
        .join(SharingNotice, SharingNotice.id == ConsentGrant.notice_id)
        .where(valid, _field_allowed_sql("goal_status"), PlanGoal.status == "done", PlanGoal.removed_at.is_(None),
               PlanGoal.completed_at >= since)
    ).all():
        completed[area][completed_at.strftime("%Y-%m")] += 1
    movement = defaultdict(lambda: {"up": 0, "same": 0, "down": 0})
    for area, first, latest in db.exec(
        select(AreaProgress.area, AreaProgress.first_stage, AreaProgress.latest_stage)
        .join(ConsentGrant, and_(ConsentGrant.resident_id == AreaProgress.resident_id, ConsentGrant.area == AreaProgress.area))
        .join(SharingNotice, SharingNotice.id == ConsentGrant.notice_id)
        .where(valid, _field_allowed_sql("check_in_stages"), AreaProgress.first_stage.is_not(None))
    ).all():
        movement[area]["up" if latest > first else "down" if latest < first else "same"] += 1
    return Figures(
        residents=suppress(residents),
        per_area={a.value: suppress(per_area.get(a.value, 0)) for a in Area},
        completed_by_month={a.value: {m: suppress(completed[a.value][m]) for m in months} for a in Area},
        movement={a.value: {k: suppress(v) for k, v in movement[a.value].items()} for a in Area},
        months=months,
    )


# --- CSV export ------------------------------------------------------------------------------

EXPORT_CHUNK = 500


def export_chunk(db: Session) -> int:
    """Residents read (and logged) at a time in an export. PostgreSQL answers a chunk's questions
    (steps done lately, areas shared) by hashing whole tables, whatever the chunk's size, so fewer
    chunks are faster: 5,000 residents in chunks of 2,500 took 2.0 s rather than 3.1 s, with 11 MB
    at most in memory rather than 6 (docs/benchmarks.md, "The export"). SQLite looks each resident
    up by index, and was slower with the larger chunks (2.5 s rather than 1.9 s)."""
    return EXPORT_CHUNK * 5 if db.get_bind().dialect.name == "postgresql" else EXPORT_CHUNK


CSV_COLUMNS = ("resident", "area", "stage_first", "stage_first_name", "stage_now", "stage_now_name", "goals_done",
               "steps_done_last_30_days", "last_activity")
# Excel opens a CSV as UTF-8 (Polish names intact) only when it starts with a byte-order mark.
UTF8_BOM = "\ufeff"


def safe_cell(value) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def log_exported(db: Session, staff: User, filters: Filters, request_id: str) -> list[tuple[str, str, frozenset[str]]]:
    """Everyone the filters select (all pages), in name order, each written to the access log as
    exported: (id, name, the areas logged). All of them are locked first, in id order, so an export
    and any other list never wait for each other in a circle; the decisions are then taken under
    the locks, and a resident whose sharing ended meanwhile is left out of the file."""
    provider_id = consent.staff_provider(staff)
    if provider_id is None:  # an admin, a deactivated member of staff: nobody
        return []
    notices = _notices_showing(db, provider_id)
    listing = _listing(_shape(filters, notices)).subquery()
    residents = db.exec(select(listing.c.id, listing.c.display_name).order_by(listing.c.display_name, listing.c.id),
                        params=_values(provider_id, filters, utcnow(), notices)).all()
    if not residents:
        return []
    lock_residents(db, [rid for rid, _name in residents])
    provider = _provider_of(db, staff)
    logged: dict[str, set[str]] = {}
    chunk = export_chunk(db)
    for start in range(0, len(residents), chunk):  # decisions are plain tuples: memory stays flat
        ids = [rid for rid, _name in residents[start:start + chunk]]
        decisions = consent.decisions_for(db, staff, ids, area=filters.area)
        consent.record_access(db, staff, provider, decisions, AccessAction.EXPORTED, consent.LIST_PURPOSE, request_id)
        for d in decisions:
            logged.setdefault(d.resident_id, set()).add(d.area)
    return [(rid, name, frozenset(logged[rid])) for rid, name in residents if rid in logged]


def export_chunks(db: Session, staff: User, residents: list[tuple[str, str, frozenset[str]]], filters: Filters,
                  chunk: int | None = None, stage_name=str):
    """The CSV of the residents ``log_exported`` logged, produced a chunk at a time so memory stays
    flat. Only the areas logged go in: one shared after the log was written (the file is read
    after that commit) would be a look nobody logged; one ended since is left out. ``stage_name``
    names a stage (1-5) in the reader's language (the web layer's words)."""
    provider_id = consent.staff_provider(staff)
    buffer = io.StringIO()
    buffer.write(UTF8_BOM)
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    now = utcnow()
    chunk = chunk or export_chunk(db)
    for start in range(0, len(residents), chunk):
        buffer.seek(0)
        buffer.truncate()
        part = residents[start:start + chunk]
        rows = {rid: ResidentRow(rid, name) for rid, name, _areas in part}
        _fill_areas(db, provider_id, rows, now, filters.area)
        db.expunge_all()  # nothing loaded for this chunk is needed for the next
        for rid, _name, logged in part:
            row = rows[rid]
            for area in row.areas:
                if area.area not in logged:
                    continue
                writer.writerow([safe_cell(v) for v in (
                    row.name, area.area, area.first_stage, stage_name(area.first_stage) if area.first_stage else None,
                    area.latest_stage, stage_name(area.latest_stage) if area.latest_stage else None, area.goals_done, area.steps_recently,
                    area.last_activity.date().isoformat() if area.last_activity else None)])
        yield buffer.getvalue()


def search(db: Session, staff: User, name: str, request_id: str) -> ResidentPage:
    """The residents who share with ``staff``'s organisation whose name contains ``name``, each
    logged as found in a search (the caller commits before showing them)."""
    page = resident_page(db, staff, parse_filters({})[0], name=name, per_page=SEARCH_SHOWS)
    log_listed(db, staff, page, AccessAction.SEARCHED, request_id)
    return page
