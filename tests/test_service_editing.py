"""Keeping the partnership's services up to date: admins edit every member organisation's services,
tutors and provider staff only their own; imported services are read-only here. Every save and
every "Still right" says when the service was last checked; every change is recorded; a save on a
stale copy and a form sent twice change nothing more than once; bad input is a GOV.UK error."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
import time_machine
from sqlmodel import select

from tests.conftest import sign_in
from tests.sharing_helpers import Sharing
from tests.test_openreferral import SERVICE, _valid
from tracker.clock import utcnow
from tracker.domain import directory_editing as editing
from tracker.domain.catalogue.taxonomies import CIRCUMSTANCES, NEEDS, read_taxonomies
from tracker.models import (
    AdminAction,
    DirectoryOrganisation,
    DirectoryService,
    ServiceLocation,
    ServiceStatus,
    ServiceTerm,
    Taxonomy,
    TaxonomyTerm,
)


@pytest.fixture
def sharing(db, people):
    """Providers A and B, a tutor and staff at A, a tutor at B, and an admin."""
    return Sharing(db, people)


def _client(app, username):
    client = app.test_client()
    assert sign_in(client, username).status_code == 303
    return client


def _draft(**changes) -> editing.ServiceDraft:
    values = {"name": {"en": "Computer basics", "pl": "Podstawy komputera"}, "description": {"en": "A small, friendly class."},
              "status": "active", "intake": "taking_referrals",
              "places": [editing.PlaceDraft(name="The Learning Hub", address_1="5 Nottingham Street",
                                            town="Melton Mowbray", postcode="le131nw", accessibility={"en": "Step-free."})]}
    values.update(changes)
    return editing.ServiceDraft(**values)


def _form(**changes) -> dict:
    """What the add and edit pages send for a good service (a new place: "place_new_…")."""
    data = {"name_en": "Computer basics", "description_en": "A small, friendly class.", "name_pl": "Podstawy komputera",
            "phone": "01664 502 502", "email": "learning@example.org", "url": "https://learning.example.org/computers",
            "languages": ["en", "pl"], "status": "active", "intake": "waiting_list", "wait_weeks": "4",
            "place_new_name": "The Learning Hub", "place_new_address_1": "5 Nottingham Street",
            "place_new_town": "Melton Mowbray", "place_new_postcode": "LE13 1NW", "place_new_accessibility_en": "Step-free entrance."}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def service(db, sharing) -> DirectoryService:
    """A service of A, added by A's tutor (through the domain: no request needed)."""
    made, created = editing.create_service(db, sharing.tutor_a, sharing.a.id, _draft())
    db.commit()
    assert created
    return made


@pytest.fixture
def imported(db) -> DirectoryService:
    """A service of an organisation that came from another directory's feed."""
    organisation = DirectoryOrganisation(name="Leicestershire Libraries")
    db.add(organisation)
    db.flush()
    found = DirectoryService(organisation_id=organisation.id, name={"en": "Library computers"}, intake="unknown")
    db.add(found)
    db.commit()
    return found


def _edit_form(client, url) -> dict:
    """The edit page's form as it is filled in now (text boxes, ticked choices, the version)."""
    page = client.get(url).text
    data: dict = {}
    for tag in re.findall(r'<input class="govuk-input[^>]*>', page):
        value = re.search(r' value="([^"]*)"', tag)
        data[re.search(r' name="([^"]+)"', tag).group(1)] = html.unescape(value.group(1)) if value else ""
    for name, value in re.findall(r'<textarea class="govuk-textarea[^"]*" id="[^"]+" name="([^"]+)"[^>]*>([^<]*)</textarea>', page):
        data[name] = html.unescape(value).strip()
    for name, value in re.findall(r'name="([^"]+)" type="(?:radio|checkbox)" value="([^"]+)" checked', page):
        data.setdefault(name, []).append(value) if name in ("languages", *editing.TAGS) else data.__setitem__(name, value)
    data["version"] = re.search(r'name="version" type="hidden" value="([^"]+)"', page).group(1)
    return data


