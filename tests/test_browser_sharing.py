"""Sharing in a real browser on a phone, with JavaScript on and off: give (after the preview), the
receipt, pause everything, resume, withdraw, and check a receipt as a stranger. Every page is
audited with axe-core and photographed."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from tests.browser import Auditor, sign_in
from tests.conftest import PASSWORD, People
from tests.sharing_helpers import Sharing
from tracker.domain import plan
from tracker.models import CatalogueGoal

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 640}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_resident_shares_checks_pauses_and_stops(browser, live_app, live_server, artefacts, javascript):
    with Session(live_app.extensions["tracker_engine"], expire_on_commit=False) as db:
        people = People(db)
        sharing = Sharing(db, people)
        amira = people.user("amira", display_name="Amira Hassan")
        goal_id = db.exec(select(CatalogueGoal.id).where(CatalogueGoal.code == "digital.get-online")).one()
        plan.add_catalogue_goals(db, amira.id, [goal_id], plan.Actor.of(amira))
        db.commit()
        provider = sharing.a

    context = browser.new_context(viewport=PHONE)
    if not javascript:
        context.route("**/*.js", lambda route: route.abort())
    page = context.new_page()
    audit = Auditor(page, artefacts / f"sharing-journey-{'js' if javascript else 'no-js'}")
    sign_in(page, live_server.url, "amira", PASSWORD, "**/me/")
    page.get_by_role("link", name="Choose who can see my plan").click()
    audit.check("who can see my plan")

    section = page.locator(f"#p{provider.id}")
    section.get_by_label("Using computers, phones and the internet").check()
    if not javascript:
        section.get_by_role("button", name="Save what Melton Adult Learning can see").click()
    page.wait_for_url(f"**/me/sharing/providers/{provider.id}/digital")
    assert page.get_by_text("Exactly what Melton Adult Learning would see").is_visible()
    assert page.locator("#preview").get_by_text("Get online and use websites").is_visible()
    audit.check("share: notice and preview")

    page.get_by_label("6 months").check()
    page.get_by_role("button", name="Yes, share this").click()
    page.wait_for_url("**/me/receipts/MML-*")
    code = re.search(r"MML-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", page.url).group(0)
    assert page.get_by_text("You allowed Melton Adult Learning to see your digital goals until").is_visible()
    audit.check("receipt after saying yes")

    page.goto(live_server.url + f"/me/sharing/providers/{provider.id}/digital/preview")
    audit.check("preview page")

    page.goto(live_server.url + "/me/sharing")
    page.get_by_role("button", name="Stop all sharing now").click()
    page.wait_for_url("**/me/receipts/MML-*")
    assert page.get_by_text("You paused sharing your digital goals with Melton Adult Learning.").is_visible()
    audit.check("receipt after stopping all")
    page.goto(live_server.url + "/me/sharing")
    assert page.locator(f"#p{provider.id}").get_by_text("Paused").is_visible()
    page.get_by_role("button", name="Start sharing again").click()
    page.wait_for_url("**/me/receipts/MML-*")
    audit.check("receipt after starting again")

    page.goto(live_server.url + "/me/sharing")
    section = page.locator(f"#p{provider.id}")
    section.get_by_label("Using computers, phones and the internet").uncheck()
    if javascript:
        section.get_by_text("See your receipt").wait_for()
        assert page.url.endswith("/me/sharing")
        audit.check("who can see my plan after stopping one")
    else:
        section.get_by_role("button", name="Save what Melton Adult Learning can see").click()
        page.wait_for_url("**/me/receipts/MML-*")
        assert page.get_by_text("From now, Melton Adult Learning cannot see your digital goals.").is_visible()
        audit.check("receipt after stopping one")

    page.goto(live_server.url + "/me/sharing/history")
    audit.check("sharing history")
    page.goto(live_server.url + "/me/looked")
    audit.check("who has looked")
    page.goto(live_server.url + "/me/data")
    audit.check("my data")

    stranger = browser.new_context(viewport=PHONE)
    check = stranger.new_page()
    check.goto(live_server.url + f"/receipt/{code}")
    assert check.get_by_text("This receipt is genuine").is_visible()
    assert "Amira" not in check.content()
    Auditor(check, artefacts / f"sharing-journey-{'js' if javascript else 'no-js'}" / "stranger").check("receipt check")
    stranger.close()
    context.close()
