"""A forgotten password in a real browser on a 320 px phone, with JavaScript on and off: a tutor
asks for a code for someone who does not share with them, an administrator gives it, the resident
is asked "Was this you?" and says no; and the page shown while the database is down. Every page
is audited with axe-core (WCAG 2.2 AA) and photographed."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session

from tests.browser import Auditor, sign_in
from tests.conftest import PASSWORD, People
from tests.sharing_helpers import Sharing
from tracker.database import make_engine

pytestmark = pytest.mark.browser
SMALL_PHONE = {"width": 320, "height": 640}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_reset_asked_for_given_and_questioned(browser, live_app, live_server, artefacts, javascript):
    with Session(live_app.extensions["tracker_engine"], expire_on_commit=False) as db:
        people = People(db)
        Sharing(db, people)
        people.user("ben", display_name="Ben Kowalczyk")
    base = live_server.url
    folder = artefacts / f"resets-{'js' if javascript else 'no-js'}"

    def person(username: str, landing: str):
        context = browser.new_context(viewport=SMALL_PHONE)
        if not javascript:  # the site's scripts never run (axe, injected by the test, still can)
            context.route("**/*.js", lambda route: route.abort())
        page = context.new_page()
        sign_in(page, base, username, PASSWORD, landing)
        return context, page, Auditor(page, folder / username)

    def no_sideways_scrolling(page):
        assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"], page.url

    context, page, audit = person("tutor.b", "**/tutor/")
    page.goto(base + "/tutor/password-reset")
    page.get_by_label("The resident's username").fill("ben")
    page.get_by_role("button", name="Print a new code").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", name="An administrator will give the new code").is_visible()
    audit.check("reset asked for")
    no_sideways_scrolling(page)
    context.close()

    context, page, audit = person("the.admin", "**/admin/")
    page.goto(base + "/admin/reset-requests")
    audit.check("reset requests")
    no_sideways_scrolling(page)
    page.get_by_role("button", name="Give a new code").click()
    page.wait_for_load_state("load")
    assert re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", page.locator(".app-receipt-code").inner_text())
    audit.check("code for the resident")
    context.close()

    context, page, audit = person("ben", "**/me/")
    assert page.get_by_role("heading", name="Was this you?").count() == 2
    audit.check("was this you")
    no_sideways_scrolling(page)
    page.get_by_role("button", name="No, this wasn't me").last.click()
    page.wait_for_load_state("load")
    assert "The set-up code no longer works" in page.locator("main").inner_text()
    assert page.get_by_role("heading", name="Was this you?").count() == 1
    audit.check("told us it was not them")
    page.goto(base + "/me/looked")
    assert "You told us this was not you" in page.locator("main").inner_text()
    audit.check("who has looked, with account changes")

    # The database goes away: the same signed-in browser gets the service's own 503 page.
    working = live_app.extensions["tracker_engine"]
    live_app.extensions["tracker_engine"] = make_engine("postgresql+psycopg://nobody@127.0.0.1:9/none")
    try:
        response = page.goto(base + "/me/plan")
        assert response.status == 503 and response.headers["retry-after"] == "30"
        assert page.get_by_role("heading", name="Sorry, the service is not working right now").is_visible()
        audit.check("service not working")
        no_sideways_scrolling(page)
    finally:
        live_app.extensions["tracker_engine"] = working
    page.get_by_role("link", name="Try this page again").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", name="My plan").count() == 1
    context.close()
