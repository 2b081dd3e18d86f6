"""The page walker: every page every demo account can reach, checked the same way.

A live server with the demo data (a fresh SQLite database: migrations, the catalogue, then the
loader behind ``flask --app tracker demo``). For anonymous and for each demo account (five residents,
two tutors, two provider staff, the admin) it signs in once and crawls every same-site page reachable
by GET: ``a[href]`` starting with ``/``, and GET forms sent with their first choices (that is how a
tutor reaches a shared area, after choosing a reason). It skips ``/static/``, downloads (``.csv``,
``.json``), the language switch and anything that is not a GET (sign-out is a POST form). Addresses are
deduplicated by path and query, and only a few of one kind are followed (``PER_PATTERN``: one goal
of a plan, not all of them; ``PER_PATH``: a few dashboard filters and sorts).

Each account crawls at 320 px with JavaScript off (``java_script_enabled=False``), and every page it
reaches is checked. The first page made by each template (the server names it in a header the test
adds) is then seen once more at 320 and 1280 px with JavaScript on, as the first account that
reached it. One resident and two staff accounts switch to Polish with the
header's link and see the first page of each of their templates again, at 320 px without JavaScript
(Dawid, who prefers Polish, crawls in Polish). On each page:

- no sideways scrolling (``scrollWidth <= innerWidth``);
- exactly one site ``<header>`` (headers inside article/aside/nav/section are not the site's, unless
  they are the layout's ``govuk-template__header``), one ``<h1>`` and one ``<main>``;
- no answer of 400 or more, to the page or to anything it loads;
- no axe-core WCAG 2.2 A/AA violation: axe runs once per template in each mode (width, JavaScript,
  language), on the first page made by it; it is the biggest part of the walk's time.

With JavaScript on, every link and button inside a form (links to one route and buttons with the same
words in one kind of form only once; one tick box of each boosted form, whose change sends it) on the
resident's home, plan and sharing pages and on a tutor's home, resident and shared-area pages is
clicked, each time on a fresh load of that page. When the network has settled the page must still
have one header, one h1 and one main (htmx swapping a whole page into a form shows two of each) and no
answer of 400 or more, except a form's own 400 with its error summary shown as a whole page (the
app's documented answer to a form with mistakes, ``page_status``).

Every page as served is saved and the Nu HTML checker (``vnu-jar`` from npm, run with ``java``) checks
them all at the end. Without java or the jar that part is skipped, or fails with REQUIRE_BROWSER=1.

Everything found is collected into one report (test-artefacts/walk/report.txt, with screenshots of the
first time each problem is seen) and compared with tests/walk_known_problems.txt: the test fails on a
problem not in that list, and on a listed problem that no longer happens, so the list only shrinks.
Keys name route patterns (ids as ``{id}``), never raw ids. ``WALK_WRITE_KNOWN=1`` rewrites the list
from the run (when a fix lands, check that the diff only deletes lines)."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from flask import g, template_rendered
from sqlmodel import Session, select
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from tests.browser import AXE, WCAG_TAGS
from tests.conftest import ROOT, require_or_skip
from tracker.commands.demo import DEMO_PASSWORD, PEOPLE, load_demo
from tracker.models import User

pytestmark = pytest.mark.browser

KNOWN = Path(__file__).with_name("walk_known_problems.txt")
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

ACCOUNTS = [None, "amira", "ben", "chloe", "dawid", "ella", "tutor.learning", "tutor.jobs", "staff.jobs", "staff.money", "admin"]
LANGUAGE = {username: language for username, _name, _role, _provider, language in PEOPLE}
POLISH = ["amira", "tutor.learning", "staff.jobs"]  # switch to Polish and see each template again
ANONYMOUS_START = ["/", "/login", "/register", "/setup"]

PER_PATTERN = 1  # addresses of one pattern (same route, same query keys) followed per account
PER_PATH = 3  # addresses of one route (any query) followed per account
MAX_PAGES = 120  # per account: a crawl that finds more than this has a loop, and says so
SCREENSHOTS = 40


@dataclass(frozen=True)
class Mode:
    width: int
    js: bool
    language: str = "en"

    def __str__(self) -> str:
        return f"{self.width}px JS {'on' if self.js else 'off'}" + ("" if self.language == "en" else f" {self.language}")

    @property
    def viewport(self) -> dict:
        return {"width": self.width, "height": 800 if self.width > 600 else 640}


# The crawl runs without JavaScript (pages load faster, and what a crawl finds is in the HTML as
# served); Polish is seen in the same mode, so Dawid's crawl counts as Polish too.
CRAWL = Mode(320, False)
# (No 1280 px pass without JavaScript: its markup is the 320 px crawl's, its layout the 1280 px pass's;
# dropping it took about 40 s off the walk.)
REPLAYS = [Mode(320, True), Mode(1280, True)]
IN_POLISH = Mode(320, False, "pl")
CLICKING = Mode(1280, True)

SKIP_PREFIXES = ("/static/", "/language/", "/sign-out", "/session/")
DOWNLOADS = (".csv", ".json")


# --- What the page looks like (run in the page; work with JavaScript off too) ----------------

# With JavaScript off the page's timers never fire, and axe needs them: our own evaluation gets
# timers of its own (the page's scripts are still off; this only runs inside page.evaluate).
TIMERS = r"""() => {
  if (window.__walkTimers) return;
  window.__walkTimers = true;
  const soon = (fn, ...args) => { Promise.resolve().then(() => fn(...args)); return 0; };
  window.setTimeout = (fn, ms, ...args) => soon(fn, ...args);
  window.clearTimeout = () => {};
  window.requestAnimationFrame = (fn) => soon(fn, performance.now());
  window.requestIdleCallback = (fn) => soon(fn, {timeRemaining: () => 50, didTimeout: false});
}"""

AXE_RUN = r"""async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.html.slice(0, 160)), count: v.nodes.length}));
}"""

SHAPE = r"""() => {
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    [...el.classList].slice(0, 2).map(c => '.' + c).join('');
  const headers = [...document.querySelectorAll('header')].filter(h =>
    h.classList.contains('govuk-template__header') || !h.parentElement.closest('article, aside, nav, section'));
  const width = window.innerWidth;
  const wide = [];
  if (document.documentElement.scrollWidth > width) {
    // The innermost elements that reach past the right edge, or whose text runs out of them past
    // it: what makes the page scroll sideways (an <svg> counts as one; hidden text is not shown).
    const counted = (el) => !el.parentElement.closest('svg') && !el.closest('.govuk-visually-hidden');
    const right = (el) => { const box = el.getBoundingClientRect(); return Math.max(box.right, box.left + el.scrollWidth); };
    for (const el of document.body.querySelectorAll('*')) {
      if (!counted(el) || !el.getBoundingClientRect().width || getComputedStyle(el).position === 'fixed') continue;
      const inner = el.tagName.toLowerCase() === 'svg' ? [] : [...el.children].filter(counted);
      if (right(el) > width + 1 && !inner.some(c => right(c) > width + 1)) {
        wide.push(describe(el) + ' to ' + Math.round(right(el)) + 'px');
        if (wide.length === 3) break;
      }
    }
  }
  return {headers: headers.length, h1: document.querySelectorAll('h1').length, main: document.querySelectorAll('main').length,
          scrollWidth: document.documentElement.scrollWidth, innerWidth: width, wide, title: document.title,
          errorSummary: !!document.querySelector('.govuk-error-summary')};
}"""

# (a form's .action would be its control named "action", if it has one: read the attribute)
LINKS = r"""() => {
  const found = [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'));
  // GET forms (a reason to open a shared area, dashboard filters), sent with their first choices.
  for (const form of document.querySelectorAll('form')) {
    if ((form.getAttribute('method') || 'get').toLowerCase() !== 'get') continue;
    const data = new FormData(form);
    for (const radio of form.querySelectorAll('input[type=radio]')) {
      if (!data.has(radio.name)) data.append(radio.name, radio.value);
    }
    const action = new URL(form.getAttribute('action') || location.href, location.href);
    if (action.origin !== location.origin) continue;
    found.push(action.pathname + '?' + new URLSearchParams(data).toString());
  }
  return found;
}"""

# Every link, button and tick box inside a form (and the links inside anything boosted by htmx).
CLICKABLE = ("form a[href], [hx-boost] a[href], form button, form input[type=submit], form input[type=image], "
             "form input[type=checkbox], form input[type=radio]")
CLICKABLES = r"""(selector) => {
  const words = (s) => (s || '').trim().replace(/\s+/g, ' ').slice(0, 100);
  return [...document.querySelectorAll(selector)].map((el, index) => {
    const form = el.closest('form');
    const kind = el.tagName === 'A' ? 'link' : (el.type === 'checkbox' || el.type === 'radio') ? el.type : 'button';
    const text = kind === 'link' || kind === 'button' ? words(el.textContent || el.value || el.getAttribute('aria-label'))
      : words(el.labels && el.labels[0] ? el.labels[0].textContent : el.value);
    return {index, kind, text, href: el.getAttribute('href'),
            action: form ? new URL(form.getAttribute('action') || location.href, location.href).pathname : null,
            boosted: !!el.closest('[hx-boost]')};
  });
}"""
OPEN_DETAILS = "el => { for (let d = el.closest('details'); d; d = d.parentElement.closest('details')) d.open = true; }"


# --- Problems, and their keys in walk_known_problems.txt ---------------------------------------


@dataclass
class Problem:
    key: str  # stable: route patterns with ids as {id}, never a raw id
    where: str  # who, which address, which mode
    detail: str = ""


@dataclass
class Walk:
    base: str
    app: object
    folder: Path
    problems: list[Problem] = field(default_factory=list)
    saved: dict[Path, tuple[str, str]] = field(default_factory=dict)  # file -> (pattern, where)
    audited: set[tuple[str, str]] = field(default_factory=set)  # (template, mode) axe has seen
    replayed: set[str] = field(default_factory=set)  # templates seen in every mode
    states: dict[str, dict] = field(default_factory=dict)  # each account's signed-in storage state
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    loads: int = 0
    shots: int = 0

    def add(self, key: str, where: str, detail: str = "") -> bool:
        """Note a problem; True the first time its key is seen (worth a screenshot)."""
        first = all(problem.key != key for problem in self.problems)
        self.problems.append(Problem(key, where, detail))
        return first

    @contextmanager
    def timed(self, what: str):
        started = time.monotonic()
        try:
            yield
        finally:
            self.seconds[what] += time.monotonic() - started


def who(account: str | None) -> str:
    return account or "anonymous"


def route_pattern(app, url: str, query: bool = True) -> str:
    """``/me/plan/goals/Ab3dE-fG9hIj?x=1`` -> ``/me/plan/goals/{id}?x``: the route, ids as {id}, areas
    and answers (words from a fixed list) kept, and the query's keys without their values."""
    parts = urlsplit(url)
    path = parts.path
    try:
        rule, args = match(app, path)
        path = re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>",
                      lambda m: str(args[m.group(2)]) if m.group(1) in ("area", "any", "lang") else "{id}", rule.rule)
    except RequestRedirect as redirect:
        path = route_pattern(app, urlsplit(redirect.new_url).path)
    except (NotFound, MethodNotAllowed):
        path = re.sub(r"/(?:[0-9a-f]{32}|\d+|[Mm]{2}[Ll](?:-[0-9A-Za-z]{4}){3})(?=/|$)", "/{id}", path)
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return path + ("?" + "&".join(keys) if keys and query else "")


