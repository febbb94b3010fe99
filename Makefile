# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test install install-test browser-tools clean

# make run is development, whatever .env says or whether Flask reads it. No
# worker runs here: the embedded clock (ats/jobs/clock.py) sweeps every minute.
run: export ATS_ENV ?= development
run: install .env
	$(FLASK) db upgrade
	$(FLASK) ats seed
	ATS_EMBEDDED_CLOCK=1 FLASK_RUN_HOST=$(HOST) FLASK_RUN_PORT=$(PORT) $(FLASK) run

test: install-test browser-tools
	$(BIN)/pytest $(PYTEST_ARGS)

# Development chosen explicitly, for every `flask` command run here (Flask
# reads .env); its signing key is this machine's own, made on first use in
# instance/secret_key. Neither is committed.
.env:
	@umask 077 && printf 'ATS_ENV=development\n' > $@
	@echo "wrote .env (ATS_ENV=development)"

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

# axe-core for the accessibility checks, pinned in package-lock.json.
browser-tools: node_modules/axe-core/axe.min.js

node_modules/axe-core/axe.min.js: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm not found: the accessibility checks will be skipped (and fail when CI=true)"; \
	fi

clean:
	rm -rf $(VENV) node_modules test-artifacts .pytest_cache
