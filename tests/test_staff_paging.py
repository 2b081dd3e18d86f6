"""Staff lists page by seeking to where the last page ended (keyset pagination): walking Next from
the first page to the last shows every consented resident exactly once, in the order asked for,
and Previous walks the same pages back. Odd or edited page links show the first page."""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from tests.conftest import sign_in
from tests.sharing_helpers import ALL_FIELDS, Sharing, publish
from tracker.clock import utcnow
from tracker.domain.consent import caseload
from tracker.models import VALID_GRANT_STATES, AreaProgress, ConsentGrant, User

PER_PAGE = 4


@pytest.fixture
def database_url(any_database_url):
    # Row comparisons, NULL ordering and collation differ between the databases: page on both.
    return any_database_url


@pytest.fixture
def crowd(db, people):
    """23 residents sharing with provider A (some in two areas), with ties in the names, in last
    activity and in goals done, and some who have never done anything (no last activity)."""
    sharing = Sharing(db, people)
    rng = random.Random(11)
    now = utcnow().replace(microsecond=0)
    residents = []
    for n in range(23):
        resident = people.user(f"crowd{n:02d}", display_name=["Ann Lee", "Bob Cole", "Cai Wu"][n % 3])  # names repeat
        areas = ["digital", "financial"] if n % 4 == 0 else ["digital"]
        for area in areas:
            sharing.give(resident, sharing.a, area)
            if n % 5 != 0:  # every fifth has no progress at all
                db.add(AreaProgress(resident_id=resident.id, area=area, goals_done=rng.choice([0, 1, 1, 2]),
                                    last_activity_at=now - timedelta(days=rng.choice([1, 1, 3, 40]))))
        residents.append(resident)
    people.user("somebody.else")  # shares nothing: never listed
    db.commit()
    return sharing, residents


def _expected(db, residents, sort, area=None):
    progress = {}
    for row in db.exec(select(AreaProgress).where(AreaProgress.area == area) if area else select(AreaProgress)).all():
        last, done = progress.get(row.resident_id, (None, 0))
        stamp = row.last_activity_at
        progress[row.resident_id] = (max(filter(None, [last, stamp]), default=None), done + row.goals_done)
    by_id = {r.id: r for r in residents}
    names = {rid: db.get(User, rid).display_name for rid in by_id}

    def key(rid):
        last, done = progress.get(rid, (None, 0))
        if sort == "last_activity":
            return (last is None, -(last.timestamp()) if last else 0, names[rid], rid)
        if sort == "goals_done":
            return (-done, names[rid], rid)
        return (names[rid], rid)

    return sorted(by_id, key=key)


def _as_linked(cursor):
    """The cursor as a page link carries it: the resident's id only (their sort key is looked up
    again on the server)."""
    return caseload.parse_cursor(cursor.token(), cursor.forward)


def _walk(db, staff, filters):
    pages, page = [], caseload.resident_page(db, staff, filters, per_page=PER_PAGE)
    pages.append(page)
    while page.next_page:
        page = caseload.resident_page(db, staff, caseload.Filters(**{**filters.__dict__, "cursor": _as_linked(page.next_page)}),
                                      per_page=PER_PAGE)
        pages.append(page)
        assert len(pages) < 50
    return pages


def _walk_back(db, staff, filters, last_page):
    back, page = [], last_page
    while page.previous_page:
        page = caseload.resident_page(db, staff, caseload.Filters(**{**filters.__dict__, "cursor": _as_linked(page.previous_page)}),
                                      per_page=PER_PAGE)
        back.append([row.id for row in page.rows])
        assert len(back) < 50
    return back


@pytest.mark.parametrize("sort", ["name", "last_activity", "goals_done", "last_activity in digital"])
@pytest.mark.parametrize("stale", [False, True])
def test_next_walks_everyone_once_in_order_and_previous_walks_back(db, people, crowd, sort, stale, way):
    sharing, residents = crowd
    staff = sharing.staff_a
    sort, _, area = sort.partition(" in ")
    filters = caseload.Filters(area=area or None, sort=sort, stale=stale)
    pages = _walk(db, staff, filters)
    seen = [row.id for page in pages for row in page.rows]
    expected = _expected(db, residents, sort, area or None)
    if stale:  # no progress in 30 days: nothing recent in any area (or in the one asked about)
        recent = {p.resident_id for p in db.exec(select(AreaProgress)).all()
                  if p.last_activity_at > utcnow() - timedelta(days=30) and (not area or p.area == area)}
        expected = [rid for rid in expected if rid not in recent]
    assert seen == expected
    assert all(len(page.rows) == PER_PAGE for page in pages[:-1]) and pages[-1].next_page is None
    assert pages[0].previous_page is None and all(page.previous_page for page in pages[1:])
    assert {page.total for page in pages} == {len(expected)}
    # Back from the last page: the same pages, in reverse.
    assert _walk_back(db, staff, filters, pages[-1]) == [[row.id for row in p.rows] for p in reversed(pages[:-1])]