def match(app, path: str):
    """The route of ``path``: a page (GET) or what a form sends to (POST)."""
    adapter = app.url_map.bind("localhost")
    try:
        return adapter.match(path, method="GET", return_rule=True)
    except MethodNotAllowed:
        return adapter.match(path, method="POST", return_rule=True)


def local_url(base: str, href: str | None) -> str | None:
    """A followable same-site address (path and sorted query, no fragment), or None."""
    if not href:
        return None
    href = href.strip()
    if href.startswith(base):
        href = href[len(base):] or "/"
    if not href.startswith("/") or href.startswith("//"):
        return None  # a fragment, another site (or a relative link, which this app never writes)
    parts = urlsplit(href)
    if parts.path.startswith(SKIP_PREFIXES) or parts.path.endswith(DOWNLOADS):
        return None
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return parts.path + ("?" + query if query else "")


def answered(walk: Walk, address: str) -> str:
    """Where an answer came from: a route pattern (our pages), a path (our static files), or the address."""
    if not address.startswith(walk.base):
        return address
    return route_pattern(walk.app, address[len(walk.base):] or "/", query=False)


# --- One tab -------------------------------------------------------------------------------------


class Visitor:
    """One browser tab for one account in one mode; it notes every answer of 400 or more."""

    def __init__(self, walk: Walk, context, account: str | None, mode: Mode):
        self.walk, self.context, self.account, self.mode = walk, context, account, mode
        self.page = context.new_page()
        self.bad: list[dict] = []
        self.page.on("response", self._answer)

    def _answer(self, response) -> None:
        if response.status >= 400:
            request = response.request
            self.bad.append({"status": response.status, "method": request.method, "url": response.url,
                             "document": request.resource_type == "document", "htmx": bool(request.headers.get("hx-request"))})

    def where(self, url: str) -> str:
        return f"{who(self.account)} {url} at {self.mode}"

    def visit(self, url: str, *, save: bool = False) -> tuple[str, str, list[str]]:
        """Open ``url`` and check it; give back where it ended (after redirects), the template that
        made the page, and the same-site addresses it links to."""
        walk = self.walk
        walk.loads += 1
        self.bad.clear()
        try:
            with walk.timed("opening pages"):
                response = self.page.goto(walk.base + url, wait_until="load")
        except Exception as error:  # a crash or a download instead of a page: a problem like any other
            walk.add(f"error {route_pattern(walk.app, url, query=False)}", self.where(url), str(error).splitlines()[0])
            return url, url, []
        final = local_url(walk.base, self.page.url) or url
        pattern = route_pattern(walk.app, final)
        key_pattern = pattern.split("?")[0]
        template = (response.headers.get(TEMPLATE_HEADER.lower()) if response is not None else None) or pattern
        where = self.where(url if final == url else f"{url} -> {final}")
        new = False
        with walk.timed("checking pages"):
            if self.account and urlsplit(final).path == "/login":
                new |= walk.add(f"signed-out {route_pattern(walk.app, url, query=False)}", where, "sent to the sign-in page")
            for bad in self.bad:
                new |= walk.add(f"status {bad['status']} {answered(walk, bad['url'])}", where,
                                f"{bad['method']} {bad['url'].removeprefix(walk.base)}")
            if save and response is not None:
                self.save(response.text(), key_pattern, where)
            shape = self.page.evaluate(SHAPE)
            new |= self.check_shape(shape, f"structure {key_pattern}", where)
            if shape["scrollWidth"] > shape["innerWidth"]:
                new |= walk.add(f"width {key_pattern} {self.mode.width}", where,
                                f"scrollWidth {shape['scrollWidth']} > innerWidth {shape['innerWidth']} "
                                f"(+{shape['scrollWidth'] - shape['innerWidth']}px): {', '.join(shape['wide']) or '?'}")
            links = [u for u in (local_url(walk.base, href) for href in self.page.evaluate(LINKS)) if u]
        if (template, str(self.mode)) not in walk.audited:
            walk.audited.add((template, str(self.mode)))
            with walk.timed("axe"):
                new |= self.axe(key_pattern, where)
        if new:
            self.screenshot(key_pattern)
        return final, template, links

    def axe(self, key_pattern: str, where: str) -> bool:
        self.page.evaluate(TIMERS)
        if not self.page.evaluate("typeof axe !== 'undefined'"):
            self.page.evaluate(AXE)
        new = False
        for violation in self.page.evaluate(AXE_RUN, WCAG_TAGS):
            new |= self.walk.add(f"axe {violation['id']} {key_pattern} {self.mode.width}", where,
                                 f"{violation['impact']}: {violation['help']} ({violation['count']} elements: "
                                 f"{' | '.join(violation['nodes'])})")
        return new

    def check_shape(self, shape: dict, key: str, where: str) -> bool:
        """Exactly one site header, one h1, one main; the key names only the counts that are wrong."""
        wrong = [f"{part}={shape[part]}" for part in ("headers", "h1", "main") if shape[part] != 1]
        if not wrong:
            return False
        return self.walk.add(f"{key} {' '.join(wrong)}", where,
                             f"{shape['headers']} site header(s), {shape['h1']} h1, {shape['main']} main; title {shape['title']!r}")

    def save(self, html: str, pattern: str, where: str) -> None:
        path = self.walk.folder / "html" / f"{len(self.walk.saved):04d}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
        self.walk.saved[path] = (pattern, where)

    def screenshot(self, name: str) -> None:
        if self.walk.shots >= SCREENSHOTS:
            return
        self.walk.shots += 1
        slug = re.sub(r"[^a-z0-9]+", "-", f"{who(self.account)} {name} {self.mode}".lower()).strip("-")[:100]
        with self.walk.timed("screenshots"):
            try:
                self.page.screenshot(path=str(self.walk.folder / f"{self.walk.shots:02d}-{slug}.png"), full_page=True)
            except Exception as error:
                self.walk.notes.append(f"no screenshot of {slug}: {error}")


