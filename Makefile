# The two commands a newcomer types: `make demo` and `make test`. Both bootstrap from nothing.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: setup test test-slow lint typecheck unit demo bench host clean lint-infra reliability

setup: $(PY_STAMP) $(NODE_STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint: setup lint-infra
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-logo

# Bicep parsed with pycep-parser and checked by checkov, offline, in their own venv.
lint-infra:
	bash scripts/validate_infra.sh

test: lint
	$(PY) -m pytest -m "not slow"

# What `make test` leaves out to stay under 10 minutes on a 2-core machine (about 4 more): the
# README's local steps run as written, most of the crash-point sample, the memory bound.
test-slow: setup
	$(PY) -m pytest -m slow

demo: setup
	$(PY) scripts/demo.py

# Benchmarks print ratios measured side by side in one run (never timing asserts in tests).
bench: setup
	$(PY) bench/large_file.py --size-mb 200
	$(PY) bench/large_file.py --size-mb 2048
	$(PY) bench/throughput.py --meetings 500
	$(PY) bench/calls.py --meetings 100
	$(PY) bench/latency.py --meetings 30
	$(PY) bench/parse.py --size-mb 10
	$(PY) bench/budget.py --calls 500
	$(PY) bench/interactions.py
	$(PY) bench/discovery.py --users 10000 --meetings-per-day 3000

# Every crash point of every scenario and every fault cell (about an hour on 2 cores); writes
# docs/reliability.md. `make test` runs a small sample, `make test-slow` more (tests/reliability/test_sample.py).
reliability: setup
	$(PY) -m tests.reliability --jobs 3 --write docs/reliability.md

host: setup
	$(PY) -m archiver host

clean:
	rm -rf $(VENV) node_modules .local demo-output .pytest_cache .mypy_cache .ruff_cache