def _terms(db, service) -> list[tuple[str, str]]:
    """(taxonomy, code) of every term the service is tagged with, of any list, read from the tables."""
    return sorted(db.exec(select(Taxonomy.name, TaxonomyTerm.code).join(TaxonomyTerm, TaxonomyTerm.taxonomy_id == Taxonomy.id)
                          .join(ServiceTerm, ServiceTerm.term_id == TaxonomyTerm.id).where(ServiceTerm.service_id == service.id)).all())


def _ours(kind: str, *codes: str) -> list[tuple[str, str]]:
    return [(read_taxonomies()[kind].name, code) for code in codes]


def _name(kind: str, code: str, language: str = "en") -> str:
    return next(term.name[language] for term in read_taxonomies()[kind].terms if term.code == code)


def _actions(db, action=None):
    query = select(AdminAction).order_by(AdminAction.id)
    if action:
        query = query.where(AdminAction.action == action)
    return db.exec(query).all()


# --- The domain, without a request ------------------------------------------------------------------


def test_a_new_service_is_checked_now_and_recorded_with_who_made_it(db, sharing, service):
    assert service.name == {"en": "Computer basics", "pl": "Podstawy komputera"} and service.description == {"en": "A small, friendly class."}
    assert service.organisation_id == sharing.a.id == db.get(DirectoryOrganisation, sharing.a.id).provider_id
    assert utcnow() - service.last_checked_at < timedelta(seconds=5) and service.updated_at == service.last_checked_at
    [place] = editing.places_of(db, service.id)
    assert (place.kind, place.postcode, place.accessibility) == ("physical", "LE13 1NW", {"en": "Step-free."})
    [action] = _actions(db)
    assert (action.action, action.actor_user_id, action.provider_id, action.details) == (
        "service_created", sharing.tutor_a.id, sharing.a.id, {"service_id": service.id})


def test_the_domain_checks_every_answer(db, sharing):
    fields, places, problems = editing.check(_draft(
        name={"en": "x" * 201}, description={"en": "", "pl": "Tylko po polsku"}, eligibility={"pl": "Dla dorosłych"},
        cost={"en": "Free\x00"}, url="javascript:alert(1)", email="not an email", phone="call us", languages=["en", "xx", "eng"],
        status="open", intake="taking_referrals", wait_weeks="3",
        places=[editing.PlaceDraft(name="", address_1="", town="", postcode="SW1A 1AAA")]))
    assert problems == {"name_en": "too_long", "description_en": "missing", "eligibility_en": "english_missing",
                        "cost_en": "hidden_characters", "url": "invalid", "email": "invalid", "phone": "invalid", "languages": "invalid",
                        "status": "missing", "wait_weeks": "no_waiting_list", "place_new_name": "missing",
                        "place_new_address_1": "missing", "place_new_town": "missing", "place_new_postcode": "invalid"}
    for weeks, problem in (("105", "out_of_range"), ("-1", "invalid"), ("²", "invalid"), ("six", "invalid")):
        assert editing.check(_draft(intake="waiting_list", wait_weeks=weeks))[2] == {"wait_weeks": problem}, weeks
    fields, places, problems = editing.check(_draft(intake="waiting_list", wait_weeks=" 0 ", url="http://example.org/a?b=c",
                                                    places=[editing.PlaceDraft()], online=True))
    assert problems == {} and fields["wait_weeks"] == 0 and places == [{"id": None, **editing.VIRTUAL_PLACE}]
    assert editing.check(_draft(places=[]))[2] == {"online": "no_place"}
    assert editing.check(_draft(places=[editing.PlaceDraft(town="Melton")]))[2] == {
        "place_new_name": "missing", "place_new_address_1": "missing", "place_new_postcode": "missing"}
    for url in ("https://", "ftp://example.org", "https://exa mple.org", "https://example.org/\"onmouseover=x"):
        assert editing.check(_draft(url=url))[2] == {"url": "invalid"}, url
    assert [editing.postcode(p) for p in ("le13 1ae", "M1 1AA", "EC1A1BB", "LE13", "1AE LE13")] == [
        "LE13 1AE", "M1 1AA", "EC1A 1BB", None, None]
    with pytest.raises(editing.Invalid):
        editing.create_service(db, sharing.admin, sharing.a.id, _draft(name={"en": ""}))
    assert db.exec(select(DirectoryService)).all() == [] and _actions(db) == []


