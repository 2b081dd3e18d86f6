"""About me as staff meet it: only the answers a resident chose to share with their organisation, a
sensitive one only for the reason the notice names for it, every look logged with exactly what
was shown, "changed since you last looked" on the resident's page and on the lists, a tutor
filling it in with the resident beside them, an admin publishing the notice, and the resident's
export and erasure."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from tests.conftest import sign_in
from tests.sharing_helpers import SECRET, Sharing
from tracker.domain import about_me, consent, data_rights
from tracker.models import ABOUT_ME, AboutMeEntry, AccessAction, AccessLogEntry

FIELDS = ["phone", "languages", "learning_barriers", "health", "what_matters"]
PURPOSES = [{"code": "plan_support", "text": {"en": "to help you with your plan", "pl": "aby pomóc w planie"}, "special": ["health"]},
            {"code": "progress_review", "text": {"en": "to review your progress", "pl": "aby sprawdzić postępy"}}]


def _publish_about_me(db, provider, fields=FIELDS, purposes=PURPOSES, modes=("view", "record_progress")):
    notice = consent.publish_notice(
        db, provider, ABOUT_ME, access_modes=list(modes), fields_shown=list(fields), purposes=purposes,
        summary={"en": "They see what you choose of About me.", "pl": "Widzą to, co wybierzesz z sekcji O mnie."},
        retention={"en": "We keep no copies.", "pl": "Nie przechowujemy kopii."}, secret_key=SECRET)
    db.commit()
    return notice


@pytest.fixture
def world(db, people):
    sharing = Sharing(db, people)
    notice = _publish_about_me(db, sharing.a)
    amira = people.user("amira", display_name="Amira Hassan")
    sharing.give(amira, sharing.a, "digital")  # she shares her plan too, so she is on the lists
    me = about_me.Entrant.resident(amira)
    for code, value in [("phone", {"text": "07700 900 123"}), ("languages", {"text": "Arabic"}),
                        ("health", {"text": "Poor eyesight: I sit at the front"}), ("what_matters", {"text": "A job"})]:
        about_me.save(db, amira.id, code, value, entrant=me)
    db.commit()
    return sharing, notice, amira


def _share(db, resident, notice, fields, modes=("view",)):
    with consent.Change(db, resident.id, consent.ConsentActor.resident(resident), SECRET) as change:
        grant = change.give(notice, list(modes), 12, list(fields))
    db.commit()
    return grant


def _as(app, username):
    client = app.test_client()
    assert sign_in(client, username).status_code == 303
    return client


def _main(html: str) -> str:
    """The page's main content (the same for a resident not shared and one who does not exist)."""
    return html.split("<main", 1)[1].split("</main>")[0]


def _log(db, resident_id):
    return db.exec(select(AccessLogEntry).where(AccessLogEntry.resident_id == resident_id, AccessLogEntry.area == ABOUT_ME)
                   .order_by(AccessLogEntry.seq)).all()


def test_staff_see_only_the_answers_the_resident_chose_and_each_look_is_logged_with_them(world, db, app):
    _sharing, notice, amira = world
    _share(db, amira, notice, ["phone", "languages", "health"])
    client = _as(app, "tutor.a")
    assert "Why are you opening this record?" in client.get(f"/staff/residents/{amira.id}/about").text
    page = client.get(f"/staff/residents/{amira.id}/about?purpose=plan_support").text
    assert "07700 900 123" in page and "Arabic" in page and "Poor eyesight" in page
    assert "A job" not in page  # what matters to her: asked for, not chosen
    [look] = [e for e in _log(db, amira.id) if e.action == AccessAction.OPENED]
    assert look.fields_disclosed == ["phone", "languages", "health"] and look.purpose_code == "plan_support"
    # The resident reads the look in "who looked".
    client = _as(app, "amira")
    looked = client.get("/me/looked").text
    assert "opened your About me: Phone number; Languages I speak; Health conditions that affect my plans" in looked


def test_a_sensitive_answer_is_shown_only_for_the_reason_the_notice_names_for_it(world, db, app):
    _sharing, notice, amira = world
    _share(db, amira, notice, ["phone", "health"])
    client = _as(app, "staff.a")
    page = client.get(f"/staff/residents/{amira.id}/about?purpose=progress_review").text
    assert "07700 900 123" in page and "Poor eyesight" not in page
    assert "sensitive answer with you for another reason" in page
    [look] = [e for e in _log(db, amira.id) if e.action == AccessAction.OPENED]
    assert look.fields_disclosed == ["phone"]
    # A reason the notice does not give is refused, and nothing is shown or logged.
    response = client.get(f"/staff/residents/{amira.id}/about?purpose=marketing")
    assert response.status_code == 400 and "07700" not in response.text


