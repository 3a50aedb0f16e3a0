# The two everyday commands: `make phase73` (the phase-73 regression run) and `make test`.
# Both run `make setup` first, which is quick when nothing changed.

PYTHON ?= $(shell command -v python || command -v python3)
export PYTHON

.PHONY: setup test phase73 mutant lint

setup:
	bash scripts/setup.sh

test: setup
	$(PYTHON) -m pytest

phase73: setup
	$(PYTHON) -m regress run --phase 73

# One representative phase-73 mutant (CI runs it; `regress mutate --phase 73` runs all 11).
mutant: setup
	$(PYTHON) -m regress mutate --mutation dropped-gameid

lint: setup
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m mypy
	lint-imports