def test_only_the_organisations_own_staff_and_admins_may_edit(db, sharing, service, imported):
    a = db.get(DirectoryOrganisation, sharing.a.id)
    assert editing.may_edit(sharing.admin, a) and editing.may_edit(sharing.staff_a, a) and editing.may_edit(sharing.tutor_a, a)
    assert not editing.may_edit(sharing.tutor_b, a)
    assert not editing.may_edit(sharing.admin, db.get(DirectoryOrganisation, imported.organisation_id))
    assert [row.service.id for row in editing.services_to_edit(db, sharing.admin)] == [service.id]
    assert editing.services_to_edit(db, sharing.tutor_b) == [] and editing.service_to_edit(db, sharing.tutor_b, service.id) is None
    with pytest.raises(editing.EditError):
        editing.update_service(db, sharing.tutor_b, service, _draft(), editing.version_of(service))
    with pytest.raises(editing.Invalid):  # (staff add to their own organisation only)
        editing.create_service(db, sharing.tutor_b, sharing.a.id, _draft())


def test_an_edit_on_a_stale_copy_is_refused_even_in_one_clock_tick(db, sharing, service):
    opened = editing.version_of(service)
    with time_machine.travel(utcnow(), tick=False):
        assert editing.update_service(db, sharing.staff_a, service, _draft(cost={"en": "Free"}), opened)
        db.commit()
        assert editing.version_of(service) != opened
        with pytest.raises(editing.Stale):
            editing.update_service(db, sharing.tutor_a, service, _draft(cost={"en": "£5"}), opened)
    db.rollback()
    db.refresh(service)
    assert service.cost == {"en": "Free"}


def test_a_place_removed_since_the_form_was_opened_is_a_stale_edit_not_an_error(db, sharing, service):
    opened = editing.version_of(service)
    [hub] = editing.places_of(db, service.id)
    seen = editing.draft_of(service, [hub], editing.tags_of(db, [service.id])[service.id])
    assert editing.update_service(db, sharing.admin, service, _draft(places=[], online=True), opened)
    db.commit()
    with pytest.raises(editing.Stale):
        editing.update_service(db, sharing.staff_a, service, seen, opened)
    db.rollback()
    assert [p.kind for p in editing.places_of(db, service.id)] == ["virtual"]


# --- The pages ------------------------------------------------------------------------------------------


def test_an_admin_adds_a_service_residents_and_the_feed_see_at_once(app, db, sharing, client):
    admin = _client(app, "the.admin")
    assert 'href="/admin/services"' in admin.get("/admin/").text
    page = admin.get("/admin/services/new")
    assert page.status_code == 200 and "In Polish (optional)" in page.text and "Melton Jobs Support" in page.text
    response = admin.post("/admin/services/new", data=_form(organisation=sharing.b.id))
    assert response.status_code == 303 and response.headers["Location"] == "/admin/services"
    made = db.exec(select(DirectoryService)).one()
    assert made.organisation_id == sharing.b.id and made.wait_weeks == 4 and made.languages == ["en", "pl"]
    listed = admin.get("/admin/services").text
    today = f"{made.last_checked_at.day} {made.last_checked_at:%B %Y}"
    assert "is added to the directory" in listed and f"Last checked: {today} (today)" in listed
    assert "Waiting list: about 4 weeks" in listed and "Check this is still right" not in listed
    public = client.get(f"/find-help/{made.id}").text
    assert "Computer basics" in public and "Last checked" in public and today in public and "LE13 1NW" in public
    feed = client.get(f"/openreferral/services/{made.id}").get_json()
    _valid(SERVICE, feed)
    assert feed["name"] == "Computer basics" and feed["wait_time"] == "Waiting list: about 4 weeks"
    assert _actions(db)[-1].actor_user_id == sharing.admin.id


