"""Keeping the partnership's own services in the directory up to date, as plain functions over a
database session (no request needed): admins edit every member organisation's services, a tutor
or member of provider staff only their own organisation's. Services of organisations that came
from another directory's feed (``provider_id`` None) are not edited here: the next import would
overwrite them (tracker.domain.directory_import).

Every record says when its organisation last said it is right (``last_checked_at``): saving an
edit sets it, and so does "Still right", which changes nothing else. Every change writes an
``AdminAction`` (the admins' audit table; a member of staff's change carries their user id) in the
caller's transaction; the view commits once.

Two people editing at once: the edit form carries the version it was opened at (the service's
``updated_at``), and a save checks it under the organisation's lock, so a save made on a stale
copy is refused (``Stale``) and changes nothing, rather than silently undoing the other's change.

A service's tags, what it can help with and who it is especially for, are codes of our own two lists
(tracker.domain.catalogue.taxonomies). An edit changes only those: a service imported from another
directory may carry terms of that directory's lists (esdNeeds), and they are left as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from tracker.clock import REPEAT_WINDOW, utcnow
from tracker.domain.catalogue import LANGUAGES
from tracker.domain.catalogue.taxonomies import KINDS as TAGS
from tracker.domain.catalogue.taxonomies import read_taxonomies, sync_taxonomies, tags_of, term_ids
from tracker.domain.directory import language_name
from tracker.domain.directory_import import EMAIL, TEXT_AT_MOST, is_web_address
from tracker.domain.locks import lock_providers
from tracker.domain.parsing import plain_number
from tracker.domain.partnership import AdminActionKind, record_action
from tracker.models import (
    AdminAction,
    DirectoryOrganisation,
    DirectoryService,
    Intake,
    Provider,
    Role,
    ServiceLocation,
    ServiceStatus,
    ServiceTerm,
    User,
)

# Not checked for longer than this: the lists ask the organisation to check it is still right.
CHECK_AFTER = timedelta(days=183)  # "over 6 months"

# What residents read, in every shipped language; English is the one the feed publishes (and the
# one shown where a reader's language has no text), so a text in Polish needs its English too.
TEXTS = ("name", "description", "eligibility", "cost", "opening_times")
REQUIRED_TEXTS = ("name", "description")
ONE_LINE = {"name"}
TEXT_LIMITS = {"name": 200, "description": TEXT_AT_MOST, "eligibility": 1000, "cost": 1000, "opening_times": 1000}
URL_AT_MOST, EMAIL_AT_MOST, PHONE_AT_MOST = 300, 254, 40
WAIT_WEEKS_AT_MOST = 104
PLACE_LIMITS = {"name": 120, "address_1": 120, "address_2": 120, "town": 60}
ACCESSIBILITY_AT_MOST = 1000

# Languages offered as ticks (ISO 639-1): those most spoken in the borough. A service already
# tagged with another (an older edit, the demo) keeps it; any code CLDR knows is accepted.
OFFERED_LANGUAGES = ("en", "pl", "ro", "lt", "lv", "bg", "pt", "uk", "ru", "ar", "ur", "pa", "gu")
INTAKES = (Intake.TAKING_REFERRALS, Intake.WAITING_LIST, Intake.NOT_TAKING)  # (not "unknown": that is for imports)
STATUSES = (ServiceStatus.ACTIVE, ServiceStatus.TEMPORARILY_CLOSED, ServiceStatus.INACTIVE, ServiceStatus.DEFUNCT)
PHYSICAL, VIRTUAL = "physical", "virtual"
VIRTUAL_NAME = "By phone or online"  # (what the feed calls such a place; pages say it in the reader's language)

# A UK postcode's shape: outward code (A9, A99, A9A, AA9, AA99, AA9A), then inward code (9AA).
POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})")
PHONE = re.compile(r"[0-9+() -]+")


class EditError(ValueError):
    """A change that cannot be made at all (not this person's organisation, no such organisation)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class Invalid(ValueError):
    """What is wrong with the answers: field name → code (the page says each in words)."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(", ".join(f"{key}: {code}" for key, code in problems.items()))
        self.problems = problems


class Stale(ValueError):
    """The service changed since the form was opened: nothing was saved."""


class TermsNotLoaded(RuntimeError):
    """A term of our lists is not in the database: ``flask catalogue sync`` has not been run since
    the list changed (a fault of the deployment, not of what was typed)."""


# --- What an editor sends -----------------------------------------------------------------------


@dataclass
class PlaceDraft:
    """An address as typed: ``key`` is the id of one of the service's addresses, or "new". (Being
    offered by phone or online is ``ServiceDraft.online``, not a place to type.)"""

    key: str = "new"
    name: str = ""
    address_1: str = ""
    address_2: str = ""
    town: str = ""
    postcode: str = ""
    accessibility: dict = field(default_factory=dict)  # {"en": …, "pl": …}
    remove: bool = False

    def is_blank(self) -> bool:
        words = (self.name, self.address_1, self.address_2, self.town, self.postcode, *self.accessibility.values())
        return not any((w or "").strip() for w in words if isinstance(w, str))


@dataclass
class ServiceDraft:
    """A service as typed (strings as sent; checked by ``check``)."""

    name: dict = field(default_factory=dict)
    description: dict = field(default_factory=dict)
    eligibility: dict = field(default_factory=dict)
    cost: dict = field(default_factory=dict)
    opening_times: dict = field(default_factory=dict)
    url: str = ""
    email: str = ""
    phone: str = ""
    languages: list = field(default_factory=list)
    status: str = ""
    intake: str = ""
    wait_weeks: str | int | None = None
    places: list[PlaceDraft] = field(default_factory=list)  # its addresses
    online: bool = False  # also (or only) by phone or online
    needs: list = field(default_factory=list)  # codes of our needs list: what it can help with
    circumstances: list = field(default_factory=list)  # codes of our circumstances list: who it is especially for


def draft_of(service: DirectoryService, places: list[ServiceLocation], tags: dict[str, list[str]]) -> ServiceDraft:
    """What an edit form starts from: the service as it is (``tags``: its codes of our two lists, as
    ``tags_of`` reads them)."""
    return ServiceDraft(
        **{key: dict(getattr(service, key)) for key in TEXTS}, url=service.url or "", email=service.email or "",
        phone=service.phone or "", languages=list(service.languages), status=service.status,
        intake=service.intake if service.intake in INTAKES else "",
        wait_weeks=str(service.wait_weeks) if service.wait_weeks is not None else "",
        places=[PlaceDraft(key=p.id, name=p.name, address_1=p.address_1 or "", address_2=p.address_2 or "", town=p.town or "",
                           postcode=p.postcode or "", accessibility=dict(p.accessibility)) for p in places if p.kind == PHYSICAL],
        online=any(p.kind == VIRTUAL for p in places), **{kind: list(tags.get(kind, [])) for kind in TAGS})


# --- Checking it --------------------------------------------------------------------------------


def _clean(value, at_most: int, one_line: bool) -> tuple[str, str | None]:
    """A text trimmed (one line: its spaces run together), and what is wrong with it, if anything."""
    text = value if isinstance(value, str) else ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if any(ord(c) < 32 and c not in "\n\t" for c in text) or "\x7f" in text:
        return text, "hidden_characters"  # (they cannot be typed, only pasted or forged)
    text = " ".join(text.split()) if one_line else text.strip()
    if len(text) > at_most:
        return text, "too_long"
    return text, None


def is_language_code(code) -> bool:
    """An ISO 639-1 code (two letters) that CLDR has a name for."""
    return isinstance(code, str) and bool(re.fullmatch(r"[a-z]{2}", code)) and language_name(code, "en") is not None


def postcode(text: str) -> str | None:
    """A UK postcode written the usual way ("le131ae" → "LE13 1AE"), or None if it is not one's shape."""
    found = POSTCODE.fullmatch("".join(text.split()).upper())
    return f"{found.group(1)} {found.group(2)}" if found else None


