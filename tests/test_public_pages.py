"""The pages every GOV.UK service has: privacy notice, accessibility statement, cookies, help and
contact, linked from the footer of every page; and the meta description of public pages."""

from __future__ import annotations

import html
import re

import pytest

from tests.conftest import sign_in
from tests.sharing_helpers import Sharing
from tracker.models import ProviderKind, Role

PAGES = {"/privacy": "Privacy notice", "/accessibility": "Accessibility statement for Me and My Learning",
         "/cookies": "Cookies", "/help": "Help and contact"}
FOOTER_LINKS = {"/help": "Help and contact", "/privacy": "Privacy", "/cookies": "Cookies", "/accessibility": "Accessibility statement"}
META_DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)">')


def _h1s(page: str) -> list[str]:
    return re.findall(r"<h1\b[^>]*>(.*?)</h1>", page, flags=re.S)


def _footer(page: str) -> str:
    return page.split('<footer class="govuk-footer', 1)[1].split("</footer>", 1)[0]


def _description(page: str) -> str:
    [description] = META_DESCRIPTION.findall(page)
    return html.unescape(description)


@pytest.fixture
def residents_client(app, people):
    people.user("amira", display_name="Amira Hassan")
    client = app.test_client()
    assert sign_in(client, "amira").status_code == 303
    return client


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("language", ["en", "pl"])
@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "signed-in"])
def test_each_page_answers_signed_in_or_out_in_both_languages(app, people, path, language, signed_in):
    client = app.test_client()
    if signed_in:
        people.user("amira", preferred_language="en")
        assert sign_in(client, "amira").status_code == 303
    if language == "pl":
        assert client.get(f"/language/pl?next={path}").headers["Location"] == path
    response = client.get(path)
    assert response.status_code == 200
    page = response.text
    assert f'<html lang="{language}"' in page
    [h1] = _h1s(page)
    if language == "en":
        assert PAGES[path] in h1
    else:
        assert PAGES[path] not in h1  # translated, not the English heading
    assert ("Sign out" in page or "Wyloguj" in page) == signed_in


def test_the_footer_links_to_the_four_pages_signed_in(residents_client):
    footer = _footer(residents_client.get("/me/").text)
    for href, text in FOOTER_LINKS.items():
        assert f'href="{href}">{text}</a>' in footer


def test_the_footer_links_to_the_four_pages_on_the_sign_in_page(client):
    footer = _footer(client.get("/login").text)
    for href, text in FOOTER_LINKS.items():
        assert f'href="{href}">{text}</a>' in footer
    assert "Me and My Learning is run by the Melton learning partnership." in footer


def test_the_footer_is_translated(client):
    client.get("/language/pl?next=/login")
    footer = _footer(client.get("/login").text)
    assert ">Prywatność</a>" in footer and ">Deklaracja dostępności</a>" in footer


def test_help_lists_the_active_organisations_and_not_a_deactivated_one(client, people, db):
    people.provider("Melton Money Advice", kind=ProviderKind.MONEY_ADVICE)
    closed = people.provider("Melton Old Project", kind=ProviderKind.OTHER)
    closed.active = False
    db.add(closed)
    db.commit()
    page = client.get("/help").text
    assert "Melton Money Advice" in page and "Melton Money Advice helps residents." in page and "Money advice" in page
    assert "Melton Old Project" not in page
    assert "ask your tutor" in page


def test_help_describes_organisations_in_the_readers_language(client, people):
    people.provider("Melton Money Advice", kind=ProviderKind.MONEY_ADVICE)
    assert "Melton Money Advice helps residents." in client.get("/help").text
    client.get("/language/pl?next=/help")
    page = client.get("/help").text
    assert "Melton Money Advice pomaga mieszkańcom." in page and "helps residents" not in page


def test_help_says_what_to_do_with_no_organisations(client):
    assert "There are no organisations in Me and My Learning yet." in client.get("/help").text


def test_help_says_how_to_get_a_new_password(client):
    page = client.get("/help").text
    assert "If you forgot your password" in page and 'href="/setup"' in page


