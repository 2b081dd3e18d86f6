"""The pages that keep the partnership's services in the directory up to date, shared by two
audiences: admins (``/admin/services``, every member organisation's services) and tutors and
provider staff (``/staff/services``, their own organisation's). Each blueprint's views are one
line that calls these with its own endpoints; who may edit what is the domain's decision
(tracker.domain.directory_editing), and anything else is "not found".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from flask import abort, flash, render_template, url_for
from flask_babel import format_timedelta, to_user_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSelect
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from tracker.clock import utcnow
from tracker.domain import directory_editing as editing
from tracker.domain.catalogue import LANGUAGES, localise
from tracker.domain.catalogue.taxonomies import read_taxonomies
from tracker.domain.directory import language_name
from tracker.models import Role, ServiceStatus
from tracker.web import htmx
from tracker.web.forms import ButtonForm, GovCheckboxesInput, GovRadioInput, GovTextArea, GovTextInput, page_status
from tracker.web.i18n import request_language
from tracker.web.session import get_session
from tracker.web.templating import long_date
from tracker.web.wording import INTAKE_NAMES, SERVICE_STATUS_HINTS, SERVICE_STATUS_NAMES


@dataclass(frozen=True)
class Pages:
    """One audience's endpoints for these pages."""

    list: str
    new: str
    edit: str
    checked: str


# --- Words ----------------------------------------------------------------------------------------

# (field, problem) → what the page says; a place's fields are "place.name" and so on. Every
# language's box of a text shares its messages.
MESSAGES = {
    ("organisation", "missing"): _l("Choose an organisation from the list"),
    ("name", "missing"): _l("Enter the name of the service in English"),
    ("name", "too_long"): _l("The name must be 200 characters or fewer"),
    ("description", "missing"): _l("Say what the service does, in English"),
    ("description", "too_long"): _l("What it does must be 2,000 characters or fewer"),
    ("eligibility", "too_long"): _l("Who it is for must be 1,000 characters or fewer"),
    ("cost", "too_long"): _l("The cost must be 1,000 characters or fewer"),
    ("opening_times", "too_long"): _l("When it is open must be 1,000 characters or fewer"),
    ("url", "invalid"): _l("Enter a full web address that starts with https:// or http://, like https://www.example.org"),
    ("url", "too_long"): _l("The web address must be 300 characters or fewer"),
    ("email", "invalid"): _l("Enter an email address in the correct format, like name@example.com"),
    ("email", "too_long"): _l("The email address must be 254 characters or fewer"),
    ("phone", "invalid"): _l("Enter a phone number using only numbers, spaces, brackets, + and -, like 01664 502 502"),
    ("phone", "too_long"): _l("The phone number must be 40 characters or fewer"),
    ("languages", "invalid"): _l("Choose languages from the list"),
    ("needs", "invalid"): _l("Choose what it can help with from the list"),
    ("circumstances", "invalid"): _l("Choose who it is especially for from the list"),
    ("status", "missing"): _l("Choose whether the service is running"),
    ("intake", "missing"): _l("Choose whether the service is taking new people"),
    ("wait_weeks", "invalid"): _l("Enter the wait as a whole number of weeks, like 6"),
    ("wait_weeks", "out_of_range"): _l("The wait must be between 0 and 104 weeks"),
    ("wait_weeks", "no_waiting_list"): _l("Leave the wait empty, or choose “Waiting list”"),
    ("online", "no_place"): _l("Add an address, or tick “By phone or online”"),
    ("place.name", "missing"): _l("Enter the name of the place, like Melton Library"),
    ("place.name", "too_long"): _l("The name of the place must be 120 characters or fewer"),
    ("place.address_1", "missing"): _l("Enter the first line of the address"),
    ("place.address_1", "too_long"): _l("Each line of the address must be 120 characters or fewer"),
    ("place.address_2", "too_long"): _l("Each line of the address must be 120 characters or fewer"),
    ("place.town", "missing"): _l("Enter the town"),
    ("place.town", "too_long"): _l("The town must be 60 characters or fewer"),
    ("place.postcode", "missing"): _l("Enter the postcode"),
    ("place.postcode", "invalid"): _l("Enter a real postcode, like LE13 1AE"),
    ("place.accessibility", "too_long"): _l("How accessible it is must be 1,000 characters or fewer"),
}
ENGLISH_MISSING = _l("Write this in English too: everyone who does not read Polish sees the English")
HIDDEN_CHARACTERS = _l("Remove the hidden characters from this answer")
ONLINE_HINT = _l("Tick this if people can use the service by phone or online, without going anywhere.")
STALE = _l("Someone else changed this service since you opened it. Nothing you typed was saved: "
           "check what it says now and make your changes again.")

