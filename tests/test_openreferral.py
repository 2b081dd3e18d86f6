"""The directory's Open Referral UK feed: every answer in HSDS 3.0's shapes (checked against the
standard's own schemas, tests/openreferral/), pages that walk every service once, searches in any
language, JSON errors for bad queries, and nothing about any resident, ever."""

from __future__ import annotations

import json
import math
import re
import uuid
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from sqlmodel import select

from tests.directory_helpers import mentioning, named
from tracker.commands.demo import load_demo
from tracker.domain import throttle
from tracker.models import (
    DirectoryOrganisation,
    DirectoryService,
    Provider,
    Role,
    ServiceStatus,
    ServiceTerm,
    Taxonomy,
    TaxonomyTerm,
    User,
)

SCHEMAS = Path(__file__).parent / "openreferral"


@pytest.fixture
def database_url(any_database_url):
    # JSON columns are read differently (json_extract, ->>): answer from both databases.
    return any_database_url


def _validator(name: str, part=None) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{name}.json").read_text())
    for key in part or ():
        schema = schema[key]
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


SERVICE = _validator("service")
SERVICE_IN_LIST = _validator("service_list")
ORGANIZATION_IN_LIST = _validator("organization_list")
TERM = _validator("service", ["properties", "attributes", "items", "properties", "taxonomy_term"])
TAXONOMY = _validator("service", ["properties", "attributes", "items", "properties", "taxonomy_term", "properties", "taxonomy_detail"])
PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}


def _valid(validator: Draft202012Validator, document: dict) -> None:
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5]]


@pytest.fixture
def directory(app, db):
    """The demo (its organisations and their services, residents with plans), with two services tagged."""
    load_demo(db, app.config["SECRET_KEY"])
    needs = Taxonomy(name="esdNeeds", description="The LGA's list of needs", uri="http://id.esd.org.uk/list/needs")
    db.add(needs)
    db.flush()
    term = TaxonomyTerm(taxonomy_id=needs.id, code="69", name={"en": "Social inclusion", "pl": "Włączenie społeczne"},
                        term_uri="http://id.esd.org.uk/need/69")
    db.add(term)
    db.flush()
    services = db.exec(select(DirectoryService)).all()
    for service in services[:2]:
        db.add(ServiceTerm(service_id=service.id, term_id=term.id))
    db.commit()
    return services, term


def _get(client, path: str, status: int = 200) -> dict:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code, response.text[:200])
    assert response.mimetype == "application/json"
    return response.get_json()


def test_every_answer_has_the_standards_shape(client, directory, db):
    services, _term = directory
    root = _get(client, "/openreferral/")
    assert root["version"] == "3.0" and root["openapi_url"].startswith("https://")
    listed = _get(client, "/openreferral/services?per_page=200")
    assert set(listed) >= PAGE_KEYS and listed["total_items"] == len(listed["contents"]) == len(services)
    for item in listed["contents"]:
        _valid(SERVICE_IN_LIST, item)
        full = _get(client, f"/openreferral/services/{item['id']}")
        _valid(SERVICE, full)
        assert full["id"] == item["id"] and full["organization"]["id"] == item["organization_id"]
    organisations = _get(client, "/openreferral/organizations?per_page=200")
    assert organisations["total_items"] == len(organisations["contents"]) == len(db.exec(select(DirectoryOrganisation)).all())
    for item in organisations["contents"]:
        _valid(ORGANIZATION_IN_LIST, item)
    taxonomies = {t["name"]: t for t in _get(client, "/openreferral/taxonomies")["contents"]}
    assert set(taxonomies) == {"esdNeeds", "Me and My Learning needs", "Me and My Learning circumstances"}
    for taxonomy in taxonomies.values():
        _valid(TAXONOMY, taxonomy)
    ours = _get(client, f"/openreferral/taxonomy_terms?per_page=200&taxonomy_id={taxonomies['Me and My Learning needs']['id']}")
    assert "debt" in [t["code"] for t in ours["contents"]]
    for term in ours["contents"]:
        _valid(TERM, term)
    terms = _get(client, f"/openreferral/taxonomy_terms?taxonomy_id={taxonomies['esdNeeds']['id']}")["contents"]
    assert [t["code"] for t in terms] == ["69"]
    _valid(TERM, terms[0])
    # A tagged service carries its terms (the imported one and ours), and the term's id finds it.
    tagged = _get(client, f"/openreferral/services?taxonomy_term_id={terms[0]['id']}")
    assert tagged["total_items"] == 2
    full = _get(client, f"/openreferral/services/{tagged['contents'][0]['id']}")
    uris = [a["taxonomy_term"]["term_uri"] for a in full["attributes"]]
    assert "http://id.esd.org.uk/need/69" in uris and any(uri.startswith("urn:me-and-my-learning:needs:") for uri in uris)


