"""After a load run: is the database exactly what the answers said?

Reads the database directly (plain SQL through ``tracker.database.make_engine``, so the checks do not
depend on the ORM models of the code under test) and compares it with the request log:

(a) notes and check-ins, found by the write-id in their text: every one whose POST answered
    2xx/3xx is there exactly once, with exactly one plan event; one whose POST failed (5xx, or the
    connection broke) is there once or not at all, never without its event or the other way round;
    a 4xx wrote nothing; a double-submitted one is there once;
(b) step ticks: each step's step_done/step_undone events alternate (starting from "not done") and
    the last agrees with plan_step.done_at; each goal's status events chain (before = the previous
    after) and end at plan_goal.status; area_progress.goals_done matches the goals;
(c) consent: each grant's events follow the state machine (no withdrawn after withdrawn, no given
    on a live grant) and end in the grant's state; at most one live grant per resident, provider
    and area; each receipt code belongs to one change (its receipt lists exactly its events); every
    receipt a 3xx pointed to exists;
(d) ``flask --app tracker verify-chains`` (run in the code folder being tested) passes;
(e) consent-event and access-log seq numbers per resident are 1..n with no gaps;
(f) staff looks: for every staff member, resident and area, at least one ``opened_plan_area``
    entry per area page shown (200) and one ``recorded_progress`` entry per recorded change that
    answered 2xx/3xx (a double submission counted once), and no more entries than requests that
    could have written one.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime

from load_client import CHECK_IN_MARK, NOTE_MARK
from sqlalchemy import text

WID_RE = {
    "note": re.compile(rf"{NOTE_MARK} (\S+)"),
    "check_in": re.compile(rf"{CHECK_IN_MARK} (\S+) (\w+)"),
}
LIVE = {"pending", "given", "renewed", "paused", "invalidated"}
# The state a grant is in after each event, and which events may follow which state.
AFTER = {"given": "given", "renewed": "renewed", "paused": "paused", "resumed": "given", "withdrawn": "withdrawn",
         "expired": "expired", "invalidated": "invalidated", "confirmed": "given", "refused": "refused", "requested": "pending"}
ALLOWED = {
    None: {"given", "requested"},
    "pending": {"confirmed", "refused", "withdrawn", "invalidated", "expired"},
    "given": {"paused", "withdrawn", "renewed", "expired", "invalidated", "modes_changed"},
    "renewed": {"paused", "withdrawn", "renewed", "expired", "invalidated", "modes_changed"},
    "paused": {"resumed", "withdrawn", "expired", "invalidated", "modes_changed"},
    "invalidated": {"given", "requested", "withdrawn", "expired"},
    "withdrawn": set(), "expired": set(), "refused": set(),
}
NOTE_ACTIONS = {"note", "tutor_note"}
CHECK_IN_ACTIONS = {"check_in", "tutor_check_in"}
RECORD_ACTIONS = {"tutor_tick", "tutor_note", "tutor_check_in"}
EXAMPLES = 5


def _json(value):
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _failed(record: dict) -> bool:
    return record["status"] == 0 or record["status"] >= 500


def _succeeded(record: dict) -> bool:
    """A 2xx, or a 3xx that is not "sign in first" (a POST sent without a valid session changes nothing)."""
    return 200 <= record["status"] < 300 or (300 <= record["status"] < 400 and "/login" not in record.get("loc", ""))


class Findings:
    def __init__(self):
        self.problems: dict[str, list[str]] = defaultdict(list)
        self.counts: dict[str, int] = Counter()
        self.facts: dict[str, str] = {}

    def bad(self, check: str, message: str) -> None:
        self.counts[check] += 1
        if len(self.problems[check]) < EXAMPLES:
            self.problems[check].append(message)

    @property
    def ok(self) -> bool:
        return not self.counts

    def verdict(self) -> str:
        if self.ok:
            return "pass"
        return "FAIL: " + ", ".join(f"{name} ×{count}" for name, count in sorted(self.counts.items()))

    def print(self) -> None:
        print("data checks:")
        for name, value in self.facts.items():
            print(f"  {name}: {value}")
        if self.ok:
            print("  all checks pass")
        for name, count in sorted(self.counts.items()):
            print(f"  FAIL {name}: {count}")
            for example in self.problems[name]:
                print(f"      {example}")


def check(engine, records: list[dict], *, run_id: str, run_start: float, database_url: str, code_dir: str,
          secret_key: str) -> Findings:
    found = Findings()
    requests = [r for r in records if "status" in r]
    with engine.connect() as db:
        users = {row.username: row.id for row in db.execute(text("SELECT id, username FROM user_account"))}
        _check_marked(db, requests, run_id, found)
        _check_steps(db, found)
        _check_consents(db, requests, found)
        _check_sequences(db, found)
        _check_staff_looks(db, requests, users, run_start, found)
    _check_chains(database_url, code_dir, secret_key, found)
    return found


# (a) ------------------------------------------------------------------------------------------


def _check_marked(db, requests, run_id, found: Findings) -> None:
    """Notes and check-ins, by the write-id in their text."""
    prefix = run_id + "."
    by_wid: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in requests:
        if r.get("wid") and r["action"] in NOTE_ACTIONS:
            by_wid[("note", r["wid"])].append(r)
        elif r.get("wid") and r["action"] in CHECK_IN_ACTIONS:
            by_wid[("check_in", r["wid"])].append(r)
    rows: Counter = Counter()
    events: Counter = Counter()
    for (note_text,) in db.execute(text("SELECT text FROM goal_note WHERE text LIKE :p"), {"p": f"{NOTE_MARK} {prefix}%"}):
        rows[("note", WID_RE["note"].match(note_text).group(1))] += 1
    for (note,) in db.execute(text("SELECT note FROM check_in WHERE note LIKE :p"), {"p": f"{CHECK_IN_MARK} {prefix}%"}):
        match = WID_RE["check_in"].match(note)
        rows[("check_in", match.group(1), match.group(2))] += 1
    for kind, after in db.execute(text("SELECT kind, after FROM plan_event WHERE kind IN ('note_added', 'check_in_made')")):
        after = _json(after) or {}
        value = after.get("text") if kind == "note_added" else after.get("note")
        if not value or prefix not in value:
            continue
        if kind == "note_added" and (match := WID_RE["note"].match(value)):
            events[("note", match.group(1))] += 1
        elif kind == "check_in_made" and (match := WID_RE["check_in"].match(value)):
            events[("check_in", match.group(1), match.group(2))] += 1
    areas = ("digital", "financial", "job_readiness")
    seen_keys = set()
    written = Counter()
    for (kind, wid), sent in by_wid.items():
        keys = [(kind, wid)] if kind == "note" else [(kind, wid, sent[0]["path"].rsplit("/", 2)[-2])] \
            if sent[0]["action"] == "tutor_check_in" else [(kind, wid, area) for area in areas]
        statuses = sorted(r["status"] for r in sent)
        double = len(sent) > 1
        for key in keys:
            seen_keys.add(key)
            n_rows, n_events = rows.get(key, 0), events.get(key, 0)
            label = f"{kind} {wid}{' ' + key[2] if len(key) > 2 else ''} answered {statuses}"
            if n_rows != n_events:
                found.bad(f"{kind}: row without its event (or the reverse)", f"{label}: {n_rows} rows, {n_events} events")
            if any(_succeeded(r) for r in sent):
                if n_rows != 1:
                    name = f"{kind}: double-submitted, saved {n_rows} times" if double and n_rows > 1 else f"{kind}: answered 2xx/3xx, saved {n_rows} times"
                    found.bad(name, label)
            elif any(_failed(r) for r in sent):
                if n_rows > 1:
                    found.bad(f"{kind}: failed, saved {n_rows} times", label)
            elif n_rows:
                found.bad(f"{kind}: answered 4xx but saved", label)
            written[kind] += n_rows
    for key in set(rows) - seen_keys:
        found.bad(f"{key[0]}: in the database but never sent", f"{key}")
    found.facts["notes / check-ins checked"] = (f"{sum(1 for k in by_wid if k[0] == 'note')} note writes, "
                                                f"{sum(1 for k in by_wid if k[0] == 'check_in')} check-in writes; "
                                                f"{written['note']} notes and {written['check_in']} check-ins in the database")


# (b) ------------------------------------------------------------------------------------------


def _check_steps(db, found: Findings) -> None:
    history: dict[str, list[str]] = defaultdict(list)
    for step_id, kind in db.execute(text("SELECT step_id, kind FROM plan_event WHERE kind IN ('step_done', 'step_undone') "
                                         "ORDER BY id")):
        history[step_id].append(kind)
    checked = 0
    for step_id, done_at in db.execute(text("SELECT id, done_at FROM plan_step")):
        kinds = history.get(step_id, [])
        checked += 1
        expected = "step_done"
        for i, kind in enumerate(kinds):
            if kind != expected:
                found.bad("steps: events do not alternate (a double tick)", f"step {step_id}: {' '.join(kinds[max(0, i - 2):i + 2])} (event {i + 1})")
                break
            expected = "step_undone" if kind == "step_done" else "step_done"
        done = bool(kinds) and kinds[-1] == "step_done"
        if done != (done_at is not None):
            found.bad("steps: last event disagrees with plan_step.done_at", f"step {step_id}: last event {kinds[-1] if kinds else None}, done_at {done_at}")
    statuses: dict[str, list[tuple]] = defaultdict(list)
    for goal_id, before, after in db.execute(text("SELECT goal_id, before, after FROM plan_event WHERE kind = 'goal_status_changed' ORDER BY id")):
        statuses[goal_id].append(((_json(before) or {}).get("status"), (_json(after) or {}).get("status")))
    done_goals: Counter = Counter()
    for goal_id, resident_id, area, status, removed_at in db.execute(text("SELECT id, resident_id, area, status, removed_at FROM plan_goal")):
        current = "not_started"
        for before, after in statuses.get(goal_id, []):
            if before != current or before == after:
                found.bad("goals: status events do not chain (a double change)", f"goal {goal_id}: {current} then {before}→{after}")
            current = after
        if current != status:
            found.bad("goals: last status event disagrees with plan_goal.status", f"goal {goal_id}: events end {current}, row {status}")
        if status == "done" and removed_at is None:
            done_goals[(resident_id, area)] += 1
    for resident_id, area, goals_done in db.execute(text("SELECT resident_id, area, goals_done FROM area_progress")):
        if (goals_done or 0) != done_goals.get((resident_id, area), 0):
            found.bad("progress: area_progress.goals_done is wrong (a lost update)",
                      f"resident {resident_id} {area}: {goals_done}, goals say {done_goals.get((resident_id, area), 0)}")
    found.facts["steps checked"] = f"{checked} steps, {sum(len(v) for v in history.values())} tick events"


# (c) ------------------------------------------------------------------------------------------


def _check_consents(db, requests, found: Findings) -> None:
    grants = {row.id: row for row in db.execute(text("SELECT id, resident_id, provider_id, area, state FROM consent_grant"))}
    events: dict[str, list] = defaultdict(list)
    by_code: dict[str, list] = defaultdict(list)
    for row in db.execute(text("SELECT id, resident_id, seq, grant_id, event_type, receipt_code FROM consent_event ORDER BY resident_id, seq")):
        events[row.grant_id].append(row)
        if row.receipt_code:
            by_code[row.receipt_code].append(row)
    for grant_id, grant in grants.items():
        state = None
        for event in events.get(grant_id, []):
            if event.event_type not in ALLOWED.get(state, set()):
                name = ("consent: withdrawn twice" if state == "withdrawn" and event.event_type == "withdrawn"
                        else "consent: given on a live grant" if event.event_type == "given" and state in LIVE
                        else "consent: event not allowed in that state")
                found.bad(name, f"grant {grant_id}: {event.event_type} when {state} (seq {event.seq})")
            state = AFTER.get(event.event_type, state)
        if state != grant.state:
            found.bad("consent: grant state disagrees with its events", f"grant {grant_id}: events end {state}, row {grant.state}")
    live = Counter((g.resident_id, g.provider_id, g.area) for g in grants.values() if g.state in LIVE)
    for key, count in live.items():
        if count > 1:
            found.bad("consent: more than one live grant", f"{key}: {count}")
    receipts = {row.code: row for row in db.execute(text("SELECT code, resident_id, content FROM consent_receipt"))}
    for code, rows in by_code.items():
        receipt = receipts.get(code)
        if receipt is None:
            found.bad("consent: events without their receipt", f"{code}: {len(rows)} events")
            continue
        changes = (_json(receipt.content) or {}).get("changes", [])
        if len(changes) != len(rows) or sorted(c.get("grant_id") for c in changes) != sorted(r.grant_id for r in rows) \
                or {r.resident_id for r in rows} != {receipt.resident_id}:
            found.bad("consent: receipt code used by more than one change", f"{code}: receipt lists {len(changes)}, events {len(rows)}")
    for code in set(receipts) - set(by_code):
        found.bad("consent: receipt without events", code)
    answered = 0
    for r in requests:
        found_code = RECEIPT_IN_ANSWER.search(r.get("loc", "")) if r["action"] in ("give", "withdraw") else None
        if found_code and 300 <= r["status"] < 400:
            answered += 1
            code = found_code.group(1)
            if code.upper() not in receipts or not by_code.get(code.upper()):
                found.bad("consent: answered with a receipt that is not there", f"{r['action']} {r['wid']}: {code}")
    counts = Counter(e.event_type for rows in events.values() for e in rows)
    found.facts["consents checked"] = (f"{len(grants)} grants, {sum(counts.values())} events "
                                       f"({', '.join(f'{k} {v}' for k, v in counts.most_common())}); "
                                       f"{answered} receipts pointed to by answers")



# (the summary's banner after a change, or the receipt page)
RECEIPT_IN_ANSWER = re.compile(r"(?:/receipts/|[?&]changed=)(MML-[0-9A-Za-z-]+)")

# (e) ------------------------------------------------------------------------------------------


def _check_sequences(db, found: Findings) -> None:
    for table in ("consent_event", "access_log_entry"):
        per_resident: dict[str, list[int]] = defaultdict(list)
        for resident_id, seq in db.execute(text(f"SELECT resident_id, seq FROM {table} ORDER BY resident_id, seq")):
            per_resident[resident_id].append(seq)
        total = 0
        for resident_id, seqs in per_resident.items():
            total += len(seqs)
            if seqs != list(range(1, len(seqs) + 1)):
                gaps = sorted(set(range(1, max(seqs) + 1)) - set(seqs))[:5]
                dup = [s for s, n in Counter(seqs).items() if n > 1][:5]
                found.bad(f"{table}: seq not 1..n", f"resident {resident_id}: {len(seqs)} rows, missing {gaps}, repeated {dup}")
        found.facts[f"{table} seq"] = f"{total} rows over {len(per_resident)} residents"


# (f) ------------------------------------------------------------------------------------------


def _staff_target(path: str):
    match = re.match(r"/staff/residents/([0-9a-f]{32})/(digital|financial|job_readiness)(?:[/?]|$)", path)
    return (match.group(1), match.group(2)) if match else None


def _check_staff_looks(db, requests, users, run_start, found: Findings) -> None:
    since = datetime.fromtimestamp(run_start - 2, UTC)
    entries: Counter = Counter()
    for actor, resident, area, action, at in db.execute(text(
            "SELECT actor_user_id, resident_id, area, action, occurred_at FROM access_log_entry "
            "WHERE action IN ('opened_plan_area', 'recorded_progress')")):
        if isinstance(at, str):
            at = datetime.fromisoformat(at)
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        if at >= since:
            entries[(actor, resident, area, action)] += 1
    lower: Counter = Counter()
    upper: Counter = Counter()
    wids_ok: dict[tuple, set] = defaultdict(set)
    for r in requests:
        target = _staff_target(r["path"])
        if target is None or r["role"] == "resident" or r["user"] not in users:
            continue
        key = (users[r["user"]], *target)
        status = r["status"]
        if r["m"] == "GET":
            if status == 200:
                lower[(*key, "opened_plan_area")] += 1
            if status == 200 or _failed(r):
                upper[key] += 1
        elif r["action"] in RECORD_ACTIONS:
            if _succeeded(r) and r.get("wid"):
                wids_ok[(*key, "recorded_progress")].add(r["wid"])
            if _succeeded(r) or _failed(r) or status == 400:  # a refused form shows the page again (a look)
                upper[key] += 1
    for key, wids in wids_ok.items():
        lower[key] += len(wids)
    for key, need in lower.items():
        have = entries.get(key, 0)
        if have < need:
            found.bad("access log: staff saw or changed more than was logged", f"{key[3]} by {key[0]} on {key[1]} {key[2]}: {have} entries, {need} needed")
    per_target: Counter = Counter()
    for (actor, resident, area, _action), count in entries.items():
        per_target[(actor, resident, area)] += count
    for key, have in per_target.items():
        if have > upper.get(key, 0):
            found.bad("access log: more entries than requests", f"{key}: {have} entries, at most {upper.get(key, 0)}")
    found.facts["staff looks checked"] = f"{sum(lower.values())} logged looks and changes expected, {sum(entries.values())} entries"


# (d) ------------------------------------------------------------------------------------------


def _check_chains(database_url: str, code_dir: str, secret_key: str, found: Findings) -> None:
    env = {**os.environ, "TRACKER_DATABASE_URL": database_url, "TRACKER_ENV": "development", "TRACKER_SECRET_KEY": secret_key,
           "PYTHONPATH": code_dir, "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "tracker", "verify-chains"], cwd=code_dir, env=env,
                            capture_output=True, text=True, timeout=600)
    output = (result.stdout + result.stderr).strip().splitlines()
    if result.returncode != 0:
        found.bad("verify-chains failed", f"exit {result.returncode}: " + " | ".join(output[:3]))
    found.facts["verify-chains"] = f"exit {result.returncode}: {output[0] if output else ''}"
