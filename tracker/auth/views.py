from __future__ import annotations

import time

from flask import current_app, g, jsonify, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from tracker.auth import bp
from tracker.auth.forms import ChangePasswordForm, ForgotCodeForm, ForgotForm, RegisterForm, SetupForm, SignInForm
from tracker.clock import utcnow
from tracker.domain import accounts, consent, setup_codes, texts, throttle
from tracker.models import Role
from tracker.web import htmx
from tracker.web.forms import page_status
from tracker.web.i18n import request_language
from tracker.web.roles import home_url
from tracker.web.security import safe_next
from tracker.web.session import get_session

PASSWORD_MESSAGES = {
    "password_too_short": _l("Your password must be at least 12 characters"),
    "password_too_long": _l("Your password must be 200 characters or fewer"),
    "password_too_common": _l("This password is too easy to guess. Try three random words together"),
}
USERNAME_MESSAGES = {
    "username_invalid": _l("Use 3 to 40 letters or numbers for your username. You can also use . - and _"),
    "username_missing": _l("Choose a username"),
    "username_taken": _l("That username is already taken. Try another"),
}


def _signed_in(db, user):
    """A new account, or a password chosen with a code: signed in, and off to their home page."""
    _begin_session(user)
    db.commit()
    return htmx.redirect(home_url(user))


def _begin_session(user) -> None:
    """A brand-new cookie session for a successful sign-in (no fixation), language kept."""
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language
    g.sign_in_token = accounts.start_sign_in_session(get_session(), user)
    user.signed_in_with(g.sign_in_token)
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return htmx.redirect(home_url(current_user))
    db = get_session()
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        client = accounts.client_key(current_app.config["SECRET_KEY"], request.remote_addr)
        result = accounts.authenticate(db, form.username.data, form.password.data, client=client, config=current_app.config)
        if result.user is not None:
            _begin_session(result.user)
            db.commit()
            target = safe_next(request.args.get("next")) or home_url(result.user)
            if result.user.role == Role.RESIDENT and setup_codes.changes_to_confirm(db, result.user.id):
                target = url_for("resident.home")  # staff changed the account: ask "was this you?" first
            elif result.user.role == Role.RESIDENT and consent.grants_needing_attention(db, result.user.id)["pending"]:
                target = url_for("resident.pending_sharing")  # a tutor recorded a choice: confirm it first
            return htmx.redirect(target)
        db.commit()  # keep the failed attempt, for throttling
        if result.throttled:
            status = 429
            form.username.errors.append(
                _l("You have tried to sign in too many times. Wait 15 minutes, then try again, or ask a tutor for help")
            )
        else:
            form.username.errors.append(_l("The username or password is not right. Check them and try again"))
    elif request.method == "POST":
        status = 400
    return (
        render_template("auth/login.html", form=form, demo_data=accounts.demo_data_loaded(db)),
        status,
    )


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return htmx.redirect(home_url(current_user))
    form = RegisterForm()
    if request.method == "GET":
        form.language.data = request_language()
    status = page_status()
    if form.validate_on_submit():
        db = get_session()
        client = accounts.client_key(current_app.config["SECRET_KEY"], request.remote_addr)
        if not throttle.allow(db, client, "register", current_app.config):  # per address, like sign-in; held in the database
            form.username.errors.append(_l("You have tried too many times. Wait an hour, then try again, or ask a tutor for help"))
            return render_template("auth/register.html", form=form), 429
        try:
            user = accounts.create_user(
                db,
                username=form.username.data,
                display_name=form.display_name.data,
                email=form.email.data,
                password=form.password.data,
                role=Role.RESIDENT,
                preferred_language=form.language.data,
            )
        except accounts.AccountError as error:
            repeat = accounts.just_registered(db, form.username.data, form.password.data) if error.code == "username_taken" else None
            if repeat is not None:  # a double-tapped "Create account": the same answer as the first tap
                _begin_session(repeat)
                db.commit()
                return htmx.redirect(home_url(repeat))
            db.commit()  # the try counts towards the limit
            if error.code in PASSWORD_MESSAGES:
                form.password.errors.append(PASSWORD_MESSAGES[error.code])
            else:
                form.username.errors.append(USERNAME_MESSAGES[error.code])
        else:
            return _signed_in(db, user)
    return render_template("auth/register.html", form=form), status


@bp.post("/sign-out")
def sign_out():
    # CSRF is checked before any view runs; an invalid form never reaches here.
    if current_user.is_authenticated:
        db = get_session()
        accounts.end_sign_in_session(db, g.sign_in_token)
        db.commit()
        logout_user()
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language
    return htmx.redirect(url_for("auth.signed_out"))


