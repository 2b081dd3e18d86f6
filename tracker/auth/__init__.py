"""Sign-in, registration, sign-out and the server-side sessions behind them."""

from __future__ import annotations

from flask import Blueprint, current_app, g, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, logout_user

from tracker.domain import accounts
from tracker.web import htmx
from tracker.web.session import get_session

bp = Blueprint("auth", __name__)
login_manager = LoginManager()


@login_manager.user_loader
def _load_user(token: str):
    loaded = accounts.load_sign_in_session(get_session(), token, config=current_app.config)
    if loaded.user is None:
        g.signed_out_reason = loaded.ended_reason
        return None
    g.sign_in_token = token
    g.sign_in_session = loaded.sign_in_session
    loaded.user.signed_in_with(token)
    return loaded.user


@login_manager.unauthorized_handler
def _unauthorized():
    if g.get("signed_out_reason"):
        logout_user()  # forget the dead token, so the next page asks for a sign-in
    if g.get("signed_out_reason") == "idle":
        return htmx.redirect(url_for("auth.signed_out", reason="idle"))
    return htmx.redirect(url_for("auth.login", next=request.full_path.rstrip("?") if request.method == "GET" else None))


def init_app(app) -> None:
    login_manager.init_app(app)
    # Our own sessions are revocable on the server; Flask-Login's "remember me" cookie is never set.
    login_manager.session_protection = "basic"
    login_manager.login_message = _l("Sign in to see this page")
    app.register_blueprint(bp)


from tracker.auth import views  # noqa: F401  (routes register on the blueprint)
