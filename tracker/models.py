"""Every table of Me and My Learning, in one place.

Ids of people and organisations are random UUID strings, so nothing can be learned from counting
them. Times are timezone-aware UTC (``UTCDateTime``).
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Column, Index, MetaData, String, text
from sqlalchemy import inspect as sa_inspect
from sqlmodel import Field, SQLModel

from tracker.clock import utcnow
from tracker.database import UTCDateTime

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


def new_short_id() -> str:
    """72 random bits in 12 URL-safe characters: for rows a page lists by the hundred (plan goals,
    steps), where every byte of HTML counts. Ownership is still checked on every use."""
    return secrets.token_urlsafe(9)


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
    # What they do, as residents read it: {"en": ..., "pl": ...} (every shipped language, or empty).
    description: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    active: bool = Field(default=True)
    created_at: datetime = timestamp()


class User(SQLModel, table=True):
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
        # Staff lists are in name order: walking this index stops after one page.
        Index("ix_user_account_role_display_name", "role", "display_name", "id"),
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
    # Raised in the same transaction as every change to the resident's plan (under their lock): the
    # plan page's cache key. A counter, because ids handed out at insert can commit out of order.
    plan_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})

    # What Flask-Login needs of a user (without importing it: models know nothing of the web).
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def signed_in_with(self, token: str) -> None:
        """Remember, for this object only (never stored), the sign-in session it was loaded by."""
        sa_inspect(self).info["sign_in_token"] = token

    def get_id(self) -> str:
        # Flask-Login keeps this in the cookie: the sign-in session's token, never the person's id.
        token = sa_inspect(self).info.get("sign_in_token")
        if token is None:
            raise RuntimeError("no sign-in session for this user")
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


class ThrottleEvent(SQLModel, table=True):
    """One counted use or failure (a wrong sign-in guess, a use of a limited page), kept for a day
    so limits hold across workers; see ``tracker.domain.throttle``. ``key`` is a person's id, a
    folded username or a keyed hash of an address (we keep no IP addresses)."""

    __tablename__ = "throttle_event"
    __table_args__ = (Index("ix_throttle_event_kind_key_at", "kind", "key", "at"), Index("ix_throttle_event_at", "at"))

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    key: str = Field(max_length=64)
    at: datetime = timestamp()


class SiteSetting(SQLModel, table=True):
    """Small facts about this installation (for example, that demo data was loaded)."""

    __tablename__ = "site_setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(default="", sa_column=Column(String(2000), nullable=False))


# --- The plan ----------------------------------------------------------------------------------


class Area(StrEnum):
    """The three areas of every plan."""

    DIGITAL = "digital"
    FINANCIAL = "financial"
    JOB_READINESS = "job_readiness"


# What a resident can share with an organisation: each area of the plan, and "About me" (their own
# account of their situation, shared field by field). Consent treats all four alike.
ABOUT_ME = "about_me"
SHARED_PARTS = (*(area.value for area in Area), ABOUT_ME)


class GoalStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"


# Our own five-stage scale (not Outcomes Star's, which is licensed): 1 = not started … 5 = confident.
STAGES = (1, 2, 3, 4, 5)


class CatalogueGoal(SQLModel, table=True):
    """A goal residents can choose, loaded from ``tracker/catalogue/data``. Never deleted: a goal
    that is no longer offered is retired, and plans that use it keep working."""

    __tablename__ = "catalogue_goal"
    __table_args__ = (CheckConstraint(_in("area", Area), name="area"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=80, sa_column_kwargs={"unique": True})
    area: str = Field(max_length=20, index=True)
    framework: str = Field(max_length=20)
    framework_area: str = Field(max_length=40)
    version: int = Field(default=1)
    position: int = Field(default=0)
    # Texts per language: {"en": "...", "pl": "..."}
    title: dict = Field(sa_column=Column(JSON, nullable=False))
    summary: dict = Field(sa_column=Column(JSON, nullable=False))
    keywords: dict = Field(sa_column=Column(JSON, nullable=False))
    retired_at: datetime | None = timestamp(nullable=True)
    updated_at: datetime = timestamp()


class CatalogueStep(SQLModel, table=True):
    """A small "I can…" step of a catalogue goal."""

    __tablename__ = "catalogue_step"

    id: int | None = Field(default=None, primary_key=True)
    goal_id: int = Field(foreign_key="catalogue_goal.id", index=True)
    code: str = Field(max_length=120, sa_column_kwargs={"unique": True})
    position: int = Field(default=0)
    text: dict = Field(sa_column=Column(JSON, nullable=False))
    retired_at: datetime | None = timestamp(nullable=True)


class PlanGoal(SQLModel, table=True):
    """A goal in a resident's plan: from the catalogue, or their own (``own_title``)."""

    __tablename__ = "plan_goal"
    __table_args__ = (
        CheckConstraint(_in("area", Area), name="area"),
        CheckConstraint(_in("status", GoalStatus), name="status"),
        CheckConstraint("(catalogue_goal_id IS NULL) <> (own_title IS NULL)", name="catalogue_or_own"),
        Index("ix_plan_goal_resident_area", "resident_id", "area"),
    )

    id: str = Field(default_factory=new_short_id, primary_key=True, max_length=32)
    resident_id: str = Field(foreign_key="user_account.id", max_length=32)
    area: str = Field(max_length=20)
    catalogue_goal_id: int | None = Field(default=None, foreign_key="catalogue_goal.id")
    own_title: str | None = Field(default=None, max_length=120)
    status: str = Field(default=GoalStatus.NOT_STARTED, max_length=20)
    target_date: date | None = Field(default=None)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    completed_at: datetime | None = timestamp(nullable=True)
    removed_at: datetime | None = timestamp(nullable=True)


