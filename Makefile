# wirefeed: the two commands are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test chaos bench bench-quick up compose-check clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "wirefeed needs Python 3.11+")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

demo: install
	$(BIN)/python -m wirefeed.demo

test: install
	$(BIN)/python -m pytest

chaos: install
	$(BIN)/python -m pytest -m chaos tests/chaos

bench: install
	$(BIN)/python -m bench.run --full

bench-quick: install
	$(BIN)/python -m bench.run --quick

up: install
	$(BIN)/python -m wirefeed.standalone

compose-check: install
	$(BIN)/python -m pytest tests/unit/test_compose.py

clean:
	rm -rf $(VENV) .airflow .pgdata
