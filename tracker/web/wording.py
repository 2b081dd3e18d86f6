"""Words the service uses for its fixed ideas (areas, stages, statuses), translated in one place."""

from flask_babel import lazy_gettext as _l

from tracker.domain import about_me, partnership
from tracker.domain.catalogue import localise
from tracker.domain.partnership import AdminActionKind
from tracker.models import (
    ABOUT_ME,
    AccessAction,
    AccountEventKind,
    Area,
    GoalStatus,
    Intake,
    PlanEventKind,
    ProviderKind,
    Role,
    ServiceStatus,
)
from tracker.web.i18n import request_language, request_locale

AREA_NAMES = {
    Area.DIGITAL: _l("Using computers, phones and the internet"),
    Area.FINANCIAL: _l("Managing money"),
    Area.JOB_READINESS: _l("Getting ready for work"),
}
# What can be shared: the plan's areas, and About me (sharing pages, receipts, the access log).
PART_NAMES = {**AREA_NAMES, ABOUT_ME: _l("About me")}
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
    from tracker.domain.catalogue import localise

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

    def names(areas):
        return format_list([str(AREA_SHORT_NAMES[a]).lower() for a in areas], locale=request_locale() or "en")

    parts = []
    if up:
        parts.append(str(_l("you moved up in %(areas)s", areas=names(up))))
    if same:
        parts.append(str(_l("you stayed the same in %(areas)s", areas=names(same))))
    if down:
        parts.append(str(_l("you moved down in %(areas)s", areas=names(down))))
    return str(_l("Since your first check-in, %(changes)s.", changes="; ".join(parts)))


# --- Sharing -----------------------------------------------------------------------------------

FIELD_NAMES = {
    "goal_titles": _l("the names of your goals"),
    "goal_status": _l("whether each goal is not started, in progress or done"),
    "step_status": _l("how many steps of each goal you have ticked"),
    "check_in_stages": _l("where you said you are at each check-in, and when"),
    "last_activity": _l("when you last changed this part of your plan"),
    "notes": _l("your notes and links on these goals"),
}

# Areas as the object of a sentence: "see your digital goals".
AREA_GOALS = {
    Area.DIGITAL: _l("your digital goals"),
    Area.FINANCIAL: _l("your money goals"),
    Area.JOB_READINESS: _l("your job-readiness goals"),
    ABOUT_ME: _l("your About me"),
}

MODE_NAMES = {
    "view": _l("see your progress"),
    "record_progress": _l("see your progress and record progress with you"),
}

CONSENT_STATUS_NAMES = {
    "active": _l("Sharing"),
    "pending": _l("Waiting for you to confirm"),
    "paused": _l("Paused"),
    "on_hold": _l("On hold"),
    "withdrawn": _l("Not sharing"),
    "expired": _l("Ended"),
    "refused": _l("Not sharing"),
    "none": _l("Not sharing"),
}

ACCESS_ACTION_NAMES = {
    "listed_in_dashboard": _l("saw your name and progress in their list of people they help"),
    "opened_plan_area": _l("opened %(goals)s"),
    "recorded_progress": _l("recorded progress on %(goals)s"),
    "appeared_in_search": _l("found you in a search"),
    "exported_summary": _l("included %(goals)s in a download"),
    "listed_as_waiting": _l("saw your name (and nothing else) in their list of people they helped make an account, who have not chosen what to share yet"),
    "opened_referral": _l("looked at the referral you agreed to send them"),
}


def about_me_label(code: str) -> str:
    """An About me question by its words, in the reader's language."""
    spec = about_me.field(code)
    return localise(spec.label, request_language()) if spec else code


def logged_field_labels() -> dict:
    """Every field code the access log may name, in words (admins' audit)."""
    return {**FIELD_LABELS, **{code: about_me_label(code) for code in about_me.field_codes()},
            "about_me_changed": _l("That their About me changed (not what)"), "texts_failed": _l("That we could not text them"),
            "name": _l("Their name")}