# --- The walk ------------------------------------------------------------------------------------


def sign_in(browser, walk: Walk, account: str) -> dict:
    """Sign in once through the form; later contexts start from this storage state (the cookie)."""
    if account in walk.states:
        return walk.states[account]
    with walk.timed("signing in"):
        context = browser.new_context(viewport=CRAWL.viewport)
        page = context.new_page()
        page.goto(walk.base + "/login")
        page.get_by_label("Username").fill(account)
        page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login" not in url)
        walk.states[account] = context.storage_state()
        context.close()
    return walk.states[account]


def new_context(browser, state: dict | None, mode: Mode):
    return browser.new_context(viewport=mode.viewport, java_script_enabled=mode.js, storage_state=state)


def crawl(walk: Walk, visitor: Visitor, start: list[str]) -> dict[str, str]:
    """Breadth first from ``start``; gives back the first address made by each template, as found."""
    queue = list(dict.fromkeys(start))
    seen = set(queue)
    per_pattern: dict[str, int] = defaultdict(int)
    per_path: dict[str, int] = defaultdict(int)
    first: dict[str, str] = {}
    visited = 0
    while queue:
        url = queue.pop(0)
        pattern = route_pattern(walk.app, url)
        path = pattern.split("?")[0]
        if per_pattern[pattern] >= PER_PATTERN or per_path[path] >= PER_PATH:
            continue
        if visited >= MAX_PAGES:
            walk.add(f"crawl-cap {who(visitor.account)}", f"{who(visitor.account)} at {visitor.mode}",
                     f"more than {MAX_PAGES} pages; {len(queue)} not visited, e.g. {queue[:5]}")
            break
        per_pattern[pattern] += 1
        per_path[path] += 1
        visited += 1
        final, template, links = visitor.visit(url, save=True)
        seen.add(final)
        first.setdefault(template, final)
        for link in links:
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return first