def test_health_is_never_shared_without_its_own_yes(world, db, app):
    sharing, notice, amira = world
    client = _as(app, "amira")
    # Ticking every box, but not the separate yes for health, leaves health out.
    response = client.post(f"/me/sharing/providers/{sharing.a.id}/about_me",
                           data={"notice": notice.id, "fields": ["phone", "health"], "special_health": "no", "months": "12"})
    assert response.status_code == 303
    [decision] = consent.decisions_for(db, sharing.tutor_a, [amira.id], area=ABOUT_ME)
    assert decision.fields == ("phone",)


def test_nobody_sees_about_me_without_a_consent_to_it_even_when_the_plan_is_shared(world, db, app):
    sharing, notice, amira = world
    for username in ("tutor.a", "staff.a", "tutor.b"):
        client = _as(app, username)
        response = client.get(f"/staff/residents/{amira.id}/about?purpose=plan_support")
        missing = client.get(f"/staff/residents/{'0' * 32}/about?purpose=plan_support")
        assert response.status_code == 404 and _main(response.text) == _main(missing.text)
    # Tutors at another organisation cannot see it even once it is shared with A.
    _share(db, amira, notice, ["phone"])
    client = _as(app, "tutor.b")
    assert client.get(f"/staff/residents/{amira.id}/about?purpose=plan_support").status_code == 404
    # The plan page never reads About me: the decisions for the plan are the plan's.
    assert {d.area for d in consent.decisions_for(db, sharing.tutor_a, [amira.id])} == {"digital"}


def test_a_change_shows_as_changed_since_you_last_looked_until_the_organisation_looks(world, db, app):
    _sharing, notice, amira = world
    _share(db, amira, notice, ["phone", "languages"])
    client = _as(app, "tutor.a")
    assert "About me changed" in client.get("/tutor/").text  # never looked: all of it is new to them
    client.get(f"/staff/residents/{amira.id}/about?purpose=plan_support")
    assert "About me changed" not in client.get("/tutor/").text
    assert "About me changed" not in client.get(f"/staff/residents/{amira.id}").text
    # A change to an answer they cannot see is not news to them; one they can see is.
    about_me.save(db, amira.id, "what_matters", {"text": "A job near home"}, entrant=about_me.Entrant.resident(amira))
    db.commit()
    assert "About me changed" not in client.get("/tutor/").text
    about_me.save(db, amira.id, "languages", {"text": "Arabic, some English"}, entrant=about_me.Entrant.resident(amira))
    db.commit()
    assert "About me changed" in client.get("/tutor/").text
    page = client.get(f"/staff/residents/{amira.id}").text
    assert "About me changed since you last looked" in page
    about = client.get(f"/staff/residents/{amira.id}/about?purpose=plan_support").text
    assert "Changed since you last looked" in about and "Languages I speak" in about.split("Changed since you last looked")[1]
    # The flag was a look too: logged as that, and nothing more.
    flags = [e for e in _log(db, amira.id) if e.action == AccessAction.LISTED]
    assert flags and all(e.fields_disclosed in (["about_me_changed"], []) for e in flags)


def test_provider_staff_see_the_flag_on_their_dashboard(world, db, app):
    _sharing, notice, amira = world
    _share(db, amira, notice, ["phone"])
    client = _as(app, "staff.a")
    assert "About me changed" in client.get("/provider/").text


def test_a_tutor_fills_in_an_answer_with_the_resident_beside_them(world, db, app):
    _sharing, notice, amira = world
    _share(db, amira, notice, ["phone", "learning_barriers"], modes=("view", "record_progress"))
    client = _as(app, "tutor.a")
    url = f"/tutor/residents/{amira.id}/about/learning_barriers?purpose=plan_support"
    assert client.get(url).status_code == 200
    # Without saying the resident is there, nothing is written.
    response = client.post(url, data={"answer": ["childcare"]})
    assert response.status_code == 400 and "Confirm the resident is with you" in response.text
    assert "learning_barriers" not in about_me.answers(db, amira.id)
    assert client.post(url, data={"answer": ["childcare"], "with_resident": "y"}).status_code == 303
    db.expire_all()
    entry = about_me.answers(db, amira.id)["learning_barriers"]
    assert entry.value == {"choices": ["childcare"]} and entry.with_resident and entry.entered_by_name == "Jo"
    recorded = [e for e in _log(db, amira.id) if e.action == AccessAction.RECORDED]
    assert recorded and recorded[-1].fields_disclosed == ["learning_barriers"]
    # An answer she does not share with them, or a reason that hides it, is not theirs to fill in.
    assert client.get(f"/tutor/residents/{amira.id}/about/what_matters?purpose=plan_support").status_code == 404
    assert client.get(f"/tutor/residents/{amira.id}/about/health?purpose=plan_support").status_code == 404
    client = _as(app, "amira")
    assert "Jo from Melton Adult Learning wrote this with you." in client.get("/me/about").text


