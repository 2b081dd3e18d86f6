#!/usr/bin/env bash
# Build and vendor the front-end assets of Me and My Learning.
#
# Run it from anywhere: scripts/vendor-frontend.sh (or `npm run vendor`). Nothing it
# makes is fetched at run time: its outputs are committed and served as static files.
#
#   npm ci (exact versions from package-lock.json), then:
#   tracker/static/src/app.scss    --sass-->  tracker/static/vendor/app.css (compressed, no map)
#   govuk-frontend  dist/govuk/govuk-frontend.min.js  ->  tracker/static/vendor/govuk-frontend.min.js
#   htmx.org        dist/htmx.min.js                  ->  tracker/static/vendor/htmx.min.js
#   axe-core        axe.min.js                        ->  tests/vendor/axe.min.js  (tests only)
#   licences  ->  tracker/static/vendor/LICENSE-govuk-frontend.txt, LICENSE-htmx.txt,
#                 tests/vendor/LICENSE-axe-core.txt
#   tracker/static/vendor/VERSIONS.txt: the exact version of each package (read from the
#                 package's own package.json), the sass version, and `sources-sha256`.
#                 No date or time: the same inputs give byte-identical outputs.
#
# sources-sha256 scheme (so a test can tell that app.css is stale without npm):
#   take every file matching tracker/static/src/*.scss or *.mjs (partials included, no subfolders),
#   sort them by file name in byte order (LC_ALL=C; e.g. _asset-urls.scss, _service.scss,
#   app.scss), concatenate their raw bytes with nothing in between, and take the SHA-256
#   of the result, as 64 lowercase hex digits. In Python:
#     hashlib.sha256(b"".join(p.read_bytes() for p in sorted(
#         [*Path("tracker/static/src").glob("*.scss"), *Path("tracker/static/src").glob("*.mjs")],
#         key=lambda p: p.name.encode()))).hexdigest()
#   VERSIONS.txt holds it on the line `sources-sha256: <hex>`. Editing any source without
#   re-running this script makes the two disagree.
set -euo pipefail

root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$root"

src="tracker/static/src"
vendor="tracker/static/vendor"
tests_vendor="tests/vendor"

echo "==> npm ci"
# No package here needs an install script (sass is pure JavaScript; its optional file
# watcher is never used by a one-off compile).
npm ci --ignore-scripts --no-audit --no-fund

pkg_version() {
  node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).version)' \
    "node_modules/$1/package.json"
}

mkdir -p "$vendor" "$tests_vendor"

echo "==> sass $src/app.scss -> $vendor/app.css"
node_modules/.bin/sass --pkg-importer=node --style=compressed --no-source-map \
  "$src/app.scss" "$vendor/app.css"

# Guard the promises the stylesheet makes (see app.scss): no GOV.UK-only font or crest.
for forbidden in "GDS Transport" "@font-face" "govuk-crest"; do
  if grep -qF -- "$forbidden" "$vendor/app.css"; then
    echo "error: $vendor/app.css contains \"$forbidden\"" >&2
    exit 1
  fi
done
if grep -o 'url([^)]*)' "$vendor/app.css" | grep -v '^url("\{0,1\}/static/vendor/govuk/' >&2; then
  echo "error: $vendor/app.css has url() references outside /static/vendor/govuk/ (above)" >&2
  exit 1
fi

echo "==> esbuild $src/govuk-components.mjs -> $vendor/govuk-frontend.min.js (only the components we use)"
node_modules/.bin/esbuild "$src/govuk-components.mjs" --bundle --format=esm --minify --legal-comments=none \
  --log-level=warning --outfile="$vendor/govuk-frontend.min.js"

echo "==> copying scripts and licences"
install -m 0644 node_modules/htmx.org/dist/htmx.min.js "$vendor/htmx.min.js"
install -m 0644 node_modules/axe-core/axe.min.js "$tests_vendor/axe.min.js"

install -m 0644 node_modules/htmx.org/LICENSE "$vendor/LICENSE-htmx.txt"
install -m 0644 node_modules/axe-core/LICENSE "$tests_vendor/LICENSE-axe-core.txt"
if [[ -f node_modules/govuk-frontend/LICENSE.txt ]]; then
  install -m 0644 node_modules/govuk-frontend/LICENSE.txt "$vendor/LICENSE-govuk-frontend.txt"
else
  # The govuk-frontend npm package (6.x) ships no licence file; its README says the code
  # is under the MIT License. This is the LICENSE.txt of its source repository.
  cat > "$vendor/LICENSE-govuk-frontend.txt" <<'LICENCE'
The MIT License (MIT)

Copyright (C) 2017 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
LICENCE
fi

echo "==> $vendor/VERSIONS.txt"
sources=()
while IFS= read -r -d '' f; do
  sources+=("$f")
done < <(find "$src" -maxdepth 1 -type f \( -name '*.scss' -o -name '*.mjs' \) -print0 | LC_ALL=C sort -z)
if (( ${#sources[@]} == 0 )); then
  echo "error: no .scss files in $src" >&2
  exit 1
fi
sources_sha256="$(cat -- "${sources[@]}" | sha256sum | cut -d' ' -f1)"

{
  echo "# Written by scripts/vendor-frontend.sh: do not edit by hand."
  echo "govuk-frontend $(pkg_version govuk-frontend)"
  echo "htmx.org $(pkg_version htmx.org)"
  echo "axe-core $(pkg_version axe-core)"
  echo "sass $(pkg_version sass)"
  echo "esbuild $(pkg_version esbuild)"
  echo "sources-sha256: $sources_sha256"
} > "$vendor/VERSIONS.txt"

cat "$vendor/VERSIONS.txt"
echo "==> done"
