"""The pieces of the "About me" pages that residents and tutors share: an answer in words, the form
for one question (built from the field's kind), and the messages for answers that cannot be kept.
The rules are ``tracker.domain.about_me``'s."""

from __future__ import annotations

from flask import flash, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovTextArea, GovTextInput
from wtforms import BooleanField, RadioField, SelectChoice, SelectMultipleField, StringField, TextAreaField

from tracker.domain import about_me
from tracker.domain.catalogue import localise
from tracker.models import AboutMeEntry, AccessAction
from tracker.web.forms import GovCheckboxesInput, GovRadioInput
from tracker.web.i18n import request_language

ERRORS = {
    "choose": _l("Choose an answer, or choose “I'd rather not say”"),
    "empty": _l("Write your answer, or choose “I'd rather not say”"),
    "not_offered": _l("Choose an answer from the list"),
    "only": _l("You cannot tick “No” together with other answers"),
    "too_long": _l("Your answer is too long. Make it shorter"),
    "control": _l("Remove the hidden characters from this answer"),
    "phone": _l("Enter a UK phone number, like 07700 900 982 or 01664 502 502"),
    "address_lines": _l("Write your address on at least two lines, with the postcode on the last line"),
    "address_long": _l("An address can have up to 6 lines, each up to 80 characters"),
    "postcode": _l("Put your postcode on the last line, like LE13 1AA"),
    "one_line": _l("Write your answer on one line"),
}
RATHER_NOT_SAY = _l("I'd rather not say")
NOT_ANSWERED = _l("Not answered")


def words(value: dict | None, locale: str | None = None) -> str:
    return localise(value or {}, locale or request_language())


def answer_lines(spec: about_me.AboutMeField, entry: AboutMeEntry | None,
                 support: list[about_me.SupportEntry] | None = None) -> list[str]:
    """An answer as lines of plain words (what the resident and staff read). Empty: no answer."""
    if entry is None:
        lines: list[str] = []
    elif entry.rather_not_say:
        return [str(RATHER_NOT_SAY)]
    else:
        value = entry.value or {}
        if spec.kind in ("one", "many"):
            names = {o.code: words(o.name) for o in spec.options}
            lines = [names.get(code, code) for code in value.get("choices", [])]
        elif spec.kind == "address":
            lines = list(value.get("lines", []))
        else:
            lines = [line for line in (value.get("text") or "").split("\n") if line.strip()]
    if spec.kind == "support" and support:
        shown = about_me.support_shown(entry, support)
        lines = [words(s.service_name) if s.service_name else s.provider_name for s in shown] + lines
    return lines


class QuestionForm(FlaskForm):
    """One question of About me: ``answer`` (and, for "support I already get", ``shown``: the
    referral-filled entries to keep showing). Built for each field by ``question_form``."""


def question_form(spec: about_me.AboutMeField, support: list[about_me.SupportEntry], with_resident: bool = False,
                  **kwargs) -> QuestionForm:
    locale = request_language()
    label, hint = localise(spec.label, locale), localise(spec.hint, locale) if spec.hint else ""
    choices = [SelectChoice(o.code, localise(o.name, locale)) for o in spec.options]
    attrs: dict = {}
    if spec.kind == "one":
        attrs["answer"] = RadioField(label, description=hint, choices=choices, widget=GovRadioInput(), validate_choice=False)
    elif spec.kind == "many":
        attrs["answer"] = SelectMultipleField(label, description=hint, choices=choices, widget=GovCheckboxesInput(),
                                              validate_choice=False)
    elif spec.kind in ("text", "phone"):
        attrs["answer"] = StringField(label, description=hint, widget=GovTextInput())
    elif spec.kind == "support":
        attrs["shown"] = SelectMultipleField(
            _l("Services you were referred to"), description=_l("Untick any you do not want shown."), widget=GovCheckboxesInput(),
            choices=[SelectChoice(s.referral_id, words(s.service_name) if s.service_name else s.provider_name) for s in support],
            validate_choice=False)
        attrs["answer"] = TextAreaField(_l("Other support, in your own words (optional)"), description=hint, widget=GovTextArea())
    else:
        attrs["answer"] = TextAreaField(label, description=hint, widget=GovTextArea())
    if with_resident:
        attrs["with_resident"] = BooleanField(_l("The resident is here with me, and these are their words"),
                                              widget=GovCheckboxInput())
    return type(f"{spec.code}_form", (QuestionForm,), attrs)(**kwargs)


