"""People and sign-in, as plain functions over a database session (no request needed).

Sign-in sessions live in the database so they can be ended on the server: the browser cookie carries
a random token and the table keeps only its SHA-256. Failed sign-ins are counted in the database so
throttling holds across every worker.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from tracker.clock import REPEAT_WINDOW, utcnow
from tracker.domain import passwords, throttle
from tracker.models import AccountEvent, AccountEventKind, Provider, Role, SignInSession, SiteSetting, User

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
# Seen-at is written at most this often: enough for a 15-minute time-out, far fewer writes.
LAST_SEEN_RESOLUTION = timedelta(seconds=60)


class AccountError(ValueError):
    """A request that cannot be carried out; ``code`` says why, for the form to explain."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def fold_username(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip().casefold()


def username_problem(username: str) -> str | None:
    if not username:
        return "missing"
    if not USERNAME_PATTERN.fullmatch(username):
        return "invalid"
    return None


def find_user_by_username(db: Session, username: str) -> User | None:
    return db.exec(select(User).where(User.username == fold_username(username))).first()


def create_user(
    db: Session,
    *,
    username: str,
    display_name: str,
    password: str,
    role: Role,
    email: str | None = None,
    provider: Provider | None = None,
    preferred_language: str | None = None,
) -> User:
    """Add a user (not committed). Raises AccountError for a taken name or a weak password."""
    folded = fold_username(username)
    if problem := username_problem(folded):
        raise AccountError(f"username_{problem}")
    if problem := passwords.password_problem(password, username=folded):
        raise AccountError(f"password_{problem}")
    if find_user_by_username(db, folded) is not None:
        raise AccountError("username_taken")
    user = User(
        username=folded,
        display_name=display_name.strip(),
        email=(email or "").strip() or None,
        role=str(role),
        provider_id=provider.id if provider else None,
        preferred_language=preferred_language,
        password_hash=passwords.hash_password(password),
        password_changed_at=utcnow(),
    )
    add_new_account(db, user)
    return user


def add_new_account(db: Session, user: User) -> None:
    """Insert a new account. The username was checked as free, but someone else (the same form
    sent twice, at the same moment) may have taken it since: then this transaction is rolled back
    and it is "username_taken" like any other, not a database error."""
    db.add(user)
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        if find_user_by_username(db, user.username) is None:
            raise  # some other constraint: a real fault
        raise AccountError("username_taken") from None


def just_registered(db: Session, username: str, password: str) -> User | None:
    """The resident account this same username and password created a moment ago (a form sent
    twice), or None. Anyone else trying the name only learns it is taken."""
    user = find_user_by_username(db, username)
    if (user is None or user.role != Role.RESIDENT or user.created_at < utcnow() - REPEAT_WINDOW
            or not passwords.check_password(user.password_hash, password)):
        return None
    return user


# --- Sign-in, throttled -------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInResult:
    user: User | None = None
    throttled: bool = False


def client_key(secret_key: str, address: str | None) -> str:
    """A keyed hash of the client address: enough to count attempts, useless to identify anyone."""
    return hmac.new(secret_key.encode(), (address or "unknown").encode(), hashlib.sha256).hexdigest()


def _window(config) -> timedelta:
    return timedelta(minutes=config["SIGN_IN_WINDOW_MINUTES"])


def account_is_throttled(db: Session, account: str, *, now: datetime, config) -> bool:
    """Too many wrong guesses for this account lately: refuse even the right password for a while."""
    return throttle.used(db, throttle.SIGN_IN_ACCOUNT, account, _window(config), now) >= config["SIGN_IN_MAX_FAILURES_PER_ACCOUNT"]


def client_is_throttled(db: Session, client: str, *, now: datetime, config) -> bool:
    """Too many wrong guesses from this address lately. This only ever refuses *wrong* guesses: a
    library's public PCs share one address, and one person guessing there must not lock everyone
    else out of their own accounts."""
    return throttle.used(db, throttle.SIGN_IN_CLIENT, client, _window(config), now) >= config["SIGN_IN_MAX_FAILURES_PER_CLIENT"]


def authenticate(db: Session, username: str, password: str, *, client: str, config) -> SignInResult:
    """Check a username and password. Failures are recorded (and must be committed by the caller
    whatever the outcome); a success clears the account's failures. A throttled account is refused
    outright; a throttled address only has its wrong guesses answered "too many tries"."""
    now = utcnow()
    account = fold_username(username)[:40]
    if account_is_throttled(db, account, now=now, config=config):
        return SignInResult(throttled=True)
    user = find_user_by_username(db, account)
    if user is None:
        passwords.check_against_dummy(password)
    elif passwords.check_password(user.password_hash, password) and user.active:
        throttle.forget(db, throttle.SIGN_IN_ACCOUNT, account)
        user.last_sign_in_at = now
        return SignInResult(user=user)
    throttled = client_is_throttled(db, client, now=now, config=config)
    record_failure(db, account, client)
    return SignInResult(throttled=throttled)


def record_failure(db: Session, account: str, client: str) -> None:
    """Count a wrong guess (a password, or a setup code) towards the throttle."""
    now = utcnow()
    throttle.count(db, throttle.SIGN_IN_ACCOUNT, account, now)
    throttle.count(db, throttle.SIGN_IN_CLIENT, client, now)


