"""Tutors: the caseload of residents who share with the tutor's provider, their shared areas
(where allowed, recording progress with the resident), assisted registration and new codes,
recording a consent in person, and suggesting another service."""

from __future__ import annotations

from flask import abort, flash, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from .. import consent, htmx, ratelimit, staff, staff_lists
from ..db import get_session
from ..models import AccessAction, Provider
from . import bp
from .forms import AssistedRegistrationForm, PasswordResetForm, SearchForm, SuggestionForm


def _provider() -> Provider:
    return get_session().get(Provider, current_user.provider_id)


@bp.get("/")
def home():
    """My residents: those with an active grant to my provider (and nobody else)."""
    db = get_session()
    filters, _errors = staff_lists.parse_filters({"page": request.args.get("page", "1")})
    if not ratelimit.allow(db, current_user.id, "list"):
        abort(429)
    page = staff_lists.resident_page(db, current_user.provider_id, filters)
    staff_lists.log_listed(db, current_user, _provider(), page.rows, AccessAction.LISTED, g.request_id)
    db.commit()  # the list is on record before it is shown
    return render_template("tutor/home.html", provider=_provider(), page=page, filters=filters, form=SearchForm())


@bp.post("/search")
def search():
    """Find a resident by name. A POST, so names never sit in addresses or server logs."""
    db = get_session()
    form = SearchForm()
    if not form.validate_on_submit():
        filters, _errors = staff_lists.parse_filters({})
        return render_template("tutor/home.html", provider=_provider(), page=None, filters=filters, form=form), 400
    if not ratelimit.allow(db, current_user.id, "list"):
        abort(429)
    filters, _errors = staff_lists.parse_filters({})
    page = staff_lists.resident_page(db, current_user.provider_id, filters, name=form.name.data, per_page=50)
    staff_lists.log_listed(db, current_user, _provider(), page.rows, AccessAction.SEARCHED, g.request_id)
    db.commit()
    return render_template("tutor/home.html", provider=_provider(), page=page, filters=filters, form=form, searched=form.name.data)


@bp.get("/residents/<resident_id>")
def resident(resident_id):
    return staff.resident_overview(resident_id)


@bp.get("/residents/<resident_id>/<area>")
def resident_area(resident_id, area):
    return staff.open_resident_area(resident_id, area)


@bp.post("/residents/<resident_id>/<area>/goals/<goal_id>")
def record_ticks(resident_id, area, goal_id):
    return staff.record_progress(resident_id, area, goal_id=goal_id, what="ticks")


@bp.post("/residents/<resident_id>/<area>/goals/<goal_id>/notes")
def record_note(resident_id, area, goal_id):
    return staff.record_progress(resident_id, area, goal_id=goal_id, what="note")


@bp.post("/residents/<resident_id>/<area>/check-in")
def record_check_in(resident_id, area):
    return staff.record_progress(resident_id, area, what="check_in")


@bp.route("/residents/<resident_id>/suggest", methods=["GET", "POST"])
def suggest(resident_id):
    """Suggest that another provider could help with an area. Only for a resident who shares
    something with my provider; the resident decides."""
    db = get_session()
    if not consent.shared_areas(db, current_user, resident_id):
        abort(404)
    form = SuggestionForm()
    notices = [n for n in consent.current_notices(db) if n.provider_id != current_user.provider_id]
    providers = {p.id: p for p in db.exec(select(Provider)).all()}
    form.set_choices(notices, providers)
    if form.validate_on_submit():
        notice = next(n for n in notices if n.id == form.notice.data)
        staff.make_suggestion(db, resident_id, notice)
        db.commit()
        flash(_("Your suggestion is saved. The resident will see it on their home page."), "success")
        return htmx.redirect(url_for("tutor.resident", resident_id=resident_id))
    return render_template("staff/suggest.html", form=form, resident_id=resident_id), 400 if request.method == "POST" else 200


@bp.route("/residents/new", methods=["GET", "POST"])
def register_resident():
    return staff.assisted_registration(AssistedRegistrationForm())


@bp.route("/password-reset", methods=["GET", "POST"])
def password_reset():
    return staff.password_reset(PasswordResetForm())


@bp.route("/assisted-consent", methods=["GET", "POST"])
def assisted_consent():
    return staff.assisted_consent()


@bp.get("/assisted-consent/<code>")
def assisted_consent_done(code):
    return staff.assisted_consent_done(code)



