"""About me: the questions as data, checking and keeping answers, the resident's pages, and sharing
About me with an organisation field by field (special-category fields each with their own yes)."""

from __future__ import annotations

import copy
import re
import tomllib
from importlib import resources

import pytest
from sqlmodel import select

from tests.conftest import PASSWORD, make_app, sign_in
from tests.sharing_helpers import SECRET, publish
from tracker.domain import about_me, consent
from tracker.domain.partnership import STANDARD_PURPOSES
from tracker.models import ABOUT_ME, AboutMeEntry, ConsentEvent, ConsentGrant, ConsentReceipt, Role

# --- Helpers -------------------------------------------------------------------------------------

ABOUT_PURPOSES = [
    {"code": "plan_support", "text": STANDARD_PURPOSES["plan_support"], "special": ["health"]},
    {"code": "progress_review", "text": STANDARD_PURPOSES["progress_review"]},
]
ABOUT_FIELDS = ["phone", "languages", "health"]


def publish_about_me(db, provider, fields=ABOUT_FIELDS, purposes=ABOUT_PURPOSES):
    notice = consent.publish_notice(
        db, provider, ABOUT_ME, access_modes=["view"], fields_shown=list(fields), purposes=copy.deepcopy(purposes),
        summary={"en": f"{provider.name} sees some of your About me.", "pl": f"{provider.name} widzi część „O mnie”."},
        retention={"en": "We keep no copies.", "pl": "Nie przechowujemy kopii."}, secret_key=SECRET,
    )
    db.commit()
    return notice


def entries(db, resident_id):
    db.expire_all()
    return db.exec(select(AboutMeEntry).where(AboutMeEntry.resident_id == resident_id).order_by(AboutMeEntry.id)).all()


def grants(db, resident_id):
    db.expire_all()
    return db.exec(select(ConsentGrant).where(ConsentGrant.resident_id == resident_id, ConsentGrant.area == ABOUT_ME)
                   .order_by(ConsentGrant.given_at)).all()


def events(db, resident_id):
    db.expire_all()
    return db.exec(select(ConsentEvent).where(ConsentEvent.resident_id == resident_id).order_by(ConsentEvent.seq)).all()


def error_summary(page: str) -> str:
    match = re.search(r'<div class="govuk-error-summary".*?</ul>', page, re.S)
    return match.group(0) if match else ""


@pytest.fixture
def amira(people):
    return people.user("amira", display_name="Amira Hassan")


@pytest.fixture
def client(app, amira):
    client = app.test_client()
    sign_in(client, "amira")
    return client


@pytest.fixture
def me(amira):
    return about_me.Entrant.resident(amira)


# --- The questions, as data ------------------------------------------------------------------------


def test_every_field_and_option_has_english_and_polish_words_and_a_known_section():
    sections = about_me.sections()
    fields = about_me.fields()
    assert {s.code for s in sections} == {"contact", "language", "learning", "life", "support"}
    assert len(fields) >= 10 and len(set(fields)) == len(fields)
    for section in sections:
        assert section.name["en"].strip() and section.name["pl"].strip()
    for code, spec in fields.items():
        assert spec.code == code and spec.section in {s.code for s in sections} and spec.kind in about_me.KINDS
        assert spec.label["en"].strip() and spec.label["pl"].strip(), code
        if spec.hint:
            assert spec.hint["en"].strip() and spec.hint["pl"].strip(), code
        assert bool(spec.options) == (spec.kind in ("one", "many")), code
        for option in spec.options:
            assert option.name["en"].strip() and option.name["pl"].strip(), f"{code}.{option.code}"
    assert about_me.sensitive_codes() == {"health", "benefits", "senses"}
    assert [o.code for o in fields["caring"].options if o.only] == ["none"]


def _raw() -> dict:
    return tomllib.loads(resources.files("tracker.domain.about_me").joinpath("fields.toml").read_text(encoding="utf-8"))


def test_the_shipped_file_reads_the_same_through_read_fields():
    sections, fields = about_me.read_fields(_raw())
    assert tuple(fields) == about_me.field_codes() and sections == about_me.sections()


def _option_without_polish(raw):
    raw["fields"][3]["options"][0].pop("pl")


def _label_without_polish(raw):
    raw["fields"][0]["label"] = {"en": "Phone number"}


def _same_code_twice(raw):
    raw["fields"][1]["code"] = raw["fields"][0]["code"]


def _unknown_kind(raw):
    raw["fields"][0]["kind"] = "essay"


def _unknown_section(raw):
    raw["fields"][0]["section"] = "elsewhere"


def _choice_without_options(raw):
    raw["fields"][3].pop("options")


def _options_on_a_text_field(raw):
    raw["fields"][0]["options"] = [{"code": "a", "en": "A", "pl": "A"}]


def _option_without_a_code(raw):
    raw["fields"][3]["options"][0].pop("code")


def _section_without_words(raw):
    raw["sections"][0]["name"] = {"en": "How to reach me", "pl": "  "}


@pytest.mark.parametrize("break_it", [_option_without_polish, _label_without_polish, _same_code_twice, _unknown_kind,
                                      _unknown_section, _choice_without_options, _options_on_a_text_field,
                                      _option_without_a_code, _section_without_words])
def test_a_malformed_fields_file_is_refused_saying_where(break_it):
    raw = _raw()
    assert raw["fields"][3]["code"] == "safe_to_contact"  # the cases below break a choice
    break_it(raw)
    with pytest.raises(about_me.FieldsFileError):
        about_me.read_fields(raw)


