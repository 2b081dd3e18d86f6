"""Production serving: Debian's nginx with deploy/nginx/me-and-my-learning.conf (the real file, its
@@TOKENS@@ filled in with test ports and paths) in front of gunicorn with deploy/gunicorn.conf.py.

The problem this guards against: gunicorn's sync workers exposed directly, where 200 half-sent
requests held every worker and /healthz timed out for a minute. Behind nginx the same 200
connections are nginx's to hold, and the service answers as usual. The last test is the control:
the same connections straight at gunicorn do starve it.

Needs `nginx` and `openssl` (`.ci/run` installs them); skips without them, unless REQUIRE_BROWSER=1
(which CI sets for everything `.ci/run` installs), when it fails instead.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

import pytest

from tests.conftest import PASSWORD, ROOT, require_or_skip

SITE = ROOT / "deploy" / "nginx" / "me-and-my-learning.conf"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
SLOW_CLIENTS = 200
DEADLINE = 1.0  # seconds: what a page must answer within while the slow clients are held
RESIDENT = ("rosa", "Rosalind Testperson")


def _tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if not found:
        require_or_skip("REQUIRE_BROWSER", f"Debian's {name} is not installed: production-serving tests skipped")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(process: subprocess.Popen, how: int = signal.SIGTERM) -> None:
    """Stop a process this test started, and whatever is left of its process group (it was
    started in a session of its own, so the group is its workers and nothing else)."""
    if process.poll() is None:
        process.send_signal(how)
        try:
            process.wait(timeout=10)
            return  # the master waited for its workers
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


# --- The pieces --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for 127.0.0.1 (with the IP as subjectAltName, so the
    test client can verify it properly instead of switching verification off)."""
    openssl = _tool("openssl")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


@pytest.fixture
def resident(people):
    username, name = RESIDENT
    return people.user(username, display_name=name)


class Gunicorn:
    """gunicorn -c deploy/gunicorn.conf.py wsgi:app, configured as in production."""

    def __init__(self, folder: Path, database_url: str):
        self.port = _free_port()
        self.log = folder / "gunicorn.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKER_", "GUNICORN_", "WEB_CONCURRENCY"))}
        env.update(
            TRACKER_ENV="production",
            TRACKER_SECRET_KEY="test-only secret key, never used outside tests/test_deploy.py",
            TRACKER_DATABASE_URL=database_url,
            TRACKER_PROXY_COUNT="1",
            WEB_CONCURRENCY="2",  # light on a 2-core machine; the point is that it is few
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
        )
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "wsgi:app"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        _stop(self.process, signal.SIGINT)  # gunicorn's quick shutdown: nothing here needs finishing


@pytest.fixture
def gunicorn(tmp_path, sqlite_url, resident):
    server = Gunicorn(tmp_path, sqlite_url)
    yield server
    server.stop()


def render_site(values: dict[str, str]) -> str:
    """The deploy site with its @@TOKENS@@ filled in, as deploy/README.md does it with sed."""
    text = SITE.read_text()
    for token, value in values.items():
        assert f"@@{token}@@" in text, f"{SITE.name} no longer has @@{token}@@"
        text = text.replace(f"@@{token}@@", value)
    left = sorted(set(re.findall(r"@@[A-Z_]+@@", text)))
    assert not left, f"{SITE.name} has tokens this test does not fill in: {left}"
    return text


MAIN_CONF = """\
# Test-only main configuration: what Debian's /etc/nginx/nginx.conf provides, in a temporary folder.
{user}
load_module {brotli_static};
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log info;
events {{ worker_connections 1024; }}
http {{
    include {mime_types};
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    gzip on;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/site.conf;
}}
"""


# Debian's libnginx-mod-http-brotli-static (.ci/run installs it); the site config uses brotli_static.
BROTLI_STATIC = "/usr/lib/nginx/modules/ngx_http_brotli_static_module.so"


