"""Figures from a load run's request log: counts, latencies, failures, and (for bench/faults.py)
what happened during each fault and how soon the service recovered after it."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import datetime

RECOVERY_TARGET = 5.0  # seconds after a fault ends
STEADY_RUN = 20  # consecutive good answers that make a "steady run"
MARKDOWN_HEADER = ("| date | database | instances × workers | clients | seconds | requests | req/s | 2xx | 3xx | 4xx | 5xx | "
                   "p50 ms | p99 ms | data check |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
FAULT_HEADER = ("| fault | at (s) | lasted (s) | requests during | answers during | 5xx but 503 (unstyled) | resets | 503 without Retry-After | "
                "first good after (s) | steady after (s) | verdict |\n|---|---|---|---|---|---|---|---|---|---|---|")


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def shape(path: str) -> str:
    """A path with its ids taken out, for grouping."""
    path = path.split("?")[0]
    path = re.sub(r"/[0-9a-f]{32}(?=/|$)", "/{id}", path)
    path = re.sub(r"/MML-[0-9A-Z-]+", "/{code}", path)
    return re.sub(r"/goals/[A-Za-z0-9_-]{8,16}(?=/|$)", "/goals/{goal}", path)


def good(record: dict) -> bool:
    """An answer the service meant: a page, a redirect, or a 4xx (a 404 for a resident who stopped
    sharing is right). Not a 5xx and not a broken connection."""
    return 200 <= record["status"] < 500 and record["status"] != 429


class Summary:
    def __init__(self, records: list[dict], started: float, ended: float):
        self.requests = [r for r in records if "status" in r]
        self.notes = [r for r in records if "event" in r]
        self.started, self.ended = started, ended
        self.seconds = max(0.001, ended - started)
        self.statuses = Counter(r["status"] for r in self.requests)
        self.classes = Counter("err" if r["status"] == 0 else f"{r['status'] // 100}xx" for r in self.requests)
        self.latency = [r["ms"] for r in self.requests if r["status"]]
        self.by_role: dict[str, list[float]] = defaultdict(list)
        for r in self.requests:
            if r["status"]:
                self.by_role[r["role"]].append(r["ms"])
        self.server_errors = [r for r in self.requests if r["status"] >= 500]
        self.connection_errors = [r for r in self.requests if r["status"] == 0]

    @property
    def p50(self) -> float:
        return percentile(self.latency, 0.50)

    @property
    def p99(self) -> float:
        return percentile(self.latency, 0.99)

    def print(self, title: str = "load run") -> None:
        total = len(self.requests)
        print(f"\n{title}: {total} requests in {self.seconds:.1f} s = {total / self.seconds:.1f} requests/s")
        print("  answers: " + ", ".join(f"{status or 'connection error'}: {n}" for status, n in sorted(self.statuses.items())))
        print(f"  latency: p50 {self.p50:.0f} ms, p99 {self.p99:.0f} ms")
        for role, values in sorted(self.by_role.items()):
            print(f"    {role:15s} {len(values):6d} requests, p50 {percentile(values, 0.5):6.0f} ms, p99 {percentile(values, 0.99):6.0f} ms")
        writes = Counter(r["action"] for r in self.requests if r.get("wid"))
        print("  writes: " + ", ".join(f"{a} {n}" for a, n in writes.most_common()))
        doubles = defaultdict(list)
        for r in self.requests:
            if r.get("double"):
                doubles[r["wid"]].append(r["status"])
        if doubles:
            combos = Counter((self._action_of(w), tuple(sorted(s))) for w, s in doubles.items())
            print(f"  double submissions: {len(doubles)} pairs; answers: "
                  + ", ".join(f"{a} {list(s)} ×{n}" for (a, s), n in combos.most_common(12)))
        fours = Counter((shape(r["path"]), r["m"], r["status"]) for r in self.requests if 400 <= r["status"] < 500)
        if fours:
            print("  4xx: " + "; ".join(f"{m} {p} {s} ×{n}" for (p, m, s), n in fours.most_common(8)))
        print(f"  5xx: {len(self.server_errors)}" + (f", connection errors: {len(self.connection_errors)}" if self.connection_errors else ""))
        if self.server_errors:
            kinds = Counter((r["status"], shape(r["path"]), r["m"], r.get("title", ""), r.get("styled")) for r in self.server_errors)
            for (status, path, method, page_title, styled), n in kinds.most_common(8):
                print(f"    {status} {method} {path} ×{n}: {'styled' if styled else 'UNSTYLED'} page, \"{page_title}\"")
            for r in self.server_errors[:3]:
                print(f"    e.g. {r['status']} {r['m']} {r['path']} at +{r['t'] - self.started:.1f} s: {r.get('body1', '')!r}")
        if self.connection_errors:
            for r in self.connection_errors[:3]:
                print(f"    connection error {r['m']} {r['path']} at +{r['t'] - self.started:.1f} s: {r.get('err')}")
        client_errors = [n for n in self.notes if n["event"] == "client_error"]
        if client_errors:
            print(f"  load-generator errors: {len(client_errors)}, e.g. {client_errors[0]['error']}")

    def _action_of(self, wid: str) -> str:
        for r in self.requests:
            if r.get("wid") == wid:
                return r["action"]
        return "?"

    def markdown_row(self, database: str, layout: str, clients: int, verdict: str) -> str:
        five = str(self.classes.get("5xx", 0))
        if self.connection_errors:
            five += f" (+{len(self.connection_errors)} conn. errors)"
        return (f"| {datetime.fromtimestamp(self.started).date().isoformat()} | {database} | {layout} | {clients} | {self.seconds:.0f} | {len(self.requests)} | "
                f"{len(self.requests) / self.seconds:.0f} | {self.classes.get('2xx', 0)} | {self.classes.get('3xx', 0)} | "
                f"{self.classes.get('4xx', 0)} | {five} | {self.p50:.0f} | {self.p99:.0f} | {verdict} |")


# --- Faults ---------------------------------------------------------------------------------


class FaultResult:
    def __init__(self, fault: dict, during: list[dict], started: float):
        self.fault, self.during, self.started = fault, during, started
        self.statuses = Counter(r["status"] for r in during)
        self.resets = [r for r in during if r["status"] == 0]
        self.bad = [r for r in during if r["status"] >= 500 and r["status"] != 503]
        self.no_retry_after = [r for r in during if r["status"] == 503 and not r.get("retry_after")]
        self.first_good: float | None = None
        self.steady: float | None = None

    @property
    def expected_resets(self) -> int:
        return 1 if self.fault["kind"] == "kill_worker" else 0  # the killed sync worker's one request in flight

    @property
    def passed(self) -> bool:
        return (not self.bad and len(self.resets) <= self.expected_resets
                and self.steady is not None and self.steady <= RECOVERY_TARGET)

    def row(self) -> str:
        f = self.fault
        answers = ", ".join(f"{s or 'reset'}: {n}" for s, n in sorted(self.statuses.items()))
        first = "–" if self.first_good is None else f"{self.first_good:.2f}"
        steady = "never" if self.steady is None else f"{self.steady:.2f}"
        return (f"| {f['kind']}{' ' + f['detail'] if f.get('detail') else ''} | {f['start'] - self.started:.1f} | {f['end'] - f['start']:.1f} | "
                f"{len(self.during)} | {answers} | {len(self.bad)} ({sum(1 for r in self.bad if not r.get('styled'))}) | {len(self.resets)} (≤ {self.expected_resets} expected) | "
                f"{len(self.no_retry_after)} | {first} | {steady} | {'pass' if self.passed else 'FAIL'} |")


def done(record: dict) -> float:
    """When the answer came back."""
    return record["t"] + record["ms"] / 1000


def analyse_faults(records: list[dict], faults: list[dict], started: float) -> list[FaultResult]:
    requests = sorted((r for r in records if "status" in r), key=lambda r: r["t"])
    # A request that overlaps several faults (one queued behind a killed worker, then held up by a
    # lock) belongs to the last one that began before its answer came back.
    owner: dict[int, int] = {}
    for n, r in enumerate(requests):
        overlapping = [i for i, f in enumerate(faults) if r["t"] < f["end"] and done(r) > f["start"]]
        if overlapping:
            owner[n] = max(overlapping, key=lambda i: faults[i]["start"])
    results = []
    for index, fault in enumerate(faults):
        end = fault["end"]
        during = [r for n, r in enumerate(requests) if owner.get(n) == index]
        result = FaultResult(fault, during, started)
        # After the fault: answers in the order they came back (a request held up by the fault and
        # answered well once it ended counts as the service working again).
        next_fault = min((f["start"] for f in faults if f["start"] > end), default=float("inf"))
        after = sorted((r for r in requests if end < done(r) < next_fault), key=done)
        first = next((r for r in after if good(r)), None)
        result.first_good = done(first) - end if first else None
        run = 0
        for index, r in enumerate(after):
            run = run + 1 if good(r) else 0
            if run == STEADY_RUN:
                result.steady = done(after[index - STEADY_RUN + 1]) - end
                break
        if result.steady is None and after and len(after) < STEADY_RUN and all(good(r) for r in after):
            result.steady = done(after[0]) - end  # the run ended (or the next fault came) first: as steady as it could be
        results.append(result)
    return results


def outside_faults(records: list[dict], faults: list[dict]) -> list[dict]:
    """Failures away from every fault (and its recovery window): these count against the load target."""
    windows = [(f["start"], f["end"] + RECOVERY_TARGET) for f in faults]
    return [r for r in records if "status" in r and not good(r)
            and not any(r["t"] < end and r["t"] + r["ms"] / 1000 > start for start, end in windows)]


def print_faults(records: list[dict], faults: list[dict], started: float, label: str = "") -> tuple[bool, str]:
    """The table of faults and what happened around them; (every fault target met, a verdict)."""
    results = analyse_faults(records, faults, started)
    away = outside_faults(records, faults)
    print(f"\nfaults{f' ({label})' if label else ''}:")
    print(FAULT_HEADER)
    for result in results:
        print(result.row())
    for result in results:
        for r in result.bad[:2]:
            print(f"  during {result.fault['kind']}: {r['status']} {r['m']} {r['path']}: "
                  f"{'styled' if r.get('styled') else 'UNSTYLED'} \"{r.get('title', '')}\"")
    print(f"away from the faults (and {RECOVERY_TARGET:g} s after each): {len(away)} failed answers" + (
        ": " + ", ".join(f"{r['status'] or 'conn'} {r['m']} {r['path']}" for r in away[:5]) if away else ""))
    errors = [n for n in records if n.get("event") == "fault_error"]
    for n in errors:
        print(f"  a fault could not be made: {n['error']}")
    ok = bool(results) and all(r.passed for r in results) and not away and not errors
    failed = Counter(r.fault["kind"] for r in results if not r.passed)
    bad = Counter(r.fault["kind"] for r in results for _ in r.bad)
    parts = [f"{kind} {failed[kind]}/{sum(1 for r in results if r.fault['kind'] == kind)} failed"
             + (f" ({bad[kind]} × 5xx not 503)" if bad[kind] else "") for kind in failed]
    if away:
        parts.append(f"{len(away)} failures away from faults")
    if errors:
        parts.append(f"{len(errors)} faults not made")
    return ok, "faults: " + ("pass" if ok else "FAIL " + ", ".join(parts))