def web_address(text: str) -> bool:
    """http(s) only (the import's rule), with a host, and nothing a link would choke on."""
    if not is_web_address(text) or any(c.isspace() for c in text) or any(c in text for c in "<>\"'`\\"):
        return False
    try:
        return bool(urlsplit(text).hostname)
    except ValueError:  # (a malformed IPv6 host)
        return False


VIRTUAL_PLACE = {"kind": VIRTUAL, "name": VIRTUAL_NAME, "address_1": None, "address_2": None, "town": None, "postcode": None,
                 "accessibility": {}}


def _check_place(place: PlaceDraft, problems: dict[str, str]) -> dict | None:
    """The address as stored (None for a blank new one), noting what is wrong in ``problems``."""
    prefix = f"place_{place.key}_"
    if place.key == "new" and place.is_blank():
        return None
    stored: dict = {"kind": PHYSICAL}
    for key, at_most in PLACE_LIMITS.items():
        text, problem = _clean(getattr(place, key), at_most, one_line=True)
        if problem is None and not text and key != "address_2":
            problem = "missing"
        if problem:
            problems[prefix + key] = problem
        stored[key] = text or None
    code_text, problem = _clean(place.postcode, 20, one_line=True)
    if problem is None and not code_text:
        problem = "missing"
    elif problem is None and postcode(code_text) is None:
        problem = "invalid"
    if problem:
        problems[prefix + "postcode"] = "invalid" if problem == "too_long" else problem
    stored["postcode"] = postcode(code_text) if problem is None else None
    stored["accessibility"] = _texts("accessibility", place.accessibility, ACCESSIBILITY_AT_MOST, False, False, problems, prefix)
    return stored


