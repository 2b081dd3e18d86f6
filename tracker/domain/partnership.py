"""The administration's logic, as plain functions over a database session (no request needed).

Every change an admin makes goes through here and writes an ``AdminAction`` row in the caller's
transaction (the view commits once), so the audit page can say who did what, and when.
Admins never see a resident's plan or name: where a resident must be told apart on an audit page
they appear as a pseudonym ("Resident 3F2A9C").
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, literal_column
from sqlmodel import Session, col, select

from tracker.clock import utcnow
from tracker.domain import about_me, accounts, consent
from tracker.domain.catalogue import MAX_STEPS, MIN_STEPS
from tracker.models import (
    AccessAction,
    AccessFlag,
    AccessLogEntry,
    AccountEvent,
    AccountEventAnswer,
    AccountEventAnswerKind,
    AccountEventKind,
    AdminAction,
    Area,
    CatalogueGoal,
    CatalogueStep,
    ConsentEvent,
    ConsentEventType,
    Provider,
    ProviderKind,
    Role,
    SharingNotice,
    User,
)

# --- Words kept in the record (the names shown for them are in tracker.web.wording) -----------



# The reasons a provider may give for looking, in every language we ship (stored in the notice).
STANDARD_PURPOSES = {
    "plan_support": {"en": "to help you with your plan", "pl": "aby pomóc Ci w realizacji Twojego planu"},
    "progress_review": {"en": "to review your progress with you", "pl": "aby razem z Tobą sprawdzić Twoje postępy"},
    "referral_followup": {"en": "to follow up after someone sent you to them",
                          "pl": "aby sprawdzić, jak Ci idzie, gdy ktoś Cię do nich skierował"},
    "caseload_list": {"en": "to list you among the people they help", "pl": "aby umieścić Cię na liście osób, którym pomagają"},
}


STAFF_ACCOUNT_ROLES = (Role.TUTOR, Role.PROVIDER_STAFF, Role.ADMIN)

# Framework areas of the catalogue (tracker/catalogue/data/README.md), by area and framework.
FRAMEWORK_AREAS = {
    Area.DIGITAL: {"eds": ("foundation", "communicating", "handling_information", "transacting", "problem_solving",
                           "being_safe"), "uc": ("uc_account",)},
    Area.FINANCIAL: {"maps": ("keeping_track", "making_ends_meet", "bank_and_bills", "benefits_uc", "credit_and_debt",
                              "saving", "spotting_scams")},
    Area.JOB_READINESS: {"jobs": ("aims", "job_search", "cv_applications", "interviews", "work_documents", "basic_skills",
                                  "essential_skills", "experience")},
}


class AdminActionKind:
    PROVIDER_CREATED = "provider_created"
    PROVIDER_EDITED = "provider_edited"
    PROVIDER_DEACTIVATED = "provider_deactivated"
    PROVIDER_REACTIVATED = "provider_reactivated"
    NOTICE_PUBLISHED = "notice_published"
    STAFF_INVITED = "staff_invited"
    STAFF_CODE_ISSUED = "staff_code_issued"
    STAFF_ROLE_CHANGED = "staff_role_changed"
    STAFF_DEACTIVATED = "staff_deactivated"
    STAFF_REACTIVATED = "staff_reactivated"
    RESET_CODE_GIVEN = "reset_code_given"
    RESET_REQUEST_CLOSED = "reset_request_closed"
    GOAL_CREATED = "goal_created"
    GOAL_EDITED = "goal_edited"
    GOAL_RETIRED = "goal_retired"
    GOAL_RESTORED = "goal_restored"
    STEP_RETIRED = "step_retired"
    STEP_RESTORED = "step_restored"
    # Services in the directory (tracker.domain.directory_editing): by an admin, or by the staff of
    # the organisation that offers the service (then the actor is that member of staff).
    SERVICE_CREATED = "service_created"
    SERVICE_EDITED = "service_edited"
    SERVICE_CHECKED = "service_checked"






class AdminError(ValueError):
    """A change that cannot be made; ``code`` says why, for the page to explain."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# --- The record of admin actions ----------------------------------------------------------------


def record_action(db: Session, actor: User, action: str, *, provider_id: str | None = None, target: str = "",
                  details: dict | None = None) -> AdminAction:
    """Write what an admin did, in the caller's transaction (append-only in the database)."""
    row = AdminAction(actor_user_id=actor.id, actor_name=actor.display_name[:80], action=action, provider_id=provider_id,
                      target=target[:200], details=details or {}, occurred_at=utcnow())
    db.add(row)
    return row


