"""The resident's pages: home, plan, goals, check-ins, progress and timeline.

Views stay thin: they read forms and call ``tracker.domain.plan``. Every change commits once, with its
event. htmx requests get the changed fragment back; plain form posts get a redirect (303)."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlmodel import select

from tracker.clock import utcnow
from tracker.domain import consent, directory, plan, referrals, setup_codes
from tracker.domain.catalogue import matches
from tracker.domain.parsing import page_number, plain_number
from tracker.models import Area, PlanGoal, Provider
from tracker.resident import bp
from tracker.resident.forms import EditGoalForm, NoteForm, OwnGoalForm
from tracker.resident.plan_html import goal_item, plan_area, plan_areas, plan_words
from tracker.web import htmx
from tracker.web.forms import ButtonForm, CheckInForm, page_status
from tracker.web.i18n import request_language
from tracker.web.pagecache import CSRF_PLACEHOLDER, plan_fragments, with_csrf
from tracker.web.session import get_session


def _actor() -> plan.Actor:
    return plan.Actor.of(current_user)


def _changing() -> None:
    """Before a change: this resident's record, one change at a time (reads after this are fresh)."""
    plan.begin_change(get_session(), current_user.id)


def _goal_or_404(goal_id: str):
    try:
        return plan.get_goal(get_session(), current_user.id, goal_id)
    except plan.NotFound:
        abort(404)


for _helper in (goal_item, plan_area, plan_areas, plan_words):
    bp.add_app_template_global(_helper)


@bp.app_context_processor
def _plan_url():
    # Goal URLs are built from this on the plan page: one url_for, not six per goal.
    return {"plan_url": url_for("resident.plan_page")}


@bp.get("/")
def home():
    db = get_session()
    return render_template(
        "resident/home.html", summary=plan.plan_summary(db, current_user.id),
        attention=consent.grants_needing_attention(db, current_user.id),
        looks=consent.looks_in_last_30_days(db, current_user.id),
        providers={p.id: p for p in db.exec(select(Provider)).all()}, button=ButtonForm(),
        account_changes=setup_codes.changes_to_confirm(db, current_user.id),
        referrals=_referrals_for_home(db),
    )


def _referrals_for_home(db):
    """Referrals waiting for the resident's answer, and those with a service now."""
    found = referrals.for_resident(db, current_user.id)
    if any(v.overdue_to_expire for v in found) and referrals.expire_overdue(db, resident_id=current_user.id):
        db.commit()  # (only then: the home page's SQL stays the same whatever is held)
        found = referrals.for_resident(db, current_user.id)
    recent = utcnow() - timedelta(days=30)  # a "could not take it" banner is news for a month
    return [v for v in found
            if v.referral.state in ("waiting", "sent", "accepted", "in_progress")
            or (v.referral.state in ("declined", "expired") and v.referral.changed_at >= recent)]


@bp.get("/plan")
def plan_page():
    """The busiest page. Its goals are rendered once per version of the plan and kept (see
    tracker/pagecache.py); any change to the plan or the catalogue makes a new version."""
    db = get_session()
    locale = request_language()
    resident_id = current_user.id
    cache = plan_fragments()
    if not cache.size:  # switched off: read and render in one go
        return render_template("resident/plan.html", plan_view=plan.read_plan(db, resident_id, locale),
                               saved=directory.saved_services(db, resident_id, locale))
    key = ("plan", resident_id, locale, *plan.plan_version(db, resident_id))

    def render() -> str:
        view = plan.read_plan(db, resident_id, locale)
        return render_template("resident/_plan_areas.html", plan_view=view, csrf_token=lambda: CSRF_PLACEHOLDER)

    areas = with_csrf(cache.get_or_render(key, render))
    return render_template("resident/plan.html", areas=areas, saved=directory.saved_services(db, resident_id, locale))


@bp.get("/plan/print")
def print_plan():
    view = plan.read_plan(get_session(), current_user.id, request_language())
    return render_template("resident/print.html", plan_view=view)


# --- Check-ins ---------------------------------------------------------------------------------


