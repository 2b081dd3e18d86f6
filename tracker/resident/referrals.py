"""The resident's referrals: what a tutor (or they themselves) asked a service for, exactly what
the service would see, and their answer; then where it is, and "I got help" or "I didn't hear
anything". Nothing is sent until they agree."""

from __future__ import annotations

from flask import abort, current_app, flash, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tracker.domain import consent, directory, referrals
from tracker.domain.shared_data import shared_area
from tracker.models import Provider
from tracker.resident import bp
from tracker.web import htmx
from tracker.web.forms import ButtonForm, page_status
from tracker.web.i18n import request_language
from tracker.web.referral_forms import AgreeForm, OwnReferralForm
from tracker.web.session import get_session


def _actor() -> consent.ConsentActor:
    return consent.ConsentActor.resident(current_user, channel="web_js" if htmx.is_htmx_request() else "web_nojs")


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _view_or_404(referral_id: str) -> referrals.ReferralView:
    view = referrals.one_for_resident(get_session(), current_user.id, referral_id)
    if view is None:
        abort(404)
    return view


def _back(referral_id: str):
    return htmx.redirect(url_for("resident.referral", referral_id=referral_id))


@bp.get("/referrals")
def referral_list():
    db = get_session()
    if referrals.expire_overdue(db, resident_id=current_user.id):
        db.commit()
    return render_template("resident/referrals.html", views=referrals.for_resident(db, current_user.id))


@bp.get("/referrals/<short_id:referral_id>")
def referral(referral_id, form=None):
    """One referral: waiting for an answer, what the service would see for each part it needs and
    the choice; otherwise where it is, its history, and what the resident can do now."""
    db = get_session()
    if referrals.expire_overdue(db, resident_id=current_user.id):
        db.commit()
    view = _view_or_404(referral_id)
    previews = []
    if view.referral.state == "waiting":
        for area in view.referral.areas:
            notice = consent.current_notice(db, view.referral.to_provider_id, area)
            previews.append((area, notice, shared_area(db, current_user.id, area, tuple(notice.fields_shown), request_language()) if notice else None))
        if form is None:
            form = AgreeForm()
            form.set_areas([a for a, notice, _p in previews if notice])
            form.areas.data = [a for a, notice, _p in previews if notice]
    return render_template("resident/referral.html", view=view, previews=previews, form=form, button=ButtonForm(),
                           provider=db.get(Provider, view.referral.to_provider_id)), 400 if form is not None and form.errors else 200


@bp.post("/referrals/<short_id:referral_id>/agree")
def agree_to_referral(referral_id):
    db = get_session()
    view = _view_or_404(referral_id)
    form = AgreeForm()
    form.set_areas([a for a in view.referral.areas if consent.current_notice(db, view.referral.to_provider_id, a)])
    if not form.validate_on_submit():
        return referral(referral_id, form=form)
    try:
        referrals.agree(db, current_user.id, referral_id, form.areas.data, form.outcome_shared.data, _actor(), _secret())
    except (consent.NotShared, consent.ConsentError):  # the organisation changed what it asks while they read
        db.rollback()
        flash(_("%(provider)s has just changed what it asks to see. Read it again before you agree.", provider=view.to_provider), "info")
        return _back(referral_id)
    except referrals.ReferralError:
        db.rollback()
        flash(_("This referral has changed since you opened it. Here it is as it is now."), "info")
        return _back(referral_id)
    db.commit()
    flash(_("Your referral is sent to %(provider)s. They should reply within 14 days.", provider=view.to_provider), "success")
    return _back(referral_id)


RESIDENT_MOVES = {"no": _l("You said no. Nothing was sent."),
                  "withdraw": _l("You took the referral back. They cannot see it any more."),
                  "got_help": _l("Thank you. The referral is closed."),
                  "not_heard": _l("Thank you. We have told them you have not heard anything.")}


@bp.post("/referrals/<short_id:referral_id>/<any(no, withdraw, got_help, not_heard):move>")
def answer_referral(referral_id, move):
    db = get_session()
    _view_or_404(referral_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        if move == "no":
            referrals.say_no(db, current_user.id, referral_id, _actor())
        elif move == "withdraw":
            referrals.withdraw(db, current_user.id, referral_id, _actor(), _secret())
        else:
            referrals.resident_says(db, current_user.id, referral_id, move, _actor())
    except referrals.ReferralError:
        db.rollback()
        flash(_("This referral has changed since you opened it. Here it is as it is now."), "info")
        return _back(referral_id)
    db.commit()
    flash(str(RESIDENT_MOVES[move]), "success")
    return htmx.redirect(url_for("resident.home") if move == "no" else url_for("resident.referral", referral_id=referral_id))


@bp.post("/referrals/<short_id:referral_id>/outcome/<any(show, hide):choice>")
def share_referral_outcome(referral_id, choice):
    """"Let them see how this went" (the referrer), or not any more."""
    db = get_session()
    _view_or_404(referral_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if referrals.share_outcome(db, current_user.id, referral_id, choice == "show", _actor()) is None:
        abort(404)
    db.commit()
    return _back(referral_id)


@bp.route("/referrals/new/<uid:service_id>", methods=["GET", "POST"])
def ask_service(service_id):
    """A resident asking a service in the directory to contact them: a referral of their own,
    which they then agree to on its page, after seeing what the service would see."""
    db = get_session()
    try:
        found = referrals.destination(db, service_id, None)
    except referrals.ReferralError:
        abort(404)
    form = OwnReferralForm()
    form.set_areas(found.areas)
    if form.validate_on_submit():
        try:
            made = referrals.refer(db, current_user.id, service_id, form.areas.data, form.reason.data, None, current_user, _actor())
        except referrals.ReferralError:  # it stopped taking referrals while they wrote
            abort(404)
        db.commit()
        return htmx.redirect(url_for("resident.referral", referral_id=made.id))
    return render_template("resident/ask_service.html", form=form, found=found), page_status()


# --- Services saved to the plan ------------------------------------------------------------------


@bp.post("/saved-services/<uid:service_id>")
def save_service(service_id):
    """Save a service from the directory to the plan (nobody else sees it)."""
    db = get_session()
    if not ButtonForm().validate_on_submit():
        abort(400)
    if not directory.save_service(db, current_user.id, service_id):
        abort(404)
    db.commit()
    flash(_("Saved to your plan. You will find it at the end of “My plan”."), "success")
    return htmx.redirect(url_for("public.service_page", service_id=service_id))


@bp.post("/saved-services/<uid:service_id>/remove")
def forget_service(service_id):
    db = get_session()
    if not ButtonForm().validate_on_submit():
        abort(400)
    directory.forget_service(db, current_user.id, service_id)
    db.commit()
    flash(_("Removed from your plan."), "success")
    return htmx.redirect(url_for("resident.plan_page") + "#saved-services")
