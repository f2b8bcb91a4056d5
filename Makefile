# One task runner; CI calls these targets unchanged.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(abspath $(BIN)):$(PATH)

COMPARE := .venv-compare
PYMC := .venv-pymc

.PHONY: venv test lint bench bench-env demo clean

$(BIN)/activate: pyproject.toml requirements/lock.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q uv
	$(BIN)/uv pip sync -q --python $(BIN)/python requirements/lock.txt
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $(BIN)/activate

venv: $(BIN)/activate

test: venv
	$(BIN)/python -m pytest -q

lint: venv
	$(BIN)/ruff format --check clientlens tests bench
	$(BIN)/ruff check clientlens tests bench
	$(BIN)/mypy clientlens

# Peer libraries for the benchmarks' comparisons, kept out of the project environment.
$(COMPARE)/bin/python: bench/requirements-compare.txt
	$(PY) -m venv $(COMPARE)
	$(COMPARE)/bin/pip install -q -r bench/requirements-compare.txt
	touch $(COMPARE)/bin/python

# pymc-marketing wants numpy 2 / pandas 3, which lifetimes cannot share: its own env.
$(PYMC)/bin/python: bench/requirements-pymc.txt
	$(PY) -m venv $(PYMC)
	$(PYMC)/bin/pip install -q -r bench/requirements-pymc.txt
	touch $(PYMC)/bin/python

bench-env: $(COMPARE)/bin/python $(PYMC)/bin/python

bench: venv bench-env
	$(BIN)/python bench/bench_rfm.py --customers 1000000
	$(BIN)/python bench/bench_clv.py --bg-customers 1000000 --pareto-customers 100000

clean:
	rm -rf $(VENV) $(COMPARE) $(PYMC) demo_workspace out .pytest_cache .mypy_cache .ruff_cache
