"""Security headers, CSRF on every POST route, error pages and the health check."""

from __future__ import annotations

import re

import pytest

from tests.conftest import make_app, sign_in

SAMPLE_VALUES = {"int": "1", "string": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000", "uid": "0" * 32,
                 "short_id": "0" * 12, "area": "digital", "part": "about_me", "about_field": "phone", "receipt": "MML-0000-0000-0000", "row_id": "1", "lang": "en"}


def _sample_url(rule) -> str:
    """A concrete URL for a rule, with a harmless value for each variable part."""
    url = rule.rule
    for converter, arguments, name in re.findall(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>", rule.rule):
        value = arguments.split(",")[0].strip() if converter == "any" else SAMPLE_VALUES.get(converter or "string", "x")
        url = re.sub(rf"<(?:\w+(?:\([^)]*\))?:)?{name}>", value, url)
    return url


def post_rules(app):
    return [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]


def test_there_are_post_routes_to_check(sqlite_url):
    app = make_app(sqlite_url, WTF_CSRF_ENABLED=True)
    assert {r.endpoint for r in post_rules(app)} >= {"auth.login", "auth.register", "auth.sign_out"}


def test_every_post_route_refuses_a_request_without_a_csrf_token(sqlite_url, people):
    """Generated from the URL map, so a route added later is covered without touching this test."""
    app = make_app(sqlite_url, WTF_CSRF_ENABLED=True)
    people.user("amira")
    client = app.test_client()
    # Signed in (with a valid token) so that login_required cannot hide a missing CSRF check.
    page = client.get("/login")
    token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page.text).group(1)
    client.post("/login", data={"username": "amira", "password": "correct horse battery", "csrf_token": token})
    for rule in post_rules(app):
        url = _sample_url(rule)
        response = client.post(url, data={"anything": "1"})
        assert response.status_code == 400, f"{rule.endpoint} ({url}) accepted a POST without a CSRF token"
        assert "This form has expired" in response.text
        htmx_response = client.post(url, data={"anything": "1"}, headers={"HX-Request": "true", "X-CSRFToken": "forged"})
        assert htmx_response.status_code == 400, f"{rule.endpoint} accepted a forged X-CSRFToken"


def test_htmx_requests_pass_with_the_token_in_the_header(sqlite_url, people):
    app = make_app(sqlite_url, WTF_CSRF_ENABLED=True)
    people.user("amira")
    client = app.test_client()
    page = client.get("/login")
    token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page.text).group(1)
    client.post("/login", data={"username": "amira", "password": "correct horse battery", "csrf_token": token})
    home = client.get("/me/").text
    header_token = re.search(r'"X-CSRFToken": "([^"]+)"', home).group(1)
    response = client.post("/session/keep-alive", headers={"HX-Request": "true", "X-CSRFToken": header_token})
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/healthz", "/no-such-page"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_carry_no_inline_script(client, people):
    people.user("amira")
    sign_in(client, "amira")
    for path in ["/", "/login", "/register", "/me/", "/account/password", "/no-such-page"]:
        html = client.get(path).text
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, f"inline script on {path}: {tag}"
        assert not re.search(r"\son[a-z]+=", html), f"inline event handler on {path}"
        assert " style=" not in html, f"inline style on {path}"


def test_signed_in_pages_are_not_cached(client, people):
    people.user("amira")
    sign_in(client, "amira")
    assert client.get("/me/").headers["Cache-Control"] == "no-store"


def test_cookies_are_secure_outside_development(sqlite_url, monkeypatch):
    monkeypatch.delenv("TRACKER_SESSION_COOKIE_SECURE", raising=False)
    app = make_app(sqlite_url, ENV="production", SESSION_COOKIE_SECURE=None)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_production_refuses_to_start_without_a_secret_key(sqlite_url, monkeypatch):
    from tracker import create_app
    from tracker.config import ConfigError

    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    monkeypatch.delenv("TRACKER_ENV", raising=False)
    with pytest.raises(ConfigError, match="TRACKER_SECRET_KEY is not set"):
        create_app({"DATABASE_URL": sqlite_url})


