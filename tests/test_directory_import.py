"""Loading another directory's services from an Open Referral UK dump: by id (loading it again
changes nothing), each service checked on its own (a bad one is refused with its reason, the rest
load), never over a member of the partnership's own services, and out again through our feed in
the standard's shapes."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path

import pytest
from sqlmodel import col, select

from tests.test_openreferral import SERVICE, _get, _valid
from tracker.commands.demo import load_demo
from tracker.domain.directory_import import import_services
from tracker.models import DirectoryOrganisation, DirectoryService, ServiceLocation, TaxonomyTerm


@pytest.fixture
def database_url(any_database_url):
    # JSON columns, savepoints and unique indexes behave differently: load on both databases.
    return any_database_url


EXAMPLE = json.loads((Path(__file__).parent / "openreferral" / "service_full.json").read_text())


def _another(n: int, **changes) -> dict:
    service = copy.deepcopy(EXAMPLE)
    service["id"] = str(uuid.UUID(int=n))
    service["name"] = f"Service {n}"
    for location_at in service["service_at_locations"]:
        location_at["location"]["id"] = str(uuid.uuid5(uuid.UUID(int=n), "location"))
    service.update(changes)
    return service


def test_the_standards_example_loads_once_and_comes_out_of_our_feed_valid(app, client, db):
    report = import_services(db, EXAMPLE)
    db.commit()
    assert (report.added, report.updated, report.refused) == ([uuid.UUID(EXAMPLE["id"]).hex], [], [])
    again = import_services(db, {"contents": [EXAMPLE]})  # as a page of a feed, this time
    db.commit()
    assert again.unchanged == [uuid.UUID(EXAMPLE["id"]).hex] and not again.added and not again.updated
    published = _get(client, f"/openreferral/services/{EXAMPLE['id']}")
    _valid(SERVICE, published)
    assert published["name"] == "Community Counselling" and published["organization"]["name"] == "Example Organization Inc."
    assert published["languages"][0]["code"] == EXAMPLE["languages"][0]["code"]
    assert {a["taxonomy_term"]["id"] for a in published["attributes"]} == {a["taxonomy_term"]["id"] for a in EXAMPLE["attributes"]}
    imported = [t for t in db.exec(select(TaxonomyTerm)).all() if not (t.term_uri or "").startswith("urn:me-and-my-learning:")]
    assert len(imported) == len({a["taxonomy_term"]["id"] for a in EXAMPLE["attributes"]})  # (and ours, loaded with the catalogue)
    # A feed that does not say whether a service takes new people is not made to say so.
    assert "wait_time" not in published and "application_process" not in published
    # Residents find it; to a Polish reader its English text is marked as English, and its phone
    # number (sent in quotes) is one a phone can dial.
    assert "Community Counselling" in client.get("/find-help?q=counselling").text
    client.get("/language/pl?next=/")
    page = client.get(f"/find-help/{uuid.UUID(EXAMPLE['id']).hex}").text
    assert 'lang="en">Community Counselling</h1>' in page and "Zapytaj, czy przyjmują nowe osoby" in page
    assert 'href="tel:+441234234567"' in page and "&#34;" not in page.split("tel:")[1][:40]


def test_a_changed_service_is_updated_and_said_so(db):
    import_services(db, [_another(1)])
    changed = _another(1, description="Now on Saturdays too.")
    report = import_services(db, [changed])
    db.commit()
    assert report.updated == [uuid.UUID(int=1).hex]
    assert db.get(DirectoryService, uuid.UUID(int=1).hex).description == {"en": "Now on Saturdays too."}


@pytest.mark.parametrize(("change", "reason"), [
    ({"id": "not-a-uuid"}, "id is not a UUID"),
    ({"name": ""}, "name is missing"),
    ({"name": "x" * 201}, "name is longer than 200 characters"),
    ({"status": "open"}, "status is not one of"),
    ({"organization": None}, "it has no organization"),
    ({"url": "javascript:alert(1)"}, "url is not a web address"),
    ({"email": "not an email"}, "email is not an email address"),
    ({"assured_date": "last Tuesday"}, "assured_date is not a date"),
    ({"description": "bad\x00byte"}, "description has control characters in it"),
    ({"phones": [{"id": str(uuid.UUID(int=9)), "number": "ring us"}]}, "phone number is not a phone number"),
    ({"status": ["active"]}, "status is not one of"),
    ({"schedules": 7}, "schedules is not a list of objects"),
    ({"languages": 3}, "languages is not a list of objects"),
    ({"service_at_locations": [3]}, "service_at_locations is not a list of objects"),
    ({"attributes": "x"}, "attributes is not a list of objects"),
    ({"name": ["a list"]}, "name is not text"),
    ({"assured_date": "0001-01-01T00:00:00+01:00"}, "assured_date is not a date between 1990 and today"),
    ({"email": "a@b.org?cc=x@evil.org&body=hi"}, "email is not an email address"),
])
def test_a_bad_service_is_refused_with_its_reason_and_the_others_still_load(db, change, reason):
    report = import_services(db, [_another(1), _another(2, **change), _another(3)])
    db.commit()
    assert [uuid.UUID(hex=i).int for i in report.added] == [1, 3]
    assert len(report.refused) == 1 and report.refused[0][1].startswith(reason), report.refused
    assert {s.id for s in db.exec(select(DirectoryService)).all()} == {uuid.UUID(int=1).hex, uuid.UUID(int=3).hex}
    assert not db.exec(select(ServiceLocation).where(ServiceLocation.service_id == uuid.UUID(int=2).hex)).all()


def test_a_partners_own_services_are_never_overwritten_from_outside(app, db):
    load_demo(db, app.config["SECRET_KEY"])
    db.commit()
    ours = db.exec(select(DirectoryService).join(DirectoryOrganisation, DirectoryOrganisation.id == DirectoryService.organisation_id)
                   .where(col(DirectoryOrganisation.provider_id).is_not(None))).first()  # a member's (the demo has others' too)
    partner = db.get(DirectoryOrganisation, ours.organisation_id)
    over_ours = _another(1, id=str(uuid.UUID(hex=ours.id)))
    as_partner = _another(2, organization={**EXAMPLE["organization"], "id": str(uuid.UUID(hex=partner.id))})
    report = import_services(db, [over_ours, as_partner])
    db.commit()
    assert [why for _which, why in report.refused] == ["a member of the partnership has a service with this id",
                                                       "its organisation is a member of the partnership, whose staff keep its services here"]
    db.refresh(ours)
    assert ours.organisation_id == partner.id and ours.name["en"] != "Service 1"


def test_the_command_reports_and_fails_when_something_was_refused(app, db, tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps([_another(1), _another(2)]))
    bad.write_text(json.dumps({"contents": [_another(3), {"id": "nope"}]}))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["directory", "import", str(good)])
    assert result.exit_code == 0 and "2 added, 0 updated, 0 unchanged, 0 refused" in result.output
    result = runner.invoke(args=["directory", "import", str(bad)])
    assert result.exit_code == 1 and "1 added" in result.output and "refused service 2 (nope): id is not a UUID" in result.output
    (tmp_path / "not.json").write_text("{")
    result = runner.invoke(args=["directory", "import", str(tmp_path / "not.json")])
    assert result.exit_code == 1 and "is not JSON" in result.output


def test_repeats_within_a_service_are_taken_once_and_clashes_are_refused(db):
    twice = _another(1)
    twice["attributes"].append(copy.deepcopy(twice["attributes"][0]))  # the same term twice
    thrice = _another(2)
    thrice["service_at_locations"] *= 3  # the same place three times
    clash = _another(3)
    clash["attributes"][0]["taxonomy_term"] = {**clash["attributes"][0]["taxonomy_term"], "id": str(uuid.UUID(int=77)),
                                              "taxonomy_detail": {**clash["attributes"][0]["taxonomy_term"]["taxonomy_detail"],
                                                                  "name": "another list"}}  # its taxonomy id is taken
    report = import_services(db, [twice, thrice, clash])
    db.commit()
    assert [uuid.UUID(hex=i).int for i in report.added] == [1, 2]
    assert report.refused == [(f"service 3 ({clash['id']})", "its taxonomy's id is another taxonomy's here")]
    assert len(db.exec(select(ServiceLocation).where(ServiceLocation.service_id == uuid.UUID(int=2).hex)).all()) == 3


def test_a_changed_organisation_counts_as_an_update(db):
    import_services(db, [_another(1)])
    renamed = _another(1, organization={**EXAMPLE["organization"], "name": "Example Organisation Ltd"})
    report = import_services(db, [renamed])
    db.commit()
    assert report.updated == [uuid.UUID(int=1).hex]
    assert db.get(DirectoryOrganisation, uuid.UUID(EXAMPLE["organization"]["id"]).hex).name == "Example Organisation Ltd"