@pytest.fixture
def mixed_crowd(db, people):
    """18 residents sharing one to three areas with provider A, at stages 1 to 3, whose newest
    activity is sometimes in an area whose notice does not show it (A's job-readiness notice hides
    last activity), with ties between a resident's areas and between residents."""
    sharing = Sharing(db, people)
    publish(db, sharing.a, "job_readiness", fields=[f for f in ALL_FIELDS if f != "last_activity"], material=True,
            change={"en": "Less", "pl": "Mniej"})
    rng = random.Random(5)
    now = utcnow().replace(microsecond=0)
    residents = []
    for n in range(18):
        resident = people.user(f"mixed{n:02d}", display_name=["Ann Lee", "Bob Cole", "Cai Wu"][n % 3])
        for area in rng.sample(["digital", "financial", "job_readiness"], rng.choice([1, 2, 3])):
            sharing.give(resident, sharing.a, area)
            days = rng.choice([1, 1, 3, 40, 60, None])
            if days != 60:  # 60: no progress row at all
                db.add(AreaProgress(resident_id=resident.id, area=area, latest_stage=rng.choice([1, 2, 3]), first_stage=1,
                                    goals_done=rng.choice([0, 1, 2]), last_activity_at=now - timedelta(days=days) if days else None))
        residents.append(resident)
    # Newer activity under grants that do not count (paused, withdrawn, another organisation's),
    # and residents whose only grant does not count: none of it may list, sort or hide anyone.
    for n, resident in enumerate(residents[::3]):
        unused = [a for a in ("digital", "financial", "job_readiness")
                  if not db.exec(select(ConsentGrant).where(ConsentGrant.resident_id == resident.id, ConsentGrant.area == a)).first()]
        if unused:
            grant, _ = sharing.give(resident, sharing.a, unused[0])
            sharing.act(resident, "pause" if n % 2 else "withdraw", grant)
            db.add(AreaProgress(resident_id=resident.id, area=unused[0], latest_stage=2, goals_done=5, last_activity_at=now))
        sharing.give(resident, sharing.b, "digital")
    for situation in ("pending", "paused", "withdrawn", "expired", "other_provider"):
        resident = sharing.resident_in(situation, f"mixed.{situation}", "financial")
        db.add(AreaProgress(resident_id=resident.id, area="financial", latest_stage=2, goals_done=3, last_activity_at=now))
        residents.append(resident)
    gone = people.user("mixed.gone", display_name="Ann Lee")
    sharing.give(gone, sharing.a, "digital")
    gone.active = False  # a closed account is listed by nobody
    db.add(AreaProgress(resident_id=gone.id, area="digital", latest_stage=2, goals_done=3, last_activity_at=now))
    residents.append(gone)
    db.commit()
    return sharing, residents


def _as_the_list_should_be(db, provider, residents, area, stage, stale, sort):
    """The list worked out resident by resident: those with a valid grant to ``provider`` in an
    area passing the filters, each with their newest activity among those areas whose notice shows
    it, and their goals done in them."""
    shown = {"digital", "financial"}  # job readiness hides last activity (mixed_crowd)
    now = utcnow()
    progress = {(p.resident_id, p.area): p for p in db.exec(select(AreaProgress)).all()}
    listed = []
    for resident in residents:
        if not resident.active:
            continue
        areas = [g.area for g in db.exec(select(ConsentGrant).where(
            ConsentGrant.resident_id == resident.id, ConsentGrant.provider_id == provider.id)).all()
            if g.state in VALID_GRANT_STATES and g.valid_until > now]
        passing = [a for a in areas if (not area or a == area)
                   and (not stage or ((resident.id, a) in progress and progress[(resident.id, a)].latest_stage == stage))]
        if not passing:
            continue
        dates = [progress[(resident.id, a)].last_activity_at for a in passing
                 if a in shown and (resident.id, a) in progress and progress[(resident.id, a)].last_activity_at]
        last = max(dates, default=None)
        done = sum(progress[(resident.id, a)].goals_done for a in passing if (resident.id, a) in progress)
        if stale and last is not None and last >= now - timedelta(days=30):
            continue
        listed.append((resident, last, done))
    if sort == "name":
        return [r.id for r, _, _ in sorted(listed, key=lambda x: (x[0].display_name, x[0].id))]
    if sort == "goals_done":
        return [r.id for r, _, _ in sorted(listed, key=lambda x: (-x[2], x[0].display_name, x[0].id))]
    return [r.id for r, _, _ in sorted(listed, key=lambda x: (x[1] is None, -x[1].timestamp() if x[1] else 0, x[0].display_name, x[0].id))]