def _texts(name: str, given: dict, at_most: int, one_line: bool, required: bool, problems: dict[str, str], prefix: str = "") -> dict:
    """One text in every language, as stored ({"en": …} and "pl" when there is one)."""
    stored = {}
    for language in LANGUAGES:
        text, problem = _clean((given or {}).get(language), at_most, one_line)
        if problem:
            problems[f"{prefix}{name}_{language}"] = problem
        elif text:
            stored[language] = text
    english = f"{prefix}{name}_en"
    if english not in problems and "en" not in stored:
        if required:
            problems[english] = "missing"
        elif stored:
            problems[english] = "english_missing"  # (the feed, and every reader without a Polish text, reads the English)
    return stored


def check(draft: ServiceDraft, place_ids: set[str] | None = None) -> tuple[dict, list[dict], dict[str, str]]:
    """The service's fields and places as they would be stored, and what is wrong (field → code;
    nothing is wrong when it is empty). ``place_ids``: the ids of the service's addresses now. Being
    offered by phone or online is one place of its own ("virtual", as HSDS has it). The fields
    include its tags, "needs" and "circumstances" (codes, in the list's order): not columns of the
    service but rows of ServiceTerm."""
    problems: dict[str, str] = {}
    fields: dict = {key: _texts(key, getattr(draft, key), TEXT_LIMITS[key], key in ONE_LINE, key in REQUIRED_TEXTS, problems)
                    for key in TEXTS}
    for key, at_most, valid in (("url", URL_AT_MOST, web_address), ("email", EMAIL_AT_MOST, EMAIL.fullmatch),
                                ("phone", PHONE_AT_MOST, lambda t: PHONE.fullmatch(t) and 6 <= sum(c.isdigit() for c in t) <= 15)):
        text, problem = _clean(getattr(draft, key), at_most, one_line=True)
        if problem is None and text and not valid(text):
            problem = "invalid"
        if problem:
            problems[key] = problem
        fields[key] = text or None
    languages = draft.languages if isinstance(draft.languages, list) else []
    if not all(is_language_code(code) for code in languages):
        problems["languages"] = "invalid"
    fields["languages"] = sorted({code for code in languages if is_language_code(code)},
                                 key=lambda c: (OFFERED_LANGUAGES.index(c) if c in OFFERED_LANGUAGES else len(OFFERED_LANGUAGES), c))
    if draft.status not in {str(s) for s in STATUSES}:
        problems["status"] = "missing"
    fields["status"] = draft.status
    if draft.intake not in {str(i) for i in INTAKES}:
        problems["intake"] = "missing"
    fields["intake"] = draft.intake
    fields["wait_weeks"] = _wait_weeks(draft, problems)
    for kind in TAGS:
        fields[kind] = _tags(kind, getattr(draft, kind), problems)
    places = []
    for place in draft.places:
        if place.key != "new" and place.key not in (place_ids or set()):
            raise EditError("unknown_place")  # (forms only ever send the service's own places)
        if place.remove and place.key != "new":
            continue
        stored = _check_place(place, problems)
        if stored is not None:
            places.append({"id": None if place.key == "new" else place.key, **stored})
    if draft.online is True:
        places.append({"id": None, **VIRTUAL_PLACE})
    if not places and not any(key.startswith("place_") for key in problems):
        problems["online"] = "no_place"
    return fields, places, problems


