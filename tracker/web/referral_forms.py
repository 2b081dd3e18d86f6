"""The forms of a referral: where to (a service), and what goes with it. Shared by the tutor who
refers a resident and the resident who asks a service themselves."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput
from wtforms import BooleanField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tracker.domain.referrals import OFFER_MAX, REASON_MAX
from tracker.web.forms import CheckboxesField, GovCharacterCount, GovRadioField, NoControlCharacters, strip
from tracker.web.wording import AREA_NAMES, DECLINE_REASON_NAMES, REFERRAL_OUTCOME_NAMES


class ChooseServiceForm(FlaskForm):
    """Step one (a GET form: nothing changes): which service."""

    class Meta:
        csrf = False

    service = GovRadioField(_l("Which service could help?"), message=_l("Choose a service"), choices=[])

    def set_choices(self, destinations, language: str) -> None:
        self.service.choices = [
            SelectChoice(d.service.id, f"{d.provider.name}: {d.service.name.get(language) or d.service.name.get('en', '')}")
            for d in destinations]


def _areas_field(label):
    return CheckboxesField(label, message=_l("Choose at least one part of the plan"), choices=[])


class ReferralForm(FlaskForm):
    """Step two: what it is about, why, and the referrer's offer."""

    areas = _areas_field(_l("Which parts of the plan is it about?"))
    reason = TextAreaField(_l("Why are you referring them?"), description=_l("The resident reads this, and so does the service if they agree."),
                           widget=GovCharacterCount(), filters=[strip],
                           validators=[DataRequired(_l("Write why you are referring them")),
                                       Length(max=REASON_MAX, message=_l("Write %(max)d characters or fewer", max=REASON_MAX)),
                                       NoControlCharacters()])
    offer = TextAreaField(_l("What will you keep doing until the service replies?"),
                          description=_l("For example: I will call you next week to see if they got in touch."),
                          widget=GovCharacterCount(), filters=[strip],
                          validators=[DataRequired(_l("Write what you will keep doing meanwhile")),
                                      Length(max=OFFER_MAX, message=_l("Write %(max)d characters or fewer", max=OFFER_MAX)),
                                      NoControlCharacters()])

    def set_areas(self, areas: list[str]) -> None:
        self.areas.choices = [SelectChoice(a, AREA_NAMES[a]) for a in areas]


class OwnReferralForm(FlaskForm):
    """A resident asking a service to contact them."""

    areas = _areas_field(_l("What would you like help with?"))
    reason = TextAreaField(_l("Anything you would like them to know? (optional)"),
                           description=_l("For example, the best time to call you."), widget=GovCharacterCount(), filters=[strip],
                           validators=[Optional(), Length(max=REASON_MAX, message=_l("Write %(max)d characters or fewer", max=REASON_MAX)),
                                       NoControlCharacters()])

    def set_areas(self, areas: list[str]) -> None:
        self.areas.choices = [SelectChoice(a, AREA_NAMES[a]) for a in areas]


class AgreeForm(FlaskForm):
    """The resident's yes: which parts travel, and whether the referrer may see how it went."""

    areas = _areas_field(_l("What can they see?"))
    outcome_shared = BooleanField(_l("Let them see how this went"), widget=GovCheckboxInput())

    def set_areas(self, areas: list[str]) -> None:
        self.areas.choices = [SelectChoice(a, AREA_NAMES[a]) for a in areas]


class DeclineForm(FlaskForm):
    reason = GovRadioField(_l("Why can you not take this referral?"), message=_l("Choose a reason"),
                           choices=[SelectChoice(code, words) for code, words in DECLINE_REASON_NAMES.items()])


class CloseForm(FlaskForm):
    outcome = GovRadioField(_l("How did it end?"), message=_l("Choose how it ended"),
                            choices=[SelectChoice(code, words) for code, words in REFERRAL_OUTCOME_NAMES.items()])
