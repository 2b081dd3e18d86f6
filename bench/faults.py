"""The load of bench/load.py, with faults injected while it runs.

    # SQLite, 4 workers: kill -9 a worker every 5 s, and hold an exclusive lock for 10 s mid-run
    .venv/bin/python bench/faults.py --serve sqlite --workers 4 --clients 64 --seconds 60 --kill-workers 5 --sqlite-lock 10
    # PostgreSQL, two instances: restart the server mid-run (a throwaway cluster of its own is started)
    .venv/bin/python bench/faults.py --serve postgres --instances 2 --clients 64 --seconds 60 --postgres-restart --kill-workers 10
    # against servers you run yourself
    .venv/bin/python bench/faults.py http://127.0.0.1:8001 --database-url sqlite:////tmp/load.sqlite3 --kill-workers 5 \\
        [--gunicorn-pid MASTER_PID]       # else found from the URL's listening socket
    .venv/bin/python bench/faults.py http://127.0.0.1:8001 http://127.0.0.1:8002 --database-url postgresql+psycopg://… \\
        --postgres-restart --pg-data "$PG_TMP/data"

Faults:
  --kill-workers N     every N seconds, kill -9 one gunicorn worker (children of each master, round-robin);
                       the fault lasts until the master has started a new worker
  --postgres-down S    once, at --fault-at: pg_ctl stop -m fast, S seconds without a database, pg_ctl start;
  --postgres-restart   once, at --fault-at: pg_ctl -D DATA restart -m fast (as the postgres user when run as root);
                       DATA from --pg-data, else $PG_TMP/data (scripts/throwaway-postgres.sh)
  --sqlite-lock S      once, at --fault-at: BEGIN EXCLUSIVE on the SQLite file, held S seconds, then released

For each fault it reports the answers seen during it (target: only 503, or answers the service
meant: 2xx, 3xx, 4xx; a 500 fails; a broken connection is expected only for the one request the
killed worker was serving), how long after the fault ended the first good answer and a steady run
of good answers came (target ≤ 5 s), and then the same data checks as bench/load.py. Answers away
from the faults must have no 5xx at all.
"""

from __future__ import annotations

import argparse
import functools
import glob
import os
import re
import shlex
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # nothing written into the checkouts under test
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import load
from load_report import RECOVERY_TARGET, print_faults

# --- Finding gunicorn -----------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    result = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(p) for p in result.stdout.split()]


def parent_of(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[1])
    except (OSError, IndexError, ValueError):
        return None


