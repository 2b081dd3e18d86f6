"""A resident's plan: the logic, as plain functions over a database session.

Every change writes a ``PlanEvent`` in the same transaction (the caller commits once), so the
timeline, the charts and provider dashboards read history while the pages read the current state.
Reading functions use a fixed number of queries whatever the size of the plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import bindparam, func, insert, update
from sqlmodel import Session, col, select

from tracker.clock import REPEAT_WINDOW, utcnow
from tracker.domain.locks import lock_residents, require_lock
from tracker.models import (
    STAGES,
    AccountEvent,
    Area,
    AreaProgress,
    CatalogueGoal,
    CatalogueStep,
    CheckIn,
    GoalNote,
    GoalStatus,
    PlanEvent,
    PlanEventKind,
    PlanGoal,
    PlanStep,
    Provider,
    User,
)

AREAS = tuple(Area)
MAX_OWN_STEPS = 10


def begin_change(db: Session, resident_id: str) -> None:
    """One change at a time per resident (see tracker.domain.locks). Every function below that changes a
    plan starts with it, so it reads fresh what it depends on; a view calls it first when it reads
    something itself before the change."""
    lock_residents(db, [resident_id])


class NotFound(LookupError):
    """No such goal or step for this resident (or it belongs to someone else: same answer)."""


@dataclass(frozen=True)
class Actor:
    """Who made a change, as the resident's timeline will show it."""

    user_id: str
    role: str
    name: str
    provider_name: str | None = None

    @classmethod
    def of(cls, user: User, provider: Provider | None = None) -> Actor:
        return cls(user.id, user.role, user.first_name, provider.name if provider else None)


def own_words(text: str) -> dict:
    """A resident's own wording: one text, whatever the page's language ("und": undetermined)."""
    return {"und": text}


def _progress(db: Session, resident_id: str, area: str) -> AreaProgress:
    row = db.get(AreaProgress, (resident_id, area))
    if row is None:
        row = AreaProgress(resident_id=resident_id, area=area)
        db.add(row)
    return row


_users, _steps, _goals = User.__table__, PlanStep.__table__, PlanGoal.__table__
# Statements every change runs, built once, run on the connection: an ORM-enabled UPDATE through
# the session costs several times the UPDATE itself (a tick runs three of these).
_RAISE_PLAN_VERSION = update(_users).where(_users.c.id == bindparam("resident_key")).values(plan_version=_users.c.plan_version + 1)
_SET_STEP_DONE_AT = update(_steps).where(_steps.c.id == bindparam("step_key")).values(
    done_at=bindparam("done_at_value", type_=_steps.c.done_at.type))
_SET_GOAL_UPDATED_AT = update(_goals).where(_goals.c.id == bindparam("goal_key")).values(
    updated_at=bindparam("updated_at_value", type_=_goals.c.updated_at.type))


def _written(db: Session, model, id_, attribute: str) -> None:
    """After an UPDATE on the connection: an object of that row the session has must read it again."""
    loaded = db.identity_map.get(db.identity_key(model, id_))
    if loaded is not None:
        db.expire(loaded, [attribute])


_progress_table, _events_table = AreaProgress.__table__, PlanEvent.__table__
_TOUCH_AREA = update(_progress_table).where(
    _progress_table.c.resident_id == bindparam("resident_key"), _progress_table.c.area == bindparam("area_key"),
).values(last_activity_at=bindparam("at", type_=_progress_table.c.last_activity_at.type))
_ADD_EVENT = insert(_events_table)