_PLACE_KEY = re.compile(r"place_([0-9a-f]{32}|new)_(.+)")


def message(key: str, code: str) -> str:
    """The words for one problem the domain found (``key`` is the form field's name)."""
    if code == "hidden_characters":
        return str(HIDDEN_CHARACTERS)
    if code == "english_missing":
        return str(ENGLISH_MISSING)
    place = _PLACE_KEY.fullmatch(key)
    base = f"place.{place.group(2)}" if place else key
    base = re.sub("_(?:" + "|".join(LANGUAGES) + ")$", "", base)
    return str(MESSAGES[(base, code)])


def last_checked(when) -> str:
    """"3 March 2026 (9 months ago)", in the reader's language and the service's time zone."""
    days = (to_user_timezone(utcnow()).date() - to_user_timezone(when).date()).days
    ago = _("today") if days <= 0 else format_timedelta(timedelta(days=-days), granularity="day", threshold=1, add_direction=True)
    return _("%(date)s (%(ago)s)", date=long_date(when), ago=ago)


def _language_label(code: str) -> str:
    name = language_name(code, str(request_language())) or code
    return name[:1].upper() + name[1:]


def term_names(kind: str, codes) -> list[str]:
    """The names of these codes of one of our lists, in the list's order and the reader's language."""
    wanted = set(codes)
    return [localise(term.name, request_language()) for term in read_taxonomies()[kind].terms if term.code in wanted]


# --- The form -------------------------------------------------------------------------------------


class _Free:
    """A choice the domain checks (a value that was not offered gets the domain's message, not
    WTForms' own, which repeats what was sent)."""

    def pre_validate(self, form):
        pass


class ChoiceRadios(_Free, RadioField):
    widget = GovRadioInput()


class ChoiceSelect(_Free, SelectField):
    widget = GovSelect()


class ChoiceCheckboxes(_Free, SelectMultipleField):
    widget = GovCheckboxesInput()


def _line(label, description=None):
    return StringField(label, description=description, widget=GovTextInput())


def _box(label, description=None):
    return TextAreaField(label, description=description, widget=GovTextArea())


# Labels of each text, in English (required where the domain says) and in Polish (all optional).
TEXT_LABELS = {
    "name": (_l("Name of the service"), _l("Name of the service (Polish)"), None),
    "description": (_l("What it does"), _l("What it does (Polish)"), _l("Residents read this first. Use plain words.")),
    "eligibility": (_l("Who it is for (optional)"), _l("Who it is for (Polish)"), _l("For example: adults aged 19 and over who live in the Melton borough")),
    "cost": (_l("Cost (optional)"), _l("Cost (Polish)"), _l("For example: Free")),
    "opening_times": (_l("When it is open (optional)"), _l("When it is open (Polish)"),
                      _l("For example: Tuesdays 10am to 12 noon, in school term time")),
}


class ServiceForm(FlaskForm):
    """Built by ``service_form``: the service's texts in each language, what it can help with and who
    it is especially for, how to get in touch, its languages, status and intake, whether it is by
    phone or online, and a group of boxes for each of its addresses and one for a new one."""

    place_keys: tuple[str, ...] = ()

    def setup(self, languages: list[str]) -> None:
        shown = [*editing.OFFERED_LANGUAGES, *sorted(set(languages) - set(editing.OFFERED_LANGUAGES))]
        self.languages.choices = [SelectChoice(code, _language_label(code)) for code in shown]
        self.status.choices = [SelectChoice(str(s), SERVICE_STATUS_NAMES[s]) for s in editing.STATUSES]
        self.intake.choices = [SelectChoice(str(i), INTAKE_NAMES[i]) for i in editing.INTAKES]
        for kind in editing.TAGS:
            self[kind].choices = [SelectChoice(term.code, localise(term.name, request_language())) for term in read_taxonomies()[kind].terms]

    def status_hints(self) -> list[dict]:
        return [{"hint": {"text": str(SERVICE_STATUS_HINTS[ServiceStatus(s)])}} for s in editing.STATUSES]

    def fill(self, draft: editing.ServiceDraft) -> None:
        for key in editing.TEXTS:
            for language in LANGUAGES:
                self[f"{key}_{language}"].data = getattr(draft, key).get(language, "")
        for key in ("url", "email", "phone", "languages", "status", "intake", "wait_weeks", "online", *editing.TAGS):
            self[key].data = getattr(draft, key)
        for place in draft.places:
            for key in ("name", "address_1", "address_2", "town", "postcode"):
                self[f"place_{place.key}_{key}"].data = getattr(place, key)
            for language in LANGUAGES:
                self[f"place_{place.key}_accessibility_{language}"].data = place.accessibility.get(language, "")

    def draft(self) -> editing.ServiceDraft:
        def text(name):
            value = self[name].data
            return value if isinstance(value, str) else ""

        places = [editing.PlaceDraft(
            key=key, name=text(f"place_{key}_name"), address_1=text(f"place_{key}_address_1"),
            address_2=text(f"place_{key}_address_2"), town=text(f"place_{key}_town"), postcode=text(f"place_{key}_postcode"),
            accessibility={language: text(f"place_{key}_accessibility_{language}") for language in LANGUAGES},
            remove=key != "new" and bool(self[f"place_{key}_remove"].data)) for key in self.place_keys]
        return editing.ServiceDraft(
            **{key: {language: text(f"{key}_{language}") for language in LANGUAGES} for key in editing.TEXTS},
            url=text("url"), email=text("email"), phone=text("phone"),
            languages=[code for code in (self.languages.data or []) if isinstance(code, str)],
            status=text("status"), intake=text("intake"), wait_weeks=text("wait_weeks"), places=places,
            online=self.online.data is True,
            **{kind: [code for code in (self[kind].data or []) if isinstance(code, str)] for kind in editing.TAGS})

    def show(self, problems: dict[str, str]) -> None:
        for key, code in problems.items():
            self[key].errors = [*self[key].errors, message(key, code)]


