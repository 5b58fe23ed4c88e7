# Portico — `make run` starts the demo, `make test` runs everything CI runs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

COMPILED := .venv-compiled
# The request path compiled with mypyc (setup.py): what the benchmarks run, tested by `make test`.
COMPILED_STAMP := $(COMPILED)/.installed

.PHONY: run test test-compiled compiled lint typecheck docs clean

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
	$(MAKE) test-compiled

# The compiled build passes the data plane, function and unit tests too (imports come from its
# site-packages: src/ is not on its path).
test-compiled: $(COMPILED_STAMP)
	$(COMPILED)/bin/pytest -p no:cacheprovider tests/unit tests/dataplane tests/functions

compiled: $(COMPILED_STAMP)

$(COMPILED_STAMP): pyproject.toml setup.py $(shell find src -name '*.py')
	rm -rf build $(COMPILED)
	$(PY) -m venv $(COMPILED)
	$(COMPILED)/bin/pip install -q --upgrade pip setuptools wheel mypy==2.4.1  # the mypyc the build was tested with
	PORTICO_COMPILE=1 $(COMPILED)/bin/pip install -q --no-build-isolation '.[all,test]'
	rm -rf build
	touch $(COMPILED_STAMP)

clean:
	rm -rf $(VENV) $(COMPILED) build .portico .pytest_cache .mypy_cache .ruff_cache

docs: $(STAMP)
	$(BIN)/python -m portico.compat > docs/compatibility.md
