# `make demo` and `make test` work on a machine with only Python 3.11+:
# they create their own virtual environment in .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: web demo test fuzz bench clean

PORT ?= 8000

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("grantbook needs Python 3.11 or later") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,postgres]"
	touch $@

# The web pages on a fresh embedded store holding the seed's demo school, signed in as its head
# administrator: open the link printed last.
web: $(VENV)/.installed
	$(BIN)/grantbook demo --serve --port $(PORT)

demo: $(VENV)/.installed
	$(BIN)/grantbook demo

test: $(VENV)/.installed
	$(BIN)/python -m pytest

# A longer, random run of the model-based test (CI runs a small fixed-seed budget).
FUZZ_EXAMPLES ?= 200
fuzz: $(VENV)/.installed
	GRANTBOOK_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -p no:cacheprovider tests/integration/test_stateful.py tests/e2e/test_hostile_input.py tests/e2e/test_hostile_corpus.py

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/run.py --institutions 20 --grants 2000

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