@pytest.mark.parametrize("sort", ["name", "last_activity", "goals_done"])
@pytest.mark.parametrize("stale", [False, True])
def test_every_filter_lists_whom_it_should_in_order_whatever_the_notices_hide(db, people, mixed_crowd, sort, stale, way):
    """Lists walked along indexes (by name, or newest activity first, in one area or in any) and
    lists worked out from the grants give the residents, and the order, that working it out
    resident by resident gives; and a date a notice does not show neither sorts nor filters anyone."""
    sharing, residents = mixed_crowd
    for area in (None, "digital", "job_readiness"):
        for stage in (None, 2):
            filters = caseload.Filters(area=area, stage=stage, stale=stale, sort=sort)
            pages = _walk(db, sharing.staff_a, filters)
            expected = _as_the_list_should_be(db, sharing.a, residents, area, stage, stale, sort)
            assert [row.id for page in pages for row in page.rows] == expected, (area, stage)
            assert {page.total for page in pages} == {len(expected)}, (area, stage)
            assert _walk_back(db, sharing.staff_a, filters, pages[-1]) == [[row.id for row in p.rows] for p in reversed(pages[:-1])]


def test_a_page_link_holds_only_an_id_and_odd_links_show_the_first_page(db, people, crowd):
    sharing, _residents = crowd
    staff = sharing.staff_a
    for sort in caseload.SORTS:
        first = caseload.resident_page(db, staff, caseload.Filters(sort=sort), per_page=PER_PAGE)
        token = first.next_page.token()
        assert token == first.next_page.resident_id  # no name or date in an address
        filters, errors = caseload.parse_filters({"sort": sort, "after": token})
        assert not errors and filters.cursor.resident_id == token and filters.cursor.key is None
        # Looked up again on the server, it gives the same second page as the cursor it came from.
        again = caseload.resident_page(db, staff, filters, per_page=PER_PAGE)
        assert [r.id for r in again.rows] == [r.id for r in caseload.resident_page(
            db, staff, caseload.Filters(sort=sort, cursor=first.next_page), per_page=PER_PAGE).rows]
    for token in ["abc", "", "!!!!", "0" * 31, "0" * 33, "G" * 32, "\x00" * 32, "é" * 32, None, ["0" * 32]]:
        assert caseload.parse_filters({"after": token})[0].cursor is None, token
    # Someone who does not share (or no longer does): the first page, as for any odd link.
    stranger = people.user("not.sharing")
    first = [r.id for r in caseload.resident_page(db, staff, caseload.Filters(), per_page=PER_PAGE).rows]
    for sort in caseload.SORTS:
        for args in ({"after": stranger.id}, {"before": stranger.id}, {"after": stranger.id, "area": "digital"}):
            filters, _ = caseload.parse_filters({"sort": sort, **args})
            page = caseload.resident_page(db, staff, filters, per_page=PER_PAGE)
            assert page.previous_page is None and page.rows
            if sort == "name" and "area" not in args:
                assert [r.id for r in page.rows] == first