def test_settings_come_from_prefixed_environment_variables(sqlite_url, monkeypatch):
    from tracker import create_app

    monkeypatch.setenv("TRACKER_SECRET_KEY", "from the environment")
    monkeypatch.setenv("TRACKER_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("TRACKER_RESIDENT_IDLE_MINUTES", "20")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from the environment"
    assert app.config["DATABASE_URL"] == sqlite_url
    assert app.config["RESIDENT_IDLE_MINUTES"] == 20


# --- Error pages --------------------------------------------------------------------------------


def test_not_found_is_a_styled_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.text and "govuk-heading-l" in response.text


def test_an_unexpected_failure_shows_the_service_error_page(sqlite_url):
    app = make_app(sqlite_url, SHOW_500_PAGE_IN_TESTS=True)

    @app.get("/boom")
    def boom():
        raise RuntimeError("internal detail 42")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    assert "internal detail 42" not in response.text


def test_a_huge_post_is_refused_politely(client):
    response = client.post("/register", data={"display_name": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "What you sent is too big" in response.text


def test_the_wrong_method_is_a_styled_page(client):
    response = client.delete("/login")
    assert response.status_code == 405
    assert "Sorry, there is a problem" in response.text


def test_role_refusal_is_a_styled_403(client, people):
    people.user("amira")
    sign_in(client, "amira")
    response = client.get("/admin/")
    assert response.status_code == 403 and "You cannot see this page" in response.text


# --- Health -------------------------------------------------------------------------------------


def test_health_check_reports_the_database(any_database_url):
    app = make_app(any_database_url)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}
    app.extensions["tracker_engine"].dispose()


def test_health_check_says_when_the_database_is_unreachable(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/missing-folder/db.sqlite3")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unreachable"}


def test_several_workers_writing_to_sqlite_at_once_lose_nothing(database_url):
    """WAL and a busy timeout: four workers registering at the same time all succeed."""
    import threading

    from sqlmodel import Session, func, select

    from tracker.models import User

    workers = [make_app(database_url) for _ in range(4)]
    failures = []

    def register_many(worker, n):
        client = worker.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{n}"  # four libraries (one address may register 20 an hour)
        for i in range(10):
            response = client.post(
                "/register",
                data={"display_name": "Resident", "username": f"w{n}.r{i}", "password": "apple river chair", "language": "en"},
            )
            if response.status_code != 303:
                failures.append(response.status_code)
            client.post("/sign-out")

    threads = [threading.Thread(target=register_many, args=(w, n)) for n, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with Session(workers[0].extensions["tracker_engine"]) as db:
        assert db.exec(select(func.count()).select_from(User)).one() == 40
    for worker in workers:
        worker.extensions["tracker_engine"].dispose()


def test_the_csrf_token_is_masked_differently_at_every_occurrence_and_still_works(sqlite_url, people):
    """Pages are compressed, so a secret repeated in them could be guessed from sizes (BREACH):
    the token is never written the same way twice, and forms and htmx headers still work."""
    import re

    from tracker.web.csrf_mask import unmask

    app = make_app(sqlite_url, WTF_CSRF_ENABLED=True)
    people.user("amira")
    client = app.test_client()
    page = client.get("/login").text
    token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "amira", "password": "correct horse battery", "csrf_token": token})
    first, second = client.get("/me/sharing").text, client.get("/me/sharing").text
    in_first = re.findall(r'name="csrf_token" value="([^"]+)"', first)
    values = in_first + re.findall(r'name="csrf_token" value="([^"]+)"', second)
    header = re.search(r'"X-CSRFToken": "([^"]+)"', first).group(1)
    assert len(values) >= 6 and len(set(values)) == len(values) and header not in values
    tokens = {unmask(v) for v in [*in_first, header]}
    assert len(tokens) == 1 and tokens.pop() not in first  # one token per page, never written as itself
    # (Flask-WTF's signed token carries the second it was made: the two pages may differ in that part only.)
    assert len({unmask(v).split(".")[0] for v in values}) == 1
    assert client.post("/me/sharing/stop", data={"csrf_token": values[0]}).status_code == 303
    assert client.post("/me/sharing/stop", headers={"X-CSRFToken": header}).status_code == 303
    assert client.post("/me/sharing/stop", data={"csrf_token": "m." + "A" * 40}).status_code == 400
    assert client.post("/me/sharing/stop", data={"csrf_token": values[0][:-4] + "AAAA"}).status_code == 400
