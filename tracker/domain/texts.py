"""Text messages to residents, through GOV.UK Notify, on the resident's terms.

Nothing is sent without a confirmed UK mobile number and the resident's yes that texting them is
safe (someone else may read their phone) and to that kind of message; nothing is sent in their
quiet hours (UK time); and unless they chose fuller messages a text says only that there is an
update, never what it is. Messages are queued in ``text_message`` and sent by
``flask --app tracker send-texts`` (run every minute or so), which also asks Notify what became of
the ones it sent. The words are worked out at sending time, by a function the caller passes
(``words(message, settings, code) -> str``): the wording is the web layer's, in the resident's language.

The client is anything with notifications-python-client's two methods, ``send_sms_notification``
and ``get_notification_by_id``: the real ``NotificationsAPIClient`` when an API key is configured,
the ``Outbox`` (messages stay here, for the development outbox page) when not.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from tracker.clock import REPEAT_WINDOW, utcnow
from tracker.domain import about_me, accounts, passwords
from tracker.domain.locks import lock_key, lock_residents
from tracker.models import AccountEventKind, CheckIn, ContactSettings, Role, TextChannel, TextKind, TextMessage, TextState, User

UK = ZoneInfo("Europe/London")
CODE_VALID_FOR = timedelta(minutes=10)
CODE_TRIES = 3
MAX_ATTEMPTS = 6  # sending: temporary faults are retried after 1, 2, 4, 8 and 16 minutes, then given up
SEND_BATCH = 100
LEASE = timedelta(minutes=5)  # a claimed text is someone's to send for this long
# Kinds a resident can say yes or no to (a code to confirm their number is sent because they asked).
CHOOSABLE = (TextKind.REFERRAL_WAITING, TextKind.REFERRAL_NEWS, TextKind.SHARING_ENDING, TextKind.SETUP_CODE,
             TextKind.CHECK_IN_REMINDER, TextKind.RESET_CODE)
REMINDER_WEEKS = (2, 4, 8)
# Codes someone is waiting for on the page: sent at once, in the request, with the code passed in
# (it is stored nowhere); never queued for later, never tried again.
ASKED_FOR = (TextKind.CONFIRM_NUMBER, TextKind.RESET_CODE)
STATUS_GIVEN_UP_AFTER = timedelta(days=8)  # Notify keeps a text's status for about 7 days
# Notify's statuses of a text it has (https://docs.notifications.service.gov.uk/python.html)
NOTIFY_FINAL = {"delivered": TextState.DELIVERED, "permanent-failure": TextState.PERMANENT_FAILURE,
                "temporary-failure": TextState.TEMPORARY_FAILURE, "technical-failure": TextState.TECHNICAL_FAILURE,
                # a letter's: printed and posted; refused for its address; not sent
                "received": TextState.DELIVERED, "validation-failed": TextState.PERMANENT_FAILURE,
                "virus-scan-failed": TextState.TECHNICAL_FAILURE, "cancelled": TextState.NOT_SENT}


# --- UK mobile numbers, checked as Notify checks them ----------------------------------------------


class InvalidMobile(ValueError):
    """``code``: "letters" (not only digits), "not_uk_mobile", "too_short" or "too_long"."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def uk_mobile(text: str) -> str:
    """A UK mobile number as ``+447…``, from how people write it ("07700 900 123", "+44 (0)7700
    900123", "447700900123"), the way GOV.UK Notify reads them (spaces, brackets, hyphens and
    "+" allowed, zero-width characters dropped, ASCII digits only); InvalidMobile otherwise."""
    digits = re.sub(r"[\s()\-+\u200b\u200c\u200d\u2060\ufeff]", "", text or "")
    if not digits or not digits.isascii() or not digits.isdigit():
        raise InvalidMobile("letters")
    for prefix in ("0044", "44"):
        if digits.startswith(prefix):
            digits = digits[len(prefix):]
            break
    digits = digits.removeprefix("0")
    if not digits.startswith("7") or (digits.startswith("76") and not digits.startswith("7624")):
        raise InvalidMobile("not_uk_mobile")  # (076 numbers are pagers, but for 07624 on the Isle of Man)
    if len(digits) < 10:
        raise InvalidMobile("too_short")
    if len(digits) > 10:
        raise InvalidMobile("too_long")
    return "+44" + digits


