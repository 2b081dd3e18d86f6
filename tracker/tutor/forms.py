from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput
from wtforms import BooleanField, PasswordField, SelectChoice, StringField
from wtforms.validators import DataRequired, Length

from tracker.web.forms import GovPasswordInput, GovRadioField, GovTextInput, NoControlCharacters, strip
from tracker.web.wording import AREA_NAMES


class AssistedRegistrationForm(FlaskForm):
    display_name = StringField(_l("The resident's name"), description=_l("What they would like to be called."), widget=GovTextInput(),
                               filters=[strip], validators=[DataRequired(_l("Enter the resident's name")),
                                                            Length(max=80, message=_l("The name must be 80 characters or fewer")), NoControlCharacters()])
    username = StringField(_l("Username for them"), description=_l("Choose it with them. 3 to 40 letters or numbers; they can also use . - and _"),
                           widget=GovTextInput(), filters=[strip],
                           validators=[DataRequired(_l("Choose a username with the resident")), Length(max=40, message=_l("Usernames are 40 characters or fewer"))])
    language = GovRadioField(_l("Which language do they prefer?"), message=_l("Choose a language"),
                             choices=[SelectChoice("en", "English", render_kw={"lang": "en"}), SelectChoice("pl", "Polski", render_kw={"lang": "pl"})])


class PasswordResetForm(FlaskForm):
    username = StringField(_l("The resident's username"), widget=GovTextInput(), filters=[strip],
                           validators=[DataRequired(_l("Enter the resident's username")), Length(max=40, message=_l("Usernames are 40 characters or fewer"))])


class AssistedConsentForm(FlaskForm):
    username = StringField(_l("The resident's username"), widget=GovTextInput(), filters=[strip],
                           validators=[DataRequired(_l("Enter the resident's username")), Length(max=40)])
    password = PasswordField(_l("The resident types their password"),
                             description=_l("Turn the screen to the resident. You do not need to see it."),
                             widget=GovPasswordInput(), validators=[DataRequired(_l("The resident needs to type their password")), Length(max=200)])
    notice = GovRadioField(_l("Who should see it, and which part of the plan?"), message=_l("Choose what to share"), choices=[])
    record = BooleanField(_l("They may also record progress (only if the organisation asks for it)"), widget=GovCheckboxInput())
    months = GovRadioField(_l("For how long?"), message=_l("Choose how long to share for"),
                           choices=[SelectChoice("3", _l("3 months")), SelectChoice("6", _l("6 months")), SelectChoice("12", _l("12 months"))])

    def set_choices(self, notices, providers) -> None:
        self.notice.choices = [SelectChoice(n.id, f"{providers[n.provider_id].name}: {AREA_NAMES[n.area]}") for n in notices]
