"""A resident's first weeks, in a real browser on a 360 px phone, with JavaScript on and off:
register, check in, choose two goals, tick a step, add a note, check in again, see the chart move.
Every page is audited with axe-core (WCAG 2.2 A/AA) and photographed into test-artefacts/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlmodel import Session

from tests.browser import Auditor
from tests.conftest import People
from tests.sharing_helpers import Sharing
from tracker.clock import utcnow

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 640}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_residents_first_weeks_with_their_plan(browser, live_server, artefacts, javascript):
    context = browser.new_context(viewport=PHONE)
    if not javascript:
        context.route("**/*.js", lambda route: route.abort())
    page = context.new_page()
    audit = Auditor(page, artefacts / f"plan-journey-{'js' if javascript else 'no-js'}")

    page.goto(live_server.url + "/register")
    page.get_by_label("Your name").fill("Chloe Evans")
    page.get_by_label("Choose a username").fill("chloe")
    page.get_by_label("Create a password").fill("apple river chair")
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url("**/me/")
    audit.check("home before check-in")

    # First check-in.
    page.get_by_role("link", name="Start my check-in").click()
    audit.check("check-in")
    page.get_by_role("group", name="Using computers, phones and the internet").get_by_label("Getting help").check()
    page.get_by_role("group", name="Managing money").get_by_label("Trying").check()
    page.get_by_role("group", name="Getting ready for work").get_by_label("Not started").check()
    page.get_by_role("button", name="Save my check-in").click()
    page.wait_for_url("**/me/plan/choose")
    assert page.get_by_text("Suggested for you").first.is_visible()
    audit.check("choose goals with suggestions")

    # Search, then choose two goals.
    page.get_by_label("Search goals").fill("budget")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("button", name=re.compile("^Add to my plan.*Make a simple budget")).click()
    page.wait_for_url("**/me/plan")
    page.get_by_role("link", name="Choose a goal for using computers, phones and the internet").click()
    page.get_by_role("button", name=re.compile("^Add to my plan.*Get online and use websites")).click()
    page.wait_for_url("**/me/plan")
    audit.check("plan with two goals")

    # Tick a step.
    goal = page.locator(".app-goal", has_text="Get online and use websites")
    first_step = goal.get_by_role("checkbox").first
    if javascript:
        with page.expect_response(lambda r: "/me/plan/areas/digital" in r.url and r.request.method == "POST"):
            first_step.check()
        goal = page.locator(".app-goal", has_text="Get online and use websites")
        goal.get_by_text("1 of").wait_for()
        assert page.url.endswith("/me/plan")  # no page load: htmx swapped the area in place
        assert page.locator("#app-status").inner_text().startswith("Saved.")
        assert page.evaluate("document.activeElement.type") == "checkbox"  # focus stays on the box
    else:
        first_step.check()
        page.get_by_role("button", name="Save my ticks for digital").click()
        page.wait_for_load_state("load")
        goal = page.locator(".app-goal", has_text="Get online and use websites")
    assert "1 of" in goal.inner_text() and "In progress" in goal.inner_text()
    assert goal.get_by_role("checkbox").first.is_checked()
    audit.check("plan after ticking a step")

    # A note on the goal.
    goal.get_by_role("link", name="Get online and use websites").click()
    audit.check("goal page")
    page.get_by_label("Add a note").fill("I used the library wifi <b>on my own</b>.")
    page.get_by_role("button", name="Save note").click()
    page.wait_for_url("**#notes")
    assert page.get_by_text("I used the library wifi <b>on my own</b>.").is_visible()
    audit.check("goal page with a note")

    # Two weeks later, a second check-in: the chart shows the change.
    page.goto(live_server.url + "/me/progress")
    audit.check("progress after one check-in")
    with time_machine.travel(utcnow() + timedelta(days=14), tick=True):
        # She comes back two weeks later; her session on the shared PC ended long ago.
        page.goto(live_server.url + "/me/check-in")
        page.wait_for_url("**/signed-out?reason=idle")
        audit.check("signed out after idling")
        page.goto(live_server.url + "/login?next=/me/check-in")
        page.get_by_label("Username").fill("chloe")
        page.get_by_label("Password", exact=True).fill("apple river chair")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/me/check-in")
        page.get_by_role("group", name="Using computers, phones and the internet").get_by_label("Trying").check()
        page.get_by_role("button", name="Save my check-in").click()
        page.wait_for_url("**/me/progress")
        sentence = page.locator("#progress-digital ~ figure figcaption, section:has(#progress-digital) figcaption").first.inner_text()
        assert "moved up from Getting help to Trying" in sentence
        assert page.locator("section:has(#progress-digital) svg circle").count() == 2
        audit.check("progress after two check-ins")
        page.goto(live_server.url + "/me/timeline")
        assert page.get_by_text("Ticked the step").is_visible()
        audit.check("timeline")
        page.goto(live_server.url + "/me/plan/print")
        audit.check("print my plan")
    context.close()


def _one_page(page) -> tuple[int, int, int]:
    return (page.locator("header.govuk-header, header.govuk-service-navigation, body > header").count(),
            page.locator("h1").count(), page.locator("main").count())


def test_links_inside_the_auto_saving_forms_open_whole_pages(browser, live_app, live_server, artefacts):
    """htmx posts the plan and sharing forms and swaps only their own fragment: a link inside one
    (a goal's title, "Preview what they would see") goes to a whole page, never into the form."""
    with Session(live_app.extensions["tracker_engine"], expire_on_commit=False) as db:
        Sharing(db, People(db))  # two organisations with notices to share with
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    statuses = []
    page.on("response", lambda response: statuses.append((response.status, response.url)))
    page.goto(live_server.url + "/register")
    page.get_by_label("Your name").fill("Dee Evans")
    page.get_by_label("Choose a username").fill("dee")
    page.get_by_label("Create a password").fill("apple river chair")
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url("**/me/")
    page.goto(live_server.url + "/me/plan/choose?area=digital")
    page.get_by_role("button", name=re.compile("^Add to my plan.*Get online and use websites")).click()
    page.wait_for_url("**/me/plan")
    before = _one_page(page)
    page.locator("form[data-hx-post] a", has_text="Get online and use websites").first.click()
    page.wait_for_url("**/me/plan/goals/*")
    page.wait_for_load_state("networkidle")
    assert _one_page(page) == before and page.locator("h1").inner_text().startswith("Get online")
    page.goto(live_server.url + "/me/sharing")
    assert page.locator("form[data-hx-post]").count() == 0  # the summary: links and plain forms only
    page.get_by_role("link", name=re.compile("^Change")).first.click()
    page.wait_for_load_state("networkidle")
    assert "/me/sharing/providers/" in page.url and _one_page(page) == before
    assert not [s for s in statuses if s[0] >= 400], statuses
    context.close()
