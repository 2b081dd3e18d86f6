"""Tutors: the caseload of residents who share with the tutor's provider, their shared areas
(where allowed, recording progress with the resident), assisted registration and new codes,
recording a consent in person, and suggesting another service."""

from __future__ import annotations

from flask import abort, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from tracker import ratelimit, staff
from tracker.domain import caseload, consent
from tracker.models import AccessAction, AccessMode, Provider
from tracker.tutor import bp
from tracker.tutor.forms import AssistedRegistrationForm, PasswordResetForm, SearchForm, SuggestionForm
from tracker.web import htmx
from tracker.web.guard import FORM, LIST, consent_required
from tracker.web.session import get_session


def _provider() -> Provider:
    return get_session().get(Provider, current_user.provider_id)


@bp.get("/")
def home():
    """My residents: those with an active grant to my provider (and nobody else)."""
    db = get_session()
    filters, _errors = caseload.parse_filters({"page": request.args.get("page", "1")})
    if not ratelimit.allow(db, current_user.id, "list"):
        abort(429)
    page = caseload.resident_page(db, current_user, filters)
    caseload.log_listed(db, current_user, page, AccessAction.LISTED, g.request_id)
    db.commit()  # the list is on record before it is shown
    return render_template("tutor/home.html", provider=_provider(), page=page, filters=filters, form=SearchForm())


@bp.post("/search")
def search():
    """Find a resident by name. A POST, so names never sit in addresses or server logs."""
    db = get_session()
    form = SearchForm()
    filters, _errors = caseload.parse_filters({})
    if not form.validate_on_submit():
        return render_template("tutor/home.html", provider=_provider(), page=None, filters=filters, form=form), 400
    if not ratelimit.allow(db, current_user.id, "list"):
        abort(429)
    page = caseload.resident_page(db, current_user, filters, name=form.name.data, per_page=50)
    caseload.log_listed(db, current_user, page, AccessAction.SEARCHED, g.request_id)
    db.commit()
    return render_template("tutor/home.html", provider=_provider(), page=page, filters=filters, form=form, searched=form.name.data)


@bp.get("/residents/<uid:resident_id>")
@consent_required(AccessAction.LISTED, purpose=LIST)
def resident(access):
    return staff.resident_overview(access)


@bp.get("/residents/<uid:resident_id>/<area:area>")
@consent_required(AccessAction.OPENED)
def resident_area(access, area):
    return staff.open_resident_area(access, area)


@bp.post("/residents/<uid:resident_id>/<area:area>/goals/<short_id:goal_id>")
@consent_required(AccessAction.RECORDED, mode=AccessMode.RECORD, purpose=FORM)
def record_ticks(access, area, goal_id):
    return staff.record_ticks(access, area, goal_id)


@bp.post("/residents/<uid:resident_id>/<area:area>/goals/<short_id:goal_id>/notes")
@consent_required(AccessAction.RECORDED, mode=AccessMode.RECORD, purpose=FORM)
def record_note(access, area, goal_id):
    return staff.record_note(access, area, goal_id)


@bp.post("/residents/<uid:resident_id>/<area:area>/check-in")
@consent_required(AccessAction.RECORDED, mode=AccessMode.RECORD, purpose=FORM)
def record_check_in(access, area):
    return staff.record_check_in(access, area)


@bp.route("/residents/<uid:resident_id>/suggest", methods=["GET", "POST"])
@consent_required(AccessAction.LISTED, purpose=LIST)
def suggest(access):
    """Suggest that another provider could help with an area. Only for a resident who shares
    something with my provider; the resident decides."""
    db = get_session()
    form = SuggestionForm()
    notices = [n for n in consent.current_notices(db) if n.provider_id != access.provider.id]
    providers = {p.id: p for p in db.exec(select(Provider)).all()}
    form.set_choices(notices, providers)
    if form.validate_on_submit():
        notice = next(n for n in notices if n.id == form.notice.data)
        staff.make_suggestion(db, access, notice)
        access.flash_after_commit(_("Your suggestion is saved. The resident will see it on their home page."))
        return htmx.redirect(url_for("tutor.resident", resident_id=access.resident_id))
    return render_template("staff/suggest.html", form=form, resident_id=access.resident_id), 400 if request.method == "POST" else 200


@bp.route("/residents/new", methods=["GET", "POST"])
def register_resident():
    return staff.assisted_registration(AssistedRegistrationForm())


@bp.route("/password-reset", methods=["GET", "POST"])
def password_reset():
    return staff.password_reset(PasswordResetForm())


@bp.route("/assisted-consent", methods=["GET", "POST"])
def assisted_consent():
    return staff.assisted_consent()


@bp.get("/assisted-consent/<receipt:code>")
def assisted_consent_done(code):
    return staff.assisted_consent_done(code)



