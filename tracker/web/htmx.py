"""The one place that knows which htmx library we use (flask-htmx).

The design card named ``htmx-flask``; it was released once (2022) with a bug in its swap values, so we
use its maintained successor ``flask-htmx``. Views import from here only, so swapping the library
touches this file alone.
"""

from __future__ import annotations

from flask import Response
from flask import redirect as flask_redirect
from flask_htmx import HTMX
from flask_htmx.responses import make_response as _make_response

_htmx = HTMX()


def init_app(app) -> None:
    _htmx.init_app(app)  # also puts ``htmx`` in every template's context


def is_htmx_request() -> bool:
    """True when htmx made the request and wants a fragment back; False for a plain browser
    request. A boosted request wants a whole page, unless it names its own target element."""
    return bool(_htmx) and (not _htmx.boosted or bool(_htmx.target))


def redirect(location: str, code: int = 303) -> Response:
    """Send the browser elsewhere: an ``HX-Redirect`` for htmx (which would otherwise swap the new
    page into a fragment), a plain 303 otherwise."""
    if is_htmx_request():
        return _make_response("", redirect=location)
    return flask_redirect(location, code=code)


def make_response(*args, **kwargs) -> Response:
    """``flask.make_response`` plus htmx response headers (trigger, reswap, retarget...)."""
    return _make_response(*args, **kwargs)
