"""The pages that used to spill sideways or fail contrast, on a 320 px phone with the demo data:
no page wider than the screen, tables stacked into rows, axe clean (goals already in the plan are
shown ticked at full contrast, not greyed to half opacity)."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from tests.browser import Auditor, sign_in
from tracker.commands.demo import DEMO_PASSWORD, load_demo
from tracker.models import ConsentReceipt, User

pytestmark = pytest.mark.browser

PAGES = {
    "amira": ["/me/progress", "/me/receipts/{receipt}", "/me/plan/choose", "/me/looked"],
    "staff.jobs": ["/provider/"],
    "admin": ["/admin/providers", "/admin/staff", "/admin/catalogue"],
    None: ["/receipt/{receipt}"],
}
HOMES = {"amira": "**/me/", "staff.jobs": "**/provider/", "admin": "**/admin/"}


# Polish only: the page walker checks every page in English at 320 px, but admins' pages only in English.
@pytest.mark.parametrize("language", ["pl"])
def test_nothing_is_wider_than_a_small_phone(browser, live_app, live_server, artefacts, language):
    with Session(live_app.extensions["tracker_engine"]) as db:
        load_demo(db, live_app.config["SECRET_KEY"])
        db.commit()
        amira = db.exec(select(User).where(User.username == "amira")).one()
        receipt = db.exec(select(ConsentReceipt.code).where(ConsentReceipt.resident_id == amira.id)).first()
    width = 320 if language == "en" else 360
    too_wide = []
    for username, paths in PAGES.items():
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        audit = Auditor(page, artefacts / f"small-screens-{language}-{username or 'anyone'}")
        if language == "pl":
            page.goto(live_server.url + "/language/pl?next=/login")
        if username:
            sign_in(page, live_server.url, username, DEMO_PASSWORD, HOMES[username]) if language == "en" else _sign_in_pl(page, live_server.url, username)
        for path in paths:
            response = page.goto(live_server.url + path.format(receipt=receipt))
            assert response.status == 200, path
            audit.check(path)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                too_wide.append(f"{path}: {scroll} px at {width} px")
        context.close()
    assert not too_wide, too_wide


def _sign_in_pl(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")


CLS = """() => new Promise((done) => {
  let total = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
  }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => done(total), 1000);
})"""


def test_the_menu_is_folded_from_the_first_paint_on_a_phone(browser, live_app, live_server):
    """Lighthouse measured a layout shift of 0.12-0.20: the navigation was drawn as a full list,
    then folded into "Menu" when the scripts ran, moving the page up by about 180 px."""
    with Session(live_app.extensions["tracker_engine"]) as db:
        load_demo(db, live_app.config["SECRET_KEY"])
        db.commit()
    context = browser.new_context(viewport={"width": 360, "height": 640})
    page = context.new_page()
    sign_in(page, live_server.url, "amira", DEMO_PASSWORD, "**/me/")
    for path in ("/me/", "/me/plan", "/me/sharing"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        assert page.evaluate(CLS) < 0.02, path
        assert page.get_by_role("button", name="Menu").is_visible()
        assert not page.locator(".govuk-service-navigation__list").is_visible()
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_printing_works_with_and_without_javascript(browser, live_app, live_server, javascript):
    """With JavaScript a Print button; without it, how to print with the browser (never a button
    that does nothing)."""
    with Session(live_app.extensions["tracker_engine"]) as db:
        load_demo(db, live_app.config["SECRET_KEY"])
        db.commit()
        amira = db.exec(select(User).where(User.username == "amira")).one()
        receipt = db.exec(select(ConsentReceipt.code).where(ConsentReceipt.resident_id == amira.id)).first()
    context = browser.new_context(viewport={"width": 320, "height": 800}, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(live_server.url + "/login")
    page.locator("#username").fill("amira")
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/me/")
    for path in (f"/me/receipts/{receipt}", "/me/plan/print", "/me/export"):
        page.goto(live_server.url + path)
        button = page.get_by_role("button", name=re.compile("^Print"))
        how = page.get_by_text("To print this page, use your browser's Print")
        assert button.is_visible() == javascript and how.is_visible() != javascript, path
    context.close()
