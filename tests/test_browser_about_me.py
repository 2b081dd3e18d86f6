"""About me in a real browser, with JavaScript on and off, in English and Polish: a resident on a
320 px phone answers questions (a mistake first), says "I'd rather not say" to one, shares some
answers with Adult Learning but not her health, and her tutor (at a desk, 1280 px) sees that About
me changed, opens it for a reason, and sees exactly what she chose. Every page is audited with
axe-core and photographed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import Auditor, sign_in
from tests.conftest import PASSWORD, People
from tests.sharing_helpers import SECRET, Sharing
from tracker.domain import about_me, consent
from tracker.models import ABOUT_ME

pytestmark = pytest.mark.browser
PHONE, DESKTOP = {"width": 320, "height": 640}, {"width": 1280, "height": 800}
PURPOSES = [{"code": "plan_support", "text": {"en": "to help you with your plan", "pl": "aby pomóc w planie"}, "special": ["health"]},
            {"code": "progress_review", "text": {"en": "to review your progress", "pl": "aby sprawdzić postępy"}}]


def _in(language: str):
    """The site's words in ``language``, from the catalogue it ships (English as written)."""
    from babel.support import Translations

    from tracker import __file__ as package

    return Translations.load(str(Path(package).parent / "translations"), [language]).gettext


def _label(code: str, language: str) -> str:
    return about_me.field(code).label[language]


@pytest.mark.parametrize(("javascript", "language"), [(True, "en"), (False, "en"), (False, "pl")], ids=["js", "no-js", "no-js-pl"])
def test_a_resident_tells_it_once_and_her_tutor_sees_only_what_she_chose(browser, live_app, live_server, artefacts,
                                                                      javascript, language):
    from sqlmodel import Session

    _ = _in(language)
    db = Session(live_app.extensions["tracker_engine"], expire_on_commit=False)
    people = People(db)
    sharing = Sharing(db, people)
    consent.publish_notice(db, sharing.a, ABOUT_ME, access_modes=["view"], fields_shown=["phone", "languages", "health", "what_matters"],
                           purposes=PURPOSES, summary={"en": "Your tutor sees what you choose.", "pl": "Nauczyciel widzi to, co wybierzesz."},
                           retention={"en": "We keep no copies.", "pl": "Nie przechowujemy kopii."}, secret_key=SECRET)
    db.commit()
    amira = people.user("amira", display_name="Amira Hassan", preferred_language=language)
    sharing.give(amira, sharing.a, "digital")
    folder = artefacts / f"about-me-{language}-{'js' if javascript else 'no-js'}"

    context = browser.new_context(viewport=PHONE)
    if not javascript:
        context.route("**/*.js", lambda route: route.abort())
    page = context.new_page()
    audit = Auditor(page, folder / "resident")
    sign_in(page, live_server.url, "amira", PASSWORD, "**/me/")
    page.get_by_role("link", name=_("About me: tell your story once")).click()
    audit.check("about me")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.locator("a[href$='/me/about/phone']").click()
    page.get_by_label(_label("phone", language)).fill("07700 90")
    page.get_by_role("button", name=_("Save"), exact=True).click()
    audit.check("a phone number too short")
    assert _("Enter a UK phone number, like 07700 900 982 or 01664 502 502") in page.content()
    page.get_by_label(_label("phone", language)).fill("07700 900123")
    page.get_by_role("button", name=_("Save"), exact=True).click()
    page.wait_for_url("**/me/about*")
    assert "07700 900 123" in page.content()

    page.locator("a[href$='/me/about/languages']").click()
    page.get_by_label(_label("languages", language)).fill("Arabic, <b>some</b> English")
    page.get_by_role("button", name=_("Save"), exact=True).click()
    page.wait_for_url("**/me/about*")
    page.locator("a[href$='/me/about/health']").click()
    audit.check("a sensitive question")
    page.get_by_label(_label("health", language)).fill("Poor eyesight: I sit at the front")
    page.get_by_role("button", name=_("Save"), exact=True).click()
    page.wait_for_url("**/me/about*")
    page.locator("a[href$='/me/about/what_matters']").click()
    page.get_by_role("button", name=_("I\u2019d rather not say")).click()
    page.wait_for_url("**/me/about*")
    audit.check("answered")
    assert "Arabic, &lt;b&gt;some&lt;/b&gt; English" in page.content()

    # Share two answers with Adult Learning; health is asked separately and stays "No".
    page.goto(f"{live_server.url}/me/sharing/providers/{sharing.a.id}/about_me")
    audit.check("share about me")
    page.get_by_role("button", name=_("Share this")).click()
    audit.check("nothing ticked")
    assert _("Choose at least one thing to share. To share nothing, do not share, or stop sharing.") in page.content()
    page.get_by_label(_label("phone", language)).check()
    page.get_by_label(_label("languages", language)).check()
    page.get_by_label(_("12 months")).check()
    page.get_by_role("button", name=_("Share this")).click()
    page.wait_for_url("**/me/sharing?changed=*")
    audit.check("shared")
    assert _("Answers shared: %(fields)s.") % {"fields": f"{_label('phone', language)}, {_label('languages', language)}"} in page.content()
    page.goto(f"{live_server.url}/me/about")
    assert page.get_by_text(_("Shared with: %(names)s") % {"names": "Melton Adult Learning"}).count() == 2
    context.close()

    # Her tutor, at a desk.
    context = browser.new_context(viewport=DESKTOP)
    if not javascript:
        context.route("**/*.js", lambda route: route.abort())
    page = context.new_page()
    audit = Auditor(page, folder / "tutor")
    sign_in(page, live_server.url, "tutor.a", PASSWORD, "**/tutor/")
    assert "About me changed" in page.content()
    audit.check("caseload")
    page.get_by_role("link", name="Amira Hassan").click()
    page.get_by_role("link", name="About me", exact=True).click()
    audit.check("why are you opening this record")
    page.get_by_label("to help you with your plan").check()
    page.get_by_role("button", name="Open the record").click()
    audit.check("about me for staff")
    content = page.content()
    assert "07700 900 123" in content and "Arabic, &lt;b&gt;some&lt;/b&gt; English" in content
    assert "Poor eyesight" not in content  # not shared: she said no to it
    context.close()
    db.close()
