"""Throughput of a resident's plan page, and of a tick, against a bare 10 KB Flask page, in one run.

    .venv/bin/python bench/plan_page.py [--seconds 20] [--rounds 4] [--connections 16] [--workers 4]

Builds a SQLite database with a resident who has 30 goals and 1,000 plan events (and one more such
resident per connection, who tick), and serves, all at once and with the same gunicorn settings
(sync workers): the bare page (bench/bare_app.py), the app with its per-worker plan cache, the app
with the cache off (TRACKER_PLAN_CACHE_SIZE=0: every view is the first after a change), and the
app on a copy of the database for ticks. Then it loads each in turn with wrk (Debian package
``wrk``), ``--rounds`` times round (the machine is shared: interleaving keeps the comparison fair),
``--seconds`` per target in all, and prints requests per second and the ratio to the bare page,
overall and per round.

A tick is the htmx POST of an area's form that ticking one box sends, as the page has it
(bench/tick.lua): one wrk connection per resident, each ticking and unticking the first box of its
plan's "digital" area (11 goals), so that every request changes the plan and writes an event.
Every response must be a 200, and the step events written are counted against the ticks
answered. It also reports the plan page's HTML size and the whole first load (HTML, CSS, JS,
icons) uncompressed. Targets (issues 3 and 11): the plan page >= 40 % of the bare page, with its
cache off too; a tick >= 30 %; HTML < 60 KB; first load < 250 KB.
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


def build_database(url: str, tickers: int = 0) -> None:
    """"bench.resident", whose plan page is loaded, and ``tickers`` more residents with the same
    plan ("bench.ticker.1", …), who tick."""
    from sqlmodel import Session, select

    from tracker.commands import migrate
    from tracker.database import make_engine
    from tracker.domain.catalogue import sync_catalogue
    from tracker.models import PlanEvent

    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as db:
        sync_catalogue(db)
        goals = _resident_with_a_plan(db, "bench.resident")
        for n in range(1, tickers + 1):
            _resident_with_a_plan(db, f"bench.ticker.{n}")
        events = len(db.exec(select(PlanEvent.id)).all())
    engine.dispose()
    print(f"database: {1 + tickers} residents, each with {len(goals)} goals and 1,000 plan events ({events} in all)")


def _resident_with_a_plan(db, username: str) -> list:
    from sqlmodel import select

    from tracker.clock import utcnow
    from tracker.domain import accounts, plan
    from tracker.models import CatalogueGoal, PlanEvent, PlanStep, Role

    resident = accounts.create_user(db, username=username, display_name="Bench Resident", password=PASSWORD, role=Role.RESIDENT)
    actor = plan.Actor.of(resident)
    catalogue = db.exec(select(CatalogueGoal).order_by(CatalogueGoal.id)).all()
    goals = plan.add_catalogue_goals(db, resident.id, [g.id for g in catalogue[:30]], actor)
    plan.record_check_in(db, resident.id, {"digital": (2, None), "financial": (3, None), "job_readiness": (1, None)}, actor)
    for goal in goals:
        steps = db.exec(select(PlanStep).where(PlanStep.goal_id == goal.id).order_by(PlanStep.position)).all()
        plan.set_steps_done(db, goal, {s.id for s in steps[:2]}, actor)
    for goal in goals[:10]:
        plan.add_note(db, goal, actor, "I practised this at the library with Jo.")
    written = len(db.exec(select(PlanEvent.id).where(PlanEvent.resident_id == resident.id)).all())
    for n in range(1000 - written):
        db.add(PlanEvent(resident_id=resident.id, actor_id=resident.id, actor_role="resident", actor_name="Bench",
                         kind="step_done", area="digital", goal_id=goals[0].id, subject={"en": f"Step {n}"},
                         occurred_at=utcnow() - timedelta(minutes=n)))
    db.commit()
    return goals


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


def sign_in(base: str, username: str = "bench.resident") -> tuple[str, urllib.request.OpenerDirector]:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": token}).encode()
    opener.open(base + "/login", data=data)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, opener


def wrk(url: str, seconds: float, connections: int, cookie: str | None = None, script: list[str] | None = None,
        threads: int = 2) -> tuple[float, str]:
    """Requests per second (and wrk's report). ``script``: a Lua script and its arguments."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if script:
        command += ["-s", script[0], url, "--", *script[1:]]
    else:
        command.append(url)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise RuntimeError(f"{non_2xx.group(1)} failed responses from {url}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), output


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


def tick_forms(html: str, area: str = "digital") -> tuple[str, str, int]:
    """The area's form as the page shows it (urlencoded, with the CSRF token), with the first step
    of its first goal ticked and unticked, for bench/tick.lua; and how many goals the area has."""
    section = re.search(rf'<section class="app-area" id="area-{area}".*?</section>', html, re.S).group(0)
    token = re.search(r'name="csrf_token" value="([^"]+)"', section).group(1)
    boxes = re.findall(r'<input id="s[^"]+" name="([^"]+)" type="checkbox" value="(\d+)"( checked)?', section)
    finished = [("finished", v) for v in re.findall(r'name="finished" type="checkbox" value="([^"]+)" checked', section)]
    first, rest = boxes[0], [(name, value) for name, value, checked in boxes[1:] if checked]
    ticked = urllib.parse.urlencode([("csrf_token", token), first[:2], *rest, *finished])
    unticked = urllib.parse.urlencode([("csrf_token", token), *rest, *finished])
    return ticked, unticked, len({name for name, _value, _checked in boxes})


def step_events(url: str) -> int:
    from sqlalchemy import func
    from sqlmodel import Session, col, select

    from tracker.database import make_engine
    from tracker.models import PlanEvent

    engine = make_engine(url)
    with Session(engine) as db:
        count = db.exec(select(func.count()).select_from(PlanEvent).where(col(PlanEvent.kind).in_(["step_done", "step_undone"]))).one()
    engine.dispose()
    return count


def tick(base: str, tickers: list[tuple[str, str, str]], seconds: float, database_url: str) -> tuple[float, float]:
    """Ticks per second, and step events written per tick answered: one wrk thread and connection
    per resident (cookie, ticked form, unticked form), each ticking and unticking the same box."""
    url = base + "/me/plan/areas/digital"
    time.sleep(1)  # ticks still in flight when the last wrk run stopped finish first
    for cookie, ticked, _unticked in tickers:  # every box ticked: tick.lua starts by unticking it
        request = urllib.request.Request(url, data=ticked.encode(), headers={"Cookie": cookie, "HX-Request": "true"})
        assert urllib.request.urlopen(request).status == 200
    before = step_events(database_url)
    rate, output = wrk(url, seconds, len(tickers), None,
                       [str(ROOT / "bench" / "tick.lua"), *[part for ticker in tickers for part in ticker]], threads=len(tickers))
    failed = re.search(r"ticks not answered 200: (\d+)(.*)", output)
    if failed is None or int(failed.group(1)):
        raise RuntimeError(f"ticks failed: {failed.group(0) if failed else output}")
    answered = int(re.search(r"(\d+) requests in", output).group(1))
    time.sleep(1)
    written = step_events(database_url) - before
    # Each tick answered wrote one event; a tick sent as wrk stopped may have been written too.
    if not answered <= written <= answered + len(tickers):
        raise RuntimeError(f"{answered} ticks answered, {written} step events written")
    return rate, written / answered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="load per target, in all (split over the rounds)")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")

    folder = Path(tempfile.mkdtemp(prefix="mml-bench-"))
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    build_database(url, tickers=args.connections)
    shutil.copy(folder / "bench.sqlite3", folder / "ticks.sqlite3")
    tick_url = f"sqlite:///{folder / 'ticks.sqlite3'}"
    env = {**os.environ, "TRACKER_ENV": "production", "TRACKER_SECRET_KEY": "bench only", "TRACKER_DATABASE_URL": url,
           "TRACKER_SESSION_COOKIE_SECURE": "false"}

    servers: dict[str, subprocess.Popen] = {}
    try:
        bare, bare_base = serve("bench.bare_app:app", env, args.workers)
        servers["bare"] = bare
        loads = {"bare": lambda seconds: wrk(bare_base + "/", seconds, args.connections)[0]}
        # "plan": as served (rendered goals cached per version of the plan); "plan, cache off":
        # every view is the first after a change.
        for name, cache_size in (("plan", "128"), ("plan, cache off", "0")):
            app, base = serve("wsgi:app", {**env, "TRACKER_PLAN_CACHE_SIZE": cache_size}, args.workers)
            servers[name] = app
            cookie, opener = sign_in(base)
            html = opener.open(base + "/me/plan").read().decode()
            assert "Sign out" in html and "app-goal" in html, "not signed in"
            sizes = first_load_bytes(opener, base, html)
            loads[name] = lambda seconds, base=base, cookie=cookie: wrk(base + "/me/plan", seconds, args.connections, cookie)[0]
        app, tick_base = serve("wsgi:app", {**env, "TRACKER_DATABASE_URL": tick_url, "TRACKER_PLAN_CACHE_SIZE": "0"}, args.workers)
        servers["tick"] = app
        tickers = []
        for n in range(1, args.connections + 1):
            ticker_cookie, opener = sign_in(tick_base, f"bench.ticker.{n}")
            ticked, unticked, area_goals = tick_forms(opener.open(tick_base + "/me/plan").read().decode())
            tickers.append((ticker_cookie, ticked, unticked))
        events_per_tick = []

        def load_ticks(seconds):
            rate, events = tick(tick_base, tickers, seconds, tick_url)
            events_per_tick.append(events)
            return rate

        loads["tick"] = load_ticks
        for load in loads.values():
            load(3)  # warm up
        rounds: dict[str, list[float]] = {name: [] for name in loads}
        for _ in range(args.rounds):
            for name, load in loads.items():
                rounds[name].append(load(args.seconds / args.rounds))
    finally:
        for process in servers.values():
            stop(process)
        shutil.rmtree(folder, ignore_errors=True)

    def mean(values):
        return sum(values) / len(values)

    bare_rate = mean(rounds["bare"])
    print(f"gunicorn -w {args.workers} -k sync; wrk -c{args.connections}; {args.rounds} rounds of "
          f"{args.seconds / args.rounds:g} s per target, interleaved")
    labels = {"bare": "bare 10 KB Jinja page", "plan": "plan page (30 goals, 1,000 events)",
              "plan, cache off": "plan page, cache off (first view after a change)",
              "tick": f"tick (htmx POST of an area of {area_goals} goals)"}
    targets = {"plan": 40, "plan, cache off": 40, "tick": 30}
    for name, rates in rounds.items():
        per_round = ", ".join(f"{r:.0f}" for r in rates)
        line = f"{labels[name]:52s} {mean(rates):7.0f} requests/s ({per_round})"
        if name != "bare":
            ratios = ", ".join(f"{r / b:.0%}" for r, b in zip(rates, rounds["bare"], strict=True))
            line += f"; ratio {mean(rates) / bare_rate:.0%} ({ratios}; target >= {targets[name]}%)"
        print(line)
    print(f"ticks: {args.connections} residents at once, each ticking and unticking one box; every tick answered 200; "
          f"step events written per tick answered: {min(events_per_tick):.2f} to {max(events_per_tick):.2f}")
    for name, size in sizes.items():
        print(f"  {name}: {size / 1024:.1f} KB")
    print(f"first load, uncompressed: {sum(sizes.values()) / 1024:.1f} KB (target < 250 KB); "
          f"plan HTML {sizes['plan page HTML'] / 1024:.1f} KB (target < 60 KB)")


if __name__ == "__main__":
    main()
