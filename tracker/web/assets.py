"""Static files: content-hashed names from tracker/static/dist/manifest.json (built by
scripts/build-static.py), served by WhiteNoise with their Brotli or gzip copy and cached for a year.

A hashed name never changes its content, so browsers keep each file without asking again; a new
release changes the names in the pages. Only the built files are served (Flask's own static route
is off), so a page can never refer to a file that would go stale."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from flask import Flask
from whitenoise import WhiteNoise

DIST = Path(__file__).resolve().parent.parent / "static" / "dist"
CACHE_FOREVER = "public, max-age=31536000, immutable"  # a year: the longest RFC 9111 says to count on


def _headers(headers, _path: str, _url: str) -> None:
    headers["Cache-Control"] = CACHE_FOREVER
    headers["X-Content-Type-Options"] = "nosniff"


def init_app(app: Flask) -> None:
    manifest = json.loads((DIST / "manifest.json").read_text(encoding="utf-8"))
    app.extensions["tracker_assets"] = manifest
    prefix = app.static_url_path.rstrip("/") + "/"

    def asset_url(name: str) -> str:
        """The address of a static file under its hashed name (KeyError for a file not built)."""
        return prefix + manifest[name]

    app.add_template_global(asset_url)
    # The icon goes inside every page (236 bytes): browsers fetch a linked icon again on each
    # visit, whatever its cache headers say, so a file would cost a request every time.
    icon = (DIST.parent / "favicon.svg").read_text(encoding="utf-8").strip()
    app.add_template_global("data:image/svg+xml," + quote(icon, safe="=:/;,"), "favicon_data_uri")
    # Every file in dist/ has a hashed name, so every one is immutable.
    app.wsgi_app = WhiteNoise(app.wsgi_app, root=DIST, prefix=prefix, max_age=31536000, autorefresh=False,
                              immutable_file_test=lambda _path, _url: True, add_headers_function=_headers)
