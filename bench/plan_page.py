"""Throughput of a resident's plan page against a bare 10 KB Flask page, in one run.

    .venv/bin/python bench/plan_page.py [--seconds 20] [--connections 16] [--workers 4]

Builds a SQLite database with one resident who has 30 goals and 1,000 plan events, serves the app
and the bare page (bench/bare_app.py) in turn with the same gunicorn settings (sync workers), loads
each with wrk (Debian package ``wrk``) and prints requests per second and the ratio. It also
reports the plan page's HTML size and the whole first load (HTML, CSS, JS, icons) uncompressed.
Target (issue 3): ratio >= 40 %, HTML < 60 KB, first load < 250 KB.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "apple river chair"


def build_database(url: str) -> None:
    from sqlmodel import Session, select

    from tracker.clock import utcnow
    from tracker.commands import migrate
    from tracker.database import make_engine
    from tracker.domain import accounts, plan
    from tracker.domain.catalogue import sync_catalogue
    from tracker.models import CatalogueGoal, PlanEvent, PlanStep, Role

    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as db:
        sync_catalogue(db)
        resident = accounts.create_user(db, username="bench.resident", display_name="Bench Resident", password=PASSWORD, role=Role.RESIDENT)
        actor = plan.Actor.of(resident)
        catalogue = db.exec(select(CatalogueGoal).order_by(CatalogueGoal.id)).all()
        goals = plan.add_catalogue_goals(db, resident.id, [g.id for g in catalogue[:30]], actor)
        plan.record_check_in(db, resident.id, {"digital": (2, None), "financial": (3, None), "job_readiness": (1, None)}, actor)
        for goal in goals:
            steps = db.exec(select(PlanStep).where(PlanStep.goal_id == goal.id).order_by(PlanStep.position)).all()
            plan.set_steps_done(db, goal, {s.id for s in steps[:2]}, actor)
        for goal in goals[:10]:
            plan.add_note(db, goal, actor, "I practised this at the library with Jo.")
        written = len(db.exec(select(PlanEvent.id)).all())
        for n in range(1000 - written):
            db.add(PlanEvent(resident_id=resident.id, actor_id=resident.id, actor_role="resident", actor_name="Bench",
                             kind="step_done", area="digital", goal_id=goals[0].id, subject={"en": f"Step {n}"},
                             occurred_at=utcnow() - timedelta(minutes=n)))
        db.commit()
        events = len(db.exec(select(PlanEvent.id)).all())
    engine.dispose()
    print(f"database: 1 resident, {len(goals)} goals, {events} plan events")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(target: str, env: dict, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "sync",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", target],
        cwd=ROOT, env=env, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz" if "wsgi" in target else base + "/", timeout=1)
            return process, base
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{target} did not start")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=10)


def sign_in(base: str) -> tuple[str, urllib.request.OpenerDirector]:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": "bench.resident", "password": PASSWORD, "csrf_token": token}).encode()
    opener.open(base + "/login", data=data)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, opener


def wrk(url: str, seconds: int, connections: int, cookie: str | None = None) -> float:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise RuntimeError(f"{non_2xx.group(1)} failed responses from {url}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def first_load_bytes(opener, base: str, html: str) -> dict[str, int]:
    sizes = {"plan page HTML": len(html.encode())}
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    for path in dict.fromkeys(assets):
        body = opener.open(base + path).read()
        sizes[path] = len(body)
        for imported in re.findall(rb'from "\.\./([^"]+)"', body):  # app.js imports GOV.UK Frontend's bundle
            target = "/static/" + imported.decode()
            sizes[target] = len(opener.open(base + target).read())
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")

    folder = Path(tempfile.mkdtemp(prefix="mml-bench-"))
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    build_database(url)
    env = {**os.environ, "TRACKER_ENV": "production", "TRACKER_SECRET_KEY": "bench only", "TRACKER_DATABASE_URL": url,
           "TRACKER_SESSION_COOKIE_SECURE": "false"}

    results = {}
    # "plan": as served (rendered goals cached per version of the plan); "plan, cold": the cache
    # off, i.e. every view is the first after a change.
    for name, cache_size in (("plan", "128"), ("plan, cold", "0")):
        app, base = serve("wsgi:app", {**env, "TRACKER_PLAN_CACHE_SIZE": cache_size}, args.workers)
        try:
            cookie, opener = sign_in(base)
            html = opener.open(base + "/me/plan").read().decode()
            assert "Sign out" in html and "app-goal" in html, "not signed in"
            sizes = first_load_bytes(opener, base, html)
            wrk(base + "/me/plan", 3, args.connections, cookie)  # warm up
            results[name] = wrk(base + "/me/plan", args.seconds, args.connections, cookie)
        finally:
            stop(app)
    bare, bare_base = serve("bench.bare_app:app", env, args.workers)
    try:
        wrk(bare_base + "/", 3, args.connections)
        results["bare"] = wrk(bare_base + "/", args.seconds, args.connections)
    finally:
        stop(bare)
    shutil.rmtree(folder, ignore_errors=True)

    ratio = results["plan"] / results["bare"]
    print(f"gunicorn -w {args.workers} -k sync; wrk -t2 -c{args.connections} -d{args.seconds}s")
    print(f"bare 10 KB Jinja page: {results['bare']:8.0f} requests/s")
    print(f"plan page (30 goals, 1,000 events): {results['plan']:8.0f} requests/s")
    print(f"ratio: {ratio:.0%} (target >= 40%)")
    print(f"plan page with its cache off (first view after a change): {results['plan, cold']:8.0f} requests/s, "
          f"ratio {results['plan, cold'] / results['bare']:.0%}")
    for name, size in sizes.items():
        print(f"  {name}: {size / 1024:.1f} KB")
    print(f"first load, uncompressed: {sum(sizes.values()) / 1024:.1f} KB (target < 250 KB); "
          f"plan HTML {sizes['plan page HTML'] / 1024:.1f} KB (target < 60 KB)")


if __name__ == "__main__":
    main()
