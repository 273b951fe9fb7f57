# collective.digitalebalie: `make start` runs the demo, `make test` runs every test.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8080
INSTANCE ?= instance
PACKAGE := src/collective/digitalebalie
# Debian packages the tests and the demo need (later features add theirs here).
SYSTEM_PACKAGES ?= ca-certificates chromium coturn clamav-daemon fonts-dejavu-core nodejs \
	postgresql nginx-light
PYTEST_ARGS ?=

.PHONY: help
help: ## Show the make targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "constraints.txt is resolved for Python 3.11, this is " + sys.version' \
		|| { echo "Set PYTHON to a Python 3.11 interpreter, e.g. make PYTHON=python3.11 ..."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	@# pas.plugins.oidc needs pkg_resources at run time: setuptools as pinned (<81), even in a venv that came with a newer one.
	$(BIN)/pip install --disable-pip-version-check -q -c constraints.txt setuptools
	$(BIN)/pip install --disable-pip-version-check -q -c constraints.txt -e ".[test]"
	@touch $@

# From the npm registry, pinned in package-lock.json: axe-core for the accessibility audits,
# the NL Design System CSS of the house style and the ALTCHA widget.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The house style's NL Design System stylesheet, built from node_modules (git-ignored):
# only the components the templates use, so a changed template builds it again.
NLDS := $(PACKAGE)/browser/static/nlds
$(NLDS)/nlds.css: node_modules/.installed scripts/build-nlds.sh scripts/build-nlds.mjs \
		$(wildcard $(PACKAGE)/browser/templates/*.pt)
	scripts/build-nlds.sh

# The ALTCHA widget (proof-of-work check when many bookings come from one address), copied
# from node_modules into the add-on's static files (git-ignored).
ALTCHA := $(PACKAGE)/browser/static/altcha
$(ALTCHA)/altcha.min.js: node_modules/.installed scripts/build-altcha.sh
	scripts/build-altcha.sh

.PHONY: system-packages
system-packages:
	@scripts/system-packages.sh $(SYSTEM_PACKAGES)

.PHONY: install
install: system-packages $(VENV)/.installed node_modules/.installed $(NLDS)/nlds.css $(ALTCHA)/altcha.min.js ## Install what is missing (Python, npm and system packages)

.PHONY: start
start: install ## Install if needed, create the demo site once, serve it on 127.0.0.1:$(PORT)
	$(BIN)/digitalebalie-start --dir $(INSTANCE) --port $(PORT)

.PHONY: start-cluster
start-cluster: install ## Try the way up: PostgreSQL, 2 Zope instances on RelStorage, 2 room servers, nginx on $(PORT)
	$(BIN)/digitalebalie-cluster --dir cluster --port $(PORT)

.PHONY: test
test: install ## Run every test
	$(BIN)/pytest $(PYTEST_ARGS)

.PHONY: test-quick
test-quick: install ## Run the tests that need no Chromium, no cluster and no launcher
	$(BIN)/pytest -m "not browser and not cluster and not slow" $(PYTEST_ARGS)

.PHONY: lint
lint: install ## Check code style (ruff) and ZCML/XML formatting (zpretty)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	find $(PACKAGE) -name '*.zcml' -o -name '*.xml' | xargs $(BIN)/zpretty --check

.PHONY: format
format: install ## Format code, ZCML and XML in place
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench
	find $(PACKAGE) -name '*.zcml' -o -name '*.xml' | xargs $(BIN)/zpretty -i

.PHONY: i18n
i18n: install ## Update the translation catalogs (locales/) from the code
	scripts/update-locales.sh

.PHONY: bench
bench: install ## Run the benchmarks; they print figures
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

.PHONY: clean
clean: ## Remove the virtualenv (the instance and its data are kept)
	rm -rf $(VENV) .pytest_cache .ruff_cache

.PHONY: clean-instance
clean-instance: ## Delete the demo instance and ALL its data
	rm -rf $(INSTANCE)