def _tags(kind: str, given, problems: dict[str, str]) -> list[str]:
    """The codes of one of our lists, each once, in the list's order; any code the list does not
    have is "invalid" (tags are optional: an imported service may have none, and so may a new one)."""
    offered = [term.code for term in read_taxonomies()[kind].terms]
    codes = given if isinstance(given, list | tuple) else None
    if codes is None or not all(isinstance(code, str) and code in offered for code in codes):
        problems[kind] = "invalid"
    wanted = set(code for code in codes or () if isinstance(code, str))
    return [code for code in offered if code in wanted]


def _wait_weeks(draft: ServiceDraft, problems: dict[str, str]) -> int | None:
    raw = draft.wait_weeks
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    weeks = raw if isinstance(raw, int) and not isinstance(raw, bool) else plain_number(raw.strip() if isinstance(raw, str) else None, 6)
    if weeks is None:
        problems["wait_weeks"] = "invalid"
    elif not 0 <= weeks <= WAIT_WEEKS_AT_MOST:
        problems["wait_weeks"] = "out_of_range"
    elif draft.intake in {str(i) for i in INTAKES} and draft.intake != Intake.WAITING_LIST:
        problems["wait_weeks"] = "no_waiting_list"
    else:
        return weeks
    return None


# --- Who may edit what ----------------------------------------------------------------------------


def may_edit(user: User, organisation: DirectoryOrganisation) -> bool:
    """Admins: every member organisation's services. Tutors and provider staff: their own
    organisation's (a member's directory organisation has its provider's id). Nobody: an
    imported organisation's (they are refreshed by import)."""
    if organisation.provider_id is None:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role in (Role.TUTOR, Role.PROVIDER_STAFF) and user.provider_id == organisation.provider_id


@dataclass
class Listed:
    service: DirectoryService
    organisation: str
    provider_active: bool
    places: list[ServiceLocation] = field(default_factory=list)
    tags: dict[str, list[str]] = field(default_factory=dict)  # {"needs": [codes], "circumstances": [codes]}


def _editable(user: User):
    query = (select(DirectoryService, DirectoryOrganisation, Provider)
             .join(DirectoryOrganisation, DirectoryOrganisation.id == DirectoryService.organisation_id)
             .join(Provider, Provider.id == DirectoryOrganisation.provider_id))
    if user.role == Role.ADMIN:
        return query
    if user.role in (Role.TUTOR, Role.PROVIDER_STAFF) and user.provider_id:
        return query.where(DirectoryOrganisation.provider_id == user.provider_id)
    return query.where(col(DirectoryService.id).is_(None))  # (nobody else edits anything)


