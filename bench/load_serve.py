"""Servers for a load run (bench/load.py --serve): a fresh database (a temporary SQLite file, or a
new ``mml_load_…`` database on a PostgreSQL server) and gunicorn instances on it, started from the
code folder under test and stopped afterwards."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THROWAWAY = ROOT / "scripts" / "throwaway-postgres.sh"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(database_url: str, secret_key: str) -> dict:
    return {**os.environ, "TRACKER_ENV": "development", "TRACKER_SECRET_KEY": secret_key, "TRACKER_DATABASE_URL": database_url,
            "TRACKER_RATE_LIMITS": "false", "TRACKER_SESSION_COOKIE_SECURE": "false", "PYTHONDONTWRITEBYTECODE": "1"}


def start_throwaway_postgres() -> tuple[str, str]:
    """(PG_TMP, server URL) of a new throwaway cluster (scripts/throwaway-postgres.sh)."""
    output = subprocess.run(["bash", str(THROWAWAY), "start"], capture_output=True, text=True, check=True).stdout
    values = dict(re.findall(r"export (\w+)=(\S+)", output))
    return values["PG_TMP"], values["TEST_DATABASE_URL"]


def stop_throwaway_postgres(pg_tmp: str) -> None:
    subprocess.run(["bash", str(THROWAWAY), "stop", pg_tmp], check=False)


class Servers:
    def __init__(self, kind: str, code: Path, *, instances: int = 1, workers: int = 4, keep: bool = False,
                 pg_server_url: str | None = None, pg_tmp: str | None = None, own_cluster: bool = False,
                 config: str | None = None):
        self.kind, self.code, self.instances, self.workers, self.keep = kind, Path(code), instances, workers, keep
        self.config = str(Path(config).resolve()) if config else None
        self.secret_key = secrets.token_hex(16)
        self.folder = Path(tempfile.mkdtemp(prefix="mml-load-"))
        self.processes: list[subprocess.Popen] = []
        self.ports: list[int] = []
        self.database_url: str | None = None
        # own_cluster: a throwaway cluster for this run only (so a restart breaks nobody else's work)
        self.pg_server_url = None if own_cluster else (pg_server_url or os.environ.get("TEST_DATABASE_URL"))
        self.pg_tmp = None if own_cluster else (pg_tmp or os.environ.get("PG_TMP"))
        self.own_cluster = False
        self.database_name: str | None = None

    def create_database(self) -> str:
        if self.kind == "sqlite":
            self.database_url = f"sqlite:///{self.folder / 'load.sqlite3'}"
            return self.database_url
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        if not self.pg_server_url:
            self.pg_tmp, self.pg_server_url = start_throwaway_postgres()
            self.own_cluster = True
            print(f"started a throwaway PostgreSQL cluster in {self.pg_tmp}", flush=True)
        self.database_name = f"mml_load_{secrets.token_hex(4)}"
        admin = create_engine(make_url(self.pg_server_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.database_name}"'))
        admin.dispose()
        self.database_url = make_url(self.pg_server_url).set(database=self.database_name).render_as_string(hide_password=False)
        return self.database_url

    def start(self, database_url: str) -> list[str]:
        env = {**server_env(database_url, self.secret_key), "PYTHONPATH": str(self.code)}
        urls = []
        for n in range(self.instances):
            port = free_port()
            log = self.folder / f"gunicorn-{n + 1}.log"
            command = [sys.executable, "-m", "gunicorn"]
            if self.config:  # its settings, but this run's workers, port and logs
                command += ["--config", self.config]
            else:
                command += ["--timeout", "30", "--graceful-timeout", "5"]
            command += ["--workers", str(self.workers), "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
                        "--capture-output", "--error-logfile", str(log), "--access-logfile", "/dev/null", "wsgi:app"]
            process = subprocess.Popen(command, cwd=self.code, env=env, start_new_session=True,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.processes.append(process)
            self.ports.append(port)
            urls.append(f"http://127.0.0.1:{port}")
        for url, process in zip(urls, self.processes, strict=True):
            self._wait(url, process)
        return urls

    def _wait(self, url: str, process: subprocess.Popen) -> None:
        deadline = time.time() + 30
        while time.time() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn for {url} exited with {process.returncode}; see {self.folder}")
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2).read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{url} did not answer /healthz within 30 s")

    @property
    def master_pids(self) -> list[int]:
        return [p.pid for p in self.processes]

    def logs(self) -> list[Path]:
        return sorted(self.folder.glob("gunicorn-*.log"))

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)

    def exceptions(self, limit: int = 6) -> list[tuple[str, int]]:
        """The exceptions in gunicorn's logs (the last line of each traceback), most common first."""
        found: Counter = Counter()
        for log in self.logs():
            lines = log.read_text(errors="replace").splitlines()
            for n, line in enumerate(lines):
                after = " ".join(lines[n + 1:n + 4])
                if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b", line) and "above exception" not in after:
                    found[re.sub(r"\[SQL: .*", "", line)[:220]] += 1
                elif "WORKER TIMEOUT" in line or "was sent SIGKILL" in line or "Worker failed to boot" in line:
                    found[re.sub(r"\d+", "N", re.sub(r"^\[[^]]*\] \[\d+\] ", "", line))[:120]] += 1
        return found.most_common(limit)

    def cleanup(self) -> None:
        """After the checks: drop the database and the folder, unless asked to keep them."""
        if self.keep:
            print(f"kept: {self.database_url} and {self.folder}")
            return
        if self.kind == "postgres" and self.database_name:
            from sqlalchemy import create_engine, text
            from sqlalchemy.engine import make_url

            try:
                admin = create_engine(make_url(self.pg_server_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)'))
                admin.dispose()
            except Exception as error:  # the run's figures matter more than tidying up
                print(f"could not drop {self.database_name}: {error}")
        if self.own_cluster and self.pg_tmp:
            stop_throwaway_postgres(self.pg_tmp)
        shutil.rmtree(self.folder, ignore_errors=True)
