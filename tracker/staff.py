"""Pages that tutors and provider staff share: opening a resident's shared area (through the
consent decision, with the purpose chosen and the look logged before anything is shown), and a
tutor recording a consent with the resident beside them."""

from __future__ import annotations

from flask import abort, current_app, g, render_template, request, url_for
from flask_babel import get_locale, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput
from sqlmodel import select
from wtforms import BooleanField, PasswordField, SelectChoice, StringField
from wtforms.validators import InputRequired, Length

from . import accounts, consent, htmx
from .db import get_session
from .forms import GovPasswordInput, GovRadioField, GovTextInput, strip
from .models import AccessAction, AccessMode, Area, ConsentEvent, Provider, Role, SharingNotice, User
from .shared_data import shared_area
from .wording import AREA_NAMES


def open_resident_area(resident_id: str, area: str):
    """A resident's shared area. Without a valid grant: the same 404 as a resident who does not
    exist. Without a purpose from the notice: ask for one first (nothing about the resident shown)."""
    db = get_session()
    if area not in set(Area):
        abort(404)
    try:
        decision = consent.require(db, current_user, resident_id, area, AccessMode.VIEW)
    except consent.NotShared:
        abort(404)
    purpose = request.args.get("purpose")
    if purpose not in decision.purposes:
        return render_template("staff/choose_purpose.html", decision=decision, area=area,
                               error=purpose is not None), 400 if purpose is not None else 200
    provider = db.get(Provider, current_user.provider_id)
    resident = db.get(User, resident_id)
    data = shared_area(db, resident_id, area, decision.fields, str(get_locale() or "en"))
    consent.record_access(db, current_user, provider, [decision], AccessAction.OPENED, purpose, g.request_id)
    db.commit()  # the look is on record before anything is shown
    return render_template("staff/resident_area.html", resident=resident, data=data, decision=decision,
                           purpose=next(p for p in decision.notice.purposes if p["code"] == purpose))


class AssistedConsentForm(FlaskForm):
    username = StringField(_l("The resident's username"), widget=GovTextInput(), filters=[strip],
                           validators=[InputRequired(_l("Enter the resident's username")), Length(max=40)])
    password = PasswordField(_l("The resident types their password"),
                             description=_l("Turn the screen to the resident. You do not need to see it."),
                             widget=GovPasswordInput(), validators=[InputRequired(_l("The resident needs to type their password")), Length(max=200)])
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
            notice = db.get(SharingNotice, form.notice.data)
            tutor_provider = providers[current_user.provider_id]
            modes = ["view"] + (["record_progress"] if form.record.data and "record_progress" in notice.access_modes else [])
            try:
                with consent.Change(db, resident.id, consent.ConsentActor.assisting(current_user, tutor_provider),
                                    current_app.config["SECRET_KEY"]) as change:
                    change.give(notice, modes, int(form.months.data))
            except consent.ConsentError:
                db.rollback()
                form.notice.errors.append(_l("The resident already shares this, or is waiting to confirm it"))
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