def test_an_edit_shows_its_new_text_to_residents_and_in_the_feed(app, db, sharing, service, client):
    staff = _client(app, "staff.a")
    assert 'href="/staff/services"' in staff.get("/provider/").text
    assert f'href="/staff/services/{service.id}"' in staff.get("/staff/services").text
    before = service.updated_at
    data = _edit_form(staff, f"/staff/services/{service.id}")
    assert data["name_en"] == "Computer basics" and data["status"] == "active"
    data.update(name_en="Computers for beginners", name_pl="Komputer dla początkujących", eligibility_en="Adults 19 and over")
    response = staff.post(f"/staff/services/{service.id}", data=data)
    assert response.status_code == 303, response.text
    db.refresh(service)
    assert service.name == {"en": "Computers for beginners", "pl": "Komputer dla początkujących"}
    assert service.updated_at > before and service.last_checked_at == service.updated_at
    action = _actions(db, "service_edited")[-1]
    assert action.actor_user_id == sharing.staff_a.id and set(action.details["changed"]) == {"name", "eligibility"}
    assert "Computers for beginners" in client.get(f"/find-help/{service.id}").text
    assert client.get(f"/openreferral/services/{service.id}").get_json()["eligibility_description"] == "Adults 19 and over"
    client.get("/language/pl?next=/")
    assert "Komputer dla początkujących" in client.get(f"/find-help/{service.id}").text


def test_saving_without_a_change_only_says_it_was_checked(app, db, sharing, service):
    with time_machine.travel(utcnow() + timedelta(days=30), tick=False):
        tutor = _client(app, "tutor.a")
        response = tutor.post(f"/staff/services/{service.id}", data=_edit_form(tutor, f"/staff/services/{service.id}"))
        assert response.status_code == 303
        db.refresh(service)
        assert service.last_checked_at == utcnow() and service.updated_at < service.last_checked_at
    assert [a.action for a in _actions(db)] == ["service_created", "service_checked"]


def test_a_stale_save_is_refused_and_changes_nothing(app, db, sharing, service):
    tutor, staff = _client(app, "tutor.a"), _client(app, "staff.a")
    url = f"/staff/services/{service.id}"
    mine, theirs = _edit_form(tutor, url), _edit_form(staff, url)
    assert staff.post(url, data={**theirs, "cost_en": "Free"}).status_code == 303
    db.refresh(service)
    saved = (service.cost, service.name, service.updated_at, service.last_checked_at)
    actions = len(_actions(db))
    response = tutor.post(url, data={**mine, "name_en": "Something else", "cost_en": "£5"})
    assert response.status_code == 409
    assert "Someone else changed this service since you opened it" in response.text and "govuk-error-summary" in response.text
    assert 'value="Free"' not in response.text and ">Free</textarea>" in response.text  # the page shows what is saved now
    db.refresh(service)
    assert (service.cost, service.name, service.updated_at, service.last_checked_at) == saved and len(_actions(db)) == actions
    again = _edit_form(tutor, url)  # opened again, the save goes through
    assert tutor.post(url, data={**again, "cost_en": "£5"}).status_code == 303


def test_a_new_service_sent_twice_is_added_once(app, db, sharing):
    staff = _client(app, "staff.a")
    first = staff.post("/staff/services/new", data=_form())
    second = staff.post("/staff/services/new", data=_form())
    assert first.status_code == second.status_code == 303 and first.headers["Location"] == second.headers["Location"]
    assert len(db.exec(select(DirectoryService)).all()) == 1 and len(_actions(db, "service_created")) == 1
    assert "was already added" in staff.get("/staff/services").text
    assert staff.post("/staff/services/new", data=_form(name_en="Computer basics 2")).status_code == 303
    assert len(db.exec(select(DirectoryService)).all()) == 2  # (a different service is a new one)


