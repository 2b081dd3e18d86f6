from flask import render_template
from flask_login import current_user
from sqlmodel import col, select

from ..db import get_session
from ..models import AccessFlag, AccessLogEntry, Provider
from . import bp


@bp.get("/")
def home():
    db = get_session()
    provider = db.get(Provider, current_user.provider_id) if current_user.provider_id else None
    # "This doesn't look right" from residents: the look in question, never the resident's plan.
    flags = db.exec(
        select(AccessFlag, AccessLogEntry).join(AccessLogEntry, AccessLogEntry.id == AccessFlag.entry_id)
        .order_by(col(AccessFlag.flagged_at).desc()).limit(50)
    ).all()
    return render_template("admin/home.html", provider=provider, flags=flags)
