"""The resident's plan pages: each action as a plain form and through htmx, bad input, other
people's ids, and the number of SQL statements per page staying flat as a plan grows."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session, select

from tests.conftest import make_app, sign_in, statements_during
from tracker.clock import utcnow
from tracker.domain import plan
from tracker.models import CatalogueGoal, GoalNote, PlanEvent, PlanGoal, PlanStep

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://localhost/me/plan"}


@pytest.fixture
def amira(people):
    return people.user("amira", display_name="Amira Hassan")


@pytest.fixture
def signed_in(client, amira):
    sign_in(client, "amira")
    return client


def _catalogue_id(db, code):
    return db.exec(select(CatalogueGoal).where(CatalogueGoal.code == code)).one().id


def _goal_with_steps(db, resident):
    goal = plan.add_catalogue_goals(db, resident.id, [_catalogue_id(db, "digital.get-online")], plan.Actor.of(resident))[0]
    db.commit()
    steps = db.exec(select(PlanStep).where(PlanStep.goal_id == goal.id).order_by(PlanStep.position)).all()
    return goal, steps


# --- Check-in and choosing goals ---------------------------------------------------------------


def test_first_check_in_then_suggested_goals(signed_in, db, amira):
    assert "Start my check-in" in signed_in.get("/me/").text
    response = signed_in.post("/me/check-in", data={"digital": "1", "financial": "3", "job_readiness": "2", "digital_note": "Nervous"})
    assert response.headers["Location"] == "/me/plan/choose"
    page = signed_in.get("/me/plan/choose").text
    assert "Your check-in is saved" in page
    # One part of the plan at a time, the suggested goals first, each with its own button.
    suggested = sum(signed_in.get(f"/me/plan/choose?area={area}").text.count("Suggested for you") for area in ("digital", "financial", "job_readiness"))
    assert suggested >= 3
    assert page.index("Suggested for you") < page.index("Add to my plan")


def test_a_check_in_without_answers_explains_what_to_do(signed_in):
    response = signed_in.post("/me/check-in", data={"digital": "9", "financial": ""})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    assert "Choose where you are now with managing money" in response.text


def test_choosing_goals_adds_them_and_ignores_odd_ids(signed_in, db, amira, people):
    ids = [_catalogue_id(db, "digital.get-online"), _catalogue_id(db, "financial.make-a-budget")]
    response = signed_in.post("/me/plan/choose", data={"goal": [str(i) for i in ids] + ["99999", "abc", "-1"], "resident_id": "someone"})
    assert response.headers["Location"] == "/me/plan"
    assert "Added 2 goals to your plan" in signed_in.get("/me/plan").text
    assert {g.catalogue_goal_id for g in db.exec(select(PlanGoal)).all()} == set(ids)


def test_choosing_nothing_says_so(signed_in):
    response = signed_in.post("/me/plan/choose", data={})
    assert response.status_code == 400 and "Choose at least one goal to add" in response.text


def test_search_and_browse_by_area(signed_in):
    page = signed_in.get("/me/plan/choose?area=financial&q=budget").text
    assert "Make a simple budget" in page and "Get online and use websites" not in page
    assert "No goals match your search" in signed_in.get("/me/plan/choose?q=zzzzzz").text
    assert signed_in.get("/me/plan/choose?area=<script>").status_code == 200


def test_writing_your_own_goal(signed_in, db):
    response = signed_in.post("/me/plan/goals/new", data={
        "area": "digital", "title": "Video call my sister", "steps": "I can open the app\n\nI can call her\n",
        "target_date": ["31", "3", "2027"],
    })
    goal = db.exec(select(PlanGoal)).one()
    assert response.headers["Location"] == f"/me/plan/goals/{goal.id}"
    page = signed_in.get(response.headers["Location"]).text
    assert "Video call my sister" in page and "I can call her" in page and "31 March 2027" in page


def test_own_goal_errors_are_shown_the_gov_uk_way(signed_in, db):
    response = signed_in.post("/me/plan/goals/new", data={
        "area": "space", "title": "x" * 121, "steps": "\n".join(["a step"] * 11), "target_date": ["31", "2", "2027"],
    })
    assert response.status_code == 400
    for message in ["Choose which part of your plan this goal is for", "Your goal must be 120 characters or fewer",
                    "Write 10 steps or fewer", "Enter a real date"]:
        assert message in response.text
    assert db.exec(select(PlanGoal)).first() is None


# --- Ticking steps, with and without htmx ------------------------------------------------------


def test_ticking_steps_without_javascript_saves_the_area_and_comes_back(signed_in, db, amira):
    goal, steps = _goal_with_steps(db, amira)
    response = signed_in.post("/me/plan/areas/digital", data={goal.id: ["1", "3"]})
    assert response.status_code == 303 and response.headers["Location"] == "/me/plan#area-digital"
    page = signed_in.get("/me/plan").text
    assert re.search(rf'id="s{re.escape(steps[0].id)}"[^>]*checked', page)
    assert not re.search(rf'id="s{re.escape(steps[1].id)}"[^>]*checked', page)
    assert "2 of" in page and "In progress" in page and "Saved." in page


def test_ticking_steps_with_htmx_returns_the_area_fragment(signed_in, db, amira):
    goal, _steps = _goal_with_steps(db, amira)
    headers = {**HTMX, "HX-Boosted": "true", "HX-Target": "area-digital"}
    response = signed_in.post("/me/plan/areas/digital", data={goal.id: ["1", "2"]}, headers=headers)
    assert response.status_code == 200
    fragment = response.text
    assert fragment.lstrip().startswith('<section class="app-area" id="area-digital"')
    assert "<html" not in fragment
    assert "2 of" in fragment and 'hx-swap-oob="innerHTML"' in fragment


def test_finishing_a_goal_and_reopening_it_on_its_page(signed_in, db, amira):
    goal, _ = _goal_with_steps(db, amira)
    headers = {**HTMX, "HX-Boosted": "true", "HX-Target": f"g{goal.id}"}
    fragment = signed_in.post(f"/me/plan/goals/{goal.id}", data={goal.id: ["1"], "finished": goal.id}, headers=headers).text
    assert fragment.lstrip().startswith(f'<li class="govuk-task-list__item app-goal" id="g{goal.id}"')
    assert re.search(rf'id="f{re.escape(goal.id)}"[^>]*checked', fragment)
    db.refresh(goal)
    assert goal.status == "done"
    response = signed_in.post(f"/me/plan/goals/{goal.id}", data={goal.id: ["1"]})
    assert response.headers["Location"] == f"/me/plan/goals/{goal.id}"
    db.refresh(goal)
    assert goal.status == "in_progress"
    changes = [(e.before, e.after) for e in db.exec(select(PlanEvent).where(PlanEvent.kind == "goal_status_changed")).all()]
    assert changes == [({"status": "not_started"}, {"status": "in_progress"}), ({"status": "in_progress"}, {"status": "done"}),
                       ({"status": "done"}, {"status": "in_progress"})]


def test_boxes_for_someone_elses_goal_or_another_area_change_nothing(signed_in, db, amira, people):
    ben = people.user("ben")
    bens_goal, _ = _goal_with_steps(db, ben)
    my_goal, _ = _goal_with_steps(db, amira)
    response = signed_in.post("/me/plan/areas/financial", data={bens_goal.id: ["1"], my_goal.id: ["1"], "finished": [bens_goal.id, my_goal.id], "status": "deleted"})
    assert response.status_code == 303
    for goal in (bens_goal, my_goal):
        db.refresh(goal)
        assert goal.status == "not_started"
    assert signed_in.post("/me/plan/areas/space", data={}).status_code == 404
    assert {e.kind for e in db.exec(select(PlanEvent)).all()} == {"goal_added"}


# --- Notes, editing, removing ------------------------------------------------------------------


def test_notes_show_html_as_text_and_links_safely(signed_in, db, amira):
    goal, _ = _goal_with_steps(db, amira)
    response = signed_in.post(f"/me/plan/goals/{goal.id}/notes", data={"text": "<script>alert('x')</script> I did it", "link": "https://example.org/a?b=<c>"})
    assert response.status_code == 303
    page = signed_in.get(f"/me/plan/goals/{goal.id}").text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; I did it" in page
    assert 'rel="noopener noreferrer nofollow"' in page


def test_own_words_are_text_on_the_plan_page_its_ticks_and_the_goal_page(signed_in, db, amira):
    """The plan's goals are written out in Python (tracker/resident/plan_html.py), not by Jinja:
    they must escape exactly as Jinja would, here and where a tick sends an area back."""
    title, step = "Mum's <b>phone</b> & \"tablet\"", "I can <script>alert('x')</script> it"
    goal = plan.add_own_goal(db, amira.id, "digital", title, [step, "I can call & text"], plan.Actor.of(amira))
    db.commit()
    expected_title = str(escape(title))
    for page in (signed_in.get("/me/plan").text,
                 signed_in.post("/me/plan/areas/digital", data={goal.id: ["2"]}, headers=HTMX).text,
                 signed_in.get(f"/me/plan/goals/{goal.id}").text):
        assert "<script>alert" not in page and "<b>phone" not in page
        assert str(escape(step)) in page and "I can call &amp; text" in page
    assert expected_title in signed_in.get("/me/plan").text


@pytest.mark.parametrize("language", ["en", "pl"])
def test_the_plans_words_are_the_ones_gettext_gives(app, language):
    """PlanWords translates with the request's translations looked up once: it must give what
    gettext and str() give."""
    from flask_babel import gettext, ngettext

    from tracker.resident.plan_html import PlanWords
    from tracker.web.wording import AREA_NAMES, AREA_SHORT_NAMES, STAGE_NAMES, STATUS_NAMES

    with app.test_request_context("/", headers={"Accept-Language": language}):
        words = PlanWords()
        assert words.where_now == str(escape(gettext("Where you are now:")))
        assert words.my_plan == gettext("My plan") == ("Mój plan" if language == "pl" else "My plan")
        for table, name in ((AREA_NAMES, words.area_name), (AREA_SHORT_NAMES, words.area_short_name),
                            (STAGE_NAMES, words.stage_name), (STATUS_NAMES, words.status_name)):
            for key, lazy in table.items():
                assert name(key) == str(escape(str(lazy)))
        for count in (1, 2, 5, 22):
            assert words.notes(count) == str(escape(ngettext("%(num)d note", "%(num)d notes", count)))


@pytest.mark.parametrize(
    ("fields", "message"),
    [({"text": "x" * 2001}, "Your note must be 2,000 characters or fewer"),
     ({"text": ""}, "Write your note"),
     ({"text": "ok", "link": "javascript:alert(1)"}, "Enter a link that starts with https://")],
)
def test_bad_notes_get_a_clear_message_and_nothing_is_saved(signed_in, db, amira, fields, message):
    goal, _ = _goal_with_steps(db, amira)
    response = signed_in.post(f"/me/plan/goals/{goal.id}/notes", data=fields)
    assert response.status_code == 400 and message in response.text
    assert db.exec(select(GoalNote)).first() is None


def test_editing_and_removing_a_goal(signed_in, db, amira):
    goal = plan.add_own_goal(db, amira.id, "digital", "Learn email", ["I can open email"], plan.Actor.of(amira))
    db.commit()
    signed_in.post(f"/me/plan/goals/{goal.id}/edit", data={"title": "Learn email well", "new_step": "I can send one", "target_date": ["1", "5", "2027"]})
    page = signed_in.get(f"/me/plan/goals/{goal.id}").text
    assert "Learn email well" in page and "I can send one" in page and "1 May 2027" in page
    assert "Remove this goal from your plan?" in signed_in.get(f"/me/plan/goals/{goal.id}/remove").text
    assert signed_in.post(f"/me/plan/goals/{goal.id}/remove").headers["Location"] == "/me/plan"
    assert signed_in.get(f"/me/plan/goals/{goal.id}").status_code == 404
    timeline = signed_in.get("/me/timeline").text
    assert "Removed the goal “Learn email well”" in timeline and "Added the goal “Learn email”" in timeline


# --- Someone else's ids ------------------------------------------------------------------------


def test_someone_elses_goal_looks_exactly_like_no_goal_at_all(app, db, people, amira):
    ben = people.user("ben")
    bens_goal, _ = _goal_with_steps(db, ben)
    client = app.test_client()
    sign_in(client, "amira")
    for suffix, method, data in [("", "get", None), ("/edit", "get", None), ("/remove", "get", None),
                                 ("", "post", {"finished": bens_goal.id}),
                                 ("/notes", "post", {"text": "hi"}), ("/remove", "post", None)]:
        theirs = getattr(client, method)(f"/me/plan/goals/{bens_goal.id}{suffix}", data=data)
        missing = getattr(client, method)(f"/me/plan/goals/{'0' * 32}{suffix}", data=data)
        assert theirs.status_code == missing.status_code == 404, suffix
        assert _main(theirs.text) == _main(missing.text)
    db.refresh(bens_goal)
    assert bens_goal.status == "not_started" and bens_goal.removed_at is None
    assert db.exec(select(GoalNote)).first() is None


def _main(html: str) -> str:
    return re.sub(r'value="[^"]+"', "", html.split('<main', 1)[1].split("</main>")[0])


# --- History is append-only -------------------------------------------------------------------


def test_the_database_refuses_to_change_or_delete_history(any_database_url, people):
    app = make_app(any_database_url)
    engine = app.extensions["tracker_engine"]
    with Session(engine) as db:
        resident = people.__class__(db).user("amira")
        plan.add_own_goal(db, resident.id, "digital", "Learn email", [], plan.Actor.of(resident))
        db.commit()
    for statement in ["UPDATE plan_event SET kind = 'goal_removed'", "DELETE FROM plan_event"]:
        with engine.connect() as connection, pytest.raises(DatabaseError, match="append-only"):
            connection.execute(text(statement))
            connection.commit()
    with Session(engine) as db:
        assert [e.kind for e in db.exec(select(PlanEvent)).all()] == ["goal_added"]
    engine.dispose()


# --- Statements per page stay flat ------------------------------------------------------------


def _fill_plan(db, resident, goals: int, events: int):
    """A plan with ``goals`` goals and at least ``events`` events (extra history written directly)."""
    actor = plan.Actor.of(resident)
    catalogue = db.exec(select(CatalogueGoal).order_by(CatalogueGoal.id)).all()
    added = plan.add_catalogue_goals(db, resident.id, [g.id for g in catalogue[:goals]], actor)
    for n in range(goals - len(added)):
        added.append(plan.add_own_goal(db, resident.id, "digital", f"My goal {n}", ["I can do a", "I can do b"], actor))
    plan.record_check_in(db, resident.id, {"digital": (2, None), "financial": (3, None), "job_readiness": (1, None)}, actor)
    for goal in added[:5]:
        plan.add_note(db, goal, actor, "A note")
    written = db.exec(select(PlanEvent).where(PlanEvent.resident_id == resident.id)).all()
    for n in range(events - len(written)):
        db.add(PlanEvent(resident_id=resident.id, actor_id=resident.id, actor_role="resident", actor_name="Amira",
                         kind="step_done", area="digital", goal_id=added[0].id, subject={"en": f"Step {n}"},
                         occurred_at=utcnow() - timedelta(minutes=n)))
    db.commit()


@pytest.mark.parametrize("path", ["/me/", "/me/plan", "/me/timeline", "/me/progress", "/me/plan/print", "/me/plan/choose"])
def test_statements_per_page_do_not_grow_with_the_plan(app, db, people, path):
    small, big = people.user("small.plan"), people.user("big.plan")
    _fill_plan(db, small, goals=1, events=1)
    _fill_plan(db, big, goals=30, events=1000)
    counts = {}
    for resident in (small, big):
        client = app.test_client()
        sign_in(client, resident.username)
        client.get(path)  # warm up (the first request may update seen-at)
        app.extensions["tracker_plan_cache"].clear()  # count the cold path: the plan's HTML is not cached yet
        response, statements = statements_during(app.extensions["tracker_engine"], lambda client=client: client.get(path))
        assert response.status_code == 200
        counts[resident.username] = len(statements)
    assert counts["big.plan"] == counts["small.plan"], counts
    assert counts["big.plan"] <= 8, counts


def test_statements_per_tick_do_not_grow_with_the_plan(app, db, people):
    """A tick (htmx sends the area's form) reads the area in a fixed number of queries, writes
    the one step that changed and its event, and sends the area back: the same SQL for a plan of 1
    goal as for one of 30 (11 of them in the area)."""
    small, big = people.user("small.plan"), people.user("big.plan")
    _fill_plan(db, small, goals=1, events=1)
    _fill_plan(db, big, goals=30, events=1000)
    counts = {}
    for resident in (small, big):
        client = app.test_client()
        sign_in(client, resident.username)
        page = client.get("/me/plan").text
        area = re.search(r'<section class="app-area" id="area-digital".*?</section>', page, re.S).group(0)
        first_goal = re.search(r'name="([^"]+)" type="checkbox" value="1"', area).group(1)
        goals = set(re.findall(r'name="([^"]+)" type="checkbox" value="\d+"', area))
        assert len(goals) == (1 if resident is small else 11)
        # The first tick starts the goal (one more change); the one counted is a plain tick.
        assert client.post("/me/plan/areas/digital", data={first_goal: ["1"]}, headers=HTMX).status_code == 200
        response, statements = statements_during(
            app.extensions["tracker_engine"],
            lambda client=client, goal=first_goal: client.post("/me/plan/areas/digital", data={goal: ["1", "2"]}, headers=HTMX))
        assert response.status_code == 200 and "2 of" in response.text
        writes = [s for s in statements if s.split()[0] in ("INSERT", "UPDATE", "DELETE")]
        assert sum(s.startswith("INSERT INTO plan_event") for s in writes) == 1, writes
        counts[resident.username] = len(statements)
    kinds = [e.kind for e in db.exec(select(PlanEvent).where(PlanEvent.resident_id == big.id).order_by(PlanEvent.id)).all()]
    assert kinds[-3:] == ["step_done", "goal_status_changed", "step_done"]
    assert counts["big.plan"] == counts["small.plan"], counts
    assert counts["big.plan"] <= 14, counts


def test_the_plan_page_is_the_same_with_its_cache_off(app, database_url, db, people):
    amira = people.user("amira")
    _fill_plan(db, amira, goals=30, events=1)
    uncached = make_app(database_url, PLAN_CACHE_SIZE=0)
    try:
        pages = []
        for served in (app, uncached):
            client = served.test_client()
            sign_in(client, "amira")
            pages.append(re.sub(r"m\.[\w=-]+", "(a masked CSRF token)", client.get("/me/plan").text))
        assert pages[0] == pages[1]
        assert pages[0].count('type="checkbox"') > 150
    finally:
        uncached.extensions["tracker_engine"].dispose()


def test_the_cached_plan_follows_every_change_and_is_never_shared(app, db, people):
    amira, ben = people.user("amira"), people.user("ben")
    goal, steps = _goal_with_steps(db, amira)
    _goal_with_steps(db, ben)
    client = app.test_client()
    sign_in(client, "amira")
    first = client.get("/me/plan").text
    assert client.get("/me/plan").text.count("checked") == first.count("checked")  # served from the cache
    plan.set_steps_done(db, goal, {steps[0].id}, plan.Actor.of(amira))
    db.commit()
    assert client.get("/me/plan").text.count("checked") == first.count("checked") + 1

    # New catalogue wording shows at once.
    catalogue_goal = db.get(CatalogueGoal, goal.catalogue_goal_id)
    catalogue_goal.title = {**catalogue_goal.title, "en": "Get online, reworded"}
    catalogue_goal.updated_at = utcnow()
    db.add(catalogue_goal)
    db.commit()
    assert "Get online, reworded" in client.get("/me/plan").text

    # Another resident never gets Amira's page, and each session gets its own CSRF token.
    other = app.test_client()
    sign_in(other, "ben")
    assert steps[0].id not in other.get("/me/plan").text
    tokens = {re.search(r'name="csrf_token" value="([^"]+)"', c.get("/me/plan").text).group(1) for c in (client, other)}
    assert len(tokens) == 2


def test_words_written_in_another_language_inside_a_request_are_in_that_language(app):
    """The request's translations are kept once looked up; a text forced into another language
    (as a message to a resident in theirs) must still come out in it, and the request's own
    language must come back afterwards."""
    from flask import render_template_string
    from flask_babel import force_locale

    from tracker.web.templating import request_translations

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert request_translations().ugettext("My plan") == "My plan"
        with force_locale("pl"):
            assert render_template_string("{{ _('My plan') }}") == "Mój plan"
        assert render_template_string("{{ _('My plan') }}") == "My plan"


def test_names_kept_for_a_request_follow_a_forced_language(app):
    """Area and stage names are translated once per language and kept; one forced into another
    language (a message to a resident) must come out in that language, and the request's own after."""
    from flask import render_template_string
    from flask_babel import force_locale

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string("{{ 'digital' | area_name }}") == "Using computers, phones and the internet"
        with force_locale("pl"):
            polish = render_template_string("{{ 'digital' | area_name }}")
        assert polish != "Using computers, phones and the internet" and polish
        assert render_template_string("{{ 'digital' | area_name }}") == "Using computers, phones and the internet"


def test_templates_translate_and_escape_as_jinja_newstyle_gettext_does(app):
    """The templates' _() and ngettext() are our own (one call each instead of three): they must
    still translate, escape what is put into a text, turn "%%" into "%", fill in ngettext's num,
    and serve {% trans %} blocks."""
    from flask import render_template_string

    def render(source, **context):
        return render_template_string(source, **context)

    with app.test_request_context("/", headers={"Accept-Language": "pl"}):
        assert render("{{ _('My plan') }}") == "Mój plan"
        assert render("{% trans %}My plan{% endtrans %}") == "Mój plan"
        assert render("{{ _('Name: %(name)s', name=name) }}", name="<b>Ann & co</b>") == "Name: &lt;b&gt;Ann &amp; co&lt;/b&gt;"
        assert render("{{ _('100%% of it') }}") == "100% of it"
        assert render("{{ ngettext('%(num)d note', '%(num)d notes', 5) }}") == "5 notatek"
        assert render("{{ ngettext('%(num)d note', '%(num)d notes', 1) }}") == "1 notatka"
        # Outside autoescaping (a text message's words) nothing is escaped.
        assert render("{% autoescape false %}{{ _('Name: %(name)s', name='<b>') }}{% endautoescape %}") == "Name: <b>"


def test_text_written_in_python_is_escaped_exactly_as_jinja_escapes_it():
    """The plan's areas and the staff lists are written in Python with text_html: every value
    (lazy translations and Markup included) must come out as markupsafe would escape plain text."""
    from flask_babel import lazy_gettext
    from markupsafe import Markup, escape

    from tracker.web.templating import text_html

    for value in ["plain words", "<script>alert('x')</script>", 'say "hi" & go', "&amp; already", "Łucja żółw",
                  "", 42, Markup("<b>trusted</b>"), lazy_gettext("Phones & <i>the web</i>")]:
        assert text_html(value) == str(escape(str(value))), value
        assert type(text_html(value)) is str

    class AnswersMarkup:  # whatever str() gives is text, even a Markup
        def __str__(self):
            return Markup("<b>")

    assert text_html(AnswersMarkup()) == "&lt;b&gt;" and type(text_html(AnswersMarkup())) is str


def test_names_from_the_wording_tables_are_escaped_on_the_plan_page(signed_in, db, amira, monkeypatch):
    """A translated name is a lazy string, which markupsafe would take as already safe: the plan
    page (written in Python) must escape it like any other text, should a translation ever hold
    an ampersand or a bracket."""
    from flask_babel import lazy_gettext

    from tracker.models import Area
    from tracker.web import wording

    monkeypatch.setitem(wording.AREA_NAMES, Area.DIGITAL, lazy_gettext("Phones & <i>the web</i>"))
    plan.add_own_goal(db, amira.id, "digital", "Call my sister", ["Find her number"], plan.Actor.of(amira))
    db.commit()
    page = signed_in.get("/me/plan").text
    assert "Phones &amp; &lt;i&gt;the web&lt;/i&gt;" in page
    assert "<i>the web</i>" not in page
