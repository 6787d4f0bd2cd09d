# skillcred — `make test` is what CI runs (.ci/run).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck pytest bench demo browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

# Chromium for the page tests and a CJK font (pages, printed certificates) come from the system
# packages (Debian), never a browser download; scripts/system_packages.py waits (bounded, APT_LOCK_WAIT
# seconds) for another install that holds the package manager's lock. Browser tests fail, not skip, when
# Chromium is missing.
browser:
	@$(PYTHON) scripts/system_packages.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

pytest: $(STAMP) browser
	$(VENV)/bin/pytest -q -p no:cacheprovider

test: lint typecheck pytest

bench: $(STAMP)
	$(PY) -m bench

demo: $(STAMP)
	$(VENV)/bin/skillcred demo

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache
