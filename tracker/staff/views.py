"""A resident's page for staff, their shared areas, and a tutor recording progress with them.

Every route here takes a resident's id and is wrapped by ``consent_required``: the view only runs
after the consent decision, and its look is logged in the same transaction (``tracker.web.guard``)."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from tracker.domain import plan, suggestions
from tracker.domain.parsing import plain_number
from tracker.domain.shared_data import shared_area
from tracker.models import AccessAction, AccessMode, Provider, Role, User
from tracker.staff import bp
from tracker.staff.forms import StaffNoteForm
from tracker.web import htmx
from tracker.web.forms import CheckInForm
from tracker.web.guard import FORM, LIST, Access, consent_required
from tracker.web.session import get_session


@bp.get("/residents/<uid:resident_id>")
@consent_required(AccessAction.LISTED, purpose=LIST)
def resident(access: Access):
    """Which areas a resident shares with my provider (and my provider's suggestions to them).
    The guard logs it as a list entry for each area shown."""
    db = get_session()
    return render_template("staff/resident.html", resident=db.get(User, access.resident_id), decisions=access.decisions,
                           suggestions=suggestions.made_by(db, access.resident_id, access.provider.id),
                           providers={p.id: p for p in db.exec(select(Provider)).all()})


@bp.get("/residents/<uid:resident_id>/<area:area>")
@consent_required(AccessAction.OPENED)
def resident_area(access: Access, area: str):
    return _area_page(access, area)


@bp.post("/residents/<uid:resident_id>/<area:area>/goals/<short_id:goal_id>")
@consent_required(AccessAction.RECORDED, mode=AccessMode.RECORD, purpose=FORM)
def record_ticks(access: Access, area: str, goal_id: str):
    """A tutor ticking steps (and "finished") with a resident who allowed "record" mode."""
    goal = _goal_in_area(access, area, goal_id)
    places = {n for n in (plain_number(v, 3) for v in request.form.getlist(goal.id)) if n is not None}
    plan.save_goal_form(get_session(), goal, places, goal.id in request.form.getlist("finished"), _tutor(access))
    return _recorded(access, area, ("goal_titles", "goal_status", "step_status"))


@bp.post("/residents/<uid:resident_id>/<area:area>/check-in")
@consent_required(AccessAction.RECORDED, mode=AccessMode.RECORD, purpose=FORM)
def record_check_in(access: Access, area: str):
    form = CheckInForm.for_staff(area)
    if not form.validate_on_submit():
        _as_opened(access)
        return _area_page(access, area, check_in_form=form)
    plan.record_check_in(get_session(), access.resident_id, form.answers(), _tutor(access))
    return _recorded(access, area, ("check_in_stages",))


@bp.post("/residents/<uid:resident_id>/<area:area>/goals/<short_id:goal_id>/notes")
@consent_required(AccessAction.RECORDED, mode=AccessMode.RECORD, purpose=FORM)
def record_note(access: Access, area: str, goal_id: str):
    goal = _goal_in_area(access, area, goal_id)
    form = StaffNoteForm()
    if not form.validate_on_submit():
        _as_opened(access)
        return _area_page(access, area, note_form=form, note_goal=goal.id)
    plan.add_note(get_session(), goal, _tutor(access), form.text.data)
    return _recorded(access, area, ("notes",))


def _area_page(access: Access, area: str, *, check_in_form=None, note_form=None, note_goal=None):
    """A resident's shared area, as the consent decision allows. A form sent back with errors is
    shown on the same page, as a 400."""
    db = get_session()
    decision = access.decision
    data = shared_area(db, access.resident_id, area, decision.fields, str(get_locale() or "en"))
    can_record = current_user.role == Role.TUTOR and decision.allows(AccessMode.RECORD)
    purpose = next(p for p in decision.notice.purposes if p["code"] == access.purpose)
    status = 400 if (check_in_form or note_form) else 200
    return render_template("staff/resident_area.html", resident=db.get(User, access.resident_id), data=data, decision=decision,
                           purpose=purpose, purpose_code=access.purpose, can_record=can_record,
                           check_in_form=check_in_form or CheckInForm.for_staff(area), note_form=note_form or StaffNoteForm(),
                           note_goal=note_goal, blank_note_form=StaffNoteForm(),
                           form=check_in_form or note_form), status


def _goal_in_area(access: Access, area: str, goal_id: str):
    try:
        goal = plan.get_goal(get_session(), access.resident_id, goal_id)
    except plan.NotFound:
        abort(404)
    if goal.area != area:
        abort(404)
    return goal


def _recorded(access: Access, area: str, fields: tuple[str, ...]):
    """After a change with the resident: logged as recorded (by the guard), then back to the area."""
    access.fields = fields
    access.flash_after_commit(_("Saved. The resident can see this in their history."))
    return htmx.redirect(url_for("staff.resident_area", resident_id=access.resident_id, area=area, purpose=access.purpose))


def _as_opened(access: Access) -> None:
    """A form sent back with errors shows the area again: that is a look, not a change."""
    access.action, access.fields = AccessAction.OPENED, None


def _tutor(access: Access) -> plan.Actor:
    """The change shows in the resident's timeline with the tutor's first name and provider."""
    return plan.Actor.of(current_user, access.provider)