def master_for(url: str) -> int:
    """The gunicorn master listening on the URL's port: of the processes holding the listening
    socket (the master and its workers), the one whose parent is not among them."""
    port = int(re.search(r":(\d+)", url.split("//", 1)[-1]).group(1))
    output = subprocess.run(["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True).stdout
    pids = {int(p) for p in re.findall(r"pid=(\d+)", output)}
    masters = [p for p in pids if parent_of(p) not in pids]
    if len(masters) != 1:
        raise SystemExit(f"cannot tell the gunicorn master for {url} (processes {sorted(pids)}): give --gunicorn-pid")
    return masters[0]


# --- The faults ---------------------------------------------------------------------------------


class Faults:
    def __init__(self, args):
        self.args = args
        self.done: list[dict] = []

    def masters(self) -> list[int]:
        if self.args.gunicorn_pid:
            return self.args.gunicorn_pid
        if self.args.servers is not None:
            return self.args.servers.master_pids
        return [master_for(url) for url in self.args.urls]

    def __call__(self, run) -> None:
        """The schedule, in a thread beside the clients."""
        args = self.args
        plan = []
        once_at = args.fault_at if args.fault_at is not None else args.seconds / 2
        busy = []  # kills stay clear of the one-off faults, so each answer belongs to one fault
        if args.postgres_restart:
            plan.append((once_at, self.postgres_restart))
            busy.append((once_at - 3, once_at + 15))
        if args.postgres_down:
            plan.append((once_at, self.postgres_down))
            busy.append((once_at - 3, once_at + args.postgres_down + 15))
        if args.sqlite_lock:
            plan.append((once_at, self.sqlite_lock))
            busy.append((once_at - 3, once_at + args.sqlite_lock + RECOVERY_TARGET + 1))
        if args.kill_workers:
            masters = self.masters()
            at, n = args.kill_workers, 0
            while at < args.seconds - 3:
                if not any(low <= at <= high for low, high in busy):
                    plan.append((at, functools.partial(self.kill_worker, master=masters[n % len(masters)])))
                    n += 1
                at += args.kill_workers
        plan.sort(key=lambda item: item[0])
        for at, action in plan:
            wait = run.started + at - time.time()
            if run.stop.wait(max(0.0, wait)):
                break
            try:
                action(run)
            except Exception as error:  # a fault that could not be made is reported, not fatal
                run.recorder.note("fault_error", error=f"{type(error).__name__}: {error}"[:300])
                print(f"fault could not be made: {error}", flush=True)

    def record(self, run, kind: str, start: float, end: float, detail: str = "", **extra) -> None:
        fault = {"kind": kind, "start": start, "end": end, "detail": detail, **extra}
        self.done.append(fault)
        run.recorder.note("fault", **fault)
        print(f"  fault {kind} {detail} at +{start - run.started:.1f} s, {end - start:.2f} s", flush=True)

    def kill_worker(self, run, master: int) -> None:
        workers = children(master)
        if not workers:
            raise RuntimeError(f"gunicorn master {master} has no workers")
        victim = workers[int(time.time() * 1000) % len(workers)]
        start = time.time()
        os.kill(victim, signal.SIGKILL)
        deadline = start + 30
        while time.time() < deadline:  # the fault lasts until the master has replaced the worker
            now = set(children(master))
            if victim not in now and len(now) >= len(workers):
                break
            time.sleep(0.05)
        self.record(run, "kill_worker", start, time.time(), f"pid {victim}", master=master)

    def postgres_restart(self, run) -> None:
        start = time.time()
        self._pg_ctl("restart", "-m", "fast")
        self.record(run, "postgres_restart", start, time.time(), "")

    def postgres_down(self, run) -> None:
        """PostgreSQL stopped for a while (a crash, maintenance, a failover), then started again."""
        start = time.time()
        options = self._postmaster_options()  # `pg_ctl start`, unlike restart, needs them again
        self._pg_ctl("stop", "-m", "fast")
        time.sleep(self.args.postgres_down)
        self._pg_ctl("start", "-o", options)
        self.record(run, "postgres_down", start, time.time(), f"{self.args.postgres_down:g} s")

    def _postmaster_options(self) -> str:
        """The server's command-line options as it was started (port, socket folder…)."""
        with open(os.path.join(self._data_dir(), "postmaster.opts")) as opts:
            words = shlex.split(opts.read())[1:]
        kept, skip = [], False
        for word in words:
            if skip:
                skip = False
            elif word == "-D":
                skip = True
            else:
                kept.append(word)
        return shlex.join(kept)

    def _pg_ctl(self, *action: str) -> None:
        data = self._data_dir()
        pg_ctl = shutil_which_pg_ctl()
        command = [pg_ctl, "-D", data, "-l", os.path.join(os.path.dirname(data), "server.log"), "-w", "-t", "60", *action]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"pg_ctl {action[0]} failed: {result.stderr.strip() or result.stdout.strip()}")

    def _data_dir(self) -> str:
        servers = self.args.servers
        if self.args.pg_data:
            data = self.args.pg_data
        elif servers is not None and servers.pg_tmp:  # --serve postgres: the cluster the run's database is in
            data = os.path.join(servers.pg_tmp, "data")
        elif os.environ.get("PG_TMP"):
            data = os.path.join(os.environ["PG_TMP"], "data")
        else:
            raise RuntimeError("--postgres-restart and --postgres-down need --pg-data or PG_TMP")
        return data

    def sqlite_lock(self, run) -> None:
        from sqlalchemy.engine import make_url

        path = make_url(run.database_url).database
        connection = sqlite3.connect(path, timeout=30, isolation_level=None)
        try:
            asked = time.time()
            connection.execute("BEGIN EXCLUSIVE")
            start = time.time()
            run.stop.wait(self.args.sqlite_lock)
            connection.execute("ROLLBACK")
            end = time.time()
        finally:
            connection.close()
        self.record(run, "sqlite_lock", start, end, f"{self.args.sqlite_lock:g} s", waited=round(start - asked, 3))


def shutil_which_pg_ctl() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return found[-1]
    return "pg_ctl"


# --- Command line --------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    load.run_arguments(parser)
    parser.add_argument("--kill-workers", type=float, default=0, metavar="N", help="kill -9 a gunicorn worker every N seconds")
    parser.add_argument("--gunicorn-pid", type=int, action="append", default=[], help="gunicorn master pid (repeat per instance)")
    parser.add_argument("--postgres-restart", action="store_true", help="restart PostgreSQL once, mid-run")
    parser.add_argument("--postgres-down", type=float, default=0, metavar="SECONDS",
                        help="stop PostgreSQL this long, mid-run, then start it again")
    parser.add_argument("--pg-data", default=None, help="the cluster's data folder (default $PG_TMP/data)")
    parser.add_argument("--sqlite-lock", type=float, default=0, metavar="SECONDS", help="hold an exclusive SQLite lock this long, mid-run")
    parser.add_argument("--fault-at", type=float, default=None, help="when the one-off faults start (default: half-way)")
    args = parser.parse_args()
    if not (args.kill_workers or args.postgres_restart or args.postgres_down or args.sqlite_lock):
        parser.error("choose at least one fault: --kill-workers N, --postgres-restart, --postgres-down SECONDS, --sqlite-lock SECONDS")
    load.prepare(args)
    if args.serve == "postgres" and (args.postgres_restart or args.postgres_down) and not args.pg_data:
        # Restarting a cluster that others use would break their work: start one of our own.
        args.server_options = {"own_cluster": True}
    if args.sqlite_lock and not (args.database_url or args.serve == "sqlite"):
        parser.error("--sqlite-lock needs a SQLite database")
    faults = Faults(args)
    labels = []
    if args.kill_workers:
        labels.append(f"kill -9 every {args.kill_workers:g} s")
    if args.postgres_restart:
        labels.append("PostgreSQL restart")
    if args.postgres_down:
        labels.append(f"PostgreSQL down {args.postgres_down:g} s")
    if args.sqlite_lock:
        labels.append(f"{args.sqlite_lock:g} s exclusive lock")
    args.fault_label = ", ".join(labels)

    def report(run, _summary) -> tuple[bool, str]:
        return print_faults(run.recorder.records, faults.done, run.started, args.fault_label)

    sys.exit(load.execute(args, during=faults, report_extra=report))


if __name__ == "__main__":
    main()
