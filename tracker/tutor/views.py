"""Tutors: the caseload of residents who share with the tutor's provider, assisted registration and
new codes, recording a consent in person, and referring a resident to another service. (A resident's own page
and shared areas, where tutors record progress, are the ``staff`` blueprint's.)"""

from __future__ import annotations

from flask import abort, current_app, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlmodel import select

from tracker.clock import utcnow
from tracker.domain import about_me, accounts, consent, referrals, setup_codes, throttle
from tracker.domain.consent import caseload
from tracker.models import ABOUT_ME, AccessAction, AccessMode, Provider, Role, SetupCodePurpose, User
from tracker.tutor import bp
from tracker.tutor.forms import AssistedConsentForm, AssistedRegistrationForm, PasswordResetForm
from tracker.web import htmx
from tracker.web.about_me_pages import handle
from tracker.web.forms import SearchForm, page_status
from tracker.web.guard import LIST, consent_required
from tracker.web.i18n import request_language
from tracker.web.lists import search_residents
from tracker.web.referral_forms import ChooseServiceForm, ReferralForm
from tracker.web.session import get_session


def _provider() -> Provider:
    return get_session().get(Provider, current_user.provider_id)


def _providers() -> dict[str, Provider]:
    return {p.id: p for p in get_session().exec(select(Provider)).all()}


@bp.get("/")
def home():
    """My residents: those with an active grant to my provider (and nobody else)."""
    db = get_session()
    filters, _errors = caseload.parse_filters({key: request.args.get(key) for key in ("after", "before")})
    if not throttle.allow(db, current_user.id, "list", current_app.config):
        abort(429)
    page = caseload.resident_page(db, current_user, filters)
    choosing = caseload.log_tutor_home(db, current_user, page, g.request_id)
    db.commit()  # the lists are on record before they are shown
    return render_template("tutor/home.html", provider=_provider(), page=page, filters=filters, form=SearchForm(),
                           waiting=setup_codes.accounts_waiting_for_setup(db, current_user), choosing=choosing)


@bp.post("/search")
def search():
    """Find a resident by name. A POST, so names never sit in addresses or server logs."""
    form = SearchForm()
    filters, _errors = caseload.parse_filters({})
    page = search_residents(form)
    context = {"provider": _provider(), "page": page, "filters": filters, "form": form}
    if page is None:
        return render_template("tutor/home.html", **context), 400
    return render_template("tutor/home.html", **context, searched=form.name.data)


@bp.get("/residents/<uid:resident_id>/refer")
@consent_required(AccessAction.LISTED, purpose=LIST)
def refer(access):
    """Refer a resident to another organisation's service, step one: which service (a GET form).
    Only for a resident who shares something with my provider; nothing goes anywhere until they agree."""
    db = get_session()
    form = ChooseServiceForm(request.args)
    found = referrals.destinations(db, access.provider.id)
    form.set_choices(found, request_language())
    if "service" in request.args and form.validate():
        return htmx.redirect(url_for("tutor.refer_to", resident_id=access.resident_id, service_id=form.service.data))
    return render_template("tutor/refer.html", form=form, resident_id=access.resident_id, found=found), \
        400 if "service" in request.args else 200


@bp.route("/residents/<uid:resident_id>/refer/<uid:service_id>", methods=["GET", "POST"])
@consent_required(AccessAction.LISTED, purpose=LIST)
def refer_to(access, service_id):
    """Step two: what it is about, why, and what I will keep doing meanwhile."""
    db = get_session()
    try:
        found = referrals.destination(db, service_id, access.provider.id)
    except referrals.ReferralError:
        abort(404)
    form = ReferralForm()
    form.set_areas(found.areas)
    if form.validate_on_submit():
        try:
            referrals.refer(db, access.resident_id, service_id, form.areas.data, form.reason.data, form.offer.data, current_user,
                            consent.ConsentActor(current_user.id, current_user.role, current_user.first_name, access.provider.id,
                                                 access.provider.name))
        except referrals.ReferralError:
            abort(404)  # the form offered only what the service asks for: anything else was forged
        access.flash_after_commit(_("Your referral is saved. The resident will see it on their home page, and nothing is sent until they agree."))
        return htmx.redirect(url_for("staff.resident", resident_id=access.resident_id))
    return render_template("tutor/refer_to.html", form=form, resident_id=access.resident_id, found=found,
                           language=request_language()), page_status()


# --- Accounts made in person ----------------------------------------------------------------


@bp.route("/residents/new", methods=["GET", "POST"])
def register_resident():
    """A tutor creates an account with a resident who has no email or little confidence, and
    prints a slip with a one-time code; the resident chooses their own password with it."""
    db = get_session()
    form = AssistedRegistrationForm()
    if form.validate_on_submit():
        username = accounts.fold_username(form.username.data)
        if accounts.username_problem(username):
            form.username.errors.append(_l("Use 3 to 40 letters or numbers for the username. You can also use . - and _"))
        elif accounts.find_user_by_username(db, username) is not None:
            form.username.errors.append(_username_taken(db, username))
        elif not throttle.allow(db, current_user.id, "code", current_app.config):
            abort(429)
        else:
            resident = User(username=username, display_name=form.display_name.data, role=Role.RESIDENT,
                            preferred_language=form.language.data, password_hash=setup_codes.unusable_password_hash())
            try:
                accounts.add_new_account(db, resident)
            except accounts.AccountError:  # the same form, sent twice at the same moment
                form.username.errors.append(_username_taken(db, username))
            else:
                code = setup_codes.issue(db, resident, SetupCodePurpose.REGISTER, current_user)
                db.commit()
                return render_template("staff/setup_slip.html", username=resident.username, name=resident.display_name,
                                       code=code, expires=utcnow() + setup_codes.VALID_FOR, new_account=True)
        return render_template("tutor/register_resident.html", form=form), 400
    if request.method == "GET":
        form.language.data = "en"
    return render_template("tutor/register_resident.html", form=form), page_status()


