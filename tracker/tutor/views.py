from flask import render_template
from flask_login import current_user

from .. import staff
from ..db import get_session
from ..models import Provider
from . import bp


@bp.get("/")
def home():
    provider = get_session().get(Provider, current_user.provider_id) if current_user.provider_id else None
    return render_template("tutor/home.html", provider=provider)


@bp.get("/residents/<resident_id>/<area>")
def resident_area(resident_id, area):
    return staff.open_resident_area(resident_id, area)


@bp.route("/assisted-consent", methods=["GET", "POST"])
def assisted_consent():
    return staff.assisted_consent()


@bp.get("/assisted-consent/<code>")
def assisted_consent_done(code):
    return staff.assisted_consent_done(code)
