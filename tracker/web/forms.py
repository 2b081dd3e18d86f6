"""Shared form pieces: GOV.UK widgets for WTForms fields and the GOV.UK error summary."""

from __future__ import annotations

from typing import ClassVar

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovPasswordInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput as _GovCheckboxesInput,
)
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput as _GovDateInput,
)
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput as _GovRadioInput,
)
from wtforms import DateField, RadioField, SelectChoice, SelectMultipleField, StringField, SubmitField, TextAreaField, validators
from wtforms.validators import DataRequired, Length, Optional

from tracker.models import STAGES, Area
from tracker.web.wording import STAGE_HINTS, STAGE_NAMES

__all__ = [
    "ButtonForm",
    "CheckInForm",
    "CheckboxesField",
    "GovCharacterCount",
    "GovCheckboxesInput",
    "GovDateField",
    "GovDateInput",
    "GovPasswordInput",
    "GovRadioField",
    "GovRadioInput",
    "GovSubmitInput",
    "GovTextArea",
    "GovTextInput",
    "NoControlCharacters",
    "page_status",
    "strip",
]


class _FieldsetFromLabel:
    """The library leaves radios without a legend and adds an empty hint (read out by screen
    readers as nothing). Use the field's label as the legend; drop a hint that has no text."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        legend = params.setdefault("fieldset", {}).setdefault("legend", {})
        if not (legend.get("text") or legend.get("html")):
            legend["text"] = field.label.text
        if not (params.get("hint") or {}).get("text"):
            params.pop("hint", None)
        return params


class GovRadioInput(_FieldsetFromLabel, _GovRadioInput):
    pass


class GovCheckboxesInput(_FieldsetFromLabel, _GovCheckboxesInput):
    pass


class GovDateInput(_GovDateInput):
    """The GOV.UK date input (day, month, year boxes) with its labels translated."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        for item, label in zip(params["items"], (_l("Day"), _l("Month"), _l("Year")), strict=True):
            item["label"] = str(label)
        return params


class GovDateField(DateField):
    """A date from three boxes; a date that does not exist gets a GOV.UK-style message."""

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%d %m %Y", **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:  # no boxes sent at all: no date (the boxes are drawn empty again)
            self.raw_data, self.data = ["", "", ""], None
            return
        if len(valuelist) != 3:
            # Not the three boxes we drew (a forged or garbled form): say so, and draw three again.
            self.raw_data, self.data = [*valuelist, "", "", ""][:3], None
            raise ValueError(_l("Enter a real date, for example 31 3 2027"))
        if valuelist and not any(v.strip() for v in valuelist):
            self.data = None
            self.raw_data = valuelist
            return
        try:
            super().process_formdata([" ".join(v.strip() for v in valuelist)])
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a real date, for example 31 3 2027")) from None


class GovRadioField(RadioField):
    """Radios where a missing or forged answer gets the same plain message ("Choose …")."""

    widget = GovRadioInput()

    def __init__(self, label=None, *, message, **kwargs):
        self.message = message
        super().__init__(label, validators=[validators.InputRequired(message)], **kwargs)

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except validators.ValidationError:
            raise validators.ValidationError(self.message) from None


class CheckboxesField(SelectMultipleField):
    """GOV.UK checkboxes; a value that was not offered gets ``message``."""

    widget = GovCheckboxesInput()

    def __init__(self, label=None, *, message, **kwargs):
        self.message = message
        super().__init__(label, **kwargs)

    def pre_validate(self, form):
        offered = {choice.value for choice in self.choices}
        if not self.data:
            raise validators.ValidationError(self.message)
        if any(value not in offered for value in self.data):
            raise validators.ValidationError(self.message)


def strip(value):
    return value.strip() if isinstance(value, str) else value