def shown(number: str | None) -> str:
    """``+447700900123`` as people write it: ``07700 900123``."""
    if not number:
        return ""
    national = "0" + number.removeprefix("+44")
    return f"{national[:5]} {national[5:]}"


# --- The resident's settings -------------------------------------------------------------------------


def settings_of(db: Session, resident_id: str) -> ContactSettings:
    """Their settings (new, unsaved defaults if they never chose: no number, nothing sent)."""
    return db.get(ContactSettings, resident_id) or ContactSettings(resident_id=resident_id, kinds=[])


@dataclass
class Choices:
    """What the "How we contact you" form says (checked by the form)."""
    texts_safe: bool
    fuller_texts: bool
    kinds: list[str]
    quiet_from: int | None
    quiet_until: int | None
    reminder_weeks: int | None
    email_fallback: bool = False  # "if a text does not reach me, email me instead" (with an email address)


def choose(db: Session, resident_id: str, choices: Choices) -> ContactSettings:
    """Save the resident's choices (under their lock, so two tabs do not mix). Saying texting is
    not safe any more stops the messages still waiting at once."""
    lock_residents(db, [resident_id])
    settings = settings_of(db, resident_id)
    settings.texts_safe, settings.fuller_texts = choices.texts_safe, choices.fuller_texts
    settings.kinds = [str(kind) for kind in CHOOSABLE if str(kind) in choices.kinds]
    quiet = choices.quiet_from is not None and choices.quiet_until is not None and choices.quiet_from != choices.quiet_until
    settings.quiet_from, settings.quiet_until = (choices.quiet_from, choices.quiet_until) if quiet else (None, None)
    settings.reminder_weeks = choices.reminder_weeks if choices.reminder_weeks in REMINDER_WEEKS else None
    resident = db.get(User, resident_id)
    settings.email_fallback = bool(choices.email_fallback and resident is not None and resident.email)
    settings.updated_at = utcnow()
    if not settings.texts_safe or TextKind.RESET_CODE not in settings.kinds:
        _void_reset_code(settings)  # (someone else may have the phone now: a code sent to it stops working)
    db.add(settings)
    _drop_unwanted(db, settings)
    db.flush()
    return settings


def _void_reset_code(settings: ContactSettings) -> None:
    settings.reset_code_hash = settings.reset_code_expires_at = None
    settings.reset_code_tries = 0


def _drop_unwanted(db: Session, settings: ContactSettings) -> None:
    for message in db.exec(select(TextMessage).where(TextMessage.resident_id == settings.resident_id,
                                                     TextMessage.state == TextState.WAITING)).all():
        if not _may_send(db, settings, message):
            message.state, message.updated_at = TextState.NOT_SENT, utcnow()
            db.add(message)


def _code_hash(secret: str, resident_id: str, number: str, code: str) -> str:
    return hmac.new(secret.encode(), f"{resident_id}|{number}|{code}".encode(), hashlib.sha256).hexdigest()


def start_confirming(db: Session, resident_id: str, number: str, secret: str, now: datetime | None = None) -> tuple[TextMessage, str]:
    """A new number (already checked by ``uk_mobile``): keep it waiting with a new 6-digit code
    (the last one stops working), and a text for it, to send now with ``send_one(…, code=code)``.
    Returns both; the code is only ever in the text."""
    now = now or utcnow()
    lock_residents(db, [resident_id])
    settings = settings_of(db, resident_id)
    code = f"{secrets.randbelow(10 ** 6):06d}"
    settings.pending_mobile, settings.code_hash = number, _code_hash(secret, resident_id, number, code)
    settings.code_expires_at, settings.code_tries, settings.updated_at = now + CODE_VALID_FOR, 0, now
    db.add(settings)
    message = TextMessage(resident_id=resident_id, kind=TextKind.CONFIRM_NUMBER, to=number, send_after=now, created_at=now, updated_at=now)
    db.add(message)
    db.flush()
    return message, code


def code_works(settings: ContactSettings, now: datetime | None = None) -> bool:
    """The code sent to the number waiting can still confirm it (not too old, not tried 3 times)."""
    now = now or utcnow()
    return (settings.code_hash is not None and settings.code_tries < CODE_TRIES
            and settings.code_expires_at is not None and settings.code_expires_at > now)