def test_the_dashboard_pages_with_next_and_previous_links(app, db, people, crowd, monkeypatch):
    _sharing, residents = crowd
    monkeypatch.setattr(caseload, "PER_PAGE", 10)
    client = app.test_client()
    sign_in(client, "staff.a")
    seen, path = [], "/provider/?sort=goals_done"
    pages = []
    while path:
        html = client.get(path).text
        pages.append(html)
        seen += re.findall(r'href="/staff/residents/([0-9a-f]{32})"', html)
        found = re.search(r'href="([^"]+)" rel="next"', html)
        path = found.group(1).replace("&amp;", "&") if found else None
    assert seen == _expected(db, residents, "goals_done") and len(pages) == 3
    assert "sort=goals_done" in re.search(r'href="([^"]+)" rel="prev"', pages[-1]).group(1)
    assert "rel=\"prev\"" not in pages[0] and "23 residents." in pages[0]
    previous = re.search(r'href="([^"]+)" rel="prev"', pages[1]).group(1).replace("&amp;", "&")
    assert re.findall(r'href="/staff/residents/([0-9a-f]{32})"', client.get(previous).text) == seen[:10]
    # An edited link is the first page, not an error.
    assert client.get("/provider/?after=%E2%98%83").status_code == 200


def test_big_lists_are_counted_only_so_far(app, db, people, crowd, monkeypatch):
    monkeypatch.setattr(caseload, "COUNTED_UP_TO", 10)
    client = app.test_client()
    sign_in(client, "staff.a")
    assert "More than 10 residents." in client.get("/provider/").text
    assert "More than 10 residents found." in client.post("/provider/search", data={"name": "e"}).text
    client.post("/sign-out")
    sign_in(client, "tutor.a")
    assert "More than 10 residents share with you" in client.get("/tutor/").text
    monkeypatch.setattr(caseload, "COUNTED_UP_TO", 1000)
    assert "23 residents share with you" in client.get("/tutor/").text
    monkeypatch.setattr(caseload, "SEARCH_SHOWS", 5)
    found = client.post("/tutor/search", data={"name": "lee"}).text
    assert "8 residents found. These are the first 5. Type more of the name to find fewer." in found


def test_search_finds_any_part_of_a_name_in_any_case_and_follows_renames_and_deletions(app, db, people, database_url):
    """The name search uses a trigram index (migration 0011); on SQLite it is a table kept by
    triggers, so a renamed or deleted resident must be found (or not) straight away."""
    from tracker.domain import data_rights

    sharing = Sharing(db, people)
    names = {"kasia": "Katarzyna Nowak-Wiśniewska", "benny": "Ben O'Neill", "joanna": "Jo 50% Smith", "annie": "Ann Lee",
             "lucja": "Łucja Żak"}
    residents = {}
    for username, display_name in names.items():
        residents[username] = people.user(username, display_name=display_name)
        sharing.give(residents[username], sharing.a, "digital")
    db.commit()

    def found(text):
        return {row.name for row in caseload.resident_page(db, sharing.staff_a, caseload.Filters(), name=text).rows}

    assert found("nowak-wiś") == found("NOWAK") == found("NOWAK-WIŚ") == {"Katarzyna Nowak-Wiśniewska"}
    assert found("o'nei") == {"Ben O'Neill"}
    assert found("łucja") == found("ŁUCJA ŻAK") == found("żak") == {"Łucja Żak"}  # capitals beyond A-Z, on SQLite too
    assert found("50%") == {"Jo 50% Smith"} and found("0%") == {"Jo 50% Smith"}  # LIKE's wildcards are plain text
    assert found("_") == set() and found("e") == {"Katarzyna Nowak-Wiśniewska", "Ben O'Neill", "Ann Lee"}
    assert found("a ż") == {"Łucja Żak"}
    assert found("somebody.else") == set() and found("Sam Staff") == set()  # staff are never residents found
    residents["annie"].display_name = "Annabel Lee"
    db.add(residents["annie"])
    db.commit()
    assert found("annab") == {"Annabel Lee"}
    data_rights.erase(db, residents["benny"])
    db.commit()
    assert found("o'nei") == set()
    if database_url.startswith("sqlite"):
        from sqlalchemy import text

        triggers = {row[0] for row in db.connection().execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))}
        assert {"user_account_name_added", "user_account_name_changed", "user_account_name_removed"} <= triggers
        kept = {row[0] for row in db.connection().execute(text("SELECT display_name FROM user_account_name"))}
        assert kept == {u.display_name for u in db.exec(select(User)).all()}  # the index holds exactly the names there are