def _event(db: Session, resident_id: str, actor: Actor, kind: PlanEventKind, **fields) -> None:
    """The plan event of a change, with the plan's version raised and the area's read model
    (``AreaProgress``) brought up to date. Written straight away, on the connection: a tick
    writes nothing else through the session, so its commit has no flush to work out."""
    require_lock(db, resident_id)
    connection = db.connection()
    connection.execute(_RAISE_PLAN_VERSION, {"resident_key": resident_id})
    at = fields.pop("at", None) or utcnow()
    area = fields.get("area")
    if area and kind == PlanEventKind.CHECK_IN_MADE:
        progress = _progress(db, resident_id, area)
        progress.last_activity_at = at
        stage = fields["after"]["stage"]
        progress.first_stage = progress.first_stage or stage
        progress.latest_stage = stage
        db.add(progress)
    elif area:
        if connection.execute(_TOUCH_AREA, {"resident_key": resident_id, "area_key": area, "at": at}).rowcount:
            _written(db, AreaProgress, (resident_id, area), "last_activity_at")
        else:  # the area's first change (or its row is still only in the session)
            progress = _progress(db, resident_id, area)
            progress.last_activity_at = at
            db.add(progress)
    connection.execute(_ADD_EVENT, {
        "resident_id": resident_id, "occurred_at": at, "actor_id": actor.user_id, "actor_role": actor.role,
        "actor_name": actor.name, "actor_provider": actor.provider_name, "kind": str(kind),
        "area": None, "goal_id": None, "step_id": None, "subject": None, "before": None, "after": None, **fields,
    })


# --- Choosing goals ----------------------------------------------------------------------------


def offered_goals(db: Session, area: str | None = None) -> list[tuple[CatalogueGoal, list[CatalogueStep]]]:
    """Catalogue goals on offer (not retired), with their offered steps, in catalogue order."""
    query = select(CatalogueGoal).where(CatalogueGoal.retired_at.is_(None))
    if area:
        query = query.where(CatalogueGoal.area == area)
    goals = db.exec(query.order_by(CatalogueGoal.area, CatalogueGoal.position)).all()
    steps = _catalogue_steps(db, [g.id for g in goals], offered_only=True)
    return [(goal, steps.get(goal.id, [])) for goal in goals]


def _catalogue_steps(db: Session, goal_ids: list[int], offered_only: bool) -> dict[int, list[CatalogueStep]]:
    if not goal_ids:
        return {}
    query = select(CatalogueStep).where(col(CatalogueStep.goal_id).in_(goal_ids))
    if offered_only:
        query = query.where(CatalogueStep.retired_at.is_(None))
    grouped: dict[int, list[CatalogueStep]] = defaultdict(list)
    for step in db.exec(query.order_by(CatalogueStep.goal_id, CatalogueStep.position)).all():
        grouped[step.goal_id].append(step)
    return grouped


def catalogue_ids_in_plan(db: Session, resident_id: str) -> set[int]:
    return set(
        db.exec(
            select(PlanGoal.catalogue_goal_id).where(
                PlanGoal.resident_id == resident_id,
                PlanGoal.removed_at.is_(None),
                PlanGoal.catalogue_goal_id.is_not(None),
            )
        ).all()
    )


def add_catalogue_goals(db: Session, resident_id: str, goal_ids: list[int], actor: Actor) -> list[PlanGoal]:
    """Add catalogue goals (with their offered steps). Ids not on offer, or already in the plan, are
    ignored: a forged or repeated form cannot add anything odd."""
    begin_change(db, resident_id)
    wanted = set(goal_ids) - catalogue_ids_in_plan(db, resident_id)
    if not wanted:
        return []
    goals = db.exec(
        select(CatalogueGoal).where(col(CatalogueGoal.id).in_(wanted), CatalogueGoal.retired_at.is_(None))
    ).all()
    steps = _catalogue_steps(db, [g.id for g in goals], offered_only=True)
    added = []
    for catalogue_goal in sorted(goals, key=lambda g: (g.area, g.position)):
        goal = PlanGoal(resident_id=resident_id, area=catalogue_goal.area, catalogue_goal_id=catalogue_goal.id)
        db.add(goal)
        db.flush()  # the goal row first: without ORM relationships nothing orders the inserts for us
        for position, catalogue_step in enumerate(steps.get(catalogue_goal.id, []), start=1):
            db.add(PlanStep(goal_id=goal.id, catalogue_step_id=catalogue_step.id, position=position))
        _event(db, resident_id, actor, PlanEventKind.GOAL_ADDED, area=goal.area, goal_id=goal.id,
               subject=catalogue_goal.title, after={"status": goal.status, "catalogue_code": catalogue_goal.code})
        added.append(goal)
    return added


