"""The simulated people of a load run: one thread per client, each with its own cookies, signing in
and then acting as a resident, a tutor or a member of provider staff until the run ends.

Stdlib only (urllib with a CookieJar per client). Every request is logged by ``Recorder``; writes
carry a write-id (``wid``), and notes and check-ins carry it in their text, so bench/load_check.py
can find each one in the database afterwards. Some POSTs are deliberately sent twice at once
(two threads sharing the client's cookies, the same form): the app must change things once.
"""

from __future__ import annotations

import html
import json
import random
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.client import HTTPException
from http.cookiejar import CookieJar

AREAS = ("digital", "financial", "job_readiness")
PURPOSE = "plan_support"
NOTE_MARK = "load-note"
CHECK_IN_MARK = "load-ci"
TIMEOUT = 40  # seconds; above gunicorn's default worker timeout (30 s)

FORM_RE = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
INPUT_RE = re.compile(r"<input\b([^>]*)>", re.I)
ATTR_RE = re.compile(r'([\w:.-]+)(?:\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|([^\s>]+)))?')
CSRF_RE = re.compile(r'<input\b[^>]*\bname="csrf_token"[^>]*>', re.I)
VALUE_RE = re.compile(r'\bvalue="([^"]*)"')
TITLE_RE = re.compile(r"<title>\s*(.*?)\s*</title>", re.S | re.I)
H1_RE = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S | re.I)
TAG_RE = re.compile(r"<[^>]+>")


# --- Parsing pages (regular expressions: an HTML parser per page would cost the load generator
# more CPU than the app spends rendering it) ------------------------------------------------------


def attrs(text: str) -> dict:
    found = {}
    for name, dq, sq, bare in ATTR_RE.findall(text):
        found[name.lower()] = html.unescape(dq or sq or bare)
    return found


class Form:
    __slots__ = ("action", "body", "inputs", "method")

    def __init__(self, action: str, method: str, inputs: list[dict], body: str):
        self.action, self.method, self.inputs, self.body = action, method, inputs, body

    def hidden(self) -> list[tuple[str, str]]:
        return [(i["name"], i.get("value", "")) for i in self.inputs if i.get("type") == "hidden" and i.get("name")]

    def checkboxes(self) -> list[dict]:
        return [i for i in self.inputs if i.get("type") == "checkbox" and i.get("name")]

    def has_field(self, name: str) -> bool:
        return any(i.get("name") == name for i in self.inputs) or f'name="{name}"' in self.body


def forms(page: str) -> list[Form]:
    found = []
    for head, body in FORM_RE.findall(page):
        a = attrs(head)
        inputs = [attrs(tag) for tag in INPUT_RE.findall(body)]
        for i in inputs:
            i["checked"] = "checked" in i
        found.append(Form(a.get("action", ""), a.get("method", "get").lower(), inputs, body))
    return found


def csrf_token(page: str) -> str | None:
    tag = CSRF_RE.search(page or "")
    if not tag:
        return None
    value = VALUE_RE.search(tag.group(0))
    return html.unescape(value.group(1)) if value else None


MAIN_RE = re.compile(r"<main\b[^>]*>(.*?)</main>", re.S | re.I)
SCRIPT_RE = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)


def page_summary(body: bytes) -> tuple[str, str, bool]:
    """(first words of the page's text, its heading, whether it is the service's own styled page),
    for reporting an error page."""
    page = body[:30000].decode("utf-8", "replace")
    main = MAIN_RE.search(page)
    words = " ".join(html.unescape(TAG_RE.sub(" ", SCRIPT_RE.sub(" ", main.group(1) if main else page))).split())
    title = H1_RE.search(page) or TITLE_RE.search(page)
    heading = " ".join(html.unescape(TAG_RE.sub(" ", title.group(1))).split()) if title else words[:80]
    styled = "govuk-template" in page or "govuk-header" in page
    return words[:160], heading[:160], styled


# --- Logging ------------------------------------------------------------------------------------