def _username_taken(db, username: str):
    """When this tutor made the account a moment ago (a double tap), say so, since the slip with its
    code may have been lost with the first answer."""
    if setup_codes.registered_just_now_by(db, username, current_user):
        return _l("You made this account a moment ago. If you did not get the slip, give the resident a new code")
    return _l("That username is already taken. Try another")


@bp.route("/password-reset", methods=["GET", "POST"])
def password_reset():
    """A new one-time code for a resident who forgot their password, after the tutor has checked
    who they are in person. Only for residents who share with the tutor's organisation (or whose
    account it made); for anyone else the request goes to an administrator. The answer is the
    same whether or not the username exists, so the page cannot be used to find out who has an
    account. Every code given is on the resident's record, and they are asked about it."""
    db = get_session()
    form = PasswordResetForm()
    if form.validate_on_submit():
        if not throttle.allow(db, current_user.id, "code", current_app.config):
            abort(429)
        outcome = setup_codes.reset_by_tutor(db, current_user, form.username.data)
        db.commit()
        if outcome.code is None:
            return render_template("tutor/reset_requested.html", username=outcome.username)
        return render_template("staff/setup_slip.html", username=outcome.username, name=outcome.name, code=outcome.code,
                               expires=utcnow() + setup_codes.VALID_FOR, new_account=False)
    return render_template("tutor/password_reset.html", form=form), page_status()


@bp.route("/assisted-consent", methods=["GET", "POST"])
def assisted_consent():
    """A tutor records a consent with the resident present (``consent.give_in_person``)."""
    db = get_session()
    providers = _providers()
    form = AssistedConsentForm()
    # The plan's areas: About me is chosen answer by answer, by the resident on their own page.
    form.set_choices([n for n in consent.current_notices(db) if n.area != ABOUT_ME], providers)
    if request.method == "GET":
        form.months.data = "12"
    status = page_status()
    if form.validate_on_submit():
        outcome = consent.give_in_person(
            db, current_user, providers[current_user.provider_id], notice_id=form.notice.data, username=form.username.data,
            password=form.password.data, record=form.record.data, months=int(form.months.data),
            client=accounts.client_key(current_app.config["SECRET_KEY"], request.remote_addr), config=current_app.config)
        if outcome.keep:
            db.commit()  # a failed try is kept, for throttling
        else:
            db.rollback()
        if outcome.receipt is not None:
            return htmx.redirect(url_for("tutor.assisted_consent_done", code=outcome.receipt.code))
        status = 429 if outcome.problem == "throttled" else 400
        field, message = {
            "throttled": (form.username, _l("Too many tries. Wait 15 minutes, then try again")),
            "not_the_resident": (form.username, _l("The username or password is not right. Ask the resident to check them")),
            "notice_changed": (form.notice, _l("This organisation has just changed what it asks to see. Choose it again")),
            "already": (form.notice, _l("The resident already shares this, or is waiting to confirm it")),
        }[outcome.problem]
        field.errors.append(message)
    return render_template("tutor/assisted_consent.html", form=form), status


@bp.get("/assisted-consent/<receipt:code>")
def assisted_consent_done(code):
    """The slip for the resident: the receipt code and what it records (no plan data)."""
    db = get_session()
    receipt = consent.find_receipt(db, code, current_app.config["SECRET_KEY"])
    if receipt is None or not consent.recorded_by(db, receipt, current_user.id):
        abort(404)
    return render_template("tutor/assisted_consent_done.html", receipt=receipt)


# --- About me, filled in with the resident ---------------------------------------------------------


@bp.route("/residents/<uid:resident_id>/about/<about_field:code>", methods=["GET", "POST"])
@consent_required(AccessAction.RECORDED, mode=AccessMode.RECORD, part=ABOUT_ME)
def about_with_resident(access, code):
    """A tutor filling in one answer of About me with the resident beside them (recorded as such):
    only for an answer the resident shares with the tutor's organisation, for the reason chosen,
    with "record with me" allowed. Opening it is a look at that answer; saving, a change of it."""
    db = get_session()
    if code not in consent.about_me_fields(access.decision, access.purpose):
        abort(404)  # not shared with us (for this reason): the same answer as for no such resident
    access.fields = (code,)
    done = url_for("staff.resident_about", resident_id=access.resident_id, purpose=access.purpose)
    return handle(db, access.resident_id, about_me.field(code), about_me.Entrant.tutor_with(current_user, access.provider),
                  template="tutor/about_question.html", done=lambda: htmx.redirect(done), guarded=access,
                  resident=db.get(User, access.resident_id), back=done, shared_with=None)
