#!/usr/bin/env python3
"""Build tracker/static/dist/: every static file the pages use, under a content-hashed name, each
with a gzip and a Brotli copy made now, and manifest.json (source name → hashed name).

Why: a hashed name never changes its content, so browsers may keep it for a year without asking
again (`Cache-Control: public, max-age=31536000, immutable`): a repeat visit sends no request for
assets at all, and a release changes the names. Compressing here, once, at the highest levels,
is better than compressing on every response. WhiteNoise (in the app) and nginx (deploy/) serve
these same files the same way.

Run `make static` after changing anything under tracker/static (scripts/vendor-frontend.sh runs it
too); tests/test_frontend.py fails while dist/ is not what this script would build. The output is
deterministic (no timestamps in the gzip headers), so it is committed like the vendored files.

    python scripts/build-static.py [--out DIR]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import posixpath
import re
import shutil
from pathlib import Path

import brotli

STATIC = Path(__file__).resolve().parent.parent / "tracker" / "static"

# What the pages load (the icon is inside each page: tracker/web/assets.py), in an order where a file comes after anything it refers to (app.js imports
# govuk-frontend, so its import is rewritten to the hashed name before app.js itself is hashed).
FILES = ["vendor/app.css", "vendor/htmx.min.js", "vendor/govuk-frontend.min.js", "js/supported.js", "js/app.js"]
# Relative imports inside JavaScript modules: `from "../vendor/x.js"`.
IMPORT = re.compile(r'''(from\s*["'])(\.\.?/[^"']+)(["'])''')


def hashed_name(name: str, content: bytes) -> str:
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{hashlib.sha256(content).hexdigest()[:12]}{dot}{ext}"


def _rewrite_imports(name: str, content: bytes, manifest: dict[str, str]) -> bytes:
    folder = posixpath.dirname(name)

    def swap(match: re.Match) -> str:
        target = posixpath.normpath(posixpath.join(folder, match.group(2)))
        if target not in manifest:
            raise SystemExit(f"{name} imports {match.group(2)}, which is not built (add it to FILES before {name})")
        relative = posixpath.relpath(manifest[target], folder)
        return f"{match.group(1)}{relative if relative.startswith('.') else './' + relative}{match.group(3)}"

    return IMPORT.sub(swap, content.decode("utf-8")).encode("utf-8")


def build(out: Path) -> dict[str, str]:
    if out.exists():
        shutil.rmtree(out)
    manifest: dict[str, str] = {}
    for name in FILES:
        content = (STATIC / name).read_bytes()
        if name.endswith(".js"):
            content = _rewrite_imports(name, content, manifest)
        target = hashed_name(name, content)
        manifest[name] = target
        path = out / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        path.with_name(path.name + ".gz").write_bytes(gzip.compress(content, compresslevel=9, mtime=0))
        path.with_name(path.name + ".br").write_bytes(brotli.compress(content, quality=11))
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=STATIC / "dist")
    args = parser.parse_args()
    manifest = build(args.out)
    sizes = {name: (args.out / target).stat().st_size for name, target in manifest.items()}
    brotli_sizes = {name: (args.out / (target + ".br")).stat().st_size for name, target in manifest.items()}
    for name, target in manifest.items():
        print(f"{name:32} → {target:44} {sizes[name]:>7} B, br {brotli_sizes[name]:>6} B")


if __name__ == "__main__":
    main()
