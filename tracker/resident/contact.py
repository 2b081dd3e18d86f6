"""How we contact you: the resident's own choices about text messages (whether texting them is
safe, which messages, how much a text says, quiet hours, a check-in reminder), their mobile number
(confirmed with a code we text them), and the texts we sent them. The rules are
tracker.domain.texts'; these pages only ask and show."""

from __future__ import annotations

from flask import current_app, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSelect
from wtforms import BooleanField, SelectChoice, SelectField, SelectMultipleField, StringField, validators

from tracker.domain import plan, texts, throttle
from tracker.models import TextKind, TextState
from tracker.resident import bp
from tracker.web import htmx
from tracker.web.forms import ButtonForm, GovCheckboxesInput, GovRadioField, GovTextInput, page_status, strip
from tracker.web.session import get_session

# What each kind of text is about, as the resident chooses it and as "Texts we sent you" lists it.
KIND_NAMES = {
    TextKind.REFERRAL_WAITING: _l("A service asks to help you and waits for your answer"),
    TextKind.REFERRAL_NEWS: _l("News about a referral: accepted, turned down or no answer"),
    TextKind.SHARING_ENDING: _l("Your sharing is ending or was paused"),
    TextKind.SETUP_CODE: _l("A member of staff gave you a new set-up code"),
    TextKind.CHECK_IN_REMINDER: _l("A reminder to check in on your plan"),
    TextKind.CONFIRM_NUMBER: _l("The code to confirm your number"),
    TextKind.RESET_CODE: _l("A code to choose a new password if you forget it (asked for on the sign-in page)"),
}
# What became of a text, in plain words.
STATE_NAMES = {
    TextState.WAITING: _l("Waiting to be sent"),
    TextState.SENDING: _l("Sent"),
    TextState.DELIVERED: _l("Delivered"),
    TextState.PERMANENT_FAILURE: _l("Could not be delivered"),
    TextState.TEMPORARY_FAILURE: _l("Could not be delivered"),
    TextState.TECHNICAL_FAILURE: _l("Not sent"),
    TextState.NOT_SENT: _l("Not sent"),
}
MOBILE_PROBLEMS = {
    "letters": _l("A mobile number must not contain letters or symbols"),
    "not_uk_mobile": _l("This is not a UK mobile number. Enter a number that starts with 07, like 07700 900 982"),
    "too_short": _l("The number is too short. A UK mobile number has 11 digits, like 07700 900 982"),
    "too_long": _l("The number is too long. A UK mobile number has 11 digits, like 07700 900 982"),
}
NO_QUIET_HOURS = ""
HOURS = frozenset(str(h) for h in range(24))
NO_REMINDERS = "none"


class KindsField(SelectMultipleField):
    """Checkboxes for the kinds of text; none ticked is an answer too (no texts of any kind)."""

    widget = GovCheckboxesInput()

    def pre_validate(self, form):
        offered = {choice.value for choice in self.choices}
        if any(value not in offered for value in self.data or []):
            raise validators.ValidationError(_l("Choose the messages you want from the list"))


class HourField(SelectField):
    """A GOV.UK select of whole hours (00:00 to 23:00), or no quiet hours."""

    widget = GovSelect()

    def __init__(self, label=None, **kwargs):
        choices = [SelectChoice(NO_QUIET_HOURS, _l("No quiet hours")), *(SelectChoice(str(h), f"{h:02d}:00") for h in range(24))]
        super().__init__(label, choices=choices, **kwargs)

    def pre_validate(self, form):
        if self.data not in {choice.value for choice in self.choices}:
            raise validators.ValidationError(_l("Choose a time from the list"))

    def hour(self) -> int | None:
        # (Read by the "until" check even when this answer itself was refused: a forged one is none.)
        return int(self.data) if self.data in HOURS else None


