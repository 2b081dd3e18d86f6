"""Error pages in the service's own style. Bad input never becomes a 500."""

from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from . import htmx

PAGES = {
    400: (_l("Sorry, there is a problem with what was sent"), _l("Go back, check your answers and try again.")),
    403: (_l("You cannot see this page"), _l("This page is for other users of the service.")),
    404: (_l("Page not found"), _l("If you typed the web address, check it is correct. If you pasted the web address, check you copied the entire address.")),
    405: (_l("Sorry, there is a problem with what was sent"), _l("Go back, check your answers and try again.")),
    413: (_l("What you sent is too big"), _l("Go back and send something shorter.")),
    429: (_l("Too many tries"), _l("Wait 15 minutes, then try again.")),
    500: (_l("Sorry, there is a problem with the service"), _l("Try again later. Nothing you saved has been lost.")),
}


def render_error(code: int, heading=None, body=None):
    default_heading, default_body = PAGES.get(code, PAGES[500])
    html = render_template(
        "errors/error.html",
        code=code,
        heading=heading or default_heading,
        body=body or default_body,
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
        if error.code in PAGES:
            return render_error(error.code)
        return error

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if app.config.get("TESTING") and not app.config.get("SHOW_500_PAGE_IN_TESTS"):
            raise error  # let the test see the real failure
        app.logger.exception("unhandled error")
        return render_error(500)
