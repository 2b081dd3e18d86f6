"""Loading another local directory's services from an Open Referral UK feed dump (HSDS 3.0 shapes):
by id, so loading the same file again changes nothing; each service checked on its own, so a bad
one is refused with a reason and the rest still load. Services of the partnership's own members
are kept by their staff here and are never overwritten from outside.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session, delete, select

from tracker.clock import utcnow
from tracker.models import (
    DirectoryOrganisation,
    DirectoryService,
    Intake,
    ServiceLocation,
    ServiceStatus,
    ServiceTerm,
    Taxonomy,
    TaxonomyTerm,
)

TEXT_AT_MOST = 2000


class Refused(ValueError):
    """Why one service was not loaded."""


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (which, why)

    def __str__(self) -> str:
        lines = [f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} unchanged, {len(self.refused)} refused"]
        lines += [f"  refused {which}: {why}" for which, why in self.refused]
        return "\n".join(lines)


def services_in(document) -> list:
    """The services of a dump: a page of the feed ({"contents": [...]}), a list, or one service."""
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        return document["contents"]
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        return [document]
    raise Refused("the file holds no services (a list, a page of the feed, or one service)")


def _uuid(value, what: str) -> str:
    try:
        return uuid.UUID(str(value)).hex
    except ValueError:
        raise Refused(f"{what} is not a UUID") from None


def _text(value, what: str, at_most: int = TEXT_AT_MOST, required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Refused(f"{what} is missing")
        return None
    if not isinstance(value, str):
        raise Refused(f"{what} is not text")
    text = " ".join(value.split()) if at_most <= 200 else value.strip()
    if len(text) > at_most:
        raise Refused(f"{what} is longer than {at_most} characters")
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise Refused(f"{what} has control characters in it")
    return text


def is_web_address(text: str) -> bool:
    """Only http(s) addresses are kept (never ``javascript:`` or the like). Staff's own edits use
    this too (tracker.domain.directory_editing)."""
    return text.lower().startswith(("https://", "http://"))


def _web_address(value, what: str) -> str | None:
    text = _text(value, what, 300)
    if text is not None and not is_web_address(text):
        raise Refused(f"{what} is not a web address")
    return text


# An email address that is safe in a mailto: link (shared with tracker.domain.directory_editing).
EMAIL = re.compile(r"[^@\s?&<>\"'(),;:\\]+@[^@\s?&<>\"'(),;:\\]+\.[^@\s?&<>\"'(),;:\\]+")


def _email(value) -> str | None:
    text = _text(value, "email", 254)
    if text is not None and not EMAIL.fullmatch(text):  # (a "?" or "&" would add recipients to a mailto: link)
        raise Refused("email is not an email address")
    return text


def _phone(value) -> str | None:
    """A phone number as people dial it: digits, spaces, "+", brackets and hyphens (feeds send
    quotes and notes around them too)."""
    text = _text(value if not isinstance(value, int) else str(value), "phone number", 60)
    if text is None:
        return None
    number = " ".join("".join(c for c in text if c.isdigit() or c in "+ ()-").split())
    if sum(c.isdigit() for c in number) < 6 or len(number) > 40:
        raise Refused("phone number is not a phone number")
    return number


def _checked_on(service: dict, now: datetime) -> datetime:
    """When the service was last checked: its assured date, else when it last changed, else now."""
    for key in ("assured_date", "last_modified"):
        raw = service.get(key)
        if isinstance(raw, str) and raw:
            try:
                parsed = datetime.fromisoformat(raw.replace("Z", "+00:00")) if "T" in raw else datetime.combine(
                    date.fromisoformat(raw), datetime.min.time())
            except ValueError:
                raise Refused(f"{key} is not a date") from None
            parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
            if not datetime(1990, 1, 2, tzinfo=UTC) <= parsed <= now + timedelta(days=1):
                raise Refused(f"{key} is not a date between 1990 and today")
            return parsed
    return now


def _english(value, what: str, at_most: int = TEXT_AT_MOST) -> dict:
    text = _text(value, what, at_most)
    return {"en": text} if text else {}


@dataclass
class _Service:
    """A service as it would be stored, read from the dump (nothing written yet)."""
    id: str
    organisation: dict
    fields: dict
    places: list[dict]
    terms: list[dict]


def _items(record: dict, key: str) -> list[dict]:
    """``record[key]`` as the standard has it, a list of objects (anything else refused)."""
    value = record.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise Refused(f"{key} is not a list of objects")
    return value


def _read(raw, now: datetime) -> _Service:
    if not isinstance(raw, dict):
        raise Refused("not a service")
    service_id = _uuid(raw.get("id"), "id")
    status = raw.get("status")
    if not isinstance(status, str) or status not in {s.value for s in ServiceStatus}:
        raise Refused("status is not one of active, inactive, defunct, temporarily closed")
    organisation = raw.get("organization")
    if not isinstance(organisation, dict):
        raise Refused("it has no organization")
    owner = {"id": _uuid(organisation.get("id"), "organization id"),
             "name": _text(organisation.get("name"), "organization name", 200, required=True),
             "description": _english(organisation.get("description"), "organization description"),
             "url": _web_address(organisation.get("website"), "organization website"), "email": _email(organisation.get("email"))}
    phones = _items(raw, "phones")
    phone = _phone(phones[0].get("number")) if phones else None
    schedules = _items(raw, "schedules")
    when = _english(schedules[0].get("description"), "schedule") if schedules else {}
    languages = sorted({item["code"].lower() for item in _items(raw, "languages")
                        if isinstance(item.get("code"), str) and 2 <= len(item["code"]) <= 3 and item["code"].isascii()
                        and item["code"].isalpha()})
    fields = {
        "name": {"en": _text(raw.get("name"), "name", 200, required=True)},
        "description": _english(raw.get("description"), "description"),
        "eligibility": _english(raw.get("eligibility_description"), "eligibility_description"),
        "cost": _english(raw.get("fees_description"), "fees_description"),
        "opening_times": when, "url": _web_address(raw.get("url"), "url"), "email": _email(raw.get("email")), "phone": phone,
        "languages": languages, "status": status, "intake": Intake.UNKNOWN.value, "wait_weeks": None,
        "last_checked_at": _checked_on(raw, now),
    }
    places = []
    for at in _items(raw, "service_at_locations"):
        location = at.get("location")
        if not isinstance(location, dict):
            continue
        kind = "virtual" if location.get("location_type") == "virtual" else "physical"
        address = next(iter(_items(location, "addresses")), {})
        access = next(iter(_items(location, "accessibility")), {})
        places.append({"id": _uuid(location.get("id"), "location id"), "kind": kind,
                       "name": _text(location.get("name"), "location name", 120) or ("By phone or online" if kind == "virtual" else "-"),
                       "address_1": _text(address.get("address_1"), "address_1", 120), "address_2": _text(address.get("address_2"), "address_2", 120),
                       "town": _text(address.get("city"), "city", 60), "postcode": _text(address.get("postal_code"), "postal_code", 10),
                       "accessibility": _english(access.get("description"), "accessibility")})
    terms, seen = [], set()
    for attribute in _items(raw, "attributes"):
        term = attribute.get("taxonomy_term")
        if not isinstance(term, dict) or term.get("id") in seen:  # a term given twice tags the service once
            continue
        seen.add(term.get("id"))
        detail = term.get("taxonomy_detail") if isinstance(term.get("taxonomy_detail"), dict) else {}
        taxonomy_name = _text(detail.get("name") or term.get("taxonomy"), "taxonomy name", 60, required=True)
        terms.append({"id": _uuid(term.get("id"), "taxonomy term id"), "code": _text(term.get("code") or term.get("name"), "term code", 80, required=True),
                      "name": _english(term.get("name"), "term name", 200), "term_uri": _web_address(term.get("term_uri"), "term_uri"),
                      "taxonomy": taxonomy_name, "taxonomy_description": _text(detail.get("description"), "taxonomy description", 300) or taxonomy_name,
                      "taxonomy_uri": _web_address(detail.get("uri"), "taxonomy uri") or "", "taxonomy_id": detail.get("id")})
    return _Service(service_id, owner, fields, places, terms)


def import_services(db: Session, document, now: datetime | None = None) -> ImportReport:
    """Load every service of ``document`` that passes its checks, each in its own savepoint (the
    caller commits). A service already here with the same content is counted unchanged."""
    now = now or utcnow()
    report = ImportReport()
    for n, raw in enumerate(services_in(document), start=1):
        which = f"service {n}" + (f" ({raw.get('id')})" if isinstance(raw, dict) and raw.get("id") else "")
        try:
            service = _read(raw, now)
            with db.begin_nested():
                outcome = _store(db, service, now)
        except Refused as why:
            report.refused.append((which, str(why)))
            continue
        except (TypeError, AttributeError, ValueError, OverflowError, RecursionError):
            report.refused.append((which, "it is not in the standard's shapes"))
            continue
        except (IntegrityError, StatementError) as error:  # the savepoint is rolled back: nothing of it stays
            report.refused.append((which, f"it clashes with what is here already ({type(getattr(error, 'orig', error)).__name__})"))
            continue
        getattr(report, outcome).append(service.id)
    return report


def _store(db: Session, incoming: _Service, now: datetime) -> str:
    organisation = db.get(DirectoryOrganisation, incoming.organisation["id"])
    if organisation is not None and organisation.provider_id is not None:
        raise Refused("its organisation is a member of the partnership, whose staff keep its services here")
    if organisation is None:
        organisation = DirectoryOrganisation(id=incoming.organisation["id"], updated_at=now)
    organisation_changed = any(getattr(organisation, key) != incoming.organisation[key] for key in ("name", "description", "url", "email"))
    for key in ("name", "description", "url", "email"):
        setattr(organisation, key, incoming.organisation[key])
    if organisation_changed:
        organisation.updated_at = now
    db.add(organisation)
    existing = db.get(DirectoryService, incoming.id)
    if existing is not None and existing.organisation_id != incoming.organisation["id"]:
        owner = db.get(DirectoryOrganisation, existing.organisation_id)
        if owner is not None and owner.provider_id is not None:
            raise Refused("a member of the partnership has a service with this id")
    before = _content(db, existing) if existing is not None else None
    service = existing or DirectoryService(id=incoming.id, organisation_id=incoming.organisation["id"], created_at=now, updated_at=now)
    service.organisation_id = incoming.organisation["id"]
    for key, value in incoming.fields.items():
        if existing is not None and key in ("intake", "wait_weeks"):
            continue  # a feed does not say: what is known here stays
        setattr(service, key, value)
    db.add(service)
    db.flush()
    db.exec(delete(ServiceLocation).where(ServiceLocation.service_id == service.id))
    for n, place in enumerate(incoming.places):
        if db.get(ServiceLocation, place["id"]) is not None:  # a location shared by services of the dump: one row each
            place = {**place, "id": uuid.uuid5(uuid.UUID(hex=service.id), f"{n}:{place['id']}").hex}
        db.add(ServiceLocation(service_id=service.id, **place))
    db.exec(delete(ServiceTerm).where(ServiceTerm.service_id == service.id))
    for term_id in dict.fromkeys(_term(db, term).id for term in incoming.terms):  # two ids for one code: tagged once
        db.add(ServiceTerm(service_id=service.id, term_id=term_id))
    db.flush()
    if before is None:
        return "added"
    if _content(db, service) == before and not organisation_changed:
        return "unchanged"
    service.updated_at = now
    return "updated"


def _term(db: Session, term: dict) -> TaxonomyTerm:
    taxonomy = db.exec(select(Taxonomy).where(Taxonomy.name == term["taxonomy"])).first()
    if taxonomy is None:
        detail_id = _uuid(term["taxonomy_id"], "taxonomy id") if term["taxonomy_id"] else None
        if detail_id and db.get(Taxonomy, detail_id) is not None:
            raise Refused("its taxonomy's id is another taxonomy's here")
        taxonomy = Taxonomy(name=term["taxonomy"], description=term["taxonomy_description"], uri=term["taxonomy_uri"])
        if detail_id:
            taxonomy.id = detail_id
        db.add(taxonomy)
        db.flush()
    found = db.get(TaxonomyTerm, term["id"])
    if found is not None and found.taxonomy_id != taxonomy.id:
        raise Refused("a taxonomy term's id is a term of another taxonomy here")
    found = found or db.exec(
        select(TaxonomyTerm).where(TaxonomyTerm.taxonomy_id == taxonomy.id, TaxonomyTerm.code == term["code"])).first()
    if found is None:
        found = TaxonomyTerm(id=term["id"], taxonomy_id=taxonomy.id, code=term["code"], name=term["name"], term_uri=term["term_uri"])
        db.add(found)
        db.flush()
    return found


def _content(db: Session, service: DirectoryService) -> tuple:
    """What a service says, to tell an update from loading the same thing again."""
    fields = tuple((key, getattr(service, key)) for key in ("organisation_id", "name", "description", "eligibility", "cost", "opening_times",
                                                            "url", "email", "phone", "languages", "status", "last_checked_at"))
    places = tuple(sorted((p.kind, p.name, p.address_1, p.address_2, p.town, p.postcode, str(p.accessibility))
                          for p in db.exec(select(ServiceLocation).where(ServiceLocation.service_id == service.id)).all()))
    terms = tuple(sorted(db.exec(select(ServiceTerm.term_id).where(ServiceTerm.service_id == service.id)).all()))
    return fields, places, terms
