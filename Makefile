# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format bench bench-quick clean lock

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# setuptools' notice about editable installs is not ours to act on: silenced here only
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	@touch $(STAMP)

demo: $(STAMP)
	@mkdir -p out
	$(BIN)/ledokol solve datasets/crimea.json --time-limit 60 --out out/crimea-plan.json --xlsx out/crimea-plan.xlsx

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The full benchmark run (about 35 minutes on 2 cores): rewrites benchmarks/RESULTS.md and its plots.
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# A few minutes: compares small timings and one peer run with the stored results.
bench-quick: $(STAMP)
	$(BIN)/python benchmarks/run.py --quick

# Re-pin every dependency after changing pyproject.toml (writes requirements.lock).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e ".[dev]"
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^ledokol' > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .benchmarks