class Nginx:
    def __init__(self, folder: Path, certificate: tuple[Path, Path], upstream_port: int):
        nginx = _tool("nginx")
        if not Path(BROTLI_STATIC).exists():
            require_or_skip("REQUIRE_BROWSER", "Debian's libnginx-mod-http-brotli-static is not installed: nginx tests skipped")
        self.folder = folder / "nginx"
        self.folder.mkdir()
        self.http_port, self.https_port = _free_port(), _free_port()
        cert, key = certificate
        (self.folder / "site.conf").write_text(render_site({
            "SERVER_NAME": "127.0.0.1 localhost",
            "HTTP_LISTEN": f"127.0.0.1:{self.http_port}",
            "HTTPS_LISTEN": f"127.0.0.1:{self.https_port}",
            "TLS_CERTIFICATE": str(cert),
            "TLS_CERTIFICATE_KEY": str(key),
            "APP_UPSTREAM": f"127.0.0.1:{upstream_port}",
            "STATIC_ROOT": str(ROOT / "tracker" / "static"),
        }))
        mime_types = Path("/etc/nginx/mime.types")
        if not mime_types.exists():
            mime_types = self.folder / "mime.types"
            mime_types.write_text("types { text/css css; application/javascript js; image/svg+xml svg; }\n")
        (self.folder / "nginx.conf").write_text(MAIN_CONF.format(
            # As root, nginx's workers would become `nobody`, who cannot read the temporary folder.
            user="user root;" if os.geteuid() == 0 else "",
            tmp=self.folder, mime_types=mime_types, brotli_static=BROTLI_STATIC,
        ))
        self.process = subprocess.Popen(
            [nginx, "-p", str(self.folder), "-c", str(self.folder / "nginx.conf"), "-e", str(self.folder / "error.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )

    def output(self) -> str:
        log = self.folder / "error.log"
        return log.read_text(errors="replace") if log.exists() else ""

    def stop(self) -> None:
        _stop(self.process)


@dataclass
class Stack:
    gunicorn: Gunicorn
    nginx: Nginx
    context: ssl.SSLContext

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.nginx.https_port}"

    def client(self, **kwargs) -> Client:
        return Client("127.0.0.1", self.nginx.https_port, self.context, **kwargs)


@pytest.fixture
def stack(tmp_path, certificate, gunicorn) -> Stack:
    """nginx (the deploy site) in front of gunicorn, both started here and stopped afterwards."""
    server = Nginx(tmp_path, certificate, gunicorn.port)
    context = ssl.create_default_context(cafile=str(certificate[0]))
    result = Stack(gunicorn, server, context)
    try:
        _wait_until_healthy(result)
        yield result
    finally:
        server.stop()


def _wait_until_healthy(stack: Stack, within: float = 30) -> None:
    deadline = time.monotonic() + within
    while True:
        for name, process in (("nginx", stack.nginx), ("gunicorn", stack.gunicorn)):
            if process.process.poll() is not None:
                pytest.fail(f"{name} stopped at start-up:\n{process.output()}")
        try:
            if stack.client().get("/healthz").status == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"no healthy /healthz within {within} s\n{stack.gunicorn.output()}\n{stack.nginx.output()}")
        time.sleep(0.1)


# --- A small HTTPS client that keeps cookies -----------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: str
    seconds: float

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


@dataclass
class Client:
    host: str
    port: int
    context: ssl.SSLContext
    source: str | None = None  # a local address to connect from (the whole of 127/8 is this machine)
    timeout: float = 5
    cookies: dict[str, str] = field(default_factory=dict)
    set_cookies: list[str] = field(default_factory=list)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Reply:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.monotonic()
        connection = http.client.HTTPSConnection(
            self.host, self.port, context=self.context, timeout=self.timeout,
            source_address=(self.source, 0) if self.source else None,
        )
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        finally:
            connection.close()
        seconds = time.monotonic() - started
        for raw in response.headers.get_all("Set-Cookie") or []:
            self.set_cookies.append(raw)
            for name, morsel in SimpleCookie(raw).items():
                self.cookies[name] = morsel.value
        return Reply(response.status, response.headers, text, seconds)

    def get(self, path: str, **kwargs) -> Reply:
        return self.request("GET", path, **kwargs)

    def sign_in(self, base: str, username: str, password: str = PASSWORD) -> list[Reply]:
        """GET /login, POST it with its CSRF token, follow the redirect: the replies, in order."""
        form = self.get("/login")
        assert form.status == 200, form.body[:500]
        token = _csrf_token(form.body)
        posted = self.request(
            "POST", "/login",
            body=urlencode({"username": username, "password": password, "csrf_token": token}).encode(),
            # Flask-WTF checks the Referer of every form post over https, as a browser sends it.
            headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": f"{base}/login"},
        )
        assert posted.status == 303, (posted.status, posted.body[:500])
        target = urljoin(f"{base}/login", posted.header("Location"))
        assert target.startswith(f"{base}/"), f"the redirect left https: {posted.header('Location')}"
        home = self.get(urlsplit(target).path)
        return [form, posted, home]


def _csrf_token(page: str) -> str:
    tag = re.search(r"<input[^>]*name=\"csrf_token\"[^>]*>", page)
    assert tag, "no csrf_token field on the sign-in page"
    value = re.search(r"value=\"([^\"]+)\"", tag.group(0))
    assert value, tag.group(0)
    return value.group(1)


# --- Slow clients ------------------------------------------------------------------------------


HALF_HEADERS = b"GET /me/ HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow-phone\r\nAccept: text/html\r\n"
HALF_BODY = (
    b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    b"Content-Length: 1000\r\n\r\nusername=someone&password=not-yet"
)


def open_slow_clients(port: int, count: int, context: ssl.SSLContext | None = None) -> list[socket.socket]:
    """`count` connections that each send part of a request and then go quiet: half stop in the
    headers, half after the headers with 967 of 1,000 body bytes still to come."""
    held = []
    try:
        for i in range(count):
            raw = socket.create_connection(("127.0.0.1", port), timeout=5)
            conn = context.wrap_socket(raw, server_hostname="127.0.0.1") if context else raw
            held.append(conn)
            conn.sendall(HALF_HEADERS if i % 2 == 0 else HALF_BODY)
    except BaseException:
        close_all(held)
        raise
    return held


def still_open(conn: socket.socket) -> bool:
    """True when the other end has neither answered nor closed the connection."""
    conn.setblocking(False)
    try:
        conn.recv(1)
        return False  # b"" (closed) or an early answer: either way, not held
    except (BlockingIOError, ssl.SSLWantReadError):
        return True
    except OSError:
        return False
    finally:
        conn.setblocking(True)


def close_all(connections: list[socket.socket]) -> None:
    for conn in connections:
        with contextlib.suppress(OSError):
            conn.close()


def _access_log(server: Gunicorn, until, within: float = 5) -> list[str]:
    """gunicorn's access log, once a line matching ``until`` is in it (it is written just after
    the response is sent, so it can lag the reply by a moment)."""
    deadline = time.monotonic() + within
    while True:
        lines = [line for line in server.output().splitlines() if line[:1].isdigit()]
        if any(until(line) for line in lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


# --- Tests -------------------------------------------------------------------------------------


def test_nginx_holds_200_half_sent_requests_and_the_service_still_answers(stack):
    # Each worker's first page compiles its templates (a few hundred ms, slow clients or not).
    for _ in range(4):
        stack.client().get("/login")
    held = open_slow_clients(stack.nginx.https_port, SLOW_CLIENTS, stack.context)
    try:
        health = stack.client().get("/healthz")
        assert health.status == 200 and '"database":"ok"' in health.body.replace(" ", ""), health.body
        assert health.seconds < DEADLINE, f"/healthz took {health.seconds:.3f} s with {SLOW_CLIENTS} slow clients held"

        form, posted, home = stack.client().sign_in(stack.base, RESIDENT[0])
        assert home.status == 200
        assert f"Hello, {RESIDENT[1].split()[0]}" in home.body
        for reply, what in ((form, "GET /login"), (posted, "POST /login"), (home, "GET /me/")):
            assert reply.seconds < DEADLINE, f"{what} took {reply.seconds:.3f} s with {SLOW_CLIENTS} slow clients held"

        # nginx is holding them all still (not dropping them to make room).
        assert sum(still_open(conn) for conn in held) == SLOW_CLIENTS
        print(
            f"\nwith {SLOW_CLIENTS} half-sent requests held by nginx: /healthz {health.seconds * 1000:.0f} ms; "
            f"sign-in GET /login {form.seconds * 1000:.0f} ms, POST /login {posted.seconds * 1000:.0f} ms, "
            f"GET /me/ {home.seconds * 1000:.0f} ms"
        )
    finally:
        close_all(held)
    # None of them reached gunicorn: its access log has only this test's own GET /me/ and POST /login.
    log = _access_log(stack.gunicorn, lambda line: '"GET /me/ ' in line)
    assert sum('"GET /me/ ' in line for line in log) == 1, log
    assert sum('"POST /login ' in line for line in log) == 1, log


def test_the_app_sees_https_and_the_client_and_nginx_serves_static_files(stack):
    # Connect from 127.0.0.2 (nginx connects to gunicorn from 127.0.0.1) and try to lie in the
    # forwarded headers: nginx replaces them, and the app (TRACKER_PROXY_COUNT=1) believes nginx.
    client = stack.client(source="127.0.0.2")
    lie = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "http"}
    assert client.get("/healthz?probe=1", headers=lie).status == 200

    ours = [line for line in _access_log(stack.gunicorn, lambda line: line.startswith("127.0.0.2 "))
            if line.startswith("127.0.0.2 ") and '"GET /healthz ' in line]
    assert ours, f"the app did not see the client's own address:\n{stack.gunicorn.output()}"
    line = ours[-1]
    assert "scheme=https" in line, line
    assert "203.0.113.9" not in line and "probe=1" not in line, line  # no query strings in the log
    assert re.search(r'" 200 \d+ \d+ms ', line), f"no status, size and time in the access log: {line}"

    # Signing in: the session cookie is Secure and every redirect stays on https.
    _form, _posted, home = client.sign_in(stack.base, RESIDENT[0])
    assert home.status == 200
    session_cookies = [SimpleCookie(c)["mml_session"] for c in client.set_cookies if c.startswith("mml_session=")]
    assert session_cookies and all(c["secure"] for c in session_cookies), client.set_cookies
    signed_out = stack.client().get("/me/")
    assert signed_out.status in (302, 303)
    assert urljoin(stack.base + "/me/", signed_out.header("Location")).startswith(stack.base + "/login")

    # Exactly one HSTS header, from nginx, on pages too (the app's own copy is hidden).
    assert home.headers.get_all("Strict-Transport-Security") == ["max-age=31536000; includeSubDomains"]
    # The app's own headers come through, and pages are not compressed (BREACH).
    assert home.header("Cache-Control") == "no-store"
    assert "default-src 'self'" in home.header("Content-Security-Policy")
    # Pages are gzipped (their CSRF tokens are masked at every occurrence: tracker/web/csrf_mask.py).
    compressed = stack.client().get("/login", headers={"Accept-Encoding": "gzip"})
    assert compressed.header("Content-Encoding") == "gzip" and compressed.header("Vary") == "Accept-Encoding"

    # Static files come from nginx: the built, hashed files, their precompressed copies, for a year.
    script = re.search(r'src="(/static/js/supported\.[0-9a-f]{12}\.js)"', home.body).group(1)
    css = re.search(r'href="(/static/vendor/app\.[0-9a-f]{12}\.css)"', home.body).group(1)
    static = client.get(script)
    assert static.status == 200 and "classList" in static.body
    assert static.header("Cache-Control") == "public, max-age=31536000, immutable"
    assert static.header("Strict-Transport-Security") == "max-age=31536000; includeSubDomains"
    assert static.header("X-Content-Type-Options") == "nosniff"
    assert static.header("Server") == "nginx"  # server_tokens off: no version
    built = (ROOT / "tracker" / "static" / "dist" / css.removeprefix("/static/"))
    for encoding, copy in (("br", ".br"), ("gzip", ".gz")):
        answer = client.get(css, headers={"Accept-Encoding": encoding})
        assert answer.status == 200 and answer.header("Content-Encoding") == encoding
        assert answer.header("Content-Length") == str(built.with_name(built.name + copy).stat().st_size)  # the built copy
    assert client.get("/static/vendor/app.css").status == 404  # only hashed names

    # Plain HTTP only redirects, and never sends HSTS.
    plain = http.client.HTTPConnection("127.0.0.1", stack.nginx.http_port, timeout=5)
    plain.request("GET", "/me/?x=1", headers={"Host": "127.0.0.1"})
    redirect = plain.getresponse()
    plain.close()
    assert redirect.status == 301 and redirect.getheader("Location") == "https://127.0.0.1/me/?x=1"
    assert redirect.getheader("Strict-Transport-Security") is None

    # A body over the app's 1 MiB limit is refused by nginx, before it is read.
    too_big = client.request("POST", "/login", headers={
        "Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(1024 * 1024 + 1)})
    assert too_big.status == 413

    # With gunicorn stopped, static files still come from nginx; pages do not.
    assert not [line for line in stack.gunicorn.output().splitlines() if '"GET /static/' in line]
    stack.gunicorn.stop()
    assert client.get(script).status == 200
    assert client.get("/healthz").status == 502


def test_control_the_same_slow_clients_straight_at_gunicorn_starve_it(gunicorn):
    """The control: without nginx, 200 half-sent requests hold gunicorn's two sync workers and
    /healthz misses the deadline; it recovers once they go away."""
    deadline = time.monotonic() + 30
    while True:
        if gunicorn.process.poll() is not None:
            pytest.fail(f"gunicorn stopped at start-up:\n{gunicorn.output()}")
        try:
            health = http.client.HTTPConnection("127.0.0.1", gunicorn.port, timeout=1)
            health.request("GET", "/healthz")
            if health.getresponse().status == 200:
                break
        except OSError:
            pass
        finally:
            health.close()
        assert time.monotonic() < deadline, gunicorn.output()
        time.sleep(0.1)

    held = open_slow_clients(gunicorn.port, SLOW_CLIENTS)
    try:
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", gunicorn.port, timeout=DEADLINE)
        with pytest.raises(TimeoutError):
            connection.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
            connection.getresponse()
        connection.close()
        print(f"\ncontrol: straight at gunicorn, /healthz had no answer after {time.monotonic() - started:.2f} s")
    finally:
        close_all(held)

    # Not broken, only starved: once the slow clients hang up it answers again.
    connection = http.client.HTTPConnection("127.0.0.1", gunicorn.port, timeout=10)
    connection.request("GET", "/healthz")
    assert connection.getresponse().status == 200
    connection.close()