def just_sent_code_to(settings: ContactSettings, number: str, now: datetime | None = None) -> bool:
    """A code went to this waiting number within REPEAT_WINDOW (the form sent twice: the first
    code stands, and no second text goes)."""
    now = now or utcnow()
    return (settings.pending_mobile == number and settings.code_hash is not None and settings.code_expires_at is not None
            and settings.code_expires_at - CODE_VALID_FOR > now - REPEAT_WINDOW)


def cancel_confirming(db: Session, resident_id: str) -> None:
    """The code could not be sent: the number is not waiting any more (nothing else changes)."""
    lock_residents(db, [resident_id])
    settings = db.get(ContactSettings, resident_id)
    if settings is not None:
        db.refresh(settings)
        settings.pending_mobile = settings.code_hash = settings.code_expires_at = None
        settings.code_tries = 0
        db.add(settings)
        db.flush()


class CodeProblem(ValueError):
    """``code``: "none" (no number waiting), "expired", "too_many" (3 wrong tries) or "wrong"."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def confirm(db: Session, resident_id: str, code: str, secret: str, now: datetime | None = None) -> ContactSettings:
    """Check the code sent to the waiting number; right, and the number is theirs (confirmed now).
    Three wrong tries or ten minutes and the code stops working. Read under the resident's lock, so
    two tries at once count as two."""
    now = now or utcnow()
    lock_residents(db, [resident_id])
    settings = db.get(ContactSettings, resident_id)
    if settings is not None:
        db.refresh(settings)
    if settings is None or not settings.pending_mobile or not settings.code_hash:
        raise CodeProblem("none")
    if settings.code_expires_at is None or settings.code_expires_at <= now:
        raise CodeProblem("expired")
    if settings.code_tries >= CODE_TRIES:
        raise CodeProblem("too_many")
    if not hmac.compare_digest(settings.code_hash, _code_hash(secret, resident_id, settings.pending_mobile, code.strip())):
        settings.code_tries += 1
        db.add(settings)
        db.flush()
        raise CodeProblem("too_many" if settings.code_tries >= CODE_TRIES else "wrong")
    if settings.mobile != settings.pending_mobile:
        for message in db.exec(select(TextMessage).where(TextMessage.resident_id == resident_id, TextMessage.state == TextState.WAITING)).all():
            message.state, message.updated_at = TextState.NOT_SENT, now  # (they were for the old number)
            db.add(message)
    settings.mobile, settings.mobile_confirmed_at = settings.pending_mobile, now
    settings.pending_mobile = settings.code_hash = settings.code_expires_at = None
    settings.code_tries, settings.updated_at = 0, now
    db.add(settings)
    db.flush()
    return settings


def forget_number(db: Session, resident_id: str) -> None:
    """Remove their number: nothing more is sent (messages waiting are dropped)."""
    lock_residents(db, [resident_id])
    settings = db.get(ContactSettings, resident_id)
    if settings is None:
        return
    settings.mobile = settings.mobile_confirmed_at = settings.pending_mobile = settings.code_hash = settings.code_expires_at = None
    settings.code_tries, settings.updated_at = 0, utcnow()
    db.add(settings)
    _drop_unwanted(db, settings)
    db.flush()


# --- A new password with a code by text (/forgot) ------------------------------------------------------


def start_reset(db: Session, username: str, number: str, secret: str, now: datetime | None = None) -> tuple[TextMessage, str] | None:
    """A text for a 6-digit code to choose a new password, and the code, to send now with
    ``send_one(…, code=code)``, if ``username`` is an active resident whose confirmed number is
    ``number``, who said texting them is safe and said yes to codes by text, and it is not their
    quiet hours; None otherwise (the caller says the same either way). A new code replaces the last;
    asked again within REPEAT_WINDOW (a double tap), the first code stands and nothing is sent.
    Someone who holds the phone and knows the username could use it: that is why it needs the
    resident's own yes, and why it is in their history."""
    now = now or utcnow()
    user = accounts.find_user_by_username(db, username)
    if user is None or not user.active or user.role != Role.RESIDENT:
        return None
    lock_residents(db, [user.id])
    settings = db.get(ContactSettings, user.id)
    if settings is None:
        return None
    db.refresh(settings)
    message = TextMessage(resident_id=user.id, kind=TextKind.RESET_CODE, to=number, send_after=now, created_at=now, updated_at=now)
    if not _may_send(db, settings, message) or after_quiet_hours(settings, now) > now:
        return None
    recent = db.exec(select(TextMessage.id).where(TextMessage.resident_id == user.id, TextMessage.kind == TextKind.RESET_CODE,
                                                  TextMessage.created_at > now - REPEAT_WINDOW)).first()
    if recent is not None and settings.reset_code_hash:
        return None
    code = f"{secrets.randbelow(10 ** 6):06d}"
    settings.reset_code_hash = _code_hash(secret, user.id, f"reset|{number}", code)
    settings.reset_code_expires_at, settings.reset_code_tries, settings.updated_at = now + CODE_VALID_FOR, 0, now
    db.add_all([settings, message])
    db.flush()
    return message, code