def service_form(place_ids: list[str], *, organisations=None, editing_: bool = False, **kwargs) -> ServiceForm:
    """The form for a service with these addresses (and boxes for a new one); with a choice of
    organisation when adding one for an admin, and the version it was opened at when editing."""
    # Made here, in the order of the page, so the error summary lists problems in that order too.
    attrs: dict = {"place_keys": (*place_ids, "new")}
    if organisations is not None:
        attrs["organisation"] = ChoiceSelect(_l("Organisation"))
    for language in LANGUAGES:
        for key in editing.TEXTS:
            english, polish, hint = TEXT_LABELS[key]
            make = _line if key in editing.ONE_LINE else _box
            attrs[f"{key}_{language}"] = make(english, hint) if language == "en" else make(polish)
    attrs["needs"] = ChoiceCheckboxes(_l("What can it help with?"), description=_l(
        "Select all that apply. Residents looking for help with any of these on “Find help” see this service."))
    attrs["circumstances"] = ChoiceCheckboxes(_l("Who is it especially for? (optional)"),
                                              description=_l("Select all that apply. Leave these empty if it is for everyone."))
    attrs["phone"] = _line(_l("Phone number (optional)"))
    attrs["email"] = _line(_l("Email address (optional)"))
    attrs["url"] = _line(_l("Website (optional)"), _l("The full address, like https://www.example.org"))
    attrs["languages"] = ChoiceCheckboxes(_l("Languages spoken (optional)"), description=_l("Select all that apply."))
    attrs["status"] = ChoiceRadios(_l("Is the service running?"))
    attrs["intake"] = ChoiceRadios(_l("Is it taking new people?"))
    attrs["wait_weeks"] = _line(_l("If there is a waiting list: about how many weeks is the wait? (optional)"),
                                _l("A whole number of weeks, from 0 to 104. Leave it empty if there is no waiting list."))
    attrs["online"] = BooleanField(_l("By phone or online"), widget=GovCheckboxInput())  # (its hint: ONLINE_HINT, on the tick box)
    for key in attrs["place_keys"]:
        attrs[f"place_{key}_name"] = _line(_l("Name of the place"), _l("For example: Melton Library"))
        attrs[f"place_{key}_address_1"] = _line(_l("Address line 1"))
        attrs[f"place_{key}_address_2"] = _line(_l("Address line 2 (optional)"))
        attrs[f"place_{key}_town"] = _line(_l("Town"))
        attrs[f"place_{key}_postcode"] = _line(_l("Postcode"))
        attrs[f"place_{key}_accessibility_en"] = _box(_l("How accessible it is (optional)"),
                                                      _l("For example: step-free entrance, hearing loop, accessible toilet"))
        attrs[f"place_{key}_accessibility_pl"] = _box(_l("How accessible it is (Polish, optional)"))
        if key != "new":
            attrs[f"place_{key}_remove"] = BooleanField(_l("Remove this address"), widget=GovCheckboxInput())
    if editing_:
        attrs["version"] = HiddenField()
    form = type("ServiceEditForm", (ServiceForm,), attrs)(**kwargs)
    if organisations is not None:
        form.organisation.choices = [SelectChoice("", _l("Choose an organisation")), *(SelectChoice(p.id, p.name) for p in organisations)]
    return form


