"""A referral from start to end in a real browser, with JavaScript on and off, for a resident who
reads English and one who reads Polish: a tutor (desktop) refers, the resident (a 320 px phone)
sees exactly what would travel and agrees, the receiving service accepts and closes it, and the
resident sees how it ended. Every page is audited with axe-core and photographed."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session

from tests.browser import Auditor, sign_in
from tests.conftest import PASSWORD, People
from tests.sharing_helpers import Sharing

pytestmark = pytest.mark.browser
DESKTOP, PHONE = {"width": 1280, "height": 800}, {"width": 320, "height": 640}

# What the resident reads, in each language.
WORDS = {
    "en": {"look": "Look and decide", "agree": "Agree and send", "sent": "Sent: waiting for a reply", "closed": "Closed",
           "got_help": "Got help", "what": "Exactly what Melton Jobs Support would see"},
    "pl": {"look": "Zobacz i zdecyduj", "agree": "Zgadzam się i wysyłam", "sent": "Wysłane: czeka na odpowiedź",
           "closed": "Zamknięte", "got_help": "Otrzymał(a) pomoc", "what": "Dokładnie to, co zobaczyłaby organizacja Melton Jobs Support"},
}


def _context(browser, viewport, javascript):
    context = browser.new_context(viewport=viewport)
    if not javascript:
        context.route("**/*.js", lambda route: route.abort())
    return context


@pytest.mark.parametrize("language", ["en", "pl"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_referral_from_the_tutor_to_the_service_with_the_resident_deciding(browser, live_app, live_server, artefacts,
                                                                            javascript, language):
    db = Session(live_app.extensions["tracker_engine"], expire_on_commit=False)
    people = People(db)
    sharing = Sharing(db, people)
    amira = people.user("amira", display_name="Amira Hassan", preferred_language=language)
    sharing.give(amira, sharing.a, "digital")
    sharing.service(sharing.b)
    words = WORDS[language]
    folder = artefacts / f"referral-{language}-{'js' if javascript else 'no-js'}"

    # The tutor refers Amira (desktop).
    tutor = _context(browser, DESKTOP, javascript).new_page()
    tutor_audit = Auditor(tutor, folder / "tutor")
    sign_in(tutor, live_server.url, "tutor.a", PASSWORD, "**/tutor/")
    tutor.get_by_role("link", name="Amira Hassan").click()
    tutor.wait_for_url("**/staff/residents/*")
    tutor.get_by_role("link", name="Refer Amira to a service that could help").click()
    tutor_audit.check("choose a service")
    tutor.get_by_label("Melton Jobs Support: CV and job search drop-in").check()
    tutor.get_by_role("button", name="Continue").click()
    tutor_audit.check("what goes with it")
    tutor.get_by_role("button", name="Save the referral for the resident").click()
    tutor_audit.check("errors")  # nothing chosen or written: GOV.UK errors, nothing saved
    assert tutor.locator(".govuk-error-summary").is_visible()
    tutor.get_by_label("Getting ready for work").check()
    tutor.get_by_label("Why are you referring them?").fill("Amira is ready to write her CV.")
    tutor.get_by_label("What will you keep doing until the service replies?").fill("I will call Amira next week.")
    tutor.get_by_role("button", name="Save the referral for the resident").click()
    tutor.wait_for_url(re.compile(r".*/staff/residents/\w+$"))
    assert "Waiting for the resident" in tutor.content()
    tutor_audit.check("referral saved")

    # Amira agrees on her phone, after seeing what would travel.
    resident = _context(browser, PHONE, javascript).new_page()
    resident_audit = Auditor(resident, folder / "resident")
    sign_in(resident, live_server.url, "amira", PASSWORD, "**/me/")
    assert resident.locator("html").get_attribute("lang") == language
    resident_audit.check("home with the referral")
    resident.get_by_role("link", name=re.compile(words["look"])).click()
    resident.wait_for_url("**/me/referrals/*")
    assert words["what"] in resident.content() and "Amira is ready to write her CV." in resident.content()
    resident_audit.check("the referral to decide")
    resident.get_by_role("button", name=words["agree"]).click()
    resident.wait_for_load_state("load")
    assert words["sent"] in resident.content()
    resident_audit.check("sent")

    # The service accepts and closes it.
    receiver = _context(browser, DESKTOP, javascript).new_page()
    receiver_audit = Auditor(receiver, folder / "receiver")
    sign_in(receiver, live_server.url, "tutor.b", PASSWORD, "**/tutor/")
    receiver.get_by_role("link", name="Referrals to you").click()
    receiver_audit.check("inbox")
    receiver.get_by_role("link", name="Amira Hassan").click()
    receiver.wait_for_url("**/referrals/*")
    receiver_audit.check("the referral")
    receiver.get_by_role("button", name="Accept the referral").click()
    receiver.wait_for_load_state("load")
    receiver.get_by_role("button", name="We have started helping").click()
    receiver.wait_for_load_state("load")
    receiver.get_by_label("Got help").check()
    receiver.get_by_role("button", name="Close the referral").click()
    receiver.wait_for_load_state("load")
    assert "Closed by the service" in receiver.content()
    receiver_audit.check("closed")

    # Amira sees the same story.
    resident.reload()
    assert words["closed"] in resident.content() and words["got_help"] in resident.content()
    resident_audit.check("how it ended")
    db.close()