class Recorder:
    """Every request, in memory (for the report and the checks) and as JSON lines in a file."""

    def __init__(self, path: str, run_id: str):
        self.path, self.run_id = path, run_id
        self.records: list[dict] = []
        self._lock = threading.Lock()
        self._file = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed by close()
        self._wids = 0

    def new_wid(self, client: int) -> str:
        with self._lock:
            self._wids += 1
            return f"{self.run_id}.{client}.{self._wids}"

    def add(self, record: dict) -> None:
        line = json.dumps(record, separators=(",", ":"))
        with self._lock:
            self.records.append(record)
            self._file.write(line + "\n")

    def note(self, event: str, /, **fields) -> None:
        """Something that is not a request (a fault, a run starting), in the same log."""
        self.add({"t": time.time(), **fields, "event": event})

    def close(self) -> None:
        with self._lock:
            self._file.close()


def read_log(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


# --- One client -------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # keep 3xx as answers: their Location is evidence
        return None


class Response:
    __slots__ = ("body", "error", "headers", "status")

    def __init__(self, status: int, body: bytes = b"", headers=None, error: str | None = None):
        self.status, self.body, self.headers, self.error = status, body, headers, error

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 400

    @property
    def location(self) -> str:
        return (self.headers.get("Location") or "") if self.headers is not None else ""


class Client:
    def __init__(self, number: int, role: str, username: str, password: str, bases: list[str], instance: int,
                 recorder: Recorder, stop: threading.Event, rng: random.Random, think: float, double_rate: float):
        """``bases``: every instance's URL; this client uses ``bases[instance]``, and sends the second
        copy of a double submission to the next instance (as a load balancer might)."""
        self.number, self.role, self.username, self.password = number, role, username, password
        self.bases = [b.rstrip("/") for b in bases]
        self.base, self.instance, self.recorder, self.stop, self.rng = self.bases[instance], instance, recorder, stop, rng
        self.think, self.double_rate = think, double_rate
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())
        self.token: str | None = None
        self.signed_in = False

    # Requests ------------------------------------------------------------------------------------

    def request(self, method: str, path: str, data=None, *, action: str, wid: str | None = None, double: bool = False,
                instance: int | None = None) -> Response:
        instance = self.instance if instance is None else instance
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.bases[instance] + path, data=body, method=method)
        if body is not None:
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
        start = time.time()
        t0 = time.perf_counter()
        try:
            with self.opener.open(req, timeout=TIMEOUT) as answer:
                response = Response(answer.status, answer.read(), answer.headers)
        except urllib.error.HTTPError as error:
            try:
                payload = error.read()
            except (OSError, HTTPException):
                payload = b""
            response = Response(error.code, payload, error.headers)
        except (TimeoutError, urllib.error.URLError, OSError, HTTPException) as error:
            reason = getattr(error, "reason", error)
            response = Response(0, b"", None, f"{type(reason).__name__}: {reason}"[:200])
        duration = (time.perf_counter() - t0) * 1000
        record = {"t": round(start, 4), "ms": round(duration, 1), "c": self.number, "role": self.role, "user": self.username,
                  "inst": instance, "m": method, "path": path, "action": action, "status": response.status}
        if wid:
            record["wid"] = wid
        if double:
            record["double"] = True
        if response.error:
            record["err"] = response.error
        if 300 <= response.status < 400:
            record["loc"] = response.location
        if response.status >= 500:
            first, title, styled = page_summary(response.body)
            record.update(body1=first, title=title, styled=styled)
            record["retry_after"] = response.headers.get("Retry-After") if response.headers is not None else None
        elif response.status == 429 or response.status == 409:
            record["retry_after"] = response.headers.get("Retry-After") if response.headers is not None else None
        self.recorder.add(record)
        if response.status == 200:
            token = csrf_token(response.text) if b"csrf_token" in response.body else None
            if token:
                self.token = token
        return response

    def get(self, path: str, action: str) -> Response:
        return self.request("GET", path, action=action)

    def post(self, path: str, data: list, action: str, *, wid: str | None = None, double_rate: float | None = None) -> list[Response]:
        """One POST (a write, with a write-id), or sometimes the same POST twice at once from two
        threads sharing this client's cookies. Returns the answers."""
        wid = wid or self.recorder.new_wid(self.number)
        if self.rng.random() >= (self.double_rate if double_rate is None else double_rate):
            return [self.request("POST", path, data, action=action, wid=wid)]
        answers: list[Response | None] = [None, None]

        def send(slot: int) -> None:
            instance = (self.instance + slot) % len(self.bases)
            answers[slot] = self.request("POST", path, data, action=action, wid=wid, double=True, instance=instance)

        other = threading.Thread(target=send, args=(1,))
        other.start()
        send(0)
        other.join()
        return [a for a in answers if a is not None]

    def pause(self, responses=()) -> None:
        wait = self.rng.uniform(0, 2 * self.think)
        for response in responses:
            if response is not None and response.status in (429, 503):  # the server asked us to wait
                try:
                    wait = max(wait, min(float(response.headers.get("Retry-After") or 1), 2.0))
                except (TypeError, ValueError, AttributeError):
                    wait = max(wait, 1.0)
            elif response is not None and (response.status == 0 or response.status >= 500):
                wait = max(wait, 0.2)
        self.stop.wait(wait)

    # Signing in ----------------------------------------------------------------------------------

    def sign_in(self) -> bool:
        page = self.get("/login", "login_page")
        token = csrf_token(page.text) if page.status == 200 else None
        if not token:
            return False
        answer = self.request("POST", "/login", [("username", self.username), ("password", self.password), ("csrf_token", token)],
                              action="login")
        self.signed_in = answer.status in (302, 303)
        self.token = None
        return self.signed_in

    def lost_session(self, response: Response) -> bool:
        """Signed out (a redirect to the sign-in page, or the form expired): sign in again."""
        if response.status in (302, 303) and "/login" in response.location:
            self.signed_in = False
            return True
        return False

    def run(self) -> None:
        while not self.stop.is_set():
            if not self.signed_in and not self.sign_in():
                self.stop.wait(0.5)
                continue
            try:
                self.act()
            except Exception as error:  # a bug in the load generator must not stop the run
                self.recorder.note("client_error", c=self.number, role=self.role, error=f"{type(error).__name__}: {error}"[:300])
                self.stop.wait(0.5)

    def act(self) -> None:  # pragma: no cover - each role has its own
        raise NotImplementedError


