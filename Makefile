# The few commands a newcomer needs. `make demo` runs the main job; `make test` runs every test.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
PEOPLE  ?= 5000
SEED    ?= 42
DEMO_FLAGS ?=
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test lint format bench chromium venv clean

venv: $(BIN)/.installed

$(BIN)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

# Debian's chromium drives the browser tests (never a downloaded browser).
chromium:
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update -q && \
	  $(SUDO) apt-get install -y -q --no-install-recommends chromium; }

demo: venv
	$(BIN)/ddj demo --people $(PEOPLE) --seed $(SEED) --out demo-county $(DEMO_FLAGS)

test: venv chromium
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest -q

lint: venv
	$(BIN)/ruff check src tests bench

format: venv
	$(BIN)/ruff format src tests bench

bench: venv
	$(BIN)/pip install -q -e ".[dev,bench]"
	$(BIN)/python bench/pipeline.py --people 5000 50000

clean:
	rm -rf $(VENV) demo-county artifacts bench/work .pytest_cache .ruff_cache
