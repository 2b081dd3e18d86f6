"""A plan's areas and goals as HTML, written out in Python: the inner loop of the busiest page.

The plan page lists every step of every goal (about 180 checkboxes for a plan of 30 goals), and a
tick sends its whole area back. Through Jinja — an include per area and per goal, a loop per step,
a gettext call per goal and per area — that cost about 7 ms a view, more than the rest of the page;
written out here it is under 1 ms (docs/benchmarks.md, issue 11). The templates keep the page
(``resident/plan.html``) and call ``plan_areas`` (through ``_plan_areas.html`` when the page cache
keeps them), as ``_goal.html`` (a goal's own page) calls ``goal_item``; the area a tick sends back
is ``plan_area``'s, with no template.

The markup is GOV.UK Frontend's task list, kept lean on purpose (the page must stay under 60 KB):
one form per area on the plan page; each box is named by the goal's id and its value is the
step's place (1 = first), so ``save_area`` reads ticks without step ids; "I have finished this goal"
is a box in the same form; without JavaScript the area's Save button sends every tick at once.
Everything that comes from a plan (titles, step texts, ids) is escaped; the fixed words are
translated and escaped once per page (``PlanWords``), and so are the values put in their
placeholders.
"""

from __future__ import annotations

from flask import g, url_for
from markupsafe import Markup

from tracker.web.i18n import request_locale
from tracker.web.templating import long_date, name_in, request_translations
from tracker.web.templating import text_html as _html
from tracker.web.wording import AREA_NAMES, AREA_SHORT_NAMES, STAGE_NAMES, STATUS_NAMES


class PlanWords:
    """Every fixed word of the plan page, its areas and goals, translated once per page (as escaped
    HTML, but for the page's heading and links); and the links every area has."""

    def __init__(self):
        translations = request_translations()
        _ = translations.ugettext
        self.ngettext = translations.ungettext
        # A goal
        self.steps = _html(_("Steps"))
        self.steps_done = _html(_("%(done)d of %(total)d steps done"))
        self.no_steps = _html(_("No steps yet"))
        self.target = _html(_("Target: %(date)s"))
        self.done = _html(_("Done"))
        self.in_progress = _html(_("In progress"))
        self.not_started = _html(_("Not started"))
        self.save = _html(_("Save"))
        self.finished = _html(_("I have finished this goal"))
        self.saved = _html(_("Saved. %(done)d of %(total)d steps done. Goal: %(status)s."))
        # An area
        self.saved_area = _html(_("Saved."))
        self.where_now = _html(_("Where you are now:"))
        self.first_check_in = _html(_("at your first check-in: %(stage)s"))
        self.save_ticks = _html(_("Save my ticks for %(area)s"))
        self.no_goals = _html(_("No goals here yet."))
        self.choose_goal = _html(_("Choose a goal for %(area)s"))
        self.write_own = _html(_("Write your own goal"))
        # The plan page's heading and links (text, for resident/plan.html to escape), and the
        # prompt before the first check-in
        self.my_plan = _("My plan")
        self.choose_goals = _("Choose goals")
        self.check_in_again = _("Check in again")
        self.how_far = _("How far I have come")
        self.print_plan = _("Print my plan")
        self.check_in_first = _html(_("Start with a quick check-in: where are you now?"))
        self.check_in = _html(_("Check in"))
        # Links each area has (with ?area=…), built once
        self.choose_url = _html(url_for("resident.choose_goals"))
        self.new_goal_url = _html(url_for("resident.new_goal"))
        self._names: dict = {}
        self._notes: dict[int, str] = {}

    def notes(self, count: int) -> str:
        """ "3 notes", in the plural form the language needs."""
        words = self._notes.get(count)
        if words is None:
            words = self._notes[count] = _html(self.ngettext("%(num)d note", "%(num)d notes", count) % {"num": count})
        return words

    def _name(self, table: dict, key) -> str:
        name = self._names.get((id(table), key))
        if name is None:
            name = self._names[(id(table), key)] = _html(name_in(table, key))
        return name


    def area_name(self, area: str) -> str:
        return self._name(AREA_NAMES, area)

    def area_short_name(self, area: str) -> str:
        return self._name(AREA_SHORT_NAMES, area)

    def stage_name(self, stage: int) -> str:
        return self._name(STAGE_NAMES, stage)

    def status_name(self, status: str) -> str:
        return self._name(STATUS_NAMES, status)


def plan_words() -> PlanWords:
    """This request's words (the plan page, an area sent back after a tick, a goal's page)."""
    locale = request_locale()
    kept = g.get("_plan_words")
    if kept is None or kept[0] is not locale:  # a forced language gets its own words
        kept = g._plan_words = (locale, PlanWords())
    return kept[1]


