"""Shared form pieces: GOV.UK widgets for WTForms fields and the GOV.UK error summary."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput as _GovCheckboxesInput,
    GovPasswordInput,
    GovRadioInput as _GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import validators

__all__ = [
    "GovCharacterCount",
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

