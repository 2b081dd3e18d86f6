"""Texts in a real browser, on a 320 px phone, with JavaScript on and off: a resident adds and
confirms their number with the code texted to it (read from the outbox), says texting is safe and
that they want codes by text, then forgets their password and chooses a new one with a code by
text. Every page is audited with axe-core and photographed; the desktop width is checked too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser import Auditor, sign_in
from tests.conftest import PASSWORD, People
from tracker.domain.texts import Outbox

pytestmark = pytest.mark.browser
PHONE, DESKTOP = {"width": 320, "height": 640}, {"width": 1280, "height": 800}
NEW_PASSWORD = "violet kettle harbour"


def _in(language: str):
    """The site's words in ``language``, from the catalogue it ships (English as written)."""
    from babel.support import Translations

    from tracker import __file__ as package

    translations = Translations.load(str(Path(package).parent / "translations"), [language])
    return translations.gettext


def _latest_code() -> str:
    return re.search(r"\b(\d{6})\b", list(Outbox.bodies.values())[-1]).group(1)


@pytest.mark.parametrize(("javascript", "language"), [(True, "en"), (False, "en"), (False, "pl")], ids=["js", "no-js", "no-js-pl"])
def test_a_resident_confirms_their_number_and_later_resets_their_password_by_text(browser, live_app, live_server, artefacts,
                                                                                 javascript, language):
    from sqlmodel import Session

    _ = _in(language)
    session = Session(live_app.extensions["tracker_engine"], expire_on_commit=False)
    People(session).user("amira", display_name="Amira Hassan", preferred_language=language)
    folder = artefacts / f"texts-{language}-{'js' if javascript else 'no-js'}"
    for viewport in (PHONE, DESKTOP):
        context = browser.new_context(viewport=viewport)
        if not javascript:
            context.route("**/*.js", lambda route: route.abort())
        page = context.new_page()
        audit = Auditor(page, folder / str(viewport["width"]))
        sign_in(page, live_server.url, "amira", PASSWORD if viewport is PHONE else NEW_PASSWORD, "**/me/")
        page.goto(f"{live_server.url}/me/data")
        page.get_by_role("link", name=_("Choose how we contact you")).click()
        audit.check("how we contact you")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        if viewport is DESKTOP:
            context.close()
            break
        page.get_by_role("link", name=_("Add a number")).click()
        page.get_by_label(_("What is your mobile number?")).fill("07700 9001")
        page.get_by_role("button", name=_("Send me the code")).click()
        audit.check("number too short")
        page.get_by_label(_("What is your mobile number?")).fill("07700 900111")
        page.get_by_role("button", name=_("Send me the code")).click()
        page.wait_for_url("**/me/contact/confirm")
        audit.check("check your phone")
        page.get_by_label(re.compile(re.escape(_("Enter the 6-digit code we sent to %(number)s").split("%")[0].strip()))).fill(_latest_code())
        page.get_by_role("button", name=_("Confirm my number")).click()
        page.wait_for_url("**/me/contact")
        assert "07700 900111" in page.content()
        page.get_by_label(_("Yes"), exact=True).first.check()
        page.get_by_label(_("A code to choose a new password if you forget it (asked for on the sign-in page)")).check()
        page.get_by_role("button", name=_("Save my choices")).click()
        audit.check("choices saved")
        context.clear_cookies()  # (someone else at the shared PC, or the resident another day)

        page.goto(f"{live_server.url}/language/{language}?next=/login")
        page.get_by_role("link", name=_("Get a code by text")).click()
        audit.check("forgot")
        page.get_by_label(_("Username"), exact=True).fill("amira")
        page.get_by_label(_("Your mobile phone number"), exact=True).fill("07700 900111")
        page.get_by_role("button", name=_("Text me a code")).click()
        page.wait_for_url("**/forgot/code")
        audit.check("choose a new password")
        page.get_by_label(_("Code"), exact=True).fill(_latest_code())
        page.get_by_label(_("Choose a new password"), exact=True).fill(NEW_PASSWORD)
        page.get_by_role("button", name=_("Save my password and sign in")).click()
        page.wait_for_url("**/me/")
        audit.check("signed in with the new password")
        context.close()
