# Kunskapsbanken: `make run` (set up, ingest sample_docs/, serve) and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
APT_PACKAGES := tesseract-ocr tesseract-ocr-swe tesseract-ocr-osd
# The browser tests drive Debian's Chromium (never a downloaded browser).
APT_TEST_PACKAGES := chromium
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test clean system-deps test-system-deps

install: system-deps $(VENV)/.installed

# apt only when something is missing, so a second run costs nothing.
system-deps:
	@$(MAKE) --no-print-directory apt-ensure PACKAGES="$(APT_PACKAGES)"

test-system-deps:
	@$(MAKE) --no-print-directory apt-ensure PACKAGES="$(APT_TEST_PACKAGES)"

.PHONY: apt-ensure
apt-ensure:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/.installed: setup.cfg pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

run: install
	-$(VENV)/bin/kunskapsbank ingest sample_docs/
	$(VENV)/bin/kunskapsbank serve --host $(HOST) --port $(PORT)

test: install test-system-deps
	$(VENV)/bin/python -m pytest

clean:
	rm -rf $(VENV) var .pytest_cache