# --- Residents --------------------------------------------------------------------------------


class Resident(Client):
    """Ticks and unticks steps, checks in, adds notes, gives and withdraws consent, reads pages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.goals: list[str] = []

    def act(self) -> None:
        roll = self.rng.random()
        if roll < 0.36:
            self.tick()
        elif roll < 0.50:
            self.note()
        elif roll < 0.60:
            self.check_in()
        elif roll < 0.85:
            self.sharing()
        else:
            path = self.rng.choice(("/me/", "/me/timeline", "/me/looked", "/me/sharing/history", "/me/progress"))
            response = self.get(path, "resident_page")
            self.lost_session(response)
            self.pause([response])

    def plan_forms(self) -> tuple[Response, list[Form]]:
        page = self.get("/me/plan", "plan_page")
        if self.lost_session(page) or page.status != 200:
            return page, []
        return page, [f for f in forms(page.text) if "/plan/areas/" in f.action and f.checkboxes()]

    def tick(self) -> None:
        page, area_forms = self.plan_forms()
        if not area_forms:
            self.pause([page])
            return
        form = self.rng.choice(area_forms)
        boxes = form.checkboxes()
        steps = [b for b in boxes if b["name"] != "finished"]
        flip = self.rng.choice(steps if steps and self.rng.random() < 0.92 else boxes)
        data = list(form.hidden())
        for box in boxes:
            on = box["checked"] != (box is flip)
            if on:
                data.append((box["name"], box.get("value", "on")))
        answers = self.post(form.action, data, "tick")
        self.pause(answers)

    def note(self) -> None:
        """A note with its write-id in the text, sent with the goal page's own form (whatever
        hidden fields it carries)."""
        if not self.goals or self.rng.random() < 0.3:
            page, area_forms = self.plan_forms()
            self.goals = sorted({b["value"] for f in area_forms for b in f.checkboxes() if b["name"] == "finished"})
            if not self.goals:
                self.pause([page])
                return
        goal = self.rng.choice(self.goals)
        page = self.get(f"/me/plan/goals/{goal}", "goal_page")
        form = next((f for f in forms(page.text) if f.method == "post" and f.action.endswith("/notes")), None) \
            if page.status == 200 else None
        if form is None:
            self.lost_session(page)
            self.goals = []
            self.pause([page])
            return
        wid = self.recorder.new_wid(self.number)
        data = [*list(form.hidden()), ("text", f"{NOTE_MARK} {wid} by {self.username}"), ("link", "")]
        answers = self.post(form.action, data, "note", wid=wid)
        self.pause(answers)

    def check_in(self) -> None:
        page = self.get("/me/check-in", "check_in_page")
        form = next((f for f in forms(page.text) if f.method == "post" and f.has_field("digital")), None) \
            if page.status == 200 else None
        if form is None:
            self.lost_session(page)
            self.pause([page])
            return
        wid = self.recorder.new_wid(self.number)
        data = list(form.hidden())
        for area in AREAS:
            data += [(area, str(self.rng.randint(1, 5))), (f"{area}_note", f"{CHECK_IN_MARK} {wid} {area}")]
        answers = self.post(form.action or "/me/check-in", data, "check_in", wid=wid)
        self.pause(answers)

    def sharing(self) -> None:
        """The summary, then one area's "Change" page: "Share this" if it is not shared, "Stop
        sharing" if it is (each sometimes tapped twice)."""
        page = self.get("/me/sharing", "sharing_page")
        if self.lost_session(page) or page.status != 200:
            self.pause([page])
            return
        areas = CHANGE_LINK.findall(page.text)
        if not areas:
            self.pause([page])
            return
        path = self.rng.choice(areas)
        change = self.get(path, "change_page")
        if change.status != 200:  # pending or gone: the page sends us on
            self.lost_session(change)
            self.pause([change])
            return
        page_forms = [f for f in forms(change.text) if f.method == "post"]
        stop = next((f for f in page_forms if f.action.endswith("/stop")), None)
        give = next((f for f in page_forms if f.has_field("months")), None)
        if give is not None:
            data = [*list(give.hidden()), ("months", "12")]
            if give.has_field("record") and self.rng.random() < 0.6:
                data.append(("record", "y"))
            answers = self.post(give.action or path, data, "give", double_rate=min(1.0, 2 * self.double_rate))
        elif stop is not None:
            answers = self.post(stop.action, list(stop.hidden()), "withdraw", double_rate=min(1.0, 2 * self.double_rate))
        else:
            answers = [change]
        self.pause(answers)


