"""A resident's page for staff, their shared areas, and a tutor recording progress with them.

Every route here takes a resident's id and is wrapped by ``consent_required``: the view only runs
after the consent decision, and its look is logged in the same transaction (``tracker.web.guard``)."""

from __future__ import annotations

from flask import abort, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.domain import about_me, consent, plan, referrals, texts
from tracker.domain.consent import caseload
from tracker.domain.parsing import plain_number
from tracker.domain.shared_data import shared_area
from tracker.models import ABOUT_ME, AccessAction, AccessMode, Role, User
from tracker.staff import bp
from tracker.staff.forms import StaffNoteForm
from tracker.web import htmx
from tracker.web.forms import ButtonForm, CheckInForm
from tracker.web.guard import FORM, LIST, REFERRAL, Access, consent_required
from tracker.web.i18n import request_language
from tracker.web.referral_forms import CloseForm, DeclineForm
from tracker.web.session import get_session

TEXTS_FAILED = "texts_failed"  # the field code logged for "we could not text them"


@bp.get("/residents/<uid:resident_id>")
@consent_required(AccessAction.LISTED, purpose=LIST)
def resident(access: Access):
    """Which areas a resident shares with my provider, the referrals my provider made for them,
    and those they sent to us. The guard logs it as a list entry for each area shown."""
    db = get_session()
    shared = {d.area for d in access.decisions}
    received = [v for v in referrals.for_resident(db, access.resident_id)
                if v.referral.to_provider_id == access.provider.id and v.referral.state in referrals.SEEN_BY_RECEIVER
                and set(v.referral.areas) & shared]
    # "We could not text them", for their tutors (who can ask them to check it): said, and logged
    # as said, never the number.
    failed = texts.failed_recently(db, access.resident_id) if current_user.role == Role.TUTOR else None
    if failed is not None:
        consent.record_access(db, current_user, access.provider, access.decisions[:1], AccessAction.LISTED, consent.LIST_PURPOSE,
                              g.request_id, fields=(TEXTS_FAILED,))
    about, changed = caseload.about_me_changes(db, current_user, [access.resident_id])
    if about:  # the link to About me, and whether it changed since we last opened it, are a look too
        consent.record_access(db, current_user, access.provider, list(about.values()), AccessAction.LISTED, consent.LIST_PURPOSE,
                              g.request_id, fields=(caseload.ABOUT_ME_CHANGED,) if changed else ())
    return render_template("staff/resident.html", resident=db.get(User, access.resident_id), decisions=access.decisions,
                           made=referrals.made_by(db, access.resident_id, access.provider.id), received=received,
                           about=about.get(access.resident_id), about_changed=changed.get(access.resident_id, []), texts_failed=failed)


@bp.get("/residents/<uid:resident_id>/about")
@consent_required(AccessAction.OPENED, part=ABOUT_ME)
def resident_about(access: Access):
    """The answers in About me the resident shares with my organisation, for the reason chosen
    (a special-category answer only for a reason the notice names for it), and what changed
    since my organisation last opened it. Logged with exactly the fields shown."""
    db = get_session()
    decision = access.decision
    shown = consent.about_me_fields(decision, access.purpose)
    seen = consent.about_me_seen(db, access.provider.id, [access.resident_id])
    since = max(seen.get(access.resident_id, {}).values(), default=None)  # the last look at any of it
    changed = about_me.changed_since(db, [access.resident_id], {access.resident_id: shown}, seen)
    answers = about_me.answers(db, access.resident_id)
    support = about_me.support_from_referrals(db, access.resident_id) if "support_already" in shown else []
    withheld = [code for code in decision.fields if code not in shown]
    access.fields = shown
    purpose = next(p for p in decision.notice.purposes if p["code"] == access.purpose)
    return render_template("staff/resident_about.html", resident=db.get(User, access.resident_id), decision=decision,
                           specs=[about_me.field(code) for code in shown if about_me.field(code)], answers=answers, support=support,
                           changed=changed.get(access.resident_id, []), since=since, withheld=withheld, purpose=purpose,
                           fields=about_me.fields(), can_write=current_user.role == Role.TUTOR and decision.allows(AccessMode.RECORD))


# --- Referrals sent to my organisation ------------------------------------------------------------


@bp.get("/referrals")
def referral_inbox():
    """Referrals residents agreed to send to my organisation: new, accepted, in progress; oldest first."""
    db = get_session()
    rows = referrals.inbox(db, current_user, g.request_id)
    db.commit()  # the looks are on record before they are shown
    return render_template("staff/referrals.html", rows=rows)


def _received(access: Access, referral_id: str) -> referrals.ReferralView:
    """The referral, if the resident sent it to my organisation and shares a part of the plan it
    needs with us now; else the same 404 as for no referral. Only those parts are logged."""
    db = get_session()
    referrals.expire_overdue(db, resident_id=access.resident_id)  # under the guard's lock on the resident
    view = referrals.received(db, referral_id, access.resident_id, access.provider.id, {d.area for d in access.decisions})
    if view is None:
        abort(404)
    access.decisions = [d for d in access.decisions if d.area in view.referral.areas]
    access.fields = ()  # the referral is shown, not the plan (its areas are links, each logged when opened)
    return view


@bp.get("/residents/<uid:resident_id>/referrals/<short_id:referral_id>")
@consent_required(AccessAction.OPENED_REFERRAL, purpose=REFERRAL)
def referral(access: Access, referral_id: str, decline_form=None, close_form=None):
    db = get_session()
    view = _received(access, referral_id)
    return render_template("staff/referral.html", view=view, resident=db.get(User, access.resident_id),
                           shared=[d.area for d in access.decisions], decline_form=decline_form or DeclineForm(),
                           close_form=close_form or CloseForm(), button=ButtonForm()), 400 if decline_form or close_form else 200


RECEIVER_MOVES = {"accept": "accepted", "decline": "declined", "start": "started", "close": "closed"}


@bp.post("/residents/<uid:resident_id>/referrals/<short_id:referral_id>/<any(accept, decline, start, close):move>")
@consent_required(AccessAction.OPENED_REFERRAL, purpose=REFERRAL)
def answer_referral(access: Access, referral_id: str, move: str):
    """Accept, decline with a reason, start, or close with an outcome: one step each. A page that
    is out of date (the resident took it back; someone else answered) changes nothing."""
    db = get_session()
    view = _received(access, referral_id)
    code = None
    if move == "decline":
        form = DeclineForm()
        if not form.validate_on_submit():
            return referral.__wrapped__(access, referral_id, decline_form=form)
        code = form.reason.data
    elif move == "close":
        form = CloseForm()
        if not form.validate_on_submit():
            return referral.__wrapped__(access, referral_id, close_form=form)
        code = form.outcome.data
    elif not ButtonForm().validate_on_submit():
        abort(400)
    try:
        referrals.receiver_moves(db, view.referral, RECEIVER_MOVES[move], current_user, access.provider, code)
    except referrals.ReferralError:  # raised before anything was written
        access.flash_after_commit(_("This referral changed since you opened it. Here it is as it is now."), "info")
        return htmx.redirect(url_for("staff.referral", resident_id=access.resident_id, referral_id=referral_id))
    access.flash_after_commit(_("Saved. The resident can see it."))
    return htmx.redirect(url_for("staff.referral", resident_id=access.resident_id, referral_id=referral_id))


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
    data = shared_area(db, access.resident_id, area, decision.fields, request_language())
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