def reset_password(db: Session, username: str, code: str, new_password: str, secret: str, now: datetime | None = None) -> User:
    """Choose a new password with the texted code. Raises accounts.AccountError: "code_invalid"
    (the same for an unknown username, no code, a wrong, used or expired one; three wrong tries
    and the code stops working) or a password problem (the code still works). Every session of
    the account ends, and the change is in the resident's history."""
    now = now or utcnow()
    user = accounts.find_user_by_username(db, username)
    if user is None or not user.active or user.role != Role.RESIDENT:
        raise accounts.AccountError("code_invalid")
    lock_residents(db, [user.id])
    settings = db.get(ContactSettings, user.id)
    if settings is not None:
        db.refresh(settings)
    if (settings is None or not settings.reset_code_hash or not settings.mobile or settings.reset_code_expires_at is None
            or settings.reset_code_expires_at <= now or settings.reset_code_tries >= CODE_TRIES or not settings.texts_safe):
        raise accounts.AccountError("code_invalid")
    typed = code.strip() if isinstance(code, str) else ""
    if not hmac.compare_digest(settings.reset_code_hash, _code_hash(secret, user.id, f"reset|{settings.mobile}", typed)):
        settings.reset_code_tries += 1
        db.add(settings)
        db.flush()
        raise accounts.AccountError("code_invalid")
    if problem := passwords.password_problem(new_password, username=user.username):
        raise accounts.AccountError(f"password_{problem}")
    settings.reset_code_hash = settings.reset_code_expires_at = None
    settings.reset_code_tries, settings.updated_at = 0, now
    user.password_hash, user.password_changed_at = passwords.hash_password(new_password), now
    db.add_all([settings, user])
    accounts.end_all_sign_in_sessions(db, user.id, "password_changed")
    accounts.record_account_event(db, user.id, AccountEventKind.PASSWORD_RESET_BY_TEXT, user, now)
    db.flush()
    return user


# --- Queueing and sending ----------------------------------------------------------------------------


def letter_address(db: Session, resident_id: str) -> list[str] | None:
    """Where a letter can go: the address in their About me, if they also said there that writing
    to them is safe (someone they live with may open their post); None otherwise."""
    answers = about_me.answers(db, resident_id)
    address, safe = answers.get("address"), answers.get("safe_to_contact")
    if address is None or address.value is None or safe is None or "letters" not in (safe.value or {}).get("choices", []):
        return None
    return list(address.value.get("lines", [])) or None


def _other_way(db: Session, resident_id: str, kind: str, details: dict, now: datetime, templates: dict | None) -> TextMessage | None:
    """The message another way, when texts do not reach them: an email, if they have an address
    and said they prefer it, else a letter, if they gave an address and said writing is safe —
    only a channel we can send by (``templates``), only while they still say texts are safe (the
    other way stands in for a text they agreed to; "not safe" there means stop) and want this kind,
    and never a code (the person waiting asks for another). Sent by the next run."""
    settings = db.get(ContactSettings, resident_id)
    if kind in ASKED_FOR or settings is None or not settings.texts_safe or kind not in settings.kinds:
        return None
    resident = db.get(User, resident_id)
    usable = templates if templates is not None else {TextChannel.LETTER: True, TextChannel.EMAIL: True}
    lines = letter_address(db, resident_id)
    if settings.email_fallback and resident is not None and resident.email and usable.get(TextChannel.EMAIL):
        channel, to = TextChannel.EMAIL, resident.email
    elif lines is not None and usable.get(TextChannel.LETTER):
        channel, to = TextChannel.LETTER, lines[-1]
    else:
        return None
    instead = TextMessage(resident_id=resident_id, kind=kind, channel=channel, to=to, details=details,
                          send_after=after_quiet_hours(settings, now) if channel == TextChannel.EMAIL else now,
                          created_at=now, updated_at=now)
    db.add(instead)
    return instead


