"""What a service can help with and who it is for: our two lists of terms, the goals each need
helps with, "Services that could help with this" on a goal's page, and the directory browsed by
need. Expectations are worked out from the lists and the demo's tags, not counted by hand."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from sqlmodel import select

from tests.conftest import sign_in, statements_during
from tests.directory_helpers import named, shown_to_residents
from tracker.commands.demo import DEMO_PASSWORD, load_demo
from tracker.commands.demo_directory_data import SERVICES, TAGS
from tracker.domain import directory
from tracker.domain.catalogue import read_catalogue
from tracker.domain.catalogue.taxonomies import (
    CIRCUMSTANCES,
    NEEDS,
    TaxonomyFileError,
    _read,
    needs_of_goal,
    read_taxonomies,
    sync_taxonomies,
)
from tracker.models import (
    CatalogueGoal,
    DirectoryOrganisation,
    DirectoryService,
    Intake,
    PlanGoal,
    ServiceStatus,
    ServiceTerm,
    Taxonomy,
    TaxonomyTerm,
    User,
)


@pytest.fixture
def database_url(any_database_url):
    return any_database_url


@pytest.fixture
def demo(app, db):
    load_demo(db, app.config["SECRET_KEY"])
    db.commit()
    return db.exec(select(DirectoryService)).all()


def _listed(html: str) -> list[str]:
    return re.findall(r'href="/find-help/([0-9a-f]{32})"', html)


def _tagged(db, code: str) -> set[str]:
    """The ids of the services tagged with the need ``code``, read straight from the tables."""
    return set(db.exec(select(ServiceTerm.service_id).join(TaxonomyTerm, TaxonomyTerm.id == ServiceTerm.term_id)
                       .join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
                       .where(Taxonomy.name == read_taxonomies()[NEEDS].name, TaxonomyTerm.code == code)).all())


# --- The lists ----------------------------------------------------------------------------------


def test_every_goal_on_offer_helps_with_a_need_and_every_listed_goal_exists():
    offered = {goal.code for goal in read_catalogue() if not goal.retired}
    listed = {code for term in read_taxonomies()[NEEDS].terms for code in term.goals}
    assert listed <= offered, listed - offered
    assert all(needs_of_goal(code) for code in offered), [code for code in offered if not needs_of_goal(code)]


def test_the_demo_tags_every_service_with_codes_that_are_in_the_lists():
    needs = {t.code for t in read_taxonomies()[NEEDS].terms}
    circumstances = {t.code for t in read_taxonomies()[CIRCUMSTANCES].terms}
    assert set(TAGS) == {service.name["en"] for service in SERVICES}
    for name, (helps_with, for_whom) in TAGS.items():
        assert helps_with and set(helps_with) <= needs and set(for_whom) <= circumstances, name


GOOD = """
[needs]
name = "N"
description = "d"
uri = "urn:x:taxonomy:needs"
version = "1"
  [[needs.terms]]
  code = "debt"
  name = { en = "Debt", pl = "Długi" }
  goals = ["financial.debt-advice"]
[circumstances]
name = "C"
description = "d"
uri = "urn:x:taxonomy:circumstances"
version = "1"
  [[circumstances.terms]]
  code = "carers"
  name = { en = "Carers", pl = "Opiekunowie" }
