"""Every table of Me and My Learning, in one place.

Ids of people and organisations are random UUID strings, so nothing can be learned from counting
them. Times are timezone-aware UTC (``UTCDateTime``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from flask import g
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Column, Index, MetaData, String
from sqlmodel import Field, SQLModel

from .clock import utcnow
from .db import UTCDateTime

# Stable constraint names, so Alembic can alter them later (and batch mode works on SQLite).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def new_id() -> str:
    return uuid.uuid4().hex


def timestamp(nullable: bool = False, index: bool = False):
    """A UTC timestamp column; ``default`` only for non-null ones."""
    if nullable:
        return Field(default=None, sa_column=Column(UTCDateTime(), nullable=True, index=index))
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=index))


class Role(StrEnum):
    RESIDENT = "resident"
    TUTOR = "tutor"
    PROVIDER_STAFF = "provider_staff"
    ADMIN = "admin"


STAFF_ROLES = {Role.TUTOR, Role.PROVIDER_STAFF}


class ProviderKind(StrEnum):
    COUNCIL = "council"
    ADULT_LEARNING = "adult_learning"
    EMPLOYMENT_SUPPORT = "employment_support"
    MONEY_ADVICE = "money_advice"
    HOUSING = "housing"
    LIBRARY = "library"
    OTHER = "other"


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Provider(SQLModel, table=True):
    """An organisation that helps residents (a council team, a college, an advice charity…)."""

    __tablename__ = "provider"
    __table_args__ = (CheckConstraint(_in("kind", ProviderKind), name="kind"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    name: str = Field(max_length=120, sa_column_kwargs={"unique": True})
    kind: str = Field(max_length=32)
    description: str = Field(default="", max_length=500)
    active: bool = Field(default=True)
    created_at: datetime = timestamp()


class User(UserMixin, SQLModel, table=True):
    """Anyone who signs in: a resident, a tutor, provider staff or an admin."""

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(_in("role", Role), name="role"),
        # Tutors and provider staff always belong to a provider; residents never do.
        CheckConstraint(
            "(role IN ('tutor', 'provider_staff') AND provider_id IS NOT NULL) OR "
            "(role = 'resident' AND provider_id IS NULL) OR role = 'admin'",
            name="provider_for_staff",
        ),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    # Stored folded to lower case, so "Amira" and "amira" are one account.
    username: str = Field(max_length=40, sa_column_kwargs={"unique": True})
    display_name: str = Field(max_length=80)
    email: str | None = Field(default=None, max_length=254)
    role: str = Field(max_length=20, index=True)
    provider_id: str | None = Field(default=None, foreign_key="provider.id", max_length=32, index=True)
    preferred_language: str | None = Field(default=None, max_length=8)
    password_hash: str = Field(max_length=255)
    active: bool = Field(default=True)
    created_at: datetime = timestamp()
    last_sign_in_at: datetime | None = timestamp(nullable=True)
    password_changed_at: datetime | None = timestamp(nullable=True)

    def get_id(self) -> str:
        # Flask-Login keeps this in the cookie: the sign-in session's token, never the person's id.
        token = g.get("sign_in_token")
        if token is None:
            raise RuntimeError("no sign-in session in this request")
        return token

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def first_name(self) -> str:
        return self.display_name.split()[0] if self.display_name.strip() else self.username

    @property
    def is_resident(self) -> bool:
        return self.role == Role.RESIDENT


class SignInSession(SQLModel, table=True):
    """One signed-in browser. The cookie carries a random token; only its hash is stored, and ending
    the row (sign-out, password change, idle time-out, deactivation) makes the cookie worthless."""

    __tablename__ = "sign_in_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(foreign_key="user_account.id", max_length=32, index=True)
    created_at: datetime = timestamp()
    last_seen_at: datetime = timestamp()
    ended_at: datetime | None = timestamp(nullable=True)
    end_reason: str | None = Field(default=None, max_length=20)


class SignInAttempt(SQLModel, table=True):
    """A failed sign-in, kept briefly so throttling holds across workers. ``account`` is the folded
    username tried; ``client`` a keyed hash of the address (we keep no IP addresses)."""

    __tablename__ = "sign_in_attempt"
    __table_args__ = (
        Index("ix_sign_in_attempt_account_at", "account", "at"),
        Index("ix_sign_in_attempt_client_at", "client", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(max_length=40)
    client: str = Field(max_length=64)
    at: datetime = timestamp()


class SiteSetting(SQLModel, table=True):
    """Small facts about this installation (for example, that demo data was loaded)."""

    __tablename__ = "site_setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(default="", sa_column=Column(String(2000), nullable=False))