def _instead(db: Session, message: TextMessage, now: datetime, templates: dict | None) -> TextMessage | None:
    """A text that could not be delivered (the number does not work): the same message another
    way (``_other_way``). Under the resident's lock, so it is decided on their choices as they are."""
    if message.channel != TextChannel.SMS:
        return None  # (a letter or an email that failed is not followed by another)
    lock_residents(db, [message.resident_id])
    return _other_way(db, message.resident_id, message.kind, {**message.details, "instead_of": message.id}, now, templates)


# A text Notify could not deliver for a while (the phone off or out of signal: Notify itself keeps
# trying for 72 hours) is sent again, as a new message, this long after: twice, then given up.
TRIED_AGAIN_AFTER = (timedelta(hours=6), timedelta(hours=24))


def _again_later(db: Session, message: TextMessage, now: datetime) -> TextMessage | None:
    """The same text, to their number as it is then, once the back-off has passed (not a code:
    the person waiting asks again). It is checked against their choices when it is sent."""
    tries = int(message.details.get("temporary_failures", 0))
    if message.channel != TextChannel.SMS or message.kind in ASKED_FOR or tries >= len(TRIED_AGAIN_AFTER):
        return None
    lock_residents(db, [message.resident_id])
    settings = db.get(ContactSettings, message.resident_id)
    if message.channel != TextChannel.SMS or message.kind in ASKED_FOR or tries >= len(TRIED_AGAIN_AFTER) or settings is None \
            or not settings.mobile:
        return None
    again = TextMessage(resident_id=message.resident_id, kind=message.kind, to=settings.mobile,
                        details={**message.details, "retry_of": message.id, "temporary_failures": tries + 1},
                        send_after=now + TRIED_AGAIN_AFTER[tries], created_at=now, updated_at=now)
    db.add(again)
    return again


def _letter_lines(db: Session, message: TextMessage) -> list[str] | None:
    """The letter's address as Notify takes it (their name, then the address; at most 7 lines, the
    postcode always last), if they still give that address and still say writing is safe."""
    lines = letter_address(db, message.resident_id)
    resident = db.get(User, message.resident_id)
    if lines is None or resident is None or lines[-1] != message.to:
        return None
    return [*[resident.display_name, *lines[:-1]][:6], lines[-1]]


def _may_send(db: Session, settings: ContactSettings | None, message: TextMessage) -> bool:
    if message.channel == TextChannel.LETTER:
        return (settings is not None and settings.texts_safe and message.kind in settings.kinds
                and _letter_lines(db, message) is not None)
    if message.channel == TextChannel.EMAIL:
        resident = db.get(User, message.resident_id)
        return (settings is not None and settings.texts_safe and settings.email_fallback and message.kind in settings.kinds
                and resident is not None and resident.email == message.to)
    if message.kind == TextKind.CONFIRM_NUMBER:
        return settings is not None and settings.pending_mobile == message.to
    if message.kind == TextKind.RESET_CODE:
        return (settings is not None and settings.mobile == message.to and settings.mobile_confirmed_at is not None
                and settings.texts_safe and TextKind.RESET_CODE in settings.kinds)
    return (settings is not None and settings.mobile == message.to and settings.mobile_confirmed_at is not None
            and settings.texts_safe and message.kind in settings.kinds)


def after_quiet_hours(settings: ContactSettings, at: datetime) -> datetime:
    """``at``, or the end of the resident's quiet hours if ``at`` falls in them (UK time; a window
    such as 21:00 to 08:00 runs over midnight)."""
    start, end = settings.quiet_from, settings.quiet_until
    if start is None or end is None or start == end:
        return at
    local = at.astimezone(UK)
    hour = local.hour
    quiet = start <= hour < end if start < end else (hour >= start or hour < end)
    if not quiet:
        return at
    ends = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if ends <= local:
        ends = (local + timedelta(days=1)).replace(hour=end, minute=0, second=0, microsecond=0)
    return ends.astimezone(at.tzinfo)