def pseudonym_tag(resident_id: str, secret_key: str) -> str:
    """How a resident appears to admins: never their name, only a stable tag ("3F2A9C…"). Keyed
    with the service's secret, so the tag cannot be worked back from an id found elsewhere."""
    return hmac.new(secret_key.encode(), resident_id.encode(), hashlib.sha256).hexdigest()[:10].upper()


def pseudonym(resident_id: str, secret_key: str) -> str:
    """The pseudonym as the audit stores it (in English: the record outlives anyone's language)."""
    return f"Resident {pseudonym_tag(resident_id, secret_key)}"


# --- Providers and their notices ------------------------------------------------------------------


def provider_name_taken(db: Session, name: str, except_id: str | None = None) -> bool:
    query = select(Provider.id).where(func.lower(Provider.name) == name.strip().lower())
    if except_id:
        query = query.where(Provider.id != except_id)
    return db.exec(query).first() is not None


def _texts(texts: dict[str, str]) -> dict[str, str]:
    """A text in every language, trimmed; empty when none was written. One language without the
    others is refused (residents read it in theirs)."""
    texts = {language: (text or "").strip() for language, text in texts.items()}
    if not any(texts.values()):
        return {}
    if not all(texts.values()):
        raise AdminError("language_missing")
    return texts


def create_provider(db: Session, actor: User, *, name: str, kind: str, description: dict[str, str]) -> Provider:
    if provider_name_taken(db, name):
        raise AdminError("name_taken")
    provider = Provider(name=name.strip(), kind=str(ProviderKind(kind)), description=_texts(description))
    db.add(provider)
    db.flush()
    record_action(db, actor, AdminActionKind.PROVIDER_CREATED, provider_id=provider.id, target=provider.name,
                  details={"kind": provider.kind})
    return provider


def edit_provider(db: Session, actor: User, provider: Provider, *, name: str, kind: str, description: dict[str, str]) -> bool:
    """Returns whether anything changed."""
    if provider_name_taken(db, name, except_id=provider.id):
        raise AdminError("name_taken")
    before = {"name": provider.name, "kind": provider.kind, "description": provider.description}
    after = {"name": name.strip(), "kind": str(ProviderKind(kind)), "description": _texts(description)}
    if before == after:
        return False
    provider.name, provider.kind, provider.description = after["name"], after["kind"], after["description"]
    db.add(provider)
    changed = {key: {"before": before[key], "after": after[key]} for key in before if before[key] != after[key]}
    record_action(db, actor, AdminActionKind.PROVIDER_EDITED, provider_id=provider.id, target=provider.name, details=changed)
    return True


def set_provider_active(db: Session, actor: User, provider: Provider, active: bool) -> bool:
    if provider.active == active:
        return False
    provider.active = active
    db.add(provider)
    action = AdminActionKind.PROVIDER_REACTIVATED if active else AdminActionKind.PROVIDER_DEACTIVATED
    record_action(db, actor, action, provider_id=provider.id, target=provider.name)
    return True


def current_notices_by_provider(db: Session) -> dict[tuple[str, str], SharingNotice]:
    """Every provider's current notice per area (active or not), keyed by (provider id, area)."""
    notices = db.exec(select(SharingNotice).where(SharingNotice.superseded_at.is_(None))).all()
    return {(n.provider_id, n.area): n for n in notices}


def publish_notice(db: Session, actor: User, provider: Provider, area: str, *, record: bool, fields: list[str],
                   purposes: list[str], summary: dict, retention: dict, material: bool, change_summary: dict | None,
                   secret_key: str, special_for: str | None = None) -> SharingNotice:
    """``special_for``: About me, the reason (one of ``purposes``) staff may see its sensitive answers for."""
    modes = ["view", "record_progress"] if record else ["view"]
    previous = consent.current_notice(db, provider.id, area)
    shown = [f for f in consent.fields_of(area) if f in set(fields)]
    sensitive = [f for f in shown if f in about_me.sensitive_codes()]

    def purpose(code: str) -> dict:
        return {"code": code, "text": dict(STANDARD_PURPOSES[code]), **({"special": sensitive} if sensitive and code == special_for else {})}

    notice = consent.publish_notice(
        db, provider, area, access_modes=modes, fields_shown=shown,
        purposes=[purpose(code) for code in STANDARD_PURPOSES if code in set(purposes)],
        summary=summary, retention=retention, material=bool(material and previous), change_summary=change_summary,
        secret_key=secret_key,
    )
    if notice is previous:
        return notice  # the same as the current version: nothing published
    record_action(db, actor, AdminActionKind.NOTICE_PUBLISHED, provider_id=provider.id,
                  target=f"{provider.name}: {area} v{notice.version}",
                  details={"area": area, "version": notice.version, "material": notice.change_is_material,
                           "notice_id": notice.id})
    return notice


