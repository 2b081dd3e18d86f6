"""Every text is in the template, and every language we ship translates all of it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from sqlmodel import select

from tests.conftest import ROOT, sign_in

TRANSLATIONS = ROOT / "tracker" / "translations"
POT = TRANSLATIONS / "messages.pot"
LANGUAGES = sorted(p.name for p in TRANSLATIONS.iterdir() if (p / "LC_MESSAGES" / "messages.po").exists())
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _read(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def _ids(catalog) -> set:
    return {message.id if isinstance(message.id, str) else tuple(message.id) for message in catalog if message.id}


def test_polish_is_shipped():
    assert "pl" in LANGUAGES


def test_the_template_is_up_to_date_with_the_code(tmp_path):
    fresh = tmp_path / "fresh.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
         "-o", str(fresh), str(ROOT / "tracker")]
    )
    missing = _ids(_read(fresh)) - _ids(_read(POT))
    stale = _ids(_read(POT)) - _ids(_read(fresh))
    assert not missing, f"run `make translations`: texts not in messages.pot: {sorted(map(str, missing))[:10]}"
    assert not stale, f"run `make translations`: messages.pot has texts the code no longer uses: {sorted(map(str, stale))[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalogue_is_complete(language):
    catalog = _read(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")
    template_ids = _ids(_read(POT))
    assert _ids(catalog) == template_ids, "run `make translations`: the catalogue does not match the template"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if not all(strings) or (len(strings) < catalog.num_plurals and message.pluralizable):
            problems.append(f"untranslated: {message.id!r}")
        wanted = set(PLACEHOLDER.findall(message.id if isinstance(message.id, str) else message.id[0]))
        for string in strings:
            if set(PLACEHOLDER.findall(string or "")) - wanted - {"num"}:
                problems.append(f"unknown placeholder in translation of {message.id!r}")
    assert not problems, "\n".join(problems[:20])


def test_the_browser_language_is_used_when_nothing_else_is_known(client):
    page = client.get("/login", headers={"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"}).text
    assert '<html lang="pl"' in page
    assert "Zaloguj się" in page


def test_a_chosen_language_beats_the_browser(client):
    client.get("/language/pl?next=/login")
    page = client.get("/login", headers={"Accept-Language": "en"}).text
    assert '<html lang="pl"' in page


def test_a_signed_in_persons_preference_comes_first(client, people):
    people.user("dawid", preferred_language="pl")
    sign_in(client, "dawid")
    page = client.get("/me/", headers={"Accept-Language": "en"}).text
    assert '<html lang="pl"' in page and "Witaj" in page


def test_switching_language_when_signed_in_saves_the_preference(client, people, db):
    user = people.user("amira", preferred_language="en")
    sign_in(client, "amira")
    response = client.get("/language/pl?next=/me/")
    assert response.headers["Location"] == "/me/"
    db.refresh(user)
    assert user.preferred_language == "pl"


def test_the_language_switcher_does_not_redirect_off_site(client):
    assert client.get("/language/pl?next=//evil.example/").headers["Location"] == "/"
    assert client.get("/language/xx?next=/login").headers["Location"] == "/login"


def test_what_residents_read_about_organisations_is_in_every_language(db):
    """Texts kept in the database are translated by the admin, not by Babel: the demo's
    organisations and sharing notices (what they see, why, how long they keep it, what changed)
    have every shipped language, and the sharing page shows the resident's."""
    from tracker.commands.demo import load_demo
    from tracker.domain import consent
    from tracker.models import Provider

    load_demo(db, "test secret key, not for production")
    db.commit()
    missing = []
    for provider in db.exec(select(Provider)).all():
        missing += [f"{provider.name}: description ({language})" for language in LANGUAGES if not provider.description.get(language)]
    for notice in consent.current_notices(db):
        texts = {"summary": notice.summary, "retention": notice.retention, **{f"purpose {p['code']}": p["text"] for p in notice.purposes}}
        if notice.change_summary:
            texts["what changed"] = notice.change_summary
        missing += [f"notice {notice.provider_id}/{notice.area}: {name} ({language})"
                    for name, text in texts.items() for language in LANGUAGES if not text.get(language)]
    assert not missing, missing


def test_the_sharing_page_describes_organisations_in_the_residents_language(client, db, people):
    from tests.sharing_helpers import Sharing

    Sharing(db, people)
    people.user("dawid", preferred_language="pl")
    sign_in(client, "dawid")
    page = client.get("/me/sharing").text
    assert "Melton Adult Learning pomaga mieszkańcom." in page and "helps residents" not in page