def walk_account(browser, walk: Walk, account: str | None) -> None:
    state = sign_in(browser, walk, account) if account else None
    mode = Mode(CRAWL.width, CRAWL.js, LANGUAGE.get(account, "en"))
    context = new_context(browser, state, mode)
    first = crawl(walk, Visitor(walk, context, account, mode), ANONYMOUS_START if account is None else ["/"])
    context.close()
    # Each template once in the other modes, as the first account that reached it.
    todo = [url for template, url in first.items() if template not in walk.replayed]
    walk.replayed.update(first)
    for mode in REPLAYS if todo else []:
        context = new_context(browser, state, mode)
        visitor = Visitor(walk, context, account, mode)
        for url in todo:
            visitor.visit(url)
        context.close()
    walk.notes.append(f"{who(account)}: {len(first)} templates ({len(todo)} new: {', '.join(sorted(t for t in first if first[t] in todo))})")
    if account in POLISH:
        walk_in_polish(browser, walk, account, state, first)


def walk_in_polish(browser, walk: Walk, account: str, state: dict, first: dict[str, str]) -> None:
    """Switch to Polish with the header's link (it is remembered for the account), see the first page
    of each template again, then switch back to English."""
    context = new_context(browser, state, IN_POLISH)
    visitor = Visitor(walk, context, account, IN_POLISH)
    page = visitor.page
    page.goto(walk.base + "/")
    page.locator("a[hreflang=pl]").click()
    page.wait_for_load_state("load")
    if page.locator("html").get_attribute("lang") != "pl":
        walk.add(f"language {account}", f"{account} at {IN_POLISH}", "the Polski link did not switch the page to Polish")
    for url in first.values():
        visitor.visit(url, save=True)
    page.goto(walk.base + "/")
    page.locator("a[hreflang=en]").click()
    page.wait_for_load_state("load")
    context.close()