class PlanStep(SQLModel, table=True):
    """A step of a plan goal; ``done_at`` is set when the resident (or a tutor) ticks it."""

    __tablename__ = "plan_step"
    __table_args__ = (CheckConstraint("(catalogue_step_id IS NULL) <> (own_text IS NULL)", name="catalogue_or_own"),)

    id: str = Field(default_factory=new_short_id, primary_key=True, max_length=32)
    goal_id: str = Field(foreign_key="plan_goal.id", max_length=32, index=True)
    catalogue_step_id: int | None = Field(default=None, foreign_key="catalogue_step.id")
    own_text: str | None = Field(default=None, max_length=200)
    position: int = Field(default=0)
    done_at: datetime | None = timestamp(nullable=True)


class GoalNote(SQLModel, table=True):
    """A note or piece of evidence on a goal. Always readable by the resident, whoever wrote it."""

    __tablename__ = "goal_note"

    id: str = Field(default_factory=new_short_id, primary_key=True, max_length=32)
    goal_id: str = Field(foreign_key="plan_goal.id", max_length=32, index=True)
    resident_id: str = Field(foreign_key="user_account.id", max_length=32, index=True)
    author_id: str = Field(foreign_key="user_account.id", max_length=32)
    text: str = Field(sa_column=Column(String(2000), nullable=False))
    link: str | None = Field(default=None, max_length=500)
    created_at: datetime = timestamp()


class CheckIn(SQLModel, table=True):
    """"Where am I now" in one area: a stage from 1 (not started) to 5 (confident)."""

    __tablename__ = "check_in"
    __table_args__ = (
        CheckConstraint(_in("area", Area), name="area"),
        CheckConstraint("stage BETWEEN 1 AND 5", name="stage"),
        Index("ix_check_in_resident_made_at", "resident_id", "made_at"),
    )

    id: str = Field(default_factory=new_short_id, primary_key=True, max_length=32)
    resident_id: str = Field(foreign_key="user_account.id", max_length=32)
    area: str = Field(max_length=20)
    stage: int
    note: str | None = Field(default=None, max_length=280)
    made_at: datetime = timestamp()
    recorded_by_id: str = Field(foreign_key="user_account.id", max_length=32)


class PlanEventKind(StrEnum):
    GOAL_ADDED = "goal_added"
    GOAL_EDITED = "goal_edited"
    GOAL_REMOVED = "goal_removed"
    GOAL_STATUS_CHANGED = "goal_status_changed"
    STEP_DONE = "step_done"
    STEP_UNDONE = "step_undone"
    NOTE_ADDED = "note_added"
    CHECK_IN_MADE = "check_in_made"


class PlanEvent(SQLModel, table=True):
    """One change to a plan: who, when, what, before and after. Append-only: the database refuses
    UPDATE and DELETE (triggers, see migration 0002). ``subject`` keeps the goal or step wording
    of the moment, in every language, so history reads right even after the catalogue changes."""

    __tablename__ = "plan_event"
    __table_args__ = (
        CheckConstraint(_in("kind", PlanEventKind), name="kind"),
        Index("ix_plan_event_resident_id", "resident_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    resident_id: str = Field(foreign_key="user_account.id", max_length=32)
    occurred_at: datetime = timestamp()
    actor_id: str | None = Field(default=None, foreign_key="user_account.id", max_length=32)
    actor_role: str = Field(max_length=20)
    actor_name: str = Field(max_length=80)  # first name at the time
    actor_provider: str | None = Field(default=None, max_length=120)  # provider name at the time
    kind: str = Field(max_length=30)
    area: str | None = Field(default=None, max_length=20)
    goal_id: str | None = Field(default=None, max_length=32)
    step_id: str | None = Field(default=None, max_length=32)
    subject: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    before: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))


# --- Sharing: notices, consents, receipts, and the record of every look ----------------------


class AccessMode(StrEnum):
    VIEW = "view"  # see progress
    RECORD = "record_progress"  # also record progress (tutors)


class GrantState(StrEnum):
    """Consent states (W3C DPV / ISO/IEC TS 27560). Only GIVEN and RENEWED allow anything."""

    PENDING = "pending"  # recorded by a tutor for their own provider; waits for the resident
    GIVEN = "given"
    RENEWED = "renewed"
    PAUSED = "paused"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    INVALIDATED = "invalidated"  # on hold: the provider changed what it wants to see
    REFUSED = "refused"  # a pending consent the resident said no to


LIVE_GRANT_STATES = (GrantState.PENDING, GrantState.GIVEN, GrantState.RENEWED, GrantState.PAUSED, GrantState.INVALIDATED)
VALID_GRANT_STATES = (GrantState.GIVEN, GrantState.RENEWED)