# --- Staff accounts -----------------------------------------------------------------------------


def staff_query():
    return select(User).where(col(User.role).in_([str(r) for r in STAFF_ACCOUNT_ROLES]))


def staff_member(db: Session, user_id: str) -> User | None:
    """A tutor, member of provider staff or admin; never a resident."""
    user = db.get(User, user_id)  # (the URL converter has checked its shape)
    if user is None or user.role not in {str(r) for r in STAFF_ACCOUNT_ROLES}:
        return None
    return user


def check_role_and_provider(db: Session, role: str, provider_id: str | None) -> Provider | None:
    if role not in {str(r) for r in STAFF_ACCOUNT_ROLES}:
        raise AdminError("role_invalid")
    provider = db.get(Provider, provider_id) if provider_id else None
    if provider_id and provider is None:
        raise AdminError("provider_invalid")
    if role in (Role.TUTOR, Role.PROVIDER_STAFF) and provider is None:
        raise AdminError("provider_missing")
    return provider


def invite_staff(db: Session, actor: User, *, username: str, display_name: str, role: str, provider_id: str | None) -> tuple[User, str]:
    """A new staff account with no usable password, and its one-time code (shown once)."""
    from tracker.domain import setup_codes
    from tracker.models import SetupCodePurpose

    folded = accounts.fold_username(username)
    if problem := accounts.username_problem(folded):
        raise AdminError(f"username_{problem}")
    if accounts.find_user_by_username(db, folded) is not None:
        raise AdminError("username_taken")
    provider = check_role_and_provider(db, role, provider_id)
    user = User(username=folded, display_name=display_name.strip(), role=role, provider_id=provider.id if provider else None,
                password_hash=setup_codes.unusable_password_hash())
    try:
        accounts.add_new_account(db, user)
    except accounts.AccountError as error:
        raise AdminError(error.code) from None
    code = setup_codes.issue(db, user, SetupCodePurpose.INVITE, actor)
    record_action(db, actor, AdminActionKind.STAFF_INVITED, provider_id=user.provider_id, target=f"{user.display_name} ({user.username})",
                  details={"user_id": user.id, "role": user.role})
    return user, code


def new_code(db: Session, actor: User, user: User) -> str:
    from tracker.domain import setup_codes
    from tracker.models import SetupCodePurpose

    if user.id == actor.id:
        raise AdminError("own_account")
    if not user.active:
        raise AdminError("inactive")
    code = setup_codes.issue(db, user, SetupCodePurpose.INVITE, actor)
    record_action(db, actor, AdminActionKind.STAFF_CODE_ISSUED, provider_id=user.provider_id,
                  target=f"{user.display_name} ({user.username})", details={"user_id": user.id})
    return code


def change_role(db: Session, actor: User, user: User, role: str, provider_id: str | None) -> bool:
    if user.id == actor.id:
        raise AdminError("own_account")
    provider = check_role_and_provider(db, role, provider_id)
    new_provider_id = provider.id if provider else None
    if (user.role, user.provider_id) == (role, new_provider_id):
        return False
    before = {"role": user.role, "provider_id": user.provider_id}
    user.role, user.provider_id = role, new_provider_id
    db.add(user)
    # What they may see changes with their role: they start again from a fresh sign-in.
    accounts.end_all_sign_in_sessions(db, user.id, "role_changed")
    record_action(db, actor, AdminActionKind.STAFF_ROLE_CHANGED, provider_id=new_provider_id or before["provider_id"],
                  target=f"{user.display_name} ({user.username})",
                  details={"user_id": user.id, "before": before, "after": {"role": role, "provider_id": new_provider_id}})
    return True


