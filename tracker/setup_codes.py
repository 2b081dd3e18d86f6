"""One-time codes for choosing a password: printed on a slip by a tutor (new account, forgotten
password) or an admin (staff invitation). Valid for 7 days, used once; only a hash is stored, and
nobody but the holder of the slip ever knows the password chosen with it."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from . import accounts, passwords
from .clock import utcnow
from .models import AccountEvent, AccountEventKind, Provider, Role, SetupCode, SetupCodePurpose, User

VALID_FOR = timedelta(days=7)
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O or U


def _hash(code: str) -> str:
    normal = code.upper().replace("-", "").replace(" ", "").replace("O", "0").replace("I", "1").replace("L", "1")
    return hashlib.sha256(normal.encode()).hexdigest()


def issue(db: Session, user: User, purpose: SetupCodePurpose, created_by: User) -> str:
    """A new code for ``user`` (earlier unused codes stop working). Returns the clear code, which
    is shown once, on the slip."""
    now = utcnow()
    db.exec(update(SetupCode).where(SetupCode.user_id == user.id, SetupCode.used_at.is_(None)).values(used_at=now))
    raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
    db.add(SetupCode(user_id=user.id, code_hash=_hash(raw), purpose=str(purpose), created_by_id=created_by.id,
                     created_at=now, expires_at=now + VALID_FOR))
    if user.role == Role.RESIDENT:
        provider = db.get(Provider, created_by.provider_id) if created_by.provider_id else None
        kind = AccountEventKind.CREATED_BY_TUTOR if purpose == SetupCodePurpose.REGISTER else AccountEventKind.SETUP_CODE_ISSUED
        db.add(AccountEvent(resident_id=user.id, kind=str(kind), actor_name=created_by.first_name,
                            actor_provider=provider.name if provider else None, occurred_at=now))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def issue_nothing() -> str:
    """A code in the same form that belongs to no account (so a page cannot tell who has one)."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def unusable_password_hash() -> str:
    """For an account whose owner has not chosen a password yet: nothing can match it."""
    return passwords.hash_password(secrets.token_urlsafe(32))


def redeem(db: Session, username: str, code: str, new_password: str) -> User:
    """Set the password of ``username`` with a valid code. Raises AccountError: "code_invalid"
    (the same for a wrong username, a wrong, used or expired code) or a password problem."""
    user = accounts.find_user_by_username(db, username)
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
        db.add(AccountEvent(resident_id=user.id, kind=str(AccountEventKind.PASSWORD_SET), actor_name=user.first_name, occurred_at=now))
    return user
