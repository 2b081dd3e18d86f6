"""What every template can use: the service name, languages, the time-out, the error summary."""

from __future__ import annotations

from flask import current_app, g, request, url_for
from flask_babel import get_locale, gettext as _, lazy_gettext as _l
from flask_login import current_user
from govuk_frontend_wtf.main import wtforms_errors

from . import accounts
from .access import HOME_ENDPOINTS
from .models import Role

SERVICE_NAME = _l("Me and My Learning")


def error_summary_params(form) -> dict:
    """GOV.UK error summary parameters for a WTForms form, with a translated title."""
    return wtforms_errors(form, {"titleText": _("There is a problem")})


# The header links for each audience: (endpoint, label). Later pages add theirs here.
NAVIGATION = {
    Role.RESIDENT: [(HOME_ENDPOINTS[Role.RESIDENT], _l("Home"))],
    Role.TUTOR: [(HOME_ENDPOINTS[Role.TUTOR], _l("Home"))],
    Role.PROVIDER_STAFF: [(HOME_ENDPOINTS[Role.PROVIDER_STAFF], _l("Home"))],
    Role.ADMIN: [(HOME_ENDPOINTS[Role.ADMIN], _l("Home"))],
}
ACCOUNT_LINK = ("auth.change_password", _l("Password"))


def navigation_items() -> list[dict]:
    """GOV.UK service navigation items for the signed-in person, the current page marked."""
    if not (current_user and current_user.is_authenticated):
        return []
    links = [*NAVIGATION[Role(current_user.role)], ACCOUNT_LINK]
    return [
        {"href": url_for(endpoint), "text": str(label), "current": request.endpoint == endpoint}
        for endpoint, label in links
    ]


def password_params(**extra) -> dict:
    """Parameters for the GOV.UK password input: its show/hide texts, translated."""
    params = {
        "showPasswordText": _("Show"),
        "hidePasswordText": _("Hide"),
        "showPasswordAriaLabelText": _("Show password"),
        "hidePasswordAriaLabelText": _("Hide password"),
        "passwordShownAnnouncementText": _("Your password is visible"),
        "passwordHiddenAnnouncementText": _("Your password is hidden"),
    }
    params.update(extra)
    return params


def init_app(app) -> None:
    app.add_template_global(error_summary_params)
    app.add_template_global(password_params)
    app.add_template_global(navigation_items)

    @app.context_processor
    def _globals():
        idle_seconds = None
        if current_user and current_user.is_authenticated and g.get("sign_in_session") is not None:
            idle_seconds = accounts.seconds_until_idle(g.sign_in_session, current_user, current_app.config)
        return {
            "service_name": SERVICE_NAME,
            "languages": current_app.config["LANGUAGES"],
            "locale": str(get_locale() or "en"),
            "idle_seconds": idle_seconds,
            "idle_warning_seconds": current_app.config["IDLE_WARNING_SECONDS"],
            "current_path": request.full_path.rstrip("?") if request else "/",
        }
