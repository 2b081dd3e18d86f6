"""Sharing in a real browser on a phone, with JavaScript on and off: from the summary's "Change",
give (after the preview), the banner and the receipt, pause everything and undo it, stop sharing,
and check a receipt as a stranger. Every page is
audited with axe-core and photographed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
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

    card = page.locator(f"#p{provider.id}")
    card.get_by_role("link", name=re.compile("^Change.*Using computers")).click()
    page.wait_for_url(f"**/me/sharing/providers/{provider.id}/digital")
    expect(page.get_by_text("Exactly what Melton Adult Learning would see")).to_be_visible()
    expect(page.locator("#preview").get_by_text("Get online and use websites")).to_be_visible()
    audit.check("share: notice and preview")

    page.get_by_label("6 months").check()
    page.get_by_role("button", name="Share this").click()
    page.wait_for_url("**/me/sharing?changed=MML-*")
    code = re.search(r"MML-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", page.url).group(0)
    banner = page.locator("#changed")
    expect(banner.get_by_text("You allowed Melton Adult Learning to see your digital goals until")).to_be_visible()
    expect(page.locator(f"#p{provider.id}").get_by_text("Sharing", exact=True)).to_be_visible()
    audit.check("summary after sharing, with its banner")
    banner.get_by_role("link", name="See or print your receipt").click()
    page.wait_for_url(f"**/me/receipts/{code}")
    audit.check("receipt after saying yes")

    page.goto(live_server.url + f"/me/sharing/providers/{provider.id}/digital/preview")
    audit.check("preview page")

    page.goto(live_server.url + "/me/sharing")
    page.get_by_role("button", name="Stop all sharing now").click()
    page.wait_for_url("**/me/sharing?changed=MML-*")
    expect(page.locator("#changed").get_by_text("You paused sharing your digital goals with Melton Adult Learning.")).to_be_visible()
    expect(page.locator(f"#p{provider.id}").get_by_text("Paused", exact=True)).to_be_visible()
    page.locator("#changed").get_by_role("button", name=re.compile("^Undo")).click()  # a new change, the other way
    expect(page.locator("#changed").get_by_text("You started sharing your digital goals with Melton Adult Learning again.")).to_be_visible()
    audit.check("summary after undo")

    page.locator(f"#p{provider.id}").get_by_role("link", name=re.compile("^Change.*Using computers")).click()
    page.wait_for_url(f"**/me/sharing/providers/{provider.id}/digital")
    audit.check("what they can see now, with stop sharing")
    page.get_by_role("button", name="Stop sharing").click()
    page.wait_for_url("**/me/sharing?changed=MML-*")
    expect(page.locator("#changed").get_by_text("You stopped sharing your digital goals with Melton Adult Learning.")).to_be_visible()
    audit.check("summary after stopping one")

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