CHANGE_LINK = re.compile(r'href="(/me/sharing/providers/[0-9a-f]{32}/(?:digital|financial|job_readiness))"')


# --- Staff ------------------------------------------------------------------------------------

RESIDENT_LINK = re.compile(r'href="/staff/residents/([0-9a-f]{32})"')


class Staff(Client):
    """Shared by tutors and provider staff: pick a resident (mostly one of the first few on the first
    page, which every member of staff sees), open one of their shared areas with a reason."""

    prefix = ""
    hot = 6

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.residents: list[str] = []

    def list_page(self, page: int = 1) -> Response:
        response = self.get(f"/{self.prefix}/?page={page}" if page > 1 else f"/{self.prefix}/", f"{self.prefix}_list")
        if response.status == 200:
            found = list(dict.fromkeys(RESIDENT_LINK.findall(response.text)))
            if found and page == 1:
                self.residents = found
        self.lost_session(response)
        return response

    def pick_resident(self) -> str | None:
        if not self.residents:
            return None
        if self.rng.random() < 0.7:
            return self.rng.choice(self.residents[: self.hot])
        return self.rng.choice(self.residents)

    def open_area(self) -> tuple[str | None, str | None, Response | None]:
        resident = self.pick_resident()
        if resident is None:
            self.list_page()
            return None, None, None
        base = f"/staff/residents/{resident}"  # the resident pages tutors and provider staff share
        if self.rng.random() < 0.3:
            overview = self.get(base, "staff_resident")
            if overview.status != 200:
                self.lost_session(overview)
                return None, None, overview
            areas = re.findall(rf'href="{re.escape(base)}/(digital|financial|job_readiness)"', overview.text)
            if not areas:
                return None, None, overview
            area = self.rng.choice(areas)
        else:
            area = self.rng.choice(AREAS)
        page = self.get(f"{base}/{area}?purpose={PURPOSE}", "staff_area")
        self.lost_session(page)
        return resident, area, page


