# Member Console. The README's two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM := /usr/bin/chromium

.PHONY: run test test-production-profile install install-dev chromium lint format bench fake serve clean \
	bench-page bench-activity bench-bulk bench-registration bench-fake bench-cpu bench-load bench-two-servers bench-bulk-budget \
	bench-templates

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

## make bench: every benchmark in bench/, one after another (about 20 minutes); docs/benchmarks.md has the figures.
# Each prints its table; `make bench-NAME` runs one. The production-profile ones (cpu, load, two-servers,
# bulk-budget) start and stop their own gunicorn, db_workers and fake Capillary, on PostgreSQL database $(BENCH_DATABASE)
# and Redis db $(BENCH_REDIS_DB) of 127.0.0.1 (created afresh; never the test suite's test_memberconsole or db 3).
BENCH_DATABASE ?= mc_bench
BENCH_REDIS_DB ?= 5
BENCH_ENV := LOG_LEVEL=WARNING BENCH_DATABASE=$(BENCH_DATABASE) BENCH_REDIS_DB=$(BENCH_REDIS_DB)
BENCH_PG := DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(BENCH_DATABASE) CACHE_URL=redis://127.0.0.1:6379/$(BENCH_REDIS_DB)
bench: bench-page bench-activity bench-bulk bench-registration bench-fake bench-cpu bench-two-servers bench-bulk-budget bench-load \
	bench-templates

bench-page: install-dev  ## the customer page against the bare Capillary call
	$(BENCH_ENV) $(PY) bench/run.py

bench-activity: install-dev  ## the customer page's activity parts next to the page
	$(BENCH_ENV) $(PY) bench/activity.py

bench-bulk: install-dev  ## 1,000 IDs in bulk against one at a time, and the CPU per row (PostgreSQL and Redis)
	$(BENCH_ENV) $(BENCH_PG) $(PY) bench/bulk.py

bench-registration: install-dev  ## registrations under injected faults: none lost, none duplicated
	$(BENCH_ENV) LOG_LEVEL=ERROR $(PY) bench/registration_faults.py

bench-templates: install-dev  ## the customer page by Django's template engine and by Jinja2, same HTML
	$(BENCH_ENV) $(PY) bench/template_engines.py

bench-fake: install-dev  ## the fake Capillary at 1,000,000 customers
	$(BENCH_ENV) $(PY) -m memberconsole.fake_capillary.perf 1000000

bench-cpu: install-dev  ## console CPU per request from the gunicorn worker's CPU time
	$(BENCH_ENV) $(PY) bench/cpu.py

bench-load: install-dev  ## locust: 50 and 100 agents for 60 s after ramp-up
	$(BENCH_ENV) $(PY) bench/load.py

bench-two-servers: install-dev  ## two gunicorns sharing PostgreSQL and Redis
	$(BENCH_ENV) $(PY) bench/two_servers.py

bench-bulk-budget: install-dev  ## 5,000 mixed entries through a budget of 1,000 calls a minute while 10 agents search
	$(BENCH_ENV) $(PY) bench/bulk_budget.py

## The fake Capillary as a socket server, for tools and manual pokes.
fake: install
	$(PY) -m memberconsole.fake_capillary --port 8765 --db var/fake-capillary.sqlite3

clean:
	rm -rf $(VENV) staticfiles
