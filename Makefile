# One task runner; CI calls these targets unchanged.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: venv test lint bench demo demo-data clean

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

clean:
	rm -rf $(VENV) demo_workspace out .pytest_cache .mypy_cache .ruff_cache