def test_an_export_and_a_page_log_everyone_in_them_with_the_chain_intact(app, db, crowd):
    """Access-log rows go to PostgreSQL by COPY (SQLite: executemany), a page's few as an export's
    many: every resident's entry, each following the last."""
    from tracker.domain import consent
    from tracker.models import AccessLogEntry

    _sharing, residents = crowd
    client = app.test_client()
    sign_in(client, "staff.a")
    text = client.get("/provider/export.csv").get_data(as_text=True)
    assert len(text.splitlines()) == 1 + sum(2 if n % 4 == 0 else 1 for n in range(23))  # a row per resident and area shared
    entries = db.exec(select(AccessLogEntry).where(AccessLogEntry.action == "exported_summary")).all()
    assert sorted({e.resident_id for e in entries}) == sorted(r.id for r in residents)
    assert all(e.fields_disclosed and e.occurred_at.tzinfo is not None for e in entries)
    assert consent.verify_chains(db) == {}
    assert client.get("/provider/").status_code == 200 and client.get("/provider/?sort=goals_done").status_code == 200
    listed = db.exec(select(AccessLogEntry).where(AccessLogEntry.action == "listed_in_dashboard")).all()
    assert len(listed) == 2 * (23 + 6) and consent.verify_chains(db) == {}  # 23 residents, 6 sharing two areas: on one page


def test_an_export_gives_its_database_connection_back_whether_read_to_the_end_or_left(app, crowd, monkeypatch):
    """A streamed export reads as it sends. Its connection goes back to the pool when the last
    row is sent, and when the reader goes away after the first residents: kept, a few exports
    would use up the pool and every page would wait for a connection."""
    from tracker.domain.consent import caseload

    monkeypatch.setattr(caseload, "EXPORT_CHUNK", 2)  # 12 chunks on SQLite, and on PostgreSQL (chunks of 10) 3
    pool = app.extensions["tracker_engine"].pool
    client = app.test_client()
    sign_in(client, "staff.a")
    assert len(client.get("/provider/export.csv").text.splitlines()) == 1 + 23 + 6
    assert pool.checkedout() == 0
    with client.get("/provider/export.csv", buffered=False) as response:
        chunks = iter(response.response)
        assert next(chunks).decode().startswith("\ufeffresident,") and "Lee" in next(chunks).decode()
        assert pool.checkedout() == 1  # still reading the rest
    assert pool.checkedout() == 0


def test_an_area_shared_after_the_export_was_logged_is_not_in_the_file(db, crowd):
    """The file is read after the access log is committed. An area a resident starts sharing in
    between would be a look nobody logged, so only the areas logged go in the file."""
    sharing, residents = crowd
    everyone = caseload.parse_filters({})[0]
    logged = caseload.log_exported(db, sharing.staff_a, everyone, "req")
    db.commit()
    sharing.give(residents[1], sharing.a, "financial")  # digital only until now
    db.commit()
    text = "".join(caseload.export_chunks(db, sharing.staff_a, logged, everyone))
    areas = [line.split(",")[1] for line in text.splitlines()[1:]]
    assert len(areas) == 23 + 6 and areas.count("financial") == 6  # as logged: the new area is not there
    now = caseload.resident_page(db, sharing.staff_a, everyone, per_page=30).rows
    assert sum(len(row.areas) for row in now) == 23 + 7  # while the dashboard shows it, and logs it, from now on


