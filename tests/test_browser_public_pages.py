"""The privacy notice, accessibility statement, cookies and help pages in a real browser: on the
smallest phone and on a desktop, in English and Polish, signed out and signed in, with and without
JavaScript. Each is audited with axe-core, must not scroll sideways, and is photographed into
test-artefacts/."""

from __future__ import annotations

import pytest

from tests.browser import Auditor, sign_in
from tests.conftest import PASSWORD
from tracker.models import ProviderKind

pytestmark = pytest.mark.browser

SCREENS = {"320": {"width": 320, "height": 640}, "1280": {"width": 1280, "height": 800}}
PAGES = {"/privacy": "privacy", "/accessibility": "accessibility", "/cookies": "cookies", "/help": "help"}


def _organisations(people, db):
    """The demo's three organisations, with their real descriptions, and one that has closed."""
    from tracker.commands.demo import PROVIDERS

    for name, kind, description in (*PROVIDERS, ("Melton Closed Project", ProviderKind.OTHER, {"en": "Closed.", "pl": "Zamknięte."})):
        provider = people.provider(name, kind=kind)
        provider.description = description
        provider.active = name != "Melton Closed Project"
        db.add(provider)
    db.commit()


def _fits(page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width} px wide on a {width} px screen"


# Two of the four combinations: the page walker (tests/test_browser_walk.py) sees these pages in all
# four as well; here they are also checked in Polish, signed in, and for what the help page lists.
@pytest.mark.parametrize(("screen", "javascript"), [("320", False), ("1280", True)], ids=["320-no-js", "1280-js"])
def test_the_four_pages_on_a_phone_and_a_desktop(browser, live_server, people, db, artefacts, screen, javascript):
    _organisations(people, db)
    people.user("amira", display_name="Amira Hassan")
    viewport = SCREENS[screen]
    context = browser.new_context(viewport=viewport)
    if not javascript:
        context.route("**/*.js", lambda route: route.abort())
    page = context.new_page()
    audit = Auditor(page, artefacts / f"public-pages-{screen}-{'js' if javascript else 'no-js'}")

    for path, name in PAGES.items():
        page.goto(live_server.url + path)
        assert page.locator("h1").count() == 1
        _fits(page, viewport["width"])
        audit.check(f"{name} signed out")
    assert page.get_by_role("heading", name="Melton Money Advice").is_visible()
    assert page.get_by_text("Melton Closed Project").count() == 0

    # In Polish, from the header's switcher.
    page.get_by_role("link", name="Polski").click()
    assert page.locator("html").get_attribute("lang") == "pl"
    for path, name in PAGES.items():
        page.goto(live_server.url + path)
        _fits(page, viewport["width"])
        audit.check(f"{name} in polish")
    page.get_by_role("link", name="English").click()

    # Signed in, from the footer of the resident's home page.
    sign_in(page, live_server.url, "amira", PASSWORD, "**/me/")
    footer = page.locator("footer")
    for path, name in PAGES.items():
        link = footer.locator(f'a[href="{path}"]')
        link.click()
        page.wait_for_url(f"**{path}")
        _fits(page, viewport["width"])
        audit.check(f"{name} signed in")
    context.close()


def test_the_footer_links_work_by_keyboard(browser, live_server, artefacts):
    context = browser.new_context(viewport=SCREENS["320"])
    page = context.new_page()
    page.goto(live_server.url + "/login")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Privacy":
            break
    else:
        pytest.fail("Tab never reached the footer's Privacy link")
    assert page.evaluate("document.activeElement.closest('footer') !== null")
    page.keyboard.press("Enter")
    page.wait_for_url("**/privacy")
    assert page.get_by_role("heading", level=1, name="Privacy notice").is_visible()
    Auditor(page, artefacts / "public-pages-keyboard").check("privacy reached by keyboard")
    context.close()