def add_own_goal(
    db: Session, resident_id: str, area: str, title: str, steps: list[str], actor: Actor, target_date: date | None = None
) -> PlanGoal:
    """A goal in the resident's own words, with their own steps."""
    begin_change(db, resident_id)
    if area not in AREAS:
        raise ValueError("unknown area")
    repeat = db.exec(select(PlanGoal).where(
        PlanGoal.resident_id == resident_id, PlanGoal.area == area, PlanGoal.own_title == title.strip(),
        PlanGoal.removed_at.is_(None), PlanGoal.created_at >= utcnow() - REPEAT_WINDOW)).first()
    if repeat is not None:
        return repeat
    goal = PlanGoal(resident_id=resident_id, area=area, own_title=title.strip(), target_date=target_date)
    db.add(goal)
    db.flush()  # the goal row first (see add_catalogue_goals)
    step_texts = [s.strip() for s in steps if s.strip()][:MAX_OWN_STEPS]
    for position, text in enumerate(step_texts, start=1):
        db.add(PlanStep(goal_id=goal.id, own_text=text, position=position))
    _event(db, resident_id, actor, PlanEventKind.GOAL_ADDED, area=area, goal_id=goal.id, subject=own_words(goal.own_title),
           after={"status": goal.status, "steps": step_texts, "target_date": _iso(target_date)})
    return goal


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# --- Changing a goal ---------------------------------------------------------------------------


def get_goal(db: Session, resident_id: str, goal_id: str) -> PlanGoal:
    """The resident's own goal, still in the plan; anything else is NotFound."""
    goal = db.get(PlanGoal, goal_id)
    if goal is None or goal.resident_id != resident_id or goal.removed_at is not None:
        raise NotFound(goal_id)
    return goal


def catalogue_code(db: Session, goal: PlanGoal) -> str | None:
    """The catalogue code of a goal from the catalogue; None for the resident's own goal."""
    return None if goal.catalogue_goal_id is None else db.get(CatalogueGoal, goal.catalogue_goal_id).code


def goal_title(db: Session, goal: PlanGoal) -> dict:
    if goal.own_title is not None:
        return own_words(goal.own_title)
    return db.get(CatalogueGoal, goal.catalogue_goal_id).title


def set_steps_done(db: Session, goal: PlanGoal, done_ids: set[str], actor: Actor) -> int:
    """Make exactly ``done_ids`` the done steps of ``goal``. Ids of other goals' steps are ignored.
    Returns how many steps changed. The first ticked step starts a not-started goal."""
    begin_change(db, goal.resident_id)
    steps = _steps_of(db, [goal.id]).get(goal.id, [])
    return _tick(db, [(goal, steps, done_ids, None)], actor)


def save_goal_form(db: Session, goal: PlanGoal, done_positions: set[int], finished: bool, actor: Actor) -> None:
    """What the goal's form says: which steps (by their place, 1 = first) are ticked, and whether
    the goal is finished. Places that do not exist are ignored. Unticking "finished" reopens it."""
    begin_change(db, goal.resident_id)
    steps = _steps_of(db, [goal.id]).get(goal.id, [])
    _tick(db, [(goal, steps, _at_places(steps, done_positions), finished)], actor)


def save_area_form(db: Session, resident_id: str, area: str, form: Callable[[str], tuple[set[int], bool]],
                   actor: Actor) -> int:
    """The plan page's form for one area: for each of the resident's goals in ``area``,
    ``form(goal_id)`` gives the places of its ticked steps and whether "finished" is ticked (as
    ``save_goal_form``). Goals that are not this resident's, or not in this area, are never asked
    about. Two queries whatever the size of the plan, then the writes for what changed (a tick:
    the step, its event, the goal's time). Returns how many steps changed."""
    begin_change(db, resident_id)
    goals = db.connection().execute(_GOALS_IN_AREA, {"resident_id": resident_id, "area": area}).all()
    steps = _steps_of(db, [goal.id for goal in goals])
    forms = []
    for goal in goals:
        places, finished = form(goal.id)
        goal_steps = steps.get(goal.id, [])
        forms.append((goal, goal_steps, _at_places(goal_steps, places), finished))
    return _tick(db, forms, actor)


_GOALS_IN_AREA = (
    select(PlanGoal.id, PlanGoal.resident_id, PlanGoal.area, PlanGoal.status)
    .where(PlanGoal.resident_id == bindparam("resident_id"), PlanGoal.area == bindparam("area"), PlanGoal.removed_at.is_(None))
    .order_by(PlanGoal.created_at, PlanGoal.id)
)


class _Step(NamedTuple):
    """What a change needs of a step: plain columns, not an ORM object (an area has dozens)."""

    id: str
    goal_id: str
    done: bool
    catalogue_step_id: int | None
    own_text: str | None


_STEPS_OF = (
    select(PlanStep.id, PlanStep.goal_id, PlanStep.done_at.is_not(None), PlanStep.catalogue_step_id, PlanStep.own_text)
    .where(col(PlanStep.goal_id).in_(bindparam("goal_ids", expanding=True)))
    .order_by(PlanStep.goal_id, PlanStep.position, PlanStep.id)
)


def _steps_of(db: Session, goal_ids: list[str]) -> dict[str, list[_Step]]:
    """The steps of these goals, in their order, in one query."""
    grouped: dict[str, list[_Step]] = defaultdict(list)
    if goal_ids:
        for row in db.connection().execute(_STEPS_OF, {"goal_ids": goal_ids}):
            grouped[row[1]].append(_Step(*row))
    return grouped


def _at_places(steps: list[_Step], places: set[int]) -> set[str]:
    return {steps[p - 1].id for p in places if 1 <= p <= len(steps)}


def _tick(db: Session, forms: list[tuple], actor: Actor) -> int:
    """For each (goal, its steps, the ids to be done, finished or None to leave it): make exactly
    those steps done, with an event per step that changed, start a not-started goal at its first
    tick, and finish or reopen it. A goal here is a ``PlanGoal`` or a row with its id, resident_id,
    area and status (made an object only when its status changes); the changed steps' texts (for
    the events) are read in one query."""
    now = utcnow()
    changes = {goal.id: [step for step in steps if (step.id in done_ids) != step.done] for goal, steps, done_ids, _ in forms}
    texts = _step_texts(db, [step for changed in changes.values() for step in changed])
    for goal, steps, done_ids, finished in forms:
        changed = changes[goal.id]
        for step in changed:
            done = not step.done
            db.connection().execute(_SET_STEP_DONE_AT, {"step_key": step.id, "done_at_value": now if done else None})
            _written(db, PlanStep, step.id, "done_at")
            _event(db, goal.resident_id, actor, PlanEventKind.STEP_DONE if done else PlanEventKind.STEP_UNDONE,
                   area=goal.area, goal_id=goal.id, step_id=step.id, subject=texts[step.id],
                   before={"done": not done}, after={"done": done})
        status, statuses = goal.status, []
        if changed:
            db.connection().execute(_SET_GOAL_UPDATED_AT, {"goal_key": goal.id, "updated_at_value": now})
            _written(db, PlanGoal, goal.id, "updated_at")
            if status == GoalStatus.NOT_STARTED and done_ids & {s.id for s in steps}:
                status = GoalStatus.IN_PROGRESS  # the first tick starts a goal
                statuses.append(status)
        if finished and status != GoalStatus.DONE:
            statuses.append(GoalStatus.DONE)
        elif finished is False and status == GoalStatus.DONE:
            statuses.append(GoalStatus.IN_PROGRESS)
        if statuses:
            orm_goal = goal if isinstance(goal, PlanGoal) else db.get(PlanGoal, goal.id)
            for status in statuses:
                _change_status(db, orm_goal, status, actor)
    return sum(len(changed) for changed in changes.values())


