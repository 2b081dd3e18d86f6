"""A small in-process cache of rendered HTML fragments, keyed by the version of what they show.

Keys must contain everything the fragment depends on (for a plan: the resident, the language,
their plan version and the catalogue's last change), so an entry can never be stale: any
change makes a new key and old entries simply age out. Each worker keeps its own copy; nothing is
shared, so the app stays stateless. Never used for staff pages, where every view must re-check
consent and be logged.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

# Stands in for the CSRF token inside cached HTML (tokens belong to one sign-in session).
CSRF_PLACEHOLDER = "\x00csrf-token\x00"


class FragmentCache:
    def __init__(self, size: int = 128):
        self.size = size
        self._entries: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_render(self, key: Hashable, render: Callable[[], str]) -> str:
        if self.size <= 0:  # caching switched off (TRACKER_PLAN_CACHE_SIZE=0)
            return render()
        with self._lock:
            html = self._entries.get(key)
            if html is not None:
                self._entries.move_to_end(key)
                return html
        html = render()
        with self._lock:
            self._entries[key] = html
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return html

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def with_csrf(html: str) -> Markup:
    """Put this request's CSRF token where the cached HTML has the placeholder."""
    return Markup(html.replace(CSRF_PLACEHOLDER, generate_csrf()))  # noqa: S704 (our own rendered HTML; the token is URL-safe base64)


def init_app(app) -> None:
    # One cache per app (and so per worker), kept with the app rather than in a module global.
    app.extensions["tracker_plan_cache"] = FragmentCache(app.config["PLAN_CACHE_SIZE"])


def plan_fragments() -> FragmentCache:
    from flask import current_app

    return current_app.extensions["tracker_plan_cache"]
