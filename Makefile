# Member Console. The README's two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM := /usr/bin/chromium

.PHONY: run test test-production-profile install install-dev chromium lint format bench fake serve clean

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# Browser tests drive Debian's chromium; Playwright's own browser download cannot work here.
chromium:
	@test -x $(CHROMIUM) || { echo "Installing Debian's chromium for the browser tests"; \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq chromium; }

## make run: the embedded default (fake Capillary + SQLite + a task worker), with demo data and demo logins.
run: install
	DEBUG=True $(PY) manage.py migrate --noinput
	DEBUG=True $(PY) manage.py seed_fake_capillary
	@DEBUG=True LOG_LEVEL=WARNING $(PY) manage.py sync_capillary_config | tail -2
	@DEBUG=True $(PY) manage.py ensure_demo_agents
	@echo "Member Console: http://$(HOST):$(PORT)/  with a task worker for bulk lookups (Ctrl+C stops both)"
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	  DEBUG=True $(PY) manage.py db_worker --no-reload --no-startup-delay & worker=$$!; \
	  DEBUG=True $(PY) manage.py runserver $(HOST):$(PORT)

## make test: install everything, lint, then the whole suite (unit, contract and browser tests).
test: install-dev chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=True $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -q
	@$(MAKE) --no-print-directory test-production-profile

# The console's own tests again on the production profile (PostgreSQL + Redis), where those servers answer locally.
PG_URL ?= postgres://postgres@127.0.0.1:5432/memberconsole
REDIS_URL ?= redis://127.0.0.1:6379/3
test-production-profile: install-dev
	@if $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2).close(); socket.create_connection(('127.0.0.1', 6379), 2).close()" 2>/dev/null; then \
	  echo "Production profile: PostgreSQL and Redis on 127.0.0.1"; \
	  DATABASE_URL=$(PG_URL) CACHE_URL=$(REDIS_URL) $(VENV)/bin/pytest -q tests/core tests/customers tests/registration \
	    tests/bulk tests/test_fault_matrix.py tests/test_fuzz.py; \
	else echo "Production profile NOT tested: no PostgreSQL on 127.0.0.1:5432 or Redis on 127.0.0.1:6379"; fi

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install-dev
	LOG_LEVEL=WARNING $(PY) bench/run.py
	LOG_LEVEL=WARNING $(PY) bench/bulk.py
	LOG_LEVEL=WARNING $(PY) bench/registration_faults.py

## The fake Capillary as a socket server, for tools and manual pokes.
fake: install
	$(PY) -m memberconsole.fake_capillary --port 8765 --db var/fake-capillary.sqlite3

clean:
	rm -rf $(VENV) staticfiles
