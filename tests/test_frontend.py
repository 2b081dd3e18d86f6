"""The vendored front-end files are present, current and free of GOV.UK-only assets."""

from __future__ import annotations

import hashlib
import re

from .conftest import ROOT

STATIC = ROOT / "tracker" / "static"
VERSIONS = (STATIC / "vendor" / "VERSIONS.txt").read_text()


def test_the_compiled_css_matches_its_sass_sources():
    sources = sorted((STATIC / "src").glob("*.scss"), key=lambda p: p.name.encode())
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()
    recorded = re.search(r"^sources-sha256: ([0-9a-f]{64})$", VERSIONS, re.M).group(1)
    assert digest == recorded, "a .scss file changed: run `make vendor` and commit tracker/static/vendor"


def test_versions_are_recorded_and_htmx_stays_on_2():
    versions = dict(re.findall(r"^([\w.-]+) (\d+\.\d+\.\d+)$", VERSIONS, re.M))
    assert versions["govuk-frontend"].startswith("6.3.")
    assert versions["htmx.org"].startswith("2.")  # htmx 4 drops headers flask-htmx reads
    assert "axe-core" in versions


def test_no_gov_uk_only_font_or_crown_is_shipped():
    css = (STATIC / "vendor" / "app.css").read_text(encoding="utf-8-sig")
    assert "GDS Transport" not in css and "@font-face" not in css
    assert "govuk-crest" not in css
    assert not list(STATIC.rglob("*.woff*"))


def test_every_asset_the_layout_links_to_exists(client):
    html = client.get("/login").text
    for path in re.findall(r'(?:href|src)="(/static/[^"]+)"', html):
        assert client.get(path).status_code == 200, path