def set_staff_active(db: Session, actor: User, user: User, active: bool) -> bool:
    if user.id == actor.id:
        raise AdminError("own_account")
    if user.active == active:
        return False
    user.active = active
    db.add(user)
    if not active:
        accounts.end_all_sign_in_sessions(db, user.id, "deactivated")
    action = AdminActionKind.STAFF_REACTIVATED if active else AdminActionKind.STAFF_DEACTIVATED
    record_action(db, actor, action, provider_id=user.provider_id, target=f"{user.display_name} ({user.username})",
                  details={"user_id": user.id})
    return True


# --- The goal catalogue -------------------------------------------------------------------------


def slug(text: str, limit: int) -> str:
    """Lower-case kebab case, ASCII only: "Pay a bill online!" → "pay-a-bill-online"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    result = ""
    for word in words:
        candidate = f"{result}-{word}" if result else word
        if len(candidate) > limit:
            break
        result = candidate
    if not words:
        return ""
    return result or words[0][:limit]


def _unique_code(db: Session, model, base: str, limit: int) -> str:
    """``base``, or ``base-2``, ``base-3``… : a code no goal or step has ever had (they are never deleted)."""
    taken = set(db.exec(select(model.code).where(col(model.code).startswith(base))).all())
    if base not in taken:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = base[: limit - len(suffix)] + suffix
        if candidate not in taken and db.exec(select(model.id).where(model.code == candidate)).first() is None:
            return candidate
        number += 1


def framework_for(area: str, framework_area: str) -> str:
    for framework, codes in FRAMEWORK_AREAS[Area(area)].items():
        if framework_area in codes:
            return framework
    return next(iter(FRAMEWORK_AREAS[Area(area)]))


def _touch(goal: CatalogueGoal) -> None:
    """Any change makes a new version; the plan page's cache keys on ``updated_at``, so residents
    see new wording at once."""
    goal.version += 1
    goal.updated_at = utcnow()


def offered_step_count(db: Session, goal_id: int) -> int:
    return db.exec(select(func.count()).select_from(CatalogueStep)
                   .where(CatalogueStep.goal_id == goal_id, CatalogueStep.retired_at.is_(None))).one()


def goal_steps(db: Session, goal_id: int) -> list[CatalogueStep]:
    return db.exec(select(CatalogueStep).where(CatalogueStep.goal_id == goal_id)
                   .order_by(CatalogueStep.position, CatalogueStep.id)).all()


def _add_step(db: Session, goal: CatalogueGoal, text: dict, position: int) -> CatalogueStep:
    room = max(4, min(40, 115 - len(goal.code)))  # step codes are 120 characters at most, with a "-N" to spare
    code = _unique_code(db, CatalogueStep, f"{goal.code}.{slug(text['en'], room) or 'step'}", 120)
    step = CatalogueStep(goal_id=goal.id, code=code, position=position, text=text)
    db.add(step)
    db.flush()
    return step


def _same_words(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def create_goal(db: Session, actor: User, *, area: str, framework_area: str, title: dict, summary: dict,
                steps: list[dict]) -> CatalogueGoal:
    if not MIN_STEPS <= len(steps) <= MAX_STEPS:
        raise AdminError("steps_count")
    offered = db.exec(select(CatalogueGoal.title).where(CatalogueGoal.area == area, CatalogueGoal.retired_at.is_(None))).all()
    if any(_same_words(t.get("en", ""), title["en"]) for t in offered):
        raise AdminError("goal_exists")  # (also a double-submitted form: the goal is added once)
    base = f"{area}.{slug(title['en'], 60 - len(area)) or 'goal'}"
    code = _unique_code(db, CatalogueGoal, base, 80)
    position = (db.exec(select(func.max(CatalogueGoal.position)).where(CatalogueGoal.area == area)).one() or 0) + 1
    goal = CatalogueGoal(code=code, area=area, framework=framework_for(area, framework_area), framework_area=framework_area,
                         version=1, position=position, title=title, summary=summary, keywords={"en": [], "pl": []},
                         updated_at=utcnow())
    db.add(goal)
    db.flush()
    for number, text in enumerate(steps, start=1):
        _add_step(db, goal, text, number)
    record_action(db, actor, AdminActionKind.GOAL_CREATED, target=f"{goal.code}: {title['en']}",
                  details={"goal_id": goal.id, "code": goal.code, "steps": len(steps)})
    return goal


def edit_goal(db: Session, actor: User, goal: CatalogueGoal, *, framework_area: str, title: dict, summary: dict,
              step_texts: dict[int, dict], new_step: dict | None) -> bool:
    """Edit and translate a goal: its titles, summaries and step texts in both languages, and
    perhaps one new step. Returns whether anything changed (then the version goes up by one)."""
    steps = goal_steps(db, goal.id)
    changed = []
    if goal.title != title:
        goal.title = title
        changed.append("title")
    if goal.summary != summary:
        goal.summary = summary
        changed.append("summary")
    if goal.framework_area != framework_area:
        goal.framework_area, goal.framework = framework_area, framework_for(goal.area, framework_area)
        changed.append("framework_area")
    for step in steps:
        text = step_texts.get(step.id)
        if text is not None and text != step.text:
            step.text = text
            db.add(step)
            changed.append(step.code)
    if new_step:
        if sum(s.retired_at is None for s in steps) >= MAX_STEPS:
            raise AdminError("too_many_steps")
        step = _add_step(db, goal, new_step, max((s.position for s in steps), default=0) + 1)
        changed.append(f"added {step.code}")
    if not changed:
        return False
    _touch(goal)
    db.add(goal)
    record_action(db, actor, AdminActionKind.GOAL_EDITED, target=f"{goal.code}: {goal.title.get('en', '')}",
                  details={"goal_id": goal.id, "version": goal.version, "changed": changed})
    return True


def set_goal_retired(db: Session, actor: User, goal: CatalogueGoal, retired: bool) -> bool:
    if (goal.retired_at is not None) == retired:
        return False
    if not retired and not MIN_STEPS <= offered_step_count(db, goal.id) <= MAX_STEPS:
        raise AdminError("steps_count")
    goal.retired_at = utcnow() if retired else None
    _touch(goal)
    db.add(goal)
    record_action(db, actor, AdminActionKind.GOAL_RETIRED if retired else AdminActionKind.GOAL_RESTORED,
                  target=f"{goal.code}: {goal.title.get('en', '')}", details={"goal_id": goal.id, "version": goal.version})
    return True


def set_step_retired(db: Session, actor: User, step: CatalogueStep, retired: bool) -> bool:
    if (step.retired_at is not None) == retired:
        return False
    goal = db.get(CatalogueGoal, step.goal_id)
    offered = offered_step_count(db, goal.id)
    if retired and offered <= MIN_STEPS and goal.retired_at is None:
        raise AdminError("too_few_steps")
    if not retired and offered >= MAX_STEPS:
        raise AdminError("too_many_steps")
    step.retired_at = utcnow() if retired else None
    db.add(step)
    _touch(goal)
    db.add(goal)
    record_action(db, actor, AdminActionKind.STEP_RETIRED if retired else AdminActionKind.STEP_RESTORED,
                  target=f"{step.code}: {step.text.get('en', '')}"[:200],
                  details={"goal_id": goal.id, "step_id": step.id, "version": goal.version})
    return True


# --- Audit ----------------------------------------------------------------------------------------

AUDIT_KINDS = ("consent", "access", "account", "admin")
PER_PAGE = 50
BULK_READ_THRESHOLD = 50
BULK_READ_WINDOW = timedelta(days=30)

AUDIT_ACTIONS = {
    "consent": [str(k) for k in ConsentEventType],
    "access": [str(k) for k in AccessAction],
    "account": [str(k) for k in AccountEventKind],
    "admin": [value for name, value in vars(AdminActionKind).items() if name.isupper()],
}


@dataclass
class AuditFilters:
    kind: str = "access"
    provider_id: str | None = None
    staff_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    action: str | None = None


def _day_start(day: date, zone: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def audit_rows(db: Session, filters: AuditFilters, page: int, zone: str) -> tuple[list, bool]:
    """One page (newest first) of consent events, access-log entries or admin actions, and whether
    there is an older page."""
    model = {"consent": ConsentEvent, "access": AccessLogEntry, "account": AccountEvent, "admin": AdminAction}[filters.kind]
    action_column = {"consent": ConsentEvent.event_type, "access": AccessLogEntry.action, "account": AccountEvent.kind,
                     "admin": AdminAction.action}[filters.kind]
    query = select(model)
    if filters.provider_id and model is AccountEvent:  # account history keeps the organisation's name of the time
        query = query.where(AccountEvent.actor_provider == select(Provider.name).where(Provider.id == filters.provider_id).scalar_subquery())
    elif filters.provider_id:
        query = query.where(model.provider_id == filters.provider_id)
    if filters.staff_id:
        query = query.where(model.actor_user_id == filters.staff_id)
    if filters.date_from:
        query = query.where(model.occurred_at >= _day_start(filters.date_from, zone))
    if filters.date_to:
        query = query.where(model.occurred_at < _day_start(filters.date_to + timedelta(days=1), zone))
    if filters.action:
        query = query.where(action_column == filters.action)
    rows = db.exec(query.order_by(col(model.occurred_at).desc(), col(model.id).desc())
                   .offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)).all()
    return rows[:PER_PAGE], len(rows) > PER_PAGE


def flags(db: Session, limit: int = 100) -> list[tuple[AccessFlag, AccessLogEntry]]:
    """"This doesn't look right": the look in question, never the resident's plan."""
    return db.exec(
        select(AccessFlag, AccessLogEntry).join(AccessLogEntry, AccessLogEntry.id == AccessFlag.entry_id)
        .order_by(col(AccessFlag.flagged_at).desc()).limit(limit)
    ).all()