def consent_event_sentence(event, long_date) -> str:
    """One plain sentence for a change to a consent, as the resident reads it."""
    values = {"provider": event.provider_name, "goals": str(AREA_GOALS.get(event.area, "")),
              "date": long_date(event.valid_until) if event.valid_until else ""}
    record = "record_progress" in (event.access_modes or [])
    kind = event.event_type
    if kind in ("given", "confirmed"):
        sentence = (_l("You allowed %(provider)s to see and record progress on %(goals)s until %(date)s.") if record
                    else _l("You allowed %(provider)s to see %(goals)s until %(date)s."))
    elif kind == "requested":
        sentence = (_l("You asked for %(provider)s to see and record progress on %(goals)s. It starts when you confirm it.") if record
                    else _l("You asked for %(provider)s to see %(goals)s. It starts when you confirm it."))
    else:
        sentence = {
            "refused": _l("You said no to %(provider)s seeing %(goals)s."),
            "withdrawn": _l("You stopped sharing %(goals)s with %(provider)s."),
            "paused": _l("You paused sharing %(goals)s with %(provider)s."),
            "resumed": _l("You started sharing %(goals)s with %(provider)s again."),
            "renewed": _l("You kept sharing %(goals)s with %(provider)s until %(date)s."),
            "expired": _l("Sharing %(goals)s with %(provider)s ended."),
            "invalidated": _l("%(provider)s changed what they ask to see, so sharing %(goals)s is on hold until you look at the change."),
        }.get(kind)
    text = str(sentence) % values if sentence is not None else kind
    if getattr(event, "fields", None) and kind in ("given", "confirmed", "requested"):
        # About me: which answers, by name.
        text += " " + str(_l("Answers shared: %(fields)s.", fields=", ".join(about_me_label(code) for code in event.fields)))
    if event.method == "assisted_in_person":
        text += " " + str(_l("Recorded by %(name)s, %(provider)s, with you present.", name=event.actor_name,
                             provider=event.actor_provider or ""))
    elif event.method == "system":
        text += " " + str(_l("Recorded by Me and My Learning."))
    return text


def access_sentence(entry) -> str:
    """What one look at the plan was, as the resident reads it (without who: shown beside it)."""
    shown = list(entry.fields_disclosed or [])
    if shown == ["texts_failed"]:
        return str(_l("saw that we could not text you (they did not see your number)"))
    if entry.area == ABOUT_ME:
        answers = "; ".join(about_me_label(code) for code in shown)
        if entry.action == AccessAction.OPENED:
            return str(_l("opened your About me: %(answers)s", answers=answers)) if answers else str(_l("opened your About me"))
        if entry.action == AccessAction.RECORDED:
            return str(_l("wrote in your About me with you: %(answers)s", answers=answers)) if answers else str(_l("wrote in your About me with you"))
        if shown == ["about_me_changed"]:
            return str(_l("saw in their list that your About me changed (not what)"))
        return str(_l("saw that you share your About me with them"))
    action = ACCESS_ACTION_NAMES.get(entry.action)
    if action is None:
        return entry.action
    return str(action) % {"goals": str(AREA_GOALS.get(entry.area, ""))} if "%(goals)s" in str(action) else str(action)


ROLE_NAMES = {
    "resident": _l("resident"),
    "tutor": _l("tutor"),
    "provider_staff": _l("staff"),
    "admin": _l("administrator"),
    "system": _l("Me and My Learning"),
}


def look_summary_sentence(summary) -> str:
    """"3 people from 2 organisations looked at your plan in the last 30 days.\""""
    from flask_babel import ngettext

    if not summary.people:
        return str(_l("Nobody looked at your plan in the last 30 days."))
    people = ngettext("%(num)d person", "%(num)d people", summary.people)
    organisations = ngettext("%(num)d organisation", "%(num)d organisations", summary.organisations)
    return str(_l("%(people)s from %(organisations)s looked at your plan in the last 30 days.", people=people,
                  organisations=organisations))


CONSENT_CHANGE_NAMES = {
    "given": _l("Said yes"),
    "requested": _l("Recorded, waiting for the person to confirm"),
    "confirmed": _l("Confirmed"),
    "refused": _l("Said no"),
    "withdrawn": _l("Stopped sharing"),
    "paused": _l("Paused"),
    "resumed": _l("Started again"),
    "renewed": _l("Kept sharing"),
    "expired": _l("Ended"),
    "invalidated": _l("Put on hold (the organisation changed what it asks for)"),
}


# The reason recorded when a resident appears in a list (caseload, dashboard, search, export).
LIST_PURPOSE_TEXT = _l("to show you in their list of people they help")
REFERRAL_PURPOSE_TEXT = _l("to answer the referral you agreed to")


# A referral's state, as the resident, the referrer and the receiving service all read it.
REFERRAL_STATE_NAMES = {
    "waiting": _l("Waiting for your answer"),
    "sent": _l("Sent: waiting for a reply"),
    "accepted": _l("Accepted"),
    "declined": _l("Not accepted"),
    "in_progress": _l("Getting help"),
    "closed": _l("Closed"),
    "withdrawn": _l("Taken back"),
    "expired": _l("No reply in time"),
}
# The same, for staff (the resident is "the resident", not "you").
REFERRAL_STATE_NAMES_STAFF = {**REFERRAL_STATE_NAMES, "waiting": _l("Waiting for the resident")}
REFERRAL_STATE_TAGS = {"waiting": "yellow", "sent": "blue", "accepted": "green", "in_progress": "green", "declined": "orange",
                       "expired": "orange", "closed": "grey", "withdrawn": "grey"}