def test_a_tutor_cannot_fill_in_about_me_when_the_resident_only_lets_them_look(world, db, app):
    _sharing, notice, amira = world
    _share(db, amira, notice, ["phone"], modes=("view",))
    client = _as(app, "tutor.a")
    assert client.get(f"/tutor/residents/{amira.id}/about/phone?purpose=plan_support").status_code == 404
    client = _as(app, "staff.a")  # (and provider staff never record)
    assert client.get(f"/tutor/residents/{amira.id}/about/phone?purpose=plan_support").status_code == 403


def test_an_admin_publishes_an_about_me_notice_and_sensitive_answers_need_a_reason(world, db, app):
    sharing, _notice, _amira = world
    client = _as(app, "the.admin")
    form = {"area": ABOUT_ME, "shown": ["phone", "benefits"], "purposes": ["plan_support", "progress_review"],
            "summary_en": "Your adviser sees your phone and benefits.", "summary_pl": "Doradca widzi telefon i świadczenia.",
            "retention_en": "No copies.", "retention_pl": "Bez kopii.", "material": "no"}
    response = client.post(f"/admin/providers/{sharing.b.id}/notices/new", data=form)
    assert response.status_code == 400 and "Choose which of the reasons they will see sensitive answers for" in response.text
    assert consent.current_notice(db, sharing.b.id, ABOUT_ME) is None
    wrong = client.post(f"/admin/providers/{sharing.b.id}/notices/new", data={**form, "shown": ["phone", "goal_titles"]})
    assert wrong.status_code == 400 and consent.current_notice(db, sharing.b.id, ABOUT_ME) is None
    assert client.post(f"/admin/providers/{sharing.b.id}/notices/new", data={**form, "special_for": "progress_review"}).status_code == 303
    published = consent.current_notice(db, sharing.b.id, ABOUT_ME)
    assert published.fields_shown == ["phone", "benefits"]
    assert [p.get("special") for p in published.purposes] == [None, ["benefits"]]


def test_a_notice_must_name_a_reason_for_each_sensitive_answer(world, db):
    sharing, _notice, _amira = world
    with pytest.raises(consent.ConsentError):
        _publish_about_me(db, sharing.b, fields=["phone", "health"],
                          purposes=[{"code": "plan_support", "text": {"en": "x", "pl": "x"}}])
    db.rollback()
    with pytest.raises(consent.ConsentError):  # a reason naming an answer that is not sensitive
        _publish_about_me(db, sharing.b, fields=["phone"],
                          purposes=[{"code": "plan_support", "text": {"en": "x", "pl": "x"}, "special": ["phone"]}])
    db.rollback()
    with pytest.raises(consent.ConsentError):  # a plan area has no About me answers
        consent.publish_notice(db, sharing.b, "digital", access_modes=["view"], fields_shown=["phone"], purposes=PURPOSES[1:],
                               summary={"en": "x", "pl": "x"}, retention={"en": "x", "pl": "x"}, secret_key=SECRET)


def test_about_me_is_in_the_download_and_erased_with_the_account(world, db, people):
    _sharing, _notice, amira = world
    exported = data_rights.export(db, amira)["about_me"]
    assert [e["field"] for e in exported] == ["phone", "languages", "health", "what_matters"]
    assert json.dumps(exported)  # (the download is JSON)
    other = people.user("other")
    about_me.save(db, other.id, "phone", {"text": "01664 502502"}, entrant=about_me.Entrant.resident(other))
    db.commit()
    data_rights.erase(db, amira)
    db.commit()
    assert db.exec(select(AboutMeEntry).where(AboutMeEntry.resident_id == amira.id)).all() == []
    assert len(db.exec(select(AboutMeEntry).where(AboutMeEntry.resident_id == other.id)).all()) == 1