def queue(db: Session, resident_id: str, kind: TextKind, details: dict | None = None, now: datetime | None = None) -> TextMessage | None:
    """A text of this kind to the resident, if they said yes to it (None otherwise: nothing is
    kept). Sent by the next ``send-texts``, after their quiet hours."""
    now = now or utcnow()
    settings = db.get(ContactSettings, resident_id)
    if settings is None or not settings.mobile:
        return None
    message = TextMessage(resident_id=resident_id, kind=str(kind), to=settings.mobile, details=details or {},
                          send_after=after_quiet_hours(settings, now), created_at=now, updated_at=now)
    if not _may_send(db, settings, message):
        return None
    if failed_recently(db, resident_id) is not None:
        # Their number did not work last time: straight to the other way, if there is one (or a
        # text again: they may have mended it), rather than a text and then a letter every time.
        instead = _other_way(db, resident_id, str(kind), {**(details or {}), "number_failed": True}, now, None)
        if instead is not None:
            db.flush()
            return instead
    db.add(message)
    db.flush()
    return message


def queue_reminders(db: Session, now: datetime | None = None) -> int:
    """A check-in reminder for each resident who asked for one every 2, 4 or 8 weeks and whose last
    check-in and last reminder are both that long ago (or never were). Returns how many."""
    now = now or utcnow()
    lock_key(db, "texts|reminders")  # (two runs at once: the second reads what the first queued)
    wanting = db.exec(select(ContactSettings).where(col(ContactSettings.reminder_weeks).is_not(None),
                                                    col(ContactSettings.mobile_confirmed_at).is_not(None),
                                                    col(ContactSettings.texts_safe).is_(True))).all()
    wanting = [s for s in wanting if TextKind.CHECK_IN_REMINDER in s.kinds]
    if not wanting:
        return 0
    ids = [s.resident_id for s in wanting]
    checked = dict(db.exec(select(CheckIn.resident_id, func.max(CheckIn.made_at)).where(col(CheckIn.resident_id).in_(ids))
                           .group_by(CheckIn.resident_id)).all())
    reminded = dict(db.exec(select(TextMessage.resident_id, func.max(TextMessage.created_at))
                            .where(col(TextMessage.resident_id).in_(ids), TextMessage.kind == TextKind.CHECK_IN_REMINDER)
                            .group_by(TextMessage.resident_id)).all())
    queued = 0
    for settings in wanting:
        due = now - timedelta(weeks=settings.reminder_weeks)
        if all(at is None or at <= due for at in (checked.get(settings.resident_id), reminded.get(settings.resident_id))):
            queued += queue(db, settings.resident_id, TextKind.CHECK_IN_REMINDER, now=now) is not None
    return queued


ENDING_WARNING = timedelta(days=14)


def queue_sharing_ending_soon(db: Session, now: datetime | None = None) -> int:
    """"Your sharing ends in 14 days": one text per consent, to those who want them. Returns how many."""
    from tracker.domain.consent.changes import grants_ending_within  # (the consent module reads consents)

    now = now or utcnow()
    lock_key(db, "texts|sharing_ending")  # (two runs at once: the second reads what the first queued)
    ending = grants_ending_within(db, ENDING_WARNING, now)
    if not ending:
        return 0
    told = {(m.resident_id, m.details.get("grant_id")) for m in db.exec(select(TextMessage).where(
        TextMessage.kind == TextKind.SHARING_ENDING, col(TextMessage.resident_id).in_({r for r, _ in ending}))).all()}
    queued = 0
    for resident_id, grant_id in ending:
        if (resident_id, grant_id) not in told:
            queued += queue(db, resident_id, TextKind.SHARING_ENDING, {"why": "ending", "grant_id": grant_id}, now) is not None
    return queued


@dataclass
class SendReport:
    sent: int = 0
    held: int = 0  # in quiet hours now
    retrying: int = 0
    dropped: int = 0  # no longer wanted, or refused by Notify, or failing too long
    updated: int = 0  # statuses Notify told us
    instead: int = 0  # letters or emails queued for texts that could not be delivered
    tried_later: int = 0  # texts that did not arrive for days, queued to be sent again later

    def __str__(self) -> str:
        return (f"Texts: {self.sent} sent, {self.held} held for quiet hours, {self.retrying} to retry, {self.dropped} not sent; "
                f"{self.updated} statuses updated; {self.instead} letters or emails instead; {self.tried_later} to try again later.")