DECLINE_REASON_NAMES = {
    "not_eligible": _l("They are not eligible for this service"),
    "no_capacity": _l("We have no space at the moment"),
    "not_what_we_do": _l("This is not something we help with"),
    "could_not_contact": _l("We could not get in touch with them"),
    "other": _l("Another reason"),
}

REFERRAL_OUTCOME_NAMES = {
    "got_help": _l("Got help"),
    "could_not_contact": _l("Could not get in touch"),
    "no_capacity": _l("No space to help"),
    "not_eligible": _l("Not eligible"),
    "no_longer_needed": _l("No longer needed"),
}

REFERRAL_EVENT_NAMES = {
    "made": _l("Referral written"),
    "took_up_suggestion": _l("The resident went on to look at what the service asks to see"),
    "agreed": _l("The resident agreed and it was sent"),
    "said_no": _l("The resident said no"),
    "withdrawn": _l("The resident took it back"),
    "sharing_stopped": _l("The resident stopped sharing, so it was taken back"),
    "got_help": _l("The resident said they got help"),
    "not_heard": _l("The resident said they have not heard anything"),
    "outcome_shared": _l("The resident changed who can see how it went"),
    "accepted": _l("Accepted by the service"),
    "declined": _l("Not accepted by the service"),
    "started": _l("The service started helping"),
    "closed": _l("Closed by the service"),
    "expired": _l("No reply from the service within 14 days"),
}


def account_event_sentence(event) -> str:
    """One plain sentence for a change to the resident's account, naming who did it: "Jo at
    Melton Adult Learning", or "Ada, an administrator"."""
    if event.actor_provider:
        who = str(_l("%(name)s at %(provider)s", name=event.actor_name, provider=event.actor_provider))
    elif event.actor_role == "admin":
        who = str(_l("%(name)s (an administrator)", name=event.actor_name))
    else:
        who = event.actor_name
    sentences = {
        "created_by_tutor": _l("%(who)s created your account with you and gave you a set-up code to choose your password."),
        "setup_code_issued": _l("%(who)s gave you a new set-up code. You were signed out everywhere."),
        "reset_requested": _l("%(who)s asked an administrator to give you a new set-up code."),
        "password_set_with_code": _l("A new password was chosen with the set-up code from %(who)s."),
        "first_password_set": _l("Your first password was chosen with the set-up code from %(who)s."),
        "password_set": _l("A password was chosen with a set-up code."),
        "password_changed": _l("You changed your password."),
        "password_reset_by_text": _l("A new password was chosen with a code texted to your number. You were signed out everywhere."),
    }
    sentence = sentences.get(event.kind)
    return str(sentence) % {"who": who} if sentence is not None else event.kind


# --- The admin's words: organisations, staff, sharing notices and the audit ----------------------

PROVIDER_KIND_NAMES = {
    ProviderKind.COUNCIL: _l("Council team"),
    ProviderKind.ADULT_LEARNING: _l("Adult learning"),
    ProviderKind.EMPLOYMENT_SUPPORT: _l("Employment support"),
    ProviderKind.MONEY_ADVICE: _l("Money advice"),
    ProviderKind.HOUSING: _l("Housing"),
    ProviderKind.LIBRARY: _l("Library"),
    ProviderKind.OTHER: _l("Something else"),
}

# What a provider can ask to see, as the admin reads it (consent.FIELD_CODES).
FIELD_LABELS = {
    "goal_titles": _l("The names of their goals"),
    "goal_status": _l("Whether each goal is not started, in progress or done"),
    "step_status": _l("How many steps of each goal they have ticked"),
    "check_in_stages": _l("Their check-in answers (where they are, and when)"),
    "last_activity": _l("When they last changed this part of their plan"),
    "notes": _l("Their notes and links (free text: ask for this only if you need it)"),
}

# The same reasons as the admin reads them on the audit page.
PURPOSE_LABELS = {
    "plan_support": _l("Helping with the plan"),
    "progress_review": _l("Reviewing progress"),
    "referral_followup": _l("Following up a referral"),
    "caseload_list": _l("Listing among the people they help"),
}

STAFF_ROLE_NAMES = {
    Role.TUTOR: _l("Tutor"),
    Role.PROVIDER_STAFF: _l("Provider staff"),
    Role.ADMIN: _l("Administrator"),
}

