"""The words of the text messages residents get, in their language, and the Notify client.

A text says only that there is an update unless the resident chose fuller texts; even then it
never names a service, a person or anything about their plan: a phone is often shared, or read
by someone who must not know. A code they asked for (to confirm their number) is always in it.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import object_session

from tracker.domain.texts import Outbox
from tracker.models import ContactSettings, TextChannel, TextKind, TextMessage, User


def _fuller(kind: str) -> str:
    return {
        TextKind.REFERRAL_WAITING: _("A service would like to help you and is waiting for your answer."),
        TextKind.REFERRAL_NEWS: _("There is news about a service you were put in touch with."),
        TextKind.SHARING_ENDING: _("Something has changed about who can see your plan."),
        TextKind.SETUP_CODE: _("A member of staff gave you a new set-up code. If you did not ask for one, tell us."),
        TextKind.CHECK_IN_REMINDER: _("It is time to check in on your plan."),
    }.get(kind, "")


def words(message: TextMessage, settings: ContactSettings | None, code: str | None = None) -> str:
    """The text of ``message``, in the resident's language (``code``: the one it carries, if any)."""
    resident = object_session(message).get(User, message.resident_id)
    language = (resident.preferred_language if resident else None) or "en"
    with force_locale(language):
        if message.kind == TextKind.CONFIRM_NUMBER:
            return _("Your Me and My Learning code is %(code)s. It works for 10 minutes. Nobody from the service will ask you for it.",
                     code=code or "")
        if message.kind == TextKind.RESET_CODE:
            return _("Your Me and My Learning code to choose a new password is %(code)s. It works for 10 minutes. "
                     "If you did not ask for it, tell a tutor.", code=code or "")
        # A letter or an email (a text did not arrive) says the same, and nothing about a phone:
        # whoever opens the post may not know they have one.
        if settings is not None and settings.fuller_texts:
            return _("Me and My Learning: %(update)s Sign in to see it.", update=_fuller(message.kind))
        return _("You have an update in Me and My Learning. Sign in to see it.")


def notifier():
    """(client, SMS template id): GOV.UK Notify's client when an API key is set, else the outbox."""
    key = current_app.config.get("NOTIFY_API_KEY")
    if not key:
        return Outbox(), "outbox"
    from notifications_python_client.notifications import NotificationsAPIClient  # (only where texts are really sent)

    # A short timeout: a page waits for it (a code), and the claim's lease must outlast it.
    return (NotificationsAPIClient(key, base_url=current_app.config["NOTIFY_BASE_URL"], timeout=10),
            current_app.config["NOTIFY_SMS_TEMPLATE_ID"])


def fallback_templates() -> dict[str, str]:
    """The letter and email templates, for messages sent instead of a text that did not arrive
    (the outbox takes them all in development)."""
    if not current_app.config.get("NOTIFY_API_KEY"):
        return {TextChannel.LETTER: "outbox", TextChannel.EMAIL: "outbox"}
    found = {TextChannel.LETTER: current_app.config.get("NOTIFY_LETTER_TEMPLATE_ID"),
             TextChannel.EMAIL: current_app.config.get("NOTIFY_EMAIL_TEMPLATE_ID")}
    return {channel: template for channel, template in found.items() if template}