def _status_code(error: Exception) -> int | None:
    return getattr(error, "status_code", None)


def send_one(db: Session, message: TextMessage, client, template_id: str, words, report: SendReport | None = None,
             now: datetime | None = None, commit=None, code: str | None = None, templates: dict | None = None) -> None:
    """Send one waiting text now (checked again against the resident's settings as they are).
    ``code``: the code a text the resident asked for carries (it is stored nowhere). A letter or
    an email (sent instead of a text that did not arrive) uses ``templates[channel]``; without
    one it is not sent.

    The message is first claimed: its attempt is counted and it is leased for LEASE, by an UPDATE
    that only succeeds if nobody else claimed it since it was read, so two senders at once (two
    cron runs, or a run and a page) never both send it. ``commit``, if given, is called after the
    claim, so no transaction stays open while Notify is asked (on SQLite an open write would hold
    up every other writer). Notify refusing the text (a 4xx but 401, 403 and 429) gives up at once;
    anything else (a bad key, 429, 5xx, no connection) is tried again with back-off, up to
    MAX_ATTEMPTS; a sender that dies mid-way leaves the lease to run out. A code is never tried
    again: the person waiting for it asks for another."""
    report = report or SendReport()
    now = now or utcnow()
    if message.state != TextState.WAITING:
        return  # (a copy read before someone else sent it, or dropped it)
    settings = db.get(ContactSettings, message.resident_id)
    if message.channel != TextChannel.SMS:
        template_id = (templates or {}).get(message.channel)
    address = _letter_lines(db, message) if message.channel == TextChannel.LETTER else None  # (read before the commit below)
    if not template_id or not _may_send(db, settings, message) or (message.kind in ASKED_FOR and not code):
        message.state, message.updated_at = TextState.NOT_SENT, now
        report.dropped += 1
        db.add(message)
        return
    if message.kind not in ASKED_FOR and message.channel != TextChannel.LETTER:  # (an email may well come to the same phone)
        later = after_quiet_hours(settings, now)
        if later > now:
            message.send_after, message.updated_at = later, now
            report.held += 1
            db.add(message)
            return
    claimed = db.exec(update(TextMessage).where(TextMessage.id == message.id, TextMessage.state == TextState.WAITING,
                                                TextMessage.attempts == message.attempts)
                      .values(attempts=message.attempts + 1, send_after=now + LEASE, updated_at=now)).rowcount
    if claimed != 1:
        return  # (someone else is sending it)
    body = words(message, settings, code)
    if commit is not None:
        commit()
    db.refresh(message)
    try:
        if message.channel == TextChannel.LETTER:
            lines = {f"address_line_{n}": line for n, line in enumerate(address, start=1)}
            answer = client.send_letter_notification(template_id=template_id, personalisation={**lines, "message": body},
                                                     reference=message.id)
        elif message.channel == TextChannel.EMAIL:
            answer = client.send_email_notification(email_address=message.to, template_id=template_id,
                                                    personalisation={"message": body}, reference=message.id)
        else:
            answer = client.send_sms_notification(phone_number=message.to, template_id=template_id,
                                                  personalisation={"message": body}, reference=message.id)
    except Exception as error:  # (whatever the client raises, the message is kept and tried again or given up)
        status = _status_code(error)
        final = status is not None and 400 <= status < 500 and status not in (401, 403, 429)
        if message.channel == TextChannel.LETTER and status is None:
            final = True  # no answer at all: Notify may have it, and a letter posted twice is worse than a letter lost
        if final or message.attempts >= MAX_ATTEMPTS or message.kind in ASKED_FOR:
            message.state = TextState.NOT_SENT
            report.dropped += 1
        else:
            message.send_after = now + timedelta(minutes=2 ** (message.attempts - 1))
            report.retrying += 1
        message.updated_at = now
        db.add(message)
        return
    message.state, message.notify_id, message.updated_at = TextState.SENDING, str(answer.get("id")), now
    report.sent += 1
    db.add(message)