def test_bad_answers_are_gov_uk_errors_and_nothing_is_saved(app, db, sharing, service):
    admin = _client(app, "the.admin")
    url = f"/admin/services/{service.id}"
    data = _edit_form(admin, url)
    bad = {**data, "name_en": "x" * 201, "description_en": "", "url": "javascript:alert(1)", "email": "someone at example",
           "phone": "ring us", "intake": "taking_referrals", "wait_weeks": "6", "place_new_name": "Hall", "place_new_address_1": "1 High Street", "place_new_town": "Melton", "place_new_postcode": "LE13"}
    response = admin.post(url, data=bad)
    assert response.status_code == 400 and "<title>Error:" in response.text and "govuk-error-summary" in response.text
    for field, words in (("name_en", "The name must be 200 characters or fewer"), ("description_en", "Say what the service does"),
                         ("url", "Enter a full web address that starts with https://"), ("email", "Enter an email address in the correct format"),
                         ("phone", "Enter a phone number using only numbers"), ("wait_weeks", "Leave the wait empty, or choose"),
                         ("place_new_postcode", "Enter a real postcode, like LE13 1AE")):
        assert f'href="#{field}"' in response.text and words in response.text, field
    assert 'href="javascript' not in response.text
    script = admin.post(url, data={**data, "name_en": "<script>alert(1)</script>"})
    assert script.status_code == 303
    page = admin.get("/admin/services").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;script&gt;" in app.test_client().get(f"/find-help/{service.id}").text
    db.refresh(service)
    assert service.url is None and service.email is None and len(editing.places_of(db, service.id)) == 1
    empty = admin.post("/admin/services/new", data={})
    assert empty.status_code == 400 and "Choose an organisation from the list" in empty.text and "Add an address, or tick" in empty.text


def test_addresses_are_added_changed_and_removed_and_by_phone_is_a_tick(app, db, sharing, service):
    staff = _client(app, "staff.a")
    url = f"/staff/services/{service.id}"
    [hub] = editing.places_of(db, service.id)
    data = _edit_form(staff, url)
    assert "online" not in data
    assert staff.post(url, data={**data, "online": "y", f"place_{hub.id}_town": "Melton"}).status_code == 303
    places = editing.places_of(db, service.id)
    assert sorted(p.kind for p in places) == ["physical", "virtual"] and db.get(ServiceLocation, hub.id).town == "Melton"
    virtual = next(p for p in places if p.kind == "virtual")
    data = _edit_form(staff, url)
    assert data["online"] == "y"
    new_address = {"place_new_name": "Melton Library", "place_new_address_1": "Wilton Road", "place_new_town": "Melton Mowbray",
                   "place_new_postcode": "le13 0uj"}
    assert staff.post(url, data={**data, **new_address, f"place_{hub.id}_remove": "y"}).status_code == 303
    places = editing.places_of(db, service.id)
    assert sorted((p.kind, p.postcode) for p in places) == [("physical", "LE13 0UJ"), ("virtual", None)]
    assert virtual.id in {p.id for p in places} and hub.id not in {p.id for p in places}  # (the same place keeps its id)
    data = _edit_form(staff, url)
    library = next(p for p in places if p.kind == "physical")
    response = staff.post(url, data={**{k: v for k, v in data.items() if k != "online"}, f"place_{library.id}_remove": "y"})
    assert response.status_code == 400 and "Add an address, or tick “By phone or online”" in response.text and 'href="#online"' in response.text
    assert len(editing.places_of(db, service.id)) == 2
    public = app.test_client().get(f"/find-help/{service.id}").text
    assert "By phone or online" in public and "Melton Library" in public