class ContactForm(FlaskForm):
    texts_safe = GovRadioField(
        _l("Is it safe for us to text you?"),
        description=_l("Say no if someone else might read your phone, or if a text from us could put you at risk. "
                       "You can change this at any time."),
        message=_l("Choose whether it is safe for us to text you"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
    )
    kinds = KindsField(_l("Which messages do you want?"), description=_l("Select all that apply."),
                       choices=[SelectChoice(str(kind), KIND_NAMES[kind]) for kind in texts.CHOOSABLE])
    fuller = GovRadioField(
        _l("How much should a text say?"), message=_l("Choose how much a text should say"),
        choices=[SelectChoice("discreet", _l("Only that there is an update. Sign in to see it.")),
                 SelectChoice("fuller", _l("What the update is about"))],
    )
    quiet_from = HourField(_l("Do not text me from"))
    quiet_until = HourField(_l("Until"))
    reminder = GovRadioField(
        _l("How often should we remind you to check in on your plan?"), message=_l("Choose how often to remind you"),
    )
    email_fallback = BooleanField(_l("If a text does not reach my phone, email me instead"), widget=GovCheckboxInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reminder.choices = [*(SelectChoice(str(weeks), ngettext("Every %(num)d week", "Every %(num)d weeks", weeks))
                                   for weeks in texts.REMINDER_WEEKS), SelectChoice(NO_REMINDERS, _("No reminders"))]

    def validate_quiet_until(self, field):
        start, end = self.quiet_from.hour(), field.hour()
        if (start is None) != (end is None):
            raise validators.ValidationError(_l("Choose both times, or No quiet hours for both"))
        if start is not None and start == end:
            raise validators.ValidationError(_l("Quiet hours must start and end at different times"))

    def fill(self, settings) -> None:
        self.texts_safe.data = "yes" if settings.texts_safe else "no"
        self.kinds.data = list(settings.kinds or [])
        self.fuller.data = "fuller" if settings.fuller_texts else "discreet"
        self.quiet_from.data = NO_QUIET_HOURS if settings.quiet_from is None else str(settings.quiet_from)
        self.quiet_until.data = NO_QUIET_HOURS if settings.quiet_until is None else str(settings.quiet_until)
        self.reminder.data = str(settings.reminder_weeks) if settings.reminder_weeks else NO_REMINDERS
        self.email_fallback.data = settings.email_fallback

    def choices(self) -> texts.Choices:
        return texts.Choices(
            texts_safe=self.texts_safe.data == "yes", fuller_texts=self.fuller.data == "fuller", kinds=list(self.kinds.data or []),
            quiet_from=self.quiet_from.hour(), quiet_until=self.quiet_until.hour(),
            reminder_weeks=None if self.reminder.data == NO_REMINDERS else int(self.reminder.data),
            email_fallback=bool(self.email_fallback.data),
        )


class NumberForm(FlaskForm):
    mobile = StringField(_l("UK mobile number"), description=_l("For example, 07700 900 982"), widget=GovTextInput(), filters=[strip],
                         validators=[validators.DataRequired(_l("Enter a UK mobile number, like 07700 900 982"))])

    def validate_mobile(self, field):
        if len(field.data) > 30:
            raise validators.ValidationError(MOBILE_PROBLEMS["too_long"])
        try:
            self.number = texts.uk_mobile(field.data)
        except texts.InvalidMobile as problem:
            raise validators.ValidationError(MOBILE_PROBLEMS[problem.code]) from None


def _spaces_out(value):
    return "".join(value.split()) if isinstance(value, str) else value


class CodeForm(FlaskForm):
    code = StringField(_l("Code"), widget=GovTextInput(), filters=[_spaces_out],
                       validators=[validators.DataRequired(_l("Enter the 6-digit code from the text"))])

    def validate_code(self, field):
        if len(field.data) != 6 or not field.data.isascii() or not field.data.isdigit():
            raise validators.ValidationError(_l("The code is 6 digits, like 123456"))


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _changing(db) -> None:
    """Before a change: this resident's record, one change at a time (reads after this are fresh)."""
    plan.begin_change(db, current_user.id)


@bp.route("/contact", methods=["GET", "POST"])
def contact():
    """"How we contact you": the number, the choices (saved together, or not at all), the texts sent."""
    db = get_session()
    form = ContactForm()
    if form.validate_on_submit():
        _changing(db)
        texts.choose(db, current_user.id, form.choices())
        db.commit()
        flash(_("Your choices about texts are saved."), "success")
        return htmx.redirect(url_for("resident.contact"))
    settings = texts.settings_of(db, current_user.id)
    if request.method == "GET":
        form.fill(settings)
    waiting = texts.shown(settings.pending_mobile) if settings.pending_mobile and texts.code_works(settings) else None
    return render_template("resident/contact.html", form=form, waiting=waiting, number=texts.shown(settings.mobile),
                           failed=texts.failed_recently(db, current_user.id), sent=texts.texts_of(db, current_user.id, 20),
                           shown=texts.shown, kind_names=KIND_NAMES, state_names=STATE_NAMES, button=ButtonForm(),
                           email=current_user.email, letters=texts.letter_address(db, current_user.id) is not None), page_status()


@bp.route("/contact/number", methods=["GET", "POST"])
def contact_number():
    """A new number: checked as Notify checks it, then a text with a code goes to it at once."""
    form = NumberForm()
    if form.validate_on_submit():
        db = get_session()
        _changing(db)
        if texts.just_sent_code_to(texts.settings_of(db, current_user.id), form.number):
            db.rollback()
            return htmx.redirect(url_for("resident.contact_confirm"))  # (sent twice: the first code stands)
        if not throttle.allow(db, current_user.id, "mobile", current_app.config, exact=True):
            form.mobile.errors.append(_l("You have tried 3 numbers in the last hour. Try again in an hour"))
        elif not _send_code(db, form.number):
            form.mobile.errors.append(_l("We could not send a text just now. Try again in a few minutes"))
        else:
            return htmx.redirect(url_for("resident.contact_confirm"))
    return render_template("resident/contact_number.html", form=form), page_status()


def _send_code(db, number: str) -> bool:
    """Keep the number waiting with a new code, and text the code to it now. True once Notify has it."""
    from tracker.web.text_wording import notifier, words

    message, code = texts.start_confirming(db, current_user.id, number, _secret())
    db.commit()  # (the number waits with its code first; no transaction stays open while Notify is asked)
    client, template_id = notifier()
    texts.send_one(db, message, client, template_id, words, commit=db.commit, code=code)
    db.commit()
    if message.state == TextState.SENDING:
        return True
    texts.cancel_confirming(db, current_user.id)  # (not sent: the number is not waiting; the text says "not sent")
    db.commit()
    return False


@bp.route("/contact/confirm", methods=["GET", "POST"])
def contact_confirm():
    """The code from the text. Right: the number is theirs. Three wrong tries or ten minutes and it
    stops working (they ask for a new one)."""
    db = get_session()
    settings = texts.settings_of(db, current_user.id)
    if not settings.pending_mobile:
        return htmx.redirect(url_for("resident.contact"))
    form = CodeForm()
    ended = not texts.code_works(settings)
    if form.validate_on_submit():
        try:
            texts.confirm(db, current_user.id, form.code.data, _secret())
        except texts.CodeProblem as problem:
            if problem.code == "none":
                db.rollback()
                return htmx.redirect(url_for("resident.contact"))
            db.commit()  # a wrong try counts
            ended = problem.code != "wrong"  # (the page then says so, and offers a new code, not the box)
            if not ended:
                form.code.errors.append(_l("The code is not right. Check the text and try again"))
        else:
            db.commit()
            flash(_("Your number is confirmed."), "success")
            return htmx.redirect(url_for("resident.contact"))
    return render_template("resident/contact_confirm.html", form=form, number=texts.shown(settings.pending_mobile),
                           ended=ended), page_status()


@bp.post("/contact/remove-number")
def remove_number():
    """"Remove my number": nothing more is texted to it; texts waiting are dropped."""
    db = get_session()
    _changing(db)
    texts.forget_number(db, current_user.id)
    db.commit()
    flash(_("Your number is removed. We will not text you."), "success")
    return htmx.redirect(url_for("resident.contact"))
