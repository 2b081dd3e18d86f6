from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, StringField, SubmitField, TextAreaField, URLField
from wtforms.validators import URL, DataRequired, Length, Optional, ValidationError

from tracker.domain.plan import MAX_OWN_STEPS
from tracker.models import Area
from tracker.web.forms import (
    GovCharacterCount,
    GovDateField,
    GovRadioField,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
    NoControlCharacters,
    strip,
)
from tracker.web.wording import AREA_NAMES

NOTE_MAX = 2000

class OwnGoalForm(FlaskForm):
    area = GovRadioField(_l("Which part of your plan is this goal for?"), message=_l("Choose which part of your plan this goal is for"))
    title = StringField(_l("Your goal"), description=_l("For example: Video call my grandson"), widget=GovTextInput(), filters=[strip],
                        validators=[DataRequired(_l("Write your goal")), Length(max=120, message=_l("Your goal must be 120 characters or fewer")), NoControlCharacters()])
    steps = TextAreaField(_l("Small steps to get there (optional)"),
                          description=_l("Write one step on each line, up to 10 steps. For example: I can open the video app"),
                          widget=GovTextArea(), filters=[strip],
                          validators=[Optional(), Length(max=MAX_OWN_STEPS * 201, message=_l("Write fewer or shorter steps")), NoControlCharacters()])
    target_date = GovDateField(_l("Target date (optional)"), description=_l("For example, 31 3 2027"))
    submit = SubmitField(_l("Add this goal to my plan"), widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.area.choices = [SelectChoice(area.value, AREA_NAMES[area]) for area in Area]

    def validate_steps(self, field):
        lines = [line for line in (field.data or "").splitlines() if line.strip()]
        if len(lines) > MAX_OWN_STEPS:
            raise ValidationError(_l("Write 10 steps or fewer"))
        if any(len(line.strip()) > 200 for line in lines):
            raise ValidationError(_l("Each step must be 200 characters or fewer"))

    def step_lines(self) -> list[str]:
        return [line.strip() for line in (self.steps.data or "").splitlines() if line.strip()]


class EditGoalForm(FlaskForm):
    title = StringField(_l("Your goal"), widget=GovTextInput(), filters=[strip],
                        validators=[Optional(), Length(max=120, message=_l("Your goal must be 120 characters or fewer")), NoControlCharacters()])
    new_step = StringField(_l("Add a step (optional)"), description=_l("For example: I can open the video app"), widget=GovTextInput(), filters=[strip],
                           validators=[Optional(), Length(max=200, message=_l("A step must be 200 characters or fewer")), NoControlCharacters()])
    target_date = GovDateField(_l("Target date (optional)"), description=_l("For example, 31 3 2027"))
    submit = SubmitField(_l("Save changes"), widget=GovSubmitInput())


class NoteForm(FlaskForm):
    text = TextAreaField(_l("Add a note"), description=_l("What did you do? How did it go? Only you and the people you share with can see it."),
                         widget=GovCharacterCount(), filters=[strip],
                         validators=[DataRequired(_l("Write your note")), Length(max=NOTE_MAX, message=_l("Your note must be 2,000 characters or fewer")), NoControlCharacters()])
    link = URLField(_l("Link to your evidence (optional)"), description=_l("For example, a link to a certificate or a document you saved online"),
                    widget=GovTextInput(), filters=[strip],
                    validators=[Optional(), Length(max=500, message=_l("The link must be 500 characters or fewer")),
                                URL(require_tld=True, message=_l("Enter a link that starts with https://"))])
    submit = SubmitField(_l("Save note"), widget=GovSubmitInput())

    def validate_link(self, field):
        if field.data and not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError(_l("Enter a link that starts with https://"))