def account_flags(db: Session, limit: int = 100) -> list[tuple[AccountEventAnswer, AccountEvent]]:
    """Changes to their account that residents said were not them (the set-up code was stopped)."""
    return db.exec(
        select(AccountEventAnswer, AccountEvent).join(AccountEvent, AccountEvent.id == AccountEventAnswer.event_id)
        .where(AccountEventAnswer.answer == AccountEventAnswerKind.NOT_ME)
        .order_by(col(AccountEventAnswer.answered_at).desc()).limit(limit)
    ).all()


def answer_reset_request(db: Session, actor: User, request, give_code: bool, secret_key: str) -> tuple[bool, str | None]:
    """Give the code asked for (after checking who the resident is) or close the request: whether
    this answered it (a second tap finds it answered), and the code (shown once)."""
    from tracker.domain import setup_codes

    answered, code = setup_codes.answer_request(db, actor, request, give_code)
    if not answered:
        return False, None
    # The audit keeps no username (it is kept for ever; usernames are often names): the pseudonym.
    who = pseudonym(request.resident_id, secret_key) if request.resident_id else "no such account"
    record_action(db, actor, AdminActionKind.RESET_CODE_GIVEN if code else AdminActionKind.RESET_REQUEST_CLOSED,
                  provider_id=request.provider_id, target=f"{who} (asked by {request.requested_by_name}, {request.provider_name})",
                  details={"request_id": request.id})
    return True, code


