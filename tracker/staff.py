"""Pages that tutors and provider staff share: opening a resident's shared area (through the
consent decision, with the purpose chosen and the look logged before anything is shown), and a
tutor recording a consent with the resident beside them."""

from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput
from sqlmodel import col, select
from wtforms import BooleanField, PasswordField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tracker import ratelimit
from tracker.domain import accounts, consent, plan, setup_codes
from tracker.domain.clock import REPEAT_WINDOW, utcnow
from tracker.domain.parsing import plain_number
from tracker.domain.shared_data import shared_area
from tracker.models import (
    STAGES,
    AccessAction,
    AccessMode,
    ConsentEvent,
    Provider,
    Role,
    SetupCode,
    SetupCodePurpose,
    SharingNotice,
    Suggestion,
    SuggestionState,
    User,
)
from tracker.web import htmx
from tracker.web.forms import GovPasswordInput, GovRadioField, GovTextArea, GovTextInput, NoControlCharacters, strip
from tracker.web.guard import Access
from tracker.web.session import get_session
from tracker.web.wording import AREA_NAMES, STAGE_NAMES


def open_resident_area(access: Access, area: str, *, check_in_form=None, note_form=None, note_goal=None):
    """A resident's shared area, through the consent guard (the look is logged by it). A form sent
    back with errors is shown on the same page, as a 400."""
    db = get_session()
    decision = access.decision
    resident = db.get(User, access.resident_id)
    data = shared_area(db, access.resident_id, area, decision.fields, str(get_locale() or "en"))
    can_record = current_user.role == Role.TUTOR and decision.allows(AccessMode.RECORD)
    purpose = next(p for p in decision.notice.purposes if p["code"] == access.purpose)
    status = 400 if (check_in_form or note_form) else 200
    return render_template("staff/resident_area.html", resident=resident, data=data, decision=decision,
                           purpose=purpose, purpose_code=access.purpose, can_record=can_record,
                           check_in_form=check_in_form or CheckInForm(), note_form=note_form or StaffNoteForm(),
                           note_goal=note_goal, blank_note_form=StaffNoteForm(), prefix=_prefix(),
                           form=check_in_form or note_form), status


class AssistedConsentForm(FlaskForm):
    username = StringField(_l("The resident's username"), widget=GovTextInput(), filters=[strip],
                           validators=[DataRequired(_l("Enter the resident's username")), Length(max=40)])
    password = PasswordField(_l("The resident types their password"),
                             description=_l("Turn the screen to the resident. You do not need to see it."),
                             widget=GovPasswordInput(), validators=[DataRequired(_l("The resident needs to type their password")), Length(max=200)])
    notice = GovRadioField(_l("Who should see it, and which part of the plan?"), message=_l("Choose what to share"), choices=[])
    record = BooleanField(_l("They may also record progress (only if the organisation asks for it)"), widget=GovCheckboxInput())
    months = GovRadioField(_l("For how long?"), message=_l("Choose how long to share for"),
                           choices=[SelectChoice("3", _l("3 months")), SelectChoice("6", _l("6 months")), SelectChoice("12", _l("12 months"))])


def assisted_consent():
    """A tutor records a consent with the resident present. The resident proves they are there by
    typing their own password (throttled like sign-in); for the tutor's own provider the consent
    waits for the resident to confirm it at their next sign-in."""
    db = get_session()
    notices = consent.current_notices(db)
    providers = {p.id: p for p in db.exec(select(Provider)).all()}
    form = AssistedConsentForm()
    form.notice.choices = [SelectChoice(n.id, f"{providers[n.provider_id].name}: {AREA_NAMES[n.area]}") for n in notices]
    if request.method == "GET":
        form.months.data = "12"
    status = 200
    if form.validate_on_submit():
        # Held first, before anything touches the resident's row (signing in does): organisation,
        # notice, residents is the order every path keeps, so none waits for another in a circle.
        notice = db.exec(select(SharingNotice).where(SharingNotice.id == form.notice.data).with_for_update(read=True)).one()
        client = accounts.client_key(current_app.config["SECRET_KEY"], request.remote_addr)
        result = accounts.authenticate(db, form.username.data, form.password.data, client=client, config=current_app.config)
        resident = result.user
        if result.throttled:
            db.commit()
            form.username.errors.append(_l("Too many tries. Wait 15 minutes, then try again"))
            status = 429
        elif resident is None or resident.role != Role.RESIDENT:
            db.commit()  # keep the failed attempt, for throttling
            form.username.errors.append(_l("The username or password is not right. Ask the resident to check them"))
            status = 400
        else:
            tutor_provider = providers[current_user.provider_id]
            modes = ["view"] + (["record_progress"] if form.record.data and "record_progress" in notice.access_modes else [])
            try:
                with consent.Change(db, resident.id, consent.ConsentActor.assisting(current_user, tutor_provider),
                                    current_app.config["SECRET_KEY"]) as change:
                    change.give(notice, modes, int(form.months.data))
            except consent.ConsentError as error:
                db.rollback()
                form.notice.errors.append(_l("This organisation has just changed what it asks to see. Choose it again")
                                          if error.code == "notice_changed" else
                                          _l("The resident already shares this, or is waiting to confirm it"))
                status = 400
            else:
                db.commit()
                return htmx.redirect(url_for("tutor.assisted_consent_done", code=change.receipt.code))
    elif request.method == "POST":
        status = 400
    return render_template("staff/assisted_consent.html", form=form), status