@bp.route("/check-in", methods=["GET", "POST"])
def check_in():
    db = get_session()
    form = CheckInForm.for_resident()
    if form.validate_on_submit():
        _changing()
        plan.record_check_in(db, current_user.id, form.answers(), _actor())
        # The first check-in leads on to choosing goals (a double tap of it too: one check-in so far).
        first_time = len({c.made_at for c in plan.check_ins(db, current_user.id)}) == 1
        db.commit()
        flash(_("Your check-in is saved."), "success")
        return htmx.redirect(url_for("resident.choose_goals") if first_time else url_for("resident.progress"))
    latest = plan.stages_then_and_now(db, current_user.id)[1]
    if request.method == "GET":
        for area, check in latest.items():
            getattr(form, area).data = str(check.stage)
    status = page_status()
    return render_template("resident/check_in.html", form=form, first_time=not latest), status


# --- Choosing goals ----------------------------------------------------------------------------


@bp.route("/plan/choose", methods=["GET", "POST"])
def choose_goals():
    db = get_session()
    if request.method == "POST":
        _changing()
        ids = [n for n in (plain_number(v, 9) for v in request.form.getlist("goal")) if n is not None]
        added = plan.add_catalogue_goals(db, current_user.id, ids, _actor())
        if not added:
            area = request.form.get("area") if request.form.get("area") in set(Area) else None
            return _choose_page(db, area, request.form.get("q", "")[:100], error=_("Choose at least one goal to add"), status=400)
        db.commit()
        flash(_("Added %(num)d goals to your plan.", num=len(added)) if len(added) > 1 else _("Added 1 goal to your plan."), "success")
        return htmx.redirect(url_for("resident.plan_page"))
    area = request.args.get("area")
    if area not in set(Area):
        area = None
    return _choose_page(db, area, request.args.get("q", "")[:100])


def _choose_page(db, area, query, error=None, status=200):
    """One part of the plan at a time (a search looks in all three), the goals that fit the
    resident's last check-in first, each with its own "Add to my plan" button."""
    locale = request_language()
    offered = plan.offered_goals(db)
    in_plan = plan.catalogue_ids_in_plan(db, current_user.id)
    latest = plan.stages_then_and_now(db, current_user.id)[1]
    suggested = plan.suggested_goal_ids({a: c.stage for a, c in latest.items()}, offered, in_plan)
    if area is None and not query:
        # Start where there is a suggestion (the first such part), else with the first part.
        area = next((a.value for a in Area if any(g.area == a and g.id in suggested for g, _ in offered)), Area.DIGITAL.value)
    shown = [(g, steps) for g, steps in offered if (area is None or g.area == area) and matches(g, steps, query, locale)]
    shown.sort(key=lambda item: (item[0].id not in suggested, item[0].id in in_plan))  # stable: catalogue order within
    return render_template(
        "resident/choose.html",
        shown=shown, in_plan=in_plan, suggested=suggested, area=area, query=query, error=error,
    ), status


@bp.route("/plan/goals/new", methods=["GET", "POST"])
def new_goal():
    form = OwnGoalForm()
    if request.method == "GET" and request.args.get("area") in set(Area):
        form.area.data = request.args["area"]
    if form.validate_on_submit():
        db = get_session()
        _changing()
        goal = plan.add_own_goal(db, current_user.id, form.area.data, form.title.data, form.step_lines(), _actor(),
                                 target_date=form.target_date.data)
        db.commit()
        flash(_("Your goal is in your plan."), "success")
        return htmx.redirect(url_for("resident.goal", goal_id=goal.id))
    return render_template("resident/new_goal.html", form=form), page_status()


# --- One goal ----------------------------------------------------------------------------------


@bp.get("/plan/goals/<short_id:goal_id>")
def goal(goal_id):
    db = get_session()
    goal = _goal_or_404(goal_id)
    return _goal_page(db, goal)


def _goal_page(db, goal, note_form=None, status=200):
    view = plan.read_plan(db, current_user.id, request_language(), goal_id=goal.id)
    services, needs = directory.services_for_goal(db, plan.catalogue_code(db, goal), request_language())
    return render_template(
        "resident/goal.html", goal=view.areas[goal.area][0], notes=plan.notes_for_goal(db, goal),
        form=note_form or NoteForm(), services=services, needs=needs,
    ), status


def _ticks(goal_id: str) -> tuple[set[int], bool]:
    """A goal's ticked steps (by place) and its "finished" box, read from the posted form."""
    places = {n for n in (plain_number(v, 3) for v in request.form.getlist(goal_id)) if n is not None}
    return places, goal_id in request.form.getlist("finished")