def services_to_edit(db: Session, user: User) -> list[Listed]:
    """The services ``user`` keeps, by organisation and then name (in English, as the feed has them)."""
    rows = db.exec(_editable(user).order_by(Provider.name, DirectoryService.name["en"].as_string(), DirectoryService.id)).all()
    tags = tags_of(db, [service.id for service, _organisation, _provider in rows])
    return [Listed(service, provider.name, provider.active, tags=tags[service.id]) for service, _organisation, provider in rows]


def service_to_edit(db: Session, user: User, service_id: str) -> Listed | None:
    """One service ``user`` may edit, with its places and tags; None for any other (no such service,
    another organisation's, an imported one): the page is then "not found", as for a service that
    never was."""
    row = db.exec(_editable(user).where(DirectoryService.id == service_id)).first()
    if row is None:
        return None
    service, _organisation, provider = row
    return Listed(service, provider.name, provider.active, places_of(db, service.id), tags_of(db, [service.id])[service.id])


def places_of(db: Session, service_id: str) -> list[ServiceLocation]:
    """The service's places as saved now (read afresh, even if the session has them already)."""
    return list(db.exec(select(ServiceLocation).where(ServiceLocation.service_id == service_id)
                        .order_by(ServiceLocation.kind, ServiceLocation.name, ServiceLocation.id)
                        .execution_options(populate_existing=True)).all())


def imported_count(db: Session) -> int:
    """How many services came from other directories' feeds (listed, never edited, here)."""
    return db.exec(select(func.count()).select_from(DirectoryService)
                   .join(DirectoryOrganisation, DirectoryOrganisation.id == DirectoryService.organisation_id)
                   .where(col(DirectoryOrganisation.provider_id).is_(None))).one()


def organisations_for(db: Session, user: User) -> list[Provider]:
    """The organisations ``user`` may add a service to: every active member (admins), or their own."""
    if user.role == Role.ADMIN:
        return list(db.exec(select(Provider).where(Provider.active.is_(True)).order_by(Provider.name)).all())
    provider = db.get(Provider, user.provider_id) if user.provider_id else None
    return [provider] if provider is not None and user.role in (Role.TUTOR, Role.PROVIDER_STAFF) else []


def needs_checking(service: DirectoryService, now: datetime | None = None) -> bool:
    return service.last_checked_at < (now or utcnow()) - CHECK_AFTER


def version_of(service: DirectoryService) -> str:
    """What the edit form carries, to tell on saving whether someone else saved in between."""
    return service.updated_at.isoformat()


# --- Changing it ----------------------------------------------------------------------------------


def _organisation_of(db: Session, provider: Provider) -> DirectoryOrganisation:
    """A member's directory organisation (made with its first service: its id is the provider's)."""
    organisation = db.exec(select(DirectoryOrganisation).where(DirectoryOrganisation.provider_id == provider.id)).first()
    if organisation is None:
        organisation = DirectoryOrganisation(id=provider.id, provider_id=provider.id, updated_at=utcnow())
        db.add(organisation)
        db.flush()
    return organisation


COLUMNS = (*TEXTS, "url", "email", "phone", "languages", "status", "intake", "wait_weeks")


def _content(service: DirectoryService, places: list[ServiceLocation], tags: dict[str, list[str]]) -> tuple:
    """What a service says, in the shape ``check`` gives it (its fields, with its tags; its places)."""
    fields = {key: getattr(service, key) for key in COLUMNS} | {kind: list(tags[kind]) for kind in TAGS}
    return fields, sorted((p.kind, p.name, p.address_1, p.address_2, p.town, p.postcode, sorted(p.accessibility.items())) for p in places)


