# Me and My Learning. `make run` serves the demo; `make test` runs every test.
# Both install from uv.lock (resolved, hashed pins); `make lock` refreshes it after pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# uv has a venv of its own, installed by pip from hashed pins, so that `uv sync` (which makes .venv
# hold exactly the lock) never uninstalls it. It uses $(PYTHON) and never downloads a Python.
UV_VENV := .uv
UV_BIN := $(UV_VENV)/bin/uv
UV := UV_PROJECT_ENVIRONMENT=$(VENV) UV_PYTHON_DOWNLOADS=never $(UV_BIN)
# Fails, naming the fix, when uv.lock no longer matches pyproject.toml (and so fails CI, which runs `make test`).
LOCK_CHECK := $(UV) lock --check --quiet --python $(PYTHON) \
	|| { echo >&2 "make: uv.lock does not match pyproject.toml: run \`make lock\` and commit uv.lock"; exit 1; }
# --locked: install exactly the pins in uv.lock, never re-resolving (and stop if it is out of date).
SYNC := $(UV) sync --locked --quiet --python $(PYTHON)
FLASK := TRACKER_ENV=$${TRACKER_ENV:-development} $(BIN)/flask --app tracker
TRANSLATIONS := tracker/translations
POT := $(TRANSLATIONS)/messages.pot

.PHONY: run test install install-dev lock lock-upgrade lock-check translations translations-extract translations-update translations-compile vendor static ci clean

$(UV_BIN): requirements/uv.txt
	rm -rf $(UV_VENV)
	$(PYTHON) -m venv $(UV_VENV)
	$(UV_VENV)/bin/pip install --quiet --require-hashes --only-binary :all: --no-deps -r requirements/uv.txt
	touch $@

# The runtime dependencies; --inexact keeps whatever else is there (the dev tools after `make test`).
$(VENV)/.synced: uv.lock pyproject.toml $(UV_BIN)
	@$(LOCK_CHECK)
	$(SYNC) --inexact
	touch $@

# Exactly the lock with the dev extra: anything not in it is removed from .venv.
$(VENV)/.synced-dev: uv.lock pyproject.toml $(UV_BIN)
	@$(LOCK_CHECK)
	$(SYNC) --extra dev
	touch $@ $(VENV)/.synced

install: $(VENV)/.synced translations-compile

install-dev: $(VENV)/.synced-dev translations-compile

## run: install from uv.lock, migrate, load demo data into a new database, serve http://127.0.0.1:5000
run: install
	$(FLASK) db upgrade
	$(FLASK) catalogue sync
	$(FLASK) demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

# Branch coverage of the domain (tracker/domain, models, clock, database) must stay at least this;
# the floor for the whole package is fail_under in pyproject.toml. Both only for the whole suite.
DOMAIN_COVERAGE_FLOOR := 95
DOMAIN := 'tracker/domain/*,tracker/models.py,tracker/clock.py,tracker/database.py'
# The suite runs on every core (pytest-xdist; each test uses its own database, folder and ports);
# `make test TEST_WORKERS=0` runs it in one process. Work-stealing evens out the long browser tests.
TEST_WORKERS ?= auto

## test: install from uv.lock with the dev extra, lint, check the import contracts, run the whole suite with coverage
test: install-dev
	$(BIN)/ruff check --quiet tracker tests bench migrations scripts wsgi.py
	$(BIN)/lint-imports --no-logo
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal --durations=15 --cov --cov-report= $(PYTEST_ARGS)
ifeq ($(strip $(PYTEST_ARGS)),)
	@$(BIN)/coverage report
	@echo "domain (branch coverage, floor $(DOMAIN_COVERAGE_FLOOR) %):"
	@$(BIN)/coverage report --include=$(DOMAIN) --fail-under=$(DOMAIN_COVERAGE_FLOOR) --format=total
endif

## lock: write uv.lock from pyproject.toml's ranges, keeping each pin that still fits; commit it
lock: $(UV_BIN)
	$(UV) lock --python $(PYTHON)

## lock-upgrade: move every pin in uv.lock to the newest release that pyproject.toml allows
lock-upgrade: $(UV_BIN)
	$(UV) lock --upgrade --python $(PYTHON)

## lock-check: fail if uv.lock does not match pyproject.toml (installs nothing)
lock-check: $(UV_BIN)
	@$(LOCK_CHECK)

## translations: extract new text and merge it into every language catalogue
translations: translations-extract translations-update

translations-extract: $(VENV)/.synced
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --add-location=file --sort-by-file \
		--project="Me and My Learning" --copyright-holder="Me and My Learning contributors" \
		-o $(POT) tracker

translations-update: $(VENV)/.synced
	$(BIN)/pybabel update -i $(POT) -d $(TRANSLATIONS) --no-fuzzy-matching --ignore-obsolete

translations-compile: $(VENV)/.synced
	$(BIN)/pybabel compile -d $(TRANSLATIONS)

## vendor: rebuild the front-end files from npm (needs node and npm; results are committed), then static
vendor:
	scripts/vendor-frontend.sh
	$(MAKE) static

## static: build tracker/static/dist (hashed names, gzip and Brotli copies) after changing tracker/static; commit it
static: install-dev
	$(BIN)/python scripts/build-static.py

## ci: what CI runs (installs chromium and postgresql from Debian, needs root)
ci:
	.ci/run

clean:
	rm -rf $(VENV) $(UV_VENV) *.egg-info test-artefacts .pytest_cache .coverage .import_linter_cache