_CATALOGUE_TEXTS = select(CatalogueStep.id, CatalogueStep.text).where(col(CatalogueStep.id).in_(bindparam("ids", expanding=True)))


def _step_texts(db: Session, steps: list[_Step]) -> dict[str, dict]:
    """The texts of these steps, for their events (catalogue steps in every language)."""
    catalogue_ids = {s.catalogue_step_id for s in steps if s.catalogue_step_id is not None}
    catalogue = {}
    if catalogue_ids:
        catalogue = dict(db.connection().execute(_CATALOGUE_TEXTS, {"ids": list(catalogue_ids)}).all())
    return {s.id: catalogue[s.catalogue_step_id] if s.catalogue_step_id is not None else own_words(s.own_text) for s in steps}


def set_status(db: Session, goal: PlanGoal, status: str, actor: Actor) -> bool:
    """Mark a goal not started, in progress or done. Returns False when nothing changed."""
    begin_change(db, goal.resident_id)
    status = GoalStatus(status)
    if goal.status == status:
        return False
    _change_status(db, goal, status, actor)
    return True


def _change_status(db: Session, goal: PlanGoal, status: GoalStatus, actor: Actor) -> None:
    before = goal.status
    goal.status = status
    goal.completed_at = utcnow() if status == GoalStatus.DONE else None
    goal.updated_at = utcnow()
    db.add(goal)
    _event(db, goal.resident_id, actor, PlanEventKind.GOAL_STATUS_CHANGED, area=goal.area, goal_id=goal.id,
           subject=goal_title(db, goal), before={"status": str(before)}, after={"status": str(status)})
    _count_goals_done(db, goal)


def _count_goals_done(db: Session, goal: PlanGoal) -> None:
    db.flush()
    progress = _progress(db, goal.resident_id, goal.area)
    progress.goals_done = db.exec(
        select(func.count()).select_from(PlanGoal).where(
            PlanGoal.resident_id == goal.resident_id, PlanGoal.area == goal.area,
            PlanGoal.status == GoalStatus.DONE, PlanGoal.removed_at.is_(None))
    ).one()
    db.add(progress)


def edit_goal(db: Session, goal: PlanGoal, actor: Actor, *, target_date: date | None, own_title: str | None = None,
              new_step: str | None = None) -> bool:
    """Change the target date; for the resident's own goals also the title, or add a step."""
    begin_change(db, goal.resident_id)
    before: dict = {}
    after: dict = {}
    if goal.target_date != target_date:
        before["target_date"], after["target_date"] = _iso(goal.target_date), _iso(target_date)
        goal.target_date = target_date
    if goal.own_title is not None and own_title and own_title.strip() != goal.own_title:
        before["title"], after["title"] = goal.own_title, own_title.strip()
        goal.own_title = own_title.strip()
    if goal.own_title is not None and new_step and new_step.strip():
        count = db.exec(select(func.count()).select_from(PlanStep).where(PlanStep.goal_id == goal.id)).one()
        if count < MAX_OWN_STEPS:
            db.add(PlanStep(goal_id=goal.id, own_text=new_step.strip(), position=count + 1))
            after["step_added"] = new_step.strip()
    if not after:
        return False
    goal.updated_at = utcnow()
    db.add(goal)
    _event(db, goal.resident_id, actor, PlanEventKind.GOAL_EDITED, area=goal.area, goal_id=goal.id,
           subject=goal_title(db, goal), before=before, after=after)
    return True


def remove_goal(db: Session, goal: PlanGoal, actor: Actor) -> None:
    """Take a goal out of the plan. It stays in the history (and the export), marked removed."""
    begin_change(db, goal.resident_id)
    goal.removed_at = utcnow()
    db.add(goal)
    _event(db, goal.resident_id, actor, PlanEventKind.GOAL_REMOVED, area=goal.area, goal_id=goal.id,
           subject=goal_title(db, goal), before={"status": goal.status}, after={"removed": True})
    _count_goals_done(db, goal)


