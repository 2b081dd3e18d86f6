"""Me and My Learning: a personal learning plan that Melton residents own and choose to share."""

from __future__ import annotations

from flask import Flask
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

__all__ = ["create_app"]


def create_app(config: dict | None = None) -> Flask:
    """Build the application. ``config`` overrides settings (tests); everything else comes from
    ``TRACKER_*`` environment variables. Nothing happens at import time."""
    from flask_wtf.csrf import CSRFProtect
    from govuk_frontend_wtf.main import WTFormsHelpers

    from tracker import admin, auth, openreferral, provider, public, resident, staff, tutor
    from tracker.commands import cli
    from tracker.config import load_config
    from tracker.web import (
        assets,
        converters,
        csrf_mask,
        errors,
        htmx,
        i18n,
        pagecache,
        security,
        session,
        staff_tables,
        templating,
    )

    # No Flask static route: tracker.web.assets serves the built, hashed files (WhiteNoise).
    app = Flask(__name__, instance_relative_config=True, static_folder=None, static_url_path="/static")
    load_config(app, config)
    if app.config["PROXY_COUNT"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_COUNT"], x_proto=app.config["PROXY_COUNT"])

    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("tracker"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    converters.init_app(app)  # before any blueprint: routes are checked against them
    WTFormsHelpers(app)
    CSRFProtect(app)
    csrf_mask.init_app(app)  # (its unmasking runs before CSRFProtect's check)
    session.init_app(app)
    i18n.init_app(app)
    htmx.init_app(app)
    templating.init_app(app)
    staff_tables.init_app(app)
    assets.init_app(app)
    errors.init_app(app)
    auth.init_app(app)
    for blueprint in (public.bp, resident.bp, staff.bp, tutor.bp, provider.bp, admin.bp, openreferral.bp):
        app.register_blueprint(blueprint)
    app.before_request(security.assign_request_id)
    app.after_request(security.add_security_headers)
    pagecache.init_app(app)
    cli.init_app(app)
    return app