def assisted_consent_done(code: str):
    """The slip for the resident: the receipt code and what it records (no plan data)."""
    db = get_session()
    receipt = consent.find_receipt(db, code, current_app.config["SECRET_KEY"])
    recorded_by_me = receipt is not None and db.exec(
        select(ConsentEvent.id).where(ConsentEvent.receipt_code == receipt.code, ConsentEvent.actor_user_id == current_user.id)
    ).first()
    if not recorded_by_me:
        abort(404)
    return render_template("staff/assisted_consent_done.html", receipt=receipt)


# --- A resident's page for staff ------------------------------------------------------------


def resident_overview(access: Access):
    """Which areas a resident shares with my provider (and my provider's suggestions to them).
    The guard logs it as a list entry for each area shown."""
    db = get_session()
    resident = db.get(User, access.resident_id)
    suggestions = db.exec(select(Suggestion).where(Suggestion.resident_id == access.resident_id,
                                                   Suggestion.from_provider_id == access.provider.id)
                          .order_by(col(Suggestion.created_at).desc())).all()
    providers = {p.id: p for p in db.exec(select(Provider)).all()}
    return render_template("staff/resident.html", resident=resident, decisions=access.decisions, suggestions=suggestions,
                           providers=providers, prefix=_prefix())


def _prefix() -> str:
    return "tutor" if current_user.role == Role.TUTOR else "provider"


class CheckInForm(FlaskForm):
    stage = GovRadioField(_l("Where is the resident now?"), message=_l("Choose where the resident is now"),
                          choices=[SelectChoice(str(s), STAGE_NAMES[s]) for s in STAGES])
    note = StringField(_l("Anything to add? (optional)"), widget=GovTextInput(), filters=[strip],
                       validators=[Optional(), Length(max=280, message=_l("Write 280 characters or fewer")), NoControlCharacters()])


class StaffNoteForm(FlaskForm):
    text = TextAreaField(_l("Add a note"), description=_l("The resident can read every note, with your name on it."),
                         widget=GovTextArea(), filters=[strip],
                         validators=[DataRequired(_l("Write your note")), Length(max=2000, message=_l("Your note must be 2,000 characters or fewer")),
                                     NoControlCharacters()])


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
    return htmx.redirect(url_for(f"{_prefix()}.resident_area", resident_id=access.resident_id, area=area, purpose=access.purpose))


def _as_opened(access: Access) -> None:
    """A form sent back with errors shows the area again: that is a look, not a change."""
    access.action, access.fields = AccessAction.OPENED, None


def _tutor(access: Access) -> plan.Actor:
    """The change shows in the resident's timeline with the tutor's first name and provider."""
    return plan.Actor.of(current_user, access.provider)


def record_ticks(access: Access, area: str, goal_id: str):
    """A tutor ticking steps (and "finished") with a resident who allowed "record" mode."""
    db = get_session()
    goal = _goal_in_area(access, area, goal_id)
    places = {n for n in (plain_number(v, 3) for v in request.form.getlist(goal.id)) if n is not None}
    plan.save_goal_form(db, goal, places, goal.id in request.form.getlist("finished"), _tutor(access))
    return _recorded(access, area, ("goal_titles", "goal_status", "step_status"))


def record_check_in(access: Access, area: str):
    db = get_session()
    form = CheckInForm()
    if not form.validate_on_submit():
        _as_opened(access)
        return open_resident_area(access, area, check_in_form=form)
    plan.record_check_in(db, access.resident_id, {area: (int(form.stage.data), form.note.data)}, _tutor(access))
    return _recorded(access, area, ("check_in_stages",))