class SharingNotice(SQLModel, table=True):
    """What a provider asks to see in one area, and why: the text a resident agrees to. Immutable
    once published (the database refuses changes other than marking it superseded); a change is a
    new version. Texts are stored in every language we ship, so "what they were told" is exact."""

    __tablename__ = "sharing_notice"
    __table_args__ = (
        CheckConstraint(_in("area", SHARED_PARTS), name="area"),
        Index("uq_sharing_notice_provider_area_version", "provider_id", "area", "version", unique=True),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    provider_id: str = Field(foreign_key="provider.id", max_length=32)
    area: str = Field(max_length=20)
    version: int
    access_modes: list = Field(sa_column=Column(JSON, nullable=False))
    fields_shown: list = Field(sa_column=Column(JSON, nullable=False))
    purposes: list = Field(sa_column=Column(JSON, nullable=False))  # [{"code", "text": {lang: …}}]
    summary: dict = Field(sa_column=Column(JSON, nullable=False))  # what they will see, in a sentence
    retention: dict = Field(sa_column=Column(JSON, nullable=False))  # how long they keep copies
    change_summary: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))  # what changed
    change_is_material: bool = Field(default=False)
    lawful_basis: str = Field(default="", max_length=300)
    dsa_reference: str = Field(default="", max_length=300)
    content_hash: str = Field(max_length=64)
    published_at: datetime = timestamp()
    superseded_at: datetime | None = timestamp(nullable=True)


