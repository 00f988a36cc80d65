# Plumbing for emitter. Every target is safe to re-run; `install` is a no-op
# while .venv/.installed is newer than pyproject.toml.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# The "main job on embedded defaults": broker, stream and sink into ./warehouse.duckdb.
DEMO_ARGS ?= demo --duration 30s

export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PIP_NO_INPUT := 1

.DEFAULT_GOAL := help
.PHONY: help install test demo run bench lint clean distclean

help:
	@echo "make install    create $(VENV) and install emitter with the dev extras"
	@echo "make test       run the whole test suite (scripts/test.sh; extra args: make test ARGS='-k foo')"
	@echo "make demo|run   emitter $(DEMO_ARGS)"
	@echo "make bench      run every bench/*.py and print its figures"
	@echo "make lint       ruff check, ruff format --check, mypy on emitter/"
	@echo "make clean      remove caches, build output and ./data (distclean also removes $(VENV))"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --upgrade --progress-bar off pip
	$(BIN)/python -m pip install --progress-bar off -e '.[dev]'
	@touch $@

install: $(STAMP)

test: install
	bash scripts/test.sh $(ARGS)

demo run: install
	$(BIN)/emitter $(DEMO_ARGS)

bench: install
	@set -e; found=0; \
	for f in bench/*.py; do \
	  [ -e "$$f" ] || continue; found=1; \
	  echo "== $$f"; $(BIN)/python "$$f"; \
	done; \
	[ $$found = 1 ] || echo "no benchmarks yet (bench/*.py)"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy emitter

clean:
	rm -rf build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis bench/results data
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
