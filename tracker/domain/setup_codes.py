"""One-time codes for choosing a password: printed on a slip by a tutor (new account, forgotten
password) or an admin (staff invitation). Valid for 7 days, used once; only a hash is stored, and
nobody but the holder of the slip ever knows the password chosen with it."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from tracker.clock import REPEAT_WINDOW, utcnow
from tracker.domain import accounts, consent, passwords, texts
from tracker.domain.locks import lock_residents
from tracker.models import (
    ACCOUNT_EVENTS_TO_CONFIRM,
    AccountEvent,
    AccountEventAnswer,
    AccountEventAnswerKind,
    AccountEventKind,
    PasswordResetRequest,
    Provider,
    ResetRequestState,
    Role,
    SetupCode,
    SetupCodePurpose,
    TextKind,
    User,
)

VALID_FOR = timedelta(days=7)
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O or U


def _hash(code: str) -> str:
    normal = code.upper().replace("-", "").replace(" ", "").replace("O", "0").replace("I", "1").replace("L", "1")
    return hashlib.sha256(normal.encode()).hexdigest()


def issue(db: Session, user: User, purpose: SetupCodePurpose, created_by: User) -> str:
    """A new code for ``user`` (earlier unused codes stop working). Returns the clear code, which
    is shown once, on the slip."""
    now = utcnow()
    void_codes(db, user.id)
    raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
    db.add(SetupCode(user_id=user.id, code_hash=_hash(raw), purpose=str(purpose), created_by_id=created_by.id,
                     provider_id=created_by.provider_id, created_at=now, expires_at=now + VALID_FOR))
    if user.role == Role.RESIDENT:
        kind = AccountEventKind.CREATED_BY_TUTOR if purpose == SetupCodePurpose.REGISTER else AccountEventKind.SETUP_CODE_ISSUED
        accounts.record_account_event(db, user.id, kind, created_by, now)
        if purpose == SetupCodePurpose.RESET:  # (a code they did not ask for is news they should have)
            texts.queue(db, user.id, TextKind.SETUP_CODE, now=now)
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def void_codes(db: Session, user_id: str) -> None:
    """Make every unused code of this person stop working (a new one replaces them, or the resident
    said "this wasn't me")."""
    db.exec(update(SetupCode).where(SetupCode.user_id == user_id, SetupCode.used_at.is_(None)).values(used_at=utcnow()))


# --- New codes given by staff -------------------------------------------------------------------


def tutor_may_reset(db: Session, tutor: User, resident: User) -> bool:
    """A tutor may give a new code only to a resident who shares something with the tutor's
    organisation now (the consent decision says so), or whose account the organisation created
    with them. Anyone else needs an administrator."""
    if tutor.role != Role.TUTOR or consent.staff_provider(tutor) is None:
        return False
    if consent.decisions_for(db, tutor, [resident.id]):
        return True
    made_here = db.exec(
        select(SetupCode.created_at).where(SetupCode.user_id == resident.id, SetupCode.purpose == SetupCodePurpose.REGISTER,
                                           SetupCode.provider_id == tutor.provider_id).limit(1)
    ).first()
    # Made here, and they have not since stopped sharing with this organisation.
    return made_here is not None and not consent.stopped_sharing_since(db, resident.id, tutor.provider_id, made_here)


@dataclass(frozen=True)
class ResetOutcome:
    """A code for the slip, or a request waiting for an administrator (never both)."""

    username: str
    code: str | None = None
    name: str | None = None
    request: PasswordResetRequest | None = None


def reset_by_tutor(db: Session, tutor: User, username: str) -> ResetOutcome:
    """A tutor asking for a new code for ``username``. Allowed: the code, with every session of the
    resident ended. Otherwise (or no such account): a request to the administrators, and the same
    answer to the tutor whether or not the account exists. Either way the resident's record says
    who asked (not committed)."""
    folded = accounts.fold_username(username)[:40]
    resident = accounts.find_user_by_username(db, folded)
    if resident is not None and resident.role == Role.RESIDENT:
        lock_residents(db, [resident.id])
    else:
        resident = None
    if resident is not None and resident.active and tutor_may_reset(db, tutor, resident):
        code = issue(db, resident, SetupCodePurpose.RESET, tutor)
        accounts.end_all_sign_in_sessions(db, resident.id, "password_reset")
        return ResetOutcome(folded, code=code, name=resident.display_name)
    provider = db.get(Provider, tutor.provider_id)
    request = PasswordResetRequest(username=folded, resident_id=resident.id if resident else None, requested_by_id=tutor.id,
                                   requested_by_name=tutor.first_name, provider_id=provider.id, provider_name=provider.name)
    db.add(request)
    if resident is not None:
        accounts.record_account_event(db, resident.id, AccountEventKind.RESET_REQUESTED, tutor)
    return ResetOutcome(folded, request=request)


def waiting_requests(db: Session) -> list[tuple[PasswordResetRequest, User | None]]:
    """Requests for an administrator, oldest first, with the account each matched (if any)."""
    return db.exec(select(PasswordResetRequest, User).join(User, User.id == PasswordResetRequest.resident_id, isouter=True)
                   .where(PasswordResetRequest.state == ResetRequestState.WAITING)
                   .order_by(PasswordResetRequest.requested_at)).all()


def answer_request(db: Session, admin: User, request: PasswordResetRequest, give_code: bool) -> tuple[bool, str | None]:
    """An administrator gives the code (after checking who the resident is) or closes the request.
    Returns whether this answered it (a second tap finds it answered) and the code, shown once
    (None when closed, or when there is no account to give it to)."""
    # The admin's own row too: a request without an account still gets one answer.
    lock_residents(db, [admin.id, *([request.resident_id] if request.resident_id else [])])
    db.refresh(request)
    if request.state != ResetRequestState.WAITING:
        return False, None
    resident = db.get(User, request.resident_id) if request.resident_id else None
    request.state = ResetRequestState.CODE_GIVEN if give_code and resident is not None else ResetRequestState.CLOSED
    request.handled_by_name, request.handled_at = admin.first_name, utcnow()
    db.add(request)
    if request.state != ResetRequestState.CODE_GIVEN:
        return True, None
    code = issue(db, resident, SetupCodePurpose.RESET, admin)
    accounts.end_all_sign_in_sessions(db, resident.id, "password_reset")
    return True, code


def unusable_password_hash() -> str:
    """For an account whose owner has not chosen a password yet: nothing can match it."""
    return passwords.hash_password(secrets.token_urlsafe(32))


def redeem(db: Session, username: str, code: str, new_password: str) -> User:
    """Set the password of ``username`` with a valid code. Raises AccountError: "code_invalid"
    (the same for a wrong username, a wrong, used or expired code) or a password problem."""
    user = accounts.find_user_by_username(db, username)
    if user is not None:
        lock_residents(db, [user.id])  # a slip's code used twice at once sets the password once
    now = utcnow()
    found = None
    if user is not None and isinstance(code, str) and len(code) <= 30:
        found = db.exec(select(SetupCode).where(SetupCode.user_id == user.id, SetupCode.code_hash == _hash(code),
                                                SetupCode.used_at.is_(None), SetupCode.expires_at > now)).first()
    if found is None or not user.active:
        raise accounts.AccountError("code_invalid")
    if problem := passwords.password_problem(new_password, username=user.username):
        raise accounts.AccountError(f"password_{problem}")
    found.used_at = now
    db.add(found)
    user.password_hash = passwords.hash_password(new_password)
    user.password_changed_at = now
    db.add(user)
    accounts.end_all_sign_in_sessions(db, user.id, "password_changed")
    if user.role == Role.RESIDENT:
        # The truth, whoever typed it: a password was chosen with the code that this person gave.
        giver = db.get(User, found.created_by_id)
        kind = AccountEventKind.FIRST_PASSWORD_SET if found.purpose == SetupCodePurpose.REGISTER else AccountEventKind.PASSWORD_SET_WITH_CODE
        accounts.record_account_event(db, user.id, kind, giver or user, now)
    return user


# --- The resident's say ---------------------------------------------------------------------------

ASK_FOR = timedelta(days=90)  # older changes are in the history, but no longer asked about


def changes_to_confirm(db: Session, resident_id: str) -> list[AccountEvent]:
    """Changes staff made to the account that the resident has not yet said were theirs: shown at
    sign-in with "That was me" and "This wasn't me"."""
    answered = select(AccountEventAnswer.event_id).where(AccountEventAnswer.resident_id == resident_id)
    return db.exec(
        select(AccountEvent).where(AccountEvent.resident_id == resident_id,
                                   col(AccountEvent.kind).in_([str(k) for k in ACCOUNT_EVENTS_TO_CONFIRM]),
                                   AccountEvent.actor_role != Role.RESIDENT, AccountEvent.occurred_at >= utcnow() - ASK_FOR,
                                   col(AccountEvent.id).not_in(answered))
        .order_by(AccountEvent.occurred_at, AccountEvent.id)
    ).all()


def changes_by_staff(db: Session, resident_id: str) -> list[tuple[AccountEvent, str | None]]:
    """Everything staff did to the account, newest first, with the resident's answer (if any)."""
    return db.exec(
        select(AccountEvent, AccountEventAnswer.answer).join(AccountEventAnswer, AccountEventAnswer.event_id == AccountEvent.id, isouter=True)
        .where(AccountEvent.resident_id == resident_id, AccountEvent.actor_role.is_not(None), AccountEvent.actor_role != Role.RESIDENT)
        .order_by(col(AccountEvent.occurred_at).desc(), col(AccountEvent.id).desc())
    ).all()


