"""Provider staff: a dashboard of the residents who share with the provider, figures for reports
to funders (small numbers suppressed), and a CSV export of the consented fields."""

from __future__ import annotations

from flask import Response, abort, current_app, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tracker.clock import utcnow
from tracker.domain import throttle
from tracker.domain.consent import caseload
from tracker.models import AccessAction, Provider
from tracker.provider import bp
from tracker.web.forms import SearchForm
from tracker.web.lists import search_residents
from tracker.web.session import get_session, streamed
from tracker.web.templating import name_in
from tracker.web.wording import STAGE_NAMES

FILTER_ERRORS = {
    "area": _l("Choose a part of the plan from the list"),
    "stage": _l("Choose a stage from the list"),
    "sort": _l("Choose how to sort from the list"),
}


def _provider() -> Provider:
    return get_session().get(Provider, current_user.provider_id)


@bp.get("/")
def home():
    """The dashboard. Filters outside the offered values are refused with a clear message; a page
    past the end is simply empty."""
    db = get_session()
    filters, errors = caseload.parse_filters(request.args)
    if errors:
        return render_template("provider/home.html", provider=_provider(), page=None, filters=filters, form=SearchForm(),
                               errors=[(key, FILTER_ERRORS[key]) for key in errors]), 400
    if not throttle.allow(db, current_user.id, "list", current_app.config):
        abort(429)
    page = caseload.resident_page(db, current_user, filters)
    caseload.log_listed(db, current_user, page, AccessAction.LISTED, g.request_id)
    db.commit()  # every resident listed is on record before the page is shown
    return render_template("provider/home.html", provider=_provider(), page=page, filters=filters, errors=[], form=SearchForm())


@bp.post("/search")
def search():
    """Find a resident who shares with us by name (a POST, like the tutor's caseload search)."""
    form = SearchForm()
    filters, _errors = caseload.parse_filters({})
    page = search_residents(form)
    context = {"provider": _provider(), "page": page, "filters": filters, "form": form, "errors": []}
    if page is None:
        return render_template("provider/home.html", **context), 400
    return render_template("provider/home.html", **context, searched=form.name.data)


@bp.get("/figures")
def figures():
    """Counts only (no one is shown), over consented residents: nothing to log per resident."""
    db = get_session()
    return render_template("provider/figures.html", provider=_provider(), figures=caseload.figures(db, current_user))


@bp.get("/export.csv")
def export_csv():
    """The consented fields of every resident the filters select, streamed. Everyone included is
    logged as exported before the first byte is sent."""
    db = get_session()
    filters, errors = caseload.parse_filters(request.args)
    if errors:
        abort(400)
    if not throttle.allow(db, current_user.id, "export", current_app.config):
        abort(429)
    residents = caseload.log_exported(db, current_user, filters, g.request_id)
    db.commit()  # everyone in the file is on record before the first byte is sent
    filename = f"residents-{utcnow().date().isoformat()}.csv"
    chunks = caseload.export_chunks(db, current_user, residents, filters, stage_name=lambda stage: name_in(STAGE_NAMES, stage))
    return Response(streamed(chunks),
                    mimetype="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{filename}"'})

