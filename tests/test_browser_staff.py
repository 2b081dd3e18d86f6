"""Staff journeys in a real browser, on a desktop (1280×800) and a phone (360×640): a tutor creates
an account with a resident, the resident chooses a password with the slip, and the tutor records
progress with them; provider staff filter their dashboard, download the CSV and read the figures.
Every page is audited with axe-core and photographed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from tests.browser import Auditor, sign_in
from tests.conftest import PASSWORD, People
from tests.sharing_helpers import Sharing
from tracker.domain import plan
from tracker.models import CatalogueGoal, User

pytestmark = pytest.mark.browser
SCREENS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 360, "height": 640}}


def _setup(live_app):
    db = Session(live_app.extensions["tracker_engine"], expire_on_commit=False)
    people = People(db)
    return db, people, Sharing(db, people)


@pytest.mark.parametrize("screen", list(SCREENS))
def test_a_tutor_registers_a_resident_and_records_progress_with_them(browser, live_app, live_server, artefacts, screen):
    db, _people, sharing = _setup(live_app)
    context = browser.new_context(viewport=SCREENS[screen])
    page = context.new_page()
    audit = Auditor(page, artefacts / f"staff-tutor-{screen}")
    sign_in(page, live_server.url, "tutor.a", PASSWORD, "**/tutor/")
    audit.check("my residents")

    page.get_by_role("link", name="Create an account for a resident").click()
    audit.check("create an account")
    page.get_by_label("The resident's name").fill("Dorota Nowak")
    page.get_by_label("Username for them").fill("dorota")
    page.get_by_label("Polski").check()
    page.get_by_role("button", name="Create the account and print the slip").click()
    code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", page.locator(".app-receipt-code").inner_text()).group(0)
    audit.check("setup slip")

    resident_context = browser.new_context(viewport=SCREENS["phone"])
    resident_page = resident_context.new_page()
    resident_audit = Auditor(resident_page, artefacts / f"staff-tutor-{screen}" / "resident")
    resident_page.goto(live_server.url + "/setup")
    resident_audit.check("choose password")
    resident_page.get_by_label("Username").fill("dorota")
    resident_page.get_by_label("Code").fill(code)
    resident_page.get_by_label("Choose a password", exact=True).fill("kettle garden lamp")
    resident_page.get_by_role("button").filter(has_text="Save my password").click()
    resident_page.wait_for_url("**/me/")
    assert resident_page.locator("html").get_attribute("lang") == "pl"
    resident_audit.check("resident home")

    # She shares her digital goals with the tutor's provider, and can be helped to record progress.
    dorota = db.exec(select(User).where(User.username == "dorota")).one()
    goal_id = db.exec(select(CatalogueGoal.id).where(CatalogueGoal.code == "digital.get-online")).one()
    plan.add_catalogue_goals(db, dorota.id, [goal_id], plan.Actor.of(dorota))
    db.commit()
    sharing.give(dorota, sharing.a, "digital", modes=("view", "record_progress"))

    page.goto(live_server.url + "/tutor/")
    page.get_by_role("link", name="Dorota Nowak").click()
    audit.check("resident overview")
    page.get_by_role("link", name="Using computers, phones and the internet").click()
    audit.check("choose a reason")
    page.get_by_label("to help you with your plan").check()
    page.get_by_role("button", name="Open the record").click()
    audit.check("shared area with recording")
    page.locator(".app-staff-goal").get_by_role("checkbox").first.check()
    page.get_by_role("button", name=re.compile("Save ticks with the resident")).click()
    expect(page.get_by_text("Saved. The resident can see this in their history.")).to_be_visible()  # waits for the page the click led to
    page.get_by_label("Trying").check()
    page.get_by_role("button", name="Save the check-in").click()
    audit.check("after recording")

    resident_page.goto(live_server.url + "/me/timeline")
    assert resident_page.get_by_text("Jo, Melton Adult Learning").first.is_visible()
    resident_audit.check("resident history")
    resident_context.close()
    context.close()
    db.close()


@pytest.mark.parametrize("screen", list(SCREENS))
def test_provider_staff_filter_the_dashboard_download_and_read_figures(browser, live_app, live_server, artefacts, screen):
    db, people, sharing = _setup(live_app)
    for n in range(7):
        resident = people.user(f"resident{n}", display_name=f"Resident Number{n}")
        sharing.give(resident, sharing.a, "digital" if n % 2 else "financial")
    context = browser.new_context(viewport=SCREENS[screen], accept_downloads=True)
    page = context.new_page()
    audit = Auditor(page, artefacts / f"staff-provider-{screen}")
    sign_in(page, live_server.url, "staff.a", PASSWORD, "**/provider/")
    expect(page.get_by_text("7 residents.")).to_be_visible()  # waits for the page the click led to
    audit.check("dashboard")
    page.get_by_label("Part of the plan").select_option("digital")
    page.get_by_role("button", name="Show residents").click()
    expect(page.get_by_text("3 residents.")).to_be_visible()  # waits for the page the click led to
    audit.check("dashboard filtered")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these residents (CSV)").click()
    content = Path(download.value.path()).read_text(encoding="utf-8")
    assert content.startswith("\ufeffresident,area") and content.count("\n") == 4
    page.goto(live_server.url + "/provider/?stage=9")
    expect(page.get_by_text("Choose a stage from the list").first).to_be_visible()  # waits for the page the click led to
    audit.check("dashboard with a bad filter")
    page.goto(live_server.url + "/provider/figures")
    audit.check("figures")
    context.close()
    db.close()
