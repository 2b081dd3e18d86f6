from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from tracker.domain.passwords import MAX_LENGTH as PASSWORD_MAX
from tracker.web.forms import GovPasswordInput, GovRadioField, GovSubmitInput, GovTextInput, NoControlCharacters, strip


class SignInForm(FlaskForm):
    username = StringField(
        _l("Username"),
        widget=GovTextInput(),
        filters=[strip],
        validators=[DataRequired(_l("Enter your username")), Length(max=40, message=_l("Usernames are 40 characters or fewer"))],
    )
    password = PasswordField(
        _l("Password"),
        widget=GovPasswordInput(),
        validators=[DataRequired(_l("Enter your password")), Length(max=PASSWORD_MAX, message=_l("Passwords are 200 characters or fewer"))],
    )
    submit = SubmitField(_l("Sign in"), widget=GovSubmitInput())


class RegisterForm(FlaskForm):
    display_name = StringField(
        _l("Your name"),
        description=_l("What you would like to be called. This can be your first name only."),
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter your name")),
            Length(max=80, message=_l("Your name must be 80 characters or fewer")),
            NoControlCharacters(),
        ],
    )
    username = StringField(
        _l("Choose a username"),
        description=_l("You will use this to sign in. Use 3 to 40 letters or numbers. You can also use . - and _"),
        widget=GovTextInput(),
        filters=[strip],
        validators=[DataRequired(_l("Choose a username")), Length(max=40, message=_l("Your username must be 40 characters or fewer"))],
    )
    email = EmailField(
        _l("Email address (optional)"),
        description=_l("You do not need an email address to use this service."),
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=254, message=_l("Your email address must be 254 characters or fewer")),
            Email(message=_l("Enter an email address in the correct format, like name@example.com"), check_deliverability=False),
        ],
    )
    password = PasswordField(
        _l("Create a password"),
        description=_l(
            "Use at least 12 characters. Three random words together are easy to remember and hard to guess, "
            "for example: apple river chair."
        ),
        widget=GovPasswordInput(),
        validators=[
            DataRequired(_l("Create a password")),
            Length(max=PASSWORD_MAX, message=_l("Your password must be 200 characters or fewer")),
        ],
    )
    language = GovRadioField(
        _l("Which language do you prefer?"),
        description=_l("You can change this at any time."),
        choices=[SelectChoice("en", "English", render_kw={"lang": "en"}), SelectChoice("pl", "Polski", render_kw={"lang": "pl"})],
        message=_l("Choose a language"),
    )
    submit = SubmitField(_l("Create my account"), widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        widget=GovPasswordInput(),
        validators=[DataRequired(_l("Enter your current password")), Length(max=PASSWORD_MAX)],
    )
    new_password = PasswordField(
        _l("New password"),
        description=_l("Use at least 12 characters. Three random words together are easy to remember and hard to guess."),
        widget=GovPasswordInput(),
        validators=[DataRequired(_l("Enter a new password")), Length(max=PASSWORD_MAX, message=_l("Your password must be 200 characters or fewer"))],
    )
    submit = SubmitField(_l("Change password"), widget=GovSubmitInput())


class SetupForm(FlaskForm):
    username = StringField(
        _l("Username"),
        description=_l("It is on the slip you were given."),
        widget=GovTextInput(),
        filters=[strip],
        validators=[DataRequired(_l("Enter your username")), Length(max=40, message=_l("Usernames are 40 characters or fewer"))],
    )
    code = StringField(
        _l("Code"),
        description=_l("12 letters and numbers, for example 7K4Q-9P2D-R8XJ"),
        widget=GovTextInput(),
        filters=[strip],
        validators=[DataRequired(_l("Enter the code from your slip")), Length(max=30, message=_l("The code is 12 letters and numbers"))],
    )
    password = PasswordField(
        _l("Choose a password"),
        description=_l("Use at least 12 characters. Three random words together are easy to remember and hard to guess."),
        widget=GovPasswordInput(),
        validators=[DataRequired(_l("Choose a password")), Length(max=PASSWORD_MAX, message=_l("Your password must be 200 characters or fewer"))],
    )


class ForgotForm(FlaskForm):
    """Asking for a code by text: the username and the mobile number the resident confirmed."""

    username = StringField(
        _l("Username"),
        widget=GovTextInput(),
        filters=[strip],
        validators=[DataRequired(_l("Enter your username")), Length(max=40, message=_l("Usernames are 40 characters or fewer")),
                    NoControlCharacters()],
    )
    mobile = StringField(
        _l("Your mobile phone number"),
        description=_l("The number you confirmed in Me and My Learning, for example 07700 900 982"),
        widget=GovTextInput(),
        filters=[strip],
        validators=[DataRequired(_l("Enter your mobile phone number")), Length(max=30, message=_l("Enter a UK mobile number, like 07700 900 982"))],
    )

    def validate_mobile(self, field):
        from tracker.domain.texts import InvalidMobile, uk_mobile

        try:
            self.number = uk_mobile(field.data)
        except InvalidMobile:
            raise ValidationError(_l("Enter a UK mobile number, like 07700 900 982")) from None


def _digits_only(value):
    """"123 456" and "123-456" are the code too (a slip of the thumb is not a wrong try)."""
    return "".join(value.split()).replace("-", "") if isinstance(value, str) else value


class ForgotCodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        description=_l("The 6 numbers in the text we sent"),
        widget=GovTextInput(),
        filters=[strip, _digits_only],
        validators=[DataRequired(_l("Enter the code from the text")),
                    Regexp(r"[0-9]{6}\Z", message=_l("The code is 6 numbers"))],
    )
    password = PasswordField(
        _l("Choose a new password"),
        description=_l("Use at least 12 characters. Three random words together are easy to remember and hard to guess."),
        widget=GovPasswordInput(),
        validators=[DataRequired(_l("Choose a password")), Length(max=PASSWORD_MAX, message=_l("Your password must be 200 characters or fewer"))],
    )
