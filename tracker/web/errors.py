"""Error pages in the service's own style. Bad input never becomes a 500."""

from __future__ import annotations

from flask import current_app, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from tracker.web import htmx

# The database is restarting, down, locked for longer than we wait, or refused what we sent
# (a clash a lock should have prevented): the request is abandoned and nothing of it is kept.
DATABASE_FAULTS = (sa_exc.DBAPIError, sa_exc.TimeoutError, sa_exc.PendingRollbackError, sa_exc.DisconnectionError)
RETRY_AFTER_SECONDS = 30

PAGES = {
    400: (_l("Sorry, there is a problem with what was sent"), _l("Go back, check your answers and try again.")),
    403: (_l("You cannot see this page"), _l("This page is for other users of the service.")),
    404: (_l("Page not found"), _l("If you typed the web address, check it is correct. If you pasted the web address, check you copied the entire address.")),
    405: (_l("Sorry, there is a problem with what was sent"), _l("Go back, check your answers and try again.")),
    413: (_l("What you sent is too big"), _l("Go back and send something shorter.")),
    429: (_l("Too many tries"), _l("Wait 15 minutes, then try again.")),
    500: (_l("Sorry, there is a problem with the service"), _l("Try again later. Nothing you saved has been lost.")),
    503: (_l("Sorry, the service is not working right now"),
          _l("Nothing you saved has been lost. Try again in a few minutes.")),
}


def render_error(code: int, heading=None, body=None):
    default_heading, default_body = PAGES.get(code, PAGES[500])
    html = render_template(
        "errors/error.html",
        code=code,
        heading=heading or default_heading,
        body=body or default_body,
        # After a fault, the page they wanted is worth a second try (a form is not re-sent by a link).
        retry_url=request.full_path.rstrip("?") if code == 503 and request.method == "GET" else None,
    )
    if htmx.is_htmx_request():
        # htmx does not swap error responses by default; tell it to show the page anyway.
        return htmx.make_response(html, code, retarget="body", reswap="innerHTML")
    return html, code


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_error):
        return render_error(
            400,
            _l("This form has expired"),
            _l("For your security, forms stop working after you sign out or after some time. Go back, reload the page and try again."),
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if _answers_json():
            return json_error(error.code, error.name)
        if error.code in PAGES:
            return render_error(error.code)
        return error

    def _database_fault(error: Exception):
        """A styled 503 that needs no database: the request's session is thrown away first (its
        connection may be dead), and the page frame shows no signed-in details."""
        app.logger.warning("database fault, answering 503: %s", str(error).splitlines()[0] if str(error) else type(error).__name__)
        _discard_session()
        g.database_unavailable = True
        # Flask-Login puts ``current_user`` into every template, loading it if not yet loaded:
        # for this page the person counts as signed out (their sign-in is untouched).
        g._login_user = app.login_manager.anonymous_user()
        response = app.make_response(json_error(503, "Service Unavailable") if _answers_json() else render_error(503))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    for fault in DATABASE_FAULTS:
        app.register_error_handler(fault, _database_fault)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if app.config.get("TESTING") and not app.config.get("SHOW_500_PAGE_IN_TESTS"):
            raise error  # let the test see the real failure
        app.logger.exception("unhandled error")
        return render_error(500)


def _answers_json() -> bool:
    """Whether this address belongs to a JSON feed (a blueprint registers its prefix in
    ``app.extensions["json_error_paths"]``): its readers are programs, so errors are JSON too,
    even for an address no route matched."""
    return any(request.path.startswith(prefix) for prefix in current_app.extensions.get("json_error_paths", ()))


def json_error(status: int, message: str):
    """An error for a program reading a JSON feed: {"status": …, "message": …}."""
    response = jsonify({"status": status, "message": message})
    response.status_code = status
    return response


def _discard_session() -> None:
    from tracker.web.session import discard_session

    discard_session()