def test_about_me_entries_are_append_only(world, db):
    _sharing, _notice, amira = world
    entry = db.exec(select(AboutMeEntry).where(AboutMeEntry.resident_id == amira.id)).first()
    entry.value = {"text": "rewritten"}
    db.add(entry)
    with pytest.raises(Exception, match="append-only"):
        db.commit()
    db.rollback()


def _closed_referral(db, provider, resident, name):
    from tracker.clock import utcnow
    from tracker.models import DirectoryOrganisation, DirectoryService, Referral

    if db.get(DirectoryOrganisation, provider.id) is None:
        db.add(DirectoryOrganisation(id=provider.id, provider_id=provider.id))
        db.flush()
    service = DirectoryService(organisation_id=provider.id, name={"en": name, "pl": name}, description={"en": "In Melton."})
    db.add(service)
    db.flush()
    now = utcnow()
    referral = Referral(resident_id=resident.id, service_id=service.id, to_provider_id=provider.id, referred_by_id=resident.id,
                        referred_by_name="Amira", state="closed", created_at=now, sent_at=now, replied_at=now, changed_at=now)
    db.add(referral)
    db.commit()
    return referral


def test_a_tutor_filling_in_sees_neither_other_organisations_nor_the_services_the_resident_hid(world, db, app):
    sharing, notice, amira = world
    notice = _publish_about_me(db, sharing.a, fields=[*FIELDS, "support_already"])
    _share(db, amira, notice, ["phone", "support_already"], modes=("view", "record_progress"))
    other = _publish_about_me(db, sharing.b)
    _share(db, amira, other, ["phone"])
    kept = _closed_referral(db, sharing.b, amira, "Debt advice drop-in")
    hidden = _closed_referral(db, sharing.b, amira, "Rent arrears clinic")
    about_me.save(db, amira.id, "support_already", {"text": "", "hidden": [hidden.id]}, entrant=about_me.Entrant.resident(amira))
    db.commit()
    client = _as(app, "tutor.a")
    page = client.get(f"/tutor/residents/{amira.id}/about/phone?purpose=plan_support").text
    assert "Melton Jobs Support" not in page  # who else she shares with is not theirs to know
    support = client.get(f"/tutor/residents/{amira.id}/about/support_already?purpose=plan_support").text
    assert "Debt advice drop-in" in support and "Rent arrears clinic" not in support
    # Saving with her keeps the hidden one hidden.
    assert client.post(f"/tutor/residents/{amira.id}/about/support_already?purpose=plan_support",
                       data={"shown": [kept.id], "answer": "A food bank", "with_resident": "y"}).status_code == 303
    db.expire_all()
    assert about_me.answers(db, amira.id)["support_already"].value == {"text": "A food bank", "hidden": [hidden.id]}


def test_a_look_that_withheld_an_answer_does_not_count_as_seeing_it(world, db, app):
    _sharing, notice, amira = world
    _share(db, amira, notice, ["phone", "health"])
    client = _as(app, "staff.a")
    client.get(f"/staff/residents/{amira.id}/about?purpose=progress_review")  # health withheld for this reason
    page = client.get(f"/staff/residents/{amira.id}/about?purpose=plan_support").text
    assert "Changed since you last looked" in page and "Health conditions" in page.split("Changed since you last looked")[1]


def test_lists_are_not_told_that_a_sensitive_answer_changed(world, db, app):
    _sharing, notice, amira = world
    _share(db, amira, notice, ["phone", "health"])
    client = _as(app, "tutor.a")
    client.get(f"/staff/residents/{amira.id}/about?purpose=plan_support")
    about_me.save(db, amira.id, "health", {"text": "Now I also need breaks"}, entrant=about_me.Entrant.resident(amira))
    db.commit()
    assert "About me changed" not in client.get("/tutor/").text
    assert "About me changed" not in client.get(f"/staff/residents/{amira.id}").text


def test_a_new_choice_of_answers_keeps_the_end_date_and_is_not_stopping(world, db, app):
    sharing, notice, amira = world
    grant = _share(db, amira, notice, ["phone", "languages"])
    client = _as(app, "amira")
    assert client.post(f"/me/sharing/providers/{sharing.a.id}/about_me",
                       data={"notice": notice.id, "fields": ["phone"], "special_health": "no"}).status_code == 303
    [decision] = consent.decisions_for(db, sharing.tutor_a, [amira.id], area=ABOUT_ME)
    assert decision.fields == ("phone",) and decision.grant.valid_until == grant.valid_until
    assert not consent.stopped_sharing_since(db, amira.id, sharing.a.id, grant.given_at)