@dataclass
class BulkRead:
    user_id: str
    name: str
    role: str
    provider_name: str
    hour: datetime
    residents: int


def _hour_value(value) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return datetime.strptime(str(value)[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def bulk_reads(db: Session, now: datetime | None = None) -> list[BulkRead]:
    """Staff who looked at more than BULK_READ_THRESHOLD different residents within one clock hour
    in the last 30 days (any access-log action), newest first. One grouped query."""
    now = now or utcnow()
    # Literal arguments, not bound ones: PostgreSQL must see the SELECT and GROUP BY expressions as one.
    if db.get_bind().dialect.name == "sqlite":
        hour = func.strftime(literal_column("'%Y-%m-%d %H:00:00'"), AccessLogEntry.occurred_at)
    else:
        hour = func.date_trunc(literal_column("'hour'"), AccessLogEntry.occurred_at)
    residents = func.count(func.distinct(AccessLogEntry.resident_id))
    rows = db.exec(
        select(AccessLogEntry.actor_user_id, hour.label("hour"), residents.label("residents"),
               func.max(AccessLogEntry.actor_name), func.max(AccessLogEntry.actor_role), func.max(AccessLogEntry.provider_name))
        # Opening records and exports are reads; a resident's name in a list page is not.
        .where(AccessLogEntry.occurred_at >= now - BULK_READ_WINDOW,
               col(AccessLogEntry.action).in_([AccessAction.OPENED, AccessAction.RECORDED, AccessAction.EXPORTED]))
        .group_by(AccessLogEntry.actor_user_id, hour)
        .having(residents > BULK_READ_THRESHOLD)
    ).all()
    users = {u.id: u for u in db.exec(select(User).where(col(User.id).in_({r[0] for r in rows})))} if rows else {}
    found = []
    for user_id, bucket, count, name, role, provider_name in rows:
        user = users.get(user_id)
        found.append(BulkRead(user_id, user.display_name if user else name, role, provider_name, _hour_value(bucket), count))
    return sorted(found, key=lambda b: b.hour, reverse=True)
