"""What every template can use: the service name, languages, the time-out, the error summary."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel.dates import format_date as babel_format_date
from flask import current_app, g, request, url_for
from flask_babel import format_date, format_decimal, format_time, get_translations, ngettext, to_user_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from govuk_frontend_wtf.main import wtforms_errors
from jinja2 import pass_context
from markupsafe import Markup

from tracker.clock import utcnow
from tracker.domain import accounts
from tracker.domain.catalogue import localise
from tracker.models import Role
from tracker.web.i18n import request_language, request_locale
from tracker.web.roles import HOME_ENDPOINTS, home_url
from tracker.web.wording import (
    AREA_GOALS,
    AREA_NAMES,
    AREA_SHORT_NAMES,
    CONSENT_CHANGE_NAMES,
    CONSENT_STATUS_NAMES,
    DECLINE_REASON_NAMES,
    FIELD_NAMES,
    LIST_PURPOSE_TEXT,
    MODE_NAMES,
    PART_NAMES,
    REFERRAL_EVENT_NAMES,
    REFERRAL_OUTCOME_NAMES,
    REFERRAL_PURPOSE_TEXT,
    REFERRAL_STATE_NAMES,
    REFERRAL_STATE_NAMES_STAFF,
    REFERRAL_STATE_TAGS,
    ROLE_NAMES,
    STAGE_NAMES,
    STATUS_NAMES,
    about_me_label,
    access_sentence,
    account_event_sentence,
    area_sentence,
    consent_event_sentence,
    event_sentence,
    event_who,
    look_summary_sentence,
    then_and_now_sentence,
)

SERVICE_NAME = _l("Me and My Learning")


def error_summary_params(form) -> dict:
    """GOV.UK error summary parameters for a WTForms form, with a translated title."""
    return wtforms_errors(form, {"titleText": _("There is a problem")})


# The header links for each audience: (endpoint, label). Later pages add theirs here.
NAVIGATION = {
    Role.RESIDENT: [
        (HOME_ENDPOINTS[Role.RESIDENT], _l("Home")),
        ("resident.plan_page", _l("My plan")),
        ("resident.progress", _l("My progress")),
        ("resident.about", _l("About me")),
        ("resident.sharing", _l("Sharing")),
        ("resident.my_data", _l("My data")),
        ("public.find_help", _l("Find help")),
    ],
    Role.TUTOR: [(HOME_ENDPOINTS[Role.TUTOR], _l("Home"))],
    Role.PROVIDER_STAFF: [(HOME_ENDPOINTS[Role.PROVIDER_STAFF], _l("Home")), ("provider.figures", _l("Figures"))],
    Role.ADMIN: [
        (HOME_ENDPOINTS[Role.ADMIN], _l("Home")),
        ("admin.providers", _l("Organisations")),
        ("admin.staff", _l("Staff")),
        ("admin.catalogue", _l("Goals")),
        ("admin.audit", _l("Audit")),
    ],
}
ACCOUNT_LINK = ("auth.change_password", _l("Password"))
_NAVIGATION_LABELS = {endpoint: label for links in [*NAVIGATION.values(), [ACCOUNT_LINK]] for endpoint, label in links}


def request_translations():
    """This request's translations, looked up once per locale. flask_babel's gettext() and Jinja's
    _() look them up again for every text (its context, domain, locale, then its cache: about 25 µs,
    as much as writing out a paragraph), and a page has 20 to 200 texts. Kept with the locale they
    are for, so that text written in another language inside a request (force_locale) is too."""
    locale = request_locale()
    if locale is None:  # no app context: flask_babel's own answer (no translations)
        return get_translations()
    kept = g.get("_request_translations")
    if kept is None or kept[0] is not locale:
        kept = g._request_translations = (locale, get_translations())
    return kept[1]


# Jinja's _(), gettext() and ngettext(), as its i18n extension makes them with newstyle=True
# (autoescaped; the result always a format string, so "%%" is "%"; ngettext's ``num`` filled in),
# but each one call: the extension's _() resolves gettext from the context and calls it through
# the context, which calls our function through it again (about 9 µs a text against 4 µs here;
# a page frame has about 20).
def _as_template_text(context, text: str, variables: dict):
    if context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 (as Jinja's own: our catalogues' words; the variables are escaped by %)
    return text % variables if variables or "%" in text else text


@pass_context
def _template_gettext(context, string, /, **variables):
    return _as_template_text(context, request_translations().ugettext(string), variables)


@pass_context
def _template_ngettext(context, singular, plural, num, /, **variables):
    variables.setdefault("num", num)
    return _as_template_text(context, request_translations().ungettext(singular, plural, num), variables)


def signed_in_user():
    """The signed-in person, for the page frame; None when signed out, and while the database is
    failing (the error page must render without it: reading the person would need the database)."""
    if g.get("database_unavailable") or not (current_user and current_user.is_authenticated):
        return None
    return current_user


def navigation_items() -> list[dict]:
    """GOV.UK service navigation items for the signed-in person, the current page marked."""
    if signed_in_user() is None:
        return []
    links = NAVIGATION[Role(current_user.role)]
    if current_user.role != Role.RESIDENT:  # residents find it on "My data"
        links = [*links, ACCOUNT_LINK]
    # The links' addresses never change while the app runs: worked out once, not on every page
    # (url_for for seven links was a twentieth of a plan page).
    hrefs = current_app.extensions.setdefault("navigation_hrefs", {})
    for endpoint, _label in links:
        if endpoint not in hrefs:
            hrefs[endpoint] = url_for(endpoint)
    return [{"href": hrefs[endpoint], "text": name_in(_NAVIGATION_LABELS, endpoint), "current": request.endpoint == endpoint}
            for endpoint, _label in links]


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


def character_count_params(**extra) -> dict:
    """Parameters for the GOV.UK character count, its messages translated. GOV.UK Frontend's
    JavaScript fills in ``%{count}`` and picks the plural form by CLDR category (Polish has
    "few" and "many" besides "one"); we fill each category with the matching gettext form."""
    count = "%{count}"
    samples = {"one": 1, "few": 2, "many": 5, "other": 5}

    params = {
        "textareaDescriptionText": _("You can enter up to %(count)s characters", count=count),
        "charactersUnderLimitText": {
            key: ngettext("You have %(count)s character remaining", "You have %(count)s characters remaining", n, count=count)
            for key, n in samples.items()
        },
        "charactersAtLimitText": _("You have 0 characters remaining"),
        "charactersOverLimitText": {
            key: ngettext("You have %(count)s character too many", "You have %(count)s characters too many", n, count=count)
            for key, n in samples.items()
        },
    }
    params.update(extra)
    return params


def _localise(texts) -> str:
    return localise(texts, request_language())


def long_date(value) -> str:
    """"1 December 2026" in the reader's language and the service's time zone."""
    if not value:
        return ""
    day = to_user_timezone(value).date() if isinstance(value, datetime) else value
    return _day_in_words(day, request_language())


@lru_cache(maxsize=2048)
def _day_in_words(day: date, locale: str) -> str:
    # Babel takes about 0.2 ms a date; a staff list shows 50 of them, mostly the same few days.
    return babel_format_date(day, "d MMMM yyyy", locale=locale)


def text_html(value) -> str:
    """A value as text in HTML written in Python (the plan's areas, the staff lists' rows),
    escaped exactly as Jinja would (markupsafe's five characters and entities), as a plain string
    for f-strings. str() first: flask-babel's lazy strings and Markup have ``__html__``, which
    escape() would trust as markup; here everything is text. Most values (a step's words, an id)
    hold none of the five, and a plan page escapes about 430 of them: looking before replacing
    takes a fifth of the time markupsafe's escape() and the Markup round trip took."""
    text = str(value)
    if type(text) is not str:  # a __str__ that answers Markup: its own replace() would escape again
        text = str.__str__(text)
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;")
    return text


def name_in(table: dict, key) -> str:
    """A name from one of wording.py's tables (or the menu) in the reader's language. The tables
    and the catalogues never change while the app runs, so each name is translated once per
    language and kept with the app: a staff list names an area or a stage on every row, every page
    names the menu's links, and each translation costs about 7 µs."""
    tables = current_app.extensions.setdefault("tracker_names_in_language", {})
    kept = tables.get(id(table))
    if kept is None or kept[0] is not table:  # (kept with the table, so its id is never another's)
        kept = tables[id(table)] = (table, {})
    locale = request_locale()
    found = kept[1].get((key, locale))
    if found is None:
        found = str(table.get(key, ""))
        if key in table:  # (a code no table knows is not kept)
            kept[1][(key, locale)] = found
    return found


def init_app(app) -> None:
    # Templates loop over whole plans: drop the whitespace that block tags leave behind.
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    # Jinja's _() and ngettext() as flask_babel installs them, with the translations looked up
    # once per request (request_translations) rather than once per text, and called directly.
    app.jinja_env.newstyle_gettext = True  # {% trans %} blocks compile to the same calls
    app.jinja_env.globals.update(
        _=_template_gettext,
        gettext=_template_gettext,
        ngettext=_template_ngettext,
    )
    app.add_template_global(error_summary_params)
    from tracker.web.about_me_pages import answer_lines  # (it builds forms, which need this module)

    app.add_template_global(answer_lines, "about_answer")
    app.add_template_global(about_me_label, "about_me_label")
    app.add_template_global(password_params)
    app.add_template_global(character_count_params)
    app.add_template_filter(_localise, "localise")
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(lambda stage: name_in(STAGE_NAMES, stage), "stage_name")
    app.add_template_filter(lambda status: name_in(STATUS_NAMES, status), "status_name")
    app.add_template_filter(lambda area: name_in(PART_NAMES, area), "area_name")
    app.add_template_filter(lambda area: name_in(AREA_SHORT_NAMES, area) if area in AREA_SHORT_NAMES else name_in(PART_NAMES, area),
                            "area_short_name")
    app.add_template_global(lambda event: event_who(event, current_user.id), "event_who")
    app.add_template_global(lambda event: event_sentence(event, request_language()), "event_sentence")
    app.add_template_global(utcnow, "now")
    app.add_template_global(area_sentence)
    app.add_template_global(then_and_now_sentence)
    app.add_template_filter(lambda value: format_date(value, "d MMM yy") if value else "", "short_date")
    app.add_template_global(AREA_NAMES, "AREA_NAMES")
    app.add_template_global(PART_NAMES, "PART_NAMES")
    app.add_template_global(AREA_GOALS, "AREA_GOALS")
    app.add_template_global(LIST_PURPOSE_TEXT, "LIST_PURPOSE_TEXT")
    app.add_template_global(REFERRAL_PURPOSE_TEXT, "REFERRAL_PURPOSE_TEXT")
    for name, words in (("REFERRAL_STATE_NAMES", REFERRAL_STATE_NAMES), ("REFERRAL_STATE_NAMES_STAFF", REFERRAL_STATE_NAMES_STAFF),
                        ("REFERRAL_STATE_TAGS", REFERRAL_STATE_TAGS), ("DECLINE_REASON_NAMES", DECLINE_REASON_NAMES),
                        ("REFERRAL_OUTCOME_NAMES", REFERRAL_OUTCOME_NAMES), ("REFERRAL_EVENT_NAMES", REFERRAL_EVENT_NAMES)):
        app.add_template_global(words, name)
    app.add_template_global(FIELD_NAMES, "FIELD_NAMES")
    app.add_template_global(MODE_NAMES, "MODE_NAMES")
    app.add_template_global(CONSENT_STATUS_NAMES, "CONSENT_STATUS_NAMES")
    app.add_template_global(lambda event: consent_event_sentence(event, long_date), "consent_event_sentence")
    app.add_template_global(access_sentence)
    app.add_template_global(account_event_sentence)
    app.add_template_global(look_summary_sentence)
    app.add_template_global(lambda kind: CONSENT_CHANGE_NAMES.get(kind, kind), "consent_change_name")
    app.add_template_filter(lambda value: long_date(datetime.fromisoformat(value)) if value else "", "iso_long_date")
    app.add_template_global(lambda role: ROLE_NAMES.get(role, role), "role_name")
    app.add_template_filter(lambda value: format_time(value, "HH:mm") if value else "", "time_of_day")
    app.add_template_filter(format_decimal, "number")  # 1,000 in English, 1 000 in Polish
    app.add_template_global(STAGE_NAMES, "STAGE_NAMES")
    app.add_template_global(AREA_SHORT_NAMES, "AREA_SHORT_NAMES")
    app.add_template_global(navigation_items)
    app.add_template_global(home_url)
    # <time datetime>: to the second (HTML allows at most three decimals; our timestamps have six).
    app.add_template_filter(lambda value: value.replace(microsecond=0).isoformat() if value else "", "machine_time")

    @app.context_processor
    def _globals():
        idle_seconds = None
        user = signed_in_user()
        if user is not None and g.get("sign_in_session") is not None:
            idle_seconds = accounts.seconds_until_idle(g.sign_in_session, user, current_app.config)
        return {
            "signed_in": user is not None,
            "idle_limit_seconds": accounts.idle_limit(user, current_app.config).total_seconds() if user is not None else None,
            "service_name": SERVICE_NAME,
            "languages": current_app.config["LANGUAGES"],
            "locale": request_language(),
            "idle_seconds": idle_seconds,
            "idle_warning_seconds": current_app.config["IDLE_WARNING_SECONDS"],
            "current_path": request.full_path.rstrip("?") if request else "/",
        }
