# Centrala: `make run` starts everything on embedded defaults, `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
DEV_ENV := DEBUG=true
# Kamailio is the SIP registrar phones register with (deploy/kamailio/); SIPp (sip-tester) is the phone in its tests.
KAMAILIO_PACKAGES := kamailio kamailio-sqlite-modules kamailio-postgres-modules
RUN_PACKAGES := gettext ffmpeg fonts-dejavu-core $(KAMAILIO_PACKAGES) $(if $(shell command -v npm),,nodejs npm)
TEST_PACKAGES := $(RUN_PACKAGES) chromium postgresql sip-tester faketime
# The clock matrix: the smoke subset again with the wall clock started (and left running) at awkward instants, UTC:
# late Monday evening in Warsaw, the nights the clocks go forward and back, New Year's Eve, the end of February.
# FAKETIME_DONT_RESET lets the processes a test starts (redis-server, ffmpeg) share the test's clock instead of
# each starting again at the instant; FAKETIME_DONT_FAKE_MONOTONIC keeps the monotonic clock real, since timed
# waits (thread joins, lock timeouts) measured on a faked one could last for months.
CLOCK_INSTANTS := "2026-12-07 22:49:00" "2027-03-28 00:30:00" "2027-10-31 00:30:00" "2026-12-31 22:59:30" \
	"2027-02-28 22:30:00"

.PHONY: help run test test-postgres test-sqlite test-clock test-clock-run lint format bench messages system-run system-test assets clean

help:
	@echo "make run    - start Centrala (embedded Redis, web, worker, cron) with demo data on http://127.0.0.1:8000"
	@echo "make test   - install what the tests need and run the whole suite (PostgreSQL + SQLite smoke + clock matrix)"
	@echo "make test-clock - only the clock matrix: the smoke subset at five awkward instants (libfaketime)"
	@echo "make lint   - ruff"
	@echo "make bench  - run the benchmarks in bench/"

# Debian packages, installed only when missing (non-interactive, as root).
define apt_need
	@missing=""; for pkg in $(1); do dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "ok installed" || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

system-run:
	$(call apt_need,$(RUN_PACKAGES))

system-test:
	$(call apt_need,$(TEST_PACKAGES))

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e ".[test]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed

messages: $(VENV)/.installed
	$(DEV_ENV) $(PY) manage.py compilemessages -v0 --ignore=.venv --ignore=node_modules

run: system-run $(VENV)/.installed assets messages
	$(DEV_ENV) $(PY) manage.py run_embedded

test: system-test $(VENV)/.installed assets messages
	$(PY) -m ruff check .
	$(MAKE) --no-print-directory test-postgres test-sqlite test-clock-run

# The whole suite against a throwaway PostgreSQL cluster that the script starts and removes.
test-postgres:
	bash tests/with_postgres.sh $(PY) -m pytest $(PYTEST_ARGS)

# The smoke subset against the SQLite default.
test-sqlite:
	$(PY) -m pytest -m smoke $(PYTEST_ARGS)

test-clock: system-test $(VENV)/.installed assets messages
	$(MAKE) --no-print-directory test-clock-run

# Each instant's run reports its own pytest summary; the first failing instant stops the matrix.
test-clock-run:
	@for instant in $(CLOCK_INSTANTS); do \
	  echo "== clock matrix: smoke subset at $$instant UTC"; \
	  FAKETIME_DONT_RESET=1 FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "@$$instant" $(PY) -m pytest -m smoke -p no:cacheprovider $(PYTEST_ARGS) \
	    || { echo "clock matrix: failed at $$instant UTC"; exit 1; }; \
	done

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(VENV)/.installed
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: $(VENV)/.installed
	@for script in bench/*.py; do [ -e "$$script" ] || continue; echo "== $$script"; $(DEV_ENV) $(PY) $$script || exit 1; done

clean:
	rm -rf var/staticfiles .pytest_cache