def fill(form: QuestionForm, spec: about_me.AboutMeField, entry: AboutMeEntry | None,
         support: list[about_me.SupportEntry]) -> None:
    """Start from the answer now."""
    value = (entry.value or {}) if entry is not None and not entry.rather_not_say else {}
    if spec.kind in ("one", "many"):
        chosen = value.get("choices", [])
        form.answer.data = (chosen[0] if chosen else None) if spec.kind == "one" else chosen
    elif spec.kind == "address":
        form.answer.data = "\n".join(value.get("lines", []))
    else:
        form.answer.data = value.get("text", "")
    if spec.kind == "support":
        hidden = set(value.get("hidden", []))
        form.shown.data = [s.referral_id for s in support if s.referral_id not in hidden]


def handle(db, resident_id: str, spec: about_me.AboutMeField, entrant: about_me.Entrant, *, template: str,
           done, guarded=None, **context):
    """GET: the question. POST: keep the answer ("Save"), "I'd rather not say", or take the answer
    away; then ``done()`` (a redirect). A bad answer is the question again, with a GOV.UK error
    (400), and nothing is kept (every check comes before anything is written).

    ``guarded``: a tutor with the resident, through the consent guard (which commits, with its log
    entry): they must say the resident is with them."""
    support = about_me.support_from_referrals(db, resident_id) if spec.kind == "support" else []
    current = about_me.answers(db, resident_id).get(spec.code)
    kept_hidden: set[str] = set()
    if guarded is not None and support:
        # A tutor never sees the services the resident hid, and cannot show them again.
        kept_hidden = {s.referral_id for s in support} - {s.referral_id for s in about_me.support_shown(current, support)}
        support = about_me.support_shown(current, support)
    form = question_form(spec, support, with_resident=guarded is not None)
    if request.method == "GET":
        fill(form, spec, current, support)
    elif form.validate_on_submit():
        if guarded is not None and not form.with_resident.data:
            form.with_resident.errors = [_("Confirm the resident is with you and wants this written")]
        else:
            try:
                saved = _keep(db, resident_id, spec, form, support, kept_hidden, entrant)
            except about_me.AboutMeError as error:
                form.answer.errors = [*form.answer.errors, ERRORS.get(error.code, ERRORS["not_offered"])]
            else:
                message = _("Saved: %(field)s", field=localise(spec.label, request_language()))
                if guarded is None:
                    db.commit()
                    if saved is not None:
                        flash(message, "success")
                elif saved is not None:
                    guarded.flash_after_commit(message)  # (the guard logs it as recorded, and commits)
                else:
                    guarded.action = AccessAction.OPENED  # nothing changed: it was a look
                return done()
    if guarded is not None:
        guarded.action = AccessAction.OPENED  # the question (again, with an error): a look, not a change
    return render_template(template, form=form, spec=spec, current=current, support=support, for_staff=guarded is not None,
                           **context), 400 if request.method == "POST" else 200


def _keep(db, resident_id: str, spec: about_me.AboutMeField, form: QuestionForm, support: list[about_me.SupportEntry],
          kept_hidden: set[str], entrant: about_me.Entrant) -> AboutMeEntry | None:
    """The form's answer kept ("Save"), "I'd rather not say", or the answer taken away; None when
    that is what the field says already. ``AboutMeError`` (before anything is written) for a bad one."""
    action = request.form.get("action", "save")
    if action == "rather_not_say":
        return about_me.save(db, resident_id, spec.code, None, rather_not_say=True, entrant=entrant)
    if action == "clear":
        return about_me.save(db, resident_id, spec.code, None, entrant=entrant)
    chosen = request.form.getlist("answer") if spec.kind in ("one", "many") else None
    hidden = [s.referral_id for s in support if s.referral_id not in set(request.form.getlist("shown"))]
    value = about_me.parse(spec, text=form.answer.data if chosen is None else None, choices=chosen,
                           hidden=[*hidden, *kept_hidden], hideable={s.referral_id for s in support} | kept_hidden)
    if value == {"text": "", "hidden": []}:
        value = None  # "support I already get" with nothing written or hidden: no answer of their own
    return about_me.save(db, resident_id, spec.code, value, entrant=entrant)