# --- Checking an answer --------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "kept"), [
    ("07700 900982", "07700 900 982"),
    ("+44 7700 900982", "07700 900 982"),
    ("+44 (0)7700 900982", "07700 900 982"),
    ("07700900982", "07700 900 982"),
    ("01664 502502", "01664 502502"),
    ("(01664) 502 502", "01664 502502"),
    ("0116 496 0123", "0116 496 0123"),  # Leicester: a four-figure code
    ("020 7946 0958", "020 7946 0958"),
    ("0300 123 4567", "0300 123 4567"),
    ("0044 116 496 0123", "0116 496 0123"),
])
def test_a_uk_phone_number_is_accepted_and_written_the_usual_way(typed, kept):
    assert about_me.uk_phone(typed) == kept


@pytest.mark.parametrize("typed", ["07700 9OO982", "call me", "07700 900", "0770", "+1 202 555 0143", "1664 502502",
                                   "07700 900982 ext 4", "00 7700 900982"])
def test_anything_but_a_uk_phone_number_is_refused(typed):
    with pytest.raises(about_me.AboutMeError) as refused:
        about_me.uk_phone(typed)
    assert refused.value.code == "phone"


def test_an_address_needs_two_lines_and_a_postcode_last_which_is_tidied():
    assert about_me.address_lines("12 Sherrard Street\nMelton Mowbray\nle13 1aa") == ["12 Sherrard Street", "Melton Mowbray", "LE13 1AA"]
    assert about_me.address_lines("  12   Sherrard Street \n\n Melton Mowbray\nLE131AA\n") == [
        "12 Sherrard Street", "Melton Mowbray", "LE13 1AA"]
    assert about_me.address_lines("12 Sherrard Street, Melton Mowbray, LE13 1AA") == ["12 Sherrard Street", "Melton Mowbray", "LE13 1AA"]
    # The postcode typed after the town, as people write it, is put on its own line.
    assert about_me.address_lines("12 Sherrard Street, Melton Mowbray le13 1aa") == ["12 Sherrard Street", "Melton Mowbray", "LE13 1AA"]
    assert about_me.address_lines("12 Sherrard Street\nMelton Mowbray, LE131AA") == ["12 Sherrard Street", "Melton Mowbray", "LE13 1AA"]
    for typed, why in [("LE13 1AA", "address_lines"), ("12 Sherrard Street", "address_lines"),
                       ("12 Sherrard Street\nMelton Mowbray", "postcode"), ("12 Sherrard Street\nLE13 1AA\nMelton", "postcode"),
                       ("\n".join(["a line"] * 7 + ["LE13 1AA"]), "address_long"), ("x" * 81 + "\nLE13 1AA", "address_long")]:
        with pytest.raises(about_me.AboutMeError) as refused:
            about_me.address_lines(typed)
        assert refused.value.code == why, typed


def _refused(spec_code, **answer) -> str:
    with pytest.raises(about_me.AboutMeError) as refused:
        about_me.parse(about_me.field(spec_code), **answer)
    return refused.value.code


def test_parse_keeps_choices_in_the_files_order_and_refuses_what_is_not_offered():
    assert about_me.parse(about_me.field("learning_barriers"), choices=["time", "reading", "time"]) == {"choices": ["reading", "time"]}
    assert about_me.parse(about_me.field("interpreter"), choices=["sometimes"]) == {"choices": ["sometimes"]}
    assert _refused("interpreter", choices=["maybe"]) == "not_offered"
    assert _refused("interpreter", choices=["yes", "no"]) == "not_offered"  # choose one
    assert _refused("learning_barriers", choices=["reading", "<script>"]) == "not_offered"
    assert _refused("learning_barriers", choices=[]) == "choose"
    assert _refused("caring", choices=["children", "none"]) == "only"  # "No, nobody" with others
    assert about_me.parse(about_me.field("caring"), choices=["none"]) == {"choices": ["none"]}
    assert about_me.parse(about_me.field("caring"), choices=["adult", "children"]) == {"choices": ["children", "adult"]}


def test_parse_refuses_overlong_text_control_characters_and_empty_answers():
    languages = about_me.field("languages")
    assert about_me.parse(languages, text="  Polish, some English \r\n") == {"text": "Polish, some English"}
    assert about_me.parse(languages, text="x" * languages.max) == {"text": "x" * languages.max}
    assert _refused("languages", text="x" * (languages.max + 1)) == "too_long"
    assert _refused("what_matters", text="y" * 1001) == "too_long"
    for hidden in ("Polish\x00", "Polish\x1b[2J", "Pol\x08ish", "Polish\x7f", "Polish\x85English", "Polish\u202eEnglish"):
        assert _refused("languages", text=hidden) == "control", repr(hidden)
    assert _refused("languages", text="Polish\nEnglish") == "one_line"
    assert _refused("languages", text="   ") == "empty"
    assert about_me.parse(about_me.field("what_matters"), text="Work.\r\nAnd my son.") == {"text": "Work.\nAnd my son."}
    assert about_me.parse(about_me.field("phone"), text="+44 7700 900982") == {"text": "07700 900 982"}
    assert about_me.parse(about_me.field("address"), text="1 High St, Melton, le13 1aa") == {"lines": ["1 High St", "Melton", "LE13 1AA"]}


# --- Keeping answers -----------------------------------------------------------------------------