# --- The pages --------------------------------------------------------------------------------------


def _is_admin() -> bool:
    return current_user.role == Role.ADMIN


def list_page(pages: Pages):
    """Every service the signed-in person keeps, each with when it was last checked and a "Still
    right" button; the ones not checked for over six months are marked."""
    db = get_session()
    rows = editing.services_to_edit(db, current_user)
    now = utcnow()
    organisations = editing.organisations_for(db, current_user)
    return render_template("services/list.html", pages=pages, rows=rows, admin=_is_admin(),
                           to_check=sum(editing.needs_checking(row.service, now) for row in rows), now=now,
                           needs_checking=editing.needs_checking, last_checked=last_checked,
                           imported=editing.imported_count(db) if _is_admin() else 0,
                           organisation=None if _is_admin() or not organisations else organisations[0],
                           status_names=SERVICE_STATUS_NAMES, can_add=bool(organisations), term_names=term_names)


def _edit_page(pages: Pages, form: ServiceForm, found: editing.Listed | None, status: int, refusal=None):
    return render_template("services/edit.html", pages=pages, form=form, found=found, service=found.service if found else None,
                           refusal=refusal, last_checked=last_checked, needs_checking=editing.needs_checking, online_hint=ONLINE_HINT,
                           admin=_is_admin(), organisation=found.organisation if found else _own_organisation_name()), status


def _own_organisation_name() -> str | None:
    organisations = editing.organisations_for(get_session(), current_user)
    return organisations[0].name if organisations and not _is_admin() else None


def new_page(pages: Pages):
    db = get_session()
    organisations = editing.organisations_for(db, current_user)
    if not organisations:
        abort(404)  # (an admin before any organisation is added: the list says so)
    form = service_form([], organisations=organisations if _is_admin() else None)
    form.setup([])
    if form.validate_on_submit():
        provider_id = form.organisation.data if _is_admin() else organisations[0].id
        try:
            service, created = editing.create_service(db, current_user, provider_id if isinstance(provider_id, str) else "", form.draft())
        except editing.Invalid as invalid:
            form.show(invalid.problems)
        else:
            db.commit()
            name = localise(service.name, request_language())
            flash(_("“%(name)s” is added to the directory.", name=name) if created else _("“%(name)s” was already added.", name=name),
                  "success")
            return htmx.redirect(url_for(pages.list))
    return _edit_page(pages, form, None, page_status())


def _found_or_404(service_id: str) -> editing.Listed:
    found = editing.service_to_edit(get_session(), current_user, service_id)
    if found is None:
        abort(404)
    return found


def _filled_form(found: editing.Listed, **kwargs) -> ServiceForm:
    form = service_form([p.id for p in found.places if p.kind == editing.PHYSICAL], editing_=True, **kwargs)
    form.setup(list(found.service.languages))
    return form


def edit_page(pages: Pages, service_id: str):
    db = get_session()
    found = _found_or_404(service_id)
    form = _filled_form(found)
    if not form.is_submitted():
        form.fill(editing.draft_of(found.service, found.places, found.tags))
        form.version.data = editing.version_of(found.service)
    if form.validate_on_submit():
        try:
            changed = editing.update_service(db, current_user, found.service, form.draft(), form.version.data or "")
        except editing.Stale:
            db.rollback()  # (nothing was written; the lock is let go)
            fresh = _found_or_404(service_id)
            form = _filled_form(fresh, formdata=None)
            form.fill(editing.draft_of(fresh.service, fresh.places, fresh.tags))
            form.version.data = editing.version_of(fresh.service)
            return _edit_page(pages, form, fresh, 409, refusal=STALE)
        except editing.Invalid as invalid:
            form.show(invalid.problems)
        else:
            db.commit()
            name = localise(found.service.name, request_language())
            flash(_("“%(name)s” is saved, and shows as checked today.", name=name) if changed
                  else _("Nothing was changed. “%(name)s” shows as checked today.", name=name), "success")
            return htmx.redirect(url_for(pages.list))
    return _edit_page(pages, form, found, page_status())


def confirm(pages: Pages, service_id: str):
    """"Still right": checked today, nothing else changed."""
    db = get_session()
    found = _found_or_404(service_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if editing.confirm_still_right(db, current_user, found.service):
        db.commit()
    flash(_("“%(name)s” shows as checked today.", name=localise(found.service.name, request_language())), "success")
    return htmx.redirect(url_for(pages.list))