def send_due(db: Session, client, template_id: str, words, now: datetime | None = None, commit=None,
             templates: dict | None = None) -> SendReport:
    """Send the texts whose time has come, then ask Notify about those it has. With ``commit``
    (the command passes the session's), each text is committed on its own. Codes are never sent
    from here (they go in the request that asked for them)."""
    now = now or utcnow()
    report = SendReport()
    due = db.exec(select(TextMessage).where(TextMessage.state == TextState.WAITING, TextMessage.send_after <= now,
                                            col(TextMessage.kind).not_in([str(k) for k in ASKED_FOR]))
                  .order_by(TextMessage.send_after).limit(SEND_BATCH)).all()
    for message in due:
        send_one(db, message, client, template_id, words, report, now, commit, templates=templates)
        if commit is not None:
            commit()
    # Oldest checked first; a text whose status Notify no longer keeps is given up on.
    sending = db.exec(select(TextMessage).where(TextMessage.state == TextState.SENDING).order_by(TextMessage.updated_at)
                      .limit(SEND_BATCH)).all()
    for message in sending:
        try:
            answer = client.get_notification_by_id(message.notify_id)
        except Exception:  # (asked again on the next run, or given up below)
            answer = {}
        state = NOTIFY_FINAL.get(str(answer.get("status")))
        if state is None and message.created_at < now - STATUS_GIVEN_UP_AFTER:
            state = TextState.TECHNICAL_FAILURE  # (we will never know: counted as not delivered)
        message.updated_at = now
        if state is not None:
            message.state = state
            report.updated += 1
        db.add(message)
        if state in (TextState.PERMANENT_FAILURE, TextState.TEMPORARY_FAILURE) and message.channel == TextChannel.SMS:
            if commit is not None:
                commit()  # (each resident's lock below is held only for their own follow-up)
            if state == TextState.PERMANENT_FAILURE and _instead(db, message, now, templates) is not None:
                report.instead += 1
            if state == TextState.TEMPORARY_FAILURE and _again_later(db, message, now) is not None:
                report.tried_later += 1
            if commit is not None:
                commit()
    db.flush()
    return report


def failed_recently(db: Session, resident_id: str) -> TextMessage | None:
    """The latest text to their number now that could not be delivered because of the number
    (Notify's permanent failure), if it is the latest outcome: their page says so."""
    settings = db.get(ContactSettings, resident_id)
    if settings is None or not settings.mobile:
        return None
    latest = db.exec(select(TextMessage).where(TextMessage.resident_id == resident_id, TextMessage.to == settings.mobile,
                                               col(TextMessage.state).in_([TextState.DELIVERED, TextState.PERMANENT_FAILURE]))
                     .order_by(col(TextMessage.updated_at).desc())).first()
    return latest if latest is not None and latest.state == TextState.PERMANENT_FAILURE else None


def texts_of(db: Session, resident_id: str, at_most: int = 20) -> list[TextMessage]:
    """The texts sent (or meant) to them, newest first: "Texts we sent you" and their export."""
    return list(db.exec(select(TextMessage).where(TextMessage.resident_id == resident_id)
                        .order_by(col(TextMessage.created_at).desc()).limit(at_most)).all())


class Outbox:
    """Stands in for Notify where no API key is set (development, the demo): a text "sent" stays in
    ``text_message`` and counts as delivered. Its words are kept in this process only (the last
    OUTBOX_KEEPS), so the development outbox page can show a confirmation code that is stored
    nowhere else."""

    OUTBOX_KEEPS = 50
    bodies: dict[str, str] = {}  # noqa: RUF012 (one outbox per process, on purpose)

    def send_sms_notification(self, phone_number, template_id, personalisation=None, reference=None, **_):
        notification_id, body = str(uuid.uuid4()), (personalisation or {}).get("message", "")
        Outbox.bodies[notification_id] = body
        while len(Outbox.bodies) > self.OUTBOX_KEEPS:
            Outbox.bodies.pop(next(iter(Outbox.bodies)))
        return {"id": notification_id, "reference": reference, "content": {"body": body}}

    def send_letter_notification(self, template_id, personalisation=None, reference=None, **_):
        return self.send_sms_notification("", template_id, personalisation, reference)

    def send_email_notification(self, email_address, template_id, personalisation=None, reference=None, **_):
        return self.send_sms_notification(email_address, template_id, personalisation, reference)

    def get_notification_by_id(self, notification_id):
        return {"id": notification_id, "status": "delivered"}
