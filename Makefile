# One task runner; CI calls these targets unchanged.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(abspath $(BIN)):$(PATH)

COMPARE := .venv-compare
PYMC := .venv-pymc

.PHONY: venv system-deps test lint docs bench bench-env demo clean

$(BIN)/activate: pyproject.toml requirements/lock.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q uv
	$(BIN)/uv pip sync -q --compile-bytecode --python $(BIN)/python requirements/lock.txt
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $(BIN)/activate

venv: $(BIN)/activate

# Java, Noto CJK fonts, pango, poppler: installed when missing (apt-get).
system-deps:
	scripts/system-deps

# The demo business (20,000 customers) in demo_workspace/, analysed, and the report in
# both languages in out/; then the dashboard serves it in the foreground (Ctrl+C stops
# it) with three demo logins. Each run starts the demo workspace afresh (it holds only
# generated data, and events and feedback have no key to de-duplicate a second load by).
# Not run by CI; `make test` does not depend on it.
DEMO := demo_workspace
DEMO_PORT ?= 8000
demo: venv system-deps
	rm -rf $(DEMO)
	$(BIN)/clientlens demo $(DEMO) --customers 20000 --seed 0
	$(BIN)/clientlens --workspace $(DEMO) report --lang zh --format html,pdf,xlsx -o out/report-zh
	$(BIN)/clientlens --workspace $(DEMO) report --lang en --format html,pdf,xlsx -o out/report-en
	echo 'demo-admin-1' | $(BIN)/clientlens --workspace $(DEMO) user add admin --role admin --password-stdin
	echo 'demo-analyst-1' | $(BIN)/clientlens --workspace $(DEMO) user add analyst --role analyst --password-stdin
	echo 'demo-viewer-1' | $(BIN)/clientlens --workspace $(DEMO) user add viewer --role viewer --password-stdin
	@echo
	@echo "Reports: out/report-zh/ and out/report-en/ (HTML, PDF, Excel). Workspace: $(DEMO)/"
	@echo "Dashboard: http://localhost:$(DEMO_PORT)/  logins (demo only):"
	@echo "  admin / demo-admin-1    analyst / demo-analyst-1    viewer / demo-viewer-1 (personal data masked)"
	$(BIN)/clientlens --workspace $(DEMO) serve --host 127.0.0.1 --port $(DEMO_PORT)

# pytest-xdist: each test file runs whole on one worker (its module fixtures built once);
# TEST_WORKERS=0 runs the suite in this process.
TEST_WORKERS ?= auto
test: venv
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

# The generated references; tests fail when they are stale.
docs: venv
	$(BIN)/clientlens settings --markdown > docs/settings.md
	$(BIN)/clientlens analyses --markdown > docs/analyses.md
	$(BIN)/clientlens contract --markdown > docs/data.md

lint: venv
	$(BIN)/ruff format --check clientlens tests bench conftest.py
	$(BIN)/ruff check clientlens tests bench conftest.py
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
	$(BIN)/python bench/bench_demo.py --customers 20000 1000000 --import-up-to 20000
	$(BIN)/python bench/bench_analyze.py --customers 1000000 --source demo
	$(BIN)/python bench/bench_report.py --customers 1000000 --source demo
	$(BIN)/python bench/bench_cli.py --runs 3
	$(BIN)/python bench/bench_postgres.py

clean:
	rm -rf $(VENV) $(COMPARE) $(PYMC) demo_workspace out .pytest_cache .mypy_cache .ruff_cache
