"""Shared form pieces: GOV.UK widgets for WTForms fields and the GOV.UK error summary."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
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
from wtforms import DateField, RadioField, validators

__all__ = [
    "GovCharacterCount",
    "GovDateField",
    "GovDateInput",
    "GovRadioField",
    "GovCheckboxesInput",
    "GovPasswordInput",
    "GovRadioInput",
    "GovSubmitInput",
    "GovTextArea",
    "GovTextInput",
    "NoControlCharacters",
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