"""


@pytest.mark.parametrize("broken, says", [
    (GOOD.replace('name = "C"\n', ""), "[circumstances] needs a name"),
    (GOOD.replace('code = "carers"', 'code = "Carers!"'), "codes are lowercase"),
    (GOOD.replace('pl = "Długi" ', 'pl = "" '), "needs a name in en, pl"),
    (GOOD.replace('name = { en = "Carers", pl = "Opiekunowie" }', 'name = { en = "Carers", pl = "Opiekunowie" }\n  goals = ["x"]'),
     "only needs list goals"),
    (GOOD.replace('  [[circumstances.terms]]', '  [[needs.terms]]\n  code = "debt"\n  name = { en = "D", pl = "D" }\n  [[circumstances.terms]]'),
     "unique"),
])
def test_a_malformed_lists_file_says_where(broken, says):
    assert _read(GOOD)[NEEDS].term_uri("debt") == "urn:x:needs:debt"
    with pytest.raises(TaxonomyFileError, match=re.escape(says)):
        _read(broken)


def test_syncing_again_adds_nothing_and_a_term_left_out_of_the_file_stays(db, monkeypatch):
    assert sync_taxonomies(db) == 0  # (the suite's database has them already)
    terms = db.exec(select(TaxonomyTerm)).all()
    assert len(terms) == sum(len(spec.terms) for spec in read_taxonomies().values())
    lists = read_taxonomies()
    shorter = {**lists, NEEDS: replace(lists[NEEDS], terms=tuple(t if t.code != "debt" else replace(t, name={"en": "Money owed", "pl": "Długi"})
                                                                 for t in lists[NEEDS].terms[1:]))}
    monkeypatch.setattr("tracker.domain.catalogue.taxonomies.read_taxonomies", lambda: shorter)
    assert sync_taxonomies(db) == 0
    db.commit()
    by_code = {t.code: t for t in db.exec(select(TaxonomyTerm)).all()}
    assert lists[NEEDS].terms[0].code in by_code  # (services and other directories may use it)
    assert by_code["debt"].name["en"] == "Money owed"


# --- A goal's page ------------------------------------------------------------------------------


def _goal(db, username: str, code: str) -> PlanGoal:
    resident = db.exec(select(User).where(User.username == username)).one()
    catalogue = db.exec(select(CatalogueGoal).where(CatalogueGoal.code == code)).one()
    return db.exec(select(PlanGoal).where(PlanGoal.resident_id == resident.id, PlanGoal.catalogue_goal_id == catalogue.id)).one()


def _goal_services(html: str) -> list[str]:
    section = html.split('id="services"', 1)[1]
    return _listed(section)


def test_a_goal_shows_open_services_that_help_with_its_needs_and_nothing_is_written(app, db, demo):
    goal = _goal(db, "dawid", "financial.universal-credit-money")
    needs = needs_of_goal("financial.universal-credit-money")
    helping = set().union(*(_tagged(db, code) for code in needs)) & {s.id for s in shown_to_residents(demo)}
    resident = app.test_client()
    sign_in(resident, "dawid", DEMO_PASSWORD)
    response, statements = statements_during(db.get_bind(), lambda: resident.get(f"/me/plan/goals/{goal.id}"))
    assert response.status_code == 200 and 'id="services"' in response.text
    listed = _goal_services(response.text)
    assert len(helping) > len(listed) == directory.GOAL_SERVICES_AT_MOST and set(listed) <= helping
    for code in needs:
        assert f'href="/find-help?need={code}"' in response.text
    writes = [s for s in statements if s.split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    assert all("sign_in_session" in s for s in writes), writes  # (looking is nobody's business)
    # Close one of them: those taking new people come first, so it drops out of the three.
    db.expire_all()
    first = db.get(DirectoryService, listed[0])
    first.status = ServiceStatus.TEMPORARILY_CLOSED
    db.commit()
    again = _goal_services(resident.get(f"/me/plan/goals/{goal.id}").text)
    assert first.id not in again and len(again) == directory.GOAL_SERVICES_AT_MOST


def test_services_matching_more_of_a_goals_needs_come_first(db, demo):
    # financial.cut-costs helps with budgeting and bills; "Budgeting and benefits advice" has both.
    services, needs = directory.services_for_goal(db, "financial.cut-costs", "en")
    assert [n.code for n in needs] == list(needs_of_goal("financial.cut-costs")) and len(needs) == 2
    assert services[0].name == "Budgeting and benefits advice"
    polish, polish_needs = directory.services_for_goal(db, "financial.cut-costs", "pl")
    assert polish[0].name == named(demo, "Budgeting and benefits advice").name["pl"]
    assert polish_needs[0].name == next(t.name["pl"] for t in read_taxonomies()[NEEDS].terms if t.code == needs[0].code)


def test_a_residents_own_goal_points_to_the_directory_instead(app, db, demo):
    resident = db.exec(select(User).where(User.username == "amira")).one()
    own = db.exec(select(PlanGoal).where(PlanGoal.resident_id == resident.id, PlanGoal.own_title.is_not(None))).first()
    client = app.test_client()
    sign_in(client, "amira", DEMO_PASSWORD)
    page = client.get(f"/me/plan/goals/{own.id}").text
    assert _goal_services(page) == [] and 'href="/find-help"' in page.split('id="services"', 1)[1]


def test_the_goal_page_costs_the_same_sql_however_many_services_could_help(app, db, demo):
    goal = _goal(db, "amira", "digital.get-online")
    client = app.test_client()
    sign_in(client, "amira", DEMO_PASSWORD)
    client.get(f"/me/plan/goals/{goal.id}")
    _, before = statements_during(db.get_bind(), lambda: client.get(f"/me/plan/goals/{goal.id}"))
    term = db.exec(select(TaxonomyTerm).where(TaxonomyTerm.code == "getting-online")).one()
    organisation = db.exec(select(DirectoryOrganisation)).first()
    for number in range(20):
        service = DirectoryService(organisation_id=organisation.id, name={"en": f"Wi-Fi club {number}"}, description={}, eligibility={},
                                   cost={}, opening_times={}, intake=Intake.TAKING_REFERRALS, status=ServiceStatus.ACTIVE, languages=["en"])
        db.add(service)
        db.flush()
        db.add(ServiceTerm(service_id=service.id, term_id=term.id))
    db.commit()
    _, after = statements_during(db.get_bind(), lambda: client.get(f"/me/plan/goals/{goal.id}"))
    assert len(after) == len(before)


# --- The directory by need ----------------------------------------------------------------------


def test_anyone_can_browse_the_directory_by_need(client, db, demo):
    shown = {s.id for s in shown_to_residents(demo)}
    page = client.get("/find-help").text
    offered = re.findall(r'href="/find-help\?need=([a-z-]+)">([^<]+)</a> <span class="govuk-body-s">\((\d+) services?\)', page)
    assert offered, "the needs are listed under the search"
    for code, _name, count in offered:
        assert int(count) == len(_tagged(db, code) & shown), code
    assert [code for code, _, _ in offered] == [t.code for t in read_taxonomies()[NEEDS].terms if _tagged(db, t.code) & shown]
    debt = client.get("/find-help?need=debt")
    assert debt.status_code == 200 and set(_listed(debt.text)) == _tagged(db, "debt") & shown
    assert "Showing services that can help with: Debt and borrowing." in debt.text
    assert 'name="need" value="debt"' in debt.text  # a search from here stays within the need
    within = client.get("/find-help?need=debt&q=phone")
    assert set(_listed(within.text)) == {named(demo, "Free debt advice by phone").id}
    polish = client.get("/find-help?need=debt", headers={"Accept-Language": "pl"}).text
    assert "Długi i pożyczki" in polish


def test_an_unknown_need_is_a_gov_uk_error(client, demo):
    for odd in ("nonsense", "<b>debt</b>", "x" * 200):
        response = client.get("/find-help", query_string={"need": odd})
        assert response.status_code == 400 and "govuk-error-summary" in response.text and "<b>debt" not in response.text
        assert _listed(response.text) == []


def test_a_service_page_says_what_it_helps_with_and_who_it_is_especially_for(client, demo):
    carers = named(demo, "Support for unpaid carers")
    page = client.get(f"/find-help/{carers.id}").text
    assert "Can help with" in page and 'href="/find-help?need=caring"' in page
    assert "Especially for" in page and "Carers" in page
    polish = client.get(f"/find-help/{carers.id}", headers={"Accept-Language": "pl"}).text
    assert "Opieka nad bliską osobą" in polish and "Opiekunowie" in polish