def test_the_share_page_and_the_preview_link_to_the_privacy_notice(app, db, people):
    sharing = Sharing(db, people)
    people.user("amira")
    client = app.test_client()
    sign_in(client, "amira")
    for path in (f"/me/sharing/providers/{sharing.a.id}/digital", f"/me/sharing/providers/{sharing.a.id}/digital/preview"):
        page = client.get(path).text
        assert 'href="/privacy#sharing">Read the privacy notice</a>' in page, path
    assert 'id="sharing"' in client.get("/privacy").text  # the link's target exists


def test_the_privacy_notice_names_the_controller_the_rights_and_the_ico(client):
    page = client.get("/privacy").text
    assert "The short version" in page and "The full version" in page
    assert "Melton Borough Council" in page
    for law in ("Article 6(1)(e)", "Article 6(1)(a)", "Article 6(1)(c)"):
        assert law in page
    for href in ("/me/export", "/me/details", "/me/delete", "/me/sharing", "/me/looked", "/me/data"):
        assert f'href="{href}"' in page, href
    assert 'href="https://ico.org.uk/make-a-complaint/"' in page and "0303 123 1113" in page


def test_the_accessibility_statement_follows_the_model(client):
    page = client.get("/accessibility").text
    for heading in ("How accessible this service is", "Feedback and contact information", "Enforcement procedure",
                    "Compliance status", "Non-accessible content", "Preparation of this accessibility statement"):
        assert f">{heading}</h" in page, heading
    assert "partially compliant" in page and "1 December 2026" in page
    assert "Equality Advisory and Support Service" in page and "Choose goals" in page


def test_the_cookies_page_names_the_one_cookie_the_service_sets(app, people, client):
    """The page must not drift from the code: the only cookie set, signed out or in, is the
    session cookie it names, and it has no expiry date (it goes when the browser closes)."""
    name = app.config["SESSION_COOKIE_NAME"]
    page = client.get("/cookies").text
    assert f"<code>{name}</code>" in page and "When you close your browser" in page
    assert "If you do nothing for 15 minutes" in page and "Staff are signed out after 8 hours" in page
    people.user("amira")
    set_cookies = []
    for response in (client.get("/login"), client.get("/language/pl?next=/"), sign_in(client, "amira"), client.get("/me/")):
        set_cookies += response.headers.getlist("Set-Cookie")
    assert set_cookies
    assert {cookie.split("=", 1)[0] for cookie in set_cookies} == {name}
    assert not any("expires=" in cookie.lower() or "max-age=" in cookie.lower() for cookie in set_cookies)


def test_the_cookies_page_reads_the_idle_time_outs_from_the_settings(sqlite_url):
    from tests.conftest import make_app

    app = make_app(sqlite_url, RESIDENT_IDLE_MINUTES=1, STAFF_IDLE_MINUTES=90)
    page = app.test_client().get("/cookies").text
    assert "If you do nothing for 1 minute," in page and "Staff are signed out after 90 minutes" in page
    app.extensions["tracker_engine"].dispose()


def test_public_pages_have_their_own_meta_description(app, db, people):
    sharing = Sharing(db, people)
    amira = people.user("amira")
    _, receipt = sharing.give(amira, sharing.a, "digital")
    client = app.test_client()
    default = _description(client.get("/account-deleted").text)  # a page that keeps the default
    assert default.startswith("Me and My Learning: ")
    descriptions = {}
    for path in ("/", "/login", "/register", *PAGES, f"/receipt/{receipt.code}"):
        page = client.get(path).text
        descriptions[path] = _description(page)
        assert 40 <= len(descriptions[path]) <= 160, path
        assert descriptions[path] != default, path
        assert "<" not in descriptions[path], path
    assert len(set(descriptions.values())) == len(descriptions)  # each says what its own page is


def test_signed_in_pages_keep_the_default_description(residents_client):
    assert _description(residents_client.get("/me/").text).startswith("Me and My Learning: ")


def test_staff_can_read_the_pages_too(app, people):
    people.user("jo.bennett", role=Role.TUTOR)
    client = app.test_client()
    assert sign_in(client, "jo.bennett").status_code == 303
    for path in PAGES:
        assert client.get(path).status_code == 200
