"""The administration's forms. Every answer is checked here; a forged or overlong value gets the same
plain message as a mistake, never a 500."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSelect
from wtforms import BooleanField, Form, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from tracker.domain import about_me, accounts, consent, partnership
from tracker.domain.catalogue import MAX_STEPS, MIN_STEPS, localise
from tracker.models import ABOUT_ME, SHARED_PARTS, Area, ProviderKind, Role
from tracker.web import wording
from tracker.web.forms import (
    CheckboxesField,
    GovRadioField,
    GovRadioInput,
    GovTextArea,
    GovTextInput,
    NoControlCharacters,
    strip,
)
from tracker.web.i18n import request_language
from tracker.web.wording import AREA_NAMES, AREA_SHORT_NAMES

YES_NO = [SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]
STEP_MAX = 200


def _required(message, maximum, too_long):
    return [DataRequired(message), Length(max=maximum, message=too_long), NoControlCharacters()]


def _optional(maximum, too_long):
    return [Optional(), Length(max=maximum, message=too_long), NoControlCharacters()]


class _OptionalChoice:
    """A choice that may be left empty (``""`` means "any" or "none"); a value that was not offered
    gets ``message`` instead of WTForms' own text (which repeats what was sent)."""

    def __init__(self, label=None, *, message, **kwargs):
        self.message = message
        kwargs.setdefault("default", "")
        super().__init__(label, validators=[Optional()], **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            self.data = valuelist[0] if isinstance(valuelist[0], str) else ""

    def pre_validate(self, form):
        if self.data in (None, ""):
            return
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(self.message)


class ChoiceRadioField(_OptionalChoice, RadioField):
    widget = GovRadioInput()


class ChoiceSelectField(_OptionalChoice, SelectField):
    """A GOV.UK select that may be left at its first, empty option."""

    widget = GovSelect()


# --- Providers ----------------------------------------------------------------------------------


class ProviderForm(FlaskForm):
    name = StringField(_l("Name of the organisation"), widget=GovTextInput(), filters=[strip],
                       validators=_required(_l("Enter the name of the organisation"), 120,
                                            _l("The name must be 120 characters or fewer")))
    kind = GovRadioField(_l("What kind of organisation is it?"), message=_l("Choose what kind of organisation it is"))
    description_en = TextAreaField(_l("What they do, in English (optional)"),
                                   description=_l("Residents read this when they choose who to share with. Use plain words."),
                                   widget=GovTextArea(), filters=[strip],
                                   validators=_optional(500, _l("The description must be 500 characters or fewer")))
    description_pl = TextAreaField(_l("What they do, in Polish (optional)"), widget=GovTextArea(), filters=[strip],
                                   validators=_optional(500, _l("The description must be 500 characters or fewer")))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(kind.value, wording.PROVIDER_KIND_NAMES[kind]) for kind in ProviderKind]

    def validate_description_pl(self, field):
        if bool(field.data) != bool(self.description_en.data):
            raise ValidationError(_l("Write what they do in both English and Polish, or leave both empty"))

    def fill_description(self, provider) -> None:
        self.description_en.data = provider.description.get("en", "")
        self.description_pl.data = provider.description.get("pl", "")

    def description(self) -> dict[str, str]:
        return {"en": self.description_en.data or "", "pl": self.description_pl.data or ""}


class ActiveForm(FlaskForm):
    """Deactivate or reactivate (the button says which)."""

    active = GovRadioField(_l("Active"), message=_l("Choose whether the account is active"), choices=YES_NO)