# --- Sign-in sessions ---------------------------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_sign_in_session(db: Session, user: User) -> str:
    """Open a new session for ``user``; returns the clear token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.add(SignInSession(token_hash=_hash_token(token), user_id=user.id, created_at=now, last_seen_at=now))
    return token


def idle_limit(user: User, config) -> timedelta:
    minutes = config["RESIDENT_IDLE_MINUTES"] if user.role == Role.RESIDENT else config["STAFF_IDLE_MINUTES"]
    return timedelta(minutes=minutes)


@dataclass(frozen=True)
class LoadedSession:
    user: User | None
    sign_in_session: SignInSession | None = None
    ended_reason: str | None = None  # why a presented token no longer works


# One query for both, built once: this runs on every signed-in request.
_SESSION_AND_USER = (
    select(SignInSession, User)
    .join(User, User.id == SignInSession.user_id, isouter=True)
    .where(SignInSession.token_hash == bindparam("token_hash"))
)


def load_sign_in_session(db: Session, token: str, *, config) -> LoadedSession:
    """The user behind a cookie token, if the session is still open; ends it when it has idled out.

    Writes (seen-at, idle end) go through their own short transaction so that they stick even on
    pages that commit nothing."""
    token_hash = _hash_token(token)
    found = db.exec(_SESSION_AND_USER, params={"token_hash": token_hash}).first()
    row, user = found if found else (None, None)
    if row is None or row.ended_at is not None:
        return LoadedSession(user=None, ended_reason=row.end_reason if row else None)
    now = utcnow()
    if user is None or not user.active:
        _end_sessions(db, [token_hash], "deactivated", now)
        return LoadedSession(user=None, ended_reason="deactivated")
    if now - row.last_seen_at > idle_limit(user, config):
        _end_sessions(db, [token_hash], "idle", now)
        return LoadedSession(user=None, ended_reason="idle")
    if now - row.last_seen_at >= LAST_SEEN_RESOLUTION:
        with db.get_bind().begin() as conn:
            conn.execute(
                update(SignInSession).where(SignInSession.token_hash == token_hash).values(last_seen_at=now)
            )
        set_committed_value(row, "last_seen_at", now)  # already saved: not a pending change
    return LoadedSession(user=user, sign_in_session=row)


def _end_sessions(db: Session, token_hashes: list[str], reason: str, now: datetime) -> None:
    with db.get_bind().begin() as conn:
        conn.execute(
            update(SignInSession)
            .where(SignInSession.token_hash.in_(token_hashes), SignInSession.ended_at.is_(None))
            .values(ended_at=now, end_reason=reason)
        )


def end_sign_in_session(db: Session, token: str, reason: str = "signed_out") -> None:
    """End one session, in the caller's transaction."""
    db.exec(
        update(SignInSession)
        .where(SignInSession.token_hash == _hash_token(token), SignInSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )


def end_all_sign_in_sessions(db: Session, user_id: str, reason: str, *, except_token: str | None = None) -> None:
    """End every open session of a user, in the caller's transaction (password change, deactivation),
    or every one but this browser's (``except_token``)."""
    query = update(SignInSession).where(SignInSession.user_id == user_id, SignInSession.ended_at.is_(None))
    if except_token is not None:
        query = query.where(SignInSession.token_hash != _hash_token(except_token))
    db.exec(query.values(ended_at=utcnow(), end_reason=reason))


def touch_sign_in_session(db: Session, sign_in_session: SignInSession) -> None:
    """Mark a session as just used (the "Stay signed in" button)."""
    sign_in_session.last_seen_at = utcnow()
    db.add(sign_in_session)


def seconds_until_idle(sign_in_session: SignInSession, user: User, config) -> int:
    remaining = sign_in_session.last_seen_at + idle_limit(user, config) - utcnow()
    return max(0, int(remaining.total_seconds()))


def change_password(db: Session, user: User, current: str, new: str) -> None:
    """Change a password and end every session of the user (the caller opens a fresh one)."""
    if not passwords.check_password(user.password_hash, current):
        raise AccountError("current_password_wrong")
    if problem := passwords.password_problem(new, username=user.username):
        raise AccountError(f"password_{problem}")
    user.password_hash = passwords.hash_password(new)
    user.password_changed_at = utcnow()
    end_all_sign_in_sessions(db, user.id, "password_changed")
    if user.role == Role.RESIDENT:
        record_account_event(db, user.id, AccountEventKind.PASSWORD_CHANGED, user)


def record_account_event(db: Session, resident_id: str, kind: AccountEventKind, actor: User, at=None) -> AccountEvent:
    """A line in the resident's account history: who (first name, role, organisation) did what."""
    provider = db.get(Provider, actor.provider_id) if actor.provider_id and actor.role != Role.RESIDENT else None
    event = AccountEvent(resident_id=resident_id, kind=str(kind), actor_user_id=actor.id, actor_name=actor.first_name, actor_role=actor.role,
                         actor_provider=provider.name if provider else None, occurred_at=at or utcnow())
    db.add(event)
    return event


# --- Installation facts -------------------------------------------------------------------------

DEMO_DATA_KEY = "demo_data_loaded"


def demo_data_loaded(db: Session) -> bool:
    return db.get(SiteSetting, DEMO_DATA_KEY) is not None
