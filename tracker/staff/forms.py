from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from tracker.web.forms import GovTextArea, NoControlCharacters, strip


class StaffNoteForm(FlaskForm):
    text = TextAreaField(_l("Add a note"), description=_l("The resident can read every note, with your name on it."),
                         widget=GovTextArea(), filters=[strip],
                         validators=[DataRequired(_l("Write your note")), Length(max=2000, message=_l("Your note must be 2,000 characters or fewer")),
                                     NoControlCharacters()])
