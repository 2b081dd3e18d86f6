"""The administration's pages: providers and their sharing notices, staff accounts, the goal
catalogue, the partnership's services in the directory, and the audit. Every route needs the admin
role (``restrict_blueprint``); every change writes an ``AdminAction`` in the same transaction and
commits once."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import abort, current_app, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlmodel import col, func, select
from wtforms import SelectChoice

from tracker.admin import bp, forms
from tracker.clock import utcnow
from tracker.domain import consent, partnership, setup_codes
from tracker.domain.catalogue import MAX_STEPS, MIN_STEPS
from tracker.domain.setup_codes import VALID_FOR
from tracker.models import (
    SHARED_PARTS,
    AccessFlag,
    Area,
    CatalogueGoal,
    CatalogueStep,
    PasswordResetRequest,
    Provider,
    ResetRequestState,
    User,
)
from tracker.web import htmx, service_editing, wording
from tracker.web.forms import ButtonForm, page_status
from tracker.web.session import get_or_404, get_session
from tracker.web.wording import CONSENT_CHANGE_NAMES

ADMIN_ERRORS = {
    "own_account": _l("You cannot change your own account. Ask another administrator"),
    "inactive": _l("This account is deactivated. Reactivate it before giving a new code"),
    "name_taken": _l("An organisation with this name already exists. Choose another name"),
    "language_missing": _l("Write what they do in both English and Polish, or leave both empty"),
    "username_invalid": _l("Use 3 to 40 letters or numbers for the username. You can also use . - and _"),
    "username_missing": _l("Enter a username"),
    "username_taken": _l("That username is already taken. Try another"),
    "role_invalid": _l("Choose a role from the list"),
    "provider_invalid": _l("Choose an organisation from the list"),
    "provider_missing": _l("Choose the organisation they work for"),
    "steps_count": _l("A goal must offer 3 to 6 steps"),
    "goal_exists": _l("A goal with this title is already offered in this part of the plan"),
    "too_many_steps": _l("A goal can offer at most 6 steps. Retire one first"),
    "too_few_steps": _l("A goal must offer at least 3 steps. Add one before retiring this one"),
}


def _status() -> int:
    return page_status()


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


# --- Home ---------------------------------------------------------------------------------------


@bp.get("/")
def home():
    db = get_session()
    provider = db.get(Provider, current_user.provider_id) if current_user.provider_id else None
    flag_count = db.exec(select(func.count()).select_from(AccessFlag)).one()
    waiting = db.exec(select(func.count()).select_from(PasswordResetRequest)
                      .where(PasswordResetRequest.state == ResetRequestState.WAITING)).one()
    return render_template("admin/home.html", provider=provider, flag_count=flag_count, waiting_resets=waiting,
                           not_me_count=len(partnership.account_flags(db)))


# --- Providers and notices ------------------------------------------------------------------------


@bp.get("/providers")
def providers():
    db = get_session()
    rows = db.exec(select(Provider).order_by(col(Provider.active).desc(), Provider.name)).all()
    return render_template("admin/providers.html", providers=rows, notices=partnership.current_notices_by_provider(db),
                           kind_names=wording.PROVIDER_KIND_NAMES)


@bp.route("/providers/new", methods=["GET", "POST"])
def new_provider():
    db = get_session()
    form = forms.ProviderForm()
    if form.validate_on_submit():
        try:
            provider = partnership.create_provider(db, current_user, name=form.name.data, kind=form.kind.data,
                                             description=form.description())
        except partnership.AdminError as error:
            form.name.errors.append(ADMIN_ERRORS[error.code])
        else:
            db.commit()
            flash(_("%(name)s is added. Publish a sharing notice so residents can choose to share with them.",
                    name=provider.name), "success")
            return htmx.redirect(url_for("admin.providers"))
    return render_template("admin/provider_form.html", form=form, provider=None), _status()


@bp.route("/providers/<uid:provider_id>/edit", methods=["GET", "POST"])
def edit_provider(provider_id):
    db = get_session()
    provider = get_or_404(Provider, provider_id)
    form = forms.ProviderForm(obj=provider if request.method == "GET" else None)
    if request.method == "GET":
        form.fill_description(provider)
    if form.validate_on_submit():
        try:
            changed = partnership.edit_provider(db, current_user, provider, name=form.name.data, kind=form.kind.data,
                                          description=form.description())
        except partnership.AdminError as error:
            form.name.errors.append(ADMIN_ERRORS[error.code])
        else:
            db.commit()
            flash(_("Saved.") if changed else _("Nothing was changed."), "success")
            return htmx.redirect(url_for("admin.providers"))
    return render_template("admin/provider_form.html", form=form, provider=provider, button=ButtonForm(),
                           staff_count=_staff_count(db, provider.id)), _status()


def _staff_count(db, provider_id: str) -> int:
    return db.exec(select(func.count()).select_from(User).where(User.provider_id == provider_id, User.active.is_(True))).one()


@bp.post("/providers/<uid:provider_id>/active")
def provider_active(provider_id):
    db = get_session()
    provider = get_or_404(Provider, provider_id)
    form = forms.ActiveForm()
    if not form.validate_on_submit():
        abort(400)
    active = form.active.data == "yes"
    if partnership.set_provider_active(db, current_user, provider, active):
        db.commit()
    if active:
        flash(_("%(name)s is active again. Their staff can see residents who share with them.", name=provider.name), "success")
    else:
        flash(_("%(name)s is deactivated. Their staff can no longer see any resident.", name=provider.name), "success")
    return htmx.redirect(url_for("admin.providers"))


@bp.route("/providers/<uid:provider_id>/notices/new", methods=["GET", "POST"])
def new_notice(provider_id):
    db = get_session()
    provider = get_or_404(Provider, provider_id)
    form = forms.NoticeForm()
    current = {part: consent.current_notice(db, provider.id, part) for part in SHARED_PARTS}
    if request.method == "GET":
        area = request.args.get("area")
        if area in current:
            form.area.data = area
            if current[area] is not None:
                _fill_from(form, current[area])
    if form.validate_on_submit() and form.check_fields() and form.check_material(current[form.area.data] is not None):
        material = form.material.data == "yes"
        if material and request.form.get("confirmed") != "yes":
            # A big change puts residents' sharing on hold: say how many, and ask once more.
            on_hold = consent.residents_put_on_hold(db, provider.id, form.area.data)
            return render_template("admin/notice_form.html", form=form, provider=provider, current=current, on_hold=on_hold)
        change = {"en": form.change_en.data, "pl": form.change_pl.data} if (form.change_en.data or form.change_pl.data) else None
        notice = partnership.publish_notice(
            db, current_user, provider, form.area.data, record=form.record.data, fields=form.shown.data,
            purposes=form.purposes.data, special_for=form.special_for.data, summary={"en": form.summary_en.data, "pl": form.summary_pl.data},
            retention={"en": form.retention_en.data, "pl": form.retention_pl.data}, material=material,
            change_summary=change, secret_key=_secret(),
        )
        db.commit()
        if notice.version == (current[form.area.data].version if current[form.area.data] else 0):
            flash(_("Nothing was changed: this is what the notice already says."), "info")
        elif notice.change_is_material:
            flash(_("Version %(version)d is published. Sharing on earlier versions is on hold until each resident says yes again.",
                    version=notice.version), "success")
        else:
            flash(_("Version %(version)d is published.", version=notice.version), "success")
        return htmx.redirect(url_for("admin.providers"))
    return render_template("admin/notice_form.html", form=form, provider=provider, current=current), _status()


def _fill_from(form: forms.NoticeForm, notice) -> None:
    """Start from the current notice, so a new version is an edit rather than a rewrite."""
    form.record.data = "record_progress" in notice.access_modes
    form.shown.data = list(notice.fields_shown)
    form.purposes.data = [p["code"] for p in notice.purposes if p.get("code") in partnership.STANDARD_PURPOSES]
    form.special_for.data = next((p["code"] for p in notice.purposes if p.get("special")), None)
    form.summary_en.data, form.summary_pl.data = notice.summary.get("en", ""), notice.summary.get("pl", "")
    form.retention_en.data, form.retention_pl.data = notice.retention.get("en", ""), notice.retention.get("pl", "")


# --- Staff accounts -----------------------------------------------------------------------------


def _staff_or_404(user_id: str) -> User:
    user = partnership.staff_member(get_session(), user_id)
    if user is None:
        abort(404)
    return user


def _providers(db, include_id: str | None = None) -> list[Provider]:
    """Active organisations (and a member of staff's current one, even if deactivated)."""
    query = select(Provider).where((Provider.active.is_(True)) | (Provider.id == (include_id or "")))
    return db.exec(query.order_by(Provider.name)).all()


@bp.get("/staff")
def staff():
    db = get_session()
    people = db.exec(partnership.staff_query().order_by(col(User.active).desc(), User.display_name)).all()
    names = {p.id: p.name for p in db.exec(select(Provider)).all()}
    return render_template("admin/staff.html", people=people, provider_names=names, role_names=wording.STAFF_ROLE_NAMES)


@bp.route("/staff/new", methods=["GET", "POST"])
def invite():
    db = get_session()
    form = forms.InviteForm(_providers(db))
    if form.validate_on_submit():
        try:
            user, code = partnership.invite_staff(db, current_user, username=form.username.data, display_name=form.display_name.data,
                                            role=form.role.data, provider_id=form.provider.data or None)
        except partnership.AdminError as error:
            field = form.username if error.code.startswith("username") else form.provider if "provider" in error.code else form.role
            field.errors.append(ADMIN_ERRORS[error.code])
        else:
            db.commit()
            return _slip(db, user, code, first=True)
    return render_template("admin/staff_new.html", form=form), _status()


def _slip(db, user: User, code: str, first: bool):
    """The code, shown once: it is in this response only, never in a URL or the database."""
    provider = db.get(Provider, user.provider_id) if user.provider_id else None
    return render_template("admin/slip.html", person=user, provider=provider, code=code, first=first,
                           setup_url=url_for("auth.setup", _external=True), expires=utcnow() + VALID_FOR,
                           role_names=wording.STAFF_ROLE_NAMES)


def _staff_page(db, user: User, form=None, refusal: str | None = None, status: int = 200):
    if form is None:
        form = forms.RoleForm(_providers(db, user.provider_id))
        form.role.data, form.provider.data = user.role, user.provider_id or ""
    provider = db.get(Provider, user.provider_id) if user.provider_id else None
    password_set = user.password_changed_at is not None
    return render_template("admin/staff_member.html", person=user, provider=provider, form=form, button=ButtonForm(),
                           own=user.id == current_user.id, refusal=refusal, password_set=password_set,
                           role_names=wording.STAFF_ROLE_NAMES), status


@bp.get("/staff/<uid:user_id>")
def staff_member(user_id):
    db = get_session()
    return _staff_page(db, _staff_or_404(user_id))


@bp.post("/staff/<uid:user_id>/role")
def change_role(user_id):
    db = get_session()
    user = _staff_or_404(user_id)
    if user.id == current_user.id:
        return _staff_page(db, user, refusal=ADMIN_ERRORS["own_account"], status=400)
    form = forms.RoleForm(_providers(db, user.provider_id))
    if form.validate_on_submit():
        try:
            changed = partnership.change_role(db, current_user, user, form.role.data, form.provider.data or None)
        except partnership.AdminError as error:
            (form.provider if "provider" in error.code else form.role).errors.append(ADMIN_ERRORS[error.code])
        else:
            db.commit()
            flash(_("Saved.") if changed else _("Nothing was changed."), "success")
            return htmx.redirect(url_for("admin.staff_member", user_id=user.id))
    return _staff_page(db, user, form=form, status=400)


@bp.post("/staff/<uid:user_id>/active")
def staff_active(user_id):
    db = get_session()
    user = _staff_or_404(user_id)
    if user.id == current_user.id:
        return _staff_page(db, user, refusal=ADMIN_ERRORS["own_account"], status=400)
    form = forms.ActiveForm()
    if not form.validate_on_submit():
        abort(400)
    active = form.active.data == "yes"
    if partnership.set_staff_active(db, current_user, user, active):
        db.commit()
    if active:
        flash(_("%(name)s can sign in again.", name=user.display_name), "success")
    else:
        flash(_("%(name)s is deactivated and signed out everywhere.", name=user.display_name), "success")
    return htmx.redirect(url_for("admin.staff_member", user_id=user.id))


@bp.post("/staff/<uid:user_id>/code")
def new_code(user_id):
    db = get_session()
    user = _staff_or_404(user_id)
    try:
        code = partnership.new_code(db, current_user, user)
    except partnership.AdminError as error:
        return _staff_page(db, user, refusal=ADMIN_ERRORS[error.code], status=400)
    db.commit()
    return _slip(db, user, code, first=False)


# --- New set-up codes that tutors asked for ---------------------------------------------------------


@bp.get("/reset-requests")
def reset_requests():
    """Tutors asking for a new code for someone who does not share with their organisation. The
    admin checks with the resident (through the tutor, the library, a phone call) before giving
    one; residents appear only as a code here, like everywhere on the admin pages."""
    db = get_session()
    return render_template("admin/reset_requests.html", requests=setup_codes.waiting_requests(db), button=ButtonForm(),
                           pseudonym=wording.resident_pseudonym, not_me=partnership.account_flags(db, limit=20), account_names=wording.ACCOUNT_EVENT_NAMES)


@bp.post("/reset-requests/<short_id:request_id>/<any(give, close):answer>")
def answer_reset_request(request_id, answer):
    db = get_session()
    found = get_or_404(PasswordResetRequest, request_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    answered, code = partnership.answer_reset_request(db, current_user, found, answer == "give", current_app.config["SECRET_KEY"])
    db.commit()
    if code is None:
        if not answered:
            flash(_("This request was already answered."), "info")
        elif answer == "give":
            flash(_("There is no account with this username, so no code was given. The request is closed."), "info")
        else:
            flash(_("The request is closed."), "success")
        return htmx.redirect(url_for("admin.reset_requests"))
    return render_template("staff/setup_slip.html", username=found.username, name=None, code=code,
                           expires=utcnow() + VALID_FOR, new_account=False)


# --- The goal catalogue ---------------------------------------------------------------------------


@bp.get("/catalogue")
def catalogue():
    db = get_session()
    area = request.args.get("area")
    if area not in set(Area):
        area = None
    query = select(CatalogueGoal)
    if area:
        query = query.where(CatalogueGoal.area == area)
    goals = db.exec(query.order_by(CatalogueGoal.area, CatalogueGoal.position, CatalogueGoal.id)).all()
    counts = dict(db.exec(select(CatalogueStep.goal_id, func.count()).where(CatalogueStep.retired_at.is_(None))
                          .group_by(CatalogueStep.goal_id)).all())
    return render_template("admin/catalogue.html", goals=goals, counts=counts, area=area)


@bp.route("/catalogue/new", methods=["GET", "POST"])
def new_goal():
    db = get_session()
    form = forms.NewCatalogueGoalForm()
    form.set_framework_choices()
    if request.method == "GET" and request.args.get("area") in set(Area):
        form.area.data = request.args["area"]
    if form.validate_on_submit():
        try:
            goal = partnership.create_goal(db, current_user, area=form.area.data, framework_area=form.framework_area.data,
                                     title=form.titles(), summary=form.summaries(), steps=form.steps())
        except partnership.AdminError as error:
            form.title_en.errors.append(ADMIN_ERRORS[error.code])
        else:
            db.commit()
            flash(_("The goal “%(title)s” is added. Residents can choose it now.", title=goal.title["en"]), "success")
            return htmx.redirect(url_for("admin.catalogue", area=goal.area))
    return render_template("admin/goal_new.html", form=form, framework_areas=partnership.FRAMEWORK_AREAS), _status()


@bp.route("/catalogue/<row_id:goal_id>/edit", methods=["GET", "POST"])
def edit_goal(goal_id):
    db = get_session()
    goal = get_or_404(CatalogueGoal, goal_id)
    steps = partnership.goal_steps(db, goal.id)
    form = forms.edit_catalogue_goal_form(steps)
    form.set_framework_choices(goal.area)
    if request.method == "GET":
        _fill_goal_form(form, goal, steps)
    if form.validate_on_submit():
        try:
            changed = partnership.edit_goal(db, current_user, goal, framework_area=form.framework_area.data, title=form.titles(),
                                      summary=form.summaries(), step_texts=form.step_texts(steps), new_step=form.new_step())
        except partnership.AdminError as error:
            form.new_step_en.errors.append(ADMIN_ERRORS[error.code])
        else:
            db.commit()
            flash(_("Saved. This is now version %(version)d.", version=goal.version) if changed else _("Nothing was changed."),
                  "success")
            return htmx.redirect(url_for("admin.edit_goal", goal_id=goal.id))
    return _goal_page(db, goal, steps, form, _status())


def _goal_page(db, goal, steps, form, status, refusal=None):
    offered = sum(s.retired_at is None for s in steps)
    return render_template("admin/goal_edit.html", goal=goal, steps=steps, form=form, button=ButtonForm(),
                           offered=offered, min_steps=MIN_STEPS, max_steps=MAX_STEPS, refusal=refusal), status


def _set_retired(goal: CatalogueGoal, step: CatalogueStep | None, retired: bool):
    """Retire or offer again a goal (``step`` None) or one of its steps."""
    db = get_session()
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        if step is None:
            changed = partnership.set_goal_retired(db, current_user, goal, retired)
        else:
            changed = partnership.set_step_retired(db, current_user, step, retired)
    except partnership.AdminError as error:
        steps = partnership.goal_steps(db, goal.id)
        form = forms.edit_catalogue_goal_form(steps, formdata=None)
        form.set_framework_choices(goal.area)
        _fill_goal_form(form, goal, steps)
        return _goal_page(db, goal, steps, form, 400, ADMIN_ERRORS[error.code])
    if changed:
        db.commit()
    if step is None:
        flash(_("The goal is retired. It is no longer offered; plans that have it keep it.") if retired
              else _("The goal is offered again."), "success")
        return htmx.redirect(url_for("admin.edit_goal", goal_id=goal.id))
    flash(_("The step is retired. It is no longer offered; plans that have it keep it.") if retired
          else _("The step is offered again."), "success")
    return htmx.redirect(url_for("admin.edit_goal", goal_id=goal.id) + f"#step-{step.id}")


@bp.post("/catalogue/<row_id:goal_id>/retire")
def retire_goal(goal_id):
    return _set_retired(get_or_404(CatalogueGoal, goal_id), None, True)


@bp.post("/catalogue/<row_id:goal_id>/restore")
def restore_goal(goal_id):
    return _set_retired(get_or_404(CatalogueGoal, goal_id), None, False)


def _step_or_404(step_id: int) -> tuple[CatalogueGoal, CatalogueStep]:
    step = get_or_404(CatalogueStep, step_id)
    return get_session().get(CatalogueGoal, step.goal_id), step


def _fill_goal_form(form, goal, steps) -> None:
    form.framework_area.data = goal.framework_area
    form.title_en.data, form.title_pl.data = goal.title.get("en", ""), goal.title.get("pl", "")
    form.summary_en.data, form.summary_pl.data = goal.summary.get("en", ""), goal.summary.get("pl", "")
    for step in steps:
        form[f"step_{step.id}_en"].data = step.text.get("en", "")
        form[f"step_{step.id}_pl"].data = step.text.get("pl", "")


@bp.post("/catalogue/steps/<row_id:step_id>/retire")
def retire_step(step_id):
    return _set_retired(*_step_or_404(step_id), True)


@bp.post("/catalogue/steps/<row_id:step_id>/restore")
def restore_step(step_id):
    return _set_retired(*_step_or_404(step_id), False)


# --- Services in the directory ----------------------------------------------------------------------
# Every member organisation's services (shared pages: tracker.web.service_editing; the organisations'
# own staff keep theirs at /staff/services).

SERVICE_PAGES = service_editing.Pages(list="admin.services", new="admin.new_service", edit="admin.edit_service",
                                      checked="admin.service_checked")


@bp.get("/services")
def services():
    return service_editing.list_page(SERVICE_PAGES)


@bp.route("/services/new", methods=["GET", "POST"])
def new_service():
    return service_editing.new_page(SERVICE_PAGES)


@bp.route("/services/<uid:service_id>", methods=["GET", "POST"])
def edit_service(service_id):
    return service_editing.edit_page(SERVICE_PAGES, service_id)


@bp.post("/services/<uid:service_id>/checked")
def service_checked(service_id):
    return service_editing.confirm(SERVICE_PAGES, service_id)


# --- Audit ----------------------------------------------------------------------------------------

KIND_NAMES = {
    "access": _l("Who looked at residents' plans"),
    "consent": _l("Changes to sharing"),
    "account": _l("Changes to residents' accounts"),
    "admin": _l("What administrators did"),
}


def _action_choices(kind: str) -> list[SelectChoice]:
    names = {"consent": CONSENT_CHANGE_NAMES, "access": wording.AUDIT_ACCESS_NAMES, "account": wording.ACCOUNT_EVENT_NAMES,
             "admin": wording.ADMIN_ACTION_NAMES}[kind]
    return [SelectChoice(value, names.get(value, value)) for value in partnership.AUDIT_ACTIONS[kind]]


def _page_number() -> int:
    """A page number from the address: anything odd is page 1; a huge one is simply past the end."""
    raw = request.args.get("page", "")
    if not re.fullmatch(r"[0-9]{1,7}", raw):
        return 1_000_000 if re.fullmatch(r"[0-9]+", raw) else 1
    return max(1, int(raw))


@bp.get("/audit")
def audit():
    db = get_session()
    providers_list = db.exec(select(Provider).order_by(Provider.name)).all()
    staff_list = db.exec(partnership.staff_query().order_by(User.display_name, User.username)).all()
    kind = request.args.get("kind") or "access"
    offered_kind = kind if kind in partnership.AUDIT_KINDS else "access"
    form = forms.AuditForm(request.args, kinds=[SelectChoice(k, KIND_NAMES[k]) for k in partnership.AUDIT_KINDS],
                           providers=providers_list, staff=staff_list, actions=_action_choices(offered_kind))
    valid = form.validate()
    kind = offered_kind
    rows, older, page = [], False, _page_number()
    if valid:
        date_from, date_to = form.dates()
        filters = partnership.AuditFilters(kind=kind, provider_id=form.provider.data or None, staff_id=form.staff.data or None,
                                     date_from=date_from, date_to=date_to, action=form.action.data or None)
        rows, older = partnership.audit_rows(db, filters, page, current_app.config["BABEL_DEFAULT_TIMEZONE"])
    query = {"kind": kind, "provider": form.provider.data, "staff": form.staff.data, "date_from": form.date_from.data,
             "date_to": form.date_to.data, "action": form.action.data} if valid else {"kind": kind}
    return render_template(
        "admin/audit.html", form=form, kind=kind, kind_names=KIND_NAMES, rows=rows, older=older, page=page,
        query={k: v for k, v in query.items() if v}, flags=partnership.flags(db), bulk=partnership.bulk_reads(db),
        not_me=partnership.account_flags(db), account_names=wording.ACCOUNT_EVENT_NAMES,
        threshold=partnership.BULK_READ_THRESHOLD, pseudonym=wording.resident_pseudonym, providers={p.id: p.name for p in providers_list},
        action_names={c.value: c.label for c in _action_choices(kind)}, access_names=wording.AUDIT_ACCESS_NAMES,
        staff_names={u.id: u.display_name for u in staff_list}, purpose_names=wording.PURPOSE_LABELS, field_names=wording.logged_field_labels(),
        one_hour=timedelta(hours=1),
    ), 200 if valid else 400