# --- Clicking inside forms with JavaScript on --------------------------------------------------

# Changes that could take away later controls (sharing stopped, referrals answered) go last.
LAST = re.compile(r"/(stop|remove|delete|withdraw|dismiss|refuse|retire)\b")


def click_everything(browser, walk: Walk, account: str, start: list[str]) -> None:
    state = sign_in(browser, walk, account)
    context = new_context(browser, state, CLICKING)
    visitor = Visitor(walk, context, account, CLICKING)
    page = visitor.page
    for url in start:
        page.goto(walk.base + url, wait_until="load")
        controls = chosen(walk, page.evaluate(CLICKABLES, CLICKABLE))
        clicked = 0
        for control in controls:
            with walk.timed("clicking"):
                clicked += click(walk, visitor, url, control)
        walk.notes.append(f"{account} {url}: clicked {clicked} of {len(controls)} controls inside forms")
    context.close()


def chosen(walk: Walk, controls: list[dict]) -> list[dict]:
    """What to click: not sign-out or downloads; same-site links, each route once per form (six goal
    links in one boosted form behave alike); each button's words once per kind of form; one tick box
    per boosted form (every box sends the same form; a box elsewhere sends nothing); changes last."""
    out, seen = [], set()
    for control in controls:
        action = control["action"] or ""
        if action.startswith("/sign-out") or action.endswith(DOWNLOADS):
            continue
        if control["kind"] == "link" and local_url(walk.base, control["href"]) is None:
            continue
        if control["kind"] in ("checkbox", "radio"):
            if not control["boosted"]:
                continue
            alike = ("tick", action)  # per form, not per kind of form: each provider's boxes start differently
        else:
            alike = (describe(walk, control), route_pattern(walk.app, action, query=False) if action else None, control["boosted"])
        if alike in seen:
            continue
        seen.add(alike)
        out.append(control)
    return sorted(out, key=lambda c: bool(LAST.search(c["action"] or "")))


