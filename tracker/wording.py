"""Words the service uses for its fixed ideas (areas, stages, statuses), translated in one place."""

from flask_babel import lazy_gettext as _l

from .models import Area, GoalStatus, PlanEventKind

AREA_NAMES = {
    Area.DIGITAL: _l("Using computers, phones and the internet"),
    Area.FINANCIAL: _l("Managing money"),
    Area.JOB_READINESS: _l("Getting ready for work"),
}
AREA_SHORT_NAMES = {
    Area.DIGITAL: _l("Digital"),
    Area.FINANCIAL: _l("Money"),
    Area.JOB_READINESS: _l("Work"),
}

# Our own five-stage scale (the Outcomes Star's wording is licensed and not used).
STAGE_NAMES = {
    1: _l("Not started"),
    2: _l("Getting help"),
    3: _l("Trying"),
    4: _l("Mostly on my own"),
    5: _l("Confident"),
}
STAGE_HINTS = {
    1: _l("I have not tried this yet"),
    2: _l("I can do some things when someone helps me"),
    3: _l("I am trying things on my own, sometimes with help"),
    4: _l("I can do most things on my own"),
    5: _l("I can do this and could show someone else"),
}

STATUS_NAMES = {
    GoalStatus.NOT_STARTED: _l("Not started"),
    GoalStatus.IN_PROGRESS: _l("In progress"),
    GoalStatus.DONE: _l("Done"),
}


def event_who(event, viewer_id: str) -> str:
    """Who made a change, as the resident reads it: "You", or "Jo, Melton Adult Learning"."""
    if event.actor_id == viewer_id:
        return str(_l("You"))
    if event.actor_provider:
        return str(_l("%(name)s, %(provider)s", name=event.actor_name, provider=event.actor_provider))
    return event.actor_name


def event_sentence(event, locale: str) -> str:
    """One plain sentence for a plan event, in the reader's language."""
    from .catalogue import localise

    subject = localise(event.subject, locale)
    after = event.after or {}
    before = event.before or {}
    kind = event.kind
    if kind == PlanEventKind.GOAL_ADDED:
        return str(_l("Added the goal “%(goal)s”.", goal=subject))
    if kind == PlanEventKind.GOAL_REMOVED:
        return str(_l("Removed the goal “%(goal)s”.", goal=subject))
    if kind == PlanEventKind.GOAL_EDITED:
        return str(_l("Changed the goal “%(goal)s”.", goal=subject))
    if kind == PlanEventKind.GOAL_STATUS_CHANGED:
        return str(_l("Marked the goal “%(goal)s” as %(status)s (it was %(before)s).", goal=subject,
                      status=str(STATUS_NAMES.get(after.get("status"), "")).lower(),
                      before=str(STATUS_NAMES.get(before.get("status"), "")).lower()))
    if kind == PlanEventKind.STEP_DONE:
        return str(_l("Ticked the step “%(step)s”.", step=subject))
    if kind == PlanEventKind.STEP_UNDONE:
        return str(_l("Unticked the step “%(step)s”.", step=subject))
    if kind == PlanEventKind.NOTE_ADDED:
        return str(_l("Added a note to the goal “%(goal)s”.", goal=subject))
    if kind == PlanEventKind.CHECK_IN_MADE:
        return str(_l("Checked in for %(area)s: %(stage)s.", area=str(AREA_NAMES.get(event.area, "")).lower(),
                      stage=STAGE_NAMES.get(after.get("stage"), "")))
    return kind


def area_sentence(chart) -> str:
    """The plain sentence under an area's chart."""
    from flask_babel import format_date

    first, latest = chart.first, chart.latest
    if first is None:
        return str(_l("You have not checked in for this yet."))
    if first.id == latest.id:
        return str(_l("You checked in once, on %(date)s: %(stage)s.", date=format_date(first.made_at, "d MMMM yyyy"),
                      stage=STAGE_NAMES[first.stage]))
    values = {"date": format_date(first.made_at, "d MMMM yyyy"), "first": STAGE_NAMES[first.stage], "latest": STAGE_NAMES[latest.stage]}
    if latest.stage > first.stage:
        return str(_l("Since %(date)s you have moved up from %(first)s to %(latest)s.", **values))
    if latest.stage < first.stage:
        return str(_l("Since %(date)s you have moved from %(first)s to %(latest)s. That is all right: things change, and you can check in again at any time.", **values))
    return str(_l("Since %(date)s you have stayed at %(latest)s.", **values))


def then_and_now_sentence(progress) -> str:
    """One sentence across the three areas: where the resident went up, stayed or went down."""
    up, same, down = progress.moved(1), progress.moved(0), progress.moved(-1)
    from babel.lists import format_list
    from flask_babel import get_locale

    def names(areas):
        return format_list([str(AREA_SHORT_NAMES[a]).lower() for a in areas], locale=get_locale() or "en")

    parts = []
    if up:
        parts.append(str(_l("you moved up in %(areas)s", areas=names(up))))
    if same:
        parts.append(str(_l("you stayed the same in %(areas)s", areas=names(same))))
    if down:
        parts.append(str(_l("you moved down in %(areas)s", areas=names(down))))
    return str(_l("Since your first check-in, %(changes)s.", changes="; ".join(parts)))