@bp.post("/plan/areas/<area:area>")
def save_area(area):
    """The plan page's form for one area: the ticks of all its goals. Boxes of goals that are not
    this resident's (or not in this area) are ignored."""
    db = get_session()
    _changing()
    plan.save_area_form(db, current_user.id, area, _ticks, _actor())
    db.commit()
    if htmx.is_htmx_request():  # the area, for htmx to swap in: written out without a template, as every tick waits for it
        view = plan.read_plan(db, current_user.id, request_language(), area=area)
        return plan_area(area, view.areas[area], view, url_for("resident.plan_page"), generate_csrf(), announce=True)
    flash(_("Saved."), "success")
    return htmx.redirect(url_for("resident.plan_page") + f"#area-{area}")


@bp.post("/plan/goals/<short_id:goal_id>")
def save_goal(goal_id):
    """The goal page's form: its ticked steps and whether it is finished."""
    db = get_session()
    _changing()
    goal = _goal_or_404(goal_id)
    plan.save_goal_form(db, goal, *_ticks(goal.id), _actor())
    db.commit()
    if htmx.is_htmx_request():
        view = plan.read_plan(db, current_user.id, request_language(), goal_id=goal.id)
        return render_template("resident/_goal.html", goal=view.areas[goal.area][0], own_form=True, announce=True)
    flash(_("Saved."), "success")
    return htmx.redirect(url_for("resident.goal", goal_id=goal.id))


@bp.post("/plan/goals/<short_id:goal_id>/notes")
def add_note(goal_id):
    db = get_session()
    form = NoteForm()
    if not form.validate_on_submit():
        return _goal_page(db, _goal_or_404(goal_id), note_form=form, status=400)
    _changing()
    goal = _goal_or_404(goal_id)
    plan.add_note(db, goal, _actor(), form.text.data, form.link.data)
    db.commit()
    flash(_("Your note is saved."), "success")
    return htmx.redirect(url_for("resident.goal", goal_id=goal.id) + "#notes")


@bp.route("/plan/goals/<short_id:goal_id>/edit", methods=["GET", "POST"])
def edit_goal(goal_id):
    db = get_session()
    goal = _goal_or_404(goal_id)
    form = EditGoalForm(obj=None)
    if request.method == "GET":
        form.title.data = goal.own_title
        form.target_date.data = goal.target_date
    if form.validate_on_submit():
        _changing()
        goal = _goal_or_404(goal_id)
        plan.edit_goal(db, goal, _actor(), target_date=form.target_date.data, own_title=form.title.data,
                       new_step=form.new_step.data)
        db.commit()
        flash(_("Your changes are saved."), "success")
        return htmx.redirect(url_for("resident.goal", goal_id=goal.id))
    title = plan.goal_title(db, goal)
    return render_template("resident/edit_goal.html", form=form, goal=goal, title=title), page_status()


@bp.route("/plan/goals/<short_id:goal_id>/remove", methods=["GET", "POST"])
def remove_goal(goal_id):
    db = get_session()
    form = ButtonForm()
    if form.validate_on_submit():
        _changing()
        goal = db.get(PlanGoal, goal_id)
        if goal is None or goal.resident_id != current_user.id:
            abort(404)
        if goal.removed_at is None:  # a second tap finds it already removed: the same answer
            plan.remove_goal(db, goal, _actor())
            db.commit()
        flash(_("The goal is no longer in your plan. It is still in your history."), "success")
        return htmx.redirect(url_for("resident.plan_page"))
    goal = _goal_or_404(goal_id)
    return render_template("resident/remove_goal.html", form=form, goal=goal, title=plan.goal_title(db, goal))


# --- Progress and history ----------------------------------------------------------------------


@bp.get("/progress")
def progress():
    from tracker.domain.charts import progress_charts

    db = get_session()
    charts = progress_charts(plan.check_ins(db, current_user.id))
    return render_template("resident/progress.html", charts=charts)


@bp.get("/timeline")
def timeline():
    page = request.args.get("page", "1")
    page = page_number(page)
    events, older = plan.timeline(get_session(), current_user.id, page=page)
    return render_template("resident/timeline.html", events=events, page=page, older=older)