def _place_row(place: dict) -> tuple:
    return (place["kind"], place["name"], place["address_1"], place["address_2"], place["town"], place["postcode"],
            sorted(place["accessibility"].items()))


def create_service(db: Session, actor: User, provider_id: str, draft: ServiceDraft) -> tuple[DirectoryService, bool]:
    """A new service of the organisation, checked as it was last said to be right now; and whether
    it is new. The same service sent again by the same person within REPEAT_WINDOW (a double tap,
    a form sent twice on a slow connection) is the first one, not a second: the project's rule for
    repeats (tracker.clock), rather than a one-time token in the form, which would need somewhere
    to keep it. The organisation's lock makes the two sends run one after the other, so the second
    finds the first."""
    allowed = {p.id: p for p in organisations_for(db, actor)}
    if not allowed:
        raise EditError("not_yours")
    fields, places, problems = check(draft)
    if provider_id not in allowed:
        problems = {"organisation": "missing", **problems}  # (only admins choose one; staff add to their own)
    if problems:
        raise Invalid(problems)
    provider = allowed[provider_id]
    lock_providers(db, [provider.id])
    organisation = _organisation_of(db, provider)
    now = utcnow()
    repeat = _repeat(db, actor, organisation, fields, places, now)
    if repeat is not None:
        return repeat, False
    service = DirectoryService(organisation_id=organisation.id, **{key: fields[key] for key in COLUMNS}, last_checked_at=now,
                               updated_at=now, created_at=now)
    db.add(service)
    db.flush()
    for place in places:
        db.add(ServiceLocation(service_id=service.id, **{key: value for key, value in place.items() if key != "id"}))
    for kind in TAGS:
        _tag(db, service, kind, fields[kind], [])
    db.flush()
    record_action(db, actor, AdminActionKind.SERVICE_CREATED, provider_id=provider.id, target=fields["name"]["en"],
                  details={"service_id": service.id})
    return service, True


def _repeat(db: Session, actor: User, organisation: DirectoryOrganisation, fields: dict, places: list[dict],
            now: datetime) -> DirectoryService | None:
    """The same service, of the same organisation, added by ``actor`` within REPEAT_WINDOW, if any."""
    recent = db.exec(select(AdminAction).where(
        AdminAction.actor_user_id == actor.id, AdminAction.action == AdminActionKind.SERVICE_CREATED,
        AdminAction.occurred_at >= now - REPEAT_WINDOW)).all()
    wanted = (fields, sorted(_place_row(p) for p in places))
    for action in recent:
        service = db.get(DirectoryService, str(action.details.get("service_id")))
        if service is None or service.organisation_id != organisation.id:
            continue
        if _content(service, places_of(db, service.id), tags_of(db, [service.id])[service.id]) == wanted:
            return service
    return None


def _tag(db: Session, service: DirectoryService, kind: str, codes: list[str], before: list[str]) -> bool:
    """Tag the service with ``codes`` of one of our lists in place of ``before`` (only the rows that
    differ are touched: terms of other lists, from an import, stay); whether anything changed."""
    added, gone = [c for c in codes if c not in before], [c for c in before if c not in codes]
    ids = term_ids(db, kind, added)
    if len(ids) != len(added):
        # The lists ship with the code (and the codes were checked against them): a database that
        # has not had `catalogue sync` since an upgrade gets them now, rather than a failed save.
        sync_taxonomies(db)
        ids = term_ids(db, kind, added)
    if len(ids) != len(added):
        raise TermsNotLoaded(f"{kind} {sorted(set(added) - set(ids))} are not in the database: run `flask catalogue sync`")
    for term_id in ids.values():
        db.add(ServiceTerm(service_id=service.id, term_id=term_id))
    if gone:
        db.exec(delete(ServiceTerm).where(ServiceTerm.service_id == service.id,
                                          col(ServiceTerm.term_id).in_(list(term_ids(db, kind, gone).values()))))
    return bool(added or gone)


