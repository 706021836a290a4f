# readq: two commands set everything up. `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: compile run test lint typecheck pytest bench bench-quick screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Byte-compile readq (an editable install does not, and PYTHONDONTWRITEBYTECODE stops Python
# from caching it): compiling the sources at every start cost ~150 ms of readq's cold start.
compile: $(STAMP)
	$(BIN)/python -m compileall -q readq > /dev/null

run: compile
	$(BIN)/readq

lint: $(STAMP)
	$(BIN)/ruff check readq tests benchmarks
	$(BIN)/ruff format --check readq tests benchmarks
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: compile
	$(BIN)/pytest -n 2 -q $(PYTEST_ARGS)

test: lint typecheck pytest

bench: compile
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

bench-quick: compile
	$(BIN)/python -m benchmarks.run --quick

screenshots: $(STAMP)
	$(BIN)/python -m screenshots.make

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