def answer_change(db: Session, resident: User, event_id: int, answer: str, *, this_browser: str | None = None) -> AccountEvent | None:
    """The resident's answer to one change (a second tap finds the first answer). "This wasn't me"
    also stops any unused code working at once, signs the account out everywhere but this browser
    (``this_browser``: its sign-in token), and goes to the administrators. None: not theirs."""
    lock_residents(db, [resident.id])
    event = db.get(AccountEvent, event_id)
    if event is None or event.resident_id != resident.id or event.kind not in {str(k) for k in ACCOUNT_EVENTS_TO_CONFIRM}:
        return None
    if db.exec(select(AccountEventAnswer.id).where(AccountEventAnswer.event_id == event.id)).first() is None:
        db.add(AccountEventAnswer(event_id=event.id, resident_id=resident.id, answer=str(AccountEventAnswerKind(answer))))
        if answer == AccountEventAnswerKind.NOT_ME:
            void_codes(db, resident.id)
            accounts.end_all_sign_in_sessions(db, resident.id, "not_me", except_token=this_browser)
    return event


def registered_just_now_by(db: Session, username: str, tutor: User) -> bool:
    """Whether ``tutor`` made this account a moment ago (a double tap of "Create account")."""
    resident = accounts.find_user_by_username(db, username)
    return resident is not None and db.exec(select(SetupCode.id).where(
        SetupCode.user_id == resident.id, SetupCode.created_by_id == tutor.id, SetupCode.purpose == SetupCodePurpose.REGISTER,
        SetupCode.created_at >= utcnow() - REPEAT_WINDOW)).first() is not None


