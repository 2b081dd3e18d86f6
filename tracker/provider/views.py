"""Provider staff: a dashboard of the residents who share with the provider, figures for reports
to funders (small numbers suppressed), and a CSV export of the consented fields."""

from __future__ import annotations

from flask import Response, abort, g, render_template, request, stream_with_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import consent, ratelimit, staff, staff_lists
from ..clock import utcnow
from ..db import get_session
from ..models import AccessAction, Provider
from . import bp

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
    filters, errors = staff_lists.parse_filters(request.args)
    if errors:
        return render_template("provider/home.html", provider=_provider(), page=None, filters=filters,
                               errors=[(key, FILTER_ERRORS[key]) for key in errors]), 400
    if not ratelimit.allow(db, current_user.id, "list"):
        abort(429)
    page = staff_lists.resident_page(db, current_user.provider_id, filters)
    staff_lists.log_listed(db, current_user, _provider(), page.rows, AccessAction.LISTED, g.request_id)
    db.commit()  # every resident listed is on record before the page is shown
    return render_template("provider/home.html", provider=_provider(), page=page, filters=filters, errors=[])


@bp.get("/figures")
def figures():
    """Counts only (no one is shown), over consented residents: nothing to log per resident."""
    db = get_session()
    return render_template("provider/figures.html", provider=_provider(), figures=staff_lists.figures(db, current_user.provider_id))


@bp.get("/export.csv")
def export_csv():
    """The consented fields of every resident the filters select, streamed. Everyone included is
    logged as exported before the first byte is sent."""
    db = get_session()
    filters, errors = staff_lists.parse_filters(request.args)
    if errors:
        abort(400)
    if not ratelimit.allow(db, current_user.id, "export"):
        abort(429)
    residents = staff_lists.export_ids(db, current_user.provider_id, filters)
    for start in range(0, len(residents), staff_lists.EXPORT_CHUNK):  # a chunk at a time: memory stays flat
        ids = [rid for rid, _name in residents[start:start + staff_lists.EXPORT_CHUNK]]
        decisions = consent.decisions_for(db, current_user, ids, area=filters.area)
        consent.record_access(db, current_user, _provider(), decisions, AccessAction.EXPORTED, consent.LIST_PURPOSE, g.request_id)
        db.expunge_all()
    db.commit()
    provider_id = current_user.provider_id
    filename = f"residents-{utcnow().date().isoformat()}.csv"
    return Response(stream_with_context(staff_lists.export_chunks(db, provider_id, residents, filters)),
                    mimetype="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/residents/<resident_id>")
def resident(resident_id):
    return staff.resident_overview(resident_id)


@bp.get("/residents/<resident_id>/<area>")
def resident_area(resident_id, area):
    return staff.open_resident_area(resident_id, area)
