"""The vendored front-end files are present, current and free of GOV.UK-only assets."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import re

import brotli

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


def test_dist_is_what_the_build_script_makes_from_the_sources(tmp_path):
    """tracker/static/dist is committed: it must be exactly what scripts/build-static.py builds now
    (a changed source, or a file added without `make static`, fails here)."""
    build = _load_build_script()
    manifest = build.build(tmp_path / "dist")
    assert json.loads((STATIC / "dist" / "manifest.json").read_text()) == manifest, "run `make static` and commit tracker/static/dist"
    built = sorted(p.relative_to(tmp_path / "dist").as_posix() for p in (tmp_path / "dist").rglob("*") if p.is_file())
    committed = sorted(p.relative_to(STATIC / "dist").as_posix() for p in (STATIC / "dist").rglob("*") if p.is_file())
    assert committed == built, "stale files in tracker/static/dist: run `make static`"
    for target in manifest.values():
        content = (STATIC / "dist" / target).read_bytes()
        assert gzip.decompress((STATIC / "dist" / (target + ".gz")).read_bytes()) == content, target
        assert brotli.decompress((STATIC / "dist" / (target + ".br")).read_bytes()) == content, target
        assert hashlib.sha256(content).hexdigest()[:12] in target  # the name says what is inside


def _load_build_script():
    spec = importlib.util.spec_from_file_location("build_static", ROOT / "scripts" / "build-static.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_assets_are_cached_for_a_year_compressed_and_unhashed_names_are_not_served(client):
    html = client.get("/login").text
    css = re.search(r'href="(/static/vendor/app\.[0-9a-f]{12}\.css)"', html).group(1)
    script = re.search(r'src="(/static/js/app\.[0-9a-f]{12}\.js)"', html).group(1)
    brotli_answer = client.get(css, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert brotli_answer.headers["Content-Encoding"] == "br" and brotli_answer.headers["Vary"] == "Accept-Encoding"
    assert brotli_answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert brotli_answer.headers["X-Content-Type-Options"] == "nosniff"
    assert brotli.decompress(brotli_answer.data) == client.get(css).data
    assert client.get(css, headers={"Accept-Encoding": "gzip"}).headers["Content-Encoding"] == "gzip"
    imported = re.search(rb'from "\.\./(vendor/govuk-frontend\.min\.[0-9a-f]{12}\.js)"', client.get(script).data).group(1)
    assert client.get("/static/" + imported.decode()).status_code == 200  # app.js imports the hashed file
    assert client.get("/static/vendor/app.css").status_code == 404  # only hashed names: nothing can go stale


def test_every_gov_uk_class_the_templates_use_is_in_the_stylesheet():
    """The stylesheet holds only the GOV.UK parts we use; a page that starts using another
    component or override class must add it to app.scss / _overrides.scss. The plan's areas and
    goals are written out in Python (tracker/resident/plan_html.py): their classes count too."""
    css = (STATIC / "vendor" / "app.css").read_text(encoding="utf-8-sig")
    templates = ROOT / "tracker" / "templates"
    used = set()
    for path in [*templates.rglob("*.html"), ROOT / "tracker" / "resident" / "plan_html.py"]:
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
    for path in [*templates.rglob("*.html"), ROOT / "tracker" / "resident" / "plan_html.py"]:
        modules.update(re.findall(r'data-module="govuk-([a-z-]+)"', path.read_text()))
    for module in modules:
        name = "".join(part.title() for part in module.split("-"))
        assert name in bundle, f"data-module govuk-{module} is not in govuk-components.mjs"
