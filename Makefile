# The two commands: `make run` (the demo) and `make test` (lint, types, every test).
# Each creates or updates the virtual environment itself and is safe to re-run.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTHON ?= python3

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export MLFLOW_DISABLE_TELEMETRY := true

.PHONY: run test install lint clean browser postgres

$(STAMP): pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# torch first: pip then takes the local CPU wheel instead of a multi-GB CUDA build.
	$(PY) -m pip install --quiet --disable-pip-version-check torch==2.13.0
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev,spark,bench]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/microtribe demo

# The agency page's browser tests drive Debian's chromium through Playwright (never
# `playwright install`: it downloads from a CDN). Installed once, from the distribution's
# packages; skipped when present. CI runs as root; elsewhere apt-get goes through sudo.
CHROMIUM ?= /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

browser:
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation; }

# The store's PostgreSQL tests start a throw-away cluster (tests/pg_cluster.py) with the server
# binaries of Debian's `postgresql` package (/usr/lib/postgresql/<version>/bin), installed once
# when no initdb is found. `make test` sets MICROTRIBE_REQUIRE_POSTGRES=1: those tests fail
# instead of skipping when the binaries are missing, so CI never skips them silently.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || \
		{ $(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; }

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: lint browser postgres
	MICROTRIBE_REQUIRE_POSTGRES=1 MICROTRIBE_CHROMIUM=$(CHROMIUM) $(VENV)/bin/pytest -m "" -q

clean:
	rm -rf $(VENV) .microtribe .pytest_cache .mypy_cache .ruff_cache

# Benchmarks (bench/suite.py; BENCHMARKS.md says what each measures). The `bench` extra (the
# peer baseline's vector database) is installed with the rest, so CI runs the quick benches too.
.PHONY: bench bench-quick

bench: $(STAMP)
	$(PY) bench/suite.py $(BENCH_ARGS)

bench-quick: $(STAMP)
	$(PY) bench/suite.py --quick $(BENCH_ARGS)
