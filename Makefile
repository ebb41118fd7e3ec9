# nati: `make run` serves the demo, `make test` runs the suite. Both set up
# what they need first (virtualenv, packages, services for the tests).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/nati
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1
DEMO_ENV := env -u DATABASE_URL -u REDIS_URL DEBUG=1

.PHONY: install run demo test lint format bench services demo-check clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(DEMO_ENV) $(PY) manage.py migrate --noinput -v0
	$(DEMO_ENV) $(PY) manage.py seed_demo

run: demo
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:8000

services:
	bash scripts/services.sh

test: $(STAMP) services
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) DEBUG=1 \
		$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP) services
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/nati_bench} \
		REDIS_URL=$${BENCH_REDIS_URL:-redis://127.0.0.1:6379/9} DEBUG=1 \
		$(PY) bench/run.py

# The embedded path: SQLite and in-process tasks, in a throwaway folder.
demo-check: $(STAMP)
	tmp=$$(mktemp -d) && \
	$(DEMO_ENV) NATI_VAR_DIR=$$tmp $(PY) manage.py migrate --noinput -v0 && \
	$(DEMO_ENV) NATI_VAR_DIR=$$tmp $(PY) manage.py seed_demo && \
	$(DEMO_ENV) NATI_VAR_DIR=$$tmp $(PY) manage.py seed_demo >/dev/null && \
	$(DEMO_ENV) NATI_VAR_DIR=$$tmp $(PY) manage.py check && rm -rf $$tmp

clean:
	rm -rf $(VENV) var