def test_lists_built_once_serve_each_organisation_filter_and_page_with_its_own_values(app, db, people, way, monkeypatch):
    """A list's statements are built once per shape and kept for the life of the process; what
    differs between organisations, areas, times and pages goes with each run. So the same list
    asked by two organisations gives each its own residents (and a third, whose notice hides last
    activity, never sorts by it), two areas their own, every filter and sort the same people as
    worked out from the grants, pages follow on and back without a gap or a repeat, and the second
    organisation's list builds nothing new."""
    import html

    from tracker.domain import plan
    from tracker.models import Role

    monkeypatch.setattr(caseload, "PER_PAGE", 2)
    sharing = Sharing(db, people)
    c = people.provider("Melton Money Advice")
    publish(db, c, "digital", fields=[f for f in ALL_FIELDS if f != "last_activity"])
    people.user("staff.b", role=Role.PROVIDER_STAFF, provider=sharing.b.name)
    people.user("staff.c", role=Role.PROVIDER_STAFF, provider=c.name)
    a_digital = [people.user(f"a.digital{n}") for n in range(5)]
    a_money = [people.user(f"a.money{n}") for n in range(2)]
    b_digital = [people.user(f"b.digital{n}") for n in range(3)]
    for resident in a_digital:
        sharing.give(resident, sharing.a, "digital")
        sharing.give(resident, c, "digital")
    for resident in a_money:
        sharing.give(resident, sharing.a, "financial")
    for resident in b_digital:
        sharing.give(resident, sharing.b, "digital")
    # Activity (so pages by last activity carry dated cursors), newest last: a_digital[3], [2], [1].
    for resident in (a_digital[1], a_digital[2], a_digital[3], b_digital[0]):
        plan.add_own_goal(db, resident.id, "digital", "Send an email", ["Open the app"], plan.Actor.of(resident))
        db.commit()

    def every_page(client, path):
        """Ids in the order the pages show them, following Next; then Previous back to the start."""
        forward, page = [], client.get(path).text
        for _ in range(20):
            forward.append(re.findall(r'href="/staff/residents/([0-9a-f]{32})"', page))
            found = re.search(r'href="([^"]+)" rel="next"', page)
            if not found:
                break
            page = client.get(html.unescape(found.group(1))).text
        back = [forward[-1]]
        for _ in range(20):
            found = re.search(r'href="([^"]+)" rel="prev"', page)
            if not found:
                break
            page = client.get(html.unescape(found.group(1))).text
            back.append(re.findall(r'href="/staff/residents/([0-9a-f]{32})"', page))
        assert back == forward[::-1], path  # Previous walks the same pages back
        return [rid for ids in forward for rid in ids]

    for cache in (caseload._by_name_page, caseload._dated_part, caseload._undated_part, caseload._grouped_page):
        cache.cache_clear()
    staff = {name: app.test_client() for name in ("staff.a", "staff.b", "staff.c")}
    for name, client in staff.items():
        assert sign_in(client, name).status_code == 303
    listed = every_page(staff["staff.a"], "/provider/")
    assert sorted(listed) == sorted(r.id for r in a_digital + a_money)
    built = caseload._by_name_page.cache_info().misses
    assert sorted(every_page(staff["staff.b"], "/provider/")) == sorted(r.id for r in b_digital)
    if way == "walked":  # (the grouped listing has statements of its own)
        assert caseload._by_name_page.cache_info().misses == built, "a second organisation's list built its statements again"

    ids = {r.id for r in a_digital + a_money + b_digital}
    for sort in ("name", "last_activity", "goals_done"):
        for query in ("", "&area=digital", "&area=financial", "&stale=1", "&new=1", "&area=digital&stage=1"):
            for name, provider in (("staff.a", sharing.a), ("staff.b", sharing.b), ("staff.c", c)):
                path = f"/provider/?sort={sort}{query}"
                shown = every_page(staff[name], path)
                assert len(shown) == len(set(shown)), path  # nobody twice
                expected = _expected_by_grants(db, provider, query) & ids
                assert set(shown) == expected, (name, path)
    # Newest activity first, through dated cursors, for the organisation whose notice shows it;
    # the one whose notice hides last activity lists by name instead.
    by_activity = every_page(staff["staff.a"], "/provider/?sort=last_activity&area=digital")
    assert by_activity[:3] == [a_digital[3].id, a_digital[2].id, a_digital[1].id]
    hidden = every_page(staff["staff.c"], "/provider/?sort=last_activity")
    assert hidden == every_page(staff["staff.c"], "/provider/?sort=name")
    # A name search is built for its text, and finds only the organisation's own.
    found = staff["staff.b"].post("/provider/search", data={"name": "digital"}).text
    assert set(re.findall(r'href="/staff/residents/([0-9a-f]{32})"', found)) == {r.id for r in b_digital}


def _expected_by_grants(db, provider, query: str) -> set[str]:
    """Who a list with these filters shows, from the grants (every resident here checked in at no
    stage, so a stage filter shows nobody; "stale" and "new" keep everyone: nothing here is older
    than 30 days, and every grant was given this month)."""
    now = utcnow()
    grants = [g for g in db.exec(select(ConsentGrant).where(ConsentGrant.provider_id == provider.id)).all()
              if g.state in VALID_GRANT_STATES and g.valid_until > now]
    area = re.search(r"area=(\w+)", query)
    if area:
        grants = [g for g in grants if g.area == area.group(1)]
    if "stage=" in query:
        return set()
    if "stale=1" in query:
        recent = {p.resident_id for p in db.exec(select(AreaProgress)).all()
                  if p.last_activity_at and p.last_activity_at > now - timedelta(days=30)}
        shows_activity = provider.name != "Melton Money Advice"
        return {g.resident_id for g in grants if not (shows_activity and g.resident_id in recent)}
    return {g.resident_id for g in grants}
