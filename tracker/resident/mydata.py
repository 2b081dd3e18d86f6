"""My data: see, download, correct and delete everything held about me."""

from __future__ import annotations

import json

from flask import Response, abort, flash, g, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput
from wtforms import BooleanField, EmailField, SelectChoice, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from tracker.clock import utcnow
from tracker.domain import about_me, data_rights, setup_codes
from tracker.resident import bp
from tracker.web import htmx
from tracker.web.about_me_pages import answer_lines
from tracker.web.forms import ButtonForm, GovRadioField, GovTextInput, NoControlCharacters, page_status, strip
from tracker.web.i18n import request_language
from tracker.web.session import get_session


class DetailsForm(FlaskForm):
    display_name = StringField(_l("Your name"), widget=GovTextInput(), filters=[strip],
                               validators=[DataRequired(_l("Enter your name")), Length(max=80, message=_l("Your name must be 80 characters or fewer")), NoControlCharacters()])
    email = EmailField(_l("Email address (optional)"), widget=GovTextInput(), filters=[strip],
                       validators=[Optional(), Length(max=254, message=_l("Your email address must be 254 characters or fewer")),
                                   Email(message=_l("Enter an email address in the correct format, like name@example.com"), check_deliverability=False)])
    language = GovRadioField(_l("Which language do you prefer?"), message=_l("Choose a language"),
                             choices=[SelectChoice("en", "English", render_kw={"lang": "en"}), SelectChoice("pl", "Polski", render_kw={"lang": "pl"})])


class DeleteForm(FlaskForm):
    understood = BooleanField(_l("I understand that my plan, my history and everything else about me will be deleted, and cannot be brought back"),
                              widget=GovCheckboxInput(), validators=[DataRequired(_l("Tick the box to show you understand"))])


@bp.get("/data")
def my_data():
    from sqlmodel import col, select

    from tracker.models import AccountEvent

    events = get_session().exec(select(AccountEvent).where(AccountEvent.resident_id == current_user.id)
                                .order_by(col(AccountEvent.occurred_at).desc())).all()
    return render_template("resident/my_data.html", account_events=events)


@bp.post("/account/changes/<row_id:event_id>/<any(was_me, not_me):answer>")
def answer_account_change(event_id, answer):
    """"That was me" / "This wasn't me" about a change staff made to the account. "This wasn't me"
    stops any unused set-up code at once and tells the administrators."""
    db = get_session()
    if not ButtonForm().validate_on_submit():
        abort(400)
    if setup_codes.answer_change(db, current_user._get_current_object(), event_id, answer, this_browser=g.sign_in_token) is None:
        abort(404)
    db.commit()
    if answer == "not_me":
        flash(_("Thank you for telling us. The set-up code no longer works, and every other browser signed in as you is "
                "signed out. The people who run Me and My Learning will look into it. If you did not choose your password, "
                "change it now."), "success")
    else:
        flash(_("Thank you."), "success")
    return htmx.redirect(url_for("resident.home"))


@bp.get("/export.json")
def export_json():
    data = data_rights.export(get_session(), current_user)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    filename = f"me-and-my-learning-{utcnow().date().isoformat()}.json"
    return Response(body, mimetype="application/json", headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/export")
def export_page():
    db = get_session()
    changes = setup_codes.changes_by_staff(db, current_user.id)
    answers, support = about_me.answers(db, current_user.id), about_me.support_from_referrals(db, current_user.id)
    about = [(spec, answer_lines(spec, answers.get(code), support)) for code, spec in about_me.fields().items()]
    return render_template("resident/export.html", data=data_rights.export(db, current_user),
                           account_events=data_rights.account_events(db, current_user.id),
                           answers={e.id: answer for e, answer in changes if answer}, about=[(s, lines) for s, lines in about if lines])


@bp.route("/details", methods=["GET", "POST"])
def details():
    form = DetailsForm()
    if request.method == "GET":
        form.display_name.data, form.email.data = current_user.display_name, current_user.email
        form.language.data = current_user.preferred_language or request_language()
    if form.validate_on_submit():
        db = get_session()
        user = current_user._get_current_object()
        user.display_name, user.email, user.preferred_language = form.display_name.data, form.email.data or None, form.language.data
        db.add(user)
        db.commit()
        flash(_("Your details are saved."), "success")
        return htmx.redirect(url_for("resident.my_data"))
    return render_template("resident/details.html", form=form), page_status()


@bp.route("/delete", methods=["GET", "POST"])
def delete_account():
    form = DeleteForm()
    if form.validate_on_submit():
        db = get_session()
        data_rights.erase(db, current_user._get_current_object(), initiated_by="resident")
        db.commit()
        logout_user()
        session.clear()
        return htmx.redirect(url_for("public.account_deleted"))
    if request.method == "POST" and not form.errors:
        abort(400)
    return render_template("resident/delete.html", form=form), page_status()
