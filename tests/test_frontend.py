"""The vendored front-end files are present, current and free of GOV.UK-only assets."""

from __future__ import annotations

import hashlib
import re

from tests.conftest import ROOT

STATIC = ROOT / "tracker" / "static"
VERSIONS = (STATIC / "vendor" / "VERSIONS.txt").read_text()


def test_the_built_files_match_their_sources():
    src = STATIC / "src"
    sources = sorted([*src.glob("*.scss"), *src.glob("*.mjs")], key=lambda p: p.name.encode())
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()
    recorded = re.search(r"^sources-sha256: ([0-9a-f]{64})$", VERSIONS, re.M).group(1)
    assert digest == recorded, "a front-end source changed: run `make vendor` and commit tracker/static/vendor"


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


def test_every_gov_uk_class_the_templates_use_is_in_the_stylesheet():
    """The stylesheet holds only the GOV.UK parts we use; a page that starts using another
    component or override class must add it to app.scss / _overrides.scss."""
    css = (STATIC / "vendor" / "app.css").read_text(encoding="utf-8-sig")
    templates = ROOT / "tracker" / "templates"
    used = set()
    for path in templates.rglob("*.html"):
        for attribute in re.findall(r'class="([^"]*)"', path.read_text()):
            used.update(c for c in attribute.split() if c.startswith("govuk-") and "{" not in c)
    hooks = {"govuk-table__body", "govuk-table__row", "govuk-template__header", "govuk-panel__body"}  # unstyled hooks
    used = {c for c in used if not c.startswith("govuk-js-")} - hooks
    missing = sorted(c for c in used if "." + c.replace("!", "\\!") not in css)
    assert not missing, f"classes with no styles: {missing}"


def test_every_gov_uk_script_module_the_pages_use_is_bundled():
    bundle = (STATIC / "src" / "govuk-components.mjs").read_text()
    templates = ROOT / "tracker" / "templates"
    modules = set()
    for path in templates.rglob("*.html"):
        modules.update(re.findall(r'data-module="govuk-([a-z-]+)"', path.read_text()))
    for module in modules:
        name = "".join(part.title() for part in module.split("-"))
        assert name in bundle, f"data-module govuk-{module} is not in govuk-components.mjs"
