# Fieldlog: `make run` serves the app with demo data; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi
# More pytest arguments for `make test`, e.g. PYTEST_ARGS='-m "not browser"'.
PYTEST_ARGS ?=

.PHONY: run test translations i18n screenshots bench lint clean

$(BIN)/python:
	@echo "== Skapar Pythonmiljön i $(VENV) …"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "== Installerar Fieldlog och dess beroenden (några minuter första gången) …"
	$(BIN)/pip install -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	@echo "== Installerar Fieldlog med testverktygen (några minuter första gången) …"
	$(BIN)/pip install -e '.[dev]'
	touch $(VENV)/.installed $@

# Compiled only when the catalogue changed, so that two `make test` may run side by side.
MO := fieldlog/translations/en/LC_MESSAGES/messages.mo
translations: $(MO)

$(MO): fieldlog/translations/en/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d fieldlog/translations >/dev/null

run: $(VENV)/.installed translations
	@echo "== Uppgraderar databasen …"
	$(FLASK) db upgrade
	@echo "== Läser in demodata (bara i en ny databas) …"
	$(FLASK) demo --if-new
	@echo "Fieldlog på http://127.0.0.1:$(PORT)/login"
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: $(VENV)/.dev-installed translations
	$(BIN)/pytest $(PYTEST_ARGS)

screenshots: $(VENV)/.dev-installed translations
	$(BIN)/python -m tests.browser.screenshots
	$(BIN)/pytest -q -p no:cacheprovider tests/browser/shots_*.py
	FIELDLOG_SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest -q -p no:cacheprovider tests/browser/test_admin.py

bench: $(VENV)/.dev-installed translations
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check fieldlog tests bench
	$(BIN)/ruff format --check fieldlog tests bench

clean:
	rm -rf $(VENV) .pytest_cache

# Re-extract the messages and merge them into the English catalogue (then translate the new ones).
i18n: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o fieldlog/translations/messages.pot .
	$(BIN)/pybabel update -i fieldlog/translations/messages.pot -d fieldlog/translations -l en
