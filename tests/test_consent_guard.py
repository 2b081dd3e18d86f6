"""Structure that keeps the consent promise, checked over the URL map (so a route added later is
covered without touching these tests): every staff route that takes a resident's id goes through
the consent guard, and every id in every address has a shape."""

from __future__ import annotations

import pytest
from werkzeug.routing import AnyConverter

from tests.conftest import make_app, sign_in
from tests.sharing_helpers import Sharing
from tracker.web import converters, guard

# Blueprints whose pages staff use; a route there that takes any of guard.RESIDENT_RECORD_PARAMETERS
# must be guarded. (Admin pages take staff, organisation and catalogue ids only, and admins never
# pass the consent decision; a resident's own pages are theirs.)
STAFF_BLUEPRINTS = {"staff", "tutor", "provider"}


@pytest.fixture
def url_map(sqlite_url):
    app = make_app(sqlite_url)
    yield app
    app.extensions["tracker_engine"].dispose()


def test_every_staff_route_about_a_resident_goes_through_the_consent_guard(url_map):
    checked, unguarded = [], []
    for rule in url_map.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in STAFF_BLUEPRINTS or not set(rule.arguments) & guard.RESIDENT_RECORD_PARAMETERS:
            continue
        checked.append(rule.endpoint)
        if not hasattr(url_map.view_functions[rule.endpoint], "consent_guard"):
            unguarded.append(rule.endpoint)
    assert not unguarded, f"these staff routes take a resident's id without @consent_required: {unguarded}"
    assert {"staff.resident_area", "staff.record_ticks", "tutor.refer"} <= set(checked)


def test_every_id_in_every_address_has_a_shape(url_map):
    ours = tuple(converters.CONVERTERS.values())
    loose = [(rule.rule, name) for rule in url_map.url_map.iter_rules()
             for name, converter in rule._converters.items() if not isinstance(converter, (*ours, AnyConverter))]
    assert not loose, f"use a converter from tracker/converters.py for: {loose}"


@pytest.mark.parametrize("path", [
    "/staff/residents/" + "0" * 33,
    "/staff/residents/" + "Z" * 32 + "/digital",
    "/staff/residents/" + "0" * 32 + "/cooking",
    "/me/plan/goals/" + "x" * 13,
    "/me/plan/goals/../../etc",
    "/me/receipts/MML-0000",
    "/admin/catalogue/99999999999999999999/edit",
    "/admin/catalogue/0/edit",
    "/language/english",
])
def test_malformed_ids_are_not_found_before_any_query(client, people, path):
    Sharing(people.db, people)
    people.user("subject")
    for username in ("tutor.a", "subject", "the.admin"):
        client.post("/sign-out")
        sign_in(client, username)
        assert client.get(path).status_code == 404, (username, path)


def test_a_huge_entry_number_in_a_flag_is_not_found(client, people):
    people.user("amira")
    sign_in(client, "amira")
    assert client.post("/me/looked/" + "9" * 20 + "/flag").status_code == 404
    assert client.post("/me/looked/2147483648/flag").status_code == 404


@pytest.mark.parametrize("value", ["²", "٣", "１", "-1", "1e3", "9" * 30, ""])
def test_numbers_in_forms_and_addresses_are_plain_digits_or_ignored(client, people, value):
    """Python's str.isdigit() says yes to "²" and "٣", which int() then refuses (a 500)."""
    Sharing(people.db, people)
    people.user("subject")
    for username, path in (("subject", f"/me/timeline?page={value}"), ("subject", f"/me/looked?page={value}"),
                           ("staff.a", f"/provider/?after={value}"), ("tutor.a", f"/tutor/?before={value}")):
        client.post("/sign-out")
        sign_in(client, username)
        assert client.get(path).status_code == 200, (path, value)
    client.post("/sign-out")
    sign_in(client, "subject")
    assert client.post("/me/plan/choose", data={"goal": [value]}).status_code == 400
    assert client.post("/me/plan/areas/digital", data={"x": value}).status_code == 303