def add_note(db: Session, goal: PlanGoal, actor: Actor, text: str, link: str | None = None) -> GoalNote:
    begin_change(db, goal.resident_id)
    repeat = db.exec(select(GoalNote).where(
        GoalNote.goal_id == goal.id, GoalNote.author_id == actor.user_id, GoalNote.text == text.strip(),
        GoalNote.link == (link or None) if link else GoalNote.link.is_(None), GoalNote.created_at >= utcnow() - REPEAT_WINDOW)).first()
    if repeat is not None:
        return repeat
    note = GoalNote(goal_id=goal.id, resident_id=goal.resident_id, author_id=actor.user_id, text=text.strip(), link=link or None)
    db.add(note)
    _event(db, goal.resident_id, actor, PlanEventKind.NOTE_ADDED, area=goal.area, goal_id=goal.id,
           subject=goal_title(db, goal), after={"text": note.text, "link": note.link})
    return note


# --- Check-ins ---------------------------------------------------------------------------------


def record_check_in(db: Session, resident_id: str, answers: dict[str, tuple[int, str | None]], actor: Actor) -> list[CheckIn]:
    """Record "where am I now" for one or more areas: {area: (stage, optional sentence)}."""
    begin_change(db, resident_id)
    now = utcnow()
    made = []
    recent = {c.area: c for c in db.exec(select(CheckIn).where(
        CheckIn.resident_id == resident_id, CheckIn.recorded_by_id == actor.user_id, CheckIn.made_at >= now - REPEAT_WINDOW)
        .order_by(CheckIn.made_at, CheckIn.id)).all()}
    for area in AREAS:
        if area not in answers:
            continue
        stage, note = answers[area]
        if stage not in STAGES:
            raise ValueError("stage must be 1 to 5")
        repeat = recent.get(area)
        if repeat is not None and (repeat.stage, repeat.note) == (stage, (note or "").strip() or None):
            continue
        check_in = CheckIn(resident_id=resident_id, area=area, stage=stage, note=(note or "").strip() or None,
                           made_at=now, recorded_by_id=actor.user_id)
        db.add(check_in)
        _event(db, resident_id, actor, PlanEventKind.CHECK_IN_MADE, area=area, at=now,
               after={"stage": stage, "note": check_in.note})
        made.append(check_in)
    return made


