# The two commands of the README: `make run` and `make test` (and `make bench`).
# Each creates the virtual environment and installs the project on first use.
VENV ?= .venv
PY := $(VENV)/bin/python

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

.PHONY: run test lint bench bench-studio catalogs translations
run: catalogs
	$(VENV)/bin/trainery run

# The translation catalogs (README "Languages"): `catalogs` compiles each messages.po;
# `translations` takes every text of the code into the template and each language's
# catalog after a text changed (new entries to translate, changed ones marked fuzzy).
catalogs: $(VENV)/.installed
	$(VENV)/bin/pybabel -q compile -d bot/locale -D messages
translations: $(VENV)/.installed
	$(VENV)/bin/pybabel -q extract -F babel.cfg --add-location=file --sort-by-file --project=Trainery \
		-o bot/locale/messages.pot bot domain
	$(VENV)/bin/pybabel -q update -i bot/locale/messages.pot -d bot/locale -D messages -w 100

# The habits of the field first (seconds), then the tests on SQLite and PostgreSQL.
test: lint
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check bot domain storage
	$(VENV)/bin/ruff format --check bot domain storage
	$(VENV)/bin/ruff check --select F tests bench  # names that do not exist, imports that are not used
	$(VENV)/bin/mypy

# Notification fan-out to 1,000 members against a fake Telegram at 30 msg/s, 0/50/150/300 ms
# away, a trainer's /sessions during it; then two `trainery dispatch` processes and the bot
# on PostgreSQL (README, "Notifications to members" and "Running in production").
bench: $(VENV)/.installed
	$(PY) -m bench.notifications --check --min-ratio 0.95 --max-reply-ratio 2
	$(PY) -m bench.notifications --processes 2 --latencies 50 --no-interactive --check
	$(PY) -m bench.run

# Listing, the burst of many people at once, override and memory at studio scale,
# SQLite and PostgreSQL (bench/README.md).
bench-studio: $(VENV)/.installed
	$(PY) -m bench.run