def test_still_right_updates_last_checked_and_nothing_else(app, db, sharing, service):
    later = utcnow() + timedelta(days=270)
    with time_machine.travel(later, tick=False):
        tutor = _client(app, "tutor.a")
        page = tutor.get("/staff/services").text
        assert "Check this is still right" in page and "(9 months ago)" in page and "1 service has not been checked" in page
        version = service.updated_at
        response = tutor.post(f"/staff/services/{service.id}/checked")
        assert response.status_code == 303 and response.headers["Location"] == "/staff/services"
        page = tutor.get("/staff/services").text
        assert "shows as checked today" in page and "Check this is still right" not in page and "(today)" in page
        db.refresh(service)
        assert service.last_checked_at == later and service.updated_at == version and service.name["en"] == "Computer basics"
        assert tutor.post(f"/staff/services/{service.id}/checked").status_code == 303  # a second tap: nothing more
        client = app.test_client()
        assert later.strftime("%B %Y") in client.get(f"/find-help/{service.id}").text
        assert client.get(f"/openreferral/services/{service.id}").get_json()["assured_date"] == later.date().isoformat()
        assert "(dzisiaj)" in _client(app, "tutor.a").get("/language/pl?next=/staff/services", follow_redirects=True).text
    assert [a.action for a in _actions(db)] == ["service_created", "service_checked"]


def test_someone_elses_service_is_not_found(app, db, sharing, service, imported):
    tutor_b = _client(app, "tutor.b")
    assert service.id not in tutor_b.get("/staff/services").text
    for method, url in (("GET", f"/staff/services/{service.id}"), ("POST", f"/staff/services/{service.id}"),
                        ("POST", f"/staff/services/{service.id}/checked"), ("GET", f"/staff/services/{imported.id}"),
                        ("GET", f"/staff/services/{'0' * 32}")):
        assert tutor_b.open(url, method=method, data=_form()).status_code == 404, url
    admin = _client(app, "the.admin")
    for method, url in (("GET", f"/admin/services/{imported.id}"), ("POST", f"/admin/services/{imported.id}"),
                        ("POST", f"/admin/services/{imported.id}/checked")):
        assert admin.open(url, method=method, data=_form()).status_code == 404, url
    assert "1 service from other directories' feeds is not listed here" in admin.get("/admin/services").text
    db.refresh(service)
    db.refresh(imported)
    assert service.name["en"] == "Computer basics" and imported.name == {"en": "Library computers"}
    assert [a.action for a in _actions(db)] == ["service_created"]


def test_residents_and_strangers_cannot_edit(app, db, people, sharing, service):
    people.user("amira")
    resident, anonymous = _client(app, "amira"), app.test_client()
    for method, url in (("GET", "/staff/services"), ("GET", "/admin/services"), ("POST", "/staff/services/new"),
                        ("POST", f"/admin/services/{service.id}"), ("POST", f"/staff/services/{service.id}/checked")):
        assert resident.open(url, method=method, data=_form()).status_code == 403, url
        assert anonymous.open(url, method=method, data=_form()).status_code == 303, url
    assert _client(app, "the.admin").get("/staff/services").status_code == 403
    assert _client(app, "staff.a").get("/admin/services").status_code == 403
    assert len(db.exec(select(DirectoryService)).all()) == 1


def test_a_service_that_is_closed_for_good_leaves_the_directory(app, db, sharing, service, client):
    admin = _client(app, "the.admin")
    data = _edit_form(admin, f"/admin/services/{service.id}")
    assert admin.post(f"/admin/services/{service.id}", data={**data, "status": str(ServiceStatus.DEFUNCT)}).status_code == 303
    assert client.get(f"/find-help/{service.id}").status_code == 404
    assert client.get(f"/openreferral/services/{service.id}").status_code == 404
    assert "Closed for good" in admin.get("/admin/services").text


def test_the_pages_are_in_polish(app, db, sharing, service):
    staff = _client(app, "staff.a")
    staff.get("/language/pl?next=/")
    page = staff.get("/staff/services").text
    assert "Nasze usługi" in page and "Ostatnio sprawdzono:" in page
    form = staff.get(f"/staff/services/{service.id}").text
    assert "Po polsku (nieobowiązkowo)" in form


# --- What it can help with and who it is especially for -------------------------------------------------


