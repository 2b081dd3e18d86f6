"""The plan's logic, without a request: every change is recorded as an event, bad ids change nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from tracker.domain import plan
from tracker.models import CatalogueGoal, CheckIn, GoalNote, GoalStatus, PlanEvent, PlanGoal, PlanStep


@pytest.fixture
def amira(people):
    return people.user("amira")


@pytest.fixture
def actor(amira):
    return plan.Actor.of(amira)


def _catalogue(db, code):
    return db.exec(select(CatalogueGoal).where(CatalogueGoal.code == code)).one()


def _events(db, resident_id):
    return db.exec(select(PlanEvent).where(PlanEvent.resident_id == resident_id).order_by(PlanEvent.id)).all()


def test_adding_catalogue_goals_copies_their_steps_and_records_it(db, amira, actor):
    goal = _catalogue(db, "digital.get-online")
    added = plan.add_catalogue_goals(db, amira.id, [goal.id], actor)
    db.commit()
    assert len(added) == 1 and added[0].status == GoalStatus.NOT_STARTED
    assert db.exec(select(func.count()).select_from(PlanStep).where(PlanStep.goal_id == added[0].id)).one() >= 3
    [event] = _events(db, amira.id)
    assert (event.kind, event.goal_id, event.actor_id, event.actor_name) == ("goal_added", added[0].id, amira.id, "Amira")
    assert event.subject == goal.title


def test_unknown_retired_and_repeated_goal_ids_are_ignored(db, amira, actor):
    goal = _catalogue(db, "digital.get-online")
    retired = _catalogue(db, "digital.messages")
    retired.retired_at = retired.updated_at
    db.add(retired)
    assert len(plan.add_catalogue_goals(db, amira.id, [goal.id, goal.id, 999_999, retired.id], actor)) == 1
    assert plan.add_catalogue_goals(db, amira.id, [goal.id], actor) == []
    db.commit()
    assert db.exec(select(func.count()).select_from(PlanGoal)).one() == 1


def test_ticking_steps_ignores_another_goals_steps_and_starts_the_goal(db, amira, actor, people):
    ben = people.user("ben")
    mine = plan.add_catalogue_goals(db, amira.id, [_catalogue(db, "digital.get-online").id], actor)[0]
    theirs = plan.add_catalogue_goals(db, ben.id, [_catalogue(db, "digital.get-online").id], plan.Actor.of(ben))[0]
    db.commit()
    my_steps = db.exec(select(PlanStep).where(PlanStep.goal_id == mine.id).order_by(PlanStep.position)).all()
    their_step = db.exec(select(PlanStep).where(PlanStep.goal_id == theirs.id)).first()

    changed = plan.set_steps_done(db, mine, {my_steps[0].id, their_step.id, "nonsense"}, actor)
    db.commit()
    assert changed == 1
    db.refresh(their_step)
    assert their_step.done_at is None
    assert mine.status == GoalStatus.IN_PROGRESS
    kinds = [e.kind for e in _events(db, amira.id)]
    assert kinds == ["goal_added", "step_done", "goal_status_changed"]

    plan.set_steps_done(db, mine, set(), actor)
    db.commit()
    last = _events(db, amira.id)[-1]
    assert (last.kind, last.before, last.after) == ("step_undone", {"done": True}, {"done": False})


def test_marking_done_and_reopening_are_recorded_with_before_and_after(db, amira, actor):
    goal = plan.add_own_goal(db, amira.id, "financial", "Open a bank account", ["I can find a bank"], actor)
    assert plan.set_status(db, goal, "done", actor) is True
    assert goal.completed_at is not None
    assert plan.set_status(db, goal, "done", actor) is False  # no change, no event
    plan.set_status(db, goal, "in_progress", actor)
    db.commit()
    changes = [(e.before, e.after) for e in _events(db, amira.id) if e.kind == "goal_status_changed"]
    assert changes == [({"status": "not_started"}, {"status": "done"}), ({"status": "done"}, {"status": "in_progress"})]
    assert goal.completed_at is None


def test_own_goals_keep_the_residents_words_and_at_most_ten_steps(db, amira, actor):
    goal = plan.add_own_goal(db, amira.id, "digital", "Video call my sister", [f"Step {n}" for n in range(15)], actor,
                             target_date=date(2027, 3, 31))
    db.commit()
    view = plan.read_plan(db, amira.id, "pl")
    [shown] = view.areas["digital"]
    assert shown.id == goal.id
    assert (shown.title, shown.own) == ("Video call my sister", True)
    assert len(shown.steps) == 10
    assert shown.target_date == date(2027, 3, 31)


def test_removing_a_goal_hides_it_but_keeps_its_history(db, amira, actor):
    goal = plan.add_own_goal(db, amira.id, "digital", "Learn email", ["I can open email"], actor)
    plan.remove_goal(db, goal, actor)
    db.commit()
    assert plan.read_plan(db, amira.id, "en").goal_count == 0
    assert db.get(PlanGoal, goal.id).removed_at is not None
    assert [e.kind for e in _events(db, amira.id)] == ["goal_added", "goal_removed"]
    with pytest.raises(plan.NotFound):
        plan.get_goal(db, amira.id, goal.id)


def test_someone_elses_goal_is_not_found(db, amira, actor, people):
    ben = people.user("ben")
    goal = plan.add_own_goal(db, amira.id, "digital", "Learn email", [], actor)
    db.commit()
    for resident, goal_id in [(ben.id, goal.id), (amira.id, "no-such-goal"), (amira.id, "x" * 500)]:
        with pytest.raises(plan.NotFound):
            plan.get_goal(db, resident, goal_id)


def test_notes_and_check_ins_are_recorded(db, amira, actor):
    goal = plan.add_own_goal(db, amira.id, "digital", "Learn email", [], actor)
    plan.add_note(db, goal, actor, "  Went to the library.  ", "https://example.org/cert")
    plan.record_check_in(db, amira.id, {"digital": (2, "nervous"), "financial": (3, None)}, actor)
    db.commit()
    assert db.exec(select(GoalNote)).one().text == "Went to the library."
    assert sorted((c.area, c.stage) for c in db.exec(select(CheckIn)).all()) == [("digital", 2), ("financial", 3)]
    assert [e.kind for e in _events(db, amira.id)][-3:] == ["note_added", "check_in_made", "check_in_made"]
    with pytest.raises(ValueError):
        plan.record_check_in(db, amira.id, {"digital": (9, None)}, actor)


def test_a_change_and_its_event_are_written_together_or_not_at_all(db, amira, actor):
    goal = plan.add_own_goal(db, amira.id, "digital", "Learn email", ["I can open email"], actor)
    db.commit()
    plan.set_status(db, goal, "done", actor)
    # Something fails before the commit (here: an event the database refuses).
    db.add(PlanEvent(resident_id=amira.id, actor_role="resident", actor_name="x", kind="not-a-kind"))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()
    assert db.get(PlanGoal, goal.id).status == GoalStatus.NOT_STARTED
    assert [e.kind for e in _events(db, amira.id)] == ["goal_added"]


def test_suggestions_follow_the_check_in(db, amira):
    offered = plan.offered_goals(db)
    beginner = plan.suggested_goal_ids({"digital": 1}, offered, set())
    further = plan.suggested_goal_ids({"digital": 4}, offered, set())
    digital = [g.id for g, _ in offered if g.area == "digital"]
    assert beginner and further and beginner != further
    assert beginner <= set(digital[:3])
    assert plan.suggested_goal_ids({"digital": 5}, offered, set()) == set()
    assert not plan.suggested_goal_ids({"digital": 1}, offered, set(digital[:3])) & set(digital[:3])


def test_every_change_to_a_plan_raises_its_version_in_the_same_transaction(db, people):
    """The plan page's cache key: any change makes a new one, and a change rolled back leaves it."""
    from tracker.domain.locks import lock_residents

    amira = people.user("amira")
    actor = plan.Actor.of(amira)
    versions = [plan.plan_version(db, amira.id)[0]]
    goal_id = db.exec(select(CatalogueGoal.id)).first()
    [goal] = plan.add_catalogue_goals(db, amira.id, [goal_id], actor)
    db.commit()
    versions.append(plan.plan_version(db, amira.id)[0])
    plan.record_check_in(db, amira.id, {"digital": (2, None)}, actor)
    db.commit()
    versions.append(plan.plan_version(db, amira.id)[0])
    lock_residents(db, [amira.id])
    plan.add_note(db, goal, actor, "A note")
    db.rollback()
    versions.append(plan.plan_version(db, amira.id)[0])
    assert versions[0] < versions[1] < versions[2] == versions[3]
