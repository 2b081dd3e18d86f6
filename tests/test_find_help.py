"""Residents find help without telling anyone: the directory's pages, for anyone signed in or not,
in the reader's language, searchable in any language, with GOV.UK errors for bad input, and
nothing about the search written anywhere."""

from __future__ import annotations

import re

import pytest
from babel import Locale
from sqlmodel import select

from tests.conftest import sign_in, statements_during
from tests.directory_helpers import mentioning, named, shown_to_residents
from tracker.commands.demo import DEMO_PASSWORD, load_demo
from tracker.domain import directory
from tracker.models import DirectoryService, ServiceStatus


@pytest.fixture
def database_url(any_database_url):
    return any_database_url


@pytest.fixture
def demo(app, db):
    load_demo(db, app.config["SECRET_KEY"])
    db.commit()
    return db.exec(select(DirectoryService)).all()


def _services_listed(html: str) -> list[str]:
    return re.findall(r'href="/find-help/([0-9a-f]{32})"', html)


def _found(total: int, text: str) -> str:
    return f"{total} service matches “{text}”" if total == 1 else f"{total} services match “{text}”"


def test_anyone_sees_every_service_and_can_search_in_either_language(client, demo):
    shown = shown_to_residents(demo)
    assert len(shown) <= directory.FOUND_AT_MOST  # the demo's directory fits on the page
    page = client.get("/find-help")
    assert page.status_code == 200 and sorted(_services_listed(page.text)) == sorted(s.id for s in shown)
    assert f"{len(shown)} services" in page.text and "These are the first" not in page.text
    assert "Waiting list: about 3 weeks" in page.text and "Taking new people" in page.text
    found = client.get("/find-help?q=konto")  # Polish words find the service in English too
    assert named(demo, "Help to open a bank account").id in _services_listed(found.text)
    assert set(_services_listed(found.text)) == mentioning(shown, "konto") and _found(len(mentioning(shown, "konto")), "konto") in found.text
    practice = mentioning(shown, "ćwiczenie")
    assert named(demo, "Interview practice").id in practice
    for capital in ("Ćwiczenie", "ĆWICZENIE", "ćwiczenie"):  # any case, Polish letters too (SQLite's own lower() is A-Z only)
        assert set(_services_listed(client.get(f"/find-help?q={capital}").text)) == practice, capital
    nothing = client.get("/find-help?q=%25")
    assert _services_listed(nothing.text) == [] and "Try another word" in nothing.text


def test_when_there_are_more_services_than_the_page_shows_it_says_so(client, demo, monkeypatch):
    shown = shown_to_residents(demo)
    monkeypatch.setattr(directory, "FOUND_AT_MOST", len(shown) - 1)
    page = client.get("/find-help").text
    assert len(_services_listed(page)) == len(shown) - 1 and f"{len(shown)} services" in page
    assert f"These are the first {len(shown) - 1}. Type more to find fewer." in page


def test_a_polish_reader_gets_the_services_in_polish(client, demo):
    client.get("/language/pl?next=/")
    page = client.get("/find-help")
    shown = len(shown_to_residents(demo))
    word = {"one": "usługa", "few": "usługi", "many": "usług"}[Locale.parse("pl").plural_form(shown)]
    assert "Znajdź pomoc w okolicy" in page.text and "Pomoc w założeniu konta bankowego" in page.text
    assert re.search(rf"\b{shown} {word}\b", page.text) and "Lista oczekujących: około 3 tygodnie" in page.text
    service = named(demo, "Budgeting and benefits advice")
    detail = client.get(f"/find-help/{service.id}").text
    assert "Porady dotyczące budżetu i zasiłków" in detail and "Dla kogo" in detail and "Języki" in detail and "angielski, polski" in detail


def test_a_service_page_says_who_it_is_for_where_when_and_how_to_get_in_touch(client, demo):
    service = named(demo, "Budgeting and benefits advice")
    page = client.get(f"/find-help/{service.id}").text
    for words in ("Budgeting and benefits advice", "Melton Money Advice", "Residents of the Melton borough.", "2 Burton Street",
                  "LE13 1AE", "a ramp is kept inside", "By phone or online", 'href="tel:01664000303"', "English, Polish", "Last checked"):
        assert words in page, words


def test_a_too_long_search_is_a_gov_uk_error_and_odd_addresses_are_404(client, demo, db):
    page = client.get("/find-help?q=" + "a" * 101)
    assert page.status_code == 400 and "govuk-error-summary" in page.text and 'href="#q"' in page.text
    assert "<title>Error:" in page.text and "govuk-input--error" in page.text
    for address in ("/find-help/" + "0" * 32, "/find-help/not-an-id", "/find-help/" + "A" * 32):
        assert client.get(address).status_code == 404, address
    defunct = demo[0]
    defunct.status = ServiceStatus.DEFUNCT
    db.commit()
    assert client.get(f"/find-help/{defunct.id}").status_code == 404
    assert defunct.id not in _services_listed(client.get("/find-help").text)


def test_only_web_addresses_become_links(client, demo, db):
    service = demo[0]
    service.url = "javascript:alert(1)"
    db.commit()
    page = client.get(f"/find-help/{service.id}").text
    assert "javascript:" not in page and "Website" not in page


def test_a_resident_finds_it_in_their_menu_and_nothing_about_the_search_is_written(app, demo, db):
    resident = app.test_client()
    sign_in(resident, "amira", DEMO_PASSWORD)
    assert 'href="/find-help"' in resident.get("/me/").text
    response, statements = statements_during(db.get_bind(), lambda: resident.get("/find-help?q=money"))
    assert response.status_code == 200
    writes = [s for s in statements if s.split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    # Signing in keeps its session's "last seen" time; the search itself is written nowhere.
    assert all("sign_in_session" in s for s in writes), writes


def test_a_service_closed_for_now_says_so_and_an_inactive_one_is_not_shown(client, demo, db):
    closed, inactive = demo[0], demo[1]
    closed.status, inactive.status = ServiceStatus.TEMPORARILY_CLOSED, ServiceStatus.INACTIVE
    db.commit()
    listed = _services_listed(client.get("/find-help").text)
    assert closed.id in listed and inactive.id not in listed
    assert "Closed for now" in client.get(f"/find-help/{closed.id}").text
    assert client.get(f"/find-help/{inactive.id}").status_code == 404