class Tutor(Staff):
    """Opens the same residents' areas as everyone else, and records progress where allowed."""

    prefix = "tutor"

    def act(self) -> None:
        if not self.residents or self.rng.random() < 0.15:
            self.pause([self.list_page()])
            return
        resident, area, page = self.open_area()
        if page is None or page.status != 200 or resident is None:
            self.pause([page])
            return
        here = forms(page.text)
        base = f"/staff/residents/{resident}/{area}"
        ticks = [f for f in here if f.method == "post" and re.fullmatch(rf"{re.escape(base)}/goals/[^/]+", f.action) and f.checkboxes()]
        notes = [f for f in here if f.method == "post" and f.action.startswith(base + "/goals/") and f.action.endswith("/notes")]
        check_in = next((f for f in here if f.method == "post" and f.action == base + "/check-in"), None)
        roll = self.rng.random()
        if roll < 0.40 and ticks:
            form = self.rng.choice(ticks)
            boxes = form.checkboxes()
            steps = [b for b in boxes if b["name"] != "finished"] or boxes
            flip = self.rng.choice(steps)
            data = list(form.hidden()) + [(b["name"], b.get("value", "on")) for b in boxes if b["checked"] != (b is flip)]
            answers = self.post(form.action, data, "tutor_tick")
        elif roll < 0.62 and notes:
            form = self.rng.choice(notes)
            wid = self.recorder.new_wid(self.number)
            data = [*list(form.hidden()), ("text", f"{NOTE_MARK} {wid} by {self.username}")]
            answers = self.post(form.action, data, "tutor_note", wid=wid)
        elif roll < 0.77 and check_in is not None:
            wid = self.recorder.new_wid(self.number)
            data = [*list(check_in.hidden()), (area, str(self.rng.randint(1, 5))), (f"{area}_note", f"{CHECK_IN_MARK} {wid} {area}")]
            answers = self.post(check_in.action, data, "tutor_check_in", wid=wid)
        else:
            answers = [page]
        self.pause(answers)


class ProviderStaff(Staff):
    """Dashboard pages, the CSV export, and now and then a resident's shared area."""

    prefix = "provider"

    def act(self) -> None:
        roll = self.rng.random()
        if not self.residents or roll < 0.55:
            self.pause([self.list_page(self.rng.choice((1, 1, 2)))])
        elif roll < 0.65:
            response = self.get("/provider/export.csv", "export")
            self.lost_session(response)
            self.pause([response])
        elif roll < 0.70:
            response = self.get("/provider/figures", "figures")
            self.pause([response])
        else:
            _resident, _area, page = self.open_area()
            self.pause([page])


ROLES = {"resident": Resident, "tutor": Tutor, "provider_staff": ProviderStaff}
