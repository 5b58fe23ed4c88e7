# Portico — `make run` starts the demo, `make test` runs everything CI runs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck docs clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[all,test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/portico serve examples/demo/portico.yaml

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) lint typecheck
	$(BIN)/pytest tests

clean:
	rm -rf $(VENV) .portico .pytest_cache .mypy_cache .ruff_cache

docs: $(STAMP)
	$(BIN)/python -m portico.compat > docs/compatibility.md
