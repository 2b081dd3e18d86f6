"""The service as deployed, on this machine, for front-end measurements: a new SQLite database with
the demo data (Amira's plan grown to 30 goals), gunicorn with deploy/gunicorn.conf.py, and Debian's
nginx with deploy/nginx/me-and-my-learning.conf in front (HTTPS with a throwaway certificate), the
same pieces tests/test_deploy.py starts. Used by bench/page_weight.py and bench/lighthouse.py.

    with deploy_stack() as stack:
        stack.base            # https://127.0.0.1:PORT
        stack.sign_in("amira")  # the session cookie: (name, value)
"""

from __future__ import annotations

import contextlib
import http.client
import re
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from sqlmodel import Session, select

from tests.test_deploy import Gunicorn, Nginx, _tool
from tracker.commands import migrate
from tracker.commands.demo import DEMO_PASSWORD, load_demo
from tracker.database import make_engine
from tracker.domain import plan
from tracker.models import CatalogueGoal, PlanGoal, User

GOALS = 30


@dataclass
class DeployStack:
    base: str
    port: int
    certificate: Path
    context: ssl.SSLContext

    def sign_in(self, username: str) -> tuple[str, str]:
        """Sign in through nginx as a browser would; returns the session cookie (name, value)."""
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context, timeout=10)
        connection.request("GET", "/login")
        page = connection.getresponse()
        body = page.read().decode()
        cookie = page.getheader("Set-Cookie", "").split(";")[0]
        token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', body).group(1)
        form = urlencode({"username": username, "password": DEMO_PASSWORD, "csrf_token": token})
        connection.request("POST", "/login", body=form, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, "Referer": self.base + "/login",
            "Origin": self.base})
        answer = connection.getresponse()
        answer.read()
        connection.close()
        if answer.status != 303:
            raise RuntimeError(f"sign-in as {username} answered {answer.status}")
        name, value = answer.getheader("Set-Cookie").split(";")[0].split("=", 1)
        return name, value


def _database(folder: Path) -> str:
    url = f"sqlite:///{folder}/bench.sqlite3"
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as db:
        load_demo(db, "bench: front end")
        db.commit()
        amira = db.exec(select(User).where(User.username == "amira")).one()
        have = set(db.exec(select(PlanGoal.catalogue_goal_id).where(PlanGoal.resident_id == amira.id)).all())
        more = [g for g in db.exec(select(CatalogueGoal.id).order_by(CatalogueGoal.code)).all() if g not in have]
        plan.add_catalogue_goals(db, amira.id, more[: GOALS - len(have)], plan.Actor.of(amira))
        db.commit()
        count = len(db.exec(select(PlanGoal.id).where(PlanGoal.resident_id == amira.id)).all())
    engine.dispose()
    if count < GOALS:
        raise RuntimeError(f"Amira has {count} goals, not {GOALS}")
    return url


@contextlib.contextmanager
def deploy_stack() -> Iterator[DeployStack]:
    with tempfile.TemporaryDirectory(prefix="mml-bench-") as tmp:
        folder = Path(tmp)
        cert, key = folder / "cert.pem", folder / "key.pem"
        subprocess.run([_tool("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                       check=True, capture_output=True)
        gunicorn = Gunicorn(folder, _database(folder))
        nginx = Nginx(folder, (cert, key), gunicorn.port)
        context = ssl.create_default_context(cafile=str(cert))
        stack = DeployStack(f"https://127.0.0.1:{nginx.https_port}", nginx.https_port, cert, context)
        try:
            for _ in range(100):
                with contextlib.suppress(OSError):
                    connection = http.client.HTTPSConnection("127.0.0.1", nginx.https_port, context=context, timeout=2)
                    connection.request("GET", "/healthz")
                    if connection.getresponse().status == 200:
                        break
                time.sleep(0.1)
            yield stack
        finally:
            nginx.stop()
            gunicorn.stop()
