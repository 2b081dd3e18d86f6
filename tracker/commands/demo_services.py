"""Demonstration data for the directory: the services of the partnership's members and of the
other organisations in a market town's directory (the table is in demo_directory_data)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from tracker.clock import utcnow
from tracker.commands.demo_directory_data import MEMBER_CONTACTS, ORGANISATIONS, SERVICES, TAGS
from tracker.domain.catalogue.taxonomies import CIRCUMSTANCES, NEEDS, term_ids
from tracker.models import DirectoryOrganisation, DirectoryService, Provider, ServiceLocation, ServiceTerm

__all__ = ["ORGANISATIONS", "SERVICES", "load_demo_services"]


def load_demo_services(db: Session, providers: dict[str, Provider]) -> list[DirectoryService]:
    """The demo's organisations, their services, where they are offered and what they are tagged with
    (not committed; the catalogue's taxonomies are loaded already)."""
    now = utcnow()
    organisation_ids, contacts = {}, dict(MEMBER_CONTACTS)
    for name, provider in providers.items():  # each member of the partnership is in the directory, under its own id
        db.add(DirectoryOrganisation(id=provider.id, provider_id=provider.id, updated_at=now))
        organisation_ids[name] = provider.id
    for organisation in ORGANISATIONS:  # in the directory, not (yet) members
        row = DirectoryOrganisation(provider_id=None, name=organisation.name, description=organisation.description,
                                    url=organisation.url, email=organisation.email, updated_at=now)
        db.add(row)
        organisation_ids[organisation.name] = row.id
        contacts[organisation.name] = (organisation.phone, organisation.email, organisation.url)
    db.flush()
    services = []
    needs, circumstances = term_ids(db, NEEDS, {c for n, _ in TAGS.values() for c in n}), \
        term_ids(db, CIRCUMSTANCES, {c for _, w in TAGS.values() for c in w})
    for entry in SERVICES:
        phone, email, url = contacts[entry.organisation]
        intake, weeks = entry.intake
        service = DirectoryService(organisation_id=organisation_ids[entry.organisation], name=entry.name,
                                   description=entry.description, eligibility=entry.eligibility, cost=entry.cost,
                                   opening_times=entry.when, intake=str(intake), wait_weeks=weeks, status=str(entry.status),
                                   languages=entry.languages, phone=phone, email=email, url=url,
                                   last_checked_at=now - timedelta(days=entry.checked_days_ago), updated_at=now)
        db.add(service)
        db.flush()
        for place in entry.places:
            db.add(ServiceLocation(service_id=service.id, **place))
        helps_with, for_whom = TAGS[entry.name["en"]]
        for term_id in {needs[code] for code in helps_with} | {circumstances[code] for code in for_whom}:
            db.add(ServiceTerm(service_id=service.id, term_id=term_id))
        services.append(service)
    return services
