"""The directory of the partnership's services, and its Open Referral UK feed (HSDS 3.0 shapes:
the schemas are in the HSDS 3.0 specification, and tests/openreferral/ holds the ones the feed is
checked against). Everything here is about organisations and services; nothing about residents
is read, so the feed can be public.

Ids are UUIDs. Ours are kept as 32 hex digits and published with their hyphens; the parts of a
service HSDS wants ids for but that we keep as fields (its phone, its languages, an address) get
ids derived from the service's (UUID version 5), so they are the same in every response.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from functools import cache

from babel import Locale, UnknownLocaleError
from sqlalchemy import bindparam, case, func, or_
from sqlmodel import Session, col, select

from tracker.domain.catalogue import LANGUAGES
from tracker.domain.catalogue.taxonomies import CIRCUMSTANCES, NEEDS, needs_of_goal, read_taxonomies, tags_of
from tracker.models import (
    DirectoryOrganisation,
    DirectoryService,
    Intake,
    Provider,
    SavedService,
    ServiceLocation,
    ServiceStatus,
    ServiceTerm,
    Taxonomy,
    TaxonomyTerm,
)

HSDS_VERSION = "3.0"
ORUK_PROFILE = "https://openreferraluk.org/"
FEED_LANGUAGE = "en"  # HSDS has one text per field: the feed is in English (the site is in every language)
PER_PAGE = 50
PER_PAGE_AT_MOST = 200


def language_name(code: str, in_language: str) -> str | None:
    """A language's name, in another language (CLDR's names, through Babel: "pl" in "en" is
    "Polish", in "pl" "polski"), or None for a code CLDR does not know."""
    try:
        return Locale.parse(in_language).languages.get(code)
    except (ValueError, UnknownLocaleError):
        return None


class BadQuery(ValueError):
    """A feed query the standard does not allow (a page that is not a number, say): a 400."""


def published_id(hex_id: str) -> str:
    return str(uuid.UUID(hex=hex_id))


def stored_id(published: str) -> str | None:
    """The 32 hex digits of a published id, or None if it is not a UUID (then nothing has it)."""
    try:
        return uuid.UUID(published).hex
    except (ValueError, AttributeError, TypeError):
        return None


def _part_id(owner_hex: str, part: str) -> str:
    return str(uuid.uuid5(uuid.UUID(hex=owner_hex), part))


def _text(value: dict, language: str = FEED_LANGUAGE) -> str | None:
    return (value or {}).get(language) or None


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int


def paging(args) -> Paging:
    """``page`` (from 1) and ``per_page`` (1 to PER_PAGE_AT_MOST) from a query string."""
    def number(name: str, default: int, most: int) -> int:
        raw = args.get(name)
        if raw in (None, ""):
            return default
        if not (str(raw).isascii() and str(raw).isdigit()) or not 1 <= int(raw) <= most:  # ("²" and "٣" are digits too)
            raise BadQuery(f"{name} must be a whole number from 1 to {most}")
        return int(raw)

    return Paging(number("page", 1, 10**6), number("per_page", PER_PAGE, PER_PAGE_AT_MOST))


def _page(total: int, paging_: Paging, contents: list) -> dict:
    pages = max(1, math.ceil(total / paging_.per_page))
    return {"total_items": total, "total_pages": pages, "page_number": paging_.page, "size": len(contents),
            "first_page": paging_.page == 1, "last_page": paging_.page >= pages, "empty": not contents, "contents": contents}


# The standard's own description of the endpoints (this feed answers the ones ORUK asks for).
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"


def feed_description() -> dict:
    return {"version": HSDS_VERSION, "profile": ORUK_PROFILE, "openapi_url": OPENAPI_URL}


# --- Services -------------------------------------------------------------------------------


def _published_organisations(query):
    """``query`` (over DirectoryOrganisation) with each one's provider, if it is a member of the
    partnership, and only the organisations still published: not a partner who has left."""
    return (query.join(Provider, Provider.id == DirectoryOrganisation.provider_id, isouter=True)
            .where(or_(col(DirectoryOrganisation.provider_id).is_(None), Provider.active.is_(True))))


def _published_services():
    """Services that are not defunct, of published organisations, each with its organisation and
    provider (or None): what the directory shows."""
    return _published_organisations(
        select(DirectoryService, DirectoryOrganisation, Provider)
        .join(DirectoryOrganisation, DirectoryOrganisation.id == DirectoryService.organisation_id)
    ).where(DirectoryService.status != ServiceStatus.DEFUNCT)


def _wait_time(service: DirectoryService) -> str | None:
    if service.intake == Intake.UNKNOWN:
        return None
    if service.intake == Intake.NOT_TAKING:
        return "Not taking referrals at the moment"
    if service.intake == Intake.WAITING_LIST:
        return f"Waiting list: about {service.wait_weeks} weeks" if service.wait_weeks else "Waiting list"
    return None


def organisation_name(organisation: DirectoryOrganisation, provider: Provider | None) -> str:
    return provider.name if provider is not None else organisation.name or ""


def _organization(organisation: DirectoryOrganisation, provider: Provider | None) -> dict:
    name = organisation_name(organisation, provider)
    description = provider.description if provider is not None else organisation.description
    return _no_empty({"id": published_id(organisation.id), "name": name, "description": _text(description) or name,
                      "website": organisation.url, "email": organisation.email})


def _service_basics(service: DirectoryService, organisation: DirectoryOrganisation, provider: Provider | None) -> dict:
    """The one-to-one fields of a service (what /services lists)."""
    return {
        "id": published_id(service.id),
        "organization_id": published_id(organisation.id),
        "name": _text(service.name),
        "description": _text(service.description),
        "url": service.url,
        "email": service.email,
        "status": service.status,
        "eligibility_description": _text(service.eligibility),
        "fees_description": _text(service.cost),
        "application_process": ("Ask the service, or ask a tutor or adviser to refer you"
                                if service.intake in (Intake.TAKING_REFERRALS, Intake.WAITING_LIST) else None),
        "wait_time": _wait_time(service),
        "assured_date": service.last_checked_at.date().isoformat(),
        "last_modified": service.updated_at.isoformat(),
        "organization": _organization(organisation, provider),
    }


def _no_empty(value: dict) -> dict:
    """HSDS leaves out what a service does not have rather than sending nulls."""
    return {k: v for k, v in value.items() if v is not None}


def _mentions(text: str):
    """True in SQL for a service whose name or description, in any language, has ``text`` in it
    (any case; LIKE's wildcards taken as text)."""
    return or_(*(func.lower(field[language].as_string()).contains(text.lower(), autoescape=True)
                 for field in (DirectoryService.name, DirectoryService.description) for language in LANGUAGES))


def _one_page(db: Session, query, id_column, paging_: Paging, *order) -> tuple[int, list]:
    """How many rows ``query`` has, and the page of them in ``order`` (the id breaks ties)."""
    total = db.exec(select(func.count()).select_from(query.with_only_columns(id_column).subquery())).one()
    found = db.exec(query.order_by(*order, id_column).offset((paging_.page - 1) * paging_.per_page).limit(paging_.per_page)).all()
    return total, list(found)


def service_page(db: Session, paging_: Paging, text: str | None = None, term_id: str | None = None,
                 organization_id: str | None = None) -> dict:
    """A page of services in name order, optionally those whose name or description has ``text``
    in it, tagged with the term, or of the organisation (published ids)."""
    query = _published_services()
    if text:
        query = query.where(_mentions(text))
    if term_id is not None:
        term = stored_id(term_id)
        query = query.where(col(DirectoryService.id).in_(select(ServiceTerm.service_id).where(ServiceTerm.term_id == term)))
    if organization_id is not None:
        query = query.where(DirectoryService.organisation_id == stored_id(organization_id))
    total, found = _one_page(db, query, DirectoryService.id, paging_, DirectoryService.name[FEED_LANGUAGE].as_string())
    return _page(total, paging_, [_no_empty(_service_basics(*row)) for row in found])


def service_full(db: Session, published: str) -> dict | None:
    """A service with everything HSDS nests in it, or None (not published, or no such id)."""
    hex_id = stored_id(published)
    if hex_id is None:
        return None
    row = db.exec(_published_services().where(DirectoryService.id == hex_id)).first()
    if row is None:
        return None
    service = row[0]
    full = _service_basics(*row)
    if service.phone:
        full["phones"] = [{"id": _part_id(service.id, "phone"), "number": service.phone}]
    full["languages"] = [_no_empty({"id": _part_id(service.id, f"language:{code}"), "code": code, "name": language_name(code, FEED_LANGUAGE)})
                         for code in service.languages]
    if _text(service.opening_times):
        full["schedules"] = [{"id": _part_id(service.id, "schedule"), "description": _text(service.opening_times)}]
    locations = db.exec(select(ServiceLocation).where(ServiceLocation.service_id == service.id).order_by(ServiceLocation.name)).all()
    full["service_at_locations"] = [_service_at_location(service, location) for location in locations]
    terms = db.exec(select(TaxonomyTerm, Taxonomy).join(ServiceTerm, ServiceTerm.term_id == TaxonomyTerm.id)
                    .join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
                    .where(ServiceTerm.service_id == service.id).order_by(Taxonomy.name, TaxonomyTerm.code)).all()
    full["attributes"] = [{"id": _part_id(service.id, f"attribute:{term.id}"), "link_id": published_id(service.id), "link_type": "service",
                           "link_entity": "service", "taxonomy_term_id": published_id(term.id), "taxonomy_term": _term(term, taxonomy)}
                          for term, taxonomy in terms]
    return _no_empty(full)


def _service_at_location(service: DirectoryService, location: ServiceLocation) -> dict:
    place = {"id": published_id(location.id), "location_type": location.kind, "name": location.name}
    if location.kind == "physical" and location.address_1 and location.town and location.postcode:
        place["addresses"] = [{"id": _part_id(location.id, "address"), "location_id": published_id(location.id),
                               "address_1": location.address_1, "address_2": location.address_2 or "", "city": location.town,
                               "state_province": "Leicestershire", "postal_code": location.postcode, "country": "GB",
                               "address_type": "physical"}]
    if _text(location.accessibility):
        place["accessibility"] = [{"id": _part_id(location.id, "accessibility"), "location_id": published_id(location.id),
                                   "description": _text(location.accessibility)}]
    return {"id": _part_id(service.id, f"at:{location.id}"), "service_id": published_id(service.id),
            "location_id": published_id(location.id), "location": place}


# --- Organisations and taxonomies ---------------------------------------------------------------


def organization_page(db: Session, paging_: Paging) -> dict:
    """The directory's published organisations, in name order."""
    query = _published_organisations(select(DirectoryOrganisation, Provider))
    total, found = _one_page(db, query, DirectoryOrganisation.id, paging_, func.coalesce(Provider.name, DirectoryOrganisation.name))
    return _page(total, paging_, [_organization(organisation, provider) for organisation, provider in found])


def _taxonomy(taxonomy: Taxonomy) -> dict:
    return _no_empty({"id": published_id(taxonomy.id), "name": taxonomy.name, "description": taxonomy.description,
                      "uri": taxonomy.uri, "version": taxonomy.version})


def _term(term: TaxonomyTerm, taxonomy: Taxonomy) -> dict:
    name = _text(term.name) or term.code
    return _no_empty({"id": published_id(term.id), "code": term.code, "name": name, "description": name,
                      "taxonomy": taxonomy.name, "taxonomy_id": published_id(taxonomy.id), "term_uri": term.term_uri,
                      "taxonomy_detail": _taxonomy(taxonomy)})


def taxonomy_page(db: Session, paging_: Paging) -> dict:
    total, found = _one_page(db, select(Taxonomy), Taxonomy.id, paging_, Taxonomy.name)
    return _page(total, paging_, [_taxonomy(taxonomy) for taxonomy in found])


def taxonomy_term_page(db: Session, paging_: Paging, taxonomy_id: str | None = None) -> dict:
    query = select(TaxonomyTerm, Taxonomy).join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
    if taxonomy_id is not None:
        query = query.where(TaxonomyTerm.taxonomy_id == stored_id(taxonomy_id))
    total, found = _one_page(db, query, TaxonomyTerm.id, paging_, Taxonomy.name, TaxonomyTerm.code)
    return _page(total, paging_, [_term(term, taxonomy) for term, taxonomy in found])


# --- For residents: finding help -------------------------------------------------------------

FOUND_AT_MOST = 50


@dataclass
class PlaceView:
    name: str
    virtual: bool
    address: list[str]
    accessibility: str | None
    accessibility_language: str = FEED_LANGUAGE


@dataclass
class ServiceView:
    """A service in the reader's language (English where a text is missing in theirs)."""
    id: str
    name: str
    organisation: str
    description: str | None
    eligibility: str | None
    cost: str | None
    opening_times: str | None
    intake: str
    wait_weeks: int | None
    status: str
    languages: list[str]
    phone: str | None
    email: str | None
    url: str | None
    last_checked_at: object
    places: list[PlaceView]
    languages_of: dict = field(default_factory=dict)  # field -> the language its text is in (pages mark a different one)
    helps_with: list = field(default_factory=list)  # [Need], on a service's own page
    for_whom: list = field(default_factory=list)  # the names of the circumstances it is for, on its own page

    @property
    def phone_link(self) -> str | None:
        """The number for a ``tel:`` link: its digits and "+" only."""
        return "".join(c for c in self.phone if c.isdigit() or c == "+") if self.phone else None


def _in(value: dict, language: str) -> str | None:
    return _text(value, language) or _text(value)


def _shown_in(value: dict, language: str) -> str:
    """The language ``_in`` shows ``value`` in (English when there is no text in the reader's)."""
    return language if _text(value, language) else FEED_LANGUAGE


def _web_address(url: str | None) -> str | None:
    """Only a web address is ever made a link (never ``javascript:`` or the like, whoever typed it)."""
    return url if url and url.lower().startswith(("https://", "http://")) else None


def _view(service: DirectoryService, organisation: DirectoryOrganisation, provider: Provider | None, language: str,
          places: list[ServiceLocation]) -> ServiceView:
    return ServiceView(
        id=service.id, name=_in(service.name, language) or "", organisation=organisation_name(organisation, provider),
        description=_in(service.description, language), eligibility=_in(service.eligibility, language), cost=_in(service.cost, language),
        opening_times=_in(service.opening_times, language), intake=service.intake, wait_weeks=service.wait_weeks, status=service.status,
        languages=list(service.languages), phone=service.phone, email=service.email, url=_web_address(service.url),
        last_checked_at=service.last_checked_at,
        places=[PlaceView(p.name, p.kind == "virtual", [line for line in (p.address_1, p.address_2, p.town, p.postcode) if line],
                          _in(p.accessibility, language), _shown_in(p.accessibility, language)) for p in places],
        languages_of={key: _shown_in(getattr(service, key), language)
                      for key in ("name", "description", "eligibility", "cost", "opening_times")})


def _for_residents():
    """What residents are shown: services running now, or closed for a while (said so); not those
    the feed still lists as inactive."""
    return _published_services().where(DirectoryService.status != ServiceStatus.INACTIVE)


def find_services(db: Session, text: str | None, language: str, need: str | None = None) -> tuple[list[ServiceView], int]:
    """Services whose name or description has ``text`` in it (any language; all of them without
    text), tagged with the ``need`` (a code of the needs list) if one is given, in name order in the
    reader's language: at most FOUND_AT_MOST, and how many there are. Nothing about the search is
    stored: it is the resident's own business."""
    query = _for_residents()
    if text:
        query = query.where(_mentions(text))
    if need is not None:
        query = query.where(col(DirectoryService.id).in_(_tagged_with(NEEDS, [need])))
    total, found = _one_page(db, query, DirectoryService.id, Paging(1, FOUND_AT_MOST), _name_in(language))
    return [_view(*row, language, []) for row in found], total


def _name_in(language: str):
    return func.coalesce(DirectoryService.name[language].as_string(), DirectoryService.name[FEED_LANGUAGE].as_string())


def _tagged_with(kind: str, codes):
    """The ids of the services tagged with any of ``codes`` of one of our lists (SQL, for IN)."""
    return select(ServiceTerm.service_id).where(col(ServiceTerm.term_id).in_(_term_ids_of(kind, codes)))


@dataclass(frozen=True)
class Need:
    """One thing residents can look for help with, and how many services residents are shown help with it."""
    code: str
    name: str
    services: int = 0


def _named(kind: str, codes, language: str) -> list[Need]:
    """The terms of one of our lists with these codes, in the list's order, named in the reader's
    language (no query: the names come from the list the code ships with)."""
    wanted = set(codes)
    return [Need(term.code, term.name.get(language) or term.name[FEED_LANGUAGE])
            for term in read_taxonomies()[kind].terms if term.code in wanted]


def need_names(codes, language: str) -> list[Need]:
    return _named(NEEDS, codes, language)


def needs_to_browse(db: Session, language: str) -> list[Need]:
    """Every need some service residents are shown helps with, with how many (one query)."""
    shown = _for_residents().with_only_columns(DirectoryService.id)
    rows = db.exec(select(TaxonomyTerm.code, func.count(func.distinct(ServiceTerm.service_id)))
                   .join(ServiceTerm, ServiceTerm.term_id == TaxonomyTerm.id)
                   .join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
                   .where(Taxonomy.name == read_taxonomies()[NEEDS].name, col(ServiceTerm.service_id).in_(shown))
                   .group_by(TaxonomyTerm.code)).all()
    counts = dict(rows)
    return [Need(need.code, need.name, counts[need.code]) for need in need_names(counts, language)]


def is_need(code: str) -> bool:
    return any(term.code == code for term in read_taxonomies()[NEEDS].terms)


GOAL_SERVICES_AT_MOST = 3


def services_for_goal(db: Session, goal_code: str | None, language: str,
                      at_most: int = GOAL_SERVICES_AT_MOST) -> tuple[list[ServiceView], list[Need]]:
    """"Services that could help with this": for a catalogue goal, the services residents are
    shown that help with its needs (closed ones last; then those matching more of its needs, those
    taking new people, by name); and the needs.
    Worked out afresh for each page, in the resident's own session: nothing is stored, and no
    organisation learns that anyone looked (a resident's own goal has no needs, so nothing)."""
    needs = needs_of_goal(goal_code) if goal_code else ()
    if not needs:
        return [], []
    matched = (select(ServiceTerm.service_id, func.count().label("matched"))
               .where(col(ServiceTerm.term_id).in_(_term_ids_of(NEEDS, needs))).group_by(ServiceTerm.service_id).subquery())
    rows = db.exec(_for_residents().join(matched, matched.c.service_id == DirectoryService.id)
                   .order_by(DirectoryService.status == ServiceStatus.TEMPORARILY_CLOSED, matched.c.matched.desc(), _taking_first(),
                             _name_in(language), DirectoryService.id).limit(at_most)).all()
    return [_view(*row, language, []) for row in rows], need_names(needs, language)


def _taking_first():
    """Services taking new people first, then waiting lists, then those that do not say, then the
    ones not taking anyone now."""
    return case((DirectoryService.intake == Intake.TAKING_REFERRALS, 0), (DirectoryService.intake == Intake.WAITING_LIST, 1),
                (DirectoryService.intake == Intake.NOT_TAKING, 3), else_=2)


def _term_ids_of(kind: str, codes):
    return (select(TaxonomyTerm.id).join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
            .where(Taxonomy.name == read_taxonomies()[kind].name, col(TaxonomyTerm.code).in_(list(codes))))


def service_for_residents(db: Session, service_id: str, language: str) -> ServiceView | None:
    """One service residents are shown, with where it is offered, or None."""
    row = db.exec(_for_residents().where(DirectoryService.id == service_id)).first()
    if row is None:
        return None
    service = row[0]
    places = db.exec(select(ServiceLocation).where(ServiceLocation.service_id == service.id).order_by(ServiceLocation.kind, ServiceLocation.name)).all()
    view = _view(*row, language, list(places))
    tagged = tags_of(db, [service.id])[service.id]
    view.helps_with = need_names(tagged[NEEDS], language)
    view.for_whom = [term.name for term in _named(CIRCUMSTANCES, tagged[CIRCUMSTANCES], language)]
    return view


# --- Services a resident saved to their plan (theirs alone: never shown to any organisation) ---


def save_service(db: Session, resident_id: str, service_id: str) -> bool:
    """Save a service residents are shown to the resident's plan; False if there is no such
    service. Saving it again changes nothing (a double tap)."""
    if db.exec(_for_residents().where(DirectoryService.id == service_id)).first() is None:
        return False
    if db.get(SavedService, (resident_id, service_id)) is None:
        db.add(SavedService(resident_id=resident_id, service_id=service_id))
        db.flush()
    return True


def forget_service(db: Session, resident_id: str, service_id: str) -> None:
    saved = db.get(SavedService, (resident_id, service_id))
    if saved is not None:
        db.delete(saved)


@cache
def _saved_by():
    """The statement ``saved_services`` runs on every plan page, built once: building it took
    longer than running it (0.9 of a cold plan page's 5.6 ms, for a resident who saved nothing)."""
    return (_for_residents().join(SavedService, SavedService.service_id == DirectoryService.id)
            .where(SavedService.resident_id == bindparam("resident")).order_by(col(SavedService.saved_at).desc()))


def saved_services(db: Session, resident_id: str, language: str) -> list[ServiceView]:
    """The services the resident saved that residents are still shown, newest first (one query)."""
    rows = db.exec(_saved_by(), params={"resident": resident_id}).all()
    return [_view(*row, language, []) for row in rows]


def is_saved(db: Session, resident_id: str, service_id: str) -> bool:
    return db.get(SavedService, (resident_id, service_id)) is not None