def test_save_appends_and_the_same_answer_twice_is_kept_once(db, amira, me):
    first = about_me.save(db, amira.id, "languages", {"text": "Polish"}, entrant=me)
    db.commit()
    assert first is not None and first.entered_by_name == "Amira" and first.entered_by_role == Role.RESIDENT
    assert about_me.save(db, amira.id, "languages", {"text": "Polish"}, entrant=me) is None  # a double submit
    db.commit()
    assert about_me.save(db, amira.id, "languages", {"text": "Polish, some English"}, entrant=me) is not None
    db.commit()
    assert [e.value for e in entries(db, amira.id)] == [{"text": "Polish"}, {"text": "Polish, some English"}]
    assert about_me.answers(db, amira.id)["languages"].value == {"text": "Polish, some English"}


def test_rather_not_say_and_taking_away_are_entries_and_history_is_newest_first(db, amira, me):
    assert about_me.save(db, amira.id, "health", None, entrant=me) is None  # nothing to take away yet
    about_me.save(db, amira.id, "health", {"text": "I need breaks"}, entrant=me)
    about_me.save(db, amira.id, "phone", {"text": "07700 900 982"}, entrant=me)
    db.commit()
    assert about_me.save(db, amira.id, "health", {"text": "ignored"}, rather_not_say=True, entrant=me) is not None
    assert about_me.save(db, amira.id, "health", None, rather_not_say=True, entrant=me) is None  # twice: once
    db.commit()
    now = about_me.answers(db, amira.id)
    assert now["health"].rather_not_say and now["health"].value is None and set(now) == {"health", "phone"}
    assert about_me.save(db, amira.id, "health", None, entrant=me) is not None  # taken away
    assert about_me.save(db, amira.id, "health", None, entrant=me) is None
    db.commit()
    assert set(about_me.answers(db, amira.id)) == {"phone"}
    kept = about_me.history(db, amira.id)
    assert [(e.field, e.value, e.rather_not_say) for e in kept] == [
        ("health", None, False), ("health", None, True), ("phone", {"text": "07700 900 982"}, False),
        ("health", {"text": "I need breaks"}, False)]
    assert [e["field"] for e in about_me.export(db, amira.id)] == ["health", "phone", "health", "health"]  # oldest first
    with pytest.raises(about_me.AboutMeError):
        about_me.save(db, amira.id, "shoe_size", {"text": "5"}, entrant=me)


def test_answers_are_each_residents_own(db, people, amira, me):
    other = people.user("bogdan", display_name="Bogdan Nowak")
    about_me.save(db, amira.id, "languages", {"text": "Arabic"}, entrant=me)
    about_me.save(db, other.id, "languages", {"text": "Polish"}, entrant=about_me.Entrant.resident(other))
    db.commit()
    assert about_me.answers(db, amira.id)["languages"].value == {"text": "Arabic"}
    assert [e.value for e in about_me.history(db, other.id)] == [{"text": "Polish"}]


# --- The resident's pages ------------------------------------------------------------------------


def test_about_me_lists_every_section_and_question_and_nothing_is_shared(client):
    page = client.get("/me/about")
    assert page.status_code == 200
    for section in about_me.sections():
        assert f">{section.name['en']}<" in page.text
    for code, spec in about_me.fields().items():
        assert f'id="{code}"' in page.text and f'href="/me/about/{code}"' in page.text
        assert spec.label["en"] in page.text
    assert page.text.count("Not shared with anyone") == len(about_me.fields())
    assert page.text.count(">Sensitive<") == len(about_me.sensitive_codes())
    assert 'href="/me/about"' in client.get("/me/").text


