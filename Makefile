# dnscert: every day-to-day task. "make" alone lists the targets.
#
# Targets install what they use themselves: Python packages into .venv (pip), Debian packages
# with apt-get, but only when missing (scripts/system-deps.sh checks first).

.DEFAULT_GOAL := help
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

# Debian's own Python 3.11 first, ahead of any other python3.11 on PATH (a pyenv or source
# build, say): Debian builds it with profile-guided and link-time optimisation, and the DNS
# health engine and the ingest pipeline run 5-10% faster on it than on a plain build.
PYTHON ?= $(shell if [ -x /usr/bin/python3.11 ]; then echo /usr/bin/python3.11; \
	else command -v python3.11 2>/dev/null || command -v python3 2>/dev/null || echo python3; fi)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# Extra pytest arguments for "make test", e.g. make test ARGS="tests/core -x"
ARGS ?=

# Debian packages: what "make run" needs, and what the whole test suite needs.
RUN_DEBS := python3-venv gettext gnupg nsd libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
TEST_DEBS := $(RUN_DEBS) redis-server postgresql chromium iproute2

.PHONY: help system-deps run-deps install venv messages migrate static demo run test lint \
	conformance bench clean

help: ## List the targets (this text)
	@echo "dnscert make targets:"
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-13s %s\n", $$1, $$2}' \
		$(MAKEFILE_LIST)

system-deps: ## Install the Debian packages the tests need (only those missing)
	@scripts/system-deps.sh $(TEST_DEBS)

run-deps: ## Install the Debian packages "make run" needs (only those missing)
	@scripts/system-deps.sh $(RUN_DEBS)

install: $(STAMP) ## Create .venv with Python 3.11 and install dnscert with its dev tools

venv: install ## Same as install

$(STAMP): pyproject.toml
	@scripts/system-deps.sh python3-venv
	@if [ ! -x $(BIN)/python ]; then echo "Creating $(VENV) with $(PYTHON)"; \
		$(PYTHON) -m venv $(VENV); fi
	@$(BIN)/python -c 'import sys; assert sys.version_info[:2] == (3, 11), \
		f"$(VENV) runs Python {sys.version.split()[0]}; dnscert needs 3.11: make clean, then retry"'
	$(BIN)/pip install --disable-pip-version-check --quiet -e '.[dev]'
	@touch $(STAMP)

messages: install ## Compile the translations (.po -> .mo)
	@$(BIN)/dnscert compilemessages --ignore=$(VENV) --ignore=.git --ignore=node_modules \
		--verbosity 0

migrate: install ## Apply the database migrations
	$(BIN)/dnscert migrate --noinput

static: install ## Collect the static files into var/static
	$(BIN)/dnscert collectstatic --noinput --verbosity 0

# Links printed by the demo and sent by the server point at where "make run" serves.
run demo: export DNSCERT_SITE_URL ?= http://$(HOST):$(PORT)
# The demo's e-mails (alerts, pages, acknowledgements) go to files in var/mail, not the terminal.
run demo: export DNSCERT_EMAIL_BACKEND ?= django.core.mail.backends.filebased.EmailBackend

demo: migrate ## Load the demo directory and DNS test bed, (re)set the demo staff account; prints the login
	$(BIN)/dnscert demo-directory
	$(BIN)/dnscert demo-dnshealth
	$(BIN)/dnscert demo-oncall
	$(BIN)/dnscert demo-drills
	$(BIN)/dnscert demo-exercises
	$(BIN)/dnscert demo-incidents
	$(BIN)/dnscert demo-intel
	$(BIN)/dnscert demo-patterns
	$(BIN)/dnscert demo-advisories
	$(BIN)/dnscert demo-vulns
	$(BIN)/dnscert demo-warnings
	$(BIN)/dnscert demo-sharing
	$(BIN)/python scripts/demo_staff.py

# Serves the platform next to the demo DNS test bed (NSD on 127.x loopback addresses) so the
# health dashboard measures something; if the bed cannot start, the platform is served alone.
run: run-deps install messages migrate static demo ## Set up and serve the embedded platform at http://127.0.0.1:8000
	$(BIN)/dnscert demo-dnshealth --with-server --host $(HOST) --port $(PORT) || { \
		echo "The demo DNS test bed did not start (see above): serving without it."; \
		$(BIN)/dnscert serve --host $(HOST) --port $(PORT); }

test: system-deps install messages ## Set up and run lint, types, migrations check and pytest on SQLite and PostgreSQL
	scripts/test.sh $(ARGS)

lint: install ## ruff (lint and format check) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy src/

conformance: system-deps install ## Run the DNS conformance scenarios (scripts/conformance.sh)
	@if [ -x scripts/conformance.sh ]; then scripts/conformance.sh; \
	else echo "scripts/conformance.sh does not exist yet: no conformance suite to run." >&2; \
		exit 1; fi

bench: system-deps install ## Run every benchmark in bench/ (each prints a RESULT line)
	@scripts/bench.sh

clean: ## Remove .venv, var/ (the embedded database!), caches and compiled translations
	rm -rf $(VENV) var build dist .mypy_cache .pytest_cache .ruff_cache src/*.egg-info
	find src tests -name __pycache__ -type d -prune -exec rm -rf {} +
	find src -name '*.mo' -delete