def plan_area(area: str, goals, plan_view, plan_url: str, csrf_token: str, announce: bool = False) -> Markup:
    """One area of the plan as a section: where the resident is now, and its goals in one form.
    With JavaScript, ticking a box sends the form at once and htmx swaps this section (then
    ``announce`` says "Saved." to screen readers); without it, the Save button at the end sends
    every tick of the area in one go."""
    w = plan_words()
    name = w.area_name(area)
    aid, plan_url = _html(area), _html(plan_url)  # ours (an area's code, url_for), but attribute values all the same
    parts = [f'<section class="app-area" id="area-{aid}" aria-labelledby="h-{aid}">\n'
             f'<h2 class="govuk-heading-m" id="h-{aid}">{name}</h2>\n']
    first, latest = plan_view.first_stage.get(area), plan_view.latest_stage.get(area)
    if latest:
        then = ""
        if first and first.id != latest.id:
            then = " (" + w.first_check_in % {"stage": w.stage_name(first.stage)} + ")"
        parts.append(f'<p class="govuk-body">{w.where_now} <strong>{w.stage_name(latest.stage)}</strong>{then}</p>\n')
    if goals:
        parts.append(f'<form method="post" action="{plan_url}/areas/{aid}" data-hx-post="{plan_url}/areas/{aid}"'
                     f' data-hx-target="closest section" data-hx-swap="outerHTML">\n'
                     f'<input type="hidden" name="csrf_token" value="{_html(csrf_token)}">\n<ul class="govuk-task-list app-goals">\n')
        parts.extend([_goal(goal, plan_url, w) for goal in goals])
        save = w.save_ticks % {"area": w.area_short_name(area).lower()}
        parts.append(f'</ul>\n<button class="govuk-button govuk-button--secondary app-js-hidden">{save}</button>\n</form>\n')
    else:
        parts.append(f'<p class="govuk-body">{w.no_goals}</p>\n')
    choose = w.choose_goal % {"area": name.lower()}
    parts.append(f'<p class="govuk-body app-no-print"><a class="govuk-link" href="{w.choose_url}?area={aid}">'
                 f'{choose}</a> · <a class="govuk-link" href="{w.new_goal_url}?area={aid}">{w.write_own}</a></p>\n')
    if announce:
        parts.append(f'<div id="app-status" data-hx-swap-oob="innerHTML">{w.saved_area}</div>')
    parts.append("</section>")
    return Markup("".join(parts))  # noqa: S704 (every value from the plan is escaped above)


def plan_areas(plan_view, plan_url: str, csrf_token: str) -> Markup:
    """The plan's three areas; before them, until the first check-in, a button to make it."""
    parts = []
    if not plan_view.has_checked_in:
        w = plan_words()
        parts.append(f'<div class="govuk-inset-text">\n<p class="govuk-body">{w.check_in_first}</p>\n'
                     f'<a class="govuk-button govuk-!-margin-bottom-0" data-module="govuk-button" href="{_html(url_for("resident.check_in"))}">{w.check_in}</a>\n'
                     '</div>\n')
    parts.extend([plan_area(area, goals, plan_view, plan_url, csrf_token) for area, goals in plan_view.areas.items()])
    return Markup("".join(parts))  # noqa: S704 (built by plan_area)


def goal_item(goal, plan_url: str, own_form: bool = False, announce: bool = False, csrf_token: str = "") -> Markup:
    """One goal (a ``GoalView``) as a GOV.UK task list item: title, status, hint, its steps and "I
    have finished this goal". On the plan page its boxes belong to the area's form; on the goal's
    own page (``own_form``) the item holds its own form and Save button, and ``announce`` adds
    the words that tell a screen reader what was saved."""
    return Markup(_goal(goal, _html(plan_url), plan_words(), own_form, announce, csrf_token))  # noqa: S704 (escaped in _goal)


def _goal(goal, plan_url: str, w: PlanWords, own_form: bool = False, announce: bool = False, csrf_token: str = "") -> str:
    steps = goal.steps
    gid, title = _html(goal.id), _html(goal.title)
    status = goal.status
    if status == "done":
        tag = w.done
    elif status == "in_progress":
        tag = f'<strong class="govuk-tag">{w.in_progress}</strong>'
    else:
        tag = f'<strong class="govuk-tag govuk-tag--grey">{w.not_started}</strong>'
    hint = w.steps_done % {"done": goal.steps_done, "total": len(steps)} if steps else w.no_steps
    if goal.target_date:
        hint += " · " + w.target % {"date": _html(long_date(goal.target_date))}
    if goal.notes and not own_form:
        hint += " · " + w.notes(goal.notes)
    if own_form:
        title = f'<p class="app-goal__title" id="t{gid}">{w.steps}</p>'
        form = (f'<form method="post" action="{plan_url}/goals/{gid}" data-hx-post="{plan_url}/goals/{gid}" data-hx-target="closest li"'
                f' data-hx-swap="outerHTML"><input type="hidden" name="csrf_token" value="{_html(csrf_token)}">')
    else:
        title = f'<h3 class="app-goal__title" id="t{gid}"><a class="govuk-link" href="{plan_url}/goals/{gid}">{title}</a></h3>'
        form = ""
    parts = [f'<li class="govuk-task-list__item app-goal" id="g{gid}">\n{title}\n'
             f'<div class="govuk-task-list__status">{tag}</div>\n<div class="govuk-task-list__hint">{hint}</div>\n'
             f'{form}<ul class="app-steps" aria-labelledby="t{gid}">\n']
    for place, step in enumerate(steps, start=1):  # the hot loop: about 180 times per page
        sid, text = _html(step.id), _html(step.text)
        parts.append(f'<li><input id="s{sid}" name="{gid}" type="checkbox" value="{place}"{" checked" if step.done else ""}>'
                     f'<label for="s{sid}">{text}</label>\n')
    parts.append(f'<li class="app-steps__finish"><input id="f{gid}" name="finished" type="checkbox" value="{gid}"'
                 f'{" checked" if status == "done" else ""}><label for="f{gid}">{w.finished}</label>\n</ul>\n')
    if own_form:
        parts.append(f'<button class="govuk-button govuk-button--secondary app-js-hidden">{w.save}</button></form>\n')
        if announce:
            saved = w.saved % {"done": goal.steps_done, "total": len(steps), "status": w.status_name(status)}
            parts.append(f'<div id="app-status" data-hx-swap-oob="innerHTML">{saved}</div>\n')
    parts.append("</li>")
    return "".join(parts)