def suggested_goal_ids(latest_stages: dict[str, int], offered: list[tuple[CatalogueGoal, list]], in_plan: set[int],
                       per_area: int = 3) -> set[int]:
    """A few goals to suggest after a check-in. The catalogue runs from first steps to harder ones,
    so someone just starting is shown the first goals and someone further on, later ones."""
    suggested = set()
    for area in AREAS:
        area_goals = [g for g, _ in offered if g.area == area and g.id not in in_plan]
        stage = latest_stages.get(area)
        if stage is None or stage >= 5 or not area_goals:
            continue
        start = min(len(area_goals) - 1, max(0, (stage - 1) * len(area_goals) // 5))
        suggested.update(g.id for g in area_goals[start : start + per_area])
    return suggested


# --- Reading the plan (constant number of queries) -------------------------------------------
#
# The plan page is the service's busiest page, so it reads plain columns (no ORM objects) and
# hands the templates ready-made strings in the reader's language.


class StepView:
    __slots__ = ("done", "id", "text")

    def __init__(self, id: str, text: str, done: bool):
        self.id, self.text, self.done = id, text, done


class GoalView:
    __slots__ = ("area", "id", "notes", "own", "status", "steps", "steps_done", "target_date", "title")

    def __init__(self, id, area, status, title, own, target_date, notes=0):
        self.id, self.area, self.status, self.title, self.own = id, area, status, title, own
        self.target_date = target_date
        self.steps: list[StepView] = []
        self.steps_done = 0
        self.notes = notes


@dataclass
class PlanView:
    areas: dict[str, list[GoalView]]
    first_stage: dict[str, CheckIn]
    latest_stage: dict[str, CheckIn]

    @property
    def goal_count(self) -> int:
        return sum(len(goals) for goals in self.areas.values())

    @property
    def goals_done(self) -> int:
        return sum(goal.status == GoalStatus.DONE for goals in self.areas.values() for goal in goals)

    @property
    def has_checked_in(self) -> bool:
        return bool(self.latest_stage)


def _in_language(texts, locale: str):
    """SQL for ``localise`` over catalogue texts (which always have English): the text in
    ``locale``, else English, read inside the database so no JSON is decoded in Python."""
    english = texts["en"].as_string()
    if locale == "en":
        return func.coalesce(english, "")
    return func.coalesce(func.nullif(texts[locale].as_string(), ""), english, "")


@lru_cache(maxsize=32)
def _plan_queries(locale: str, one_goal: bool, one_area: bool):
    """The goals (with their note counts), and their steps: two statements, built once per
    language and shape (building a statement costs more than running it). Goals and steps are
    read apart so that a goal's title is read once, not once per step."""
    shown = [PlanGoal.resident_id == bindparam("resident_id"), PlanGoal.removed_at.is_(None)]
    if one_goal:
        shown.append(PlanGoal.id == bindparam("goal_id"))
    if one_area:
        shown.append(PlanGoal.area == bindparam("area"))
    notes = select(func.count()).where(GoalNote.goal_id == PlanGoal.id).correlate(PlanGoal).scalar_subquery()
    goals = (
        select(PlanGoal.id, PlanGoal.area, PlanGoal.status, PlanGoal.own_title, PlanGoal.target_date,
               _in_language(CatalogueGoal.title, locale), notes)
        .join(CatalogueGoal, CatalogueGoal.id == PlanGoal.catalogue_goal_id, isouter=True)
        .where(*shown)
        .order_by(PlanGoal.created_at, PlanGoal.id)
    )
    steps = (
        select(PlanStep.goal_id, PlanStep.id, PlanStep.own_text, PlanStep.done_at.is_not(None), _in_language(CatalogueStep.text, locale))
        .join(PlanGoal, PlanGoal.id == PlanStep.goal_id)
        .join(CatalogueStep, CatalogueStep.id == PlanStep.catalogue_step_id, isouter=True)
        .where(*shown)
        .order_by(PlanStep.goal_id, PlanStep.position, PlanStep.id)
    )
    return goals, steps


_CHECK_INS = (
    select(CheckIn.id, CheckIn.area, CheckIn.stage, CheckIn.note, CheckIn.made_at)
    .where(CheckIn.resident_id == bindparam("resident_id"))
    .order_by(CheckIn.made_at, CheckIn.id)
)


def read_plan(db: Session, resident_id: str, locale: str, goal_id: str | None = None, area: str | None = None) -> PlanView:
    """Everything the plan page shows, in three queries whatever the size of the plan (or the same
    for one goal, with ``goal_id``, or one area, with ``area``). Plain rows, not ORM objects: this
    is the busiest read of the service. First and latest check-ins are rows with the columns of
    ``CheckIn`` (id, area, stage, note, made_at)."""
    connection = db.connection()
    params = {"resident_id": resident_id, "goal_id": goal_id, "area": area}
    goals_query, steps_query = _plan_queries(locale, goal_id is not None, area is not None)
    areas: dict[str, list[GoalView]] = {a: [] for a in AREAS}
    views: dict[str, GoalView] = {}
    for id_, area_, status, own_title, target_date, title, notes in connection.execute(goals_query, params).all():
        own = own_title is not None
        views[id_] = view = GoalView(id_, area_, status, own_title if own else title, own, target_date, notes)
        areas[area_].append(view)
    if views:
        view = None
        for goal, id_, own_text, done, text in connection.execute(steps_query, params).all():
            if view is None or view.id != goal:
                view = views[goal]
            view.steps.append(StepView(id_, own_text if own_text is not None else text, done))
            view.steps_done += done
    first: dict = {}
    latest: dict = {}
    for check_in in connection.execute(_CHECK_INS, params).all():
        if area is None or check_in.area == area:
            first.setdefault(check_in.area, check_in)
            latest[check_in.area] = check_in
    return PlanView(areas, first, latest)


_PLAN_VERSION = select(
    select(User.plan_version).where(User.id == bindparam("resident_id")).scalar_subquery(),
    select(func.max(CatalogueGoal.updated_at)).scalar_subquery(),
)  # built once: this runs on every view of the plan page


def plan_version(db: Session, resident_id: str) -> tuple:
    """What the plan page's content depends on, in one query: the resident's plan version (raised
    with every change to goals, steps, notes or check-ins, in that change's transaction) and the
    catalogue's last change (new wording). Used as a cache key."""
    return tuple(db.exec(_PLAN_VERSION, params={"resident_id": resident_id}).one())


@dataclass(frozen=True)
class PlanSummary:
    goal_count: int
    goals_done: int
    has_checked_in: bool


def plan_summary(db: Session, resident_id: str) -> PlanSummary:
    """The counts on the resident's home page, in one query."""
    goals = select(func.count(), func.count().filter(PlanGoal.status == GoalStatus.DONE)).where(
        PlanGoal.resident_id == resident_id, PlanGoal.removed_at.is_(None)
    )
    count, done = db.exec(goals).one()
    checked_in = db.exec(select(CheckIn.id).where(CheckIn.resident_id == resident_id).limit(1)).first() is not None
    return PlanSummary(count, done, checked_in)


def stages_then_and_now(db: Session, resident_id: str) -> tuple[dict[str, CheckIn], dict[str, CheckIn]]:
    """The first and the latest check-in of each area (one query)."""
    first: dict[str, CheckIn] = {}
    latest: dict[str, CheckIn] = {}
    for check_in in check_ins(db, resident_id):
        first.setdefault(check_in.area, check_in)
        latest[check_in.area] = check_in
    return first, latest


def check_ins(db: Session, resident_id: str) -> list[CheckIn]:
    return db.exec(
        select(CheckIn).where(CheckIn.resident_id == resident_id).order_by(CheckIn.made_at, CheckIn.id)
    ).all()


def notes_for_goal(db: Session, goal: PlanGoal) -> list[tuple[GoalNote, User]]:
    return db.exec(
        select(GoalNote, User).join(User, User.id == GoalNote.author_id)
        .where(GoalNote.goal_id == goal.id).order_by(col(GoalNote.created_at).desc())
    ).all()


def timeline(db: Session, resident_id: str, page: int = 1, per_page: int = 50) -> tuple[list, bool]:
    """The plan's history, newest first, a page at a time, with the changes made to the account
    (new set-up codes, a new password) in among them at their place in time; and whether there is
    an older page. A page holds ``per_page`` plan events and the account changes between them."""
    page = max(1, page)
    start = (page - 1) * per_page
    # One event before the page as well: the account changes newer than it belong to earlier pages.
    events = db.exec(
        select(PlanEvent).where(PlanEvent.resident_id == resident_id)
        .order_by(col(PlanEvent.id).desc()).offset(max(0, start - 1)).limit(per_page + 2)
    ).all()
    before = events[0] if start > 0 and events else None
    shown = events[1 if before is not None else 0:][:per_page + 1]
    older = len(shown) > per_page
    shown = shown[:per_page]
    if start > 0 and not shown:
        return [], False
    account = select(AccountEvent).where(AccountEvent.resident_id == resident_id)
    if before is not None:
        account = account.where(AccountEvent.occurred_at < before.occurred_at)
    if older:
        account = account.where(AccountEvent.occurred_at >= shown[-1].occurred_at)
    merged = [*shown, *db.exec(account).all()]
    merged.sort(key=lambda e: (e.occurred_at, isinstance(e, PlanEvent), e.id), reverse=True)
    return merged, older