def test_a_full_service_says_where_when_how_and_whether_it_takes_referrals(client, directory, db):
    service = named(directory[0], "Budgeting and benefits advice")
    full = _get(client, f"/openreferral/services/{uuid.UUID(hex=service.id)}")
    assert full["name"] == "Budgeting and benefits advice" and full["wait_time"] == "Waiting list: about 3 weeks"
    assert {language["code"] for language in full["languages"]} == {"en", "pl"}
    assert full["phones"][0]["number"] == "01664 000303" and full["schedules"][0]["description"].startswith("Monday to Friday")
    places = {place["location"]["location_type"]: place["location"] for place in full["service_at_locations"]}
    assert places["physical"]["addresses"][0]["postal_code"] == "LE13 1AE"
    assert "ramp" in places["physical"]["accessibility"][0]["description"]
    assert "addresses" not in places["virtual"]
    # The same ids every time: another directory merging this feed by id sees the same records.
    assert _get(client, f"/openreferral/services/{full['id']}") == full


def test_pages_walk_every_service_once_in_name_order(client, directory):
    services, _term = directory
    pages = math.ceil(len(services) / 4)
    assert pages > 1
    seen, page = [], 1
    while True:
        listed = _get(client, f"/openreferral/services?per_page=4&page={page}")
        assert listed["page_number"] == page and listed["size"] == len(listed["contents"]) and listed["total_pages"] == pages
        assert listed["first_page"] == (page == 1) and listed["last_page"] == (page == pages)
        seen += [item["name"] for item in listed["contents"]]
        if listed["last_page"]:
            break
        page += 1
    assert seen == sorted(s.name["en"] for s in services)
    past_the_end = _get(client, f"/openreferral/services?per_page=4&page={pages + 1}")
    assert past_the_end["empty"] and past_the_end["contents"] == [] and past_the_end["total_items"] == len(services)


@pytest.mark.parametrize(("text", "finds_some"), [("bank", True), ("KONTO", True), ("angielski", True), ("class", True), ("%", False),
                                                  ("_", False), ("nothing like this", False)])
def test_search_finds_text_in_any_language_and_takes_wildcards_as_text(client, directory, text, finds_some):
    services, _term = directory
    found = len(mentioning(services, text))
    assert (found > 0) == finds_some
    assert _get(client, f"/openreferral/services?text={text}")["total_items"] == found
    assert _get(client, f"/openreferral/services?search={text}")["total_items"] == found  # the standard's own name


@pytest.mark.parametrize("query", ["page=0", "page=x", "page=-1", "per_page=0", "per_page=201", "per_page=2.5", "per_page=%C2%B2",
                                   "page=%D9%A3", "text=" + "a" * 101])
def test_a_query_the_standard_does_not_allow_is_a_json_400(client, directory, query):
    answer = _get(client, f"/openreferral/services?{query}", status=400)
    assert answer["status"] == 400 and answer["message"]


@pytest.mark.parametrize("service_id", ["not-a-uuid", "0" * 32, "9b2e4f0c-3a1d-4c8e-9f6b-2d7a5e1c0b43", "%00", "'; DROP TABLE directory_service;--"])
def test_an_unknown_service_is_a_json_404(client, directory, service_id):
    assert _get(client, f"/openreferral/services/{service_id}", status=404)["status"] == 404


def test_defunct_services_and_those_of_closed_organisations_are_not_published(client, directory, db):
    services, _term = directory
    defunct = services[0]
    defunct.status = ServiceStatus.DEFUNCT
    members = [s for s in services if db.get(Provider, s.organisation_id)]  # a member's organisation has its provider's id
    organisation = db.get(Provider, members[-1].organisation_id)  # leaves the partnership
    organisation.active = False
    db.commit()
    listed = {item["id"] for item in _get(client, "/openreferral/services?per_page=200")["contents"]}
    gone = {s.id for s in services if s.id == defunct.id or s.organisation_id == organisation.id}
    assert listed == {str(uuid.UUID(hex=s.id)) for s in services if s.id not in gone}
    for service_id in gone:
        _get(client, f"/openreferral/services/{uuid.UUID(hex=service_id)}", status=404)
    assert organisation.name not in {o["name"] for o in _get(client, "/openreferral/organizations")["contents"]}


def test_the_feed_never_says_anything_about_a_resident(client, directory, db):
    residents = db.exec(select(User).where(User.role == Role.RESIDENT)).all()
    assert residents
    words = ({r.display_name for r in residents} | {r.username for r in residents} | {r.id for r in residents}
             | {str(uuid.UUID(hex=r.id)) for r in residents})
    bodies = [client.get(path).text for path in ("/openreferral/", "/openreferral/services?per_page=200", "/openreferral/organizations",
                                                 "/openreferral/taxonomies", "/openreferral/taxonomy_terms")]
    bodies += [client.get(f"/openreferral/services/{uuid.UUID(hex=s.id)}").text for s in directory[0]]
    # As whole words: the username "ben" is in "benefits".
    assert not [word for word in words for body in bodies if re.search(rf"\b{re.escape(word)}\b", body)]


def test_the_feed_is_public_cacheable_and_readable_from_other_sites(client, directory):
    response = client.get("/openreferral/services")
    assert response.headers["Cache-Control"] == "public, max-age=300" and response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response.headers  # no session for a feed


def test_each_address_is_rate_limited_with_a_json_429(client, directory, monkeypatch):
    monkeypatch.setitem(throttle.LIMITS, "openreferral", (3, throttle.LIMITS["openreferral"][1]))
    assert [client.get("/openreferral/services").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/openreferral/services")
    assert refused.status_code == 429 and refused.get_json()["status"] == 429