def test_the_domain_checks_tags_against_our_lists(db, sharing):
    fields, _places, problems = editing.check(_draft(needs=["debt", "budgeting", "debt"], circumstances=["carers", "older-people"]))
    assert problems == {} and fields["needs"] == ["budgeting", "debt"] and fields["circumstances"] == ["older-people", "carers"]
    assert editing.check(_draft())[0]["needs"] == [] and editing.check(_draft())[2] == {}  # (tags are optional)
    for odd in (["debt", "nonsense"], ["69"], [None], "debt", [["debt"]]):
        assert editing.check(_draft(needs=odd, circumstances=odd))[2] == {"needs": "invalid", "circumstances": "invalid"}, odd
    assert editing.check(_draft(needs=["carers"]))[2] == {"needs": "invalid"}  # (a circumstance is not a need)
    with pytest.raises(editing.Invalid):
        editing.create_service(db, sharing.tutor_a, sharing.a.id, _draft(needs=["nonsense"]))
    assert db.exec(select(DirectoryService)).all() == []


def test_staff_tick_what_a_service_helps_with_and_residents_find_it_by_that(app, db, sharing, service, client):
    staff = _client(app, "staff.a")
    url = f"/staff/services/{service.id}"
    page = staff.get(url).text
    assert "What can it help with?" in page and "Who is it especially for? (optional)" in page
    assert all(_name(NEEDS, term.code) in page for term in read_taxonomies()[NEEDS].terms)
    data = _edit_form(staff, url)
    assert "needs" not in data and "circumstances" not in data
    response = staff.post(url, data={**data, "needs": ["debt", "budgeting"], "circumstances": ["older-people"]})
    assert response.status_code == 303, response.text
    assert _terms(db, service) == sorted(_ours(NEEDS, "budgeting", "debt") + _ours(CIRCUMSTANCES, "older-people"))
    again = _edit_form(staff, url)
    assert again["needs"] == ["budgeting", "debt"] and again["circumstances"] == ["older-people"]  # ticked, in the list's order
    public = client.get(f"/find-help/{service.id}").text
    assert "Can help with" in public and 'href="/find-help?need=debt"' in public and "Budgeting and managing money" in public
    assert "Especially for" in public and "Older people" in public
    assert f'href="/find-help/{service.id}"' in client.get("/find-help?need=debt").text
    assert f'href="/find-help/{service.id}"' not in client.get("/find-help?need=housing").text
    listed = staff.get("/staff/services").text
    assert "Debt and borrowing" in listed and "Older people" in listed
    staff.get("/language/pl?next=/")
    polish = staff.get(url).text
    assert "W czym może pomóc?" in polish and _name(NEEDS, "debt", "pl") in polish and _name(CIRCUMSTANCES, "carers", "pl") in polish
    assert _name(NEEDS, "debt", "pl") in client.get(f"/find-help/{service.id}", headers={"Accept-Language": "pl"}).text


def test_an_unknown_tag_is_a_gov_uk_error_and_nothing_is_saved(app, db, sharing, service):
    admin = _client(app, "the.admin")
    url = f"/admin/services/{service.id}"
    data = _edit_form(admin, url)
    assert admin.post(url, data={**data, "needs": ["debt"]}).status_code == 303
    db.refresh(service)
    saved, actions = (service.updated_at, _terms(db, service)), len(_actions(db))
    data = _edit_form(admin, url)
    response = admin.post(url, data={**data, "name_en": "Renamed", "needs": ["debt", "<b>nonsense</b>"], "circumstances": ["69"]})
    assert response.status_code == 400 and "govuk-error-summary" in response.text and "<b>nonsense" not in response.text
    assert 'href="#needs"' in response.text and "Choose what it can help with from the list" in response.text
    assert 'href="#circumstances"' in response.text and "Choose who it is especially for from the list" in response.text
    db.refresh(service)
    assert (service.updated_at, _terms(db, service)) == saved and service.name["en"] == "Computer basics"
    assert len(_actions(db)) == actions
    new = admin.post("/admin/services/new", data=_form(organisation=sharing.a.id, name_en="Another", needs=["nonsense"]))
    assert new.status_code == 400 and 'href="#needs"' in new.text
    assert len(db.exec(select(DirectoryService)).all()) == 1


