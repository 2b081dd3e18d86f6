"""A real server for tests that need several processes at once (gunicorn, sync workers, as in
production), and a small browser-like client for it (cookies, CSRF tokens from the page)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """``gunicorn wsgi:app`` with ``workers`` sync workers on a free port, on ``database_url``."""

    def __init__(self, database_url: str, workers: int = 4, **settings):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "TRACKER_ENV": "development", "TRACKER_SECRET_KEY": "live test secret",
               "TRACKER_DATABASE_URL": database_url, "TRACKER_SESSION_COOKIE_SECURE": "false", "TRACKER_RATE_LIMITS": "false"}
        env.update({f"TRACKER_{k}": str(v) for k, v in settings.items()})
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "sync", "--bind", f"127.0.0.1:{self.port}",
             "--timeout", "60", "--no-control-socket", "wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def __enter__(self) -> Gunicorn:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped: {self.process.stderr.read()[-2000:]}")
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=2).read()
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.errors = self.process.stderr.read()


@dataclass
class Answer:
    status: int
    text: str
    location: str | None = None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One person's browser: cookies kept between requests (and shared by threads that use the same
    Browser, like two taps on one button). Redirects are not followed: tests look at them."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect())

    def open(self, path: str, data: dict | list | None = None, timeout: float = 30, headers: dict | None = None) -> Answer:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path, **(headers or {})})
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return Answer(response.status, response.read().decode(), response.headers.get("Location"))
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read().decode(errors="replace"), error.headers.get("Location"))

    def get(self, path: str) -> Answer:
        return self.open(path)

    def token(self, path: str) -> str:
        page = self.get(path)
        found = CSRF.search(page.text)
        if not found:
            raise AssertionError(f"no CSRF token on {path} ({page.status})")
        return found.group(1) or found.group(2)

    def post(self, path: str, data: dict | None = None, token_from: str | None = None) -> Answer:
        data = dict(data or {})
        data["csrf_token"] = self.token(token_from or path)
        return self.open(path, data)

    def sign_in(self, username: str, password: str) -> None:
        answer = self.post("/login", {"username": username, "password": password})
        assert answer.status == 303, (username, answer.status, answer.text[:300])