def test_answering_a_text_question_saves_it_and_shows_it(client, db, amira):
    form = client.get("/me/about/languages")
    assert form.status_code == 200 and "Languages I speak" in form.text and 'name="answer"' in form.text
    assert "Take my answer away" not in form.text  # nothing to take away yet
    response = client.post("/me/about/languages", data={"answer": "Polish, some English", "action": "save"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/me/about#languages")
    page = client.get("/me/about").text
    assert "Saved: Languages I speak" in page and "Polish, some English" in page
    assert [e.value for e in entries(db, amira.id)] == [{"text": "Polish, some English"}]
    again = client.get("/me/about/languages").text
    assert 'value="Polish, some English"' in again and "Take my answer away" in again
    client.post("/me/about/languages", data={"answer": "Polish, some English", "action": "save"})  # a double tap
    assert len(entries(db, amira.id)) == 1


def test_answering_a_choice_question(client, db, amira):
    form = client.get("/me/about/learning_barriers").text
    assert 'type="checkbox"' in form and 'value="childcare"' in form
    response = client.post("/me/about/learning_barriers", data={"answer": ["transport", "childcare"], "action": "save"})
    assert response.status_code == 303
    assert entries(db, amira.id)[-1].value == {"choices": ["childcare", "transport"]}
    page = client.get("/me/about").text
    assert "Childcare" in page and "Getting there (transport)" in page
    assert re.search(r'value="childcare"\s+checked|checked[^>]*value="childcare"', client.get("/me/about/learning_barriers").text)
    client.post("/me/about/interpreter", data={"answer": "sometimes", "action": "save"})
    assert about_me.answers(db, amira.id)["interpreter"].value == {"choices": ["sometimes"]}
    assert "Sometimes, for important things" in client.get("/me/about").text


def test_rather_not_say_and_taking_an_answer_away(client, db, amira):
    client.post("/me/about/health", data={"answer": "Poor hearing", "action": "save"})
    assert "This is sensitive." in client.get("/me/about/health").text
    assert "This is sensitive." not in client.get("/me/about/languages").text
    response = client.post("/me/about/health", data={"answer": "Poor hearing", "action": "rather_not_say"})
    assert response.status_code == 303
    assert about_me.answers(db, amira.id)["health"].rather_not_say
    page = client.get("/me/about").text
    assert "rather not say" in page and "Poor hearing" not in page
    response = client.post("/me/about/health", data={"action": "clear"})
    assert response.status_code == 303
    assert "health" not in about_me.answers(db, amira.id)
    assert [(e.value, e.rather_not_say) for e in entries(db, amira.id)] == [
        ({"text": "Poor hearing"}, False), (None, True), (None, False)]
    history = client.get("/me/about/history").text
    assert "The answer was taken away." in history and "rather not say" in history and "Poor hearing" in history
    assert history.index("The answer was taken away.") < history.index("Poor hearing")  # newest first


@pytest.mark.parametrize(("code", "data", "message"), [
    ("phone", {"answer": "call me maybe"}, "Enter a UK phone number"),
    ("phone", {"answer": "+1 202 555 0143"}, "Enter a UK phone number"),
    ("languages", {"answer": "x" * 201}, "Your answer is too long"),
    ("languages", {"answer": ""}, "Write your answer, or choose"),
    ("languages", {"answer": "Polish\x00"}, "Remove the hidden characters"),
    ("address", {"answer": "12 Sherrard Street\nMelton Mowbray"}, "Put your postcode on the last line"),
    ("interpreter", {"answer": "maybe"}, "Choose an answer from the list"),
    ("interpreter", {}, "Choose an answer, or choose"),
    ("caring", {"answer": ["children", "none"]}, "together with other answers"),
])
def test_a_bad_answer_shows_an_error_summary_and_keeps_nothing(client, db, amira, code, data, message):
    response = client.post(f"/me/about/{code}", data={**data, "action": "save"})
    assert response.status_code == 400
    summary = error_summary(response.text)
    assert "There is a problem" in summary and message in summary
    assert 'class="govuk-error-message"' in response.text
    assert response.text.count('class="govuk-error-summary"') == 1
    assert entries(db, amira.id) == []


def test_a_bad_answer_leaves_the_answer_there_was(client, db, amira):
    client.post("/me/about/phone", data={"answer": "07700 900982", "action": "save"})
    response = client.post("/me/about/phone", data={"answer": "07700", "action": "save"})
    assert response.status_code == 400
    assert [e.value for e in entries(db, amira.id)] == [{"text": "07700 900 982"}]
    assert "07700 900 982" in client.get("/me/about").text


def test_html_is_kept_as_text_and_shown_escaped(client, db, amira):
    typed = '<script>alert("hi")</script> & <b>bold</b>'
    assert client.post("/me/about/what_matters", data={"answer": typed, "action": "save"}).status_code == 303
    assert entries(db, amira.id)[-1].value == {"text": typed}
    for url in ("/me/about", "/me/about/history", "/me/about/what_matters"):
        page = client.get(url).text
        assert "<script>alert" not in page and "<b>bold</b>" not in page, url
        assert "&lt;script&gt;" in page, url


def test_an_unknown_question_is_not_found(client, db, amira):
    assert client.get("/me/about/shoe_size").status_code == 404
    assert client.post("/me/about/shoe_size", data={"answer": "5", "action": "save"}).status_code == 404
    assert client.get("/me/about/HEALTH").status_code == 404
    assert entries(db, amira.id) == []


def test_about_me_is_for_residents_only(app, people):
    people.user("tutor.jo", role=Role.TUTOR)
    staff = app.test_client()
    sign_in(staff, "tutor.jo")
    assert staff.get("/me/about").status_code == 403
    assert app.test_client().get("/me/about").status_code == 303  # to sign in


def test_a_post_without_a_csrf_token_changes_nothing(sqlite_url, people, db):
    amira = people.user("amira", display_name="Amira Hassan")
    app = make_app(sqlite_url, WTF_CSRF_ENABLED=True)
    try:
        client = app.test_client()
        token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', client.get("/login").text).group(1)
        client.post("/login", data={"username": "amira", "password": PASSWORD, "csrf_token": token})
        refused = client.post("/me/about/languages", data={"answer": "Polish", "action": "save"})
        assert refused.status_code == 400
        forged = client.post("/me/about/languages", data={"answer": "Polish", "action": "save", "csrf_token": "forged"})
        assert forged.status_code == 400
        assert entries(db, amira.id) == []
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/me/about/languages").text).group(1)
        assert client.post("/me/about/languages", data={"answer": "Polish", "action": "save", "csrf_token": token}).status_code == 303
        assert [e.value for e in entries(db, amira.id)] == [{"text": "Polish"}]
    finally:
        app.extensions["tracker_engine"].dispose()


# --- Sharing About me, field by field ----------------------------------------------------------


@pytest.fixture
def provider(people):
    return people.provider("Melton Adult Learning")


@pytest.fixture
def staff(people, provider):
    return people.user("staff.a", role=Role.PROVIDER_STAFF, provider=provider.name, display_name="Sam Staff")


@pytest.fixture
def notice(db, provider):
    return publish_about_me(db, provider)


@pytest.fixture
def answered(db, amira, me):
    about_me.save(db, amira.id, "phone", {"text": "07700 900 982"}, entrant=me)
    about_me.save(db, amira.id, "languages", {"text": "Polish, some English"}, entrant=me)
    about_me.save(db, amira.id, "health", {"text": "I need breaks"}, entrant=me)
    about_me.save(db, amira.id, "housing", {"choices": ["private_rent"]}, entrant=me)
    db.commit()


def share_url(provider) -> str:
    return f"/me/sharing/providers/{provider.id}/about_me"


def decision(db, staff, resident):
    db.expire_all()
    found = consent.decisions_for(db, staff, [resident.id], area=ABOUT_ME)
    db.rollback()
    return found


def test_a_notice_must_name_a_reason_for_each_sensitive_field_and_only_those(db, provider):
    def refused(fields, purposes):
        with pytest.raises(consent.ConsentError):
            publish_about_me(db, provider, fields, purposes)
        db.rollback()

    plain = [{"code": "plan_support", "text": STANDARD_PURPOSES["plan_support"]}]
    refused(["phone", "health"], plain)  # health asked for, no reason names it
    refused(["phone"], [{**plain[0], "special": ["languages"]}])  # not a sensitive field
    refused(["phone"], [{**plain[0], "special": ["health"]}])  # a sensitive field it does not ask for
    refused(["phone", "shoe_size"], plain)  # not a question of About me
    refused(["goal_titles"], plain)  # a field of the plan
    with pytest.raises(consent.ConsentError):  # and a plan's area cannot name special fields
        consent.publish_notice(db, provider, "digital", access_modes=["view"], fields_shown=["goal_titles"],
                               purposes=[{**plain[0], "special": ["health"]}], summary={"en": "s", "pl": "s"},
                               retention={"en": "r", "pl": "r"}, secret_key=SECRET)
    db.rollback()
    assert publish_about_me(db, provider, ["phone", "health", "benefits"],
                            [{**plain[0], "special": ["health", "benefits"]}]).area == ABOUT_ME
    assert publish_about_me(db, provider).fields_shown == ABOUT_FIELDS


def test_the_share_page_shows_each_field_unticked_with_the_answer_and_a_separate_yes_for_health(client, db, amira, provider,
                                                                                                notice, answered):
    page = client.get(share_url(provider))
    assert page.status_code == 200
    text = page.text
    assert "Share About me with Melton Adult Learning?" in text
    for code in ("phone", "languages"):
        tag = re.search(rf'<input[^>]*id="fields-{code}"[^>]*>', text).group(0)
        assert 'name="fields"' in tag and "checked" not in tag
    assert 'value="health"' not in text  # not a checkbox: its own question
    assert "Share “Health conditions that affect my plans”?" in text
    yes = re.search(r'<input[^>]*id="special_health"[^>]*>', text).group(0)
    no = re.search(r'<input[^>]*id="special_health-no"[^>]*>', text).group(0)
    assert 'value="yes"' in yes and "checked" not in yes and "checked" in no
    assert "They will see it only: to help you with your plan." in text
    assert "07700 900 982" in text and "Polish, some English" in text and "I need breaks" in text
    assert "Renting from a private landlord" not in text
    assert grants(db, amira.id) == []  # looking shares nothing


def test_sharing_nothing_is_an_error_and_shares_nothing(client, db, amira, provider, notice):
    for data in ({}, {"special_health": "no"}, {"fields": "shoe_size"}, {"fields": "housing"}):
        response = client.post(share_url(provider), data={"notice": notice.id, "months": "12", **data})
        assert response.status_code == 400, data
        assert "There is a problem" in error_summary(response.text), data
        assert 'href="#fields-phone">Choose at least one thing to share' in error_summary(response.text), data
    response = client.post(share_url(provider), data={"notice": notice.id, "fields": "phone"})  # no length chosen
    assert response.status_code == 400 and 'href="#months-3">Choose how long to share for' in error_summary(response.text)
    assert grants(db, amira.id) == [] and events(db, amira.id) == []


def test_sharing_some_fields_makes_a_consent_for_just_those(client, db, amira, provider, staff, notice, answered):
    response = client.post(share_url(provider), data={"notice": notice.id, "months": "6", "fields": "phone",
                                                      "special_health": "no"})
    assert response.status_code == 303 and "changed=MML-" in response.headers["Location"]
    [grant] = grants(db, amira.id)
    assert grant.fields == ["phone"] and grant.duration_months == 6 and grant.area == ABOUT_ME
    [found] = decision(db, staff, amira)
    assert found.area == ABOUT_ME and found.fields == ("phone",)
    assert consent.about_me_fields(found, "plan_support") == ("phone",)
    code = response.headers["Location"].split("changed=")[1]
    receipt = client.get(f"/me/receipts/{code}.json").json
    assert [c["fields"] for c in receipt["changes"]] == [["phone"]] and receipt["changes"][0]["area"] == ABOUT_ME
    about = client.get("/me/about").text
    row = about.split('id="phone"', 1)[1].split("</div>", 1)[0]
    assert "Shared with: Melton Adult Learning" in row
    assert "Shared with" not in about.split('id="health"', 1)[1].split("</div>", 1)[0]
    assert "these organisations will see the change: Melton Adult Learning" in client.get("/me/about/phone").text
    assert "This is not shared with anyone." in client.get("/me/about/languages").text
    page = client.get(share_url(provider)).text
    assert "Sharing About me with Melton Adult Learning" in page
    assert "checked" in re.search(r'<input[^>]*id="fields-phone"[^>]*>', page).group(0)
    assert "checked" not in re.search(r'<input[^>]*id="fields-languages"[^>]*>', page).group(0)


def test_health_is_shared_only_with_its_own_yes(client, db, amira, provider, staff, notice, answered):
    # Health sent as a ticked box (a forged form) is not its own yes.
    client.post(share_url(provider), data={"notice": notice.id, "months": "12", "fields": ["phone", "health"]})
    [grant] = grants(db, amira.id)
    assert grant.fields == ["phone"]
    client.post(f"{share_url(provider)}/stop")
    client.post(share_url(provider), data={"notice": notice.id, "months": "12", "fields": "languages", "special_health": "yes"})
    live = [g for g in grants(db, amira.id) if g.ended_at is None]
    assert [g.fields for g in live] == [["languages", "health"]]
    [found] = decision(db, staff, amira)
    assert found.fields == ("languages", "health")
    assert consent.about_me_fields(found, "plan_support") == ("languages", "health")
    # A reason that does not name health never shows it.
    assert consent.about_me_fields(found, "progress_review") == ("languages",)
    assert consent.about_me_fields(found, "no_such_reason") == ("languages",)


def test_health_alone_can_be_shared(client, db, amira, provider, staff, notice):
    response = client.post(share_url(provider), data={"notice": notice.id, "months": "3", "special_health": "yes"})
    assert response.status_code == 303
    [found] = decision(db, staff, amira)
    assert found.fields == ("health",)


def test_a_field_the_notice_does_not_ask_for_is_never_shared(client, db, amira, provider, staff, notice, answered):
    response = client.post(share_url(provider), data={"notice": notice.id, "months": "12", "fields": ["phone", "housing", "benefits"],
                                                      "special_benefits": "yes"})
    assert response.status_code == 303
    [grant] = grants(db, amira.id)
    assert grant.fields == ["phone"]
    [found] = decision(db, staff, amira)
    assert found.fields == ("phone",)
    with pytest.raises(consent.ConsentError):  # and consent itself refuses one
        consent.switches.choose_fields(db, amira.id, provider.id, notice_id=notice.id, fields=["languages", "housing"],
                                       actor=consent.ConsentActor.resident(amira), secret_key=SECRET)
    db.rollback()
    assert [g.fields for g in grants(db, amira.id)] == [["phone"]]


def test_changing_the_choice_ends_one_consent_and_starts_another_on_one_receipt(client, db, amira, provider, staff, notice):
    client.post(share_url(provider), data={"notice": notice.id, "months": "6", "fields": "phone"})
    [first] = grants(db, amira.id)
    response = client.post(share_url(provider), data={"notice": notice.id, "fields": ["phone", "languages"], "special_health": "yes"})
    assert response.status_code == 303 and "changed=MML-" in response.headers["Location"]
    code = response.headers["Location"].split("changed=")[1]
    old, new = grants(db, amira.id)
    assert old.id == first.id and old.state == "withdrawn" and old.ended_at is not None and old.fields == ["phone"]
    assert new.state == "given" and new.fields == ["phone", "languages", "health"] and new.duration_months == 6
    [found] = decision(db, staff, amira)
    assert found.grant.id == new.id and found.fields == ("phone", "languages", "health")
    kept = events(db, amira.id)
    assert [(e.event_type, e.fields) for e in kept] == [
        ("given", ["phone"]), ("withdrawn", ["phone"]), ("given", ["phone", "languages", "health"])]
    assert kept[1].receipt_code == kept[2].receipt_code == code != kept[0].receipt_code
    assert db.exec(select(ConsentReceipt).where(ConsentReceipt.code == code)).one()
    receipt = client.get(f"/me/receipts/{code}.json").json
    assert [(c["event"], c["fields"]) for c in receipt["changes"]] == [
        ("withdrawn", ["phone"]), ("given", ["phone", "languages", "health"])]
    # The same choice again (a double tap) changes nothing.
    again = client.post(share_url(provider), data={"notice": notice.id, "fields": ["phone", "languages"], "special_health": "yes"})
    assert again.status_code == 303
    assert len(events(db, amira.id)) == 3 and len(grants(db, amira.id)) == 2
    # Fewer fields: health stops being shared.
    client.post(share_url(provider), data={"notice": notice.id, "fields": "languages", "special_health": "no"})
    [found] = decision(db, staff, amira)
    assert found.fields == ("languages",)
    assert [e.event_type for e in events(db, amira.id)] == ["given", "withdrawn", "given", "withdrawn", "given"]
    assert consent.verify_chains(db) == {}


def test_a_second_identical_yes_changes_nothing(client, db, amira, provider, notice):
    data = {"notice": notice.id, "months": "12", "fields": ["phone", "languages"], "special_health": "no"}
    first = client.post(share_url(provider), data=data)
    second = client.post(share_url(provider), data=data)
    assert first.status_code == second.status_code == 303
    assert len(grants(db, amira.id)) == 1 and [e.event_type for e in events(db, amira.id)] == ["given"]


def test_stop_sharing_about_me(client, db, amira, provider, staff, notice):
    client.post(share_url(provider), data={"notice": notice.id, "months": "12", "fields": "phone"})
    page = client.get(share_url(provider)).text
    assert f'action="{share_url(provider)}/stop"' in page
    response = client.post(f"{share_url(provider)}/stop")
    assert response.status_code == 303 and "changed=MML-" in response.headers["Location"]
    assert decision(db, staff, amira) == []
    [grant] = grants(db, amira.id)
    assert grant.state == "withdrawn"
    assert "Not shared with anyone" in client.get("/me/about").text.split('id="phone"', 1)[1].split("</div>", 1)[0]
    assert client.post(f"{share_url(provider)}/stop").headers["Location"] == response.headers["Location"]  # a double tap
    assert [e.event_type for e in events(db, amira.id)] == ["given", "withdrawn"]
    page = client.get(share_url(provider)).text
    assert "Share About me with Melton Adult Learning?" in page
    assert "checked" not in re.search(r'<input[^>]*id="fields-phone"[^>]*>', page).group(0)


def test_a_plan_decision_never_includes_about_me(client, db, amira, provider, staff, notice):
    digital = publish(db, provider, "digital", modes=("view",))
    with consent.Change(db, amira.id, consent.ConsentActor.resident(amira), SECRET) as change:
        change.give(digital, ["view"])
    db.commit()
    client.post(share_url(provider), data={"notice": notice.id, "months": "12", "fields": "phone"})
    db.expire_all()
    assert [d.area for d in consent.decisions_for(db, staff, [amira.id])] == ["digital"]
    assert [d.area for d in consent.decisions_for(db, staff, [amira.id], area=ABOUT_ME)] == [ABOUT_ME]
    [plan_decision] = consent.decisions_for(db, staff, [amira.id], area="digital")
    assert consent.about_me_fields(plan_decision, "plan_support") == ()
    db.rollback()


def test_another_organisations_staff_see_no_decision(client, db, people, amira, provider, notice):
    other = people.user("staff.b", role=Role.PROVIDER_STAFF, provider="Melton Jobs Support")
    client.post(share_url(provider), data={"notice": notice.id, "months": "12", "fields": "phone"})
    assert decision(db, other, amira) == []


def test_the_sharing_summary_offers_about_me(client, provider, notice):
    page = client.get("/me/sharing")
    assert page.status_code == 200 and f'href="{share_url(provider)}"' in page.text


def test_the_chains_verify_after_about_me_consents(client, db, amira, provider, notice):
    client.post(share_url(provider), data={"notice": notice.id, "months": "12", "fields": "phone"})
    client.post(share_url(provider), data={"notice": notice.id, "fields": "languages", "special_health": "yes"})
    client.post(f"{share_url(provider)}/stop")
    db.expire_all()
    kept = events(db, amira.id)
    assert len(kept) == 4 and all(e.fields for e in kept)
    assert consent.verify_chains(db) == {}
    # The chain covers the fields: a changed choice no longer verifies.
    from tracker.domain import chains
    from tracker.domain.consent.terms import CONSENT_EVENT_UNHASHED

    tampered = kept[0]
    tampered.fields = ["phone", "health"]
    assert chains.link(tampered.prev_hash, chains.row_content(tampered, CONSENT_EVENT_UNHASHED)) != tampered.event_hash
    db.rollback()


# --- More of the resident's pages ------------------------------------------------------------------


def test_an_address_is_kept_as_lines_with_its_postcode_tidied(client, db, amira):
    response = client.post("/me/about/address", data={"answer": "12 Sherrard Street\r\nMelton Mowbray\r\nle13 1aa", "action": "save"})
    assert response.status_code == 303
    assert entries(db, amira.id)[-1].value == {"lines": ["12 Sherrard Street", "Melton Mowbray", "LE13 1AA"]}
    row = client.get("/me/about").text.split('id="address"', 1)[1].split("</dd>", 1)[0]
    assert "12 Sherrard Street<br>Melton Mowbray<br>LE13 1AA" in row
    assert "12 Sherrard Street\nMelton Mowbray\nLE13 1AA" in client.get("/me/about/address").text


def test_about_me_speaks_polish(client, db, amira, me):
    about_me.save(db, amira.id, "interpreter", {"choices": ["sometimes"]}, entrant=me)
    db.commit()
    client.get("/language/pl?next=/me/about")
    page = client.get("/me/about").text
    assert "Jak się ze mną skontaktować" in page and "Numer telefonu" in page and "Czasami, w ważnych sprawach" in page
    assert "Phone number" not in page
    question = client.get("/me/about/caring").text
    assert "Czy opiekujesz się kimś?" in question and "Nie, nikim" in question


def _referral(db, sharing_provider, amira, state):
    from tracker.clock import utcnow
    from tracker.models import DirectoryOrganisation, DirectoryService, Referral

    if db.get(DirectoryOrganisation, sharing_provider.id) is None:
        db.add(DirectoryOrganisation(id=sharing_provider.id, provider_id=sharing_provider.id))
        db.flush()
    service = DirectoryService(organisation_id=sharing_provider.id, name={"en": f"Drop-in {state}", "pl": f"Dyżur {state}"},
                               description={"en": "In Melton."}, intake="taking_referrals")
    db.add(service)
    db.flush()
    now = utcnow()
    referral = Referral(resident_id=amira.id, service_id=service.id, to_provider_id=sharing_provider.id, referred_by_id=amira.id,
                        referred_by_name="Amira", state=state, created_at=now, sent_at=now, replied_at=now, changed_at=now)
    db.add(referral)
    db.commit()
    return referral


def test_support_i_already_get_lists_services_that_took_them_on_and_they_can_hide_one(client, db, amira, provider):
    accepted = _referral(db, provider, amira, "accepted")
    closed = _referral(db, provider, amira, "closed")
    _referral(db, provider, amira, "waiting")  # not support they get
    page = client.get("/me/about").text
    row = page.split('id="support_already"', 1)[1].split("</dd>", 1)[0]
    assert "Drop-in accepted" in row and "Drop-in closed" in row and "Drop-in waiting" not in row
    form = client.get("/me/about/support_already").text
    assert f'value="{accepted.id}"' in form and f'value="{closed.id}"' in form
    response = client.post("/me/about/support_already", data={"shown": [accepted.id], "answer": "A food bank on Fridays",
                                                               "action": "save"})
    assert response.status_code == 303
    assert entries(db, amira.id)[-1].value == {"text": "A food bank on Fridays", "hidden": [closed.id]}
    row = client.get("/me/about").text.split('id="support_already"', 1)[1].split("</dd>", 1)[0]
    assert "Drop-in accepted" in row and "Drop-in closed" not in row and "A food bank on Fridays" in row
    # Unticking both hides both (what is hidden is worked out from what is ticked: a made-up id does nothing).
    response = client.post("/me/about/support_already", data={"shown": ["made-up"], "answer": "", "action": "save"})
    assert response.status_code == 303
    assert entries(db, amira.id)[-1].value == {"text": "", "hidden": sorted([accepted.id, closed.id])}


def test_saving_support_with_nothing_written_or_hidden_keeps_nothing(client, db, amira):
    response = client.post("/me/about/support_already", data={"answer": "", "action": "save"})
    assert response.status_code == 303
    assert entries(db, amira.id) == []
    assert "Saved:" not in client.get("/me/about").text


def test_the_download_has_every_answer_and_erasure_removes_them(client, db, amira, me):
    from tracker.domain import data_rights

    about_me.save(db, amira.id, "languages", {"text": "Polish"}, entrant=me)
    about_me.save(db, amira.id, "languages", None, rather_not_say=True, entrant=me)
    db.commit()
    download = client.get("/me/export.json").json
    assert [(a["field"], a["value"], a["rather_not_say"]) for a in download["about_me"]] == [
        ("languages", {"text": "Polish"}, False), ("languages", None, True)]
    data_rights.erase(db, amira)
    db.commit()
    assert db.exec(select(AboutMeEntry)).all() == []


# --- More sharing --------------------------------------------------------------------------------


def test_a_changed_notice_puts_about_me_on_hold_until_the_resident_chooses_again(client, db, amira, provider, staff, notice):
    client.post(share_url(provider), data={"notice": notice.id, "months": "12", "fields": ["phone", "languages"]})
    newer = consent.publish_notice(
        db, provider, ABOUT_ME, access_modes=["view"], fields_shown=["phone", "languages", "address", "health"],
        purposes=copy.deepcopy(ABOUT_PURPOSES), summary={"en": "More now.", "pl": "Więcej."},
        retention={"en": "We keep no copies.", "pl": "Nie przechowujemy kopii."}, material=True,
        change_summary={"en": "We now ask for your address.", "pl": "Prosimy teraz o adres."}, secret_key=SECRET)
    db.commit()
    assert decision(db, staff, amira) == []  # on hold
    page = client.get(share_url(provider)).text
    assert "Sharing is on hold until you say yes again" in page and "We now ask for your address." in page
    assert "checked" not in re.search(r'<input[^>]*id="fields-address"[^>]*>', page).group(0)
    response = client.post(share_url(provider), data={"notice": notice.id, "months": "12", "fields": "address"})
    assert response.status_code == 303 and "changed" not in response.headers["Location"]  # an old page: read it again
    assert decision(db, staff, amira) == []
    response = client.post(share_url(provider), data={"notice": newer.id, "months": "12", "fields": "address"})
    assert "changed=MML-" in response.headers["Location"]
    [found] = decision(db, staff, amira)
    assert found.fields == ("address",) and found.notice.id == newer.id


def test_a_paused_about_me_cannot_be_changed_until_started_again(client, db, amira, provider, staff, notice):
    client.post(share_url(provider), data={"notice": notice.id, "months": "12", "fields": "phone"})
    [grant] = grants(db, amira.id)
    with consent.Change(db, amira.id, consent.ConsentActor.resident(amira), SECRET) as change:
        change.pause(grant)
    db.commit()
    page = client.get(share_url(provider)).text
    assert "You paused it." in page and 'name="fields"' not in page
    assert f'action="{share_url(provider)}/resume"' in page
    response = client.post(share_url(provider), data={"notice": notice.id, "fields": "languages"})
    assert response.status_code == 303
    assert [g.fields for g in grants(db, amira.id)] == [["phone"]] and decision(db, staff, amira) == []
    client.post(f"{share_url(provider)}/resume")
    [found] = decision(db, staff, amira)
    assert found.fields == ("phone",)


def test_the_choice_can_be_changed_after_a_minor_change_to_the_notice(client, db, amira, provider, staff, notice):
    client.post(share_url(provider), data={"notice": notice.id, "months": "12", "fields": "phone"})
    newer = consent.publish_notice(
        db, provider, ABOUT_ME, access_modes=["view"], fields_shown=ABOUT_FIELDS, purposes=copy.deepcopy(ABOUT_PURPOSES),
        summary={"en": "Clearer words.", "pl": "Jaśniej."}, retention={"en": "We keep no copies.", "pl": "Nie przechowujemy kopii."},
        secret_key=SECRET)
    db.commit()
    [found] = decision(db, staff, amira)
    assert found.notice.id == notice.id != newer.id  # a minor change: still shared, under the version agreed to
    response = client.post(share_url(provider), data={"notice": newer.id, "fields": ["phone", "languages"]})
    assert "changed=MML-" in response.headers["Location"]
    [found] = decision(db, staff, amira)
    assert found.fields == ("phone", "languages")
