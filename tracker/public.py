"""Pages for everyone: the start page, the language switcher, the directory of local services
("Find help"), the pages every GOV.UK service has (privacy, accessibility, cookies, help) and the
health check."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import text
from sqlmodel import col, select
from wtforms import StringField
from wtforms.validators import Length, Optional, ValidationError

from tracker.domain import consent, directory, referrals
from tracker.models import Provider, Role
from tracker.web import htmx
from tracker.web.forms import GovTextInput, NoControlCharacters, strip
from tracker.web.i18n import request_language
from tracker.web.roles import home_url
from tracker.web.security import safe_next
from tracker.web.session import get_session
from tracker.web.wording import PROVIDER_KIND_NAMES

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return htmx.redirect(home_url(current_user))
    return render_template("public/start.html")


@bp.get("/language/<lang:code>")
def choose_language(code: str):
    """The header's language links. A signed-in person's choice is remembered as their preference."""
    if code in current_app.config["LANGUAGES"]:
        session["language"] = code
        if current_user.is_authenticated and current_user.preferred_language != code:
            db = get_session()
            current_user.preferred_language = code
            db.add(current_user._get_current_object())
            db.commit()
    return htmx.redirect(safe_next(request.args.get("next")) or "/")


@bp.get("/receipt/<receipt:code>")
def check_receipt(code: str):
    """Anyone holding a receipt can check it is genuine: what it records and where things stand
    now, without the resident's name or plan. A made-up or mistyped code is "not found"."""
    db = get_session()
    receipt = consent.find_receipt(db, code, current_app.config["SECRET_KEY"])
    if receipt is None:
        abort(404)
    states = consent.grant_states(db, {change["grant_id"] for change in receipt.content["changes"]})
    return render_template("public/receipt_check.html", receipt=receipt, states=states)


@bp.get("/account-deleted")
def account_deleted():
    return render_template("public/account_deleted.html")


@bp.get("/privacy")
def privacy():
    return render_template("public/privacy.html")


@bp.get("/accessibility")
def accessibility():
    return render_template("public/accessibility.html")


@bp.get("/cookies")
def cookies():
    """Only the session cookie: its name and the idle time-outs are read from the settings, so the
    page cannot drift from what the service does."""
    config = current_app.config
    return render_template("public/cookies.html", cookie_name=config["SESSION_COOKIE_NAME"],
                           resident_idle_minutes=config["RESIDENT_IDLE_MINUTES"],
                           staff_idle_minutes=config["STAFF_IDLE_MINUTES"])


@bp.get("/help")
def help_page():
    """Help and contact: the active organisations, as their records describe them (the records
    have no contact details: residents ask their tutor)."""
    providers = get_session().exec(select(Provider).where(col(Provider.active).is_(True)).order_by(Provider.name)).all()
    return render_template("public/help.html", providers=providers, kind_names=PROVIDER_KIND_NAMES)


class FindHelpForm(FlaskForm):
    """The directory's search: in the address (a GET, so a result can be bookmarked or shared), and
    with no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("What do you need help with?"), description=_l("For example: computers, bank account, CV, English"),
                    widget=GovTextInput(), filters=[strip],
                    validators=[Optional(), Length(max=100, message=_l("What you need help with must be 100 characters or fewer")),
                                NoControlCharacters()])
    # One of the needs list's codes (the links under the search send it); anything else is a 400.
    need = StringField(filters=[strip], validators=[Optional(), Length(max=80)])

    def validate_need(self, field):
        if field.data and not directory.is_need(field.data):
            raise ValidationError(_l("Choose what you need help with from the list"))


@bp.get("/find-help")
def find_help():
    """The directory of local services, for anyone, signed in or not: all of them, or those
    matching what was typed. Nothing about the search is kept or shown to any organisation."""
    form = FindHelpForm(request.args)
    language = request_language()
    if not form.validate():
        return render_template("public/find_help.html", form=form, text="", need=None, needs=[], services=[], total=0), 400
    text = form.q.data or None
    need = directory.need_names([form.need.data], language)[0] if form.need.data else None
    services, total = directory.find_services(get_session(), text, language, need=need.code if need else None)
    # The list of needs to browse is shown only on the page before any search or choice.
    needs = directory.needs_to_browse(get_session(), language) if text is None and need is None else []
    return render_template("public/find_help.html", form=form, text=text, need=need, needs=needs, services=services, total=total)


@bp.get("/find-help/<uid:service_id>")
def service_page(service_id: str):
    service = directory.service_for_residents(get_session(), service_id, request_language())
    if service is None:
        abort(404)
    return render_template("public/service.html", service=service, language_name=directory.language_name,
                           can_ask=_referable(service_id),
                           saved=current_user.is_authenticated and current_user.role == Role.RESIDENT
                           and directory.is_saved(get_session(), current_user.id, service_id))


def _referable(service_id: str) -> bool:
    """Whether a resident can ask this service for help through the service (a member of the
    partnership taking referrals); the same for everyone, signed in or not."""
    try:
        referrals.destination(get_session(), service_id, None)
    except referrals.ReferralError:
        return False
    return True


@bp.get("/healthz")
def healthz():
    """Healthy only if the database takes a write: a row is written and rolled back, so a read-only
    or locked database answers 503 as well as a lost one (a read alone passed while every write
    failed)."""
    problem = "unreachable"
    try:
        with current_app.extensions["tracker_engine"].connect() as connection:
            connection.execute(text("SELECT 1"))
            problem = "not_writable"
            connection.execute(text("INSERT INTO site_setting (key, value) VALUES ('healthz-probe', '')"))
            connection.rollback()
    except Exception as error:  # any failure to reach or write to the database means "not healthy"
        current_app.logger.warning("health check: database %s: %s", problem, str(error).splitlines()[0] if str(error) else error)
        return jsonify(status="error", database=problem), 503
    return jsonify(status="ok", database="ok")