@dataclass
class WaitingAccount:
    user: User
    made_at: datetime
    code_expires_at: datetime

    @property
    def code_works(self) -> bool:
        return self.code_expires_at > utcnow()


def registered_by(provider_id: str):
    """The ids of the residents whose accounts this organisation made in person (a subquery)."""
    return select(SetupCode.user_id).where(SetupCode.purpose == SetupCodePurpose.REGISTER, SetupCode.provider_id == provider_id)


def accounts_waiting_for_setup(db: Session, tutor: User) -> list[WaitingAccount]:
    """Residents' accounts that the tutor's organisation made in person and the resident has not
    set up yet (no code used, never signed in), newest first: so a lost slip can be printed again.
    Nothing else about them: there is no plan yet, and nothing shared. (One query.)"""
    made_here = registered_by(tutor.provider_id)
    rows = db.exec(
        select(User, func.min(SetupCode.created_at), func.max(SetupCode.expires_at))
        .join(SetupCode, SetupCode.user_id == User.id)
        .where(col(User.id).in_(made_here), User.role == Role.RESIDENT, User.active.is_(True), User.last_sign_in_at.is_(None))
        .group_by(User.id).having(func.count(SetupCode.used_at) == 0)
        .order_by(func.min(SetupCode.created_at).desc())
    ).all()
    return [WaitingAccount(user, made_at, expires_at) for user, made_at, expires_at in rows]