def _lock_and_reread(db: Session, service: DirectoryService) -> DirectoryOrganisation:
    organisation = db.get(DirectoryOrganisation, service.organisation_id)
    lock_providers(db, [organisation.provider_id])
    db.refresh(service)  # what is saved now, read under the lock (not what the page was opened with)
    return organisation


def update_service(db: Session, actor: User, service: DirectoryService, draft: ServiceDraft, seen_version: str) -> bool:
    """Save an edit made on the form opened at ``seen_version``; whether anything changed. Saving
    says the service is right: ``last_checked_at`` is now even when nothing changed (then nothing
    else is touched). A save on a stale copy raises ``Stale`` and changes nothing."""
    organisation = db.get(DirectoryOrganisation, service.organisation_id)
    if organisation is None or not may_edit(actor, organisation):
        raise EditError("not_yours")
    _lock_and_reread(db, service)
    stale = version_of(service) != seen_version
    current = places_of(db, service.id)
    try:
        fields, places, problems = check(draft, {p.id for p in current if p.kind == PHYSICAL})
    except EditError:
        if stale:  # (a place the form was opened with has been removed since)
            raise Stale() from None
        raise
    if problems:
        raise Invalid(problems)  # (what is wrong is said first: it is wrong whatever the service says now)
    if stale:
        raise Stale()
    now = utcnow()
    tags = tags_of(db, [service.id])[service.id]
    before = _content(service, current, tags)
    changed = [key for key in COLUMNS if getattr(service, key) != fields[key]]
    by_id = {p.id: p for p in current}
    kept = {place["id"] for place in places if place["id"]}
    online = [p for p in current if p.kind == VIRTUAL]
    if any(place["kind"] == VIRTUAL for place in places):
        kept |= {p.id for p in online}  # (by phone or online already: that place stays as it is)
        places = [place for place in places if place["kind"] == PHYSICAL or not online]
    for place in current:
        if place.id not in kept:
            db.delete(place)
    for place in places:
        values = {key: value for key, value in place.items() if key != "id"}
        row = by_id[place["id"]] if place["id"] else ServiceLocation(service_id=service.id)
        for key, value in values.items():
            setattr(row, key, value)
        db.add(row)
    for key in changed:
        setattr(service, key, fields[key])
    changed += [kind for kind in TAGS if _tag(db, service, kind, fields[kind], tags[kind])]
    db.flush()
    after = _content(service, places_of(db, service.id), {kind: fields[kind] for kind in TAGS})
    if before[1] != after[1]:
        changed.append("places")
    service.last_checked_at = now
    if changed:
        # Always later than the version the form was opened at (two saves in one clock tick still differ).
        service.updated_at = max(now, service.updated_at + timedelta(microseconds=1))
    db.add(service)
    record_action(db, actor, AdminActionKind.SERVICE_EDITED if changed else AdminActionKind.SERVICE_CHECKED,
                  provider_id=organisation.provider_id, target=service.name.get("en", ""),
                  details={"service_id": service.id, "changed": changed} if changed else {"service_id": service.id})
    return bool(changed)


def confirm_still_right(db: Session, actor: User, service: DirectoryService) -> bool:
    """"Still right": the service is checked now, and nothing else changes (its version stays, so a
    form someone has open can still be saved). A second tap within REPEAT_WINDOW does nothing."""
    organisation = db.get(DirectoryOrganisation, service.organisation_id)
    if organisation is None or not may_edit(actor, organisation):
        raise EditError("not_yours")
    _lock_and_reread(db, service)
    now = utcnow()
    if service.last_checked_at >= now - REPEAT_WINDOW:
        return False
    service.last_checked_at = now
    db.add(service)
    record_action(db, actor, AdminActionKind.SERVICE_CHECKED, provider_id=organisation.provider_id,
                  target=service.name.get("en", ""), details={"service_id": service.id})
    return True