class NoticeForm(FlaskForm):
    area = GovRadioField(_l("Which part of a plan is this notice for?"), message=_l("Choose which part of a plan this notice is for"))
    record = BooleanField(_l("Also record progress (for example, tick steps with the resident at a session)"),
                          description=_l("They can always see progress. Tick this if their tutors also record progress."),
                          widget=GovCheckboxInput())
    shown = CheckboxesField(_l("What will they see?"), description=_l("Choose only what they need."),
                             message=_l("Choose at least one thing they will see"))
    purposes = CheckboxesField(_l("Why will they look?"), description=_l("Residents read these reasons as written here."),
                               message=_l("Choose at least one reason from the list"))
    special_for = RadioField(_l("About me: the one reason they may see sensitive answers for"),
                             description=_l("Only if they ask for a sensitive answer (health, benefits). Staff see those "
                                            "answers only when they give this reason, and residents are told so."),
                             widget=GovRadioInput(), validate_choice=False)
    summary_en = TextAreaField(_l("What they will see, in a sentence (English)"), widget=GovTextArea(), filters=[strip],
                               validators=_required(_l("Write what they will see, in English"), 300,
                                                    _l("The summary must be 300 characters or fewer")))
    summary_pl = TextAreaField(_l("What they will see, in a sentence (Polish)"), widget=GovTextArea(), filters=[strip],
                               validators=_required(_l("Write what they will see, in Polish"), 300,
                                                    _l("The summary must be 300 characters or fewer")))
    retention_en = TextAreaField(_l("How long they keep copies (English)"), widget=GovTextArea(), filters=[strip],
                                 validators=_required(_l("Write how long they keep copies, in English"), 300,
                                                      _l("How long they keep copies must be 300 characters or fewer")))
    retention_pl = TextAreaField(_l("How long they keep copies (Polish)"), widget=GovTextArea(), filters=[strip],
                                 validators=_required(_l("Write how long they keep copies, in Polish"), 300,
                                                      _l("How long they keep copies must be 300 characters or fewer")))
    material = ChoiceRadioField(
        _l("Is this a big change?"),
        description=_l("Only if this part of a plan already has a notice. A big change (for example, seeing more than "
                       "before) puts everyone's current sharing on hold until each resident says yes again. A small "
                       "change (for example, clearer wording) leaves sharing as it is."),
        message=_l("Choose whether this is a big change"), choices=YES_NO)
    change_en = TextAreaField(_l("What changed (English)"), description=_l("Needed for a big change. Residents read this."),
                              widget=GovTextArea(), filters=[strip],
                              validators=_optional(300, _l("What changed must be 300 characters or fewer")))
    change_pl = TextAreaField(_l("What changed (Polish)"), widget=GovTextArea(), filters=[strip],
                              validators=_optional(300, _l("What changed must be 300 characters or fewer")))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locale = request_language()
        self.area.choices = [*(SelectChoice(area.value, AREA_NAMES[area]) for area in Area), SelectChoice(ABOUT_ME, _l("About me"))]
        self.shown.choices = [*(SelectChoice(code, wording.FIELD_LABELS[code]) for code in consent.FIELD_CODES),
                              *(SelectChoice(code, _("About me: %(field)s (sensitive)", field=localise(spec.label, locale))
                                             if spec.sensitive else _("About me: %(field)s", field=localise(spec.label, locale)))
                                for code, spec in about_me.fields().items())]
        self.purposes.choices = [SelectChoice(code, localise(text, locale)) for code, text in partnership.STANDARD_PURPOSES.items()]
        self.special_for.choices = list(self.purposes.choices)

    def check_fields(self) -> bool:
        """What they will see must be of the part chosen, and sensitive answers need their reason."""
        area = self.area.data
        if area not in SHARED_PARTS:
            return True  # the area's own error says so
        wrong = [code for code in self.shown.data or [] if code not in consent.fields_of(area)]
        if wrong:
            self.shown.errors.append(_l("Choose only things from the part of a plan this notice is for"))
            return False
        sensitive = about_me.sensitive_codes() & set(self.shown.data or [])
        if sensitive and self.special_for.data not in set(self.purposes.data or []):
            self.special_for.errors.append(_l("Choose which of the reasons they will see sensitive answers for"))
            return False
        return True

    def check_material(self, has_previous: bool) -> bool:
        """The answers about the change, which depend on whether the area has a notice already."""
        ok = True
        if has_previous and self.material.data not in ("yes", "no"):
            self.material.errors.append(_l("Choose whether this is a big change"))
            ok = False
        if has_previous and self.material.data == "yes":
            if not self.change_en.data:
                self.change_en.errors.append(_l("Write what changed, in English"))
                ok = False
            if not self.change_pl.data:
                self.change_pl.errors.append(_l("Write what changed, in Polish"))
                ok = False
        return ok


# --- Staff accounts -----------------------------------------------------------------------------


def role_choices():
    return [SelectChoice(str(role), wording.STAFF_ROLE_NAMES[role]) for role in partnership.STAFF_ACCOUNT_ROLES]


def provider_choices(providers, none_label=None):
    choices = [SelectChoice(p.id, p.name) for p in providers]
    if none_label:
        choices.append(SelectChoice("", none_label))
    return choices


def _role_field():
    return GovRadioField(_l("Role"), message=_l("Choose a role from the list"))


def _provider_field():
    return ChoiceRadioField(_l("Organisation"), description=_l("Tutors and provider staff work for one organisation. "
                                                               "Administrators need not."),
                            message=_l("Choose an organisation from the list"))


class _RoleRules(FlaskForm):
    def setup_choices(self, providers):
        self.role.choices = role_choices()
        self.provider.choices = provider_choices(providers, _l("No organisation (administrators only)"))

    def validate_provider(self, field):
        if self.role.data in (Role.TUTOR, Role.PROVIDER_STAFF) and not field.data:
            raise ValidationError(_l("Choose the organisation they work for"))