@bp.get("/signed-out")
def signed_out():
    if current_user.is_authenticated:
        # Another tab kept the session alive: nothing to say.
        return htmx.redirect(home_url(current_user))
    idle = request.args.get("reason") == "idle"
    return render_template("auth/signed_out.html", idle=idle)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    status = page_status()
    if form.validate_on_submit():
        db = get_session()
        try:
            accounts.change_password(db, current_user, form.current_password.data, form.new_password.data)
        except accounts.AccountError as error:
            if error.code == "current_password_wrong":
                form.current_password.errors.append(_l("Your current password is not right"))
            else:
                form.new_password.errors.append(PASSWORD_MESSAGES[error.code])
        else:
            user = current_user._get_current_object()
            _begin_session(user)  # every other session has ended; this browser carries on
            db.commit()
            return render_template("auth/password_changed.html")
    return render_template("auth/change_password.html", form=form), status


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    """Choosing a password with the one-time code from a slip (a new account, a forgotten password,
    or a staff invitation). Wrong guesses count towards the same throttle as sign-in."""
    if current_user.is_authenticated:
        return htmx.redirect(home_url(current_user))
    form = SetupForm()
    status = page_status()
    if form.validate_on_submit():
        db = get_session()
        client = accounts.client_key(current_app.config["SECRET_KEY"], request.remote_addr)
        account = accounts.fold_username(form.username.data)[:40]
        too_many = _l("You have tried too many times. Wait 15 minutes, then try again, or ask a tutor for help")
        if accounts.account_is_throttled(db, account, now=utcnow(), config=current_app.config):
            form.code.errors.append(too_many)
            status = 429
        else:
            try:
                user = setup_codes.redeem(db, form.username.data, form.code.data, form.password.data)
            except accounts.AccountError as error:
                if error.code == "code_invalid":
                    # Like sign-in: a busy address only has its wrong codes answered "too many tries".
                    throttled = accounts.client_is_throttled(db, client, now=utcnow(), config=current_app.config)
                    accounts.record_failure(db, account, client)
                    db.commit()
                    form.code.errors.append(too_many if throttled else _l(
                        "The username or code is not right, or the code has expired. Check the slip, or ask a tutor for a new code"))
                    status = 429 if throttled else 400
                else:
                    form.password.errors.append(PASSWORD_MESSAGES[error.code])
            else:
                return _signed_in(db, user)
    return render_template("auth/setup.html", form=form), status


# --- A new password with a code by text ------------------------------------------------------------

FORGOT_USERNAME = "forgot_username"


@bp.route("/forgot", methods=["GET", "POST"])
def forgot():
    """A resident with a confirmed mobile number gets a code by text. The answer is the same
    whether or not the username and number are anyone's; asking is limited per number and per
    address, counted either way."""
    if current_user.is_authenticated:
        return htmx.redirect(home_url(current_user))
    form = ForgotForm()
    status = page_status()
    if form.validate_on_submit():
        asked_at = time.monotonic()
        db = get_session()
        secret = current_app.config["SECRET_KEY"]
        client = accounts.client_key(secret, request.remote_addr)
        number_key = accounts.client_key(secret, f"mobile|{form.number}")
        if not (throttle.allow(db, number_key, "forgot_number", current_app.config, exact=True)
                and throttle.allow(db, client, "forgot_client", current_app.config, exact=True)):
            db.commit()
            form.mobile.errors.append(_l("You have asked for too many codes. Wait an hour, then try again, or ask a tutor for help"))
            return render_template("auth/forgot.html", form=form), 429
        started = texts.start_reset(db, form.username.data, form.number, secret)
        db.commit()  # (the code is kept before it is sent: a text never carries a code that does not work)
        if started is not None:
            from tracker.web.text_wording import notifier, words

            message, code = started
            client_, template_id = notifier()
            texts.send_one(db, message, client_, template_id, words, commit=db.commit, code=code)
            db.commit()
        session[FORGOT_USERNAME] = accounts.fold_username(form.username.data)[:40]
        # Sending a text takes time that a username or number nobody has does not: every answer
        # waits the same, so how long it takes says nothing either.
        time.sleep(max(0.0, current_app.config["FORGOT_ANSWER_SECONDS"] - (time.monotonic() - asked_at)))
        return htmx.redirect(url_for("auth.forgot_code"))
    return render_template("auth/forgot.html", form=form), status


@bp.route("/forgot/code", methods=["GET", "POST"])
def forgot_code():
    """The code from the text and a new password: every session of the account ends, and this
    browser is signed in."""
    if current_user.is_authenticated:
        return htmx.redirect(home_url(current_user))
    username = session.get(FORGOT_USERNAME)
    if not username:
        return htmx.redirect(url_for("auth.forgot"))
    form = ForgotCodeForm()
    status = page_status()
    if form.validate_on_submit():
        db = get_session()
        try:  # (the code itself stops working after 3 wrong tries: no throttle needed on top)
            user = texts.reset_password(db, username, form.code.data, form.password.data, current_app.config["SECRET_KEY"])
        except accounts.AccountError as error:
            if error.code == "code_invalid":
                db.commit()  # (a wrong try counts)
                form.code.errors.append(_l("The code is not right, or it has stopped working. Check the text, or ask for a new code"))
                status = 400
            else:
                form.password.errors.append(PASSWORD_MESSAGES[error.code])
        else:
            return _signed_in(db, user)
    return render_template("auth/forgot_code.html", form=form), status


@bp.post("/session/keep-alive")
@login_required
def keep_alive():
    """The time-out warning's "Stay signed in" button (JavaScript only)."""
    db = get_session()
    accounts.touch_sign_in_session(db, g.sign_in_session)
    db.commit()
    return jsonify(seconds_left=accounts.seconds_until_idle(g.sign_in_session, current_user, current_app.config))
