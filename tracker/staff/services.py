"""Our services: tutors and provider staff keep their own organisation's services in the directory
up to date (the pages are shared with the admins': tracker.web.service_editing). Another
organisation's service, or one imported from another directory, is "not found" here."""

from __future__ import annotations

from tracker.staff import bp
from tracker.web import service_editing

PAGES = service_editing.Pages(list="staff.services", new="staff.new_service", edit="staff.edit_service",
                              checked="staff.service_checked")


@bp.get("/services")
def services():
    return service_editing.list_page(PAGES)


@bp.route("/services/new", methods=["GET", "POST"])
def new_service():
    return service_editing.new_page(PAGES)


@bp.route("/services/<uid:service_id>", methods=["GET", "POST"])
def edit_service(service_id):
    return service_editing.edit_page(PAGES, service_id)


@bp.post("/services/<uid:service_id>/checked")
def service_checked(service_id):
    return service_editing.confirm(PAGES, service_id)
