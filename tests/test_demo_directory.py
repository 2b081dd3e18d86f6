"""The demo's directory is a market town's partnership (issue 12): at least 20 organisations, the
partnership's members and others not (yet) members, about 30 services with every state a
resident meets (taking new people, a waiting list, not taking, closed for now), in English and
Polish, fictional contact details only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from tracker.clock import utcnow
from tracker.commands.demo import PROVIDERS, load_demo
from tracker.commands.demo_services import ORGANISATIONS, SERVICES
from tracker.domain.catalogue import LANGUAGES
from tracker.domain.directory import language_name
from tracker.models import DirectoryOrganisation, DirectoryService, Intake, Provider, ServiceLocation, ServiceStatus

READER_TEXTS = ("name", "description", "eligibility", "cost", "opening_times")


@pytest.fixture
def demo(app, db):
    load_demo(db, app.config["SECRET_KEY"])
    db.commit()
    return db.exec(select(DirectoryService)).all()


def test_at_least_twenty_organisations_members_and_not_each_with_services(client, db, demo):
    organisations = db.exec(select(DirectoryOrganisation)).all()
    assert len(organisations) >= 20 and len(organisations) == len(PROVIDERS) + len(ORGANISATIONS)
    members = {o.id for o in organisations if o.provider_id is not None}
    assert members == {p.id for p in db.exec(select(Provider)).all()} and len(members) == len(PROVIDERS)
    assert all(o.name and o.description for o in organisations if o.provider_id is None)
    assert {s.organisation_id for s in demo} == {o.id for o in organisations}  # none without a service
    published = {o["name"] for o in client.get("/openreferral/organizations?per_page=200").get_json()["contents"]}
    assert published == {name for name, _kind, _description in PROVIDERS} | {o.name for o in ORGANISATIONS}
    assert 25 <= len(demo) == len(SERVICES) <= 35


def test_services_in_every_state_a_resident_meets_and_the_list_tags_each(client, demo):
    intakes = {s.intake for s in demo}
    assert intakes == {Intake.TAKING_REFERRALS, Intake.WAITING_LIST, Intake.NOT_TAKING}
    assert all(s.wait_weeks for s in demo if s.intake == Intake.WAITING_LIST)
    assert all(s.wait_weeks is None for s in demo if s.intake != Intake.WAITING_LIST)
    closed = [s for s in demo if s.status == ServiceStatus.TEMPORARILY_CLOSED]
    assert closed and all(s.intake == Intake.NOT_TAKING for s in closed)  # nobody is referred to a closed service
    assert {s.status for s in demo} == {ServiceStatus.ACTIVE, ServiceStatus.TEMPORARILY_CLOSED}
    page = client.get("/find-help").text
    assert page.count("Closed for now") == len(closed)
    assert page.count("Not taking new people now") == len([s for s in demo if s.intake == Intake.NOT_TAKING and s not in closed])
    assert page.count("Taking new people") == len([s for s in demo if s.intake == Intake.TAKING_REFERRALS and s not in closed])
    checked = [utcnow() - s.last_checked_at for s in demo]
    assert min(checked) < timedelta(weeks=2) and max(checked) > timedelta(days=366)  # "last checked" shows its age


def test_languages_spoken_and_places_are_varied_and_named(db, demo):
    spoken = {code for s in demo for code in s.languages}
    assert spoken > {"en", "pl"} and all(language_name(code, language) for code in spoken for language in LANGUAGES)
    places = db.exec(select(ServiceLocation)).all()
    where = {s.id: {p.kind for p in places if p.service_id == s.id} for s in demo}
    assert {frozenset(kinds) for kinds in where.values()} == {frozenset({"physical"}), frozenset({"virtual"}),
                                                              frozenset({"physical", "virtual"})}
    for place in (p for p in places if p.kind == "physical"):
        assert place.address_1 and place.town == "Melton Mowbray" and place.postcode.startswith("LE13 "), place.name


def test_everything_a_reader_sees_is_in_english_and_polish(db, demo):
    """Kept in the database, not translated by Babel: each text has every shipped language, and
    the Polish is a translation, not the English copied."""
    texts = {f"{o.name}: description": o.description for o in db.exec(select(DirectoryOrganisation)).all() if o.provider_id is None}
    texts |= {f"{s.name['en']}: {field}": getattr(s, field) for s in demo for field in READER_TEXTS}
    texts |= {f"{p.name}: accessibility": p.accessibility for p in db.exec(select(ServiceLocation)).all() if p.kind == "physical"}
    assert not [f"{what} ({language})" for what, text in texts.items() for language in LANGUAGES if not text.get(language)]
    assert not [what for what, text in texts.items() if text["pl"] == text["en"]]


def test_contact_details_are_made_up(demo):
    """Numbers no one answers, addresses no one reads: the demo must not send residents to a real office."""
    for service in demo:
        assert service.phone.startswith("01664 000"), service.phone
        assert service.email.endswith(("@example.org", ".example.org")), service.email
        assert service.url is None or (service.url.startswith("https://") and ".example.org/" in service.url), service.url