def record_note(access: Access, area: str, goal_id: str):
    db = get_session()
    goal = _goal_in_area(access, area, goal_id)
    form = StaffNoteForm()
    if not form.validate_on_submit():
        _as_opened(access)
        return open_resident_area(access, area, note_form=form, note_goal=goal.id)
    plan.add_note(db, goal, _tutor(access), form.text.data)
    return _recorded(access, area, ("notes",))


def make_suggestion(db, access: Access, notice: SharingNotice) -> Suggestion:
    """A suggestion from my provider (a second tap of the same button finds the first)."""
    waiting = db.exec(select(Suggestion).where(
        Suggestion.resident_id == access.resident_id, Suggestion.from_provider_id == access.provider.id,
        Suggestion.to_provider_id == notice.provider_id, Suggestion.area == notice.area,
        Suggestion.state == SuggestionState.WAITING)).first()
    if waiting is not None:
        return waiting
    suggestion = Suggestion(resident_id=access.resident_id, from_provider_id=access.provider.id, to_provider_id=notice.provider_id,
                            area=notice.area, suggested_by_id=current_user.id, suggested_by_name=current_user.first_name)
    db.add(suggestion)
    return suggestion


# --- Accounts made in person ----------------------------------------------------------------


def assisted_registration(form):
    """A tutor creates an account with a resident who has no email or little confidence, and
    prints a slip with a one-time code; the resident chooses their own password with it."""
    db = get_session()
    if form.validate_on_submit():
        username = accounts.fold_username(form.username.data)
        taken = _l("That username is already taken. Try another")
        if accounts.username_problem(username):
            form.username.errors.append(_l("Use 3 to 40 letters or numbers for the username. You can also use . - and _"))
        elif accounts.find_user_by_username(db, username) is not None:
            form.username.errors.append(_just_made_here(db, username) or taken)
        elif not ratelimit.allow(db, current_user.id, "code"):
            abort(429)
        else:
            resident = User(username=username, display_name=form.display_name.data, role=Role.RESIDENT,
                            preferred_language=form.language.data, password_hash=setup_codes.unusable_password_hash())
            try:
                accounts.add_new_account(db, resident)
            except accounts.AccountError:  # the same form, sent twice at the same moment
                form.username.errors.append(_just_made_here(db, username) or taken)
            else:
                code = setup_codes.issue(db, resident, SetupCodePurpose.REGISTER, current_user)
                db.commit()
                return render_template("staff/setup_slip.html", username=resident.username, name=resident.display_name,
                                       code=code, expires=utcnow() + setup_codes.VALID_FOR, new_account=True)
        return render_template("staff/register_resident.html", form=form), 400
    if request.method == "GET":
        form.language.data = "en"
    return render_template("staff/register_resident.html", form=form), 400 if request.method == "POST" else 200


def _just_made_here(db, username: str):
    """When this tutor made the account a moment ago (a double tap): say so, since the slip with its
    code may have been lost with the first answer."""
    resident = accounts.find_user_by_username(db, username)
    made = resident is not None and db.exec(select(SetupCode.id).where(
        SetupCode.user_id == resident.id, SetupCode.created_by_id == current_user.id, SetupCode.purpose == SetupCodePurpose.REGISTER,
        SetupCode.created_at >= utcnow() - REPEAT_WINDOW)).first() is not None
    return _l("You made this account a moment ago. If you did not get the slip, give the resident a new code") if made else None


def password_reset(form):
    """A new one-time code for a resident who forgot their password, after the tutor has checked
    who they are in person. Only for residents who share with the tutor's organisation (or whose
    account it made); for anyone else the request goes to an administrator. The answer is the
    same whether or not the username exists, so the page cannot be used to find out who has an
    account. Every code given is on the resident's record, and they are asked about it."""
    db = get_session()
    if form.validate_on_submit():
        if not ratelimit.allow(db, current_user.id, "code"):
            abort(429)
        outcome = setup_codes.reset_by_tutor(db, current_user, form.username.data)
        db.commit()
        if outcome.code is None:
            return render_template("staff/reset_requested.html", username=outcome.username)
        return render_template("staff/setup_slip.html", username=outcome.username, name=outcome.name, code=outcome.code,
                               expires=utcnow() + setup_codes.VALID_FOR, new_account=False)
    return render_template("staff/password_reset.html", form=form), 400 if request.method == "POST" else 200
