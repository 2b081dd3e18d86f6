"""Load test: residents, tutors and provider staff at once, on the same residents, then a check
that the database holds exactly what the answers said.

    # one command: a temporary database, seeded, served by gunicorn, loaded, checked, stopped
    .venv/bin/python bench/load.py --serve sqlite --workers 4 --clients 64 --seconds 60
    .venv/bin/python bench/load.py --serve postgres --instances 2 --workers 2 --clients 64 --seconds 60
        # (PostgreSQL: TEST_DATABASE_URL names a server, a fresh database mml_load_… is made in it;
        #  without it a throwaway cluster is started with scripts/throwaway-postgres.sh)

    # or against servers you run yourself (several URLs = several instances on one database)
    .venv/bin/python bench/load.py seed sqlite:////tmp/load.sqlite3
    TRACKER_ENV=development TRACKER_SECRET_KEY=load-bench-secret TRACKER_RATE_LIMITS=false \\
        TRACKER_DATABASE_URL=sqlite:////tmp/load.sqlite3 .venv/bin/gunicorn -w 4 -b 127.0.0.1:8001 wsgi:app
    .venv/bin/python bench/load.py http://127.0.0.1:8001 --database-url sqlite:////tmp/load.sqlite3 --clients 64 --seconds 60

    # the checks again, on a log and a database
    .venv/bin/python bench/load.py check --database-url URL --log /tmp/mml-load-….jsonl

Clients are threads: about half residents (tick and untick steps, check in, add notes, give and
withdraw consent), a third tutors (open the same residents' areas, record progress) and the rest
provider staff (dashboard pages, the CSV export, residents' areas). Some POSTs are sent twice at
once. Every request goes to a JSON-lines log (--log). Then bench/load_check.py checks the
database. Prints a summary and a markdown row for docs/reliability.md; exits 1 when a target is
missed (any 5xx or broken connection, or any data check failing).

``tracker`` is imported from the code folder under test (--code, default: the folder holding
``tracker/`` that is first on PYTHONPATH, else the current folder, else this checkout); seeding
and ``verify-chains`` run in that folder, so a server from another checkout is checked with its
own code. Set TRACKER_RATE_LIMITS=false on servers you run yourself (staff limits answer 429).
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.dont_write_bytecode = True  # nothing written into the checkouts under test


def default_code_dir() -> Path:
    for entry in [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p] + [os.getcwd()]:
        if (Path(entry) / "tracker" / "__init__.py").exists():
            return Path(entry).resolve()
    return ROOT


def use_code(code: Path) -> None:
    """Import ``tracker`` from ``code`` (before anything imports it)."""
    if str(code) not in sys.path[:2]:
        sys.path.insert(0, str(code))


if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from load_client import ROLES, Recorder, read_log
from load_report import MARKDOWN_HEADER, Summary, print_faults

DEFAULT_SECRET = "load-bench-secret"


def database_label(url: str) -> str:
    return "SQLite" if url.startswith("sqlite") else "PostgreSQL" if url.startswith("postgres") else url.split(":")[0]


# --- Seeding ------------------------------------------------------------------------------------


def seed_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="load.py seed", description="Prepare a database for load runs (through the app's API).")
    parser.add_argument("database_url")
    parser.add_argument("--residents", type=int, default=40)
    parser.add_argument("--tutors", type=int, default=3, help="per provider")
    parser.add_argument("--staff", type=int, default=2, help="provider staff per provider")
    parser.add_argument("--secret-key", default=os.environ.get("TRACKER_SECRET_KEY") or DEFAULT_SECRET)
    parser.add_argument("--code", type=Path, default=None)
    args = parser.parse_args(argv)
    use_code((args.code or default_code_dir()).resolve())
    from load_seed import seed

    started = time.perf_counter()
    summary = seed(args.database_url, residents=args.residents, tutors=args.tutors, staff=args.staff, secret_key=args.secret_key)
    print(f"seeded {args.database_url} in {time.perf_counter() - started:.1f} s: " + ", ".join(f"{k} {v}" for k, v in summary.items()))


def seed_with(code: Path, url: str, secret_key: str, residents: int) -> None:
    """Seed in a subprocess that imports ``tracker`` from ``code`` (the server's own code)."""
    env = {**os.environ, "PYTHONPATH": str(code), "PYTHONDONTWRITEBYTECODE": "1"}
    subprocess.run([sys.executable, str(HERE / "load.py"), "seed", url, "--secret-key", secret_key, "--residents", str(residents),
                    "--code", str(code)], cwd=code, env=env, check=True)


# --- Running --------------------------------------------------------------------------------------


class Run:
    """Clients spread over the URLs round-robin, for ``seconds``; every request in ``recorder``."""

    def __init__(self, urls: list[str], database_url: str, *, clients: int, seconds: float, log: str, mix: tuple[int, int, int],
                 think: float, double_rate: float, rng_seed: int | None):
        self.urls, self.database_url, self.clients, self.seconds = urls, database_url, clients, seconds
        self.mix, self.think, self.double_rate = mix, think, double_rate
        self.run_id = secrets.token_hex(3)
        self.recorder = Recorder(log, self.run_id)
        self.log = log
        self.stop = threading.Event()
        self.rng = random.Random(rng_seed)
        self.started = self.ended = self.cpu = 0.0
        self.meta: dict = {}  # for the log's first line (what `load.py check` reports on)

    def people(self) -> dict[str, list[str]]:
        from load_seed import PREFIX
        from sqlalchemy import text

        from tracker.database import make_engine

        engine = make_engine(self.database_url)
        with engine.connect() as db:
            rows = db.execute(text("SELECT username, role FROM user_account WHERE username LIKE :p AND active ORDER BY username"),
                              {"p": f"{PREFIX}%"}).all()
        engine.dispose()
        found: dict[str, list[str]] = {"resident": [], "tutor": [], "provider_staff": []}
        for username, role in rows:
            found.setdefault(role, []).append(username)
        if not found["resident"] or not found["tutor"] or not found["provider_staff"]:
            raise SystemExit(f"no load-test users in {self.database_url}: run `bench/load.py seed {self.database_url}` first")
        return found

    def build_clients(self):
        from load_seed import PASSWORD

        people = self.people()
        residents, tutors, staff = self.mix
        total = residents + tutors + staff
        n_tutors = max(1, round(self.clients * tutors / total))
        n_staff = max(1, round(self.clients * staff / total))
        n_residents = max(1, self.clients - n_tutors - n_staff)
        roles = ["resident"] * n_residents + ["tutor"] * n_tutors + ["provider_staff"] * n_staff
        self.rng.shuffle(roles)
        used: dict[str, int] = {}
        built = []
        for number, role in enumerate(roles):
            accounts = people[role]
            index = used.get(role, 0)
            used[role] = index + 1
            username = accounts[index % len(accounts)]
            instance = number % len(self.urls)
            built.append(ROLES[role](number, role, username, PASSWORD, self.urls, instance, self.recorder, self.stop,
                                     random.Random(self.rng.random()), self.think, self.double_rate))
        return built

    def go(self, during=None) -> None:
        """Run the clients (and ``during(run)`` in a thread alongside, for faults)."""
        clients = self.build_clients()
        threads = [threading.Thread(target=c.run, name=f"client-{c.number}", daemon=True) for c in clients]
        self.started = time.time()
        cpu = time.process_time()
        self.recorder.note("run_started", run_id=self.run_id, clients=len(clients), urls=self.urls, **self.meta)
        side = threading.Thread(target=during, args=(self,), daemon=True) if during else None
        for thread in threads:
            thread.start()
            time.sleep(min(0.02, 1.0 / max(1, len(threads))))
        if side:
            side.start()
        deadline = self.started + self.seconds
        while time.time() < deadline:
            time.sleep(min(0.5, max(0.0, deadline - time.time())))
        self.stop.set()
        self.ended = time.time()
        self.cpu = time.process_time() - cpu  # the load generator's own CPU time (all its threads)
        for thread in threads:
            thread.join(timeout=45)
        if side:
            side.join(timeout=60)
        self.recorder.note("run_ended", run_id=self.run_id)
        self.recorder.close()

    def summary(self) -> Summary:
        return Summary(self.recorder.records, self.started, self.ended)


def data_check(database_url: str, records: list[dict], run_id: str, run_start: float, code: Path, secret_key: str):
    from load_check import check

    from tracker.database import make_engine

    engine = make_engine(database_url)
    try:
        return check(engine, records, run_id=run_id, run_start=run_start, database_url=database_url, code_dir=str(code),
                     secret_key=secret_key)
    finally:
        engine.dispose()


# --- Command line -------------------------------------------------------------------------------


def run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("urls", nargs="*", help="base URLs of the app instances (all on the same database)")
    parser.add_argument("--database-url", default=os.environ.get("TRACKER_DATABASE_URL"))
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--log", default=None, help="JSON-lines request log (default: /tmp/mml-load-<time>.jsonl)")
    parser.add_argument("--mix", default="50,30,20", help="residents,tutors,provider staff (proportions of the clients)")
    parser.add_argument("--think", type=float, default=0.1, help="mean pause between a client's actions, seconds")
    parser.add_argument("--double", type=float, default=0.12, help="share of POSTs sent twice at once (consent ones: twice this)")
    parser.add_argument("--rng-seed", type=int, default=None)
    parser.add_argument("--secret-key", default=os.environ.get("TRACKER_SECRET_KEY") or DEFAULT_SECRET,
                        help="the servers' TRACKER_SECRET_KEY (seeding and verify-chains use it)")
    parser.add_argument("--code", type=Path, default=None, help="the code folder under test (holds tracker/)")
    parser.add_argument("--serve", choices=("sqlite", "postgres"), default=None,
                        help="make a temporary database, seed it and start gunicorn here for the run")
    parser.add_argument("--instances", type=int, default=None, help="with --serve: gunicorn instances (default 1 for sqlite, 2 for postgres)")
    parser.add_argument("--workers", type=int, default=None,
                        help="sync workers per instance (default 4 for sqlite, 2 for postgres); without --serve, only for the report")
    parser.add_argument("--residents", type=int, default=40, help="with --serve: residents to seed")
    parser.add_argument("--gunicorn-config", default=None,
                        help="with --serve: a gunicorn config file (e.g. deploy/gunicorn.conf.py); --workers and the port still apply")
    parser.add_argument("--keep", action="store_true", help="with --serve: keep the database (and its folder) afterwards")
    parser.add_argument("--no-check", action="store_true", help="skip the data checks")


def prepare(args) -> None:
    args.code = (args.code or default_code_dir()).resolve()
    use_code(args.code)
    if args.serve is None:
        if not args.urls:
            raise SystemExit("give the app's URL(s), or --serve sqlite|postgres")
        if not args.database_url:
            raise SystemExit("--database-url (or TRACKER_DATABASE_URL) is needed to check the database")
    args.instances = args.instances or (2 if args.serve == "postgres" else 1)
    args.workers = args.workers or (2 if args.serve == "postgres" else 4)
    args.log = args.log or os.path.join(tempfile.gettempdir(), f"mml-load-{time.strftime('%Y%m%d-%H%M%S')}.jsonl")
    args.mix = tuple(int(x) for x in args.mix.split(","))


def execute(args, during=None, report_extra=None) -> int:
    """Run the load (starting servers first with --serve), report, check; returns the exit code."""
    servers = None
    if args.serve:
        from load_serve import Servers

        servers = Servers(args.serve, args.code, instances=args.instances, workers=args.workers, keep=args.keep,
                          config=args.gunicorn_config, **getattr(args, "server_options", {}))
        args.secret_key = servers.secret_key
        args.database_url = servers.create_database()
        print(f"database: {args.database_url}", flush=True)
        seed_with(args.code, args.database_url, args.secret_key, args.residents)
        args.urls = servers.start(args.database_url)
        print("serving: " + ", ".join(args.urls) + f" ({args.instances} × {args.workers} sync workers, code in {args.code})", flush=True)
    args.servers = servers
    try:
        run = Run(args.urls, args.database_url, clients=args.clients, seconds=args.seconds, log=args.log, mix=args.mix,
                  think=args.think, double_rate=args.double, rng_seed=args.rng_seed)
        print(f"run {run.run_id}: {args.clients} clients for {args.seconds:.0f} s on {len(args.urls)} instance(s); log {args.log}", flush=True)
        load_before = os.getloadavg()[0]
        run.meta = {"database": database_label(args.database_url), "layout": f"{len(args.urls)} × {args.workers}",
                    "fault_label": getattr(args, "fault_label", "")}
        run.go(during)
        load_after = os.getloadavg()[0]
    finally:
        if servers:
            servers.stop()
    summary = run.summary()
    summary.print()
    print(f"  load generator: {run.cpu:.1f} s of CPU in {run.ended - run.started:.1f} s "
          f"({run.cpu / max(0.001, run.ended - run.started):.0%} of one core); machine: {os.cpu_count()} cores, "
          f"load average {load_before:.1f} before the run, {load_after:.1f} at its end (other work on it slows every figure)")
    code = 0
    extra_ok, extra_verdict = True, ""
    if report_extra:
        extra_ok, extra_verdict = report_extra(run, summary)
    verdict = "not checked"
    if not args.no_check:
        print(flush=True)
        found = data_check(args.database_url, run.recorder.records, run.run_id, run.started, args.code, args.secret_key)
        found.print()
        verdict = found.verdict()
        if not found.ok:
            code = 1
    if servers:
        errors = servers.exceptions()
        if errors:
            print("\nexceptions in the servers' logs: " + "; ".join(f"{line} ×{n}" for line, n in errors))
        servers.cleanup()
    layout = f"{len(args.urls)} × {args.workers}"
    print("\nfor docs/reliability.md:")
    print(MARKDOWN_HEADER)
    database = database_label(args.database_url)
    if getattr(args, "fault_label", None):
        database += f" ({args.fault_label})"
    if extra_verdict:
        verdict = f"data: {verdict}; {extra_verdict}"
    print(summary.markdown_row(database, layout, args.clients, verdict))
    if report_extra is None and (summary.server_errors or summary.connection_errors):
        code = 1
    if not extra_ok:
        code = 1
    print(f"\nlog: {args.log}")
    print("targets met" if code == 0 else "TARGETS MISSED")
    return code


def check_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="load.py check", description="Report on a load run's log again, and check its database.")
    parser.add_argument("--log", required=True)
    parser.add_argument("--database-url", default=os.environ.get("TRACKER_DATABASE_URL"),
                        help="the run's database (without it: the figures only, no data checks)")
    parser.add_argument("--secret-key", default=os.environ.get("TRACKER_SECRET_KEY") or DEFAULT_SECRET)
    parser.add_argument("--code", type=Path, default=None)
    args = parser.parse_args(argv)
    code = (args.code or default_code_dir()).resolve()
    use_code(code)
    records = read_log(args.log)
    start = next(r for r in records if r.get("event") == "run_started")
    ended = next((r["t"] for r in records if r.get("event") == "run_ended"), records[-1]["t"])
    summary = Summary(records, start["t"], ended)
    summary.print("logged run")
    ok, fault_verdict = True, ""
    faults = [r for r in records if r.get("event") == "fault"]
    if faults:
        ok, fault_verdict = print_faults(records, faults, start["t"], start.get("fault_label", ""))
        print(fault_verdict)
    verdict = "not checked"
    if args.database_url:
        print()
        found = data_check(args.database_url, records, start["run_id"], start["t"], code, args.secret_key)
        found.print()
        ok = ok and found.ok
        verdict = found.verdict()
    if fault_verdict:
        verdict = f"data: {verdict}; {fault_verdict}"
    database = start.get("database", "?") + (f" ({start['fault_label']})" if start.get("fault_label") else "")
    print("\n" + MARKDOWN_HEADER)
    print(summary.markdown_row(database, start.get("layout", "?"), start.get("clients", 0), verdict))
    sys.exit(0 if ok else 1)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["seed"]:
        return seed_main(argv[1:])
    if argv[:1] == ["check"]:
        return check_main(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="subcommands: `load.py seed DATABASE_URL`, `load.py check --database-url URL --log FILE`")
    run_arguments(parser)
    args = parser.parse_args(argv)
    prepare(args)
    sys.exit(execute(args))


if __name__ == "__main__":
    main()