class InviteForm(_RoleRules):
    username = StringField(_l("Username"), description=_l("3 to 40 letters or numbers. You can also use . - and _"),
                           widget=GovTextInput(), filters=[strip],
                           validators=_required(_l("Enter a username"), 40, _l("The username must be 40 characters or fewer")))
    display_name = StringField(_l("Full name"), widget=GovTextInput(), filters=[strip],
                               validators=_required(_l("Enter their full name"), 80, _l("The name must be 80 characters or fewer")))
    role = _role_field()
    provider = _provider_field()

    def __init__(self, providers, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_choices(providers)

    def validate_username(self, field):
        if accounts.username_problem(accounts.fold_username(field.data)):
            raise ValidationError(_l("Use 3 to 40 letters or numbers for the username. You can also use . - and _"))


class RoleForm(_RoleRules):
    role = _role_field()
    provider = _provider_field()

    def __init__(self, providers, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_choices(providers)


# --- The goal catalogue ---------------------------------------------------------------------------


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _framework_area_field():
    """One of the known framework codes (partnership.FRAMEWORK_AREAS), chosen from a list."""
    return ChoiceSelectField(_l("Framework area"), message=_l("Choose a framework area from the list"))


def _text_field(label, message, maximum, too_long, area=False):
    field = TextAreaField if area else StringField
    return field(label, widget=GovTextArea() if area else GovTextInput(), filters=[strip],
                 validators=_required(message, maximum, too_long))


def _title_fields():
    too_long = _l("The title must be 120 characters or fewer")
    return (_text_field(_l("Title (English)"), _l("Enter the title in English"), 120, too_long),
            _text_field(_l("Title (Polish)"), _l("Enter the title in Polish"), 120, too_long))


def _summary_fields():
    too_long = _l("The summary must be 300 characters or fewer")
    return (_text_field(_l("Summary (English)"), _l("Enter the summary in English"), 300, too_long, area=True),
            _text_field(_l("Summary (Polish)"), _l("Enter the summary in Polish"), 300, too_long, area=True))


class _GoalTexts(FlaskForm):
    def set_framework_choices(self, area: str | None = None) -> None:
        """The framework codes of ``area`` (every area's when it is still to be chosen)."""
        self.framework_area.choices = [SelectChoice("", _l("Choose a framework area"))] + [
            SelectChoice(code, f"{AREA_SHORT_NAMES[a]}: {framework.upper()}, {code.replace('_', ' ')}")
            for a in ([Area(area)] if area else list(Area)) for framework, codes in partnership.FRAMEWORK_AREAS[a].items()
            for code in codes]

    def validate_framework_area(self, field):
        if not field.data:
            raise ValidationError(_l("Choose a framework area from the list"))
        area = self.area.data if "area" in self._fields else None
        if area in set(Area) and not any(field.data in codes for codes in partnership.FRAMEWORK_AREAS[Area(area)].values()):
            raise ValidationError(_l("Choose a framework area of the same part of a plan as the goal"))

    def titles(self) -> dict:
        return {"en": self.title_en.data, "pl": self.title_pl.data}

    def summaries(self) -> dict:
        return {"en": self.summary_en.data, "pl": self.summary_pl.data}


class NewCatalogueGoalForm(_GoalTexts):
    area = GovRadioField(_l("Area"), message=_l("Choose which part of a plan this goal is for"))
    framework_area = _framework_area_field()
    title_en, title_pl = _title_fields()
    summary_en, summary_pl = _summary_fields()
    steps_en = TextAreaField(_l("Steps (English)"), description=_l("3 to 6 steps, one on each line. For example: I can open a web browser"),
                             widget=GovTextArea(), filters=[strip],
                             validators=_required(_l("Write the steps in English"), MAX_STEPS * (STEP_MAX + 2),
                                                  _l("Write fewer or shorter steps")))
    steps_pl = TextAreaField(_l("Steps (Polish)"), description=_l("The same steps in the same order, one on each line."),
                             widget=GovTextArea(), filters=[strip],
                             validators=_required(_l("Write the steps in Polish"), MAX_STEPS * (STEP_MAX + 2),
                                                  _l("Write fewer or shorter steps")))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.area.choices = [SelectChoice(area.value, AREA_NAMES[area]) for area in Area]

    def validate_steps_en(self, field):
        _check_step_lines(_lines(field.data))

    def validate_steps_pl(self, field):
        lines = _lines(field.data)
        _check_step_lines(lines)
        if len(lines) != len(_lines(self.steps_en.data)):
            raise ValidationError(_l("Write the same number of steps in English and Polish"))

    def steps(self) -> list[dict]:
        return [{"en": en, "pl": pl} for en, pl in zip(_lines(self.steps_en.data), _lines(self.steps_pl.data), strict=True)]


def _check_step_lines(lines: list[str]) -> None:
    if not MIN_STEPS <= len(lines) <= MAX_STEPS:
        raise ValidationError(_l("Write 3 to 6 steps, one on each line"))
    if any(len(line) > STEP_MAX for line in lines):
        raise ValidationError(_l("Each step must be 200 characters or fewer"))


class EditCatalogueGoalForm(_GoalTexts):
    """Built by ``edit_catalogue_goal_form``, which adds the boxes for each step and for a new one."""

    framework_area = _framework_area_field()
    title_en, title_pl = _title_fields()
    summary_en, summary_pl = _summary_fields()

    def validate_new_step_pl(self, field):
        if bool(field.data) != bool(self.new_step_en.data):
            raise ValidationError(_l("Write the new step in both English and Polish"))

    def new_step(self) -> dict | None:
        if self.new_step_en.data and self.new_step_pl.data:
            return {"en": self.new_step_en.data, "pl": self.new_step_pl.data}
        return None

    def step_texts(self, steps) -> dict[int, dict]:
        return {step.id: {"en": self[f"step_{step.id}_en"].data, "pl": self[f"step_{step.id}_pl"].data} for step in steps}


def edit_catalogue_goal_form(steps, **kwargs) -> EditCatalogueGoalForm:
    """The edit form with a pair of boxes (English, Polish) for each of the goal's steps, in order,
    then a pair for a new step."""

    class Form_(EditCatalogueGoalForm):
        pass

    too_long = _l("A step must be 200 characters or fewer")
    for number, step in enumerate(steps, start=1):
        for lang, language in (("en", _l("English")), ("pl", _l("Polish"))):
            setattr(Form_, f"step_{step.id}_{lang}", _text_field(
                _l("Step %(number)d (%(language)s)", number=number, language=language),
                _l("Write step %(number)d in %(language)s", number=number, language=language), STEP_MAX, too_long))
    Form_.new_step_en = StringField(_l("New step in English (optional)"), widget=GovTextInput(), filters=[strip],
                                    validators=_optional(STEP_MAX, too_long))
    Form_.new_step_pl = StringField(_l("New step in Polish (optional)"), widget=GovTextInput(), filters=[strip],
                                    validators=_optional(STEP_MAX, too_long))
    return Form_(**kwargs)


# --- Audit ----------------------------------------------------------------------------------------


class AuditForm(Form):
    """The audit page's filters (GET, so no CSRF token)."""

    kind = ChoiceSelectField(_l("What to look at"), message=_l("Choose what to look at from the list"))
    provider = ChoiceSelectField(_l("Organisation"), message=_l("Choose a provider from the list"))
    staff = ChoiceSelectField(_l("Member of staff"), message=_l("Choose a member of staff from the list"))
    date_from = StringField(_l("From"), description=_l("For example, 2026-03-31"), widget=GovTextInput(), filters=[strip],
                            validators=[Optional(), Length(max=10, message=_l("Enter a date like 2026-03-31"))])
    date_to = StringField(_l("To"), description=_l("For example, 2026-03-31"), widget=GovTextInput(), filters=[strip],
                          validators=[Optional(), Length(max=10, message=_l("Enter a date like 2026-03-31"))])
    action = ChoiceSelectField(_l("What happened"), message=_l("Choose what happened from the list"))

    def __init__(self, formdata, *, kinds, providers, staff, actions):
        super().__init__(formdata)
        self.kind.choices = kinds
        self.provider.choices = [SelectChoice("", _l("Any")), *provider_choices(providers)]
        self.staff.choices = [SelectChoice("", _l("Anyone")), *[SelectChoice(u.id, f"{u.display_name} ({u.username})") for u in staff]]
        self.action.choices = [SelectChoice("", _l("Anything")), *actions]

    @staticmethod
    def _date(field) -> date | None:
        if not field.data:
            return None
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", field.data):
            raise ValidationError(_l("Enter a date like 2026-03-31"))
        try:
            return date.fromisoformat(field.data)
        except ValueError:
            raise ValidationError(_l("Enter a real date, like 2026-03-31")) from None

    def validate_date_from(self, field):
        self._date(field)

    def validate_date_to(self, field):
        day = self._date(field)
        try:
            start = self._date(self.date_from)
        except ValidationError:
            return
        if day and start and day < start:
            raise ValidationError(_l("The end date must be the same as or after the start date"))

    def dates(self) -> tuple[date | None, date | None]:
        return self._date(self.date_from), self._date(self.date_to)