class NoControlCharacters:
    """Refuse control characters (they cannot be typed, only pasted or forged)."""

    def __init__(self, message=None):
        self.message = message or _l("Remove the hidden characters from this answer")

    def __call__(self, form, field):
        data = field.data or ""
        if any(ord(c) < 32 and c not in "\n\r\t" for c in data):
            raise validators.ValidationError(self.message)



def page_status() -> int:
    """The status of a page with a form: 200 when it is first shown, 400 when it comes back after a
    POST (whose errors it shows)."""
    return 400 if request.method == "POST" else 200


class ButtonForm(FlaskForm):
    """A button and nothing else (removals, status changes, sharing switches): the CSRF token is the point."""


CHECK_IN_NOTE_MAX = 280

# The questions, as a resident is asked them about themselves, one per area.
_ASKED_OF_RESIDENTS = {
    Area.DIGITAL: (_l("Using computers, phones and the internet"), _l("Choose where you are now with computers, phones and the internet"),
                   _l("Anything to add about computers, phones and the internet? (optional)")),
    Area.FINANCIAL: (_l("Managing money"), _l("Choose where you are now with managing money"),
                     _l("Anything to add about managing money? (optional)")),
    Area.JOB_READINESS: (_l("Getting ready for work"), _l("Choose where you are now with getting ready for work"),
                         _l("Anything to add about getting ready for work? (optional)")),
}
# ... and as a tutor is asked them about the resident beside them, in the one area they record.
_ASKED_OF_STAFF = (_l("Where is the resident now?"), _l("Choose where the resident is now"), _l("Anything to add? (optional)"))


class CheckInForm(FlaskForm):
    """Where someone is now, area by area (a stage each), with an optional sentence each. Residents
    answer for all three areas (``for_resident()``); a tutor for the one area they are recording
    with the resident (``for_staff(area)``). Fields are named after the area: ``digital``,
    ``digital_note``, ..."""

    areas: tuple[str, ...] = ()
    _classes: ClassVar[dict] = {}

    @classmethod
    def _build(cls, areas: tuple[str, ...], staff: bool) -> type[CheckInForm]:
        key = (areas, staff)
        if key not in cls._classes:
            attrs: dict = {"areas": areas}
            for area in areas:
                label, message, note_label = _ASKED_OF_STAFF if staff else _ASKED_OF_RESIDENTS[Area(area)]
                attrs[area] = GovRadioField(label, message=message)
                attrs[f"{area}_note"] = TextAreaField(
                    note_label, widget=GovCharacterCount(), filters=[strip],
                    validators=[Optional(), Length(max=CHECK_IN_NOTE_MAX, message=_l("Write 280 characters or fewer")), NoControlCharacters()])
            if not staff:
                attrs["submit"] = SubmitField(_l("Save my check-in"), widget=GovSubmitInput())
            cls._classes[key] = type("StaffCheckInForm" if staff else "ResidentCheckInForm", (cls,), attrs)
        return cls._classes[key]

    @classmethod
    def for_resident(cls, **kwargs) -> CheckInForm:
        return cls._build(tuple(area.value for area in Area), staff=False)(**kwargs)

    @classmethod
    def for_staff(cls, area: str, **kwargs) -> CheckInForm:
        return cls._build((str(area),), staff=True)(**kwargs)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for area in self.areas:
            self[area].choices = [SelectChoice(str(stage), STAGE_NAMES[stage]) for stage in STAGES]

    @staticmethod
    def stage_hint_items() -> list[dict]:
        return [{"hint": {"text": str(STAGE_HINTS[stage])}} for stage in STAGES]

    def answers(self) -> dict[str, tuple[int, str | None]]:
        return {area: (int(self[area].data), self[f"{area}_note"].data or None) for area in self.areas}

class SearchForm(FlaskForm):
    """Find a resident by name (sent as a POST, so names never sit in addresses or server logs)."""

    name = StringField(_l("Find a resident by name"), widget=GovTextInput(), filters=[strip],
                       validators=[DataRequired(_l("Enter a name to search for")), Length(max=80, message=_l("Names are 80 characters or fewer"))])
