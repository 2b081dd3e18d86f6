"""The admin's work as plain functions: what is refused and why, and that doing nothing new
records nothing (no audit line for a save that changed nothing)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.sharing_helpers import Sharing
from tracker.domain import partnership
from tracker.models import AdminAction, CatalogueGoal, CatalogueStep, Role


@pytest.fixture
def sharing(db, people):
    return Sharing(db, people)


def _audit(db) -> int:
    return len(db.exec(select(AdminAction)).all())


def test_saving_an_organisation_or_an_account_unchanged_records_nothing(db, sharing):
    before = _audit(db)
    assert not partnership.edit_provider(db, sharing.admin, sharing.a, name=sharing.a.name, kind=sharing.a.kind,
                                         description=sharing.a.description)
    assert not partnership.set_provider_active(db, sharing.admin, sharing.a, True)
    assert not partnership.change_role(db, sharing.admin, sharing.tutor_a, Role.TUTOR, sharing.a.id)
    assert not partnership.set_staff_active(db, sharing.admin, sharing.tutor_a, True)
    assert _audit(db) == before


@pytest.mark.parametrize(("role", "provider", "reason"), [
    ("resident", None, "role_invalid"),
    ("tutor", "0" * 32, "provider_invalid"),
    ("provider_staff", None, "provider_missing"),
])
def test_a_staff_account_needs_a_staff_role_and_a_real_organisation(db, sharing, role, provider, reason):
    with pytest.raises(partnership.AdminError, match=reason):
        partnership.invite_staff(db, sharing.admin, username="new.person", display_name="New Person", role=role, provider_id=provider)


def test_usernames_for_staff_follow_the_same_rules_as_everyone_elses(db, sharing):
    with pytest.raises(partnership.AdminError, match="username_"):
        partnership.invite_staff(db, sharing.admin, username="a b", display_name="A B", role="tutor", provider_id=sharing.a.id)
    with pytest.raises(partnership.AdminError, match="username_taken"):
        partnership.invite_staff(db, sharing.admin, username="Tutor.A", display_name="Jo", role="tutor", provider_id=sharing.a.id)


def test_an_admin_cannot_change_their_own_account_or_give_a_code_to_someone_switched_off(db, sharing):
    for change in (lambda: partnership.change_role(db, sharing.admin, sharing.admin, Role.TUTOR, sharing.a.id),
                   lambda: partnership.set_staff_active(db, sharing.admin, sharing.admin, False),
                   lambda: partnership.new_code(db, sharing.admin, sharing.admin)):
        with pytest.raises(partnership.AdminError, match="own_account"):
            change()
    assert partnership.set_staff_active(db, sharing.admin, sharing.tutor_a, False)
    with pytest.raises(partnership.AdminError, match="inactive"):
        partnership.new_code(db, sharing.admin, sharing.tutor_a)


def test_retiring_what_is_already_retired_changes_nothing(db, sharing):
    goal = db.exec(select(CatalogueGoal).where(CatalogueGoal.retired_at.is_(None))).first()
    step = db.exec(select(CatalogueStep).where(CatalogueStep.goal_id == goal.id, CatalogueStep.retired_at.is_(None))).first()
    before = _audit(db)
    assert not partnership.set_goal_retired(db, sharing.admin, goal, False)
    assert not partnership.set_step_retired(db, sharing.admin, step, False)
    assert _audit(db) == before


def test_codes_for_new_goals_are_short_plain_and_unique(db, sharing):
    assert partnership.slug("Use a Smartphone – safely!", 40) == "use-a-smartphone-safely"
    assert len(partnership.slug("word " * 30, 20)) <= 20
