"""What the tutor's and provider staff's name searches share: the form checked, the per-person
limit counted, the residents found and logged as found, committed before anything is shown."""

from __future__ import annotations

from flask import abort, current_app, g
from flask_login import current_user

from tracker.domain import throttle
from tracker.domain.consent import caseload
from tracker.web.session import get_session


def search_residents(form) -> caseload.ResidentPage | None:
    """The page of residents found, or None when the form has errors (shown by the caller, as a 400)."""
    if not form.validate_on_submit():
        return None
    db = get_session()
    if not throttle.allow(db, current_user.id, "list", current_app.config):
        abort(429)
    page = caseload.search(db, current_user, form.name.data, g.request_id)
    db.commit()
    return page