def click(walk: Walk, visitor: Visitor, url: str, control: dict) -> bool:
    """Click one control on a fresh load of ``url``, wait for the network, and check the page."""
    page = visitor.page
    page.goto(walk.base + url, wait_until="load")
    what = describe(walk, control)
    start = route_pattern(walk.app, url, query=False)
    element = find(page, control)
    if element is None:
        walk.notes.append(f"{visitor.account} {url}: {what} is no longer there after earlier clicks")
        return False
    element.evaluate(OPEN_DETAILS)  # a form inside a closed <details>: open it first, as a person would
    if not element.is_visible():
        walk.notes.append(f"{visitor.account} {url}: {what} is hidden with JavaScript on: not clicked")
        return False
    requests: list[str] = []
    pending: set = set()

    def done(request):
        pending.discard(request)

    def sent(request):
        pending.add(request)
        if request.resource_type in ("document", "xhr", "fetch"):
            requests.append(f"{'htmx ' if request.headers.get('hx-request') else ''}{request.method} {request.url.removeprefix(walk.base)}")

    visitor.bad.clear()
    listeners = {"request": sent, "requestfinished": done, "requestfailed": done}
    for event, listener in listeners.items():
        page.on(event, listener)
    try:
        element.click(timeout=5000)
        page.wait_for_load_state("load")
        settle(page, pending)
    except Exception as error:
        walk.add(f"click-error {start} {what}", visitor.where(url), str(error).splitlines()[0])
        return False
    finally:
        for event, listener in listeners.items():
            page.remove_listener(event, listener)
    where = visitor.where(url) + f", after clicking {control['kind']} {control['text']!r} ({'; '.join(requests) or 'no request'})"
    shape = page.evaluate(SHAPE)
    new = visitor.check_shape(shape, f"click {start} {what}:", where)
    for bad in visitor.bad:
        if bad["status"] == 400 and bad["document"] and not bad["htmx"] and shape["errorSummary"] and not new:
            walk.notes.append(f"{visitor.account} {url}: {what} answered 400 with an error summary (a form with mistakes)")
            continue
        new |= walk.add(f"click {start} {what}: status {bad['status']} {answered(walk, bad['url'])}", where,
                        f"{'htmx ' if bad['htmx'] else ''}{bad['method']} {bad['url'].removeprefix(walk.base)}")
    if new:
        visitor.screenshot(f"click {start} {control['text']}")
    walk.notes.append(f"{visitor.account} {url}: clicked {control['kind']} {control['text']!r}: {'; '.join(requests) or 'no request'}")
    return True


def settle(page, pending: set, quiet_ms: int = 200, limit_ms: int = 10000) -> None:
    """Wait until nothing has been in flight for ``quiet_ms`` (htmx swaps right after its answer):
    like Playwright's "networkidle", which always waits 500 ms, but quicker."""
    quiet = waited = 0
    while quiet < quiet_ms and waited < limit_ms:
        page.wait_for_timeout(50)
        waited += 50
        quiet = quiet + 50 if not pending else 0
    page.wait_for_load_state("load")


def find(page, control: dict):
    """The same control on a fresh load: the same words, kind, form and link; where there are several
    alike, the one at the same place in the list."""
    same = [c for c in page.evaluate(CLICKABLES, CLICKABLE)
            if (c["kind"], c["text"], c["action"], c["href"]) == (control["kind"], control["text"], control["action"], control["href"])]
    if not same:
        return None
    best = next((c for c in same if c["index"] == control["index"]), same[0])
    return page.locator(CLICKABLE).nth(best["index"])


