"""The goal catalogue: its data files, loading them, retiring goals and searching."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlmodel import select

from tracker.domain import plan
from tracker.domain.catalogue import GoalSpec, StepSpec, matches, read_catalogue, sync_catalogue
from tracker.models import Area, CatalogueGoal, CatalogueStep, PlanStep

FRAMEWORK_AREAS = {
    "digital": {"foundation", "communicating", "handling_information", "transacting", "problem_solving", "being_safe", "uc_account"},
    "financial": {"keeping_track", "making_ends_meet", "bank_and_bills", "benefits_uc", "credit_and_debt", "saving", "spotting_scams"},
    "job_readiness": {"aims", "job_search", "cv_applications", "interviews", "work_documents", "basic_skills", "essential_skills", "experience"},
}


def test_each_area_has_at_least_eight_goals_of_three_to_six_steps_in_english_and_polish():
    goals = read_catalogue()
    per_area = Counter(goal.area for goal in goals)
    assert all(per_area[area] >= 8 for area in Area), per_area
    for goal in goals:
        assert 3 <= len([s for s in goal.steps if not s.retired]) <= 6, goal.code
        for texts in [goal.title, goal.summary, *[s.text for s in goal.steps]]:
            assert texts["en"].strip() and texts["pl"].strip(), goal.code


def test_every_framework_area_is_served_by_a_goal():
    served = {(goal.area, goal.framework_area) for goal in read_catalogue()}
    for area, framework_areas in FRAMEWORK_AREAS.items():
        assert {(area, fa) for fa in framework_areas} <= served, area


def test_steps_are_short_plain_i_can_statements():
    for goal in read_catalogue():
        for step in goal.steps:
            assert step.text["en"].startswith(("I can", "I know", "I have")), step.code
            assert len(step.text["en"]) <= 120, step.code


def test_sync_is_idempotent(db):
    before = len(db.exec(select(CatalogueGoal)).all())
    report = sync_catalogue(db)
    assert (report.added, report.updated, report.retired) == (0, 0, 0)
    assert len(db.exec(select(CatalogueGoal)).all()) == before == len(read_catalogue())


def _spec(goal: CatalogueGoal, **changes) -> GoalSpec:
    specs = {spec.code: spec for spec in read_catalogue()}
    spec = specs[goal.code]
    return GoalSpec(**{**spec.__dict__, **changes})


def test_retiring_a_goal_and_a_step_keeps_plans_that_use_them(db, people):
    amira = people.user("amira")
    goal = db.exec(select(CatalogueGoal).where(CatalogueGoal.code == "digital.get-online")).one()
    plan_goal = plan.add_catalogue_goals(db, amira.id, [goal.id], plan.Actor.of(amira))[0]
    db.commit()

    spec = _spec(goal)
    kept, dropped = spec.steps[:-1], spec.steps[-1]
    retired = GoalSpec(**{**spec.__dict__, "version": goal.version + 1, "retired": True,
                          "steps": [*kept, StepSpec(dropped.code, dropped.text, retired=True)]})
    report = sync_catalogue(db, [retired])
    db.commit()
    assert report.retired == 1

    # No longer offered…
    assert goal.id not in {g.id for g, _ in plan.offered_goals(db)}
    # …but the plan still shows it, with every step it had.
    view = plan.read_plan(db, amira.id, "pl")
    shown = view.areas["digital"][0]
    assert shown.id == plan_goal.id and shown.title == goal.title["pl"]
    assert len(shown.steps) == len(spec.steps)


def test_a_newer_version_in_the_file_updates_the_wording(db):
    goal = db.exec(select(CatalogueGoal).where(CatalogueGoal.code == "financial.make-a-budget")).one()
    spec = _spec(goal)
    newer = GoalSpec(**{**spec.__dict__, "version": goal.version + 1, "title": {"en": "Plan my money", "pl": "Planuję pieniądze"}})
    same_version = GoalSpec(**{**spec.__dict__, "title": {"en": "Ignored", "pl": "Ignorowane"}})
    sync_catalogue(db, [same_version])
    assert db.get(CatalogueGoal, goal.id).title["en"] == spec.title["en"]
    sync_catalogue(db, [newer])
    assert db.get(CatalogueGoal, goal.id).title == {"en": "Plan my money", "pl": "Planuję pieniądze"}


@pytest.mark.parametrize(
    ("query", "locale", "code"),
    [("budget", "en", "financial.make-a-budget"), ("CV", "en", "job_readiness.write-a-cv"),
     ("budzet", "pl", "financial.make-a-budget"), ("oszustw", "pl", "digital.spot-scams")],
)
def test_search_finds_goals_by_their_words_in_either_language(db, query, locale, code):
    found = {goal.code for goal, steps in plan.offered_goals(db) if matches(goal, steps, query, locale)}
    assert code in found
    assert len(found) < len(read_catalogue())


def test_steps_of_a_plan_point_at_catalogue_steps(db, people):
    amira = people.user("amira")
    goal = db.exec(select(CatalogueGoal).where(CatalogueGoal.code == "digital.messages")).one()
    added = plan.add_catalogue_goals(db, amira.id, [goal.id], plan.Actor.of(amira))[0]
    steps = db.exec(select(PlanStep).where(PlanStep.goal_id == added.id)).all()
    catalogue_steps = db.exec(select(CatalogueStep).where(CatalogueStep.goal_id == goal.id, CatalogueStep.retired_at.is_(None))).all()
    assert {s.catalogue_step_id for s in steps} == {s.id for s in catalogue_steps}
