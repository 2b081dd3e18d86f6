"""What a provider sees of one area of a resident's plan: the resident's real data, cut down to
the fields the provider's notice lists. The resident's preview and the staff page both use this,
so the preview is exactly what staff will see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from tracker.domain import plan
from tracker.models import CheckIn, GoalNote, PlanEvent, User


@dataclass
class SharedGoal:
    id: str
    title: str | None
    status: str | None
    steps_done: int | None
    steps_total: int | None
    notes: list[tuple[str, str | None, datetime]] = field(default_factory=list)
    steps: list = field(default_factory=list)  # (text, done), when titles and steps are both shared


@dataclass
class SharedArea:
    area: str
    fields: tuple[str, ...]
    goals: list[SharedGoal]
    check_ins: list[CheckIn]
    last_activity: datetime | None


def shared_area(db: Session, resident_id: str, area: str, fields: tuple[str, ...], locale: str) -> SharedArea:
    """One area of a plan, showing only ``fields`` (a field not listed is None or empty)."""
    view = plan.read_plan(db, resident_id, locale, area=area)
    goals = view.areas[area]
    notes_by_goal: dict[str, list] = {}
    if "notes" in fields and goals:
        rows = db.exec(
            select(GoalNote.goal_id, GoalNote.text, GoalNote.link, GoalNote.created_at, User.display_name)
            .join(User, User.id == GoalNote.author_id)
            .where(GoalNote.goal_id.in_([g.id for g in goals])).order_by(GoalNote.created_at)
        ).all()
        for goal_id, text, link, at, _author in rows:
            notes_by_goal.setdefault(goal_id, []).append((text, link, at))
    shared_goals = [
        SharedGoal(
            id=g.id,
            title=g.title if "goal_titles" in fields else None,
            status=g.status if "goal_status" in fields else None,
            steps_done=g.steps_done if "step_status" in fields else None,
            steps_total=len(g.steps) if "step_status" in fields else None,
            notes=notes_by_goal.get(g.id, []),
            steps=[(step.text, step.done) for step in g.steps] if {"goal_titles", "step_status"} <= set(fields) else [],
        )
        for g in goals
    ]
    check_ins = [c for c in plan.check_ins(db, resident_id) if c.area == area] if "check_in_stages" in fields else []
    last_activity = None
    if "last_activity" in fields:
        last_activity = db.exec(
            select(func.max(PlanEvent.occurred_at)).where(PlanEvent.resident_id == resident_id, PlanEvent.area == area)
        ).one()
    return SharedArea(area, fields, shared_goals, check_ins, last_activity)