def describe(walk: Walk, control: dict) -> str:
    """The control in words that stay the same from run to run: a link by where it goes, a tick box
    by its form, a button by its words and its form."""
    form = f"in the form to {route_pattern(walk.app, control['action'], query=False)}" if control["action"] else "outside forms"
    if control["kind"] == "link":
        return f"link to {route_pattern(walk.app, local_url(walk.base, control['href']) or '/', query=False)}"
    if control["kind"] in ("checkbox", "radio"):
        return f"{control['kind']} {form}"
    return f"button '{control['text']}' {form}"


# --- The Nu HTML checker -----------------------------------------------------------------------


def nu_missing() -> str | None:
    if not shutil.which("java"):
        return "no java: the Nu HTML checker needs one (Debian: default-jre-headless)"
    if not VNU_JAR.exists():
        return f"no {VNU_JAR.relative_to(ROOT)}: run `npm ci --ignore-scripts`"
    return None


def nu_message(text: str) -> str:
    """The checker's message without what changes from run to run (ids, dates, long values)."""
    text = re.sub(r"“([^”]*)”", lambda m: "“" + nu_value(m.group(1)) + "”", text)
    return re.sub(r"\s+", " ", text).strip().rstrip(".")


def nu_value(value: str) -> str:
    if re.fullmatch(r"\d{4}-\d\d-\d\d[T ][\d:.]+(?:[+-]\d\d:\d\d|Z)?", value):
        return "{datetime}"
    value = re.sub(r"[0-9a-f]{32}", "{id}", value)
    if re.fullmatch(r"[a-z]{1,2}[A-Za-z0-9_-]{12}", value) and re.search(r"[A-Z0-9]", value):
        value = value[: len(value) - 12] + "{id}"  # g{goal id}, s{step id}: the plan's element ids
    return value if len(value) <= 60 else value[:57] + "..."


def run_nu(walk: Walk) -> None:
    files = sorted(walk.saved)
    if not files:
        return
    # The checker's schema needs a deep stack (it says "at least 512k"; many files need more).
    result = subprocess.run(["java", "-Xss16m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--exit-zero-always",
                             *map(str, files)], capture_output=True, text=True, timeout=600, check=False)
    try:
        messages = json.loads(result.stderr or result.stdout)["messages"]
    except (ValueError, KeyError):
        walk.add("nu crashed", "the Nu HTML checker", (result.stderr or result.stdout)[-2000:])
        return
    by_file = {str(path.resolve()): path for path in files}
    places: dict[tuple[str, str], list[str]] = defaultdict(list)
    for message in messages:
        if message.get("type") != "error":
            continue
        path = by_file.get(urlsplit(message.get("url", "")).path)
        pattern, where = walk.saved[path] if path else ("?", message.get("url", "?"))
        places[(pattern, nu_message(message.get("message", "")))].append(
            f"{where}, line {message.get('lastLine', '?')}: {message.get('extract', '').strip()[:120]!r}")
    # A message on every kind of page comes from the layout: one key, "nu * ...", not one per page.
    everywhere = set(pattern for pattern, _where in walk.saved.values())
    patterns_of: dict[str, set[str]] = defaultdict(set)
    for pattern, text in places:
        patterns_of[text].add(pattern)
    for (pattern, text), found in places.items():
        pages = len({place.split(", line ")[0] for place in found})
        where, first = found[0].split(", line ", 1)
        if len(everywhere) > 1 and patterns_of[text] == everywhere:
            if not any(problem.key == f"nu * {text}" for problem in walk.problems):
                total = sum(len(f) for (_p, t), f in places.items() if t == text)
                walk.add(f"nu * {text}", f"every kind of page ({len(everywhere)}), e.g. {where}", f"{total} times; first: line {first}")
        else:
            walk.add(f"nu {pattern} {text}", where, f"{len(found)} times on {pages} page(s); first: line {first}")


# --- The report and the allow-list ---------------------------------------------------------------


