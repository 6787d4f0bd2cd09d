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
# packages (Debian), never a browser download. Browser tests fail, not skip, when Chromium is missing.
SYSTEM_PACKAGES := chromium fonts-wqy-microhei
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi wqy; then \
	  echo "installing $(SYSTEM_PACKAGES) from the system packages"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null) \
	  || echo "warning: could not install $(SYSTEM_PACKAGES); browser tests will fail"; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff check .

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