def test_the_resident_can_let_tutors_fill_in_with_her(world, db, app):
    sharing, notice, amira = world
    client = _as(app, "amira")
    page = client.get(f"/me/sharing/providers/{sharing.a.id}/about_me").text
    assert "Also let their tutors fill in these answers with me" in page
    client.post(f"/me/sharing/providers/{sharing.a.id}/about_me",
                data={"notice": notice.id, "fields": ["phone"], "record": "y", "months": "6"})
    [decision] = consent.decisions_for(db, sharing.tutor_a, [amira.id], area=ABOUT_ME)
    assert decision.allows("record_progress")
    assert _as(app, "tutor.a").get(f"/tutor/residents/{amira.id}/about/phone?purpose=plan_support").status_code == 200


def test_the_tutors_in_person_consent_page_offers_only_the_plan(world, db, app):
    _sharing, _notice, _amira = world
    page = _as(app, "tutor.a").get("/tutor/assisted-consent")
    assert page.status_code == 200 and "About me" not in page.text.split("<main", 1)[1]


def test_a_big_change_to_the_notice_puts_about_me_on_hold_and_says_what_it_now_asks_for(world, db, app):
    sharing, notice, amira = world
    _share(db, amira, notice, ["phone"])
    consent.publish_notice(db, sharing.a, ABOUT_ME, access_modes=["view"], fields_shown=[*FIELDS, "caring"], purposes=PURPOSES,
                           summary={"en": "Now with caring.", "pl": "Teraz z opieką."}, retention={"en": "No copies.", "pl": "Bez kopii."},
                           material=True, change_summary={"en": "We also ask who you look after.", "pl": "Pytamy też o opiekę."},
                           secret_key=SECRET)
    db.commit()
    assert consent.decisions_for(db, sharing.tutor_a, [amira.id], area=ABOUT_ME) == []  # on hold: nobody sees it
    page = _as(app, "amira").get(f"/me/sharing/providers/{sharing.a.id}/about_me").text
    assert "They now also ask to see:" in page and "Do you look after anyone?" in page.split("They now also ask to see:")[1]
    assert 'checked' not in page.split('name="fields"')[1].split(">")[0]  # a new yes, not one taken for granted


def _sample(spec):
    if spec.kind in ("one", "many"):
        return {"choices": [spec.options[0].code]}
    if spec.kind == "address":
        return {"lines": ["4 Sherrard Street", "LE13 1XJ"]}
    if spec.kind == "phone":
        return {"text": "01664 502502"}
    if spec.kind == "support":
        return {"text": f"Sample {spec.code}", "hidden": []}
    return {"text": f"Sample {spec.code}"}


@pytest.mark.parametrize("code", about_me.field_codes())
def test_every_answer_is_shown_only_when_shared_and_a_sensitive_one_only_for_its_reason(db, people, app, code):
    """The consent matrix, answer by answer: the notice asks for every answer (the sensitive ones
    for plan_support only); the resident shares just this one."""
    sharing = Sharing(db, people)
    sensitive = sorted(about_me.sensitive_codes())
    notice = _publish_about_me(db, sharing.a, fields=list(about_me.field_codes()),
                               purposes=[{**PURPOSES[0], "special": sensitive}, PURPOSES[1]])
    amira = people.user("amira", display_name="Amira Hassan")
    me = about_me.Entrant.resident(amira)
    for other in about_me.field_codes():
        about_me.save(db, amira.id, other, _sample(about_me.field(other)), entrant=me)
    db.commit()
    _share(db, amira, notice, [code])
    labels = {c: about_me.field(c).label["en"] for c in about_me.field_codes()}
    for purpose, shows in (("plan_support", True), ("progress_review", code not in sensitive)):
        page = _as(app, "tutor.a").get(f"/staff/residents/{amira.id}/about?purpose={purpose}").text
        main = _main(page)
        assert (labels[code] in main) is shows, (code, purpose)
        assert not [c for c, label in labels.items() if c != code and label in main], (code, purpose)
        [look] = [e for e in _log(db, amira.id) if e.action == AccessAction.OPENED and e.purpose_code == purpose]
        assert look.fields_disclosed == ([code] if shows else [])
    for outsider in ("tutor.b", "the.admin"):  # another organisation; an admin: nothing, whatever the field
        assert _as(app, outsider).get(f"/staff/residents/{amira.id}/about?purpose=plan_support").status_code in (403, 404)