class ConsentGrant(SQLModel, table=True):
    """The current state of one resident's choice for one provider and area (rebuilt from the
    consent events, which are the record). A withdrawn or expired grant is never revived:
    saying yes again starts a new one."""

    __tablename__ = "consent_grant"
    __table_args__ = (
        CheckConstraint(_in("area", SHARED_PARTS), name="area"),
        CheckConstraint(_in("state", GrantState), name="state"),
        # One live grant per resident, provider and area.
        Index(
            "uq_consent_grant_live", "resident_id", "provider_id", "area", unique=True,
            sqlite_where=text("state IN ('pending', 'given', 'renewed', 'paused', 'invalidated')"),
            postgresql_where=text("state IN ('pending', 'given', 'renewed', 'paused', 'invalidated')"),
        ),
        Index("ix_consent_grant_provider_state", "provider_id", "state", "area"),
        # "Does this resident share with this provider?" (lists check it resident by resident).
        Index("ix_consent_grant_resident_provider", "resident_id", "provider_id", "area"),
        # "Started sharing this month": the month's grants of one organisation, found directly.
        Index("ix_consent_grant_provider_given", "provider_id", "given_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    resident_id: str = Field(foreign_key="user_account.id", max_length=32)
    provider_id: str = Field(foreign_key="provider.id", max_length=32)
    area: str = Field(max_length=20)
    notice_id: str = Field(foreign_key="sharing_notice.id", max_length=32)
    access_modes: list = Field(sa_column=Column(JSON, nullable=False))
    state: str = Field(max_length=20)
    given_at: datetime = timestamp()
    valid_until: datetime = timestamp()
    duration_months: int = Field(default=12)
    last_confirmed_at: datetime | None = timestamp(nullable=True)
    ended_at: datetime | None = timestamp(nullable=True)
    recorded_by_id: str | None = Field(default=None, foreign_key="user_account.id", max_length=32)
    # "About me": the fields of the notice the resident chose to share (None: all it lists, as for
    # an area of the plan).
    fields: list | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class ConsentEventType(StrEnum):
    GIVEN = "given"
    RENEWED = "renewed"
    PAUSED = "paused"
    RESUMED = "resumed"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    INVALIDATED = "invalidated"
    CONFIRMED = "confirmed"  # the resident confirmed a consent a tutor recorded
    REFUSED = "refused"
    REQUESTED = "requested"  # a tutor recorded a consent that waits for the resident


class ConsentEvent(SQLModel, table=True):
    """Every change to a consent: append-only and hash-chained per resident, so a change to history
    behind the service's back is detectable (``flask --app tracker verify-chains``)."""

    __tablename__ = "consent_event"
    __table_args__ = (
        CheckConstraint(_in("event_type", ConsentEventType), name="event_type"),
        Index("uq_consent_event_resident_seq", "resident_id", "seq", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    resident_id: str = Field(foreign_key="user_account.id", max_length=32)
    seq: int
    grant_id: str = Field(max_length=32, index=True)
    provider_id: str = Field(max_length=32)
    provider_name: str = Field(max_length=120)
    area: str = Field(max_length=20)
    event_type: str = Field(max_length=20)
    notice_id: str = Field(max_length=32)
    notice_version: int
    notice_hash: str = Field(max_length=64)
    access_modes: list = Field(sa_column=Column(JSON, nullable=False))
    valid_from: datetime | None = timestamp(nullable=True)
    valid_until: datetime | None = timestamp(nullable=True)
    actor_user_id: str | None = Field(default=None, max_length=32)
    actor_role: str = Field(max_length=20)
    actor_name: str = Field(max_length=80)
    actor_provider: str | None = Field(default=None, max_length=120)
    on_behalf: bool = Field(default=False)
    method: str = Field(max_length=30)  # self_online | assisted_in_person | system
    witness_user_id: str | None = Field(default=None, max_length=32)
    witness_name: str | None = Field(default=None, max_length=80)
    resident_confirmed: bool = Field(default=False)
    channel: str | None = Field(default=None, max_length=10)  # web_js | web_nojs
    receipt_code: str | None = Field(default=None, max_length=20)
    occurred_at: datetime = timestamp()
    # "About me": the fields shared from then on (None for an area of the plan: all the notice
    # lists). Left out of the hash when None, so events written before it existed still verify.
    fields: list | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    prev_hash: str = Field(max_length=64)
    event_hash: str = Field(max_length=64)


class ConsentReceipt(SQLModel, table=True):
    """A receipt for one change (Kantara Consent Receipt): printable, and checkable by anyone who
    holds the code at /receipt/<code>. The code carries a keyed check, so a mistyped or made-up
    code is refused before any lookup; ``mac`` seals the content."""

    __tablename__ = "consent_receipt"

    code: str = Field(primary_key=True, max_length=20)
    resident_id: str = Field(foreign_key="user_account.id", max_length=32, index=True)
    issued_at: datetime = timestamp()
    content: dict = Field(sa_column=Column(JSON, nullable=False))
    mac: str = Field(max_length=64)


class AccessAction(StrEnum):
    LISTED = "listed_in_dashboard"
    OPENED = "opened_plan_area"
    RECORDED = "recorded_progress"
    SEARCHED = "appeared_in_search"
    EXPORTED = "exported_summary"
    LISTED_WAITING = "listed_as_waiting"  # a name only, in the list of those registered here who have not chosen yet
    OPENED_REFERRAL = "opened_referral"  # a referral the resident agreed to send (in a service's inbox, or opened)


class AccessLogEntry(SQLModel, table=True):
    """One staff view or update of a resident's data, written in the same transaction as the view.
    Append-only and hash-chained per resident; the resident reads all of it."""

    __tablename__ = "access_log_entry"
    __table_args__ = (
        CheckConstraint(_in("action", AccessAction), name="action"),
        Index("uq_access_log_entry_resident_seq", "resident_id", "seq", unique=True),
        Index("ix_access_log_entry_provider_at", "provider_id", "occurred_at"),
        Index("ix_access_log_entry_actor_at", "actor_user_id", "occurred_at"),
        Index("ix_access_log_entry_at", "occurred_at"),  # the admins' "unusually many residents" check
    )

    id: int | None = Field(default=None, primary_key=True)
    resident_id: str = Field(foreign_key="user_account.id", max_length=32)
    seq: int
    occurred_at: datetime = timestamp()
    actor_user_id: str = Field(max_length=32)
    actor_name: str = Field(max_length=80)  # first name
    actor_role: str = Field(max_length=20)
    provider_id: str = Field(max_length=32)
    provider_name: str = Field(max_length=120)
    action: str = Field(max_length=30)
    area: str | None = Field(default=None, max_length=20)
    fields_disclosed: list = Field(sa_column=Column(JSON, nullable=False))
    purpose_code: str = Field(max_length=40)
    grant_id: str | None = Field(default=None, max_length=32)  # none for "listed as waiting": no consent yet
    consent_event_id: int | None = Field(default=None)
    request_id: str = Field(max_length=40)
    prev_hash: str = Field(max_length=64)
    entry_hash: str = Field(max_length=64)


class AccessFlag(SQLModel, table=True):
    """"This doesn't look right": a resident questioning one look at their plan. Admins see these."""

    __tablename__ = "access_flag"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="access_log_entry.id", index=True)
    resident_id: str = Field(foreign_key="user_account.id", max_length=32, index=True)
    provider_id: str = Field(max_length=32, index=True)
    flagged_at: datetime = timestamp()
    text: str | None = Field(default=None, max_length=500)


class ErasurePermit(SQLModel, table=True):
    """Written, used and removed inside the one transaction that erases a resident: the only time
    the append-only triggers let history rows go."""

    __tablename__ = "erasure_permit"

    resident_id: str = Field(primary_key=True, max_length=32)


class ErasureTombstone(SQLModel, table=True):
    """All that is left of an erased account: unlinkable to anyone (a random id, no name, no
    account id), proving that a record with these chain heads existed and was erased that day."""

    __tablename__ = "erasure_tombstone"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    erased_at: datetime = timestamp()
    initiated_by: str = Field(max_length=30)
    consent_chain_head: str | None = Field(default=None, max_length=64)
    access_chain_head: str | None = Field(default=None, max_length=64)
    counts: dict = Field(sa_column=Column(JSON, nullable=False))



# --- Staff work: setup codes, referrals, account history, admin actions, rate limits --------


class SetupCodePurpose(StrEnum):
    REGISTER = "register"  # a tutor created the account with the resident
    RESET = "reset"  # a tutor checked who they are and gave a new code
    INVITE = "invite"  # an admin invited a member of staff


class SetupCode(SQLModel, table=True):
    """A one-time code to choose a password (valid 7 days, single use). Only its hash is kept:
    the person holding the slip is the only one who knows it, and nobody ever knows the password."""

    __tablename__ = "setup_code"
    __table_args__ = (CheckConstraint(_in("purpose", SetupCodePurpose), name="purpose"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(foreign_key="user_account.id", max_length=32, index=True)
    code_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    purpose: str = Field(max_length=20)
    created_by_id: str = Field(foreign_key="user_account.id", max_length=32)
    # The organisation the giver worked for at the time (people move; what they did stays theirs).
    provider_id: str | None = Field(default=None, foreign_key="provider.id", max_length=32)
    created_at: datetime = timestamp()
    expires_at: datetime = timestamp()
    used_at: datetime | None = timestamp(nullable=True)


class AccountEventKind(StrEnum):
    CREATED_BY_TUTOR = "created_by_tutor"
    SETUP_CODE_ISSUED = "setup_code_issued"
    PASSWORD_SET = "password_set"  # noqa: S105 (the name of an event, not a password); before 0005: a password chosen with a code (who gave it unrecorded)
    PASSWORD_SET_WITH_CODE = "password_set_with_code"  # noqa: S105 (the name of an event, not a password); the actor is whoever gave the code
    FIRST_PASSWORD_SET = "first_password_set"  # noqa: S105 (the name of an event, not a password); with the code of a new account, made with the resident
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (the name of an event, not a password); by the resident, knowing their old password
    RESET_REQUESTED = "reset_requested"  # a tutor asked an administrator for a new code
    PASSWORD_RESET_BY_TEXT = "password_reset_by_text"  # noqa: S105 (the name of an event, not a password); with a code texted to their confirmed number


# What staff did to an account that the resident is asked about ("That was me" / "This wasn't me").
ACCOUNT_EVENTS_TO_CONFIRM = (AccountEventKind.SETUP_CODE_ISSUED, AccountEventKind.RESET_REQUESTED,
                             AccountEventKind.PASSWORD_SET_WITH_CODE)


class AccountEvent(SQLModel, table=True):
    """Things done to a resident's account (created it with them, gave a new code, a new password
    chosen): the resident reads these on "My data", in their history and on "Who has looked".
    Append-only (erasable with the account)."""

    __tablename__ = "account_event"
    __table_args__ = (CheckConstraint(_in("kind", AccountEventKind), name="kind"),)

    id: int | None = Field(default=None, primary_key=True)
    resident_id: str = Field(foreign_key="user_account.id", max_length=32, index=True)
    kind: str = Field(max_length=30)
    actor_user_id: str | None = Field(default=None, max_length=32)  # (not a foreign key: history outlives accounts)
    actor_name: str = Field(max_length=80)
    actor_role: str | None = Field(default=None, max_length=20)
    actor_provider: str | None = Field(default=None, max_length=120)
    occurred_at: datetime = timestamp()


class AccountEventAnswerKind(StrEnum):
    WAS_ME = "was_me"
    NOT_ME = "not_me"


class AccountEventAnswer(SQLModel, table=True):
    """The resident's answer to a change staff made to their account. "This wasn't me" goes to the
    administrators, like a look that does not look right."""

    __tablename__ = "account_event_answer"
    __table_args__ = (CheckConstraint(_in("answer", AccountEventAnswerKind), name="answer"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="account_event.id", index=True, sa_column_kwargs={"unique": True})
    resident_id: str = Field(foreign_key="user_account.id", max_length=32, index=True)
    answer: str = Field(max_length=10)
    answered_at: datetime = timestamp()


class ResetRequestState(StrEnum):
    WAITING = "waiting"
    CODE_GIVEN = "code_given"
    CLOSED = "closed"


class PasswordResetRequest(SQLModel, table=True):
    """A tutor asking for a new set-up code for someone who does not share with their organisation:
    an administrator checks and decides. ``resident_id`` is the account the username matched when
    asked (None: no such account; the tutor is told the same either way)."""

    __tablename__ = "password_reset_request"
    __table_args__ = (CheckConstraint(_in("state", ResetRequestState), name="state"),
                      Index("ix_password_reset_request_state_at", "state", "requested_at"))

    id: str = Field(default_factory=new_short_id, primary_key=True, max_length=32)
    username: str = Field(max_length=40)
    resident_id: str | None = Field(default=None, foreign_key="user_account.id", max_length=32, index=True)
    requested_by_id: str = Field(foreign_key="user_account.id", max_length=32)
    requested_by_name: str = Field(max_length=80)
    provider_id: str = Field(foreign_key="provider.id", max_length=32)
    provider_name: str = Field(max_length=120)
    requested_at: datetime = timestamp()
    state: str = Field(default=ResetRequestState.WAITING, max_length=20)
    handled_by_name: str | None = Field(default=None, max_length=80)
    handled_at: datetime | None = timestamp(nullable=True)


class ReferralState(StrEnum):
    """Where a referral is. Nothing reaches the receiving organisation while it is WAITING."""
    WAITING = "waiting"  # for the resident to agree (or say no)
    SENT = "sent"  # the resident agreed: the service has it and has not replied yet
    ACCEPTED = "accepted"
    DECLINED = "declined"  # with a DeclineReason
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"  # with a ReferralOutcome
    WITHDRAWN = "withdrawn"  # the resident said no, took it back, or stopped sharing what it needed
    EXPIRED = "expired"  # the service did not reply within REPLY_DAYS


class DeclineReason(StrEnum):
    NOT_ELIGIBLE = "not_eligible"
    NO_CAPACITY = "no_capacity"
    NOT_WHAT_WE_DO = "not_what_we_do"
    COULD_NOT_CONTACT = "could_not_contact"
    OTHER = "other"


class ReferralOutcome(StrEnum):
    GOT_HELP = "got_help"
    COULD_NOT_CONTACT = "could_not_contact"
    NO_CAPACITY = "no_capacity"
    NOT_ELIGIBLE = "not_eligible"
    NO_LONGER_NEEDED = "no_longer_needed"


class Referral(SQLModel, table=True):
    """A referral of a resident to a service of another organisation in the partnership, by a
    member of staff (``from_provider_id``) or by the resident (no ``from_provider_id``). Its
    current state, kept in the same transaction as each ``ReferralEvent`` (the history)."""

    __tablename__ = "referral"
    __table_args__ = (
        CheckConstraint(_in("state", ReferralState), name="state"),
        CheckConstraint(f"decline_reason IS NULL OR {_in('decline_reason', DeclineReason)}", name="decline_reason"),
        CheckConstraint(f"outcome IS NULL OR {_in('outcome', ReferralOutcome)}", name="outcome"),
        Index("ix_referral_inbox", "to_provider_id", "state", "sent_at"),  # a service's inbox, oldest first
        Index("ix_referral_state_sent", "state", "sent_at"),  # finding those with no reply in time
        Index("ix_referral_from_provider", "from_provider_id"),
    )

    id: str = Field(default_factory=new_short_id, primary_key=True, max_length=32)
    resident_id: str = Field(foreign_key="user_account.id", max_length=32, index=True)
    service_id: str | None = Field(default=None, foreign_key="directory_service.id", max_length=32)  # None: to the organisation
    to_provider_id: str = Field(foreign_key="provider.id", max_length=32)
    from_provider_id: str | None = Field(default=None, foreign_key="provider.id", max_length=32)
    referred_by_id: str = Field(foreign_key="user_account.id", max_length=32)
    referred_by_name: str = Field(max_length=80)
    areas: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # the parts of the plan it needs
    reason: str = Field(default="", max_length=1000)  # why, in the referrer's words
    offer: str = Field(default="", max_length=500)  # what the referrer will keep doing meanwhile
    state: str = Field(default=ReferralState.WAITING, max_length=20)
    decline_reason: str | None = Field(default=None, max_length=20)
    outcome: str | None = Field(default=None, max_length=20)
    outcome_shared: bool = Field(default=False)  # "let the referrer see how this went"
    not_heard_at: datetime | None = timestamp(nullable=True)  # the resident said "I didn't hear anything"
    created_at: datetime = timestamp()
    sent_at: datetime | None = timestamp(nullable=True)
    replied_at: datetime | None = timestamp(nullable=True)
    changed_at: datetime = timestamp()


class ReferralEvent(SQLModel, table=True):
    """One change of a referral, who made it and when: append-only."""

    __tablename__ = "referral_event"
    __table_args__ = (Index("ix_referral_event_referral", "referral_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    referral_id: str = Field(foreign_key="referral.id", max_length=32)
    resident_id: str = Field(max_length=32, index=True)
    kind: str = Field(max_length=30)  # made, agreed, said_no, accepted, declined, started, closed, withdrawn, expired, not_heard, ...
    state: str = Field(max_length=20)  # the state after it
    actor_user_id: str | None = Field(default=None, max_length=32)
    actor_role: str = Field(max_length=20)
    actor_name: str = Field(max_length=80)
    actor_provider: str | None = Field(default=None, max_length=200)
    details: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    occurred_at: datetime = timestamp()


class AdminAction(SQLModel, table=True):
    """What an admin did (a provider created, a notice published, a member of staff invited or
    deactivated, a goal changed), and what staff changed in their organisation's services in the
    directory (``actor_user_id`` is then theirs): append-only, for the audit page."""

    __tablename__ = "admin_action"
    __table_args__ = (Index("ix_admin_action_at", "occurred_at"),)

    id: int | None = Field(default=None, primary_key=True)
    actor_user_id: str = Field(max_length=32, index=True)
    actor_name: str = Field(max_length=80)
    action: str = Field(max_length=40)
    provider_id: str | None = Field(default=None, max_length=32, index=True)
    target: str = Field(default="", max_length=200)
    details: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    occurred_at: datetime = timestamp()



class AreaProgress(SQLModel, table=True):
    """Where a resident is in one area, kept up to date in the same transaction as every plan
    change: what provider dashboards read (fast), while the plan events stay the record."""

    __tablename__ = "area_progress"
    __table_args__ = (
        CheckConstraint(_in("area", Area), name="area"),
        # Dashboards list residents newest activity first, in one area (by stage or not) or in
        # every area: walked along these, a page stops after a page of residents who share.
        Index("ix_area_progress_area_stage_activity", "area", "latest_stage", "last_activity_at"),
        Index("ix_area_progress_area_activity", "area", "last_activity_at"),
        Index("ix_area_progress_activity", "last_activity_at"),
    )

    resident_id: str = Field(foreign_key="user_account.id", primary_key=True, max_length=32)
    area: str = Field(primary_key=True, max_length=20)
    first_stage: int | None = Field(default=None)
    latest_stage: int | None = Field(default=None)
    goals_done: int = Field(default=0)
    last_activity_at: datetime | None = timestamp(nullable=True)


# --- The directory of the partnership's services (Open Referral UK) ---------------------------


class ServiceStatus(StrEnum):
    """HSDS 3.0's statuses of a service."""
    ACTIVE = "active"
    INACTIVE = "inactive"
    DEFUNCT = "defunct"
    TEMPORARILY_CLOSED = "temporarily closed"


class Intake(StrEnum):
    """Whether a service takes referrals now."""
    TAKING_REFERRALS = "taking_referrals"
    WAITING_LIST = "waiting_list"  # takes them, with a wait (``wait_weeks``, roughly)
    NOT_TAKING = "not_taking"
    UNKNOWN = "unknown"  # not said (services imported from another directory's feed)


class DirectoryOrganisation(SQLModel, table=True):
    """An organisation in the directory: a member of the partnership (``provider_id``; its name and
    description are the provider's, and its id the same), or one whose services came from another
    directory's Open Referral feed (with the name and description that feed gave)."""

    __tablename__ = "directory_organisation"
    __table_args__ = (Index("uq_directory_organisation_provider", "provider_id", unique=True),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    provider_id: str | None = Field(default=None, foreign_key="provider.id", max_length=32)
    name: str | None = Field(default=None, max_length=200)
    description: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    url: str | None = Field(default=None, max_length=300)
    email: str | None = Field(default=None, max_length=254)
    updated_at: datetime = timestamp()


class DirectoryService(SQLModel, table=True):
    """A service an organisation of the partnership offers, as the directory publishes it (Open
    Referral UK, HSDS 3.0). What residents read is kept in every shipped language: {"en": …, "pl": …}.
    Nothing about any resident is ever held here."""

    __tablename__ = "directory_service"
    __table_args__ = (
        CheckConstraint(_in("status", ServiceStatus), name="status"),
        CheckConstraint(_in("intake", Intake), name="intake"),
        CheckConstraint("wait_weeks IS NULL OR (wait_weeks >= 0 AND wait_weeks <= 104)", name="wait_weeks"),
        Index("ix_directory_service_organisation", "organisation_id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)  # a UUID, published with its hyphens
    organisation_id: str = Field(foreign_key="directory_organisation.id", max_length=32)
    name: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    description: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    eligibility: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # who it is for
    cost: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    opening_times: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # in words
    url: str | None = Field(default=None, max_length=300)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    languages: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # ISO 639-1 codes spoken
    status: str = Field(default=ServiceStatus.ACTIVE, max_length=20)
    intake: str = Field(default=Intake.TAKING_REFERRALS, max_length=20)
    wait_weeks: int | None = Field(default=None)
    last_checked_at: datetime = timestamp()  # when its organisation last said this is right
    updated_at: datetime = timestamp()
    created_at: datetime = timestamp()


class ServiceLocation(SQLModel, table=True):
    """Where a service is offered: a building (with its address and how accessible it is), or
    "virtual" (by phone or online)."""

    __tablename__ = "service_location"
    __table_args__ = (CheckConstraint("kind IN ('physical', 'virtual')", name="kind"),
                      Index("ix_service_location_service", "service_id"))

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    service_id: str = Field(foreign_key="directory_service.id", max_length=32)
    kind: str = Field(default="physical", max_length=10)
    name: str = Field(max_length=120)
    address_1: str | None = Field(default=None, max_length=120)
    address_2: str | None = Field(default=None, max_length=120)
    town: str | None = Field(default=None, max_length=60)
    postcode: str | None = Field(default=None, max_length=10)
    accessibility: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Taxonomy(SQLModel, table=True):
    """A published list of terms services are tagged with (the LGA's esdNeeds, esdCircumstances)."""

    __tablename__ = "taxonomy"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    name: str = Field(max_length=60, sa_column_kwargs={"unique": True})
    description: str = Field(max_length=300)
    uri: str = Field(max_length=300)
    version: str | None = Field(default=None, max_length=20)


class TaxonomyTerm(SQLModel, table=True):
    """One term of a taxonomy, with its code there (esdNeeds "69"; esdCircumstances "Carer")."""

    __tablename__ = "taxonomy_term"
    __table_args__ = (Index("uq_taxonomy_term_code", "taxonomy_id", "code", unique=True),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    taxonomy_id: str = Field(foreign_key="taxonomy.id", max_length=32)
    code: str = Field(max_length=80)
    name: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    term_uri: str | None = Field(default=None, max_length=300)


class SavedService(SQLModel, table=True):
    """A service a resident saved to their plan, to come back to (theirs alone: no organisation
    sees it)."""

    __tablename__ = "saved_service"

    resident_id: str = Field(foreign_key="user_account.id", primary_key=True, max_length=32)
    service_id: str = Field(foreign_key="directory_service.id", primary_key=True, max_length=32)
    saved_at: datetime = timestamp()


class ServiceTerm(SQLModel, table=True):
    """A service tagged with a term."""

    __tablename__ = "service_term"
    __table_args__ = (Index("ix_service_term_term", "term_id"),)

    service_id: str = Field(foreign_key="directory_service.id", primary_key=True, max_length=32)
    term_id: str = Field(foreign_key="taxonomy_term.id", primary_key=True, max_length=32)


# Made by migration 0011 outside these models (SQLAlchemy cannot describe them): the trigram index
# for finding residents by part of their name — on PostgreSQL a GIN index, on SQLite an FTS5 table
# (with its shadow tables) kept by triggers on user_account.
NAME_SEARCH_OBJECTS = ("user_account_name", "ix_user_account_name_trigram")


def modelled(name: str | None, *_args) -> bool:
    """For Alembic's ``include_name``: everything but the name-search objects."""
    return not (name or "").startswith(NAME_SEARCH_OBJECTS)


# --- Reaching a resident by text message (issue 13) ----------------------------------------------


class TextKind(StrEnum):
    """What a text message can be about: the resident says yes to each kind."""
    REFERRAL_WAITING = "referral_waiting"  # a referral waits for their answer
    REFERRAL_NEWS = "referral_news"  # accepted, declined or expired
    SHARING_ENDING = "sharing_ending"  # sharing ends in 14 days, ended, or was put on hold
    SETUP_CODE = "setup_code"  # a member of staff gave them a new set-up code
    CHECK_IN_REMINDER = "check_in_reminder"  # their own reminder, every 2, 4 or 8 weeks
    CONFIRM_NUMBER = "confirm_number"  # the code that confirms a new number (always sent: they asked for it)
    RESET_CODE = "reset_code"  # a code to choose a new password, asked for at /forgot (always sent: they asked)


class ContactSettings(SQLModel, table=True):
    """How a resident wants to be reached ("How we contact you"). Nothing is ever sent without a
    confirmed number and their yes that texting them is safe. Only the hash of a confirmation code
    is kept."""

    __tablename__ = "contact_settings"
    __table_args__ = (CheckConstraint("quiet_from IS NULL OR (quiet_from BETWEEN 0 AND 23)", name="quiet_from"),
                      CheckConstraint("quiet_until IS NULL OR (quiet_until BETWEEN 0 AND 23)", name="quiet_until"),
                      CheckConstraint("reminder_weeks IS NULL OR reminder_weeks IN (2, 4, 8)", name="reminder_weeks"))

    resident_id: str = Field(foreign_key="user_account.id", primary_key=True, max_length=32)
    mobile: str | None = Field(default=None, max_length=16)  # +447…, confirmed
    mobile_confirmed_at: datetime | None = timestamp(nullable=True)
    texts_safe: bool = Field(default=False)  # "it is safe to text me" (someone else may read their phone)
    fuller_texts: bool = Field(default=False)  # say what the update is, not only "you have an update"
    kinds: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # [TextKind] they said yes to
    quiet_from: int | None = Field(default=None)  # hours, UK time: nothing is sent from … until …
    quiet_until: int | None = Field(default=None)
    reminder_weeks: int | None = Field(default=None)
    # A number waiting to be confirmed, with its code (10 minutes, 3 tries).
    pending_mobile: str | None = Field(default=None, max_length=16)
    code_hash: str | None = Field(default=None, max_length=64)
    code_expires_at: datetime | None = timestamp(nullable=True)
    code_tries: int = Field(default=0)
    # A code to choose a new password, texted to the confirmed number (10 minutes, 3 tries).
    reset_code_hash: str | None = Field(default=None, max_length=64)
    reset_code_expires_at: datetime | None = timestamp(nullable=True)
    reset_code_tries: int = Field(default=0)
    # "If a text does not reach me, email me instead" (only with an email address on their account).
    email_fallback: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
    updated_at: datetime = timestamp()


class TextState(StrEnum):
    WAITING = "waiting"  # to be sent (after quiet hours, or after a temporary failure)
    SENDING = "sending"  # Notify has it
    DELIVERED = "delivered"
    PERMANENT_FAILURE = "permanent-failure"  # the number does not work: the resident's page says so
    TEMPORARY_FAILURE = "temporary-failure"  # the phone was off or out of signal for days
    TECHNICAL_FAILURE = "technical-failure"  # Notify could not send it
    NOT_SENT = "not-sent"  # given up: Notify refused it, or it failed too many times


class TextChannel(StrEnum):
    SMS = "sms"
    LETTER = "letter"  # when a text could not be delivered, to a resident who said writing to them is safe
    EMAIL = "email"  # when a text could not be delivered, to a resident with an email address who prefers it


class TextMessage(SQLModel, table=True):
    """One text message to a resident: what kind, where to, Notify's id and what Notify says
    became of it. The words are worked out when it is sent, so the resident's latest choice of
    fuller or discreet messages applies. Erased with the account."""

    __tablename__ = "text_message"
    __table_args__ = (CheckConstraint(_in("kind", TextKind), name="kind"), CheckConstraint(_in("state", TextState), name="state"),
                      CheckConstraint(_in("channel", TextChannel), name="channel"),
                      Index("ix_text_message_state_due", "state", "send_after"))

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    resident_id: str = Field(foreign_key="user_account.id", max_length=32, index=True)
    kind: str = Field(max_length=30)
    channel: str = Field(default=TextChannel.SMS, max_length=10, sa_column_kwargs={"server_default": "sms"})
    to: str = Field(max_length=254)  # the mobile number; a letter's postcode; an email address
    details: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # for fuller words, e.g. the code
    state: str = Field(default=TextState.WAITING, max_length=20)
    notify_id: str | None = Field(default=None, max_length=40)
    attempts: int = Field(default=0)
    send_after: datetime = timestamp()
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


# --- About me ------------------------------------------------------------------------------------


class AboutMeEntry(SQLModel, table=True):
    """One answer in a resident's "About me", as they (or a tutor beside them) gave it. Append-only:
    a change is a new entry, so "what changed since you last looked" and the resident's own history
    are read from here; the latest entry of each field is the answer now. ``value`` None with
    ``rather_not_say`` False is an answer taken away. The fields themselves are data
    (``tracker/domain/about_me/fields.toml``). Erased with the account."""

    __tablename__ = "about_me_entry"
    __table_args__ = (Index("ix_about_me_entry_resident_field", "resident_id", "field", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    resident_id: str = Field(foreign_key="user_account.id", max_length=32)
    field: str = Field(max_length=40)
    value: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))  # {"text": …} or {"choices": […]}
    rather_not_say: bool = Field(default=False)
    entered_at: datetime = timestamp(index=True)
    entered_by_id: str | None = Field(default=None, foreign_key="user_account.id", max_length=32)
    entered_by_role: str = Field(max_length=20)
    entered_by_name: str = Field(max_length=80)  # first name at the time
    entered_by_provider: str | None = Field(default=None, max_length=120)
    with_resident: bool = Field(default=False)  # a tutor filled it in with the resident beside them
