# The two commands: `make run` and `make test`. Each creates .venv and installs on first use.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test bench bench-peers lint chromium
CHROMIUM ?= /usr/bin/chromium

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/purna run

# The browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
chromium:
	@test -x $(CHROMIUM) || ! command -v apt-get >/dev/null || [ "$$(id -u)" != 0 ] || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# The Celery tests need Redis: the usual one when it answers, else Debian's redis-server on a
# free local port for the length of the run (tests/redis_for_tests.py), passed on by URL.
test: lint chromium
	$(BIN)/lint-imports
	@broker=$$($(BIN)/python -m tests.redis_for_tests start) || exit 1; \
	PURNA_TEST_BROKER_URL=$$broker $(BIN)/python -m pytest -n 2 --dist loadfile; status=$$?; \
	$(BIN)/python -m tests.redis_for_tests stop; exit $$status

bench: $(STAMP)
	$(BIN)/purna bench solomon --time-limit 5
	$(BIN)/purna bench fieldservice

bench-peers: $(STAMP)
	$(BIN)/purna bench solomon --peers --time-limit 5 --jobs 2
	$(BIN)/purna bench fieldservice --peers

# Style and types, checked by `make test` too: ruff (lint and format) everywhere, mypy strict
# on the packages.
lint: $(STAMP)
	$(BIN)/ruff check optimizer dispatch api benchmarks tests
	$(BIN)/ruff format --check optimizer dispatch api benchmarks tests
	$(BIN)/mypy optimizer dispatch api benchmarks
