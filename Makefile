# Me and My Learning. `make run` serves the demo; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := TRACKER_ENV=$${TRACKER_ENV:-development} $(BIN)/flask --app tracker
TRANSLATIONS := tracker/translations
POT := $(TRANSLATIONS)/messages.pot

.PHONY: run test install install-dev translations translations-extract translations-update translations-compile vendor ci clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed translations-compile

install-dev: $(VENV)/.installed-dev translations-compile

## run: install, migrate, load demo data into a new database, serve http://127.0.0.1:5000
run: install
	$(FLASK) db upgrade
	$(FLASK) catalogue sync
	$(FLASK) demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

## test: install with the dev extra, lint, and run the whole suite
test: install-dev
	$(BIN)/ruff check --quiet tracker tests bench migrations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## translations: extract new text and merge it into every language catalogue
translations: translations-extract translations-update

translations-extract: $(BIN)/python
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --add-location=file --sort-by-file \
		--project="Me and My Learning" --copyright-holder="Me and My Learning contributors" \
		-o $(POT) tracker

translations-update: $(BIN)/python
	$(BIN)/pybabel update -i $(POT) -d $(TRANSLATIONS) --no-fuzzy-matching --ignore-obsolete

translations-compile: $(BIN)/python
	$(BIN)/pybabel compile -d $(TRANSLATIONS)

## vendor: rebuild the front-end files from npm (needs node and npm; results are committed)
vendor:
	scripts/vendor-frontend.sh

## ci: what CI runs (installs chromium and postgresql from Debian, needs root)
ci:
	.ci/run

clean:
	rm -rf $(VENV) *.egg-info test-artefacts .pytest_cache