ADMIN_ACTION_NAMES = {
    AdminActionKind.PROVIDER_CREATED: _l("Added an organisation"),
    AdminActionKind.PROVIDER_EDITED: _l("Changed an organisation's details"),
    AdminActionKind.PROVIDER_DEACTIVATED: _l("Deactivated an organisation"),
    AdminActionKind.PROVIDER_REACTIVATED: _l("Reactivated an organisation"),
    AdminActionKind.NOTICE_PUBLISHED: _l("Published a sharing notice"),
    AdminActionKind.STAFF_INVITED: _l("Invited a member of staff"),
    AdminActionKind.STAFF_CODE_ISSUED: _l("Gave a member of staff a new code"),
    AdminActionKind.STAFF_ROLE_CHANGED: _l("Changed a member of staff's role"),
    AdminActionKind.STAFF_DEACTIVATED: _l("Deactivated a member of staff"),
    AdminActionKind.STAFF_REACTIVATED: _l("Reactivated a member of staff"),
    AdminActionKind.RESET_CODE_GIVEN: _l("Gave a resident a new set-up code"),
    AdminActionKind.RESET_REQUEST_CLOSED: _l("Closed a request for a new set-up code"),
    AdminActionKind.GOAL_CREATED: _l("Added a goal"),
    AdminActionKind.GOAL_EDITED: _l("Edited a goal"),
    AdminActionKind.GOAL_RETIRED: _l("Retired a goal"),
    AdminActionKind.GOAL_RESTORED: _l("Offered a retired goal again"),
    AdminActionKind.STEP_RETIRED: _l("Retired a step"),
    AdminActionKind.STEP_RESTORED: _l("Offered a retired step again"),
    AdminActionKind.SERVICE_CREATED: _l("Added a service to the directory"),
    AdminActionKind.SERVICE_EDITED: _l("Changed a service in the directory"),
    AdminActionKind.SERVICE_CHECKED: _l("Said a service in the directory is still right"),
}

ACCOUNT_EVENT_NAMES = {
    AccountEventKind.CREATED_BY_TUTOR: _l("Account made with a tutor"),
    AccountEventKind.SETUP_CODE_ISSUED: _l("New set-up code given"),
    AccountEventKind.RESET_REQUESTED: _l("New set-up code asked for"),
    AccountEventKind.PASSWORD_SET_WITH_CODE: _l("Password chosen with a set-up code"),
    AccountEventKind.PASSWORD_SET: _l("Password chosen with a set-up code"),
    AccountEventKind.FIRST_PASSWORD_SET: _l("First password chosen with the code of a new account"),
    AccountEventKind.PASSWORD_CHANGED: _l("Password changed by the resident"),
    AccountEventKind.PASSWORD_RESET_BY_TEXT: _l("New password chosen with a code by text"),
}

AUDIT_ACCESS_NAMES = {
    AccessAction.LISTED: _l("Listed in a dashboard"),
    AccessAction.OPENED: _l("Opened part of a plan"),
    AccessAction.RECORDED: _l("Recorded progress"),
    AccessAction.SEARCHED: _l("Appeared in a search"),
    AccessAction.EXPORTED: _l("Included in a download"),
    AccessAction.LISTED_WAITING: _l("Listed as not having chosen yet (name only)"),
}


def resident_pseudonym(resident_id: str) -> str:
    """How a resident appears to admins, in the admin's language."""
    from flask import current_app

    return str(_l("Resident %(tag)s", tag=partnership.pseudonym_tag(resident_id, current_app.config["SECRET_KEY"])))

# Services in the directory: whether one is running, and whether it takes new people.
SERVICE_STATUS_NAMES = {
    ServiceStatus.ACTIVE: _l("Running"),
    ServiceStatus.TEMPORARILY_CLOSED: _l("Closed for now"),
    ServiceStatus.INACTIVE: _l("Not running at the moment"),
    ServiceStatus.DEFUNCT: _l("Closed for good"),
}
SERVICE_STATUS_HINTS = {
    ServiceStatus.ACTIVE: _l("Residents see it, and can be referred to it."),
    ServiceStatus.TEMPORARILY_CLOSED: _l("Residents see it, marked closed for now."),
    ServiceStatus.INACTIVE: _l("Residents do not see it. Other directories see it as inactive."),
    ServiceStatus.DEFUNCT: _l("Nobody sees it any more."),
}
INTAKE_NAMES = {
    Intake.TAKING_REFERRALS: _l("Taking new people"),
    Intake.WAITING_LIST: _l("Waiting list"),
    Intake.NOT_TAKING: _l("Not taking new people now"),
    Intake.UNKNOWN: _l("Ask if they are taking new people"),
}
