"""Real browser journeys: a resident on a phone, a tutor on a desktop, with JavaScript on and off.
Every page reached is audited with axe-core and photographed into test-artefacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import Auditor, sign_in
from tests.conftest import PASSWORD, LiveServer, make_app
from tracker.models import Role

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 640}
DESKTOP = {"width": 1280, "height": 800}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_resident_registers_and_signs_in_on_a_phone(browser, live_server, artefacts, javascript):
    context = browser.new_context(viewport=PHONE)
    if not javascript:
        # Our scripts never arrive: the page must work on its own (axe still runs through the
        # browser's debugging channel, which a page's own scripts cannot block).
        context.route("**/*.js", lambda route: route.abort())
    page = context.new_page()
    audit = Auditor(page, artefacts / f"foundation-resident-{'js' if javascript else 'no-js'}")

    page.goto(live_server.url + "/")
    audit.check("start page")
    page.get_by_role("button", name="Create an account").click()
    audit.check("register")

    # A mistake first: the GOV.UK error summary says what to fix.
    page.get_by_label("Your name").fill("Amira Hassan")
    page.get_by_label("Choose a username").fill("amira")
    page.get_by_label("Create a password").fill("password")
    page.get_by_role("button", name="Create my account").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()  # waits for the page the click led to
    assert page.title().startswith("Error:")
    audit.check("register with errors")

    page.get_by_label("Create a password").fill("apple river chair")
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url("**/me/")
    expect(page.get_by_role("heading", name="Hello, Amira")).to_be_visible()  # waits for the page the click led to
    audit.check("resident home")

    if javascript:
        page.get_by_role("button", name="Menu").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/signed-out")
    expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()  # waits for the page the click led to
    audit.check("signed out")

    page.get_by_role("link", name="Sign in again").click()
    page.get_by_label("Username").fill("AMIRA")
    page.get_by_label("Password", exact=True).fill("apple river chair")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/me/")
    audit.check("resident home again")

    # Polish, from the switcher, stays for this resident.
    page.get_by_role("link", name="Polski").click()
    assert page.locator("html").get_attribute("lang") == "pl"
    audit.check("resident home in polish")
    context.close()


def test_a_tutor_signs_in_on_a_desktop(browser, live_app, people, artefacts):
    people.user("jo.bennett", role=Role.TUTOR, display_name="Jo Bennett")
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    audit = Auditor(page, artefacts / "foundation-tutor")
    with LiveServer(live_app) as server:
        page.goto(server.url + "/login")
        audit.check("sign in")
        page.get_by_label("Username").fill("jo.bennett")
        page.get_by_label("Password", exact=True).fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()  # waits for the page the click led to
        audit.check("sign in wrong password")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/tutor/")
        expect(page.get_by_role("heading", name="My residents")).to_be_visible()  # waits for the page the click led to
        audit.check("tutor home")
        page.goto(server.url + "/me/")
        expect(page.get_by_role("heading", name="You cannot see this page")).to_be_visible()  # waits for the page the click led to
        audit.check("forbidden")
        page.goto(server.url + "/no-such-page")
        audit.check("not found")
    context.close()


def test_the_idle_warning_appears_and_keeps_the_resident_signed_in(browser, sqlite_url, people, artefacts):
    people.user("amira", display_name="Amira Hassan")
    # A one-minute time-out with a 57-second warning: the dialog shows after about 3 seconds.
    app = make_app(sqlite_url, WTF_CSRF_ENABLED=True, RESIDENT_IDLE_MINUTES=1, IDLE_WARNING_SECONDS=57)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    audit = Auditor(page, artefacts / "foundation-idle-warning")
    with LiveServer(app) as server:
        sign_in(page, server.url, "amira", PASSWORD, "**/me/")
        dialog = page.get_by_role("dialog", name="You will be signed out soon")
        dialog.wait_for(state="visible", timeout=10_000)
        assert page.evaluate("document.activeElement.textContent.trim()") == "Stay signed in"
        audit.check("idle warning")
        with page.expect_response("**/session/keep-alive") as keep_alive:
            dialog.get_by_role("button", name="Stay signed in").click()
        assert keep_alive.value.ok
        assert not dialog.is_visible()
        page.reload()
        expect(page.get_by_role("heading", name="Hello, Amira")).to_be_visible()  # waits for the page the click led to
    app.extensions["tracker_engine"].dispose()
    context.close()
