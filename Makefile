# Two entry points that work on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo serve test lint bench install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,server,dask,spark]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/hazard-rules check examples/inspections.jsonl

# The HTTP service on a demo ledger (the bundled examples) with a demo account: sign in at
# http://127.0.0.1:8000/ as demo / demo-password (a DEPT of 潍坊市, 3707), who also receives the
# public 举报 of http://127.0.0.1:8000/report. docs/server.md.
DEMO_DB := sqlite:///demo-ledger.sqlite
serve: $(STAMP)
	@test -f demo-ledger.sqlite || { \
	  $(BIN)/hazard-rules ledger intake examples/inspections.jsonl --db $(DEMO_DB) --by 演示检查员 --org 演示检查机构; \
	  HAZARD_RULES_PASSWORD=demo-password $(BIN)/hazard-rules users add demo --db $(DEMO_DB) --name 演示科长 \
	    --role DEPT --org 潍坊市应急管理局 --org-code 3707 --department 应急管理; }
	$(BIN)/hazard-rules serve --db $(DEMO_DB) --public-intake demo

# Lint first (ruff, then mypy as configured in pyproject.toml), then the tests.
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m mypy

test: lint
	$(BIN)/python -m pytest -q

# One process, one table (docs/performance.md); the peers come from the `bench` extra.
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .hypothesis .mypy_cache .ruff_cache