def report(walk: Walk, new: set[str], gone: set[str], seconds: float, nu_skipped: str | None) -> str:
    by_key: dict[str, list[Problem]] = defaultdict(list)
    for problem in walk.problems:
        by_key[problem.key].append(problem)
    lines = [f"Page walk: {walk.loads} page loads, {len(walk.audited)} axe audits, {len(walk.saved)} pages for the Nu checker, "
             f"{len(by_key)} kinds of problem, {seconds:.0f} s "
             f"({', '.join(f'{what} {s:.0f} s' for what, s in sorted(walk.seconds.items(), key=lambda i: -i[1]))})."]
    if nu_skipped:
        lines.append(f"The Nu HTML checker was skipped: {nu_skipped}")
    if new:
        lines += ["", f"NEW problems (not in tests/{KNOWN.name}):", *(f"  {key}" for key in sorted(new))]
    if gone:
        lines += ["", f"FIXED: listed in tests/{KNOWN.name} but no longer found (delete these lines):", *(f"  {key}" for key in sorted(gone))]
    groups: dict[str, list[str]] = defaultdict(list)
    for key in sorted(by_key):
        groups[key.split(" ")[0]].append(key)
    for kind, keys in groups.items():
        lines += ["", f"== {kind} ({len(keys)})"]
        for key in keys:
            found = by_key[key]
            lines.append(f"{key}{'   [NEW]' if key in new else ''}")
            for problem in found[:4]:
                lines.append(f"    {problem.where}" + (f"\n      {problem.detail}" if problem.detail else ""))
            if len(found) > 4:
                lines.append(f"    ... and {len(found) - 4} more")
    lines += ["", "Notes:", *(f"  {note}" for note in walk.notes)]
    return "\n".join(lines)


def known_problems() -> set[str]:
    if not KNOWN.exists():
        return set()
    return {line.strip() for line in KNOWN.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")}


def write_known(keys: set[str]) -> None:
    header = [
        "# Problems the page walker (tests/test_browser_walk.py) finds today, one key a line.",
        "# It fails on a problem not listed here, and on a listed one that no longer happens:",
        "# when you fix one, delete its line. WALK_WRITE_KNOWN=1 rewrites this file from a run.",
    ]
    KNOWN.write_text("\n".join([*header, *sorted(keys)]) + "\n", encoding="utf-8")


# --- The test ------------------------------------------------------------------------------------

# Which template made each page, so that axe sees each template once per mode (not every address).
TEMPLATE_HEADER = "X-Walk-Template"


def _note_template(sender, template, context, **extra):
    g.walk_template = template.name  # the page's own template is the last one rendered


def _template_header(response):
    if g.get("walk_template"):
        response.headers[TEMPLATE_HEADER] = g.walk_template
    return response


@pytest.fixture
def demo_server(live_app, live_server):
    """The live server's fresh database (migrated, with the catalogue) with the demo data loaded,
    and each answer naming its template (before the server's first request)."""
    live_app.after_request(_template_header)
    template_rendered.connect(_note_template, live_app)
    with Session(live_app.extensions["tracker_engine"]) as db:
        load_demo(db, live_app.config["SECRET_KEY"])
        db.commit()
    server_log = logging.getLogger("werkzeug")
    level = server_log.level
    server_log.setLevel(logging.WARNING)  # thousands of requests: a failure's report, not the request log, is worth reading
    yield live_server
    server_log.setLevel(level)
    template_rendered.disconnect(_note_template, live_app)


def test_every_page_of_every_demo_account(browser, live_app, demo_server, artefacts):
    started = time.monotonic()
    nu_skipped = nu_missing()
    if nu_skipped and os.environ.get("REQUIRE_BROWSER") == "1":
        require_or_skip("REQUIRE_BROWSER", nu_skipped)  # fails now, not after the walk
    folder = artefacts / "walk"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    walk = Walk(demo_server.url, live_app, folder)

    for account in ACCOUNTS:
        walk_account(browser, walk, account)

    # Clicks change data, so they come after the walk: the tutor's first (the resident's clicks may
    # stop her sharing with the tutor's organisation).
    with Session(live_app.extensions["tracker_engine"]) as db:
        chloe = db.exec(select(User).where(User.username == "chloe")).one()
    click_everything(browser, walk, "tutor.learning",
                     ["/tutor/", f"/staff/residents/{chloe.id}", f"/staff/residents/{chloe.id}/digital?purpose=plan_support"])
    click_everything(browser, walk, "amira", ["/me/", "/me/plan", "/me/sharing"])

    if not nu_skipped:
        with walk.timed("Nu HTML checker"):
            run_nu(walk)
    seconds = time.monotonic() - started

    found = {problem.key for problem in walk.problems}
    known = known_problems()
    if nu_skipped:
        known = {key for key in known if not key.startswith("nu ")}
    if os.environ.get("WALK_WRITE_KNOWN") == "1":
        write_known(found)
        known = found
    new, gone = found - known, known - found
    text = report(walk, new, gone, seconds, nu_skipped)
    (folder / "report.txt").write_text(text + "\n", encoding="utf-8")
    assert not new and not gone, text
    if nu_skipped:
        require_or_skip("REQUIRE_BROWSER", f"the page walk passed, but without the Nu HTML checker: {nu_skipped}")