def test_tags_from_another_directorys_list_survive_an_edit(app, db, sharing, service):
    esd = Taxonomy(name="esdNeeds", description="The LGA's list of needs", uri="http://id.esd.org.uk/list/needs")
    db.add(esd)
    db.flush()
    inclusion = TaxonomyTerm(taxonomy_id=esd.id, code="69", name={"en": "Social inclusion"}, term_uri="http://id.esd.org.uk/need/69")
    db.add(inclusion)
    db.flush()
    db.add(ServiceTerm(service_id=service.id, term_id=inclusion.id))
    db.commit()
    staff = _client(app, "staff.a")
    url = f"/staff/services/{service.id}"
    data = _edit_form(staff, url)
    assert "needs" not in data  # (it is not one of ours: not offered, not ticked)
    assert staff.post(url, data={**data, "needs": ["loneliness"]}).status_code == 303
    assert _terms(db, service) == sorted([("esdNeeds", "69"), *_ours(NEEDS, "loneliness")])
    data = _edit_form(staff, url)
    assert staff.post(url, data={key: value for key, value in data.items() if key != "needs"}).status_code == 303  # all untick
    assert _terms(db, service) == [("esdNeeds", "69")]
    assert set(_actions(db, "service_edited")[-1].details["changed"]) == {"needs"}
    assert editing.draft_of(service, editing.places_of(db, service.id), editing.tags_of(db, [service.id])[service.id]).needs == []


def test_changing_only_tags_is_an_edit(db, sharing, service):
    found = editing.service_to_edit(db, sharing.staff_a, service.id)
    draft = editing.draft_of(found.service, found.places, found.tags)
    before = service.updated_at
    draft.circumstances = ["carers"]
    assert editing.update_service(db, sharing.staff_a, service, draft, editing.version_of(service))
    db.commit()
    assert service.updated_at > before and _terms(db, service) == _ours(CIRCUMSTANCES, "carers")
    assert _actions(db)[-1].action == "service_edited" and _actions(db)[-1].details["changed"] == ["circumstances"]
    same = editing.draft_of(service, editing.places_of(db, service.id), editing.tags_of(db, [service.id])[service.id])
    edited = service.updated_at
    assert not editing.update_service(db, sharing.staff_a, service, same, editing.version_of(service))  # the same again: checked only
    db.commit()
    assert service.updated_at == edited and _actions(db)[-1].action == "service_checked"


def test_a_database_without_the_lists_gets_them_when_a_service_is_tagged(db, sharing, service):
    from sqlalchemy import delete

    from tracker.models import ServiceTerm, Taxonomy, TaxonomyTerm

    db.exec(delete(ServiceTerm))
    db.exec(delete(TaxonomyTerm))
    db.exec(delete(Taxonomy))  # (an upgraded database before its first `catalogue sync`)
    db.commit()
    found = editing.service_to_edit(db, sharing.staff_a, service.id)
    draft = editing.draft_of(found.service, found.places, found.tags)
    draft.circumstances = ["carers"]
    assert editing.update_service(db, sharing.staff_a, service, draft, editing.version_of(service))
    db.commit()
    assert _terms(db, service) == _ours(CIRCUMSTANCES, "carers")


def test_a_new_service_with_tags_sent_twice_is_added_once(app, db, sharing, client):
    staff = _client(app, "staff.a")
    tagged = _form(needs=["using-devices", "getting-online"], circumstances=["older-people"])
    first, second = staff.post("/staff/services/new", data=tagged), staff.post("/staff/services/new", data=tagged)
    assert first.status_code == second.status_code == 303
    [made] = db.exec(select(DirectoryService)).all()
    assert len(_actions(db, "service_created")) == 1 and "was already added" in staff.get("/staff/services").text
    assert _terms(db, made) == sorted(_ours(NEEDS, "using-devices", "getting-online") + _ours(CIRCUMSTANCES, "older-people"))
    assert f'href="/find-help/{made.id}"' in client.get("/find-help?need=getting-online").text
    assert staff.post("/staff/services/new", data={**tagged, "needs": ["using-devices"]}).status_code == 303
    assert len(db.exec(select(DirectoryService)).all()) == 2  # (other tags: another service, not a repeat)
