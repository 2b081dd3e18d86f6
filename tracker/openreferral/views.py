"""Thin views over ``tracker.domain.directory``: a query string checked, the answer as JSON. Errors
are JSON too (a feed's readers are programs), and each client address is rate-limited."""

from __future__ import annotations

from flask import current_app, g, jsonify, request

from tracker.domain import accounts, directory, throttle
from tracker.openreferral import bp
from tracker.web.errors import json_error
from tracker.web.session import get_session


@bp.before_request
def _rate_limited():
    g.public_data = True  # the feed holds nothing personal: its answers may be cached (_cacheable)
    db = get_session()
    allowed = throttle.allow(db, accounts.client_key(current_app.config["SECRET_KEY"], request.remote_addr), "openreferral",
                             current_app.config)
    db.commit()
    if not allowed:
        return json_error(429, "Too many requests: try again in a few minutes")
    return None


@bp.after_request
def _cacheable(response):
    # Public data, the same for everyone: any cache may keep it a few minutes; other sites may read it.
    if response.status_code == 200:
        response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.errorhandler(directory.BadQuery)
def _bad_query(error):
    return json_error(400, str(error))


@bp.get("/")
def feed():
    return jsonify(directory.feed_description())


@bp.get("/services")
def services():
    text = request.args.get("text") or request.args.get("search") or None
    if text is not None and len(text) > 100:
        raise directory.BadQuery("text must be at most 100 characters")
    return jsonify(directory.service_page(get_session(), directory.paging(request.args), text=text,
                                          term_id=request.args.get("taxonomy_term_id") or None,
                                          organization_id=request.args.get("organization_id") or None))


@bp.get("/services/<published_id:service_id>")
def service(service_id: str):
    found = directory.service_full(get_session(), service_id)
    return jsonify(found) if found is not None else json_error(404, "No service has that id")


@bp.get("/organizations")
def organizations():
    return jsonify(directory.organization_page(get_session(), directory.paging(request.args)))


@bp.get("/taxonomies")
def taxonomies():
    return jsonify(directory.taxonomy_page(get_session(), directory.paging(request.args)))


@bp.get("/taxonomy_terms")
def taxonomy_terms():
    return jsonify(directory.taxonomy_term_page(get_session(), directory.paging(request.args),
                                                taxonomy_id=request.args.get("taxonomy_id") or None))
